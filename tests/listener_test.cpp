// Memory listeners: QEMU's call sequences on the map changes real boards
// make (address_space_update_topology_pass(), listener_add_address_space(),
// MEMORY_LISTENER_CALL_GLOBAL), dirty-log and ioeventfd and coalesced-MMIO
// notifications, and listeners that come and go from inside callbacks.
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/listener_log.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using test::ListenerLog;

struct Board {
  ContainerRegion system{"system", k64BitSpace};
  RamRegion ram{"ram", 0x100000};
  AliasRegion low{"ram-low", ram, 0, 0xa0000};
  MmioRegion dev{"dev", 0x100};
  AddressSpace memory{system, "memory"};
  ListenerLog log;
  Board() {
    MmioOps ops;
    ops.read = [](uint64_t, unsigned) { return 0; };
    ops.write = [](uint64_t, uint64_t, unsigned) {};
    dev.set_ops(ops);
    Transaction t;
    system.add_subregion(0x0, low);
    system.add_subregion(0xfe000000, dev);
  }
};

TEST(Listener, RegisteringReplaysTheMapAndUnregisteringTakesItBack) {
  Board b;
  MemoryListener l("L");
  b.log.attach(l);
  memory_listener_register(l, &b.memory);
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L add memory 0x0-0x9ffff ram",
                                        "L add memory 0xfe000000-0xfe0000ff dev", "L commit"));
  memory_listener_unregister(l);
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L del memory 0x0-0x9ffff ram",
                                        "L del memory 0xfe000000-0xfe0000ff dev", "L commit"));
  b.dev.set_address(0xfe001000);
  EXPECT_THAT(b.log.take(), IsEmpty());
}

// A BAR move: the device's old range goes (listeners in reverse priority
// order), the rest is kept (nop) and the new range comes (in priority order).
TEST(Listener, BarMoveIsDeletedThenAddedInPriorityOrder) {
  Board b;
  MemoryListener high("high", 10);
  MemoryListener low("low", 0);
  b.log.attach(high);
  b.log.attach(low);
  memory_listener_register(high, &b.memory);
  memory_listener_register(low, &b.memory);
  b.log.take();
  b.dev.set_address(0xfe010000);
  EXPECT_THAT(b.log.take(),
              ElementsAre("low begin", "high begin",                                               //
                          "high del memory 0xfe000000-0xfe0000ff dev", "low del memory 0xfe000000-0xfe0000ff dev",
                          "low nop memory 0x0-0x9ffff ram", "high nop memory 0x0-0x9ffff ram",     //
                          "low add memory 0xfe010000-0xfe0100ff dev", "high add memory 0xfe010000-0xfe0100ff dev",
                          "low commit", "high commit"));
}

// PAM: a segment of the BIOS area switches from PCI to RAM inside one
// transaction (QEMU's pam_update()): one range goes, one comes.
TEST(Listener, PamToggleSwapsOneRange) {
  Board b;
  ContainerRegion pci("pci", k64BitSpace);
  MmioRegion pci_rom("pci-rom", 0x10000);
  pci.add_subregion(0xc0000, pci_rom);
  AliasRegion pam_pci("pam-pci", pci, 0xc0000, 0x4000);
  AliasRegion pam_ram("pam-ram", b.ram, 0xc0000, 0x4000);
  pam_ram.set_enabled(false);
  {
    Transaction t;
    b.system.add_subregion_overlap(0xc0000, pam_pci, 1);
    b.system.add_subregion_overlap(0xc0000, pam_ram, 1);
  }
  MemoryListener l("L");
  b.log.attach(l, false);
  memory_listener_register(l, &b.memory);
  b.log.take();
  {
    Transaction t;
    pam_pci.set_enabled(false);
    pam_ram.set_enabled(true);
  }
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L del memory 0xc0000-0xc3fff pci-rom",
                                        "L add memory 0xc0000-0xc3fff ram@0xc0000", "L commit"));
}

// SMRAM: an overlay over the VGA hole opens and closes; what it hid shows
// again. Open, it continues the low RAM alias (same RAM, offsets that follow
// on), so QEMU's flatview_simplify() makes one range of both: the low range
// goes too and the merged one comes.
TEST(Listener, SmramOverlayHidesAndShows) {
  Board b;
  MmioRegion vga("vga-lowmem", 0x20000);
  b.system.add_subregion_overlap(0xa0000, vga, 1);
  AliasRegion smram("smram-region", b.ram, 0xa0000, 0x20000);
  smram.set_enabled(false);
  b.system.add_subregion_overlap(0xa0000, smram, 2);
  MemoryListener l("L");
  b.log.attach(l, false);
  memory_listener_register(l, &b.memory);
  b.log.take();
  smram.set_enabled(true);
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L del memory 0x0-0x9ffff ram", "L del memory 0xa0000-0xbffff vga-lowmem",
                                        "L add memory 0x0-0xbffff ram", "L commit"));
  smram.set_enabled(false);
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L del memory 0x0-0xbffff ram", "L add memory 0x0-0x9ffff ram",
                                        "L add memory 0xa0000-0xbffff vga-lowmem", "L commit"));
}

// A flash leaving romd mode: the same range with another mode is a new range.
TEST(Listener, RomDeviceModeSwitchReplacesItsRange) {
  Board b;
  RomDeviceRegion flash("flash", 0x1000);
  b.system.add_subregion(0x20000000, flash);
  MemoryListener l("L");
  b.log.attach(l, false);
  memory_listener_register(l, &b.memory);
  b.log.take();
  flash.set_romd(false);
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L del memory 0x20000000-0x20000fff flash",
                                        "L add memory 0x20000000-0x20000fff flash", "L commit"));
}

// begin and commit reach every listener; ranges only those of the space.
TEST(Listener, ListenerLimitedToOneSpaceStillHearsBeginAndCommit) {
  Board b;
  ContainerRegion io_root("io", 0x10000);
  MmioRegion port("port", 0x8);
  AddressSpace io(io_root, "I/O");
  MemoryListener mem("mem");
  MemoryListener all("all");
  b.log.attach(mem, false);
  b.log.attach(all, false);
  memory_listener_register(mem, &b.memory);
  memory_listener_register(all);
  EXPECT_THAT(b.log.take(), ElementsAre("mem begin", "mem add memory 0x0-0x9ffff ram",
                                        "mem add memory 0xfe000000-0xfe0000ff dev", "mem commit",  //
                                        "all begin", "all add memory 0x0-0x9ffff ram",
                                        "all add memory 0xfe000000-0xfe0000ff dev", "all commit"));
  io_root.add_subregion(0x60, port);
  EXPECT_THAT(b.log.take(), ElementsAre("mem begin", "all begin", "all add I/O 0x60-0x67 port", "mem commit",
                                        "all commit"));
}

TEST(Listener, SetLogStartsAndStopsLoggingOnKeptRanges) {
  Board b;
  MemoryListener l("L");
  b.log.attach(l, false);
  memory_listener_register(l, &b.memory);
  b.log.take();
  b.ram.set_log(true, DirtyClient::vga);
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L log_start memory 0x0-0x9ffff ram 0->1", "L commit"));
  b.ram.set_log(true, DirtyClient::vga);  // counted: nothing changes
  EXPECT_THAT(b.log.take(), IsEmpty());
  b.ram.set_log(false, DirtyClient::vga);
  EXPECT_THAT(b.log.take(), IsEmpty());
  b.ram.set_log(false, DirtyClient::vga);
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L log_stop memory 0x0-0x9ffff ram 1->0", "L commit"));
}

TEST(Listener, GlobalDirtyLogStartAndStop) {
  Board b;
  MemoryListener l("L");
  b.log.attach(l, false);
  memory_listener_register(l, &b.memory);
  b.log.take();
  global_dirty_log_start();
  EXPECT_THAT(b.log.take(), ElementsAre("L log_global_start", "L begin",
                                        "L log_start memory 0x0-0x9ffff ram 0->4", "L commit"));
  // A listener registered now is told that tracking is on.
  MemoryListener late("late");
  b.log.attach(late, false);
  memory_listener_register(late, &b.memory);
  EXPECT_THAT(b.log.take(), ElementsAre("late begin", "late log_global_start", "late add memory 0x0-0x9ffff ram",
                                        "late log_start memory 0x0-0x9ffff ram 0->4",
                                        "late add memory 0xfe000000-0xfe0000ff dev", "late commit"));
  memory_listener_unregister(late);
  b.log.take();
  global_dirty_log_sync();
  EXPECT_THAT(b.log.take(), ElementsAre("L log_sync memory 0x0-0x9ffff ram"));
  global_dirty_log_stop();
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L log_stop memory 0x0-0x9ffff ram 4->0", "L commit",
                                        "L log_global_stop"));
}

TEST(Listener, IoeventfdsAreToldAtTheCommitWithoutBeginOrCommit) {
  Board b;
  MemoryListener l("L");
  b.log.attach(l, false);
  memory_listener_register(l, &b.memory);
  b.log.take();
  EventNotifier doorbell;
  b.dev.add_eventfd(0x10, 4, true, 0x1234, doorbell);
  EXPECT_THAT(b.log.take(), ElementsAre("L eventfd_add memory 0xfe000010+0x4 =0x1234"));
  // Moving the device moves its ioeventfd.
  b.dev.set_address(0xfe100000);
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L del memory 0xfe000000-0xfe0000ff dev",
                                        "L add memory 0xfe100000-0xfe1000ff dev",
                                        "L eventfd_del memory 0xfe000010+0x4 =0x1234",
                                        "L eventfd_add memory 0xfe100010+0x4 =0x1234", "L commit"));
  b.dev.del_eventfd(0x10, 4, true, 0x1234, doorbell);
  EXPECT_THAT(b.log.take(), ElementsAre("L eventfd_del memory 0xfe100010+0x4 =0x1234"));
}

TEST(Listener, CoalescingIsToldAtOnceAndFollowsTheRange) {
  Board b;
  MemoryListener l("L");
  b.log.attach(l, false);
  memory_listener_register(l, &b.memory);
  b.log.take();
  b.dev.add_coalescing(0x40, 0x20);
  EXPECT_THAT(b.log.take(), ElementsAre("L coalesced_del memory 0xfe000000+0x100",
                                        "L coalesced_add memory 0xfe000040+0x20"));
  b.dev.set_address(0xfe200000);
  EXPECT_THAT(b.log.take(), ElementsAre("L begin", "L coalesced_del memory 0xfe000000+0x100",
                                        "L del memory 0xfe000000-0xfe0000ff dev",
                                        "L add memory 0xfe200000-0xfe2000ff dev",
                                        "L coalesced_add memory 0xfe200040+0x20", "L commit"));
  b.dev.clear_coalescing();
  EXPECT_THAT(b.log.take(), ElementsAre("L coalesced_del memory 0xfe200000+0x100"));
}

// A listener may leave, itself or another, from inside a callback; one
// destroyed while registered is simply gone.
TEST(Listener, LeavingFromInsideACallback) {
  Board b;
  auto other = std::make_unique<MemoryListener>("other", 5);
  MemoryListener quitter("quitter", 0);
  b.log.attach(*other, false);
  b.log.attach(quitter, false);
  memory_listener_register(quitter, &b.memory);
  memory_listener_register(*other, &b.memory);
  b.log.take();
  quitter.region_add = [&](const Section&) {
    b.log.lines.push_back("quitter leaves");
    memory_listener_unregister(quitter);
    other.reset();
  };
  b.dev.set_address(0xfe300000);
  EXPECT_THAT(b.log.take(), ElementsAre("quitter begin", "other begin", "other del memory 0xfe000000-0xfe0000ff dev",
                                        "quitter del memory 0xfe000000-0xfe0000ff dev", "quitter leaves",
                                        // its unregistration takes the map back from it
                                        "quitter begin", "quitter del memory 0x0-0x9ffff ram",
                                        "quitter del memory 0xfe300000-0xfe3000ff dev", "quitter commit"));
  EXPECT_FALSE(quitter.registered());
}

TEST(Listener, SpaceDestroyedTakesItsRangesBack) {
  ContainerRegion root("root", 0x10000);
  RamRegion ram("ram", 0x1000);
  root.add_subregion(0, ram);
  ListenerLog log;
  MemoryListener l("L");
  log.attach(l, false);
  {
    AddressSpace space(root, "gone");
    memory_listener_register(l, &space);
    log.take();
  }
  EXPECT_THAT(log.take(), ElementsAre("L begin", "L del gone 0x0-0xfff ram", "L commit"));
  ram.set_address(0x100);
  EXPECT_THAT(log.take(), IsEmpty());
}

}  // namespace
}  // namespace tlmmap
