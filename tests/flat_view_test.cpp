// Rendering rules: what an address space's flat view holds for a map.
#include <algorithm>
#include <memory>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/map_text.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/rom_region.hpp"
#include "tlmmap/core/transaction.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using test::ranges;

// The worked example of QEMU's memory API documentation: B (container at
// 0x2000, size 0x4000, priority 2) with D at 0 and E at 0x2000 over C (MMIO
// at 0, size 0x6000, priority 1). B's subregions win where they overlap C;
// where B has nothing mapped, C shows through.
TEST(FlatView, PriorityExampleOfTheMemoryApiDocumentation) {
  ContainerRegion a("A", 0x8000);
  ContainerRegion b("B", 0x4000);
  MmioRegion c("C", 0x6000);
  MmioRegion d("D", 0x1000);
  MmioRegion e("E", 0x1000);
  b.add_subregion(0x0, d);
  b.add_subregion(0x2000, e);
  a.add_subregion_overlap(0x2000, b, 2);
  a.add_subregion_overlap(0x0, c, 1);
  AddressSpace space(a, "A");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0x1fff C", "0x2000-0x2fff D", "0x3000-0x3fff C@0x3000",
                                         "0x4000-0x4fff E", "0x5000-0x5fff C@0x5000"));
  EXPECT_EQ(space.lookup(0x3800)->region(), &c);
  EXPECT_EQ(space.lookup(0x6000), nullptr);
}

// The example PC memory map of the same documentation.
struct PcMap {
  ContainerRegion system{"system", u128(1) << 48};
  RamRegion ram{"ram", 0x100000000};
  ContainerRegion pci{"pci", 0x100000000};
  ContainerRegion vga_area{"vga-area", 0x20000};
  RamRegion vram{"vram", 0x1000000};
  MmioRegion vga_mmio{"vga-mmio", 0x10000};
  AliasRegion lomem{"lomem", ram, 0, 0xe0000000};
  AliasRegion himem{"himem", ram, 0xe0000000, 0x20000000};
  AliasRegion vga_window{"vga-window", pci, 0xa0000, 0x20000};
  AliasRegion pci_hole{"pci-hole", pci, 0xe0000000, 0x20000000};
  AliasRegion bank0{"vga-bank0", vram, 0x10000, 0x8000};
  AliasRegion bank1{"vga-bank1", vram, 0x20000, 0x8000};
  PcMap() {
    vga_area.add_subregion(0x0, bank0);
    vga_area.add_subregion(0x8000, bank1);
    pci.add_subregion(0xa0000, vga_area);
    pci.add_subregion(0xe1000000, vram);
    pci.add_subregion(0xe2000000, vga_mmio);
    system.add_subregion(0, lomem);
    system.add_subregion(0x100000000, himem);
    system.add_subregion_overlap(0xa0000, vga_window, 1);
    system.add_subregion(0xe0000000, pci_hole);
  }
};

TEST(FlatView, PcMapOfTheMemoryApiDocumentation) {
  PcMap pc;
  AddressSpace space(pc.system, "memory");
  EXPECT_THAT(ranges(space),
              ElementsAre("0x0-0x9ffff ram", "0xa0000-0xa7fff vram@0x10000", "0xa8000-0xaffff vram@0x20000",
                          // vga-area leaves 0xb0000-0xbffff empty: lomem shows through.
                          "0xb0000-0xdfffffff ram@0xb0000", "0xe1000000-0xe1ffffff vram",
                          "0xe2000000-0xe200ffff vga-mmio", "0x100000000-0x11fffffff ram@0xe0000000"));
  // Reprogramming the memory controller: the window off, a BAR moved.
  {
    Transaction t;
    pc.vga_window.set_enabled(false);
    pc.vram.set_address(0xe0000000);
  }
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0xdfffffff ram", "0xe0000000-0xe0ffffff vram",
                                         "0xe2000000-0xe200ffff vga-mmio",
                                         "0x100000000-0x11fffffff ram@0xe0000000"));
}

TEST(FlatView, LaterAddedWinsBetweenEqualPriorities) {
  ContainerRegion root("root", 0x1000);
  MmioRegion first("first", 0x100);
  MmioRegion second("second", 0x100);
  root.add_subregion_overlap(0x0, first, 3);
  root.add_subregion_overlap(0x80, second, 3);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0x7f first", "0x80-0x17f second"));
}

TEST(FlatView, HigherPriorityWinsWhateverTheAddOrder) {
  ContainerRegion root("root", 0x1000);
  MmioRegion high("high", 0x100);
  MmioRegion low("low", 0x100);
  root.add_subregion_overlap(0x0, high, 1);
  root.add_subregion_overlap(0x80, low, -1);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0xff high", "0x100-0x17f low@0x80"));
}

TEST(FlatView, PrioritiesAreLocalToTheirContainer) {
  // pc.rom has priority 1 inside pci, but pci sits below RAM in system.
  ContainerRegion system("system", 0x10000);
  ContainerRegion pci("pci", 0x10000);
  RamRegion ram("ram", 0x8000);
  RomRegion rom("rom", 0x1000);
  pci.add_subregion_overlap(0x7000, rom, 100);
  system.add_subregion_overlap(0, pci, -1);
  system.add_subregion(0, ram);
  AddressSpace space(system, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0x7fff ram"));
}

TEST(FlatView, AliasHolesShowLowerPrioritySiblings) {
  ContainerRegion root("root", 0x10000);
  ContainerRegion target("target", 0x10000);
  MmioRegion dev("dev", 0x100);
  RamRegion ram("ram", 0x10000);
  target.add_subregion(0x1000, dev);
  AliasRegion window("window", target, 0x0, 0x4000);
  root.add_subregion_overlap(0, window, 1);
  root.add_subregion(0, ram);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0xfff ram", "0x1000-0x10ff dev", "0x1100-0xffff ram@0x1100"));
}

TEST(FlatView, NonContainerRegionShowsWhereNoSubregionClaims) {
  ContainerRegion root("root", 0x1000);
  MmioRegion io("io", 0x100);
  MmioRegion index("rtc-index", 0x1);
  io.add_subregion(0x70, index);
  root.add_subregion(0, io);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0x6f io", "0x70-0x70 rtc-index", "0x71-0xff io@0x71"));
}

TEST(FlatView, AliasOffsetsAndAliasesOfAliases) {
  ContainerRegion root("root", 0x100000);
  RamRegion ram("ram", 0x10000);
  AliasRegion inner("inner", ram, 0x1000, 0x4000);   // ram 0x1000-0x4fff
  AliasRegion outer("outer", inner, 0x800, 0x2000);  // inner 0x800-0x27ff = ram 0x1800-0x37ff
  root.add_subregion(0x50000, outer);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x50000-0x51fff ram@0x1800"));
}

TEST(FlatView, TargetOwnAddressDoesNotShiftAnAlias) {
  ContainerRegion root("root", 0x100000);
  RomRegion bios("bios", 0x4000);
  AliasRegion isa("isa-bios", bios, 0x2000, 0x2000);
  root.add_subregion(0xfc000, bios);
  root.add_subregion(0xe0000, isa);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0xe0000-0xe1fff bios@0x2000 ro", "0xfc000-0xfffff bios ro"));
}

TEST(FlatView, SubregionsAreClippedToTheirContainer) {
  ContainerRegion root("root", 0x100000);
  ContainerRegion bus("bus", 0x1000);
  RamRegion big("big", 0x4000);
  bus.add_subregion(0x800, big);
  root.add_subregion(0x10000, bus);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x10800-0x10fff big"));
}

TEST(FlatView, AliasBeyondItsTargetRendersOnlyTheTarget) {
  ContainerRegion root("root", 0x100000);
  RamRegion ram("ram", 0x1000);
  AliasRegion wide("wide", ram, 0x800, 0x2000);
  root.add_subregion(0x4000, wide);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x4000-0x47ff ram@0x800"));
}

TEST(FlatView, DisabledRegionsRenderNothingAndHideNothing) {
  ContainerRegion root("root", 0x10000);
  RamRegion ram("ram", 0x10000);
  ContainerRegion overlay("overlay", 0x1000);
  MmioRegion dev("dev", 0x100);
  overlay.add_subregion(0, dev);
  root.add_subregion(0, ram);
  root.add_subregion_overlap(0x2000, overlay, 1);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0x1fff ram", "0x2000-0x20ff dev", "0x2100-0xffff ram@0x2100"));
  overlay.set_enabled(false);
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0xffff ram"));
  overlay.set_enabled(true);
  dev.set_enabled(false);
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0xffff ram"));
}

TEST(FlatView, AnAliasOfADisabledRegionRendersNothing) {
  ContainerRegion root("root", 0x10000);
  RamRegion smram("smram", 0x1000);
  AliasRegion window("window", smram, 0, 0x1000);
  smram.set_enabled(false);
  root.add_subregion(0x1000, window);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), IsEmpty());
}

TEST(FlatView, ReadonlyIsCarriedThroughAliasesAndContainers) {
  ContainerRegion root("root", 0x100000);
  RamRegion ram("ram", 0x10000);
  AliasRegion rom_view("pam-rom", ram, 0xc0000 & 0xffff, 0x4000);
  rom_view.set_readonly(true);
  ContainerRegion locked("locked", 0x1000);
  MmioRegion dev("dev", 0x1000);
  locked.add_subregion(0, dev);
  locked.set_readonly(true);
  root.add_subregion(0x0, rom_view);
  root.add_subregion(0x8000, locked);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0x3fff ram ro", "0x8000-0x8fff dev ro"));
  EXPECT_EQ(rom_view.type_name(), "ram");  // an alias shows its target's type
}

TEST(FlatView, AdjacentPiecesMergeOnlyWhenTheyContinueEachOther) {
  ContainerRegion root("root", 0x100000);
  RamRegion ram("ram", 0x10000);
  AliasRegion low("low", ram, 0x0, 0x8000);
  AliasRegion high("high", ram, 0x8000, 0x8000);    // continues low: merged
  AliasRegion again("again", ram, 0x0, 0x1000);     // restarts at offset 0: not merged
  AliasRegion ro("ro", ram, 0x1000, 0x1000);        // continues but read-only: not merged
  ro.set_readonly(true);
  root.add_subregion(0x0, low);
  root.add_subregion(0x8000, high);
  root.add_subregion(0x10000, again);
  root.add_subregion(0x11000, ro);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0xffff ram", "0x10000-0x10fff ram", "0x11000-0x11fff ram@0x1000 ro"));
}

TEST(FlatView, RomDeviceModeIsPartOfTheRange) {
  ContainerRegion root("root", 0x100000);
  RomDeviceRegion flash("flash", 0x2000);
  root.add_subregion(0x0, flash);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0x1fff flash"));
  EXPECT_EQ(flash.type_name(), "romd");
  flash.set_romd(false);
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0x1fff flash !romd"));
  EXPECT_EQ(flash.type_name(), "i/o");
}

TEST(FlatView, ZeroSizeRegionsRenderNothing) {
  ContainerRegion root("root", 0x1000);
  MmioRegion empty("empty", 0);
  ContainerRegion hollow("hollow", 0);
  MmioRegion inside("inside", 0x10);
  hollow.add_subregion(0, inside);
  root.add_subregion(0x10, empty);
  root.add_subregion(0x20, hollow);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), IsEmpty());
}

TEST(FlatView, CoversTheWhole64BitSpace) {
  ContainerRegion root("root", k64BitSpace);
  RamRegion all("all", k64BitSpace);
  MmioRegion top("top", 0x2000);  // clipped at 2^64
  root.add_subregion(0, all);
  root.add_subregion_overlap(0xfffffffffffff000, top, 1);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0xffffffffffffefff all", "0xfffffffffffff000-0xffffffffffffffff top"));
  EXPECT_EQ(space.view().ranges()[0].size(), k64BitSpace - 0x1000);
  EXPECT_EQ(space.lookup(UINT64_MAX)->region(), &top);
}

TEST(FlatView, AnAddressSpaceRootMappedElsewhereShiftsItsView) {
  // As QEMU's ppc-40p "raven-io": the root's own address is added.
  ContainerRegion system("system", k64BitSpace);
  ContainerRegion pci_io("pci-io", 0x10000);
  MmioRegion dma("dma-chan", 0x8);
  MmioRegion pic("pic", 0x2);
  pci_io.add_subregion(0, dma);
  pci_io.add_subregion(0x20, pic);
  system.add_subregion(0x80000000, pci_io);
  AddressSpace space(pci_io, "raven-io");
  EXPECT_THAT(ranges(space), ElementsAre("0x80000000-0x80000007 dma-chan", "0x80000020-0x80000021 pic"));
}

TEST(FlatView, AddressSpacesRenderFromQemusFlatviewRoot) {
  ContainerRegion system("system", k64BitSpace);
  RamRegion ram("ram", 0x1000);
  MmioRegion dev("dev", 0x1000);
  system.add_subregion(0, ram);
  system.add_subregion(0x1000, dev);
  ContainerRegion bus_master("bus master container", k64BitSpace);
  AliasRegion enable("bus master", system, 0, k64BitSpace);
  enable.set_enabled(false);
  bus_master.add_subregion(0, enable);
  AddressSpace memory(system, "memory");
  AddressSpace device(bus_master, "e1000");
  EXPECT_EQ(device.view().root(), nullptr);  // nothing enabled: "(none)"
  enable.set_enabled(true);
  // Follows the single enabled child and the whole-target alias to system,
  // and so shares the CPU's view.
  EXPECT_EQ(device.view().root(), &system);
  EXPECT_EQ(device.flat_view(), memory.flat_view());
  // A container whose only enabled child sits at 0 and fits renders from it.
  dev.set_enabled(false);
  EXPECT_EQ(memory.view().root(), &ram);
}

TEST(FlatView, AddressSpacesSharingARootShareTheView) {
  ContainerRegion system("system", k64BitSpace);
  RamRegion ram("ram", 0x1000);
  system.add_subregion(0, ram);
  AddressSpace a(system, "memory");
  AddressSpace b(system, "cpu-memory-0");
  EXPECT_EQ(a.flat_view(), b.flat_view());
  ram.set_address(0x1000);
  EXPECT_EQ(a.flat_view(), b.flat_view());
  EXPECT_THAT(ranges(b), ElementsAre("0x1000-0x1fff ram"));
}

TEST(FlatView, MirrorAliasesRecurseWithAShrinkingWindow) {
  // A container that shows itself again 0x1000 higher through an alias.
  ContainerRegion root("root", 0x10000);
  ContainerRegion bus("bus", 0x4000);
  RamRegion ram("ram", 0x1000);
  AliasRegion mirror("mirror", bus, 0x0, 0x3000);
  bus.add_subregion(0x0, ram);
  bus.add_subregion_overlap(0x1000, mirror, -1);
  root.add_subregion(0, bus);
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0xfff ram", "0x1000-0x1fff ram", "0x2000-0x2fff ram",
                                         "0x3000-0x3fff ram"));
}

TEST(FlatView, LookupFindsTheRangeAtEveryBoundary) {
  ContainerRegion root("root", k64BitSpace);
  std::vector<std::unique_ptr<MmioRegion>> devices;
  for (uint64_t i = 0; i < 100; ++i) {
    devices.push_back(std::make_unique<MmioRegion>("dev" + std::to_string(i), 0x100));
    root.add_subregion(i * 0x1000, *devices.back());
  }
  AddressSpace space(root, "as");
  for (uint64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(space.lookup(i * 0x1000)->region(), devices[i].get());
    EXPECT_EQ(space.lookup(i * 0x1000 + 0xff)->region(), devices[i].get());
    EXPECT_EQ(space.lookup(i * 0x1000 + 0x100), nullptr);
    EXPECT_EQ(space.lookup(i * 0x1000 - 1), nullptr);
  }
}

TEST(FlatView, FindReturnsTheSectionOfTheFirstRangeMet) {
  ContainerRegion root("root", 0x10000);
  RamRegion ram("ram", 0x1000);
  MmioRegion dev("dev", 0x1000);
  root.add_subregion(0x1000, ram);
  root.add_subregion(0x2000, dev);
  AddressSpace space(root, "as");
  Section s = space.find(0x1800, 0x1000);  // spans ram and dev: the ram part
  ASSERT_TRUE(s);
  EXPECT_EQ(s.region(), &ram);
  EXPECT_EQ(s.offset_within_region, 0x800u);
  EXPECT_EQ(s.size, u128(0x800));
  EXPECT_EQ(s.offset_within_address_space, 0x1800u);
  s = space.find(0x0, 0x1800);  // starts in a hole
  EXPECT_EQ(s.region(), &ram);
  EXPECT_EQ(s.offset_within_address_space, 0x1000u);
  EXPECT_FALSE(space.find(0x3000, 0x100));
  // QEMU: an empty range meets only a range holding it after its start.
  EXPECT_FALSE(space.find(0x1000, 0));
  EXPECT_EQ(space.find(0x1001, 0).region(), &ram);
  // memory_region_find() from a region climbs to the root of its tree.
  s = find(dev, 0x10, 4);
  EXPECT_EQ(s.region(), &dev);
  EXPECT_EQ(s.offset_within_address_space, 0x2010u);
}

TEST(FlatView, AMoveReAddsTheRegionSoItWinsAmongEquals) {
  ContainerRegion root("root", 0x10000);
  MmioRegion a("a", 0x1000);
  MmioRegion b("b", 0x1000);
  root.add_subregion(0x0, a);
  root.add_subregion(0x800, b);  // b added later: wins over a
  AddressSpace space(root, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0x7ff a", "0x800-0x17ff b"));
  a.set_address(0x400);  // a re-added: now a wins
  EXPECT_THAT(ranges(space), ElementsAre("0x400-0x13ff a", "0x1400-0x17ff b@0xc00"));
}

}  // namespace
}  // namespace tlmmap

namespace tlmmap {
namespace {

// The static search tree behind FlatView::lookup() against std::lower_bound, for
// every size around its block and level boundaries.
TEST(FlatView, IndexAgreesWithABinarySearch) {
  std::mt19937_64 rng(7);
  for (std::size_t n : {0u, 1u, 2u, 7u, 8u, 9u, 63u, 64u, 65u, 100u, 511u, 512u, 513u, 4097u, 40000u}) {
    std::vector<AddressRange> ranges;
    uint64_t at = rng() % 16;
    for (std::size_t i = 0; i < n; ++i) {
      AddressRange r;
      r.first = at;
      r.last = at + rng() % 8;
      at = r.last + 1 + rng() % 4;
      ranges.push_back(r);
    }
    if (n > 0 && n % 2 == 0) ranges.back().last = UINT64_MAX;  // a range reaching the top
    std::vector<uint64_t> lasts;
    for (const auto& r : ranges) lasts.push_back(r.last);
    const detail::RangeIndex view(lasts);
    std::vector<uint64_t> probes{0, 1, UINT64_MAX, UINT64_MAX - 1};
    for (const auto& r : ranges) {
      probes.push_back(r.first);
      probes.push_back(r.last);
      probes.push_back(r.last + 1);
      if (r.first > 0) probes.push_back(r.first - 1);
    }
    for (int i = 0; i < 1000; ++i) probes.push_back(rng() % (at + 10));
    for (uint64_t a : probes) {
      const auto expected = static_cast<std::size_t>(std::lower_bound(lasts.begin(), lasts.end(), a) - lasts.begin());
      ASSERT_EQ(view.first_ending_at_or_after(a), expected) << "n=" << n << " address=" << a;
    }
  }
}

}  // namespace
}  // namespace tlmmap
