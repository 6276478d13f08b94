// Library-internal: the process-wide state of the memory API, as QEMU's: the
// list of address spaces, the transaction depth, what waits for a render,
// and the reclamation of destroyed regions. The map is changed from one
// thread (SystemC's); views are read from any.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "epoch.hpp"
#include "listener_registry.hpp"
#include "region_node.hpp"
#include "space_node.hpp"

namespace tlmmap::detail {

class MapState {
 public:
  static MapState& get();

  // QEMU flushes coalesced MMIO at the start of every transaction.
  void begin();
  void commit();
  // Ends a transaction like commit() but returns a render that stopped at a
  // limit instead of reporting it.
  std::string commit_quietly();
  int depth() const noexcept { return depth_; }

  // Marks the address spaces whose root reaches `node` (up through
  // containers and aliases) for a full render.
  void mark_reaching(const RegionNode& node);
  // A change confined to [lo, hi) of `node`'s content (a subregion's window
  // in its container, or the region itself): the address spaces that reach
  // it re-render only the windows it maps to, found by walking up containers
  // and aliases. Renders at once outside a transaction.
  void window_changed(const RegionNode& node, u128 lo, u128 hi) {
    note_window(node, lo, hi);
    render_if_idle();
  }
  // The same without the render (several windows of one change).
  void note_window(const RegionNode& node, u128 lo, u128 hi);
  // `node`'s own address changed: address spaces rendered from it see their
  // whole view shift.
  void region_moved(const RegionNode& node);
  // Outside a transaction, renders what is pending and reports a render that
  // stopped at a limit.
  void render_if_idle();
  // Recomputes the ioeventfds of `space` from its view and tells listeners.
  void update_ioeventfds(SpaceNode& space);

  void space_created(SpaceNode& space);
  // The view goes empty and observers are told, then the space is forgotten.
  void space_destroyed(SpaceNode& space);

  // The handle of `node` died: unlink it from the graph (one change) and keep
  // it until no view may name it.
  void region_destroyed(std::unique_ptr<RegionNode> node);
  // Content [first, last] of `node` changed behind the map: every space that
  // shows it tells its observers where.
  void direct_access_invalidated(const RegionNode& node, uint64_t first, uint64_t last);

  const std::vector<SpaceNode*>& spaces() const noexcept { return spaces_; }
  ListenerRegistry& listeners() noexcept { return listeners_; }
  // The live memory region of each name (QEMU's RAM block ids).
  std::unordered_map<std::string, RegionNode*>& ram_names() noexcept { return ram_names_; }
  RegionNode* memory_named(const std::string& name) const {
    const auto it = ram_names_.find(name);
    return it != ram_names_.end() ? it->second : nullptr;
  }

  // QEMU's global dirty tracking: MIGRATION logging on every migratable
  // region (a change of every view, told at once outside a transaction).
  void set_global_dirty_tracking(bool on);
  bool global_dirty_tracking() const noexcept { return global_dirty_; }
  // log_sync on the listeners, for `node` only unless null.
  void sync_dirty(const RegionNode* node) { listeners_.sync(node); }
  // A region's ioeventfds changed: listeners hear it at the next commit.
  void ioeventfds_changed() {
    ioeventfds_pending_ = true;
    render_if_idle();
  }
  // A region's coalesced ranges changed: listeners hear it at once.
  void coalesced_changed(const RegionNode& node);
  uint64_t next_add_sequence() noexcept { return ++add_sequence_; }
  uint64_t next_walk_stamp() noexcept { return ++walk_stamp_; }
  const std::shared_ptr<const FlatView>& empty_view() const noexcept { return empty_view_; }
  // A new view of `root` over `ranges`, in the current epoch.
  std::shared_ptr<const FlatView> make_view(const RegionNode* root, std::vector<FlatRange> ranges);

  // Renders the pending address spaces; returns a description of a render
  // that stopped at a limit ("" if none).
  std::string render_pending();

 private:
  MapState();
  void mark_space(SpaceNode& space, u128 lo, u128 hi);
  void mark_space_everywhere(SpaceNode& space);

  int depth_ = 0;
  bool pending_ = false;
  bool rendering_ = false;
  uint64_t add_sequence_ = 0;
  uint64_t walk_stamp_ = 0;
  std::vector<SpaceNode*> spaces_;
  std::shared_ptr<const FlatView> empty_view_;
  std::shared_ptr<Epoch> epoch_;
  ListenerRegistry listeners_;
  std::unordered_map<std::string, RegionNode*> ram_names_;
  bool global_dirty_ = false;
  bool ioeventfds_pending_ = false;
};

}  // namespace tlmmap::detail
