// QEMU's MemoryRegionOps: the callbacks of an MMIO region (or of a ROM
// device out of romd mode) and the access sizes they take.
//
// Offsets are relative to the region. A value of `size` bytes is passed in
// the low bits of a uint64_t, in the device's endianness.
#pragma once

#include <cstdint>
#include <functional>

#include "tlmmap/core/endianness.hpp"
#include "tlmmap/core/mem_tx_attrs.hpp"
#include "tlmmap/core/mem_tx_result.hpp"

namespace tlmmap {

struct MmioOps {
  // One of read / read_with_attrs (read wins when both are set); likewise
  // for writes. A region without one answers like unassigned memory
  // (decode error).
  std::function<uint64_t(uint64_t offset, unsigned size)> read;
  std::function<void(uint64_t offset, uint64_t value, unsigned size)> write;
  std::function<MemTxResult(uint64_t offset, uint64_t& value, unsigned size, const MemTxAttrs& attrs)>
      read_with_attrs;
  std::function<MemTxResult(uint64_t offset, uint64_t value, unsigned size, const MemTxAttrs& attrs)>
      write_with_attrs;

  // Debug accesses (transport_dbg, AddressSpace::debug_read/write) must have
  // no side effect, so they reach the device only through these; without
  // them a debug access transfers nothing here.
  std::function<uint64_t(uint64_t offset, unsigned size)> debug_read;
  std::function<void(uint64_t offset, uint64_t value, unsigned size)> debug_write;

  Endianness endianness = Endianness::native;

  // What the device being modelled accepts; anything else is refused with
  // a decode error (QEMU's memory_region_access_valid()).
  struct Valid {
    unsigned min_access_size = 0;  // 0: any (with max 0)
    unsigned max_access_size = 0;  // 0: every size is valid
    bool unaligned = false;        // accesses not aligned to their size
    std::function<bool(uint64_t offset, unsigned size, bool is_write, const MemTxAttrs& attrs)> accepts;
  } valid;

  // What the callbacks implement; the library splits wider accesses and
  // widens narrower ones (QEMU's access_with_adjusted_size()).
  struct Impl {
    unsigned min_access_size = 0;  // 0: 1
    unsigned max_access_size = 0;  // 0: 4
    bool unaligned = false;        // buffer accesses are split at natural alignment unless set
  } impl;
};

}  // namespace tlmmap
