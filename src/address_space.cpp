#include "tlmmap/address_space.hpp"

#include <algorithm>

#include "map_state.hpp"
#include "region_access.hpp"
#include "tlmmap/region.hpp"

namespace tlmmap {

AddressSpace::AddressSpace(Region& root, std::string name)
    : root_(&root), name_(std::move(name)), view_(detail::MapState::get().empty_view()) {
  root.rooted_spaces_.push_back(this);
  detail::MapState::get().space_created(*this);
}

AddressSpace::AddressSpace(Region& root, std::string name, RegionRelative)
    : root_(&root), name_(std::move(name)), view_(detail::MapState::get().empty_view()), region_relative_(true) {
  root.rooted_spaces_.push_back(this);
  detail::MapState::get().space_created(*this);
}

AddressSpace::~AddressSpace() {
  if (root_ != nullptr) {
    auto& list = root_->rooted_spaces_;
    list.erase(std::remove(list.begin(), list.end(), this), list.end());
  }
  detail::MapState::get().space_destroyed(*this);
}

void AddressSpace::add_observer(FlatViewObserver& observer) { observers_.push_back(&observer); }

void AddressSpace::remove_observer(FlatViewObserver& observer) {
  observers_.erase(std::remove(observers_.begin(), observers_.end(), &observer), observers_.end());
}

Section AddressSpace::find(uint64_t address, u128 size) const {
  Section section;
  const auto& ranges = view_->ranges();
  const u128 end = u128(address) + size;
  std::size_t i = view_->first_ending_at_or_after(address);
  // QEMU's range compare: an empty range only meets a range that holds it
  // strictly after its start.
  if (i == ranges.size()) return section;
  const FlatRange& fr = ranges[i];
  if (size == 0 ? !(fr.start < address) : !(u128(fr.start) < end)) return section;
  const u128 lo = std::max(u128(address), u128(fr.start));
  const u128 hi = std::min(end, u128(fr.last) + 1);
  section.region = fr.region;
  section.offset_within_region = fr.offset_in_region + static_cast<uint64_t>(lo - fr.start);
  section.size = hi > lo ? hi - lo : 0;
  section.offset_within_address_space = static_cast<uint64_t>(lo);
  section.readonly = fr.readonly;
  section.nonvolatile = fr.nonvolatile;
  section.view = view_;
  return section;
}

const std::vector<AddressSpace*>& address_spaces() { return detail::MapState::get().listed_spaces(); }

Section find(const Region& region, uint64_t address, u128 size) {
  const Region* top = &region;
  while (top->container() != nullptr) {
    address += top->address();
    top = top->container();
  }
  for (AddressSpace* space : detail::MapState::get().spaces()) {
    if (space->root() == top && !space->is_region_relative()) return space->find(address, size);
  }
  return {};
}

}  // namespace tlmmap
