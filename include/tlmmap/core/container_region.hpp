// A pure container: groups subregions and renders nothing itself.
#pragma once

#include "tlmmap/core/region.hpp"

namespace tlmmap {

class ContainerRegion : public Region {
 public:
  // Size up to 2^64 (k64BitSpace); zero is allowed (it renders nothing).
  ContainerRegion(std::string name, u128 size);
};

}  // namespace tlmmap
