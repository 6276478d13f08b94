// Library-internal access to a region's private state (renderer, printer,
// map state). Not part of the public API.
#pragma once

#include <vector>

#include "tlmmap/address_space.hpp"
#include "tlmmap/region.hpp"

namespace tlmmap::detail {

struct RegionAccess {
  // Ascending priority, equal priorities in add order (reverse render order).
  static const std::vector<Region*>& children(const Region& r) noexcept { return r.subregions_; }
  static const std::vector<AddressSpace*>& rooted_spaces(const Region& r) noexcept {
    return r.rooted_spaces_;
  }
  static void add_subregion(Region& container, uint64_t offset, Region& sub, int priority, bool overlap) {
    container.add_subregion_common(offset, sub, priority, overlap);
  }
  static uint64_t& walk_stamp(const Region& r) noexcept { return r.walk_stamp_; }
};

}  // namespace tlmmap::detail
