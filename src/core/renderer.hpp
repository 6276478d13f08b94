// Library-internal: renders a region graph into flat ranges by QEMU's rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "region_node.hpp"
#include "tlmmap/core/render_limits.hpp"

namespace tlmmap::detail {

struct RenderResult {
  std::vector<FlatRange> ranges;  // sorted, simplified
  std::string overflow;           // why the render stopped early, "" if it did not
};

// QEMU's memory_region_get_flatview_root() (map_queries.hpp).
RegionNode* flatview_root(RegionNode* root);

// QEMU's generate_memory_topology(): renders `root` over the whole 64-bit
// space and merges neighbours that continue each other. `base` places the
// root's byte 0 at base + the root's own address; [clip_lo, clip_hi) limits
// the render to a window of the address space.
RenderResult render(const RegionNode* root, i128 base = 0, u128 clip_lo = 0, u128 clip_hi = k64BitSpace);

// QEMU's flatview_simplify() on ranges sorted by start.
std::vector<FlatRange> simplify(std::vector<FlatRange> pieces);

// Stamps the nodes (containers and aliases included) that contribute at
// least one byte to the render of `root` with `stamp`.
void mark_contributors(const RegionNode* root, uint64_t stamp);

}  // namespace tlmmap::detail
