// A memory region: the node of QEMU's memory-region graph.
//
// Regions are plain C++ objects owned by the user (members, std::unique_ptr,
// a MemoryMap); building a map, rendering it and looking addresses up needs
// no SystemC kernel. Containers, aliases and address spaces refer to each
// other, so a region neither copies nor moves.
//
// Every change (add/del subregion, enable, move, readonly, alias offset,
// romd mode, latency, ops) is visible at once, or at the outermost commit
// when made inside a transaction (transaction.hpp). Bad calls are refused
// through tlmmap::report() with the regions named, and leave the map exactly
// as it was.
//
// Lifetime: destroying a region removes it from the map in one change: from
// its container, from the aliases that show it and from the address spaces
// rooted at it. What still sees it (a flat view kept by a transaction, a
// Section, a DMI grant, a reader on another thread) keeps its state alive,
// host memory included, until it lets go; accesses through such an old view
// to a destroyed device answer a decode error instead of calling into it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tlmmap/core/dirty_memory.hpp"
#include "tlmmap/core/duration.hpp"
#include "tlmmap/core/region_kind.hpp"
#include "tlmmap/core/types.hpp"

namespace tlmmap {

namespace detail {
class RegionNode;
struct NodeAccess;
}  // namespace detail

class Region {
 public:
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  virtual ~Region();

  const std::string& name() const noexcept;
  RegionKind kind() const noexcept;
  u128 size() const noexcept;
  // Offset inside the container; kept after the region is removed, as QEMU does.
  uint64_t address() const noexcept;
  // Priority inside the container (only compared among siblings).
  int priority() const noexcept;
  // Added with add_subregion_overlap() (or placed with overlap allowed).
  bool may_overlap() const noexcept;
  Region* container() const noexcept;
  bool enabled() const noexcept;
  bool readonly() const noexcept;
  bool nonvolatile() const noexcept;
  // A terminating region renders itself wherever no subregion claims the
  // address: every kind but container and alias.
  bool terminates() const noexcept;
  // ROM device mode; true for every other kind (as QEMU's romd_mode).
  bool romd_mode() const noexcept;

  // Subregions in render order: descending priority, and among equal
  // priorities the later-added first (it wins).
  std::vector<Region*> subregions() const;
  std::size_t subregion_count() const noexcept;
  // Subregions in the order they were added (re-adding them in this order
  // rebuilds the same render order).
  std::vector<Region*> subregions_in_add_order() const;
  // Aliases whose target is this region.
  std::vector<Region*> aliases() const;
  // Monotonic stamp of the last add_subregion that placed this region.
  uint64_t add_sequence() const noexcept;

  // QEMU's memory_region_add_subregion(): priority 0, not expected to overlap.
  void add_subregion(uint64_t offset, Region& subregion);
  // QEMU's memory_region_add_subregion_overlap().
  void add_subregion_overlap(uint64_t offset, Region& subregion, int priority = 0);
  // Both of the above in one: a priority and whether overlap is expected, as
  // a map file states them (a priority without overlap has no QEMU call of
  // its own; `tlmmap check` reports its overlaps).
  void add_subregion_placed(uint64_t offset, Region& subregion, int priority, bool may_overlap);
  void del_subregion(Region& subregion);
  void set_enabled(bool enabled);
  // Moves the region inside its container. As in QEMU, a move re-adds it, so
  // it then wins over equal-priority siblings.
  void set_address(uint64_t address);
  // Writes through this region (and everything seen through it) are refused.
  void set_readonly(bool readonly);
  void set_nonvolatile(bool nonvolatile);
  // QEMU's memory_region_set_size(): a map change. Regions backed by host
  // memory cannot outgrow it (RamRegion::resize() is their way).
  void set_size(u128 size);

  // QEMU's memory_region_type(): "ram", "rom", "romd" or "i/o"; an alias
  // shows its target's type.
  std::string_view type_name() const noexcept;

  // Latencies added to each access this region answers (and reported in its
  // DMI grants). Zero by default; negative ones are refused. A map change:
  // cached decisions and DMI grants that carry the old latency are withdrawn.
  void set_latency(Duration read, Duration write);
  Duration read_latency() const noexcept;
  Duration write_latency() const noexcept;

  // The region this one is an alias of (nullptr for other kinds), and the
  // offset of the window inside it.
  Region* alias_target() const noexcept;
  uint64_t alias_offset() const noexcept;

  // Content [first, last] (offsets in this region) changed behind the map's
  // back, e.g. a device withdrew a direct pointer: every holder of a direct
  // pointer (DMI grant) onto it, through any address space and alias, is told.
  void invalidate_direct_access(uint64_t first, uint64_t last);

  // Dirty-memory logging (dirty_memory.hpp), for regions backed by host
  // memory (RAM, ROM, ROM devices); refused on others.
  // QEMU's memory_region_set_log(), counted: each `true` needs its `false`.
  // A map change: listeners hear log_start/log_stop.
  void set_log(bool log, DirtyClient client);
  // QEMU's memory_region_get_dirty_log_mask(): the clients logging it now.
  uint8_t dirty_log_mask() const noexcept;
  // Pages of [offset, offset + size) dirty for `client`?
  bool get_dirty(uint64_t offset, u128 size, DirtyClient client) const;
  // Marks them dirty for every client logging the region (a device that
  // writes its own memory behind the map, as QEMU's memory_region_set_dirty()).
  void set_dirty(uint64_t offset, u128 size);
  bool test_and_clear_dirty(uint64_t offset, u128 size, DirtyClient client);
  void reset_dirty(uint64_t offset, u128 size, DirtyClient client);
  // QEMU's memory_region_sync_dirty_bitmap(): listeners' log_sync on every
  // logged section of this region.
  void sync_dirty_bitmap();
  // The bitmaps, nullptr until the region first logs (or has no memory).
  const DirtyBitmaps* dirty_bitmaps() const noexcept;
  // Host memory behind the region (RAM, ROM, ROM devices; reserved on the
  // first call), nullptr for other kinds.
  uint8_t* host_memory();

 protected:
  explicit Region(std::unique_ptr<detail::RegionNode> node);
  detail::RegionNode& node() const noexcept { return *node_; }
  // Records a change that may alter the flat views that show this region.
  void changed();
  // Takes the region out of the map now (what the destructor does); for
  // derived regions whose own members the map must stop using first.
  void unmap();

 private:
  friend struct detail::NodeAccess;
  detail::RegionNode* node_;  // handed to the map's deferred reclamation when this handle dies
};

}  // namespace tlmmap
