// The IOMMU tests' board: a bus address space with an IOMMU window at
// 0x100000 (1 MiB) that translates into a "memory" address space of 64 KiB
// of RAM at 0, byte i holding i * 7 (room above the RAM for other regions).
#pragma once

#include <cstdint>
#include <cstring>

#include "support/map_iommu.hpp"
#include "tlmmap/core.hpp"

namespace tlmmap::test {

struct IommuBoard {
  ContainerRegion mem_root{"mem_root", k64BitSpace};
  RamRegion ram{"ram", 0x10000};
  AddressSpace memory{mem_root, "memory"};
  ContainerRegion bus_root{"bus_root", k64BitSpace};
  MapIommu iommu{"iommu", 0x100000, 0x1000, 4};
  AddressSpace bus{bus_root, "bus"};
  IommuBoard() {
    mem_root.add_subregion(0, ram);
    bus_root.add_subregion(0x100000, iommu);
    for (unsigned i = 0; i < 0x10000; ++i) ram.host_ptr()[i] = static_cast<uint8_t>(i * 7);
  }
  uint32_t ram_word(uint64_t address) {
    uint32_t v;
    std::memcpy(&v, ram.host_ptr() + address, 4);
    return v;
  }
  static MemTxAttrs requester(uint16_t id) {
    MemTxAttrs a = MemTxAttrs::specified();
    a.requester_id = id;
    return a;
  }
};

}  // namespace tlmmap::test
