// `info mtree` text for maps built in C++.
#include <gtest/gtest.h>

#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/memmap/mtree.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/rom_region.hpp"

namespace tlmmap {
namespace {

TEST(Mtree, PrintsGroupsSectionsAliasesAndDisabledRegions) {
  ContainerRegion system("system", k64BitSpace);
  RamRegion ram("pc.ram", 0x20000000);
  RomRegion bios("pc.bios", 0x40000);
  ContainerRegion io("io", 0x10000);
  MmioRegion pm("piix4-pm", 0x40);
  MmioRegion evt("acpi-evt", 0x4);
  AliasRegion below("ram-below-4g", ram, 0, 0x20000000);
  AliasRegion isa("isa-bios", bios, 0x20000, 0x20000);
  pm.add_subregion(0, evt);
  io.add_subregion(0, pm);
  pm.set_enabled(false);
  system.add_subregion(0, below);
  system.add_subregion_overlap(0xe0000, isa, 1);
  system.add_subregion(0xfffc0000, bios);
  AddressSpace memory(system, "memory");
  AddressSpace cpu(system, "cpu-memory-0");
  AddressSpace ports(io, "I/O");
  const std::string tree = mtree_text({&memory, &cpu, &ports}, {false, true});
  EXPECT_EQ(tree,
            "address-space: cpu-memory-0\n"
            "address-space: memory\n"
            "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
            "    0000000000000000-000000001fffffff (prio 0, ram): alias ram-below-4g @pc.ram "
            "0000000000000000-000000001fffffff\n"
            "    00000000000e0000-00000000000fffff (prio 1, rom): alias isa-bios @pc.bios "
            "0000000000020000-000000000003ffff\n"
            "    00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
            "\n"
            "address-space: I/O\n"
            "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
            "    0000000000000000-000000000000003f (prio 0, i/o): piix4-pm [disabled]\n"
            "      0000000000000000-0000000000000003 (prio 0, i/o): acpi-evt\n"
            "\n"
            "memory-region: pc.ram\n"
            "  0000000000000000-000000001fffffff (prio 0, ram): pc.ram\n"
            "\n"
            "memory-region: pc.bios\n"
            "  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
            "\n");
  // Without -D the disabled line goes, its subregions stay at their depth.
  const std::string plain = mtree_text({&ports}, {});
  EXPECT_EQ(plain,
            "address-space: I/O\n"
            "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
            "      0000000000000000-0000000000000003 (prio 0, i/o): acpi-evt\n"
            "\n");
  const std::string flat = mtree_text({&memory, &cpu, &ports}, {true, false});
  EXPECT_EQ(flat,
            "FlatView #0\n"
            " AS \"memory\", root: system\n"
            " AS \"cpu-memory-0\", root: system\n"
            " Root memory region: system\n"
            "  0000000000000000-00000000000dffff (prio 0, ram): pc.ram\n"
            "  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000\n"
            "  0000000000100000-000000001fffffff (prio 0, ram): pc.ram @0000000000100000\n"
            "  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
            "\n"
            "FlatView #1\n"
            " AS \"I/O\", root: io\n"
            " Root memory region: (none)\n"
            "  No rendered FlatView\n"
            "\n");
}

TEST(Mtree, ChildrenSortByAddressThenPriorityThenLaterAddedFirst) {
  ContainerRegion root("root", 0x10000);
  MmioRegion a("a", 0x10), b("b", 0x10), c("c", 0x10), d("d", 0x10);
  root.add_subregion(0x100, a);
  root.add_subregion_overlap(0x0, b, -1);
  root.add_subregion_overlap(0x0, c, 2);
  root.add_subregion_overlap(0x0, d, -1);  // same address and priority as b, added later: first
  AddressSpace space(root, "as");
  EXPECT_EQ(mtree_text({&space}),
            "address-space: as\n"
            "  0000000000000000-000000000000ffff (prio 0, i/o): root\n"
            "    0000000000000000-000000000000000f (prio 2, i/o): c\n"
            "    0000000000000000-000000000000000f (prio -1, i/o): d\n"
            "    0000000000000000-000000000000000f (prio -1, i/o): b\n"
            "    0000000000000100-000000000000010f (prio 0, i/o): a\n"
            "\n");
}

TEST(Mtree, OverflowIsFlaggedAsQemuDoes) {
  ContainerRegion root("root", k64BitSpace);
  MmioRegion top("top", 0x2000);
  root.add_subregion(0xfffffffffffff000, top);
  AddressSpace space(root, "as");
  EXPECT_EQ(mtree_text({&space}),
            "address-space: as\n"
            "  0000000000000000-ffffffffffffffff (prio 0, i/o): root\n"
            "[DETECTED OVERFLOW!]     fffffffffffff000-0000000000000fff (prio 0, i/o): top\n"
            "\n");
}

TEST(Mtree, RootAliasIsNamedInTheFlatView) {
  ContainerRegion system("system", k64BitSpace);
  RamRegion ram("ram", 0x1000);
  system.add_subregion(0, ram);
  AliasRegion window("window", system, 0x0, 0x800);
  AddressSpace space(window, "dma");
  EXPECT_EQ(mtree_text({&space}, {true, false}),
            "FlatView #0\n"
            " AS \"dma\", root: window, alias system\n"
            " Root memory region: window\n"
            "  0000000000000000-00000000000007ff (prio 0, ram): ram\n"
            "\n");
}

}  // namespace
}  // namespace tlmmap
