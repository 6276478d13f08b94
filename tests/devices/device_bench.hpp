// A device's MMIO ops in an MMIO region, accessed the way a CPU's bus
// access reaches them (dispatch with access-size rules and endianness),
// and helpers to let SystemC deliver signal writes.
#pragma once

#include <cstdint>
#include <string>

#include <systemc>

#include "tlmmap/core/mmio_region.hpp"

namespace tlmmap::test {

struct DeviceBench {
  MmioRegion region;
  DeviceBench(const std::string& name, uint64_t size, MmioOps ops) : region(name, size, std::move(ops)) {}

  // Returns the value read, or `refused` when the ops turn the access down.
  static constexpr uint64_t refused = 0xdeadbeefdeadbeefull;
  uint64_t read(uint64_t offset, unsigned size = 4) {
    uint64_t value = 0;
    auto result = region.dispatch_read(offset, value, size, MemTxAttrs::specified());
    return result == MemTxResult::ok ? value : refused;
  }
  bool write(uint64_t offset, uint64_t value, unsigned size = 4) {
    return region.dispatch_write(offset, value, size, MemTxAttrs::specified()) == MemTxResult::ok;
  }
};

// Lets signal writes take effect (one delta cycle) or time pass.
inline void settle() { sc_core::sc_start(sc_core::SC_ZERO_TIME); }
inline void run_for(const sc_core::sc_time& t) { sc_core::sc_start(t); }

}  // namespace tlmmap::test
