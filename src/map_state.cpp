#include "map_state.hpp"

#include <algorithm>
#include <utility>

#include "region_access.hpp"
#include "renderer.hpp"
#include "report.hpp"
#include "tlmmap/alias_region.hpp"
#include "tlmmap/transaction.hpp"

namespace tlmmap::detail {

MapState& MapState::get() {
  // Never destroyed: regions and address spaces with static storage may
  // outlive any other static object.
  static MapState* state = new MapState();
  return *state;
}

MapState::MapState() : empty_view_(std::make_shared<const FlatView>()) {}

void MapState::commit() {
  if (depth_ == 0) {
    report_error(kRegionMsg, "transaction_commit() without a matching transaction_begin()");
    return;
  }
  --depth_;
  render_if_idle();
}

void MapState::render_if_idle() {
  if (depth_ != 0 || !pending_) return;
  const std::string overflow = render_pending();
  if (!overflow.empty()) report_error(kRenderMsg, overflow + "; the flat view stops there");
}

void MapState::mark_reaching(const Region& start) {
  // Walk up container links and alias back-references: every address space
  // rooted at a region reached this way may see the change.
  const uint64_t stamp = next_walk_stamp();
  std::vector<const Region*> todo{&start};
  RegionAccess::walk_stamp(start) = stamp;
  while (!todo.empty()) {
    const Region* r = todo.back();
    todo.pop_back();
    for (AddressSpace* space : RegionAccess::rooted_spaces(*r)) mark_space_everywhere(*space);
    auto visit = [&](const Region* up) {
      if (up != nullptr && RegionAccess::walk_stamp(*up) != stamp) {
        RegionAccess::walk_stamp(*up) = stamp;
        todo.push_back(up);
      }
    };
    visit(r->container());
    for (const Region* alias : r->aliases()) visit(alias);
  }
}

void MapState::mark_space_everywhere(AddressSpace& space) {
  space.pending_ = true;
  space.dirty_everywhere_ = true;
  space.dirty_windows_.clear();
  pending_ = true;
}

void MapState::mark_space(AddressSpace& space, u128 lo, u128 hi) {
  if (space.dirty_everywhere_) return;
  // Beyond a few dozen windows a full render costs about the same.
  constexpr std::size_t kMaxWindows = 64;
  if (space.dirty_windows_.size() >= kMaxWindows) return mark_space_everywhere(space);
  space.pending_ = true;
  space.dirty_windows_.emplace_back(lo, hi);
  pending_ = true;
}

void MapState::note_window(const Region& container, u128 lo, u128 hi) {
  struct Reach {
    const Region* region;
    u128 lo;  // in the region's content coordinates
    u128 hi;
  };
  // Walk up: a container shows its content shifted by its own address and
  // clipped to its parent; an alias shows a shifted part of its target.
  constexpr std::size_t kMaxSteps = 4096;  // mirrors and huge fan-in: give up, render everything
  // Even a change with no addresses can change which region an address
  // space renders from (QEMU's flatview root): render_pending() checks.
  pending_ = true;
  std::vector<Reach> todo;
  const u128 end = std::min(hi, container.size());
  if (lo < end) todo.push_back({&container, lo, end});
  std::size_t steps = 0;
  while (!todo.empty()) {
    const Reach at = todo.back();
    todo.pop_back();
    if (++steps > kMaxSteps) {
      mark_reaching(container);
      break;
    }
    const Region& r = *at.region;
    for (AddressSpace* space : RegionAccess::rooted_spaces(r)) {
      // An address space renders its root at the root's own address (a
      // region-relative view at 0).
      const u128 shift = space->region_relative_ ? 0 : r.address();
      mark_space(*space, std::min(at.lo + shift, k64BitSpace), std::min(at.hi + shift, k64BitSpace));
    }
    if (const Region* up = r.container()) {
      const u128 new_lo = at.lo + r.address();
      const u128 new_hi = std::min(at.hi + r.address(), up->size());
      if (new_lo < new_hi) todo.push_back({up, new_lo, new_hi});
    }
    for (const Region* alias : r.aliases()) {
      // The alias shows [offset, offset + size) of this region at its 0.
      const u128 offset = alias->alias_offset();
      const u128 new_lo = at.lo > offset ? at.lo - offset : 0;
      const u128 new_hi = std::min(at.hi > offset ? at.hi - offset : 0, alias->size());
      if (new_lo < new_hi) todo.push_back({alias, new_lo, new_hi});
    }
  }
}

void MapState::region_moved(const Region& region) {
  for (AddressSpace* space : spaces_) {
    if (space->root_ == &region || space->view_->root() == &region) mark_space_everywhere(*space);
  }
}

void MapState::space_created(AddressSpace& space) {
  spaces_.push_back(&space);
  if (!space.is_region_relative()) listed_spaces_.push_back(&space);
  mark_space_everywhere(space);
  render_if_idle();
}

void MapState::space_destroyed(AddressSpace& space) {
  spaces_.erase(std::remove(spaces_.begin(), spaces_.end(), &space), spaces_.end());
  listed_spaces_.erase(std::remove(listed_spaces_.begin(), listed_spaces_.end(), &space), listed_spaces_.end());
}

void MapState::root_destroyed(AddressSpace& space) {
  space.root_ = nullptr;
  mark_space_everywhere(space);
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
RenderResult rerender_windows(const Region* root, i128 base, const FlatView& old, const std::vector<Window>& windows) {
  RenderResult result;
  std::vector<FlatRange> pieces;
  pieces.reserve(old.ranges().size() + 16);
  const auto& ranges = old.ranges();
  std::size_t i = 0;
  // The part of an old range within [lo, hi), if any.
  auto keep = [&](const FlatRange& r, u128 lo, u128 hi) {
    lo = std::max<u128>(lo, r.start);
    hi = std::min<u128>(hi, u128(r.last) + 1);
    if (lo >= hi) return;
    FlatRange part = r;
    part.start = static_cast<uint64_t>(lo);
    part.last = static_cast<uint64_t>(hi - 1);
    part.offset_in_region = r.offset_in_region + static_cast<uint64_t>(lo - r.start);
    pieces.push_back(part);
  };
  // Windows are sorted and apart: old ranges before each, then its render.
  u128 done = 0;  // everything below is in `pieces`
  for (const Window& window : windows) {
    for (; i < ranges.size() && u128(ranges[i].start) < window.first; ++i) {
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
  // Observers run as inside a transaction; what they change renders next round.
  ++depth_;
  while (pending_) {
    pending_ = false;
    // A change may have moved an address space's flatview root without
    // touching any of its addresses.
    for (AddressSpace* space : spaces_) {
      if (!space->region_relative_ && flatview_root(space->root_) != space->view_->root()) {
        space->pending_ = true;
        space->dirty_everywhere_ = true;
      }
    }
    struct Update {
      AddressSpace* space;
      std::shared_ptr<const FlatView> before;
    };
    // One render per view: region-relative spaces each have their own;
    // the others share one per flatview root, as QEMU's do.
    struct Job {
      Region* root;        // rendered from
      i128 base;           // where the root's own address lands
      bool shared;         // one view for every space with this root
      bool everywhere;     // no incremental render
      std::vector<Window> windows;
      const FlatView* old;
      std::vector<AddressSpace*> spaces;
      std::shared_ptr<const FlatView> view;
    };
    std::vector<Job> jobs;
    for (AddressSpace* space : spaces_) {
      if (!space->pending_) continue;
      space->pending_ = false;
      const bool relative = space->region_relative_;
      Region* root = relative ? space->root_ : flatview_root(space->root_);
      const i128 base = relative && root != nullptr ? -static_cast<i128>(root->address()) : 0;
      Job* job = nullptr;
      for (Job& j : jobs) {
        if (!relative && j.shared && j.root == root) job = &j;
      }
      if (job == nullptr) {
        jobs.push_back(Job{root, base, !relative, false, {}, space->view_.get(), {}, nullptr});
        job = &jobs.back();
      }
      // Windows are in the coordinates of the address space's own root: they
      // apply to a view rendered from that root before (not from a flatview
      // root QEMU found further down, which renders at its own address).
      if (space->dirty_everywhere_ || root == nullptr || root != space->root_ || space->view_->root() != root) {
        job->everywhere = true;
      }
      job->windows.insert(job->windows.end(), space->dirty_windows_.begin(), space->dirty_windows_.end());
      if (space->view_.get() != job->old) job->everywhere = true;
      space->dirty_everywhere_ = false;
      space->dirty_windows_.clear();
      job->spaces.push_back(space);
    }
    std::vector<Update> updates;
    for (Job& job : jobs) {
      if (job.root == nullptr) {
        job.view = empty_view_;
      } else {
        RenderResult result = job.everywhere ? render(job.root, job.base)
                                             : rerender_windows(job.root, job.base, *job.old, merged(job.windows));
        if (!result.overflow.empty() && first_overflow.empty()) {
          first_overflow = (job.shared ? "address space '" + job.spaces.front()->name() + "': "
                                       : "region '" + job.root->name() + "': ") +
                           result.overflow;
        }
        job.view = std::make_shared<const FlatView>(job.root, std::move(result.ranges));
      }
      for (AddressSpace* space : job.spaces) {
        updates.push_back({space, space->view_});
        space->view_ = job.view;
      }
    }
    // Address spaces whose root was not touched but renders from a root just
    // rendered share the new view, as QEMU's do (one view per root).
    for (AddressSpace* space : spaces_) {
      const Region* root = space->view_->root();
      if (root == nullptr || space->region_relative_) continue;
      for (const Job& job : jobs) {
        if (job.shared && job.root == root && space->view_ != job.view) {
          updates.push_back({space, space->view_});
          space->view_ = job.view;
        }
      }
    }
    for (const Update& u : updates) {
      if (u.before->ranges() == u.space->view_->ranges()) continue;
      // Copy: an observer may remove itself while being told.
      const std::vector<FlatViewObserver*> observers = u.space->observers_;
      for (FlatViewObserver* observer : observers) {
        observer->flat_view_changed(*u.space, *u.before, *u.space->view_);
      }
    }
  }
  --depth_;
  rendering_ = false;
  return first_overflow;
}

}  // namespace tlmmap::detail

namespace tlmmap {

void transaction_begin() { detail::MapState::get().begin(); }
void transaction_commit() { detail::MapState::get().commit(); }
int transaction_depth() { return detail::MapState::get().depth(); }

}  // namespace tlmmap
