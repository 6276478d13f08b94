#include "tlmmap/core/region.hpp"

#include <algorithm>

#include "map_state.hpp"
#include "mirror_check.hpp"
#include "region_node.hpp"
#include "report.hpp"

namespace tlmmap {

using detail::MapState;
using detail::quoted;
using detail::RegionNode;
using detail::report_error;

namespace {

std::string placement(const RegionNode& r) {
  return quoted(r.name) + " (offset " + hex(r.address) + " in " + quoted(r.container->name) + ")";
}

std::vector<Region*> handles(const std::vector<RegionNode*>& nodes) {
  std::vector<Region*> out;
  out.reserve(nodes.size());
  for (const RegionNode* n : nodes) out.push_back(detail::handle_of(n));
  return out;
}

void insert_sorted(RegionNode& parent, RegionNode& sub) {
  // After every sibling of lower or equal priority: equal priorities keep
  // add order, and the render walks the list backwards.
  auto& list = parent.subregions;
  auto at = std::upper_bound(list.begin(), list.end(), sub.priority,
                             [](int p, const RegionNode* r) { return p < r->priority; });
  list.insert(at, &sub);
}

void unlink_subregion(RegionNode& parent, RegionNode& sub) {
  auto& list = parent.subregions;
  auto it = std::find(list.begin(), list.end(), &sub);
  if (it != list.end()) list.erase(it);
  sub.container = nullptr;
}

}  // namespace

Region::Region(std::unique_ptr<RegionNode> node) : node_(node.release()) { node_->handle.store(this); }

Region::~Region() { unmap(); }

void Region::unmap() {
  if (node_ == nullptr) return;
  RegionNode* node = node_;
  node_ = nullptr;
  MapState::get().region_destroyed(std::unique_ptr<RegionNode>(node));
}

const std::string& Region::name() const noexcept { return node_->name; }
RegionKind Region::kind() const noexcept { return node_->kind; }
u128 Region::size() const noexcept { return node_->size; }
uint64_t Region::address() const noexcept { return node_->address; }
int Region::priority() const noexcept { return node_->priority; }
bool Region::may_overlap() const noexcept { return node_->may_overlap; }
Region* Region::container() const noexcept { return detail::handle_of(node_->container); }
bool Region::enabled() const noexcept { return node_->enabled; }
bool Region::readonly() const noexcept { return node_->readonly; }
bool Region::nonvolatile() const noexcept { return node_->nonvolatile; }
bool Region::terminates() const noexcept { return node_->terminates; }
bool Region::romd_mode() const noexcept { return node_->romd_mode; }
std::size_t Region::subregion_count() const noexcept { return node_->subregions.size(); }
uint64_t Region::add_sequence() const noexcept { return node_->add_sequence; }
Region* Region::alias_target() const noexcept { return detail::handle_of(node_->alias_target); }
uint64_t Region::alias_offset() const noexcept { return node_->alias_offset; }
Duration Region::read_latency() const noexcept { return node_->latency(false); }
Duration Region::write_latency() const noexcept { return node_->latency(true); }

std::vector<Region*> Region::subregions() const {
  std::vector<RegionNode*> ordered(node_->subregions.rbegin(), node_->subregions.rend());
  return handles(ordered);
}

std::vector<Region*> Region::subregions_in_add_order() const {
  std::vector<RegionNode*> ordered = node_->subregions;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const RegionNode* a, const RegionNode* b) { return a->add_sequence < b->add_sequence; });
  return handles(ordered);
}

std::vector<Region*> Region::aliases() const { return handles(node_->aliases); }

std::string_view Region::type_name() const noexcept {
  const RegionNode* r = node_;
  // Bounded walk: alias cycles are refused, but a type name must never hang.
  for (int hops = 0; r->is_alias && hops < 1'000'000; ++hops) {
    if (r->alias_target == nullptr) return "i/o";
    r = r->alias_target;
  }
  return r->own_type_name();
}

void Region::add_subregion(uint64_t offset, Region& subregion) { add_subregion_placed(offset, subregion, 0, false); }

void Region::add_subregion_overlap(uint64_t offset, Region& subregion, int priority) {
  add_subregion_placed(offset, subregion, priority, true);
}

void Region::add_subregion_placed(uint64_t offset, Region& subregion, int priority, bool may_overlap) {
  RegionNode& self = *node_;
  RegionNode& sub = *subregion.node_;
  // Built only for a refusal: adding is on the path of every map build.
  const auto what = [&] {
    return "adding " + quoted(sub.name) + " to " + quoted(self.name) + " at " + hex(offset);
  };
  if (self.is_alias) {
    report_error(kRegionMsg, what() + ": an alias cannot hold subregions");
    return;
  }
  if (sub.container != nullptr) {
    report_error(kRegionMsg, what() + ": it is already a subregion, " + placement(sub) + "; delete it there first");
    return;
  }
  for (const RegionNode* up = &self; up != nullptr; up = up->container) {
    if (up == &sub) {
      report_error(kRegionMsg, what() + ": " + quoted(sub.name) +
                                   (up == &self ? " cannot hold itself"
                                                : " would contain itself (it holds " + quoted(self.name) + ")"));
      return;
    }
  }
  const uint64_t old_address = sub.address;
  const int old_priority = sub.priority;
  const bool old_overlap = sub.may_overlap;
  const uint64_t old_sequence = sub.add_sequence;
  sub.address = offset;
  sub.priority = priority;
  sub.may_overlap = may_overlap;
  sub.container = &self;
  sub.add_sequence = MapState::get().next_add_sequence();
  insert_sorted(self, sub);
  const std::string mirror = detail::find_zero_shift_mirror(sub);
  if (!mirror.empty()) {
    unlink_subregion(self, sub);
    sub.address = old_address;
    sub.priority = old_priority;
    sub.may_overlap = old_overlap;
    sub.add_sequence = old_sequence;
    report_error(kRegionMsg, what() + ": " + mirror);
    return;
  }
  MapState& state = MapState::get();
  state.region_moved(sub);  // an address space rooted at it sees its own address shift its view
  state.window_changed(self, sub.address, u128(sub.address) + sub.size);
}

void Region::del_subregion(Region& subregion) {
  RegionNode& sub = *subregion.node_;
  if (sub.container != node_) {
    report_error(kRegionMsg, "deleting " + quoted(sub.name) + " from " + quoted(node_->name) +
                                 ": it is not a subregion there" +
                                 (sub.container != nullptr ? " (it is " + placement(sub) + ")" : ""));
    return;
  }
  unlink_subregion(*node_, sub);
  MapState::get().window_changed(*node_, sub.address, u128(sub.address) + sub.size);
}

void Region::set_enabled(bool enabled) {
  if (enabled == node_->enabled) return;
  node_->enabled = enabled;
  changed();
}

void Region::set_address(uint64_t address) {
  RegionNode& self = *node_;
  if (address == self.address) return;
  RegionNode* parent = self.container;
  if (parent == nullptr) {
    self.address = address;
    MapState::get().region_moved(self);
    MapState::get().render_if_idle();
    return;
  }
  const std::vector<RegionNode*> old_order = parent->subregions;
  const uint64_t old_address = self.address;
  const uint64_t old_sequence = self.add_sequence;
  // QEMU re-adds a moved region: it then wins over equal-priority siblings.
  unlink_subregion(*parent, self);
  self.container = parent;
  self.address = address;
  self.add_sequence = MapState::get().next_add_sequence();
  insert_sorted(*parent, self);
  const std::string mirror = detail::find_zero_shift_mirror(self);
  if (!mirror.empty()) {
    parent->subregions = old_order;
    self.address = old_address;
    self.add_sequence = old_sequence;
    report_error(kRegionMsg, "moving " + quoted(self.name) + " to " + hex(address) + ": " + mirror);
    return;
  }
  MapState& state = MapState::get();
  state.region_moved(self);
  state.note_window(*parent, old_address, u128(old_address) + self.size);
  state.window_changed(*parent, self.address, u128(self.address) + self.size);
}

void Region::set_readonly(bool readonly) {
  if (readonly == node_->readonly) return;
  if (node_->kind == RegionKind::rom && !readonly) {
    report_error(kRegionMsg,
                 "ROM " + quoted(node_->name) + " is read-only by kind; use a RAM region to make it writable");
    return;
  }
  node_->readonly = readonly;
  changed();
}

void Region::set_nonvolatile(bool nonvolatile) {
  if (nonvolatile == node_->nonvolatile) return;
  node_->nonvolatile = nonvolatile;
  changed();
}

void Region::set_size(u128 size) {
  RegionNode& self = *node_;
  if (size == self.size) return;
  if (size > k64BitSpace) {
    report_error(kRegionMsg, "region " + quoted(self.name) + ": size " + hex(size) + " exceeds 2^64");
    return;
  }
  if (self.has_host_memory()) {
    const u128 room = self.memory_capacity();
    if (size == 0 || size > room) {
      report_error(kRegionMsg, "region " + quoted(self.name) + ": size " + hex(size) +
                                   " (its host memory holds " + hex(room) + " bytes)");
      return;
    }
  }
  // Everything that reaches it renders again, over the old and the new extent.
  MapState& state = MapState::get();
  state.mark_reaching(self);
  self.size = size;
  state.render_if_idle();
}

void Region::set_latency(Duration read, Duration write) {
  if (read.count() < 0 || write.count() < 0) {
    report_error(kRegionMsg, "region " + quoted(node_->name) + ": negative latency (read " +
                                 std::to_string(read.count()) + " ps, write " + std::to_string(write.count()) +
                                 " ps)");
    return;
  }
  if (read == node_->latency(false) && write == node_->latency(true)) return;
  node_->read_latency_ps.store(read.count(), std::memory_order_relaxed);
  node_->write_latency_ps.store(write.count(), std::memory_order_relaxed);
  ++node_->version;
  changed();
}

void Region::invalidate_direct_access(uint64_t first, uint64_t last) {
  MapState::get().direct_access_invalidated(*node_, first, last);
}

namespace {

// The bitmaps of a region backed by host memory, or a refusal naming it.
DirtyBitmaps* bitmaps_of(RegionNode& node, const char* what) {
  DirtyBitmaps* bitmaps = node.dirty_bitmaps(true);
  if (bitmaps == nullptr) {
    report_error(kRegionMsg, std::string(what) + " on region " + quoted(node.name) + " (" +
                                 std::string(to_string(node.kind)) + "): only RAM, ROM and ROM devices log dirty memory");
  }
  return bitmaps;
}

bool within(const RegionNode& node, uint64_t offset, u128 size, const char* what) {
  if (u128(offset) + size <= node.size) return true;
  report_error(kRegionMsg, std::string(what) + " on region " + quoted(node.name) + ": " + hex(offset) + "+" +
                               hex(size) + " lies beyond its size " + hex(node.size));
  return false;
}

}  // namespace

void Region::set_log(bool log, DirtyClient client) {
  RegionNode& self = *node_;
  if (bitmaps_of(self, "set_log") == nullptr) return;
  uint16_t& count = self.log_counts[static_cast<unsigned>(client)];
  if (!log && count == 0) {
    report_error(kRegionMsg, "set_log(false) on region " + quoted(self.name) + " for a client that does not log it");
    return;
  }
  const bool was = count > 0;
  count = static_cast<uint16_t>(log ? count + 1 : count - 1);
  if (was != (count > 0)) changed();
}

uint8_t Region::dirty_log_mask() const noexcept {
  return node_->dirty_log_mask(MapState::get().global_dirty_tracking());
}

bool Region::get_dirty(uint64_t offset, u128 size, DirtyClient client) const {
  DirtyBitmaps* b = bitmaps_of(*node_, "get_dirty");
  if (b == nullptr || !within(*node_, offset, size, "get_dirty") || size == 0) return false;
  return b->get(offset, static_cast<uint64_t>(size - 1) + 1, client);
}

void Region::set_dirty(uint64_t offset, u128 size) {
  DirtyBitmaps* b = bitmaps_of(*node_, "set_dirty");
  if (b == nullptr || !within(*node_, offset, size, "set_dirty") || size == 0) return;
  b->mark(offset, static_cast<uint64_t>(size - 1) + 1, dirty_log_mask());
}

bool Region::test_and_clear_dirty(uint64_t offset, u128 size, DirtyClient client) {
  DirtyBitmaps* b = bitmaps_of(*node_, "test_and_clear_dirty");
  if (b == nullptr || !within(*node_, offset, size, "test_and_clear_dirty") || size == 0) return false;
  return b->test_and_clear(offset, static_cast<uint64_t>(size - 1) + 1, client);
}

void Region::reset_dirty(uint64_t offset, u128 size, DirtyClient client) {
  DirtyBitmaps* b = bitmaps_of(*node_, "reset_dirty");
  if (b == nullptr || !within(*node_, offset, size, "reset_dirty") || size == 0) return;
  b->reset(offset, static_cast<uint64_t>(size - 1) + 1, client);
}

void Region::sync_dirty_bitmap() { MapState::get().sync_dirty(node_); }

const DirtyBitmaps* Region::dirty_bitmaps() const noexcept { return node_->dirty_bitmaps(false); }

uint8_t* Region::host_memory() { return node_->host_memory(); }

// Everything that shows this region sees the change, wherever it shows it.
void Region::changed() { MapState::get().window_changed(*node_, 0, node_->size); }

}  // namespace tlmmap
