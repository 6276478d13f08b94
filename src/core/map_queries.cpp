#include "tlmmap/core/map_queries.hpp"

#include "map_state.hpp"
#include "renderer.hpp"

namespace tlmmap {

using detail::NodeAccess;

Region* flatview_root(Region* root) {
  if (root == nullptr) return nullptr;
  return detail::handle_of(detail::flatview_root(&NodeAccess::of(*root)));
}

std::vector<const Region*> contributing_regions(const Region& root) {
  const uint64_t stamp = detail::MapState::get().next_walk_stamp();
  detail::mark_contributors(&NodeAccess::of(root), stamp);
  // The walk stamps are on the nodes; collect the stamped ones reachable from the root.
  std::vector<const Region*> out;
  std::vector<const detail::RegionNode*> todo{&NodeAccess::of(root)};
  const uint64_t seen = detail::MapState::get().next_walk_stamp();
  std::vector<const detail::RegionNode*> visited;
  while (!todo.empty()) {
    const detail::RegionNode* r = todo.back();
    todo.pop_back();
    if (r->walk_stamp == seen) continue;
    const bool contributes = r->walk_stamp == stamp;
    r->walk_stamp = seen;
    if (contributes) out.push_back(detail::handle_of(r));
    for (const detail::RegionNode* sub : r->subregions) todo.push_back(sub);
    if (r->alias_target != nullptr) todo.push_back(r->alias_target);
  }
  return out;
}

std::vector<AddressRange> rendered_ranges(const Region& region) {
  std::vector<AddressRange> out;
  for (const FlatRange& r : detail::render(&NodeAccess::of(region)).ranges) {
    if (!out.empty() && u128(out.back().last) + 1 == r.first) {
      out.back().last = r.last;
    } else {
      out.push_back({r.first, r.last});
    }
  }
  return out;
}

}  // namespace tlmmap
