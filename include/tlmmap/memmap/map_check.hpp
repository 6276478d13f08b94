// What a platform engineer wants to know about a map that QEMU accepts
// silently: `tlmmap check`.
#pragma once

#include <string>
#include <vector>

#include "tlmmap/core/memory_map.hpp"

namespace tlmmap {

struct Finding {
  enum class Kind {
    overlap,              // siblings overlap although neither was added with overlap
    hidden,               // a region wholly hidden by higher-priority siblings
    outside_container,    // a subregion that lies wholly beyond its container's end
    alias_beyond_target,  // an alias that reaches past its target's end
    unreachable,          // a region no address space reaches
  };
  Kind kind;
  std::vector<const Region*> regions;  // the regions named, the subject first
  std::string message;                 // one line naming the regions and the addresses
};

std::string_view to_string(Finding::Kind kind);

// Checks the given regions (and everything they reach) against the address
// spaces. Findings come grouped by kind, in the order of `regions`.
std::vector<Finding> check_map(const std::vector<Region*>& regions, const std::vector<AddressSpace*>& spaces);
std::vector<Finding> check_map(const MemoryMap& map);

}  // namespace tlmmap
