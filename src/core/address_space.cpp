#include "tlmmap/core/address_space.hpp"

#include <algorithm>

#include "map_state.hpp"
#include "rcu.hpp"
#include "space_node.hpp"

namespace tlmmap {

using detail::MapState;
using detail::NodeAccess;
using detail::SpaceNode;

namespace detail {

SpaceNode::SpaceNode(AddressSpace& h, RegionNode* r, std::string n, bool relative,
                     std::shared_ptr<const FlatView> empty)
    : handle(&h), root(r), name(std::move(n)), region_relative(relative), view(std::move(empty)) {
  published_.store(view.get(), std::memory_order_seq_cst);
}

void SpaceNode::publish(std::shared_ptr<const FlatView> next) {
  std::shared_ptr<const FlatView> old = std::move(view);
  view = std::move(next);
  published_.store(view.get(), std::memory_order_seq_cst);
  recent_view = nullptr;  // the old view may be freed and its address reused
  Rcu::get().retire(std::move(old));
}

}  // namespace detail

AddressSpace::AddressSpace(Region& root, std::string name) {
  detail::RegionNode& r = NodeAccess::of(root);
  node_ = std::make_shared<SpaceNode>(*this, &r, std::move(name), false, MapState::get().empty_view());
  r.rooted_spaces.push_back(node_.get());
  MapState::get().space_created(*node_);
}

AddressSpace::AddressSpace(Region& root, std::string name, RegionRelative) {
  detail::RegionNode& r = NodeAccess::of(root);
  node_ = std::make_shared<SpaceNode>(*this, &r, std::move(name), true, MapState::get().empty_view());
  r.rooted_spaces.push_back(node_.get());
  MapState::get().space_created(*node_);
}

AddressSpace::~AddressSpace() { MapState::get().space_destroyed(*node_); }

const std::string& AddressSpace::name() const noexcept { return node_->name; }
bool AddressSpace::is_region_relative() const noexcept { return node_->region_relative; }
Region* AddressSpace::root() const noexcept { return detail::handle_of(node_->root); }
std::shared_ptr<const FlatView> AddressSpace::flat_view() const noexcept { return node_->view; }
const FlatView& AddressSpace::view() const noexcept { return *node_->view; }
void AddressSpace::set_unmapped_policy(UnmappedPolicy policy) noexcept { node_->policy = policy; }
UnmappedPolicy AddressSpace::unmapped_policy() const noexcept { return node_->policy; }

void AddressSpace::add_observer(ViewObserver& observer) {
  node_->observers.push_back(&observer);
  observer.observed_.push_back(node_);
}

void AddressSpace::remove_observer(ViewObserver& observer) {
  auto& list = node_->observers;
  list.erase(std::remove(list.begin(), list.end(), &observer), list.end());
  auto& observed = observer.observed_;
  observed.erase(std::remove_if(observed.begin(), observed.end(),
                                [&](const std::weak_ptr<SpaceNode>& w) { return w.lock() == node_; }),
                 observed.end());
}

ViewObserver::~ViewObserver() {
  for (const std::weak_ptr<SpaceNode>& w : observed_) {
    if (const std::shared_ptr<SpaceNode> space = w.lock()) {
      auto& list = space->observers;
      list.erase(std::remove(list.begin(), list.end(), this), list.end());
    }
  }
}

const FlatRange* AddressSpace::lookup(uint64_t address) const noexcept {
  SpaceNode& s = *node_;
  const FlatView& v = *s.view;
  if (s.recent_view != &v) {
    std::fill(std::begin(s.recent), std::end(s.recent), nullptr);
    s.recent_view = &v;
  }
  const std::size_t slot =
      static_cast<std::size_t>(((address >> 12) * 0x9E3779B97F4A7C15ULL) >> (64 - SpaceNode::kRecentBits));
  const FlatRange*& hit = s.recent[slot];
  if (hit != nullptr && hit->first <= address && address <= hit->last) return hit;
  hit = v.lookup(address);
  return hit;
}

Section AddressSpace::find(uint64_t address, u128 size) const {
  Section section;
  const std::shared_ptr<const FlatView>& view = node_->view;
  const auto& ranges = view->ranges();
  const u128 end = u128(address) + size;
  std::size_t i = view->first_ending_at_or_after(address);
  // QEMU's range compare: an empty range only meets a range that holds it
  // strictly after its start.
  if (i == ranges.size()) return section;
  const FlatRange& fr = ranges[i];
  if (size == 0 ? !(fr.first < address) : !(u128(fr.first) < end)) return section;
  const u128 lo = std::max(u128(address), u128(fr.first));
  const u128 hi = std::min(end, u128(fr.last) + 1);
  section.range = &fr;
  section.offset_within_region = fr.offset_within_region + static_cast<uint64_t>(lo - fr.first);
  section.size = hi > lo ? hi - lo : 0;
  section.offset_within_address_space = static_cast<uint64_t>(lo);
  section.readonly = fr.readonly;
  section.nonvolatile = fr.nonvolatile;
  section.view = view;
  section.space = this;
  return section;
}

std::vector<AddressSpace*> address_spaces() {
  std::vector<AddressSpace*> out;
  for (SpaceNode* space : MapState::get().spaces()) {
    if (!space->region_relative && space->handle != nullptr) out.push_back(space->handle);
  }
  return out;
}

Section find(const Region& region, uint64_t address, u128 size) {
  const detail::RegionNode* top = &NodeAccess::of(region);
  while (top->container != nullptr) {
    address += top->address;
    top = top->container;
  }
  for (SpaceNode* space : MapState::get().spaces()) {
    if (space->root == top && !space->region_relative && space->handle != nullptr) {
      return space->handle->find(address, size);
    }
  }
  return {};
}

}  // namespace tlmmap
