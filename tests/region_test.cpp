// Region operations, queries and refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/map_text.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/iommu_region.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/reservation_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/rom_region.hpp"
#include "tlmmap/core/transaction.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::error_of;
using test::ranges;

TEST(Region, EveryKindReportsItsKindSizeNameAndType) {
  RamRegion ram("ram", 0x1000);
  RomRegion rom("rom", 0x1000);
  RomDeviceRegion flash("flash", 0x1000);
  MmioRegion mmio("mmio", 0x10);
  ContainerRegion container("container", k64BitSpace);
  AliasRegion alias("alias", ram, 0, 0x100);
  IommuRegion iommu("iommu", 0x1000);
  ReservationRegion reserved("reserved", 0x1000);
  EXPECT_EQ(ram.kind(), RegionKind::ram);
  EXPECT_EQ(rom.kind(), RegionKind::rom);
  EXPECT_EQ(flash.kind(), RegionKind::rom_device);
  EXPECT_EQ(mmio.kind(), RegionKind::mmio);
  EXPECT_EQ(container.kind(), RegionKind::container);
  EXPECT_EQ(alias.kind(), RegionKind::alias);
  EXPECT_EQ(iommu.kind(), RegionKind::iommu);
  EXPECT_EQ(reserved.kind(), RegionKind::reservation);
  EXPECT_EQ(container.size(), k64BitSpace);
  EXPECT_EQ(mmio.name(), "mmio");
  EXPECT_EQ(ram.type_name(), "ram");
  EXPECT_EQ(rom.type_name(), "rom");
  EXPECT_EQ(flash.type_name(), "romd");
  EXPECT_EQ(alias.type_name(), "ram");
  for (const Region* io : {static_cast<const Region*>(&mmio), static_cast<const Region*>(&container),
                           static_cast<const Region*>(&iommu), static_cast<const Region*>(&reserved)}) {
    EXPECT_EQ(io->type_name(), "i/o") << io->name();
  }
  EXPECT_TRUE(rom.readonly());
  EXPECT_FALSE(container.terminates());
  EXPECT_FALSE(alias.terminates());
  EXPECT_TRUE(reserved.terminates());
  EXPECT_EQ(to_string(RegionKind::rom_device), "rom_device");
  EXPECT_EQ(region_kind_from_string("reservation"), RegionKind::reservation);
  EXPECT_FALSE(region_kind_from_string("bogus"));
}

TEST(Region, AddDeleteAndQueryPlacement) {
  ContainerRegion root("root", 0x10000);
  MmioRegion dev("dev", 0x100);
  root.add_subregion_overlap(0x400, dev, -3);
  EXPECT_EQ(dev.container(), &root);
  EXPECT_EQ(dev.address(), 0x400u);
  EXPECT_EQ(dev.priority(), -3);
  EXPECT_TRUE(dev.may_overlap());
  EXPECT_THAT(root.subregions(), ElementsAre(&dev));
  root.del_subregion(dev);
  EXPECT_EQ(dev.container(), nullptr);
  EXPECT_EQ(root.subregion_count(), 0u);
  EXPECT_EQ(dev.address(), 0x400u);  // kept, as QEMU keeps mr->addr
  root.add_subregion(0x800, dev);
  EXPECT_FALSE(dev.may_overlap());
  EXPECT_EQ(dev.priority(), 0);
}

TEST(Region, SubregionsAreKeptInRenderOrderAndAddOrder) {
  ContainerRegion root("root", 0x10000);
  MmioRegion a("a", 0x10), b("b", 0x10), c("c", 0x10), d("d", 0x10);
  root.add_subregion_overlap(0x0, a, 0);
  root.add_subregion_overlap(0x0, b, 1);
  root.add_subregion_overlap(0x0, c, 0);
  root.add_subregion_overlap(0x0, d, -1);
  EXPECT_THAT(root.subregions(), ElementsAre(&b, &c, &a, &d));
  EXPECT_THAT(root.subregions_in_add_order(), ElementsAre(&a, &b, &c, &d));
}

TEST(Region, RefusesARegionThatAlreadyHasAContainer) {
  ContainerRegion one("one", 0x1000), two("two", 0x1000);
  MmioRegion dev("dev", 0x10);
  one.add_subregion(0x10, dev);
  AddressSpace space(one, "as");
  const auto before = ranges(space);
  const std::string message = error_of([&] { two.add_subregion(0, dev); });
  EXPECT_THAT(message, HasSubstr("'dev'"));
  EXPECT_THAT(message, HasSubstr("'one'"));
  EXPECT_THAT(message, HasSubstr("'two'"));
  EXPECT_THAT(error_of([&] { one.add_subregion(0x20, dev); }), HasSubstr("already a subregion"));
  EXPECT_EQ(dev.container(), &one);
  EXPECT_EQ(dev.address(), 0x10u);
  EXPECT_EQ(two.subregion_count(), 0u);
  EXPECT_EQ(ranges(space), before);
}

TEST(Region, RefusesSubregionsOnAnAlias) {
  RamRegion ram("ram", 0x1000);
  AliasRegion alias("window", ram, 0, 0x1000);
  MmioRegion dev("dev", 0x10);
  EXPECT_THAT(error_of([&] { alias.add_subregion(0, dev); }), HasSubstr("alias cannot hold subregions"));
  EXPECT_EQ(dev.container(), nullptr);
  EXPECT_EQ(alias.subregion_count(), 0u);
}

TEST(Region, RefusesAliasCyclesDirectAndThroughOtherAliases) {
  RamRegion ram("ram", 0x1000);
  AliasRegion a("a", 0x100);
  EXPECT_THAT(error_of([&] { a.set_target(a, 0); }), HasSubstr("alias cycle 'a' -> 'a'"));
  AliasRegion b("b", a, 0, 0x100);
  AliasRegion c("c", b, 0, 0x100);
  EXPECT_THAT(error_of([&] { a.set_target(c, 0); }), HasSubstr("alias cycle 'a' -> 'c' -> 'b' -> 'a'"));
  EXPECT_EQ(a.alias_target(), nullptr);
  a.set_target(ram, 0x10);
  EXPECT_EQ(a.alias_target(), &ram);
  EXPECT_EQ(a.alias_offset(), 0x10u);
}

TEST(Region, RefusesDeletingWhatIsNotASubregionThere) {
  ContainerRegion one("one", 0x1000), two("two", 0x1000);
  MmioRegion dev("dev", 0x10), loose("loose", 0x10);
  one.add_subregion(0, dev);
  EXPECT_THAT(error_of([&] { two.del_subregion(dev); }),
              HasSubstr("deleting 'dev' from 'two': it is not a subregion there (it is 'dev' (offset 0x0 in 'one'))"));
  EXPECT_THAT(error_of([&] { one.del_subregion(loose); }), HasSubstr("not a subregion"));
  EXPECT_EQ(dev.container(), &one);
}

TEST(Region, RefusesContainmentCycles) {
  ContainerRegion outer("outer", 0x1000), inner("inner", 0x1000);
  outer.add_subregion(0, inner);
  EXPECT_THAT(error_of([&] { inner.add_subregion(0, outer); }), HasSubstr("would contain itself"));
  ContainerRegion loose("loose", 0x1000);
  EXPECT_THAT(error_of([&] { loose.add_subregion(0, loose); }), HasSubstr("cannot hold itself"));
  EXPECT_EQ(outer.container(), nullptr);
}

TEST(Region, RefusesZeroAndOversizedSizes) {
  EXPECT_THAT(error_of([] { RamRegion r("r", 0); }), HasSubstr("ram region 'r': size 0"));
  EXPECT_THAT(error_of([] { RomRegion r("r", 0); }), HasSubstr("size 0"));
  EXPECT_THAT(error_of([] { RomDeviceRegion r("r", 0); }), HasSubstr("size 0"));
  EXPECT_THAT(error_of([] { ContainerRegion r("huge", k64BitSpace + 1); }),
              HasSubstr("region 'huge': size 0x10000000000000001 exceeds"));
  EXPECT_THAT(error_of([] { MmioRegion r("m", k64BitSpace * 2); }), HasSubstr("exceeds"));
  EXPECT_EQ(error_of([] { MmioRegion m("m", 0); ContainerRegion c("c", 0); }), "");
}

TEST(Region, RefusesMakingARomWritable) {
  RomRegion rom("bios", 0x1000);
  EXPECT_THAT(error_of([&] { rom.set_readonly(false); }), HasSubstr("ROM 'bios' is read-only"));
  EXPECT_TRUE(rom.readonly());
}

TEST(Region, RefusesAZeroShiftMirror) {
  ContainerRegion bus("bus", 0x4000);
  AliasRegion mirror("mirror", bus, 0x1000, 0x1000);
  // At 0x1000 the alias would show bus at 0x1000 - 0x1000 = 0 again, forever.
  EXPECT_THAT(error_of([&] { bus.add_subregion(0x1000, mirror); }), HasSubstr("zero shift"));
  EXPECT_EQ(mirror.container(), nullptr);
  bus.add_subregion(0x2000, mirror);  // shifted by 0x1000: fine
  EXPECT_THAT(error_of([&] { mirror.set_alias_offset(0x2000); }), HasSubstr("zero shift"));
  EXPECT_EQ(mirror.alias_offset(), 0x1000u);
  EXPECT_THAT(error_of([&] { mirror.set_address(0x1000); }), HasSubstr("zero shift"));
  EXPECT_EQ(mirror.address(), 0x2000u);
  EXPECT_THAT(bus.subregions(), ElementsAre(&mirror));
}

TEST(Region, RefusalsLeaveTheMapAsItWasWhenTheHandlerDoesNotThrow) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_DO_NOTHING);
  ContainerRegion root("root", 0x1000), other("other", 0x1000);
  MmioRegion dev("dev", 0x10);
  root.add_subregion(0, dev);
  AddressSpace space(root, "as");
  other.add_subregion(0, dev);
  root.del_subregion(other);
  dev.add_subregion(0, root);
  EXPECT_EQ(dev.container(), &root);
  EXPECT_EQ(other.subregion_count(), 0u);
  EXPECT_EQ(root.container(), nullptr);
  EXPECT_THAT(ranges(space), ElementsAre("0x0-0xf dev"));
  RamRegion empty("empty", 0);  // refused: created empty, renders nothing
  EXPECT_EQ(empty.size(), u128(0));
}

TEST(Region, ChangesOutsideATransactionAreVisibleAtOnce) {
  ContainerRegion root("root", 0x10000);
  RamRegion ram("ram", 0x1000);
  AddressSpace space(root, "as");
  root.add_subregion(0x1000, ram);
  EXPECT_THAT(ranges(space), ElementsAre("0x1000-0x1fff ram"));
  ram.set_address(0x3000);
  EXPECT_THAT(ranges(space), ElementsAre("0x3000-0x3fff ram"));
  ram.set_readonly(true);
  EXPECT_THAT(ranges(space), ElementsAre("0x3000-0x3fff ram ro"));
  ram.set_enabled(false);
  EXPECT_TRUE(space.view().empty());
  ram.set_enabled(true);
  root.del_subregion(ram);
  EXPECT_TRUE(space.view().empty());
}

TEST(Region, AliasOffsetChangesAreVisible) {
  ContainerRegion root("root", 0x10000);
  RamRegion ram("ram", 0x4000);
  AliasRegion window("window", ram, 0, 0x1000);
  root.add_subregion(0x8000, window);
  AddressSpace space(root, "as");
  window.set_alias_offset(0x2000);
  EXPECT_THAT(ranges(space), ElementsAre("0x8000-0x8fff ram@0x2000"));
}

class CountingObserver : public ViewObserver {
 public:
  void view_changed(const AddressSpace&, const ViewChange& change) override {
    ++calls;
    changes = change.changed_ranges();
    // Looking only where the commit rendered again finds every change.
    EXPECT_EQ(changes, changed_ranges(change.before, change.after));
  }
  int calls = 0;
  std::vector<AddressRange> changes;
};

TEST(Region, TransactionsNestAndRenderOnceAtTheOutermostCommit) {
  ContainerRegion root("root", 0x10000);
  RamRegion ram("ram", 0x1000);
  MmioRegion dev("dev", 0x100);
  root.add_subregion(0x0, ram);
  AddressSpace space(root, "as");
  CountingObserver observer;
  space.add_observer(observer);
  const auto before = space.flat_view();
  transaction_begin();
  root.add_subregion(0x4000, dev);
  {
    Transaction inner;
    ram.set_address(0x1000);
    EXPECT_EQ(transaction_depth(), 2);
  }
  EXPECT_EQ(space.flat_view(), before);  // nothing visible before the outermost commit
  EXPECT_EQ(observer.calls, 0);
  transaction_commit();
  EXPECT_EQ(transaction_depth(), 0);
  EXPECT_EQ(observer.calls, 1);
  EXPECT_THAT(ranges(space), ElementsAre("0x1000-0x1fff ram", "0x4000-0x40ff dev"));
  EXPECT_EQ(observer.changes, (std::vector<AddressRange>{{0x0, 0x1fff}, {0x4000, 0x40ff}}));
  EXPECT_THAT(error_of([] { transaction_commit(); }), HasSubstr("without a matching"));
}

TEST(Region, ChangesOutsideAnyAddressSpaceRenderNothing) {
  ContainerRegion root("root", 0x10000);
  ContainerRegion loose("loose", 0x10000);
  RamRegion ram("ram", 0x1000);
  root.add_subregion(0, ram);
  AddressSpace space(root, "as");
  CountingObserver observer;
  space.add_observer(observer);
  MmioRegion dev("dev", 0x10);
  loose.add_subregion(0, dev);
  dev.set_address(0x100);
  EXPECT_EQ(observer.calls, 0);
  ram.set_address(0x100);
  EXPECT_EQ(observer.calls, 1);
}

TEST(Region, DestroyingARegionUnlinksIt) {
  ContainerRegion root("root", 0x10000);
  RamRegion ram("ram", 0x1000);
  AddressSpace space(root, "as");
  auto dev = std::make_unique<MmioRegion>("dev", 0x100);
  auto window = std::make_unique<AliasRegion>("window", *dev, 0, 0x100);
  root.add_subregion(0x1000, *dev);
  root.add_subregion(0x2000, *window);
  EXPECT_THAT(ranges(space), ElementsAre("0x1000-0x10ff dev", "0x2000-0x20ff dev"));
  dev.reset();
  EXPECT_EQ(window->alias_target(), nullptr);
  EXPECT_TRUE(space.view().empty());
  EXPECT_THAT(root.subregions(), ElementsAre(window.get()));
  {
    auto container = std::make_unique<ContainerRegion>("container", 0x1000);
    container->add_subregion(0, ram);
    AddressSpace rooted(*container, "rooted");
    container.reset();
    EXPECT_EQ(ram.container(), nullptr);
    EXPECT_EQ(rooted.root(), nullptr);
    EXPECT_TRUE(rooted.view().empty());
  }
}

TEST(Region, RamIsReservedOnlyOnFirstUse) {
  RamRegion big("big", u128(64) << 30);  // 64 GiB: nothing committed to print a map
  EXPECT_FALSE(big.memory_reserved());
  uint8_t* host = big.host_ptr();
  ASSERT_NE(host, nullptr);
  host[(u128(64) << 30) - 1] = 0x5a;
  EXPECT_EQ(host[(u128(64) << 30) - 1], 0x5a);
  EXPECT_EQ(host[0], 0);
  uint8_t buffer[16] = {};
  RamRegion external("external", sizeof buffer, buffer);
  EXPECT_EQ(external.host_ptr(), buffer);
}

TEST(Region, HostMemoryThatCannotBeReservedIsReported) {
  RamRegion whole("whole", k64BitSpace);
  EXPECT_THAT(error_of([&] { whole.host_ptr(); }), HasSubstr("cannot reserve"));
}

}  // namespace
}  // namespace tlmmap
