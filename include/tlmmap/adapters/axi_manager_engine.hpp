// The protocol side of a TLM-to-AXI bridge (AXI4 or AXI4-Lite), free of
// pins and sockets: it cuts each TLM transaction into legal bursts and
// plays the manager's part of the five channels, one rising clock edge at a
// time. The bridge module (tlm_to_axi.hpp) samples the pins, calls edge()
// and drives what the engine says.
//
// Bursts: a transaction that fits in one aligned container of at most the
// bus width is one narrow (or unaligned) beat; anything longer becomes
// full-width INCR bursts of at most `max_beats` beats (256 for AXI4, 1 for
// AXI4-Lite) that never cross a 4 KiB boundary, the first and last beats
// carrying only their bytes in WSTRB. Byte enables become WSTRB (reads
// fetch the whole beat and keep the enabled bytes). A streaming transaction
// whose width is a power of two up to the bus width, on an aligned address,
// becomes FIXED bursts (at most 16 beats each); other streaming widths are
// cut into one INCR run per repetition.
//
// Outstanding: bursts are issued back to back, up to `max_outstanding` per
// direction awaiting their responses; B and R are matched to the oldest
// burst with their ID, so responses to different IDs may come in any order
// and read data of different IDs may interleave. WVALID is never held back
// for AWREADY (AXI forbids a manager to wait for it).
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "tlmmap/adapters/axi_beat.hpp"
#include "tlmmap/adapters/job.hpp"

namespace tlmmap::adapters {

class AxiManagerEngine {
 public:
  struct Config {
    std::string name;              // the bridge, for reports
    unsigned data_bytes = 8;       // bus width in bytes
    unsigned max_beats = 256;      // INCR burst length limit (1: AXI4-Lite)
    unsigned id_bits = 4;          // AxID width (0: no IDs, AXI4-Lite)
    unsigned max_outstanding = 16; // bursts per direction awaiting a response
  };

  // Pins sampled at a rising edge. rdata is read only when rvalid is set.
  struct Inputs {
    bool awready = false, wready = false, arready = false;
    bool bvalid = false;
    uint32_t bid = 0;
    AxiResp bresp = AxiResp::okay;
    bool rvalid = false;
    uint32_t rid = 0;
    AxiResp rresp = AxiResp::okay;
    bool rlast = false;
    const uint8_t* rdata = nullptr;
  };

  // What to drive after the edge. The payload of a channel changes only
  // when its *_changed flag is set (then the bridge writes those pins).
  struct Outputs {
    bool awvalid = false, wvalid = false, arvalid = false;
    bool bready = false, rready = false;
    AxiAddress aw, ar;
    AxiData w;
    bool aw_changed = false, w_changed = false, ar_changed = false;
  };

  explicit AxiManagerEngine(Config config);
  AxiManagerEngine(const AxiManagerEngine&) = delete;
  AxiManagerEngine& operator=(const AxiManagerEngine&) = delete;

  // Queues a transaction. Its owner hears job_accepted() once every address
  // phase has been accepted and job_done() once every response is in, both
  // from inside edge() or reset(). A malformed payload (length 0, no data,
  // streaming width 0, byte-enable pointer with length 0) is refused: false,
  // and the caller answers it.
  bool submit(Job& job);

  // One rising edge: the handshakes that happened at it, then what to drive.
  void edge(const Inputs& in);
  const Outputs& outputs() const noexcept { return out_; }

  // Nothing queued, nothing awaiting a response: the bridge may sleep.
  bool idle() const noexcept;

  // Reset asserted: VALIDs low; every job with a handshake behind it fails
  // with TLM_GENERIC_ERROR_RESPONSE (the RTL has forgotten it), the others
  // wait for the end of reset.
  void reset();

  // The bursts of every job submitted so far, for tests and statistics.
  uint64_t bursts_issued() const noexcept { return bursts_issued_; }

 private:
  struct Beat {
    uint32_t data_offset;  // first byte in the payload's data array
    uint8_t lane;
    uint8_t count;
  };
  struct Burst {
    Job* job = nullptr;
    bool write = false;
    AxiAddress a;
    std::vector<Beat> beats;
    unsigned next_beat = 0;  // W sent / R received
    bool address_done = false;
    AxiResp resp = AxiResp::exokay;  // the worst beat's response so far (R)
    std::list<Burst>::iterator self;
  };

  bool well_formed(const tlm::tlm_generic_payload& gp) const;
  void add_run(Job& job, const AxiAddress& proto, uint64_t addr, uint64_t length, uint32_t data_offset,
               std::vector<Burst*>& made);
  void add_fixed(Job& job, const AxiAddress& proto, unsigned width, unsigned reps, std::vector<Burst*>& made);
  Burst& new_burst(Job& job, const AxiAddress& proto, std::vector<Burst*>& made);
  void fill_write_beat(const Burst& b, AxiData& w) const;
  void take_read_beat(Burst& b, const uint8_t* rdata);
  void finish_burst(Burst& b, AxiResp resp);
  void finish_job(Job& job);
  Burst* oldest(std::unordered_map<uint32_t, std::deque<Burst*>>& by_id, uint32_t id);
  void protocol_error(const std::string& what) const;

  Config config_;
  std::list<Burst> bursts_;
  std::deque<Burst*> aw_queue_, w_queue_, ar_queue_;
  std::unordered_map<uint32_t, std::deque<Burst*>> writes_out_, reads_out_;
  unsigned writes_outstanding_ = 0, reads_outstanding_ = 0;
  std::vector<Job*> accepted_, done_;  // callbacks collected during an edge
  Outputs out_;
  uint64_t bursts_issued_ = 0;
};

}  // namespace tlmmap::adapters
