// Renders a region graph into flat ranges by QEMU's rules.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tlmmap/flat_range.hpp"
#include "tlmmap/region.hpp"

namespace tlmmap::detail {

// Nesting (containers and alias hops) deeper than this stops the render: it
// is only reached by a mirror that recurses too long or a hostile map.
inline constexpr int kMaxRenderDepth = 256;
// Regions visited in one render; bounds the work of mirrors that branch.
inline constexpr std::size_t kMaxRenderVisits = 50'000'000;

struct RenderResult {
  std::vector<FlatRange> ranges;  // sorted, simplified
  std::string overflow;           // why the render stopped early, "" if it did not
};

// QEMU's memory_region_get_flatview_root(): follows a whole-target alias at
// offset 0 and a container's only enabled subregion when it sits at 0 and
// fits; nullptr for a disabled root or a container with nothing enabled.
Region* flatview_root(Region* root);

// QEMU's generate_memory_topology(): renders `root` at base 0 over the whole
// 64-bit space (so the root's own address shifts the view) and merges
// neighbours that continue each other.
// `base` places the root's byte 0 at base + the root's own address;
// [clip_lo, clip_hi) limits the render to a window of the address space.
RenderResult render(const Region* root, i128 base = 0, u128 clip_lo = 0, u128 clip_hi = k64BitSpace);

// QEMU's flatview_simplify() on ranges sorted by start: neighbours that
// continue each other are merged.
std::vector<FlatRange> simplify(std::vector<FlatRange> pieces);

// Adds the regions (containers and aliases included) that contribute at
// least one byte to the render of `root` to `contributors`, by walk stamp.
void mark_contributors(const Region* root, uint64_t stamp);

}  // namespace tlmmap::detail
