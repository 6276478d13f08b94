// MMIO: every access is handled by the device behind the region.
#pragma once

#include "tlmmap/region.hpp"

namespace tlmmap {

class MmioRegion : public Region {
 public:
  MmioRegion(std::string name, u128 size);
};

}  // namespace tlmmap
