#include "tlmmap/region.hpp"

#include <algorithm>

#include "map_state.hpp"
#include "mirror_check.hpp"
#include "region_access.hpp"
#include "report.hpp"
#include "tlmmap/address_space.hpp"
#include "tlmmap/alias_region.hpp"

namespace tlmmap {

using detail::MapState;
using detail::quoted;
using detail::report_error;

namespace {

// Regions backed by host memory must have bytes; nothing may exceed 2^64.
u128 checked_size(const std::string& name, RegionKind kind, u128 size) {
  if (size > k64BitSpace) {
    report_error(detail::kRegionMsg, "region '" + name + "': size " + hex(size) +
                                         " exceeds the 64-bit address space (at most 2^64)");
    return 0;
  }
  const bool needs_bytes =
      kind == RegionKind::ram || kind == RegionKind::rom || kind == RegionKind::rom_device;
  if (needs_bytes && size == 0) {
    report_error(detail::kRegionMsg, std::string(to_string(kind)) + " region '" + name +
                                         "': size 0 (RAM, ROM and ROM devices need at least one byte)");
  }
  return size;
}

std::string placement(const Region& r) {
  return quoted(r) + " (offset " + hex(r.address()) + " in " + quoted(*r.container()) + ")";
}

}  // namespace

Region::Region(std::string name, RegionKind kind, u128 size)
    : kind_(kind),
      readonly_(kind == RegionKind::rom),
      size_(checked_size(name, kind, size)),
      name_(std::move(name)) {}

Region::~Region() {
  MapState& state = MapState::get();
  // Everything that reaches this region is re-rendered without it.
  state.mark_reaching(*this);
  if (container_ != nullptr) container_->unlink_subregion(*this);
  for (Region* sub : subregions_) sub->container_ = nullptr;
  for (AliasRegion* alias : aliases_) alias->alias_target_ = nullptr;
  for (AddressSpace* space : rooted_spaces_) state.root_destroyed(*space);
  // A destructor must not throw: a render that stops at a limit is not reported here.
  if (state.depth() == 0) state.render_pending();
}

std::vector<Region*> Region::subregions() const {
  return std::vector<Region*>(subregions_.rbegin(), subregions_.rend());
}

std::vector<Region*> Region::subregions_in_add_order() const {
  std::vector<Region*> ordered = subregions_;
  std::stable_sort(ordered.begin(), ordered.end(), [](const Region* a, const Region* b) {
    return a->add_sequence_ < b->add_sequence_;
  });
  return ordered;
}

std::string_view Region::type_name() const noexcept {
  const Region* r = this;
  // Bounded walk: alias cycles are refused, but a type name must never hang.
  for (int hops = 0; r->kind_ == RegionKind::alias && hops < 1'000'000; ++hops) {
    if (r->alias_target() == nullptr) return "i/o";
    r = r->alias_target();
  }
  switch (r->kind_) {
    case RegionKind::rom_device:
      return r->romd_mode_ ? "romd" : "i/o";
    case RegionKind::ram:
    case RegionKind::rom:
      return r->readonly_ ? "rom" : "ram";
    default:
      return "i/o";
  }
}

void Region::add_subregion(uint64_t offset, Region& subregion) {
  add_subregion_common(offset, subregion, 0, false);
}

void Region::add_subregion_overlap(uint64_t offset, Region& subregion, int priority) {
  add_subregion_common(offset, subregion, priority, true);
}

void Region::add_subregion_common(uint64_t offset, Region& sub, int priority, bool overlap) {
  // Built only for a refusal: adding is on the path of every map build.
  const auto what = [&] { return "adding " + quoted(sub) + " to " + quoted(*this) + " at " + hex(offset); };
  if (kind_ == RegionKind::alias) {
    report_error(detail::kRegionMsg, what() + ": an alias cannot hold subregions");
    return;
  }
  if (sub.container_ != nullptr) {
    report_error(detail::kRegionMsg,
                 what() + ": it is already a subregion, " + placement(sub) + "; delete it there first");
    return;
  }
  for (const Region* up = this; up != nullptr; up = up->container_) {
    if (up == &sub) {
      report_error(detail::kRegionMsg, what() + ": " + quoted(sub) +
                                           (up == this ? " cannot hold itself"
                                                       : " would contain itself (it holds " +
                                                             quoted(*this) + ")"));
      return;
    }
  }
  const uint64_t old_address = sub.address_;
  const int old_priority = sub.priority_;
  const bool old_overlap = sub.may_overlap_;
  const uint64_t old_sequence = sub.add_sequence_;
  sub.address_ = offset;
  sub.priority_ = priority;
  sub.may_overlap_ = overlap;
  sub.container_ = this;
  sub.add_sequence_ = MapState::get().next_add_sequence();
  insert_sorted(sub);
  const std::string mirror = detail::find_zero_shift_mirror(sub);
  if (!mirror.empty()) {
    unlink_subregion(sub);
    sub.container_ = nullptr;
    sub.address_ = old_address;
    sub.priority_ = old_priority;
    sub.may_overlap_ = old_overlap;
    sub.add_sequence_ = old_sequence;
    report_error(detail::kRegionMsg, what() + ": " + mirror);
    return;
  }
  MapState& state = MapState::get();
  state.region_moved(sub);  // an address space rooted at it sees its own address shift its view
  state.window_changed(*this, sub.address_, u128(sub.address_) + sub.size_);
}

void Region::insert_sorted(Region& sub) {
  // After every sibling of lower or equal priority: equal priorities keep
  // add order, and the render walks the list backwards.
  auto at = std::upper_bound(subregions_.begin(), subregions_.end(), sub.priority_,
                             [](int p, const Region* r) { return p < r->priority_; });
  subregions_.insert(at, &sub);
}

void Region::unlink_subregion(Region& sub) {
  auto it = std::find(subregions_.begin(), subregions_.end(), &sub);
  if (it != subregions_.end()) subregions_.erase(it);
  sub.container_ = nullptr;
}

void Region::del_subregion(Region& sub) {
  if (sub.container_ != this) {
    report_error(detail::kRegionMsg,
                 "deleting " + quoted(sub) + " from " + quoted(*this) + ": it is not a subregion there" +
                     (sub.container_ != nullptr ? " (it is " + placement(sub) + ")" : ""));
    return;
  }
  unlink_subregion(sub);
  MapState::get().window_changed(*this, sub.address_, u128(sub.address_) + sub.size_);
}

void Region::set_enabled(bool enabled) {
  if (enabled == enabled_) return;
  enabled_ = enabled;
  changed();
}

void Region::set_address(uint64_t address) {
  if (address == address_) return;
  Region* parent = container_;
  if (parent == nullptr) {
    address_ = address;
    MapState::get().region_moved(*this);
    MapState::get().render_if_idle();
    return;
  }
  const std::vector<Region*> old_order = parent->subregions_;
  const uint64_t old_address = address_;
  const uint64_t old_sequence = add_sequence_;
  // QEMU re-adds a moved region: it then wins over equal-priority siblings.
  parent->unlink_subregion(*this);
  container_ = parent;
  address_ = address;
  add_sequence_ = MapState::get().next_add_sequence();
  parent->insert_sorted(*this);
  const std::string mirror = detail::find_zero_shift_mirror(*this);
  if (!mirror.empty()) {
    parent->subregions_ = old_order;
    address_ = old_address;
    add_sequence_ = old_sequence;
    report_error(detail::kRegionMsg, "moving " + quoted(*this) + " to " + hex(address) + ": " + mirror);
    return;
  }
  MapState& state = MapState::get();
  state.region_moved(*this);
  state.note_window(*parent, old_address, u128(old_address) + size_);
  state.window_changed(*parent, address_, u128(address_) + size_);
}

void Region::set_readonly(bool readonly) {
  if (readonly == readonly_) return;
  if (kind_ == RegionKind::rom && !readonly) {
    report_error(detail::kRegionMsg, "ROM " + quoted(*this) +
                                         " is read-only by kind; use a RAM region to make it writable");
    return;
  }
  readonly_ = readonly;
  changed();
}

void Region::set_nonvolatile(bool nonvolatile) {
  if (nonvolatile == nonvolatile_) return;
  nonvolatile_ = nonvolatile;
  changed();
}

void Region::set_romd_mode(bool romd) {
  if (romd == romd_mode_) return;
  romd_mode_ = romd;
  changed();
}

// Everything that shows this region sees the change, wherever it shows it.
void Region::changed() { MapState::get().window_changed(*this, 0, size_); }

}  // namespace tlmmap
