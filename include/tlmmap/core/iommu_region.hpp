// IOMMU: translates the addresses of accesses made to it and forwards them
// into another address space.
#pragma once

#include "tlmmap/core/region.hpp"

namespace tlmmap {

class IommuRegion : public Region {
 public:
  IommuRegion(std::string name, u128 size);
};

}  // namespace tlmmap
