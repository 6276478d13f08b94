// The protocol side of an AXI-to-TLM bridge (AXI4 or AXI4-Lite), free of
// pins and sockets: it plays the subordinate's part of the five channels,
// one rising clock edge at a time, and turns each burst into TLM requests
// for the bridge's initiator (axi_to_tlm.hpp).
//
//   INCR   one TLM transaction over the bytes of the whole burst (narrow and
//          unaligned beats included), WSTRB as byte enables where not all set;
//   FIXED  one transaction with the beat's width as its streaming width;
//   WRAP   at most two transactions: from the start address up to the wrap
//          boundary, then from the bottom of the window.
// The worst TLM status of a burst becomes its response (every beat of a
// read); EXOKAY answers an exclusive access the target marked as such.
//
// READY is high whenever there is room (AWREADY and ARREADY up to
// `max_outstanding` bursts, WREADY for a few bursts of data), so a manager
// that keeps VALID high moves one beat per clock; write data may come
// before its address. Responses leave in the order the requests were made.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <tlm>

#include "tlmmap/adapters/axi_beat.hpp"

namespace tlmmap::adapters {

// One burst from the pins, as TLM transactions.
struct AxiRequest {
  struct Piece {
    tlm::tlm_generic_payload gp;
    std::vector<uint8_t> data;
    std::vector<uint8_t> byte_enables;
    uint32_t stream_offset = 0;  // where its bytes lie in the burst's byte stream
  };
  bool write = false;
  AxiAddress a;
  std::deque<Piece> pieces;  // deque: a payload holds pointers into its piece
  uint64_t generation = 0;   // a reset in between makes the answer stale
};

class AxiSubordinateEngine {
 public:
  struct Config {
    std::string name;
    unsigned data_bytes = 8;
    bool lite = false;
    unsigned max_outstanding = 16;  // bursts accepted and not yet answered, per direction
  };

  // Pins sampled at a rising edge. The payload fields are read only where
  // the handshake happens (VALID and our READY).
  struct Inputs {
    bool awvalid = false;
    AxiAddress aw;
    bool wvalid = false;
    const uint8_t* wdata = nullptr;
    uint64_t wstrb = 0;
    bool wlast = false;
    bool bready = false;
    bool arvalid = false;
    AxiAddress ar;
    bool rready = false;
  };

  struct Outputs {
    bool awready = false, wready = false, arready = false;
    bool bvalid = false, rvalid = false;
    uint32_t bid = 0;
    AxiResp bresp = AxiResp::okay;
    AxiData r;
    bool b_changed = false, r_changed = false;
  };

  explicit AxiSubordinateEngine(Config config);

  void edge(const Inputs& in);
  const Outputs& outputs() const noexcept { return out_; }

  // Requests for the TLM side, oldest first; finish() answers one.
  std::unique_ptr<AxiRequest> take_request();
  bool has_requests() const noexcept { return !to_tlm_.empty(); }
  void finish(std::unique_ptr<AxiRequest> request);

  // Nothing to drive and nothing half-received: the bridge may sleep until
  // a VALID rises or an answer comes back.
  bool idle() const noexcept;
  // Reset asserted: READYs and VALIDs low, everything received forgotten;
  // answers to requests already on the TLM side are dropped.
  void reset();

  // Whether the accepted-but-unanswered counts leave room.
  bool aw_ready_now() const noexcept { return out_.awready; }
  bool w_ready_now() const noexcept { return out_.wready; }
  bool ar_ready_now() const noexcept { return out_.arready; }

 private:
  struct Answer {
    std::unique_ptr<AxiRequest> request;
    unsigned beat = 0;
    AxiResp resp = AxiResp::okay;
    uint32_t stream_pos = 0;  // the beat's first byte in the burst's byte stream
  };

  std::unique_ptr<AxiRequest> make_request(bool write, const AxiAddress& a);
  void collect_write();
  void load_r_beat();
  void protocol_error(const std::string& what) const;

  Config config_;
  std::deque<AxiAddress> aw_waiting_;  // write addresses awaiting their data
  std::deque<AxiData> w_waiting_;      // write beats awaiting their burst's completion
  std::deque<std::unique_ptr<AxiRequest>> to_tlm_;
  std::deque<Answer> b_answers_, r_answers_;
  unsigned writes_open_ = 0, reads_open_ = 0;  // accepted, response not yet given
  uint64_t generation_ = 0;
  Outputs out_;
};

}  // namespace tlmmap::adapters
