// Library-internal: the state of an address space. The AddressSpace object
// holds it, and so do readers on other threads (ViewReader), which may
// outlive the object.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "listener_registry.hpp"
#include "region_node.hpp"
#include "tlmmap/core/address_space.hpp"

namespace tlmmap::detail {

class SpaceNode {
 public:
  SpaceNode(AddressSpace& handle, RegionNode* root, std::string name, bool region_relative,
            std::shared_ptr<const FlatView> empty);

  // The model's access path (address_space_access.cpp).
  MemTxResult access(Access& access);
  MemTxResult access_within(const FlatRange& range, Access& access);
  uint64_t debug_access(uint64_t address, uint8_t* data, uint64_t length, bool is_write);
  // `n` bytes at `address` where nothing is mapped: the UnmappedPolicy.
  MemTxResult unmapped(uint64_t address, bool is_write, uint8_t* data, uint64_t n, const ByteEnables& enables) const;

  // Publishes a new view (one atomic store for readers on other threads);
  // the old one is reclaimed when no reader holds it.
  void publish(std::shared_ptr<const FlatView> view);
  // Calls f(observer) for each observer, skipping those that left meanwhile
  // (an observer may remove itself or another from inside a callback).
  template <typename F>
  void tell(F&& f) {
    const std::vector<ViewObserver*> snapshot = observers;
    for (ViewObserver* o : snapshot) {
      if (std::find(observers.begin(), observers.end(), o) != observers.end()) f(*o);
    }
  }
  const FlatView* published() const noexcept { return published_.load(std::memory_order_seq_cst); }

  AddressSpace* handle;  // nullptr once destroyed
  RegionNode* root;      // nullptr once the root region is destroyed
  std::string name;
  bool region_relative;
  UnmappedPolicy policy = UnmappedPolicy::error;
  std::shared_ptr<const FlatView> view;
  std::vector<ViewObserver*> observers;
  // Waiting for a render: only inside `dirty_windows` (address ranges of
  // this space), or everywhere.
  bool pending = false;
  bool dirty_everywhere = false;
  std::vector<std::pair<u128, u128>> dirty_windows;
  // AddressSpace::lookup()'s cache of the ranges found last, by 4 KiB page,
  // for the view it was filled from.
  static constexpr unsigned kRecentBits = 8;
  mutable const FlatView* recent_view = nullptr;
  mutable const FlatRange* recent[std::size_t(1) << kRecentBits] = {};
  // The ioeventfds listeners were last told about (addresses of this
  // space, sorted), and the view they were found in.
  std::vector<ListenerRegistry::SpaceIoeventfd> ioeventfds;
  std::shared_ptr<const FlatView> ioeventfd_view;

 private:
  std::atomic<const FlatView*> published_{nullptr};
};

inline SpaceNode& NodeAccess::of(const AddressSpace& s) noexcept { return *s.node_; }
inline const std::shared_ptr<SpaceNode>& NodeAccess::shared(const AddressSpace& s) noexcept { return s.node_; }

}  // namespace tlmmap::detail
