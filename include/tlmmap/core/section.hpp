// QEMU's MemoryRegionSection: the part of one flat range that covers a
// looked-up address range. It holds the flat view it was found in, so it
// stays valid (region state included) however the map changes afterwards.
#pragma once

#include <memory>

#include "tlmmap/core/flat_view.hpp"

namespace tlmmap {

class AddressSpace;

struct Section {
  uint64_t offset_within_region = 0;
  u128 size = 0;
  uint64_t offset_within_address_space = 0;
  bool readonly = false;
  bool nonvolatile = false;
  // The range the section lies in, inside `view`, and the address space it
  // was found in (nullptr once that is gone).
  const FlatRange* range = nullptr;
  std::shared_ptr<const FlatView> view;
  const AddressSpace* space = nullptr;

  // The region, or nullptr for an empty section or a destroyed region.
  Region* region() const noexcept { return range != nullptr ? range->region() : nullptr; }
  explicit operator bool() const noexcept { return range != nullptr; }
};

}  // namespace tlmmap
