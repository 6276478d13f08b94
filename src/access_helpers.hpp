// Library-internal pieces of the access path shared by the model and the
// TLM engine.
#pragma once

#include <cstdint>

#include "tlmmap/address_space.hpp"
#include "tlmmap/ram_region.hpp"
#include "tlmmap/rom_device_region.hpp"

namespace tlmmap::detail {

// Host memory behind a region (RAM, ROM, ROM device), or nullptr if it has none.
inline uint8_t* host_memory(Region& r) {
  switch (r.kind()) {
    case RegionKind::ram:
    case RegionKind::rom:
      return static_cast<RamRegion&>(r).host_ptr();
    case RegionKind::rom_device:
      return static_cast<RomDeviceRegion&>(r).host_ptr();
    default:
      return nullptr;
  }
}

// `n` bytes at `address` where nothing is mapped: the address space's
// UnmappedPolicy (reads as zero either way; warning and result per policy).
MemTxResult unmapped_access(const AddressSpace& space, uint64_t address, bool is_write, uint8_t* data,
                            uint64_t n);

}  // namespace tlmmap::detail
