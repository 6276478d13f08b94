// A memory region: the node of QEMU's memory-region graph.
//
// Regions are plain C++ objects; building a map, rendering it and looking
// addresses up needs no running SystemC kernel. A region never moves in
// memory (containers and aliases point at it), so regions are neither
// copyable nor movable: hold them as members or through std::unique_ptr.
//
// Every change (add/del subregion, enable, move, readonly, alias offset,
// romd mode) is visible at once, or at the outermost commit when made inside
// a transaction (see transaction.hpp). Bad calls are refused through
// SC_REPORT_ERROR with the regions named, and leave the map exactly as it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <sysc/kernel/sc_time.h>

#include "tlmmap/region_kind.hpp"
#include "tlmmap/types.hpp"

namespace tlmmap {

class AliasRegion;
class AddressSpace;
namespace detail {
class MapState;
struct RegionAccess;
}

class Region {
 public:
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  // Unlinks the region from the map: removes it from its container, detaches
  // its subregions, leaves aliases that target it without a target and
  // address spaces rooted in it without a root. All of this is one change.
  virtual ~Region();

  const std::string& name() const noexcept { return name_; }
  RegionKind kind() const noexcept { return kind_; }
  u128 size() const noexcept { return size_; }
  // Offset inside the container; kept after the region is removed, as QEMU does.
  uint64_t address() const noexcept { return address_; }
  // Priority inside the container (only compared among siblings).
  int priority() const noexcept { return priority_; }
  // Added with add_subregion_overlap().
  bool may_overlap() const noexcept { return may_overlap_; }
  Region* container() const noexcept { return container_; }
  bool enabled() const noexcept { return enabled_; }
  bool readonly() const noexcept { return readonly_; }
  bool nonvolatile() const noexcept { return nonvolatile_; }
  // A terminating region renders itself wherever no subregion claims the
  // address: every kind but container and alias.
  bool terminates() const noexcept {
    return kind_ != RegionKind::container && kind_ != RegionKind::alias;
  }
  // ROM device mode; true for every other kind (as QEMU's romd_mode).
  bool romd_mode() const noexcept { return romd_mode_; }

  // Subregions in render order: descending priority, and among equal
  // priorities the later-added first (it wins).
  std::vector<Region*> subregions() const;
  std::size_t subregion_count() const noexcept { return subregions_.size(); }
  // Subregions in the order they were added (re-adding them in this order
  // rebuilds the same render order).
  std::vector<Region*> subregions_in_add_order() const;
  // Aliases whose target is this region.
  const std::vector<AliasRegion*>& aliases() const noexcept { return aliases_; }
  // Monotonic stamp of the last add_subregion that placed this region.
  uint64_t add_sequence() const noexcept { return add_sequence_; }

  // QEMU's memory_region_add_subregion(): priority 0, not expected to overlap.
  void add_subregion(uint64_t offset, Region& subregion);
  // QEMU's memory_region_add_subregion_overlap().
  void add_subregion_overlap(uint64_t offset, Region& subregion, int priority = 0);
  void del_subregion(Region& subregion);
  void set_enabled(bool enabled);
  // Moves the region inside its container. As in QEMU, a move re-adds it, so
  // it then wins over equal-priority siblings.
  void set_address(uint64_t address);
  // Writes through this region (and everything seen through it) are refused.
  void set_readonly(bool readonly);
  void set_nonvolatile(bool nonvolatile);

  // QEMU's memory_region_type(): "ram", "rom", "romd" or "i/o"; an alias
  // shows its target's type.
  std::string_view type_name() const noexcept;

  // Latencies added to the delay of each access this region answers (and
  // reported in its DMI grants). Zero by default.
  void set_latency(const sc_core::sc_time& read, const sc_core::sc_time& write) {
    read_latency_ = read;
    write_latency_ = write;
  }
  const sc_core::sc_time& read_latency() const noexcept { return read_latency_; }
  const sc_core::sc_time& write_latency() const noexcept { return write_latency_; }

  // The region this one is an alias of (nullptr for other kinds), and the
  // offset of the window inside it.
  Region* alias_target() const noexcept { return alias_target_; }
  uint64_t alias_offset() const noexcept { return alias_offset_; }

 protected:
  Region(std::string name, RegionKind kind, u128 size);
  void set_romd_mode(bool romd);
  // Records a change that may alter the flat views that reach this region.
  void changed();

 private:
  friend class detail::MapState;
  friend class AddressSpace;
  friend class AliasRegion;
  friend struct detail::RegionAccess;

  void add_subregion_common(uint64_t offset, Region& subregion, int priority, bool overlap);
  void insert_sorted(Region& subregion);
  void unlink_subregion(Region& subregion);

  // What every render reads comes first, in one cache line for all but
  // aliases (whose target follows in the next): rendering large maps is
  // bound by the cache misses on region objects.
  RegionKind kind_;
  bool enabled_ = true;
  bool readonly_ = false;
  bool nonvolatile_ = false;
  bool romd_mode_ = true;
  bool may_overlap_ = false;
  u128 size_;
  uint64_t address_ = 0;
  // Ascending priority, equal priorities in add order: the reverse of the
  // render order, so that the common case (an add at priority 0) appends.
  std::vector<Region*> subregions_;
  Region* alias_target_ = nullptr;  // aliases only
  uint64_t alias_offset_ = 0;
  int priority_ = 0;
  Region* container_ = nullptr;
  std::string name_;
  std::vector<AliasRegion*> aliases_;
  std::vector<AddressSpace*> rooted_spaces_;
  uint64_t add_sequence_ = 0;
  sc_core::sc_time read_latency_;
  sc_core::sc_time write_latency_;
  // Scratch stamp for graph walks (see detail::MapState::next_walk_stamp()).
  mutable uint64_t walk_stamp_ = 0;
};

}  // namespace tlmmap
