// Library-internal: the registered MemoryListeners and the callbacks the
// map owes them (QEMU's memory_listeners, MEMORY_LISTENER_CALL and
// address_space_update_topology_pass()).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "region_node.hpp"
#include "tlmmap/core/memory_listener.hpp"

namespace tlmmap::detail {

class SpaceNode;

class ListenerRegistry {
 public:
  using Window = std::pair<u128, u128>;

  void add(MemoryListener& listener, const AddressSpace* space);
  void remove(MemoryListener& listener);
  // A listener being destroyed: forgotten without callbacks.
  void forget(MemoryListener& listener) noexcept;
  bool empty() const noexcept { return listeners_.empty(); }

  // Every listener, by priority (Forward) or the other way (Reverse); one
  // that leaves (or is destroyed) meanwhile is skipped, never touched.
  template <typename F>
  void forward(F&& f) {
    const std::vector<Entry> all = listeners_;
    for (const Entry& e : all) {
      if (still_there(e)) f(*e.listener);
    }
  }
  template <typename F>
  void reverse(F&& f) {
    const std::vector<Entry> all = listeners_;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (still_there(*it)) f(*it->listener);
    }
  }
  // Those that listen to `space`.
  bool listens(const SpaceNode& space) const noexcept;
  // `space` is being destroyed: the listeners limited to it are forgotten.
  void forget_space(const AddressSpace* space) noexcept;

  // What a new view owes the listeners of `space` (QEMU's two topology
  // passes): `windows` (merged, ascending) hold every change, nullptr for
  // anywhere. Also the coalesced ranges of the sections deleted and added.
  void topology(const SpaceNode& space, const std::shared_ptr<const FlatView>& before,
                const std::shared_ptr<const FlatView>& after, const std::vector<Window>* windows);
  // An unchanged view at a commit: QEMU calls region_nop for every range.
  void unchanged(const SpaceNode& space, const std::shared_ptr<const FlatView>& view);
  // The ioeventfds of `space` changed from `before` to `after` (both sorted).
  struct SpaceIoeventfd {
    uint64_t address;
    unsigned size;
    bool match_data;
    uint64_t data;
    EventNotifier* notifier;
    const FlatRange* range;  // in the view it was found in
    bool operator<(const SpaceIoeventfd& o) const noexcept;
    bool same(const SpaceIoeventfd& o) const noexcept {
      return !(*this < o) && !(o < *this);
    }
  };
  void ioeventfds(const SpaceNode& space, const std::shared_ptr<const FlatView>& before_view,
                  const std::vector<SpaceIoeventfd>& before, const std::shared_ptr<const FlatView>& after_view,
                  const std::vector<SpaceIoeventfd>& after);
  // A region's coalesced ranges changed: every range of it is taken back and
  // given again (QEMU's memory_region_update_coalesced_range()).
  void coalesced_changed(const SpaceNode& space, const std::shared_ptr<const FlatView>& view, const RegionNode& node);
  // log_sync on the logged ranges of every space (of `node` only, unless null).
  void sync(const RegionNode* node);

 private:
  // coalesced_io_del for the whole range (Reverse), then coalesced_io_add
  // for each of the node's coalesced spans inside it (Forward).
  void take_coalesced(const SpaceNode& space, const Section& s, const FlatRange& fr);
  void give_coalesced(const SpaceNode& space, const Section& s, const FlatRange& fr, const RegionNode& node);

  struct Entry {
    MemoryListener* listener;
    uint64_t sequence;  // tells a listener from a later one at the same address
  };
  bool still_there(const Entry& e) const noexcept {
    return std::any_of(listeners_.begin(), listeners_.end(),
                       [&](const Entry& x) { return x.listener == e.listener && x.sequence == e.sequence; });
  }
  void replay(MemoryListener& listener, bool adding);
  // region_nop for ranges [begin, end) of `view`, which did not change (the
  // bulk of most commits: one listener snapshot and one Section for all).
  void nops(const SpaceNode& space, const std::shared_ptr<const FlatView>& view, std::size_t begin, std::size_t end);
  bool hears(const MemoryListener& l, const SpaceNode& space) const noexcept;

  std::vector<Entry> listeners_;  // by priority, then registration
  uint64_t sequence_ = 0;
};

}  // namespace tlmmap::detail
