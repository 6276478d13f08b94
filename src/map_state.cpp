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
    for (AddressSpace* space : RegionAccess::rooted_spaces(*r)) {
      space->pending_ = true;
      pending_ = true;
    }
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

void MapState::space_created(AddressSpace& space) {
  spaces_.push_back(&space);
  if (!space.is_region_relative()) listed_spaces_.push_back(&space);
  space.pending_ = true;
  pending_ = true;
  render_if_idle();
}

void MapState::space_destroyed(AddressSpace& space) {
  spaces_.erase(std::remove(spaces_.begin(), spaces_.end(), &space), spaces_.end());
  listed_spaces_.erase(std::remove(listed_spaces_.begin(), listed_spaces_.end(), &space), listed_spaces_.end());
}

void MapState::root_destroyed(AddressSpace& space) {
  space.root_ = nullptr;
  space.pending_ = true;
  pending_ = true;
}

std::string MapState::render_pending() {
  if (rendering_) return "";  // an observer changed the map: the loop below picks it up
  rendering_ = true;
  std::string first_overflow;
  // Observers run as inside a transaction; what they change renders next round.
  ++depth_;
  while (pending_) {
    pending_ = false;
    struct Update {
      AddressSpace* space;
      std::shared_ptr<const FlatView> before;
    };
    std::vector<Update> updates;
    std::vector<std::pair<Region*, std::shared_ptr<const FlatView>>> rendered;
    for (AddressSpace* space : spaces_) {
      if (!space->pending_) continue;
      space->pending_ = false;
      if (space->region_relative_) {
        // Its own view: byte 0 of the region at address 0, never shared.
        Region* root = space->root_;
        std::shared_ptr<const FlatView> view = empty_view_;
        if (root != nullptr) {
          RenderResult result = render(root, -static_cast<i128>(root->address()));
          if (!result.overflow.empty() && first_overflow.empty()) {
            first_overflow = "region '" + root->name() + "': " + result.overflow;
          }
          view = std::make_shared<const FlatView>(root, std::move(result.ranges));
        }
        updates.push_back({space, space->view_});
        space->view_ = view;
        continue;
      }
      Region* root = flatview_root(space->root_);
      std::shared_ptr<const FlatView> view;
      for (const auto& [r, v] : rendered) {
        if (r == root) view = v;
      }
      if (!view) {
        if (root == nullptr) {
          view = empty_view_;
        } else {
          RenderResult result = render(root);
          if (!result.overflow.empty() && first_overflow.empty()) {
            first_overflow = "address space '" + space->name() + "': " + result.overflow;
          }
          view = std::make_shared<const FlatView>(root, std::move(result.ranges));
        }
        rendered.emplace_back(root, view);
      }
      updates.push_back({space, space->view_});
      space->view_ = view;
    }
    // Address spaces whose root was not touched but renders from a root just
    // rendered share the new view, as QEMU's do (one view per root).
    for (AddressSpace* space : spaces_) {
      const Region* root = space->view_->root();
      if (root == nullptr || space->region_relative_) continue;
      for (const auto& [r, v] : rendered) {
        if (r == root && space->view_ != v) {
          updates.push_back({space, space->view_});
          space->view_ = v;
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
