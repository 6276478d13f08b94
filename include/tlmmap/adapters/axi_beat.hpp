// AXI address and data beats as plain values, and the AXI4 rules for where
// each beat of a burst lies (the spec's "Transfer address" pseudo-code).
#pragma once

#include <cstdint>

#include "tlmmap/adapters/amba.hpp"
#include "tlmmap/adapters/pins.hpp"

namespace tlmmap::adapters {

// AW or AR. AXI4-Lite leaves id 0, len 0, size the bus width, INCR.
struct AxiAddress {
  uint64_t addr = 0;
  uint32_t id = 0;
  uint8_t len = 0;   // beats - 1
  uint8_t size = 0;  // log2(bytes per beat)
  AxiBurst burst = AxiBurst::incr;
  bool lock = false;
  uint8_t cache = 0;
  uint8_t prot = 0;
  uint8_t qos = 0;
};

// W or R.
struct AxiData {
  uint8_t data[kMaxDataBytes] = {};
  uint64_t strb = 0;  // W: one bit per lane
  bool last = false;
  uint32_t id = 0;    // R
  AxiResp resp = AxiResp::okay;
};

// The bytes one beat carries: `count` bytes from address `addr`, on the
// lanes from `lane` up.
struct BeatSpan {
  uint64_t addr;
  unsigned lane;
  unsigned count;
};

// Beat `n` of the burst `a` on a bus of `data_bytes` bytes. The first beat
// of an unaligned INCR or FIXED burst starts at the address itself; every
// other beat covers its whole, size-aligned container.
inline BeatSpan beat_span(const AxiAddress& a, unsigned n, unsigned data_bytes) {
  const uint64_t bytes = uint64_t{1} << a.size;
  const uint64_t aligned = a.addr & ~(bytes - 1);
  uint64_t addr = a.addr;
  switch (a.burst) {
    case AxiBurst::fixed:
      break;
    case AxiBurst::wrap: {
      const uint64_t total = bytes * (uint64_t{a.len} + 1);
      const uint64_t lower = a.addr & ~(total - 1);
      addr = lower + ((aligned - lower + n * bytes) & (total - 1));
      break;
    }
    default:
      addr = n == 0 ? a.addr : aligned + n * bytes;
      break;
  }
  const uint64_t end = (addr & ~(bytes - 1)) + bytes;
  return BeatSpan{addr, static_cast<unsigned>(addr % data_bytes), static_cast<unsigned>(end - addr)};
}

}  // namespace tlmmap::adapters
