// Library-internal: MMIO callbacks for a bank of 64-bit little-endian
// registers taking 4- and 8-byte accesses (the reference devices' registers).
// A 4-byte write is merged into its register before `write` hears the whole
// new value of the register at its 8-byte-aligned offset.
#pragma once

#include <cstdint>
#include <functional>

#include "tlmmap/core/mmio_ops.hpp"

namespace tlmmap::detail {

inline MmioOps register_bank_ops(const uint64_t* regs, std::function<void(uint64_t offset, uint64_t value)> write) {
  auto low = [](unsigned size) { return size == 8 ? ~uint64_t(0) : (uint64_t(1) << (8 * size)) - 1; };
  MmioOps ops;
  ops.read = [regs, low](uint64_t offset, unsigned size) { return (regs[offset / 8] >> (8 * (offset % 8))) & low(size); };
  ops.write = [regs, low, write = std::move(write)](uint64_t offset, uint64_t value, unsigned size) {
    const unsigned shift = 8 * (offset % 8);
    const uint64_t mask = low(size) << shift;
    write(offset & ~uint64_t(7), (regs[offset / 8] & ~mask) | ((value << shift) & mask));
  };
  ops.debug_read = ops.read;
  ops.endianness = Endianness::little;
  ops.valid.min_access_size = 4;
  ops.valid.max_access_size = 8;
  ops.impl.min_access_size = 4;
  ops.impl.max_access_size = 8;
  return ops;
}

}  // namespace tlmmap::detail
