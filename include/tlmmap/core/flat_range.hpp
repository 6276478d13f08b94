// One range of a flat view: a contiguous span of addresses answered by one
// terminal region at a contiguous offset inside it. Valid as long as the
// flat view that holds it (hold a Section or the view's shared_ptr to keep it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tlmmap/core/route.hpp"
#include "tlmmap/core/types.hpp"

namespace tlmmap {

class Region;
namespace detail {
class RegionNode;
struct NodeAccess;
}  // namespace detail

class FlatRange {
 public:
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive: a range may end at 2^64 - 1
  uint64_t offset_within_region = 0;
  bool readonly = false;  // the region's flag OR any alias/container on the path
  bool romd_mode = true;
  bool nonvolatile = false;
  // The dirty-log clients (bit DirtyClient) logging writes here (QEMU's
  // dirty_log_mask): the region's own set_log() and global dirty tracking.
  uint8_t dirty_log_mask = 0;

  u128 size() const noexcept { return u128(last) - first + 1; }
  bool contains(uint64_t address) const noexcept { return address >= first && address <= last; }
  // The offset inside the region that `address` (within this range) reaches.
  uint64_t region_offset(uint64_t address) const noexcept { return offset_within_region + (address - first); }

  // The region that answers; nullptr once it has been destroyed (its state
  // stays valid for this range, see region.hpp).
  Region* region() const noexcept;
  const std::string& region_name() const noexcept;
  int region_priority() const noexcept;
  // QEMU's memory_region_type() of the region: "ram", "rom", "romd", "i/o".
  std::string_view region_type() const noexcept;
  // What the model decides for reads (or writes) through this range.
  Route route(bool is_write) const noexcept;

  // Same region, same attributes, offsets that continue each other: QEMU
  // merges such neighbours (flatview_simplify).
  bool same_mapping(const FlatRange& next) const noexcept;
  // QEMU's flatrange_equal(): what memory listeners compare (the region,
  // where it shows, at which offset, with which attributes).
  bool maps_like(const FlatRange& o) const noexcept {
    return first == o.first && last == o.last && node_ == o.node_ && offset_within_region == o.offset_within_region &&
           readonly == o.readonly && romd_mode == o.romd_mode && nonvolatile == o.nonvolatile;
  }
  // maps_like() and the same configuration (latency, ops, dirty logging):
  // what cached decisions and DMI grants depend on.
  bool operator==(const FlatRange& o) const noexcept {
    return maps_like(o) && version_ == o.version_ && dirty_log_mask == o.dirty_log_mask;
  }
  bool operator!=(const FlatRange& o) const noexcept { return !(*this == o); }

 private:
  friend struct detail::NodeAccess;
  const detail::RegionNode* node_ = nullptr;
  uint32_t version_ = 0;  // the region's configuration when rendered
};

}  // namespace tlmmap
