// ROM: reads come straight from host memory, writes are refused.
// A ROM is read-only by kind: set_readonly(false) on it is refused.
#pragma once

#include "tlmmap/core/ram_region.hpp"

namespace tlmmap {

class RomRegion : public RamRegion {
 public:
  RomRegion(std::string name, u128 size);
};

}  // namespace tlmmap
