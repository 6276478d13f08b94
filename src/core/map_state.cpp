#include "map_state.hpp"

#include <algorithm>
#include <utility>

#include "coalesced_ring.hpp"
#include "rcu.hpp"
#include "renderer.hpp"
#include "report.hpp"
#include "tlmmap/core/transaction.hpp"

namespace tlmmap::detail {

MapState& MapState::get() {
  // Never destroyed: regions and address spaces with static storage may
  // outlive any other static object.
  static MapState* state = new MapState();
  return *state;
}

MapState::MapState() : epoch_(std::make_shared<Epoch>()) {
  empty_view_ = std::make_shared<const FlatView>();
}

void MapState::begin() {
  CoalescedRing::get().flush();
  ++depth_;
}

void MapState::commit() {
  if (depth_ == 0) {
    report_error(kRegionMsg, "transaction_commit() without a matching transaction_begin()");
    return;
  }
  --depth_;
  render_if_idle();
}

std::string MapState::commit_quietly() {
  if (depth_ > 0) --depth_;
  return depth_ == 0 && (pending_ || ioeventfds_pending_) ? render_pending() : std::string();
}

void MapState::render_if_idle() {
  if (depth_ != 0 || !(pending_ || ioeventfds_pending_)) return;
  const std::string overflow = render_pending();
  if (!overflow.empty()) report_error(kRenderMsg, overflow + "; the flat view stops there");
}

std::shared_ptr<const FlatView> MapState::make_view(const RegionNode* root, std::vector<FlatRange> ranges) {
  // A view made after a region died must not keep it: start a new epoch.
  if (epoch_->keeps_orphans()) {
    auto next = std::make_shared<Epoch>();
    epoch_->set_next(next);
    epoch_ = std::move(next);
  }
  return std::make_shared<const FlatView>(ViewKey{}, root, std::move(ranges), epoch_);
}

void MapState::mark_reaching(const RegionNode& start) {
  // Walk up container links and alias back-references: every address space
  // rooted at a region reached this way may see the change.
  const uint64_t stamp = next_walk_stamp();
  std::vector<const RegionNode*> todo{&start};
  start.walk_stamp = stamp;
  while (!todo.empty()) {
    const RegionNode* r = todo.back();
    todo.pop_back();
    for (SpaceNode* space : r->rooted_spaces) mark_space_everywhere(*space);
    auto visit = [&](const RegionNode* up) {
      if (up != nullptr && up->walk_stamp != stamp) {
        up->walk_stamp = stamp;
        todo.push_back(up);
      }
    };
    visit(r->container);
    for (const RegionNode* alias : r->aliases) visit(alias);
  }
}

void MapState::mark_space_everywhere(SpaceNode& space) {
  space.pending = true;
  space.dirty_everywhere = true;
  space.dirty_windows.clear();
  pending_ = true;
}

void MapState::mark_space(SpaceNode& space, u128 lo, u128 hi) {
  if (space.dirty_everywhere) return;
  // Beyond a few dozen windows a full render costs about the same.
  constexpr std::size_t kMaxWindows = 64;
  if (space.dirty_windows.size() >= kMaxWindows) return mark_space_everywhere(space);
  space.pending = true;
  space.dirty_windows.emplace_back(lo, hi);
  pending_ = true;
}

namespace {

// Walks up from [lo, hi) of `start`'s content: a container shows its content
// shifted by its own address and clipped to its parent; an alias shows a
// shifted part of its target. Calls at_space(space, lo, hi) with the
// window in each address space rooted on the way; false if it gave up
// (mirrors and huge fan-in) after `max_steps`.
template <typename AtSpace>
bool walk_up(const RegionNode& start, u128 lo, u128 hi, std::size_t max_steps, AtSpace&& at_space) {
  struct Reach {
    const RegionNode* node;
    u128 lo;  // in the node's content coordinates
    u128 hi;
  };
  std::vector<Reach> todo;
  const u128 end = std::min(hi, start.size);
  if (lo < end) todo.push_back({&start, lo, end});
  std::size_t steps = 0;
  while (!todo.empty()) {
    const Reach at = todo.back();
    todo.pop_back();
    if (++steps > max_steps) return false;
    const RegionNode& r = *at.node;
    for (SpaceNode* space : r.rooted_spaces) {
      // An address space renders its root at the root's own address (a
      // region-relative view at 0).
      const u128 shift = space->region_relative ? 0 : r.address;
      at_space(*space, std::min(at.lo + shift, k64BitSpace), std::min(at.hi + shift, k64BitSpace));
    }
    if (const RegionNode* up = r.container) {
      const u128 new_lo = at.lo + r.address;
      const u128 new_hi = std::min(at.hi + r.address, up->size);
      if (new_lo < new_hi) todo.push_back({up, new_lo, new_hi});
    }
    for (const RegionNode* alias : r.aliases) {
      // The alias shows [offset, offset + size) of this region at its 0.
      const u128 offset = alias->alias_offset;
      const u128 new_lo = at.lo > offset ? at.lo - offset : 0;
      const u128 new_hi = std::min(at.hi > offset ? at.hi - offset : 0, alias->size);
      if (new_lo < new_hi) todo.push_back({alias, new_lo, new_hi});
    }
  }
  return true;
}

}  // namespace

void MapState::note_window(const RegionNode& node, u128 lo, u128 hi) {
  // Even a change with no addresses can change which region an address
  // space renders from (QEMU's flatview root): render_pending() checks.
  pending_ = true;
  constexpr std::size_t kMaxSteps = 4096;  // beyond: render everything that reaches it
  if (!walk_up(node, lo, hi, kMaxSteps, [&](SpaceNode& space, u128 l, u128 h) { mark_space(space, l, h); })) {
    mark_reaching(node);
  }
}

void MapState::direct_access_invalidated(const RegionNode& node, uint64_t first, uint64_t last) {
  // Where the node shows in each view, the matching part of [first, last].
  for (SpaceNode* space : spaces_) {
    if (space->handle == nullptr) continue;
    std::vector<AddressRange> where;
    for (const FlatRange& fr : space->view->ranges()) {
      if (NodeAccess::of(fr) != &node) continue;
      const u128 lo = std::max<u128>(first, fr.offset_within_region);
      const u128 hi = std::min<u128>(u128(last) + 1, u128(fr.offset_within_region) + fr.size());
      if (lo >= hi) continue;
      const uint64_t start = fr.first + static_cast<uint64_t>(lo - fr.offset_within_region);
      where.push_back({start, static_cast<uint64_t>(start + (hi - lo - 1))});
    }
    for (const AddressRange& r : where) {
      space->tell([&](ViewObserver& o) { o.direct_access_invalidated(*space->handle, r.first, r.last); });
    }
  }
}

void MapState::region_moved(const RegionNode& node) {
  for (SpaceNode* space : spaces_) {
    if (space->root == &node || NodeAccess::root_of(*space->view) == &node) mark_space_everywhere(*space);
  }
}

void MapState::space_created(SpaceNode& space) {
  spaces_.push_back(&space);
  mark_space_everywhere(space);
  render_if_idle();
}

void MapState::space_destroyed(SpaceNode& space) {
  if (space.root != nullptr) {
    auto& list = space.root->rooted_spaces;
    list.erase(std::remove(list.begin(), list.end(), &space), list.end());
    space.root = nullptr;
  }
  spaces_.erase(std::remove(spaces_.begin(), spaces_.end(), &space), spaces_.end());
  const std::shared_ptr<const FlatView> before = space.view;
  space.publish(empty_view_);
  if (listeners_.listens(space)) {
    // As QEMU's address_space_destroy(): a commit whose view is empty.
    listeners_.forward([](MemoryListener& l) {
      if (l.begin) l.begin();
    });
    listeners_.topology(space, before, space.view, nullptr);
    listeners_.ioeventfds(space, space.ioeventfd_view, space.ioeventfds, space.view, {});
    listeners_.forward([](MemoryListener& l) {
      if (l.commit) l.commit();
    });
  }
  space.ioeventfds.clear();
  space.ioeventfd_view.reset();
  listeners_.forget_space(space.handle);
  if (!before->empty()) {
    const ViewChange change{*before, *space.view, nullptr};
    space.tell([&](ViewObserver& o) { o.view_changed(*space.handle, change); });
  }
  space.tell([&](ViewObserver& o) { o.space_destroyed(*space.handle); });
  for (ViewObserver* o : space.observers) {
    auto& observed = o->observed_;
    observed.erase(std::remove_if(observed.begin(), observed.end(),
                                  [&](const std::weak_ptr<SpaceNode>& w) { return w.lock().get() == &space; }),
                   observed.end());
  }
  space.observers.clear();
  space.handle = nullptr;
  space.pending = false;
}

void MapState::region_destroyed(std::unique_ptr<RegionNode> owned) {
  RegionNode& node = *owned;
  CoalescedRing::get().forget(node);
  // Everything that reaches this region is re-rendered without it.
  mark_reaching(node);
  if (RegionNode* parent = node.container) {
    auto& list = parent->subregions;
    list.erase(std::remove(list.begin(), list.end(), &node), list.end());
    node.container = nullptr;
  }
  for (RegionNode* sub : node.subregions) sub->container = nullptr;
  node.subregions.clear();
  for (RegionNode* alias : node.aliases) alias->alias_target = nullptr;
  node.aliases.clear();
  if (node.alias_target != nullptr) {
    auto& list = node.alias_target->aliases;
    list.erase(std::remove(list.begin(), list.end(), &node), list.end());
    node.alias_target = nullptr;
  }
  for (SpaceNode* space : node.rooted_spaces) {
    space->root = nullptr;
    mark_space_everywhere(*space);
  }
  node.rooted_spaces.clear();
  node.handle.store(nullptr, std::memory_order_relaxed);
  // Inside a transaction the views still show it until the commit: faces
  // that cached a route straight to its device (which may go with it) drop
  // that route and the DMI grants into the device now.
  const bool had_device = node.reaches_device();
  node.orphan();
  if (had_device && depth_ != 0) direct_access_invalidated(node, 0, ~uint64_t(0));
  epoch_->keep(std::move(owned));
  // A destructor must not throw: a render that stops at a limit is not reported here.
  if (depth_ == 0) render_pending();
}

namespace {

using Window = std::pair<u128, u128>;

// Sorted, overlapping and touching windows merged.
std::vector<Window> merged(std::vector<Window> windows) {
  std::sort(windows.begin(), windows.end());
  std::vector<Window> out;
  for (const Window& w : windows) {
    if (!out.empty() && w.first <= out.back().second) {
      out.back().second = std::max(out.back().second, w.second);
    } else {
      out.push_back(w);
    }
  }
  return out;
}

// The old view with the windows rendered again: what a full render gives,
// since which region answers an address depends only on the regions that
// hold it. Ranges crossing a window edge are cut, then neighbours merged.
RenderResult rerender_windows(const RegionNode* root, i128 base, const FlatView& old,
                              const std::vector<Window>& windows) {
  RenderResult result;
  std::vector<FlatRange> pieces;
  pieces.reserve(old.ranges().size() + 16);
  const auto& ranges = old.ranges();
  std::size_t i = 0;
  // The part of an old range within [lo, hi), if any.
  auto keep = [&](const FlatRange& r, u128 lo, u128 hi) {
    lo = std::max<u128>(lo, r.first);
    hi = std::min<u128>(hi, u128(r.last) + 1);
    if (lo >= hi) return;
    FlatRange part = r;
    part.first = static_cast<uint64_t>(lo);
    part.last = static_cast<uint64_t>(hi - 1);
    part.offset_within_region = r.offset_within_region + static_cast<uint64_t>(lo - r.first);
    pieces.push_back(part);
  };
  // Windows are sorted and apart: old ranges before each, then its render.
  u128 done = 0;  // everything below is in `pieces`
  for (const Window& window : windows) {
    for (; i < ranges.size() && u128(ranges[i].first) < window.first; ++i) {
      keep(ranges[i], done, window.first);
      if (u128(ranges[i].last) + 1 > window.first) break;  // it goes on past the window start
    }
    RenderResult part = render(root, base, window.first, window.second);
    if (!part.overflow.empty() && result.overflow.empty()) result.overflow = std::move(part.overflow);
    pieces.insert(pieces.end(), part.ranges.begin(), part.ranges.end());
    done = window.second;
    // Skip the old ranges that end inside the window.
    while (i < ranges.size() && u128(ranges[i].last) + 1 <= window.second) ++i;
  }
  for (; i < ranges.size(); ++i) keep(ranges[i], done, k64BitSpace);
  result.ranges = simplify(std::move(pieces));
  return result;
}

}  // namespace

std::string MapState::render_pending() {
  if (rendering_) return "";  // an observer changed the map: the loop below picks it up
  rendering_ = true;
  std::string first_overflow;
  // Observers and listeners run as inside a transaction; what they change
  // renders next round.
  ++depth_;
  while (pending_ || ioeventfds_pending_) {
    const bool map_changed = pending_;
    pending_ = false;
    ioeventfds_pending_ = false;
    // A change may have moved an address space's flatview root without
    // touching any of its addresses.
    for (SpaceNode* space : spaces_) {
      if (map_changed && !space->region_relative &&
          flatview_root(space->root) != NodeAccess::root_of(*space->view)) {
        space->pending = true;
        space->dirty_everywhere = true;
      }
    }
    struct Update {
      SpaceNode* space;
      std::shared_ptr<const FlatView> before;
      std::shared_ptr<const std::vector<Window>> windows;  // null: anywhere
    };
    // One render per view: region-relative spaces each have their own;
    // the others share one per flatview root, as QEMU's do.
    struct Job {
      RegionNode* root;    // rendered from
      i128 base;           // where the root's own address lands
      bool shared;         // one view for every space with this root
      bool everywhere;     // no incremental render
      std::vector<Window> windows;
      const FlatView* old;
      std::vector<SpaceNode*> spaces;
      std::shared_ptr<const FlatView> view;
      std::shared_ptr<const std::vector<Window>> changed;  // merged windows, null: anywhere
    };
    std::vector<Job> jobs;
    for (SpaceNode* space : spaces_) {
      if (!space->pending) continue;
      space->pending = false;
      const bool relative = space->region_relative;
      RegionNode* root = relative ? space->root : flatview_root(space->root);
      const i128 base = relative && root != nullptr ? -static_cast<i128>(root->address) : 0;
      Job* job = nullptr;
      for (Job& j : jobs) {
        if (!relative && j.shared && j.root == root) job = &j;
      }
      if (job == nullptr) {
        jobs.push_back(Job{root, base, !relative, false, {}, space->view.get(), {}, nullptr, nullptr});
        job = &jobs.back();
      }
      // Windows are in the coordinates of the address space's own root: they
      // apply to a view rendered from that root before (not from a flatview
      // root QEMU found further down, which renders at its own address).
      if (space->dirty_everywhere || root == nullptr || root != space->root ||
          NodeAccess::root_of(*space->view) != root) {
        job->everywhere = true;
      }
      job->windows.insert(job->windows.end(), space->dirty_windows.begin(), space->dirty_windows.end());
      if (space->view.get() != job->old) job->everywhere = true;
      space->dirty_everywhere = false;
      space->dirty_windows.clear();
      job->spaces.push_back(space);
    }
    std::vector<Update> updates;
    for (Job& job : jobs) {
      if (job.root == nullptr) {
        job.view = empty_view_;
      } else {
        RenderResult result;
        if (job.everywhere) {
          result = render(job.root, job.base);
        } else {
          job.changed = std::make_shared<const std::vector<Window>>(merged(job.windows));
          result = rerender_windows(job.root, job.base, *job.old, *job.changed);
        }
        if (!result.overflow.empty() && first_overflow.empty()) {
          first_overflow = (job.shared ? "address space '" + job.spaces.front()->name + "': "
                                       : "region '" + job.root->name + "': ") +
                           result.overflow;
        }
        job.view = make_view(job.root, std::move(result.ranges));
      }
      for (SpaceNode* space : job.spaces) {
        updates.push_back({space, space->view, job.changed});
        space->publish(job.view);
      }
    }
    // Address spaces whose root was not touched but renders from a root just
    // rendered share the new view, as QEMU's do (one view per root).
    for (SpaceNode* space : spaces_) {
      const RegionNode* root = NodeAccess::root_of(*space->view);
      if (root == nullptr || space->region_relative) continue;
      for (const Job& job : jobs) {
        if (job.shared && job.root == root && space->view != job.view) {
          updates.push_back({space, space->view, job.changed});
          space->publish(job.view);
        }
      }
    }
    // QEMU's commit: begin on every listener, each address space's topology
    // and ioeventfds, commit on every listener.
    const bool tell_listeners = !listeners_.empty() && map_changed;
    if (tell_listeners) {
      listeners_.forward([](MemoryListener& l) {
        if (l.begin) l.begin();
      });
    }
    for (SpaceNode* space : spaces_) {
      if (space->handle == nullptr) continue;
      if (tell_listeners) {
        auto u = std::find_if(updates.begin(), updates.end(), [&](const Update& x) { return x.space == space; });
        if (u != updates.end()) {
          listeners_.topology(*space, u->before, space->view, u->windows.get());
        } else {
          listeners_.unchanged(*space, space->view);
        }
      }
      update_ioeventfds(*space);
    }
    if (tell_listeners) {
      listeners_.forward([](MemoryListener& l) {
        if (l.commit) l.commit();
      });
    }
    for (const Update& u : updates) {
      if (u.before->ranges() == u.space->view->ranges() || u.space->handle == nullptr) continue;
      std::vector<AddressRange> where;
      if (u.windows != nullptr) {
        for (const Window& w : *u.windows) {
          if (w.first < w.second) where.push_back({static_cast<uint64_t>(w.first), static_cast<uint64_t>(w.second - 1)});
        }
      }
      const ViewChange change{*u.before, *u.space->view, u.windows != nullptr ? &where : nullptr};
      u.space->tell([&](ViewObserver& o) { o.view_changed(*u.space->handle, change); });
    }
  }
  --depth_;
  rendering_ = false;
  Rcu::get().collect();
  return first_overflow;
}

void MapState::update_ioeventfds(SpaceNode& space) {
  // Only while someone listens for them (as QEMU's ioeventfd_notifiers).
  bool wanted = false;
  listeners_.forward([&](MemoryListener& l) {
    wanted |= (l.eventfd_add || l.eventfd_del) && (l.address_space() == nullptr ? !space.region_relative
                                                                                  : l.address_space() == space.handle);
  });
  std::vector<ListenerRegistry::SpaceIoeventfd> now;
  if (wanted) {
    for (const FlatRange& fr : space.view->ranges()) {
      for (const RegionNode::Ioeventfd& fd : NodeAccess::of(fr)->ioeventfds) {
        // Shifted into the address space; kept where it meets the range.
        const i128 address = i128(fr.first) - i128(fr.offset_within_region) + i128(fd.offset);
        if (address + fd.size <= i128(fr.first) || address > i128(fr.last) || address < 0) continue;
        now.push_back({static_cast<uint64_t>(address), fd.size, fd.match_data, fd.data, fd.notifier, &fr});
      }
    }
    std::sort(now.begin(), now.end());
  }
  if (now.empty() && space.ioeventfds.empty()) return;
  listeners_.ioeventfds(space, space.ioeventfd_view, space.ioeventfds, space.view, now);
  space.ioeventfds = std::move(now);
  space.ioeventfd_view = space.view;
}

void MapState::set_global_dirty_tracking(bool on) {
  if (on == global_dirty_) return;
  if (on) {
    global_dirty_ = true;
    listeners_.forward([](MemoryListener& l) {
      if (l.log_global_start) l.log_global_start();
    });
  } else {
    global_dirty_ = false;
  }
  // Every migratable range logs (or stops logging) MIGRATION: every view changes.
  ++depth_;
  for (SpaceNode* space : spaces_) mark_space_everywhere(*space);
  pending_ = true;
  --depth_;
  render_if_idle();
  if (!on) {
    listeners_.reverse([](MemoryListener& l) {
      if (l.log_global_stop) l.log_global_stop();
    });
  }
}

void MapState::coalesced_changed(const RegionNode& node) {
  for (SpaceNode* space : spaces_) {
    if (space->handle != nullptr) listeners_.coalesced_changed(*space, space->view, node);
  }
}

}  // namespace tlmmap::detail

namespace tlmmap {

void transaction_begin() { detail::MapState::get().begin(); }
void transaction_commit() { detail::MapState::get().commit(); }
std::string transaction_commit_quietly() { return detail::MapState::get().commit_quietly(); }
int transaction_depth() { return detail::MapState::get().depth(); }

}  // namespace tlmmap
