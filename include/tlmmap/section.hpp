// QEMU's MemoryRegionSection: the part of one flat range that covers a
// looked-up address range.
#pragma once

#include <memory>

#include "tlmmap/flat_view.hpp"

namespace tlmmap {

struct Section {
  Region* region = nullptr;
  uint64_t offset_within_region = 0;
  u128 size = 0;
  uint64_t offset_within_address_space = 0;
  bool readonly = false;
  bool nonvolatile = false;
  std::shared_ptr<const FlatView> view;

  explicit operator bool() const noexcept { return region != nullptr; }
};

}  // namespace tlmmap
