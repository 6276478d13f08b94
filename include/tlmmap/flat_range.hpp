// One range of a flat view: a contiguous span of addresses answered by one
// terminal region at a contiguous offset inside it.
#pragma once

#include <cstdint>

#include "tlmmap/types.hpp"

namespace tlmmap {

class Region;

struct FlatRange {
  uint64_t start = 0;
  uint64_t last = 0;  // inclusive: a range may end at 2^64
  Region* region = nullptr;
  uint64_t offset_in_region = 0;
  bool readonly = false;     // the region's flag OR any alias/container on the path
  bool romd_mode = true;
  bool nonvolatile = false;

  u128 size() const noexcept { return u128(last) - start + 1; }
  bool contains(uint64_t address) const noexcept { return address >= start && address <= last; }
  // The offset inside the region that `address` (within this range) reaches.
  uint64_t region_offset(uint64_t address) const noexcept {
    return offset_in_region + (address - start);
  }
  // Same region, same attributes, offsets that continue each other: QEMU
  // merges such neighbours (flatview_simplify) and a change between two
  // views is exactly where ranges do not map the same way.
  bool same_mapping(const FlatRange& next) const noexcept;

  bool operator==(const FlatRange& o) const noexcept {
    return start == o.start && last == o.last && region == o.region &&
           offset_in_region == o.offset_in_region && readonly == o.readonly &&
           romd_mode == o.romd_mode && nonvolatile == o.nonvolatile;
  }
  bool operator!=(const FlatRange& o) const noexcept { return !(*this == o); }
};

}  // namespace tlmmap
