// Writes a live map as a memmap v1 JSON document: loading it back gives the
// same regions, the same add order and so the same flat views.
#pragma once

#include <string>
#include <vector>

#include "tlmmap/core/memory_map.hpp"

namespace tlmmap {

// Every region reachable from the address spaces (through subregions and
// alias targets) and the address spaces themselves. Ids are the region
// names, made unique with "~2", "~3"... where names repeat.
std::string write_memmap(const std::vector<AddressSpace*>& spaces);
// All regions of the map under their ids, then anything they reach that the
// map does not own, and the map's address spaces.
std::string write_memmap(const MemoryMap& map);

}  // namespace tlmmap
