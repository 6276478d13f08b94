// Synthetic memory maps of a chosen size with the structure of a real SoC or
// PC map, for the benchmarks.
//
// Shape (for `regions` >= 100; smaller maps keep only the root, some RAM and
// one bus of devices):
//
//   system (container, 2^64)
//   ├─ ram-below-4g / ram-above-4g   aliases into one 8 GiB RAM (PC style)
//   ├─ pci-hole                      MMIO background, priority -1
//   ├─ smram                         alias of a VGA MMIO, priority +1 over RAM
//   ├─ isa-bios                      alias of the BIOS ROM, priority +1 over RAM
//   ├─ bios                          ROM at the top of the 32-bit space
//   ├─ bridgeK.mirror-lo             alias of bridgeK.mirror (alias of an alias
//   │                                into a container), priority +1 over pci-hole
//   └─ bridgeK (container, 4 GiB)    bridges at 64 GiB + K * 4 GiB
//      ├─ bridgeK.bg                 background MMIO, priority -1
//      ├─ bridgeK.mirror             alias of bus 0 (an alias into a container)
//      └─ bridgeK.subS (container, 256 MiB), up to 8 per bridge
//         └─ ...busU (container, 16 MiB), up to 8 per sub-bridge
//            ├─ ...busU.default      background MMIO, priority -1
//            ├─ ...devD (container, 32 KiB), up to 32 per bus, 64 KiB apart
//            │  ├─ raz               background MMIO, priority -1
//            │  ├─ regs, fifo        MMIO
//            │  ├─ sram | flash      RAM or ROM device (1 in 4 devices)
//            │  └─ dbg               MMIO overlay, priority +1 over regs (1 in 8)
//            ├─ ...devD.bar          alias of the device container (1 in 8)
//            └─ ...devD.bar2         alias of part of devD.bar (1 in 32)
//
// Region nesting is 6 levels deep (system > bridge > sub-bridge > bus >
// device > leaf), with up to 4 alias hops on one path (mirror-lo > mirror >
// bus 0 > devD.bar2 > devD.bar > devD). The generator stops at exactly
// `regions` regions (every region counts: containers, aliases and the RAM
// behind the RAM aliases), padding the last bus with small MMIO regions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/memory_map.hpp"
#include "tlmmap/core/region.hpp"

namespace tlmmap::bench {

struct GeneratedMap {
  std::unique_ptr<MemoryMap> map;  // owns every region
  Region* root = nullptr;
  std::size_t regions = 0;
  std::size_t containers = 0;
  std::size_t aliases = 0;
  std::size_t aliases_of_aliases = 0;
  std::size_t overlapping = 0;  // added with add_subregion_overlap (priority != 0)

  // Handles for the change benchmarks (nullptr in maps too small to have them).
  Region* middle_device = nullptr;        // a device container halfway through the map
  AliasRegion* middle_bar = nullptr;      // a BAR alias halfway through the map
  uint64_t middle_bar_spare_address = 0;  // a free place for it in the same bus
  AliasRegion* bridge_mirror = nullptr;   // bridge0.mirror (alias into bus 0)
};

// Deterministic for a given (regions, seed).
GeneratedMap generate_map(std::size_t regions, uint64_t seed = 1);

}  // namespace tlmmap::bench
