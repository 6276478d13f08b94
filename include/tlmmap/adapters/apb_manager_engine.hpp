// The protocol side of a TLM-to-APB4 bridge, free of pins and sockets: it
// cuts each TLM transaction into bus-width accesses on aligned addresses
// (byte enables and partial words become PSTRB; reads drive PSTRB 0 and keep
// the enabled bytes) and walks each through APB's setup and access phases,
// back to back, one rising edge at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "tlmmap/adapters/amba.hpp"
#include "tlmmap/adapters/job.hpp"
#include "tlmmap/adapters/pins.hpp"

namespace tlmmap::adapters {

class ApbManagerEngine {
 public:
  struct Config {
    std::string name;
    unsigned data_bytes = 4;
  };
  // prdata is read only when the access phase ends (pready).
  struct Inputs {
    bool pready = false;
    bool pslverr = false;
    const uint8_t* prdata = nullptr;
  };
  struct Outputs {
    bool psel = false, penable = false, pwrite = false;
    uint64_t paddr = 0;
    uint8_t pwdata[kMaxDataBytes] = {};
    uint64_t pstrb = 0;
    uint8_t pprot = 0;
    bool changed = false;  // a new setup phase: drive the payload pins
  };

  explicit ApbManagerEngine(Config config);

  // As AxiManagerEngine::submit(): false for a malformed payload.
  bool submit(Job& job);
  void edge(const Inputs& in);
  const Outputs& outputs() const noexcept { return out_; }
  // In the access phase, where PREADY, PRDATA and PSLVERR count.
  bool in_access() const noexcept { return out_.psel && out_.penable; }
  bool idle() const noexcept { return jobs_.empty(); }
  // Reset asserted: PSEL low; the job under way fails with
  // TLM_GENERIC_ERROR_RESPONSE, the others wait.
  void reset();

 private:
  struct Access {
    uint64_t addr = 0, word = 0, count = 0;
  };
  Access current() const;
  void setup_next();

  Config config_;
  std::deque<Job*> jobs_;
  uint64_t offset_ = 0;  // the current access's first byte in the payload's data
  Outputs out_;
};

}  // namespace tlmmap::adapters
