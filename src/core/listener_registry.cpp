#include "listener_registry.hpp"

#include <algorithm>

#include "map_state.hpp"
#include "space_node.hpp"

namespace tlmmap {

MemoryListener::~MemoryListener() { detail::MapState::get().listeners().forget(*this); }

void memory_listener_register(MemoryListener& listener, const AddressSpace* space) {
  detail::MapState::get().listeners().add(listener, space);
}

void memory_listener_unregister(MemoryListener& listener) { detail::MapState::get().listeners().remove(listener); }

namespace detail {

namespace {

Section section_of(const FlatRange& fr, const std::shared_ptr<const FlatView>& view, const SpaceNode& space) {
  Section s;
  s.offset_within_region = fr.offset_within_region;
  s.size = fr.size();
  s.offset_within_address_space = fr.first;
  s.readonly = fr.readonly;
  s.nonvolatile = fr.nonvolatile;
  s.range = &fr;
  s.view = view;
  s.space = space.handle;
  return s;
}

using Window = ListenerRegistry::Window;

// Grows each window to whole ranges of both views, so that a range is
// either inside a window or identical in both views; merged, ascending.
std::vector<Window> whole_ranges(const FlatView& a, const FlatView& b, std::vector<Window> windows) {
  bool grew = true;
  while (grew) {
    grew = false;
    for (Window& w : windows) {
      for (const FlatView* v : {&a, &b}) {
        if (w.first < k64BitSpace) {
          if (const FlatRange* r = v->lookup(static_cast<uint64_t>(w.first)); r != nullptr && r->first < w.first) {
            w.first = r->first;
            grew = true;
          }
        }
        if (w.second > 0) {
          const FlatRange* r = v->lookup(static_cast<uint64_t>(w.second - 1));
          if (r != nullptr && u128(r->last) + 1 > w.second) {
            w.second = u128(r->last) + 1;
            grew = true;
          }
        }
      }
    }
    std::sort(windows.begin(), windows.end());
    std::vector<Window> merged;
    for (const Window& w : windows) {
      if (!merged.empty() && w.first <= merged.back().second) {
        merged.back().second = std::max(merged.back().second, w.second);
      } else {
        merged.push_back(w);
      }
    }
    windows.swap(merged);
  }
  return windows;
}

// Index of the first range of `v` that starts at or after `address`.
std::size_t first_starting_at_or_after(const FlatView& v, u128 address) {
  if (address >= k64BitSpace) return v.ranges().size();
  std::size_t i = v.first_ending_at_or_after(static_cast<uint64_t>(address));
  if (i < v.ranges().size() && v.ranges()[i].first < address) ++i;
  return i;
}

}  // namespace

bool ListenerRegistry::SpaceIoeventfd::operator<(const SpaceIoeventfd& o) const noexcept {
  if (address != o.address) return address < o.address;
  if (size != o.size) return size < o.size;
  if (match_data != o.match_data) return match_data < o.match_data;
  if (match_data && data != o.data) return data < o.data;
  return notifier < o.notifier;
}

bool ListenerRegistry::hears(const MemoryListener& l, const SpaceNode& space) const noexcept {
  if (!l.registered_ || space.handle == nullptr) return false;
  return l.space_ == nullptr ? !space.region_relative : l.space_ == space.handle;
}

bool ListenerRegistry::listens(const SpaceNode& space) const noexcept {
  return std::any_of(listeners_.begin(), listeners_.end(), [&](const Entry& e) { return hears(*e.listener, space); });
}

void ListenerRegistry::forget_space(const AddressSpace* space) noexcept {
  for (const Entry& e : listeners_) {
    if (e.listener->space_ == space) e.listener->registered_ = false;
  }
  listeners_.erase(std::remove_if(listeners_.begin(), listeners_.end(),
                                  [&](const Entry& e) { return e.listener->space_ == space; }),
                   listeners_.end());
}

void ListenerRegistry::add(MemoryListener& listener, const AddressSpace* space) {
  if (listener.registered_) remove(listener);
  listener.registered_ = true;
  listener.space_ = space;
  listener.sequence_ = ++sequence_;
  const Entry entry{&listener, listener.sequence_};
  auto at = std::upper_bound(listeners_.begin(), listeners_.end(), entry, [](const Entry& a, const Entry& b) {
    return a.listener->priority != b.listener->priority ? a.listener->priority < b.listener->priority
                                                        : a.sequence < b.sequence;
  });
  listeners_.insert(at, entry);
  replay(listener, true);
}

void ListenerRegistry::remove(MemoryListener& listener) {
  if (!listener.registered_) return;
  replay(listener, false);
  forget(listener);
}

void ListenerRegistry::forget(MemoryListener& listener) noexcept {
  listener.registered_ = false;
  listeners_.erase(std::remove_if(listeners_.begin(), listeners_.end(),
                                  [&](const Entry& e) { return e.listener == &listener; }),
                   listeners_.end());
}

// QEMU's listener_add_address_space() / listener_del_address_space(), for
// every space the listener hears.
void ListenerRegistry::replay(MemoryListener& l, bool adding) {
  if (l.begin) l.begin();
  if (adding && MapState::get().global_dirty_tracking() && l.log_global_start) l.log_global_start();
  for (SpaceNode* space : MapState::get().spaces()) {
    if (!hears(l, *space)) continue;
    const std::shared_ptr<const FlatView> view = space->view;
    for (const FlatRange& fr : view->ranges()) {
      const Section s = section_of(fr, view, *space);
      if (adding) {
        if (l.region_add) l.region_add(s);
        if (fr.dirty_log_mask != 0 && l.log_start) l.log_start(s, 0, fr.dirty_log_mask);
      } else {
        if (fr.dirty_log_mask != 0 && l.log_stop) l.log_stop(s, fr.dirty_log_mask, 0);
        if (l.region_del) l.region_del(s);
      }
    }
  }
  if (l.commit) l.commit();
}

void ListenerRegistry::topology(const SpaceNode& space, const std::shared_ptr<const FlatView>& before,
                                const std::shared_ptr<const FlatView>& after, const std::vector<Window>* windows) {
  if (!listens(space)) return;
  const std::vector<Window> whole =
      whole_ranges(*before, *after, windows != nullptr ? *windows : std::vector<Window>{{0, k64BitSpace}});
  const auto& old_ranges = before->ranges();
  const auto& new_ranges = after->ranges();
  auto coalesced_del = [&](const FlatRange& fr) {
    if (!NodeAccess::of(fr)->coalesced.empty()) take_coalesced(space, section_of(fr, before, space), fr);
  };
  auto coalesced_add = [&](const FlatRange& fr) {
    const RegionNode& node = *NodeAccess::of(fr);
    if (!node.coalesced.empty()) give_coalesced(space, section_of(fr, after, space), fr, node);
  };
  // QEMU's address_space_update_topology_pass() over old[ob, oe) and new[nb, ne).
  auto pass = [&](std::size_t ob, std::size_t oe, std::size_t nb, std::size_t ne, bool adding) {
    std::size_t i = ob;
    std::size_t j = nb;
    while (i < oe || j < ne) {
      const FlatRange* o = i < oe ? &old_ranges[i] : nullptr;
      const FlatRange* n = j < ne ? &new_ranges[j] : nullptr;
      if (o != nullptr && (n == nullptr || o->first < n->first || (o->first == n->first && !o->maps_like(*n)))) {
        // In the old view only, or changed.
        if (!adding) {
          coalesced_del(*o);
          const Section s = section_of(*o, before, space);
          reverse([&](MemoryListener& l) {
            if (hears(l, space) && l.region_del) l.region_del(s);
          });
        }
        ++i;
      } else if (o != nullptr && n != nullptr && o->maps_like(*n)) {
        // In both (dirty logging may have changed).
        if (adding) {
          const Section s = section_of(*n, after, space);
          forward([&](MemoryListener& l) {
            if (hears(l, space) && l.region_nop) l.region_nop(s);
          });
          if ((n->dirty_log_mask & ~o->dirty_log_mask) != 0) {
            forward([&](MemoryListener& l) {
              if (hears(l, space) && l.log_start) l.log_start(s, o->dirty_log_mask, n->dirty_log_mask);
            });
          }
          if ((o->dirty_log_mask & ~n->dirty_log_mask) != 0) {
            reverse([&](MemoryListener& l) {
              if (hears(l, space) && l.log_stop) l.log_stop(s, o->dirty_log_mask, n->dirty_log_mask);
            });
          }
        }
        ++i;
        ++j;
      } else {
        // In the new view only.
        if (adding) {
          const Section s = section_of(*n, after, space);
          forward([&](MemoryListener& l) {
            if (hears(l, space) && l.region_add) l.region_add(s);
          });
          coalesced_add(*n);
        }
        ++j;
      }
    }
  };
  for (bool adding : {false, true}) {
    std::size_t in = 0;
    for (const Window& w : whole) {
      const std::size_t ob = first_starting_at_or_after(*before, w.first);
      const std::size_t oe = first_starting_at_or_after(*before, w.second);
      const std::size_t nb = first_starting_at_or_after(*after, w.first);
      const std::size_t ne = first_starting_at_or_after(*after, w.second);
      // Outside every window both views hold the same ranges: nops only.
      if (adding) nops(space, after, in, nb);
      pass(ob, oe, nb, ne, adding);
      in = ne;
    }
    if (adding) nops(space, after, in, new_ranges.size());
  }
}

void ListenerRegistry::unchanged(const SpaceNode& space, const std::shared_ptr<const FlatView>& view) {
  nops(space, view, 0, view->ranges().size());
}

void ListenerRegistry::nops(const SpaceNode& space, const std::shared_ptr<const FlatView>& view, std::size_t begin,
                            std::size_t end) {
  if (begin >= end) return;
  std::vector<Entry> hearing;
  for (const Entry& e : listeners_) {
    if (hears(*e.listener, space) && e.listener->region_nop) hearing.push_back(e);
  }
  if (hearing.empty()) return;
  const auto& ranges = view->ranges();
  Section s = section_of(ranges[begin], view, space);
  for (std::size_t k = begin; k < end; ++k) {
    const FlatRange& fr = ranges[k];
    s.offset_within_region = fr.offset_within_region;
    s.size = fr.size();
    s.offset_within_address_space = fr.first;
    s.readonly = fr.readonly;
    s.nonvolatile = fr.nonvolatile;
    s.range = &fr;
    for (const Entry& e : hearing) {
      // A callback may unregister (or destroy) any listener.
      if (still_there(e) && hears(*e.listener, space) && e.listener->region_nop) e.listener->region_nop(s);
    }
  }
}

void ListenerRegistry::ioeventfds(const SpaceNode& space, const std::shared_ptr<const FlatView>& before_view,
                                  const std::vector<SpaceIoeventfd>& before,
                                  const std::shared_ptr<const FlatView>& after_view,
                                  const std::vector<SpaceIoeventfd>& after) {
  auto section = [&](const SpaceIoeventfd& fd, const std::shared_ptr<const FlatView>& view) {
    Section s = section_of(*fd.range, view, space);
    s.offset_within_region = fd.range->region_offset(fd.address);
    s.offset_within_address_space = fd.address;
    s.size = fd.size;
    return s;
  };
  std::size_t i = 0;
  std::size_t j = 0;
  // QEMU's address_space_add_del_ioeventfds(), its listener order included
  // (deletions Forward, additions Reverse).
  while (i < before.size() || j < after.size()) {
    if (i < before.size() && (j == after.size() || before[i] < after[j])) {
      const SpaceIoeventfd& fd = before[i++];
      const Section s = section(fd, before_view);
      forward([&](MemoryListener& l) {
        if (hears(l, space) && l.eventfd_del) l.eventfd_del(s, fd.match_data, fd.data, *fd.notifier);
      });
    } else if (j < after.size() && (i == before.size() || after[j] < before[i])) {
      const SpaceIoeventfd& fd = after[j++];
      const Section s = section(fd, after_view);
      reverse([&](MemoryListener& l) {
        if (hears(l, space) && l.eventfd_add) l.eventfd_add(s, fd.match_data, fd.data, *fd.notifier);
      });
    } else {
      ++i;
      ++j;
    }
  }
}

void ListenerRegistry::coalesced_changed(const SpaceNode& space, const std::shared_ptr<const FlatView>& view,
                                         const RegionNode& node) {
  if (!listens(space)) return;
  for (const FlatRange& fr : view->ranges()) {
    if (NodeAccess::of(fr) != &node) continue;
    const Section s = section_of(fr, view, space);
    take_coalesced(space, s, fr);
    give_coalesced(space, s, fr, node);
  }
}

void ListenerRegistry::take_coalesced(const SpaceNode& space, const Section& s, const FlatRange& fr) {
  reverse([&](MemoryListener& l) {
    if (hears(l, space) && l.coalesced_io_del) l.coalesced_io_del(s, fr.first, static_cast<uint64_t>(fr.size()));
  });
}

void ListenerRegistry::give_coalesced(const SpaceNode& space, const Section& s, const FlatRange& fr,
                                      const RegionNode& node) {
  for (const RegionNode::Span& span : node.coalesced) {
    // The coalesced span, shifted into the address space, clipped to the range.
    const i128 start = i128(fr.first) - i128(fr.offset_within_region) + i128(span.offset);
    const i128 lo = std::max<i128>(start, i128(fr.first));
    const i128 hi = std::min<i128>(start + i128(span.size), i128(fr.last) + 1);
    if (lo >= hi) continue;
    forward([&](MemoryListener& l) {
      if (hears(l, space) && l.coalesced_io_add) {
        l.coalesced_io_add(s, static_cast<uint64_t>(lo), static_cast<uint64_t>(hi - lo));
      }
    });
  }
}

void ListenerRegistry::sync(const RegionNode* node) {
  // QEMU's memory_region_sync_dirty_bitmap(): listener by listener.
  forward([&](MemoryListener& l) {
    if (!l.log_sync) return;
    for (SpaceNode* space : MapState::get().spaces()) {
      if (!hears(l, *space)) continue;
      const std::shared_ptr<const FlatView> view = space->view;
      for (const FlatRange& fr : view->ranges()) {
        if (fr.dirty_log_mask == 0 || (node != nullptr && NodeAccess::of(fr) != node)) continue;
        if (l.registered_) l.log_sync(section_of(fr, view, *space));
      }
    }
  });
}

}  // namespace detail
}  // namespace tlmmap
