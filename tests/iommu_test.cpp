// IOMMU regions in the model: QEMU's translate/attrs_to_index/notifier API,
// translation on every access path (read/write/load/store, debug, map, the
// TLM target), faults with their hook, nesting and loops, per-page splits.
#include <cstring>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/iommu_board.hpp"
#include "support/map_iommu.hpp"
#include "support/map_text.hpp"
#include "support/tlm_devices.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using test::MapIommu;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Board = test::IommuBoard;

// Collects the warnings tlmmap reports while alive.
struct Warnings {
  std::vector<std::string> messages;
  ScopedReportHandler scope{[this](Severity s, const char*, const std::string& m) {
    if (s == Severity::warning) messages.push_back(m);
  }};
};

TEST(Iommu, AccessesAreTranslatedPerIndexWithTheirPermissions) {
  Board b;
  b.iommu.map_page(0x3000, b.memory, 0x5000, IommuAccess::read_write, 0);
  b.iommu.map_page(0x3000, b.memory, 0x7000, IommuAccess::read, 1);
  uint32_t v = 0;
  ASSERT_EQ(b.bus.read(0x103010, &v, 4), MemTxResult::ok);  // unspecified attributes: index 0
  uint32_t expected;
  std::memcpy(&expected, b.ram.host_ptr() + 0x5010, 4);
  EXPECT_EQ(v, expected);
  ASSERT_EQ(b.bus.read(0x103010, &v, 4, b.requester(1)), MemTxResult::ok);
  std::memcpy(&expected, b.ram.host_ptr() + 0x7010, 4);
  EXPECT_EQ(v, expected);
  // Index 0 may write, index 1 may not.
  EXPECT_EQ(b.bus.store(0x103020, 4, 0xa5a5a5a5, b.requester(0)), MemTxResult::ok);
  EXPECT_EQ(b.ram.host_ptr()[0x5020], 0xa5);
  EXPECT_EQ(b.bus.store(0x103020, 4, 0x11111111, b.requester(1)), MemTxResult::access_error);
  EXPECT_NE(b.ram.host_ptr()[0x7020], 0x11);
  // The access's own direction is what translate() is asked for.
  EXPECT_THAT(b.iommu.flags_seen,
              ElementsAre(IommuAccess::read, IommuAccess::read, IommuAccess::write, IommuAccess::write));
}

TEST(Iommu, FaultsAnswerErrorsZeroReadDataAndReachTheHook) {
  Board b;
  b.iommu.map_page(0x1000, b.memory, 0x2000, IommuAccess::read, 2);
  uint64_t value = 0x1234;
  // Nothing mapped: decode error (TLM_ADDRESS_ERROR_RESPONSE).
  EXPECT_EQ(b.bus.load(0x104008, 8, value, b.requester(2)), MemTxResult::decode_error);
  EXPECT_EQ(value, 0u);
  // Mapped read-only, written: access error (TLM_COMMAND_ERROR_RESPONSE).
  EXPECT_EQ(b.bus.store(0x101008, 8, 1, b.requester(2)), MemTxResult::access_error);
  ASSERT_EQ(b.iommu.faults.size(), 2u);
  EXPECT_EQ(b.iommu.faults[0].address, 0x4008u);
  EXPECT_FALSE(b.iommu.faults[0].is_write);
  EXPECT_EQ(b.iommu.faults[0].index, 2);
  EXPECT_EQ(b.iommu.faults[0].attrs.requester_id, 2);
  EXPECT_EQ(b.iommu.faults[0].reason, IommuFaultReason::no_translation);
  EXPECT_EQ(b.iommu.faults[1].address, 0x1008u);
  EXPECT_TRUE(b.iommu.faults[1].is_write);
  EXPECT_EQ(b.iommu.faults[1].reason, IommuFaultReason::permission);
}

TEST(Iommu, APlainIommuRegionTranslatesNothingAndWarnsThroughTheDefaultHook) {
  ContainerRegion root{"root", k64BitSpace};
  IommuRegion plain{"plain", 0x10000};
  root.add_subregion(0x8000, plain);
  AddressSpace space{root, "space"};
  Warnings w;
  uint8_t byte = 1;
  EXPECT_EQ(space.read(0x8004, &byte, 1), MemTxResult::decode_error);
  EXPECT_EQ(byte, 0);
  ASSERT_EQ(w.messages.size(), 1u);
  EXPECT_EQ(w.messages[0], "read at 0x4 of IOMMU region 'plain' (index 0): no translation");
  // The platform's handler replaces the warning.
  std::vector<IommuFault> seen;
  plain.set_fault_handler([&](const IommuFault& f) { seen.push_back(f); });
  EXPECT_EQ(space.write(0x8010, &byte, 1), MemTxResult::decode_error);
  EXPECT_EQ(w.messages.size(), 1u);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].address, 0x10u);
  EXPECT_TRUE(seen[0].is_write);
}

TEST(Iommu, AnAccessAcrossPagesIsSplitPerTranslatedPage) {
  Board b;
  b.iommu.map_page(0x0000, b.memory, 0x9000, IommuAccess::read_write);
  b.iommu.map_page(0x1000, b.memory, 0x2000, IommuAccess::read_write);
  uint8_t out[16];
  ASSERT_EQ(b.bus.read(0x100ff8, out, 16), MemTxResult::ok);
  EXPECT_EQ(0, std::memcmp(out, b.ram.host_ptr() + 0x9ff8, 8));
  EXPECT_EQ(0, std::memcmp(out + 8, b.ram.host_ptr() + 0x2000, 8));
  // One page faults, the other is done: the results are OR-ed, the faulting
  // part reads as zeros.
  b.iommu.unmap_page(0x1000);
  ASSERT_EQ(b.bus.read(0x100ff8, out, 16), MemTxResult::decode_error);
  EXPECT_EQ(0, std::memcmp(out, b.ram.host_ptr() + 0x9ff8, 8));
  EXPECT_THAT(std::vector<uint8_t>(out + 8, out + 16), ElementsAre(0, 0, 0, 0, 0, 0, 0, 0));
  // A CPU-style access of 8 bytes across the pages is split too.
  b.iommu.map_page(0x1000, b.memory, 0x2000, IommuAccess::read_write);
  EXPECT_EQ(b.bus.store(0x100ffc, 8, 0x0807060504030201ull), MemTxResult::ok);
  EXPECT_THAT(std::vector<uint8_t>(b.ram.host_ptr() + 0x9ffc, b.ram.host_ptr() + 0xa000), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(std::vector<uint8_t>(b.ram.host_ptr() + 0x2000, b.ram.host_ptr() + 0x2004), ElementsAre(5, 6, 7, 8));
}

TEST(Iommu, DebugAccessesAreTranslatedWithoutSideEffects) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x4000, IommuAccess::read);
  uint8_t out[8] = {};
  EXPECT_EQ(b.bus.debug_read(0x102000, out, 8), 8u);
  EXPECT_EQ(0, std::memcmp(out, b.ram.host_ptr() + 0x4000, 8));
  // Debug accesses have the rights of the mapping, and stop at a fault
  // without telling the hook.
  EXPECT_EQ(b.bus.debug_write(0x102000, out, 8), 0u);
  EXPECT_EQ(b.bus.debug_read(0x102ffc, out, 8), 4u);
  EXPECT_TRUE(b.iommu.faults.empty());
  EXPECT_THAT(b.iommu.flags_seen, ElementsAre(IommuAccess::none, IommuAccess::none, IommuAccess::none,
                                              IommuAccess::none));
}

TEST(Iommu, NestedIommusTranslateInTurnAndALoopIsReported) {
  Board b;
  // bus -> iommu -> "middle" space -> inner IOMMU -> memory.
  ContainerRegion middle_root{"middle_root", k64BitSpace};
  MapIommu inner{"inner", 0x10000};
  middle_root.add_subregion(0x40000, inner);
  AddressSpace middle{middle_root, "middle"};
  b.iommu.map_page(0x0000, middle, 0x43000, IommuAccess::read_write);
  inner.map_page(0x3000, b.memory, 0x8000, IommuAccess::read);
  uint32_t v = 0;
  ASSERT_EQ(b.bus.read(0x100004, &v, 4), MemTxResult::ok);
  uint32_t expected;
  std::memcpy(&expected, b.ram.host_ptr() + 0x8004, 4);
  EXPECT_EQ(v, expected);
  // The inner IOMMU refuses the write: its fault, the outer one has none.
  EXPECT_EQ(b.bus.write(0x100004, &v, 4), MemTxResult::access_error);
  EXPECT_TRUE(b.iommu.faults.empty());
  ASSERT_EQ(inner.faults.size(), 1u);
  EXPECT_EQ(inner.faults[0].address, 0x3004u);
  // resolve() gives the whole way without side effects.
  IommuFaultReason why{};
  const IommuTlbEntry e = b.iommu.resolve(0x0004, MemTxAttrs{}, IommuAccess::read);
  EXPECT_EQ(e.target, &b.memory);
  EXPECT_EQ(e.translate(0x0004), 0x8004u);
  EXPECT_EQ(e.perm, IommuAccess::read);
  EXPECT_EQ(b.iommu.resolve(0x0004, MemTxAttrs{}, IommuAccess::write, &why).target, nullptr);
  EXPECT_EQ(why, IommuFaultReason::permission);

  // A loop: the IOMMU translates into the bus, onto itself.
  b.iommu.map_page(0x5000, b.bus, 0x105000, IommuAccess::read_write);
  Warnings w;
  EXPECT_EQ(b.bus.read(0x105000, &v, 4), MemTxResult::decode_error);
  ASSERT_EQ(w.messages.size(), 1u);
  EXPECT_THAT(w.messages[0], HasSubstr("read of 4 bytes at 0x105000 in address space 'bus' through IOMMU 'iommu': "
                                       "nested through more than 16 IOMMUs, a loop? ('iommu' -> 'iommu' -> "));
  EXPECT_EQ(b.bus.debug_read(0x105000, &v, 4), 0u);
  EXPECT_FALSE(b.bus.map(0x105000, 4, false));
  EXPECT_EQ(b.iommu.resolve(0x5000, MemTxAttrs{}, IommuAccess::read, &why).target, nullptr);
  EXPECT_EQ(why, IommuFaultReason::nesting);
}

TEST(Iommu, MapIsTranslatedAndStopsAtThePageEnd) {
  Board b;
  b.iommu.map_page(0x6000, b.memory, 0x3000, IommuAccess::read_write);
  Mapping m = b.bus.map(0x106f00, 0x1000, true);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m.bounced());
  EXPECT_EQ(m.data(), b.ram.host_ptr() + 0x3f00);
  EXPECT_EQ(m.length(), 0x100u);
  AddressSpace::unmap(m, 0x100);
  // A fault maps nothing and is a fault like any access's.
  EXPECT_FALSE(b.bus.map(0x107000, 4, false));
  ASSERT_EQ(b.iommu.faults.size(), 1u);
  EXPECT_EQ(b.iommu.faults[0].address, 0x7000u);
}

TEST(Iommu, NotifiersHearTheirIndexRangeAndFlagsAndReplay) {
  Board b;
  std::vector<std::string> heard;
  auto log = [&](const char* who) {
    return [&heard, who](const IommuTlbEvent& e) {
      heard.push_back(std::string(who) + (e.type == IommuNotifierFlag::map ? " map " : " unmap ") + hex(e.entry.iova) +
                      " " + to_string(e.entry.perm));
    };
  };
  IommuNotifier all{log("all"), IommuNotifierFlag::map_unmap, 0, 0xfffff, 0};
  IommuNotifier unmaps{log("unmaps"), IommuNotifierFlag::unmap, 0, 0xfffff, 0};
  IommuNotifier low{log("low"), IommuNotifierFlag::map_unmap, 0, 0x1fff, 0};
  IommuNotifier other{log("other"), IommuNotifierFlag::map_unmap, 0, 0xfffff, 1};
  b.iommu.register_notifier(all);
  b.iommu.register_notifier(unmaps);
  b.iommu.register_notifier(low);
  b.iommu.register_notifier(other);
  b.iommu.map_page(0x1000, b.memory, 0x2000, IommuAccess::read);
  b.iommu.map_page(0x5000, b.memory, 0x3000, IommuAccess::read_write);
  b.iommu.unmap_page(0x1000);
  EXPECT_THAT(heard, ElementsAre("all map 0x1000 read", "low map 0x1000 read", "all map 0x5000 read-write",
                                 "all unmap 0x1000 none", "unmaps unmap 0x1000 none", "low unmap 0x1000 none"));
  // The IOMMU heard how the union of the flags changed.
  EXPECT_THAT(b.iommu.flag_changes,
              ElementsAre(std::make_pair(IommuNotifierFlag::none, IommuNotifierFlag::map_unmap)));
  // Replay: a MAP for each page mapped now, in the notifier's range.
  heard.clear();
  b.iommu.map_page(0x7000, b.memory, 0x4000, IommuAccess::write);
  heard.clear();
  b.iommu.replay(all);
  EXPECT_THAT(heard, ElementsAre("all map 0x5000 read-write", "all map 0x7000 write"));
  // A notifier that dies is forgotten; one that stays outlives the region.
  {
    IommuNotifier brief{log("brief"), IommuNotifierFlag::map, 0, 0xfffff, 0};
    b.iommu.register_notifier(brief);
  }
  heard.clear();
  b.iommu.map_page(0x8000, b.memory, 0x4000, IommuAccess::read);
  EXPECT_THAT(heard, ElementsAre("all map 0x8000 read"));
}

TEST(Iommu, BadNotifierRegistrationsAreRefusedByName) {
  Board b;
  IommuNotifier far{[](const IommuTlbEvent&) {}, IommuNotifierFlag::map, 0, 0xfff, 4};
  EXPECT_EQ(test::error_of([&] { b.iommu.register_notifier(far); }),
            "registering a notifier with IOMMU 'iommu': index 4 is not below num_indexes() 4");
  IommuNotifier mute{[](const IommuTlbEvent&) {}, IommuNotifierFlag::none, 0, 0xfff, 0};
  EXPECT_EQ(test::error_of([&] { b.iommu.register_notifier(mute); }),
            "registering a notifier with IOMMU 'iommu': it wants no events");
  IommuNotifier empty{[](const IommuTlbEvent&) {}, IommuNotifierFlag::map, 0x2000, 0x1000, 0};
  EXPECT_EQ(test::error_of([&] { b.iommu.register_notifier(empty); }),
            "registering a notifier with IOMMU 'iommu': its range [0x2000, 0x1000] is empty");
  IommuNotifier once{[](const IommuTlbEvent&) {}, IommuNotifierFlag::map, 0, 0xfff, 0};
  b.iommu.register_notifier(once);
  EXPECT_EQ(test::error_of([&] { b.iommu.register_notifier(once); }),
            "registering a notifier with IOMMU 'iommu': it is registered already (with IOMMU 'iommu')");
}

TEST(Iommu, TheTlmTargetReachesTranslationThroughTheModel) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read);
  // An IOMMU range is decided by the model: the TLM face's general path.
  EXPECT_EQ(b.bus.lookup(0x102000)->route(false).kind, RouteKind::model);
  AddressSpaceTarget<32> target{"target", b.bus};
  test::RecordingInitiator<32> cpu{"cpu"};
  cpu.socket.bind(target.target_socket);
  uint32_t v = 0;
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), tlm::TLM_OK_RESPONSE);
  uint32_t expected;
  std::memcpy(&expected, b.ram.host_ptr() + 0x6010, 4);
  EXPECT_EQ(v, expected);
  EXPECT_EQ(cpu.transport(tlm::TLM_WRITE_COMMAND, 0x102010, &v, 4), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x103010, &v, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), 4u);
  EXPECT_EQ(b.iommu.faults.size(), 2u);
  // No DMI through an IOMMU range of an address space: the IOMMU module gives it.
  tlm::tlm_dmi dmi;
  EXPECT_FALSE(cpu.dmi(0x102010, dmi));
}

}  // namespace
}  // namespace tlmmap
