// The example PC memory map of QEMU's memory API documentation, built twice:
// in C++ and from examples/pc_memory_map.json. Both print the same
// `info mtree` and `info mtree -f`; then the memory controller is
// reprogrammed at run time (the VGA window closed, a BAR moved) inside one
// transaction and the flat view printed again.
//
//   system_memory: container 0 - 2^48-1
//    +-- lomem       alias 0-0xdfffffff            -> ram 0-0xdfffffff
//    +-- himem       alias 0x100000000-0x11fffffff -> ram 0xe0000000-0xffffffff
//    +-- vga-window  alias 0xa0000-0xbffff (prio 1) -> pci 0xa0000-0xbffff
//    +-- pci-hole    alias 0xe0000000-0xffffffff   -> pci 0xe0000000-0xffffffff
//   pci (0 - 2^32-1)
//    +-- vga-area container 0xa0000-0xbffff: two 32 KiB banks of vram
//    +-- vram     ram  0xe1000000-0xe1ffffff (a BAR)
//    +-- vga-mmio mmio 0xe2000000-0xe200ffff (a BAR)
#include <cstdlib>
#include <iostream>

#include <systemc>

#include "tlmmap/tlmmap.hpp"

namespace {

// The PC map as a board model would build it.
struct PcMemoryMap {
  tlmmap::ContainerRegion system{"system_memory", tlmmap::u128(1) << 48};
  tlmmap::RamRegion ram{"ram", 0x100000000};
  tlmmap::ContainerRegion pci{"pci", 0x100000000};
  tlmmap::ContainerRegion vga_area{"vga-area", 0x20000};
  tlmmap::RamRegion vram{"vram", 0x1000000};
  tlmmap::MmioRegion vga_mmio{"vga-mmio", 0x10000};
  tlmmap::AliasRegion lomem{"lomem", ram, 0x0, 0xe0000000};
  tlmmap::AliasRegion himem{"himem", ram, 0xe0000000, 0x20000000};
  tlmmap::AliasRegion vga_window{"vga-window", pci, 0xa0000, 0x20000};
  tlmmap::AliasRegion pci_hole{"pci-hole", pci, 0xe0000000, 0x20000000};
  tlmmap::AliasRegion bank0{"vga-bank0", vram, 0x10000, 0x8000};
  tlmmap::AliasRegion bank1{"vga-bank1", vram, 0x20000, 0x8000};
  tlmmap::AddressSpace memory{system, "memory"};

  PcMemoryMap() {
    tlmmap::Transaction build;  // one render for the whole map
    system.add_subregion(0x0, lomem);
    system.add_subregion(0x100000000, himem);
    system.add_subregion_overlap(0xa0000, vga_window, 1);
    system.add_subregion(0xe0000000, pci_hole);
    pci.add_subregion(0xa0000, vga_area);
    pci.add_subregion(0xe1000000, vram);
    pci.add_subregion(0xe2000000, vga_mmio);
    vga_area.add_subregion(0x0, bank0);
    vga_area.add_subregion(0x8000, bank1);
  }
};

std::string views(tlmmap::AddressSpace& space) {
  return tlmmap::mtree_text({&space}) + tlmmap::mtree_text({&space}, {true, false});
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  const std::string file = argc > 1 ? argv[1] : TLMMAP_EXAMPLES_DIR "/pc_memory_map.json";

  std::cout << "== The PC memory map, built in C++\n\n";
  std::string from_cpp;
  {
    PcMemoryMap pc;
    from_cpp = views(pc.memory);
    std::cout << from_cpp;

    std::cout << "== The memory controller closes the VGA window and the vram BAR moves to 0xe4000000\n\n";
    {
      tlmmap::Transaction reprogram;
      pc.vga_window.set_enabled(false);
      pc.vram.set_address(0xe4000000);
      // Nothing is visible before the commit at the end of this scope.
    }
    std::cout << tlmmap::mtree_text({&pc.memory}, {true, false});
  }

  std::cout << "== The same map, loaded from " << file << "\n\n";
  auto loaded = tlmmap::load_memmap_file(file);
  const std::string from_file = views(*loaded->address_space("memory"));
  std::cout << from_file;

  const bool same = from_file == from_cpp;
  std::cout << "== C++ and file give " << (same ? "the same" : "DIFFERENT") << " views\n";
  return same ? EXIT_SUCCESS : EXIT_FAILURE;
}
