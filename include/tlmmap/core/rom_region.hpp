// ROM: reads come straight from host memory, writes are refused.
// A ROM is read-only by kind: set_readonly(false) on it is refused.
#pragma once

#include "tlmmap/core/ram_region.hpp"

namespace tlmmap {

class RomRegion : public RamRegion {
 public:
  RomRegion(std::string name, u128 size);
  // Its content mapped from a file (ram_backing.hpp), e.g. a firmware image
  // (private: the file is never written) or non-volatile storage (shared).
  RomRegion(std::string name, u128 size, const RamFile& file);
};

}  // namespace tlmmap
