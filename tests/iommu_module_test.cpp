// The IOMMU as an interconnect module: payloads translated page by page,
// faults as TLM errors, debug transport without side effects, DMI grants as
// the intersection of the translated page and the downstream grant, and
// exact invalidation upstream on UNMAP/MAP, on downstream changes and when
// the IOMMU goes. The base-protocol checker sits on both hops.
#include <cstring>
#include <memory>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/map_iommu.hpp"
#include "support/protocol_checker.hpp"
#include "support/tlm_devices.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using test::MapIommu;
using test::ProtocolChecker;
using test::RecordingInitiator;
using ::testing::ElementsAre;
using Range = std::pair<uint64_t, uint64_t>;

// Two initiators -> checker -> IOMMU module -> checker -> the "memory"
// address space (RAM at 0x10000, 64 KiB) on an AddressSpaceTarget.
struct Platform {
  ContainerRegion mem_root{"mem_root", k64BitSpace};
  RamRegion ram{"ram", 0x10000};
  AddressSpace memory{mem_root, "memory"};
  std::unique_ptr<MapIommu> iommu = std::make_unique<MapIommu>("iommu", 0x100000, 0x1000, 2);
  AddressSpaceTarget<32> memory_target{"memory_target", memory};
  IommuModule<32> module{"module", *iommu};
  ProtocolChecker<32> up_a{"up_a"};
  ProtocolChecker<32> up_b{"up_b"};
  ProtocolChecker<32> down{"down"};
  RecordingInitiator<32> a{"a"};
  RecordingInitiator<32> b{"b"};

  Platform() {
    mem_root.add_subregion(0x10000, ram);
    a.socket.bind(up_a.target_socket);
    up_a.initiator_socket.bind(module.target_socket);
    b.socket.bind(up_b.target_socket);
    up_b.initiator_socket.bind(module.target_socket);
    module.initiator_socket.bind(down.target_socket);
    down.initiator_socket.bind(memory_target.target_socket);
    for (unsigned i = 0; i < 0x10000; ++i) ram.host_ptr()[i] = static_cast<uint8_t>(i * 13 + 1);
  }
  // The module's multi-socket completes its binding at the end of elaboration.
  void elaborate() { sc_core::sc_start(sc_core::SC_ZERO_TIME); }
  uint8_t* at(uint64_t memory_address) { return ram.host_ptr() + (memory_address - 0x10000); }
  void expect_no_violations() {
    for (auto* c : {&up_a, &up_b, &down}) EXPECT_TRUE(c->violations().empty()) << c->name();
  }
};

TEST(IommuModule, PayloadsAreTranslatedPageByPageWithFaultsAsTlmErrors) {
  Platform p;
  p.elaborate();
  p.iommu->map_page(0x1000, p.memory, 0x13000, IommuAccess::read_write);
  p.iommu->map_page(0x2000, p.memory, 0x18000, IommuAccess::read);
  uint8_t data[16];
  ASSERT_EQ(p.a.transport(tlm::TLM_READ_COMMAND, 0x1ff8, data, 16), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(0, std::memcmp(data, p.at(0x13ff8), 8));
  EXPECT_EQ(0, std::memcmp(data + 8, p.at(0x18000), 8));
  EXPECT_EQ(p.a.gp.get_address(), 0x1ff8u);
  // Write: the first page may, the second may not: the first is written,
  // the answer is the second's refusal.
  std::memset(data, 0x5a, sizeof data);
  EXPECT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x1ff8, data, 16), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(p.at(0x13ff8)[0], 0x5a);
  EXPECT_NE(p.at(0x18000)[0], 0x5a);
  EXPECT_EQ(p.a.transport(tlm::TLM_READ_COMMAND, 0x3000, data, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  ASSERT_EQ(p.iommu->faults.size(), 2u);
  EXPECT_EQ(p.iommu->faults[0].address, 0x2000u);
  EXPECT_EQ(p.iommu->faults[0].reason, IommuFaultReason::permission);
  EXPECT_EQ(p.iommu->faults[1].address, 0x3000u);
  EXPECT_EQ(p.iommu->faults[1].reason, IommuFaultReason::no_translation);
  // Byte enables across the pages keep their pattern.
  const unsigned char enables[2] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED};
  std::memset(data, 0xee, sizeof data);
  p.iommu->map_page(0x2000, p.memory, 0x18000, IommuAccess::read_write);
  ASSERT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x1ffd, data, 6, enables, 2), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.at(0x13ffd)[0], 0xee);
  EXPECT_NE(p.at(0x13ffe)[0], 0xee);
  EXPECT_EQ(p.at(0x13fff)[0], 0xee);
  EXPECT_NE(p.at(0x18000)[0], 0xee);
  EXPECT_EQ(p.at(0x18001)[0], 0xee);
  EXPECT_NE(p.at(0x18002)[0], 0xee);
  p.expect_no_violations();
}

TEST(IommuModule, RequesterIdsChooseTheirContext) {
  Platform p;
  p.elaborate();
  p.iommu->map_page(0x4000, p.memory, 0x11000, IommuAccess::read, 0);
  p.iommu->map_page(0x4000, p.memory, 0x12000, IommuAccess::read, 1);
  TxAttributes ext(MemTxAttrs::specified());
  ext.attrs.requester_id = 1;
  p.a.gp.set_extension(&ext);
  uint32_t v = 0;
  ASSERT_EQ(p.a.transport(tlm::TLM_READ_COMMAND, 0x4010, &v, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(0, std::memcmp(&v, p.at(0x12010), 4));
  p.a.gp.clear_extension(&ext);
  ASSERT_EQ(p.a.transport(tlm::TLM_READ_COMMAND, 0x4010, &v, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(0, std::memcmp(&v, p.at(0x11010), 4));
  p.expect_no_violations();
}

TEST(IommuModule, DebugTransportIsTranslatedWithoutSideEffects) {
  Platform p;
  p.elaborate();
  p.iommu->map_page(0x1000, p.memory, 0x14000, IommuAccess::read);
  uint8_t data[8];
  EXPECT_EQ(p.a.debug(tlm::TLM_READ_COMMAND, 0x1ffc, data, 8), 4u);
  EXPECT_EQ(0, std::memcmp(data, p.at(0x14ffc), 4));
  EXPECT_EQ(p.a.debug(tlm::TLM_WRITE_COMMAND, 0x1000, data, 8), 0u);
  EXPECT_TRUE(p.iommu->faults.empty());
  for (IommuAccess f : p.iommu->flags_seen) EXPECT_EQ(f, IommuAccess::none);
  p.expect_no_violations();
}

TEST(IommuModule, DmiGrantsAreThePageIntersectedWithTheDownstreamGrant) {
  Platform p;
  p.elaborate();
  // The page at 0x5000 reaches a RAM of 0x800 bytes and the hole after it.
  RamRegion tail{"tail", 0x800};
  p.mem_root.add_subregion(0x20000, tail);
  p.iommu->map_page(0x5000, p.memory, 0x20000, IommuAccess::read_write);
  p.iommu->map_page(0x6000, p.memory, 0x12000, IommuAccess::read);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.a.dmi(0x5100, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x5000u);
  EXPECT_EQ(dmi.get_end_address(), 0x57ffu);
  EXPECT_EQ(dmi.get_dmi_ptr(), tail.host_ptr());
  EXPECT_TRUE(dmi.is_read_write_allowed());
  // The read-only page grants reads only.
  ASSERT_TRUE(p.b.dmi(0x6ff0, dmi, tlm::TLM_WRITE_COMMAND));
  EXPECT_EQ(dmi.get_start_address(), 0x6000u);
  EXPECT_EQ(dmi.get_end_address(), 0x6fffu);
  EXPECT_EQ(dmi.get_dmi_ptr(), p.at(0x12000));
  EXPECT_TRUE(dmi.is_read_allowed());
  EXPECT_FALSE(dmi.is_write_allowed());
  // Where nothing lies downstream: denied over what both say.
  EXPECT_FALSE(p.a.dmi(0x5900, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x5800u);
  EXPECT_EQ(dmi.get_end_address(), 0x5fffu);
  // No translation: denied over the page.
  EXPECT_FALSE(p.a.dmi(0x7123, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x7000u);
  EXPECT_EQ(dmi.get_end_address(), 0x7fffu);
  EXPECT_EQ(p.module.dmi_grants(), 2u);
  EXPECT_EQ(p.module.dmi_answers(), 4u);
  p.expect_no_violations();
}

TEST(IommuModule, AnUnmapWithdrawsExactlyTheGrantsItMeetsBeforeItReturns) {
  Platform p;
  p.elaborate();
  p.iommu->map_page(0x1000, p.memory, 0x11000, IommuAccess::read_write);
  p.iommu->map_page(0x2000, p.memory, 0x12000, IommuAccess::read_write);
  p.iommu->map_page(0x2000, p.memory, 0x15000, IommuAccess::read_write, 1);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.a.dmi(0x1000, dmi));
  ASSERT_TRUE(p.a.dmi(0x2000, dmi));
  ASSERT_TRUE(p.b.dmi(0x2000, dmi));
  // Context 1's page 0x2000 was never granted: nobody hears of it.
  p.iommu->unmap_page(0x2000, 1);
  EXPECT_TRUE(p.a.invalidations.empty());
  EXPECT_TRUE(p.b.invalidations.empty());
  // Context 0's page 0x2000: both holders, over that page only, at once.
  p.iommu->unmap_page(0x2000, 0);
  EXPECT_THAT(p.a.invalidations, ElementsAre(Range{0x2000, 0x2fff}));
  EXPECT_THAT(p.b.invalidations, ElementsAre(Range{0x2000, 0x2fff}));
  EXPECT_EQ(p.module.dmi_grants(), 1u);
  // A remap is a change too: the denial given meanwhile is withdrawn.
  EXPECT_FALSE(p.a.dmi(0x2000, dmi));
  p.iommu->map_page(0x2000, p.memory, 0x13000, IommuAccess::read);
  EXPECT_THAT(p.a.invalidations, ElementsAre(Range{0x2000, 0x2fff}, Range{0x2000, 0x2fff}));
  p.expect_no_violations();
}

TEST(IommuModule, DownstreamChangesAreMappedBackToTheGrantsThatMeetThem) {
  Platform p;
  p.elaborate();
  p.iommu->map_page(0x1000, p.memory, 0x13000, IommuAccess::read_write);
  p.iommu->map_page(0x8000, p.memory, 0x14000, IommuAccess::read_write);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.a.dmi(0x1000, dmi));
  ASSERT_TRUE(p.b.dmi(0x8000, dmi));
  // A region over memory [0x13800, 0x13fff] changes what the first page
  // reaches. Downstream's invalidation discards its whole grant (memory's
  // RAM range, TLM-2.0's rule, and downstream forgets it): every grant made
  // from it is withdrawn whole, so no pointer stays usable that downstream
  // would no longer tell the module about.
  RamRegion patch{"patch", 0x800};
  p.mem_root.add_subregion_overlap(0x13800, patch, 1);
  EXPECT_THAT(p.a.invalidations, ElementsAre(Range{0x1000, 0x1fff}));
  EXPECT_THAT(p.b.invalidations, ElementsAre(Range{0x8000, 0x8fff}));
  // Asked again, the grants follow the new view.
  ASSERT_TRUE(p.a.dmi(0x1000, dmi));
  EXPECT_EQ(dmi.get_end_address(), 0x17ffu);
  ASSERT_TRUE(p.b.dmi(0x8000, dmi));
  EXPECT_EQ(dmi.get_end_address(), 0x8fffu);
  // A later change elsewhere in the old grant still reaches them.
  RamRegion patch2{"patch2", 0x1000};
  p.mem_root.add_subregion_overlap(0x14000, patch2, 1);
  EXPECT_THAT(p.b.invalidations, ElementsAre(Range{0x8000, 0x8fff}, Range{0x8000, 0x8fff}));
  p.expect_no_violations();
}

// Each initiator's b_transport keeps the translations it used, and
// downstream's DMI over them; a MAP/UNMAP drops the translation and a
// downstream change the DMI part, before the change returns.
TEST(IommuModule, TransportUsesCachedTranslationsDroppedExactlyOnChanges) {
  Platform p;
  p.elaborate();
  p.iommu->map_page(0x1000, p.memory, 0x13000, IommuAccess::read_write);
  p.iommu->map_page(0x2000, p.memory, 0x14000, IommuAccess::read);
  uint8_t data[4] = {1, 2, 3, 4};
  ASSERT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x1010, data, 4), tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(p.a.transport(tlm::TLM_READ_COMMAND, 0x2010, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.module.cached_translations(), 2u);
  const unsigned translations = p.iommu->translations;
  const std::size_t downstream = p.down.responses();
  // Warm: neither the IOMMU nor (downstream granted DMI) the target is asked.
  for (int i = 0; i < 8; ++i) {
    data[0] = static_cast<uint8_t>(0x40 + i);
    ASSERT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x1020 + i * 4, data, 4), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(p.at(0x13020 + i * 4)[0], 0x40 + i);
    ASSERT_EQ(p.a.transport(tlm::TLM_READ_COMMAND, 0x2020, data, 4), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(0, std::memcmp(data, p.at(0x14020), 4));
  }
  EXPECT_EQ(p.iommu->translations, translations);
  EXPECT_EQ(p.down.responses(), downstream);
  // The cached read-only page still refuses writes, and faults.
  EXPECT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x2020, data, 4), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(p.iommu->faults.size(), 1u);
  // Another initiator has a cache of its own.
  EXPECT_EQ(p.b.transport(tlm::TLM_READ_COMMAND, 0x1020, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.module.cached_translations(), 3u);
  // A remap: the next access goes where the new translation says.
  p.iommu->map_page(0x1000, p.memory, 0x15000, IommuAccess::read_write);
  EXPECT_EQ(p.module.cached_translations(), 1u);
  data[0] = 0x77;
  ASSERT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x1020, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.at(0x15020)[0], 0x77);
  EXPECT_NE(p.at(0x13020)[0], 0x77);
  // An unmap: refused at once.
  p.iommu->unmap_page(0x1000);
  EXPECT_EQ(p.a.transport(tlm::TLM_READ_COMMAND, 0x1020, data, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(p.iommu->translations, translations + 4);
  // Downstream changes drop the cached DMI: the RAM becomes read-only, then
  // a region is placed over the translated page.
  p.iommu->map_page(0x3000, p.memory, 0x16000, IommuAccess::read_write);
  const std::size_t before = p.down.responses();
  data[0] = 0x98;
  ASSERT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x3020, data, 4), tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x3020, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.down.responses(), before + 1);  // once (the response's DMI hint), then through the grant
  p.ram.set_readonly(true);
  data[0] = 0x99;
  EXPECT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x3020, data, 4), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(p.at(0x16020)[0], 0x98);
  p.ram.set_readonly(false);
  ASSERT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x3020, data, 4), tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x3020, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.at(0x16020)[0], 0x99);
  RamRegion patch{"patch", 0x1000};
  p.mem_root.add_subregion_overlap(0x16000, patch, 1);
  data[0] = 0x31;
  ASSERT_EQ(p.a.transport(tlm::TLM_WRITE_COMMAND, 0x3020, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(patch.host_ptr()[0x20], 0x31);
  EXPECT_EQ(p.at(0x16020)[0], 0x99);
  p.expect_no_violations();
}

TEST(IommuModule, NoStaleTranslatedPointerAfterAnUnmap) {
  Platform p;
  DmiInitiator<32> cpu{"cpu"};
  ProtocolChecker<32> checker{"checker"};
  cpu.socket.bind(checker.target_socket);
  checker.initiator_socket.bind(p.module.target_socket);
  p.elaborate();
  p.iommu->map_page(0x3000, p.memory, 0x16000, IommuAccess::read_write);
  sc_core::sc_time delay;
  cpu.write<uint32_t>(0x3010, 0xfeedf00d, delay);
  EXPECT_EQ(cpu.read<uint32_t>(0x3010, delay), 0xfeedf00du);
  EXPECT_GT(cpu.dmi_accesses(), 0u);
  p.iommu->unmap_page(0x3000);
  EXPECT_TRUE(cpu.dmi_cache().grants().empty());
  tlm::tlm_response_status status;
  cpu.read<uint32_t>(0x3010, delay, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  // Remapped elsewhere: the new translation, never the old pointer.
  p.iommu->map_page(0x3000, p.memory, 0x17000, IommuAccess::read_write);
  std::memcpy(p.at(0x17010), "\x01\x02\x03\x04", 4);
  EXPECT_EQ(cpu.read<uint32_t>(0x3010, delay), 0x04030201u);
  EXPECT_TRUE(checker.violations().empty());
}

TEST(IommuModule, TheIommuGoingWithdrawsEverythingAndRefusesAfterwards) {
  Platform p;
  p.elaborate();
  p.iommu->map_page(0x1000, p.memory, 0x11000, IommuAccess::read_write);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.a.dmi(0x1000, dmi));
  p.iommu.reset();
  EXPECT_THAT(p.a.invalidations, ElementsAre(Range{0x1000, 0x1fff}));
  EXPECT_EQ(p.module.iommu(), nullptr);
  uint32_t v;
  EXPECT_EQ(p.a.transport(tlm::TLM_READ_COMMAND, 0x1000, &v, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_FALSE(p.a.dmi(0x1000, dmi));
  EXPECT_EQ(p.a.debug(tlm::TLM_READ_COMMAND, 0x1000, &v, 4), 0u);
  p.expect_no_violations();
}

}  // namespace
}  // namespace tlmmap
