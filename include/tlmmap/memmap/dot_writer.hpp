// The region graph as Graphviz DOT: `tlmmap dot`.
#pragma once

#include <string>
#include <vector>

#include "tlmmap/core/memory_map.hpp"

namespace tlmmap {

// Address spaces point at their roots, containers at their subregions
// (labelled with offset and priority), aliases at their targets (dashed,
// labelled with the offset). Disabled regions are grey.
std::string write_dot(const std::vector<Region*>& regions, const std::vector<AddressSpace*>& spaces);
std::string write_dot(const MemoryMap& map);

}  // namespace tlmmap
