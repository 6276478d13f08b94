// Questions about how a map renders, for tools that check maps.
#pragma once

#include <vector>

#include "tlmmap/core/flat_view.hpp"
#include "tlmmap/core/region.hpp"

namespace tlmmap {

// QEMU's memory_region_get_flatview_root(): follows a whole-target alias at
// offset 0 and a container's only enabled subregion when it sits at 0 and
// fits; nullptr for a disabled root or a container with nothing enabled.
Region* flatview_root(Region* root);

// The regions (containers and aliases included) that contribute at least
// one byte to the render of `root` (an address space rooted there shows them).
std::vector<const Region*> contributing_regions(const Region& root);

// The addresses `region` renders to on its own, placed at its own address
// (in its container's offsets), merged and ascending.
std::vector<AddressRange> rendered_ranges(const Region& region);

}  // namespace tlmmap
