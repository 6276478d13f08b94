// The reference IOMMU (contexts by requester id, two-level tables in guest
// memory, IOTLB and its invalidation commands, fault registers and
// interrupt) and the DMA engine behind an IOMMU module.
#include <cstring>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/iommu_platform.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using test::kDram;
using test::Platform;
using R = ReferenceIommu;

TEST(ReferenceIommu, ContextsByRequesterIdTranslateThroughTablesInGuestMemory) {
  Platform p;
  p.driver.map(1, 0x3000, kDram + 0x5000, IommuAccess::read_write);
  p.driver.map(2, 0x3000, kDram + 0x9000, IommuAccess::read);
  uint32_t v = 0;
  ASSERT_EQ(p.device.read(0x3010, &v, 4, Platform::requester(1)), MemTxResult::ok);
  EXPECT_EQ(0, std::memcmp(&v, p.at(kDram + 0x5010), 4));
  ASSERT_EQ(p.device.read(0x3010, &v, 4, Platform::requester(2)), MemTxResult::ok);
  EXPECT_EQ(0, std::memcmp(&v, p.at(kDram + 0x9010), 4));
  EXPECT_EQ(p.device.write(0x3010, &v, 4, Platform::requester(2)), MemTxResult::access_error);
  // Requester 3 has no context: no translation.
  EXPECT_EQ(p.device.read(0x3010, &v, 4, Platform::requester(3)), MemTxResult::decode_error);
}

TEST(ReferenceIommu, FaultsAreRecordedInRegistersWithTheInterrupt) {
  Platform p;
  p.driver.map(2, 0x7000, kDram + 0x1000, IommuAccess::read);
  uint32_t v = 0;
  EXPECT_EQ(p.device.write(0x7008, &v, 4, Platform::requester(2)), MemTxResult::access_error);
  const uint64_t status = p.driver.read_reg(R::kFaultStatus);
  EXPECT_EQ(status & 1, 1u);                      // pending
  EXPECT_EQ(status & 4, 4u);                      // a write
  EXPECT_EQ((status >> 8) & 0xff, 2u);            // permission
  EXPECT_EQ(status >> 32, 2u);                    // requester id
  EXPECT_EQ(p.driver.read_reg(R::kFaultAddr), 0x7008u);
  EXPECT_TRUE(p.smmu.interrupt_pending());
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_TRUE(p.smmu.irq.read());
  // A second fault while one is pending: overflow, the first one stays.
  EXPECT_EQ(p.device.read(0x9000, &v, 4, Platform::requester(2)), MemTxResult::decode_error);
  EXPECT_EQ(p.driver.read_reg(R::kFaultStatus) & 3, 3u);
  EXPECT_EQ(p.driver.read_reg(R::kFaultAddr), 0x7008u);
  // Write 1s to clear; the line drops.
  p.driver.write_reg(R::kFaultStatus, 3);
  EXPECT_EQ(p.driver.read_reg(R::kFaultStatus), 0u);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_FALSE(p.smmu.irq.read());
  // Debug accesses record nothing.
  EXPECT_EQ(p.device.debug_read(0x9000, &v, 4), 0u);
  EXPECT_EQ(p.driver.read_reg(R::kFaultStatus), 0u);
}

TEST(ReferenceIommu, TheIotlbKeepsATranslationUntilItIsInvalidated) {
  Platform p;
  p.driver.map(0, 0x2000, kDram + 0x4000, IommuAccess::read_write);
  uint8_t b = 0;
  ASSERT_EQ(p.device.read(0x2001, &b, 1), MemTxResult::ok);
  EXPECT_EQ(p.smmu.iotlb_misses(), 1u);
  // The access path keeps the translation (the region's translation cache):
  // the next access in the page does not ask the IOMMU at all.
  ASSERT_EQ(p.device.read(0x2002, &b, 1), MemTxResult::ok);
  EXPECT_EQ(p.smmu.iotlb_hits() + p.smmu.iotlb_misses(), 1u);
  EXPECT_EQ(p.smmu.region().cached_translations(), 1u);
  // An access's translation asked of the IOMMU itself hits its IOTLB.
  EXPECT_EQ(p.smmu.region().translate(0x2002, IommuAccess::read, 0).translated_addr, kDram + 0x4000);
  EXPECT_EQ(p.smmu.iotlb_hits(), 1u);
  // Debug reads neither fill nor count.
  EXPECT_EQ(p.device.debug_read(0x2003, &b, 1), 1u);
  EXPECT_EQ(p.smmu.iotlb_hits() + p.smmu.iotlb_misses(), 2u);
  // The entry in memory changes behind the IOTLB: accesses keep the cached
  // translation until the invalidation command, as on hardware.
  const uint64_t l0_entry_address = [&] {
    const IommuTlbEntry e = p.smmu.region().translate(0x2000, IommuAccess::none, 0);
    return e.translated_addr;
  }();
  EXPECT_EQ(l0_entry_address, kDram + 0x4000);
  p.driver.map(0, 0x2000, kDram + 0x6000, IommuAccess::read_write);  // writes the entry and invalidates it
  ASSERT_EQ(p.device.read(0x2001, &b, 1), MemTxResult::ok);
  EXPECT_EQ(b, *p.at(kDram + 0x6001));
  EXPECT_EQ(p.smmu.iotlb_misses(), 2u);
  // Invalidate-all and the context command drop everything of theirs.
  p.driver.write_reg(R::kInvCmd, R::kInvEverything);
  ASSERT_EQ(p.device.read(0x2001, &b, 1), MemTxResult::ok);
  EXPECT_EQ(p.smmu.iotlb_misses(), 3u);
}

TEST(ReferenceIommu, LargePagesAndTheDisabledIommuPassingThrough) {
  Platform p;
  p.driver.map_large(4, 0x200000, kDram + 0x400000, IommuAccess::read);
  const IommuTlbEntry e = p.smmu.region().translate(0x2abcde, IommuAccess::none, 4);
  EXPECT_EQ(e.addr_mask, 0x1fffffu);
  EXPECT_EQ(e.translate(0x2abcde), kDram + 0x4abcde);
  uint32_t v = 0;
  ASSERT_EQ(p.device.read(0x3ffffc, &v, 4, Platform::requester(4)), MemTxResult::ok);
  EXPECT_EQ(0, std::memcmp(&v, p.at(kDram + 0x5ffffc), 4));
  p.driver.unmap(4, 0x2abcde);
  EXPECT_EQ(p.device.read(0x3ffffc, &v, 4, Platform::requester(4)), MemTxResult::decode_error);
  // Off: every address passes untranslated.
  p.driver.write_reg(R::kCtrl, 0);
  uint8_t b = 0;
  EXPECT_EQ(p.device.read(0x1234, &b, 1, Platform::requester(9)), MemTxResult::decode_error);  // nothing at 0x1234
  const IommuTlbEntry off = p.smmu.region().translate(0x1234, IommuAccess::read, 9);
  EXPECT_EQ(off.translate(0x1234), 0x1234u);
  EXPECT_EQ(off.perm, IommuAccess::read_write);
}

TEST(ReferenceIommu, InvalidationsTellNotifiersAndReplayWalksTheTables) {
  Platform p;
  std::vector<std::pair<int, uint64_t>> events;  // (type, first)
  IommuNotifier n{[&](const IommuTlbEvent& e) { events.emplace_back(static_cast<int>(e.type), e.entry.iova); },
                  IommuNotifierFlag::map_unmap, 0, ~uint64_t(0), 6};
  p.smmu.region().register_notifier(n);
  p.driver.map(6, 0x5000, kDram + 0x8000, IommuAccess::read);
  p.driver.map_large(6, 0x400000, kDram + 0x200000, IommuAccess::read_write);
  p.driver.unmap(6, 0x5000);
  using F = IommuNotifierFlag;
  EXPECT_THAT(events, ::testing::ElementsAre(std::make_pair(int(F::unmap), 0x5000), std::make_pair(int(F::map), 0x5000),
                                             std::make_pair(int(F::unmap), 0x400000),
                                             std::make_pair(int(F::map), 0x400000),
                                             std::make_pair(int(F::unmap), 0x5000)));
  events.clear();
  p.driver.map(6, 0x9000, kDram + 0x8000, IommuAccess::read);
  events.clear();
  p.smmu.region().replay(n);
  EXPECT_THAT(events, ::testing::ElementsAre(std::make_pair(int(F::map), 0x9000),
                                             std::make_pair(int(F::map), 0x400000)));
}

TEST(DmaEngine, CopiesThroughTheIommuWithDmiAndReportsAFaultAfterAnUnmap) {
  Platform p;
  const uint64_t src = 0x10000, dst = 0x40000;
  for (uint64_t page = 0; page < 4; ++page) {
    p.driver.map(5, src + page * 0x1000, kDram + 0x20000 + page * 0x3000, IommuAccess::read);
    p.driver.map(5, dst + page * 0x1000, kDram + 0x60000 + page * 0x1000, IommuAccess::read_write);
  }
  p.run_dma(src + 0x10, dst + 0x20, 0x3000);
  EXPECT_EQ(p.dma.reg(DmaEngine::kStatus), DmaEngine::kDone);
  EXPECT_TRUE(p.dma.irq.read());
  // Byte i of the copy: from its source page, to its destination page.
  for (uint64_t i = 0; i < 0x3000; ++i) {
    const uint64_t s = src + 0x10 + i, d = dst + 0x20 + i;
    const uint64_t from = kDram + 0x20000 + ((s - src) / 0x1000) * 0x3000 + (s & 0xfff);
    const uint64_t to = kDram + 0x60000 + (d - dst);
    ASSERT_EQ(*p.at(to), *p.at(from)) << "byte " << i;
  }
  EXPECT_EQ(p.dma.dmi_bytes(), 0x3000u);
  EXPECT_EQ(p.dma.transport_bytes(), 0u);
  EXPECT_GT(p.module.dmi_grants(), 0u);
  // The driver unmaps a destination page: the grant is withdrawn at once,
  // and the next copy into it faults (no stale pointer writes it).
  p.driver.unmap(5, dst + 0x2000);
  p.dma.registers().dispatch_write(DmaEngine::kStatus, DmaEngine::kDone, 8, {});
  std::vector<uint8_t> before(p.at(kDram + 0x62000), p.at(kDram + 0x63000));
  p.run_dma(src, dst, 0x4000);
  EXPECT_EQ(p.dma.reg(DmaEngine::kStatus), DmaEngine::kError);
  EXPECT_EQ(p.dma.reg(DmaEngine::kErrorAddr), dst + 0x2000);
  EXPECT_EQ(std::vector<uint8_t>(p.at(kDram + 0x62000), p.at(kDram + 0x63000)), before);
  EXPECT_EQ(p.driver.read_reg(R::kFaultAddr), dst + 0x2000);
  EXPECT_EQ(p.driver.read_reg(R::kFaultStatus) >> 32, 5u);
  p.expect_no_violations();
}

TEST(DmaEngine, CopiesThroughBTransportWithoutDmi) {
  Platform p;
  p.driver.map(5, 0x1000, kDram + 0x30000, IommuAccess::read);
  p.driver.map(5, 0x2000, kDram + 0x31000, IommuAccess::read);
  p.driver.map(5, 0x8000, kDram + 0x70000, IommuAccess::write);
  p.driver.map(5, 0x9000, kDram + 0x50000, IommuAccess::write);
  p.dma.set_dmi_enabled(false);
  p.run_dma(0x1800, 0x8400, 0x1000);
  EXPECT_EQ(p.dma.reg(DmaEngine::kStatus), DmaEngine::kDone);
  EXPECT_EQ(0, std::memcmp(p.at(kDram + 0x70400), p.at(kDram + 0x30800), 0xc00));
  EXPECT_EQ(0, std::memcmp(p.at(kDram + 0x50000), p.at(kDram + 0x31400), 0x400));
  EXPECT_EQ(p.dma.dmi_bytes(), 0u);
  EXPECT_EQ(p.dma.transport_bytes(), 0x2000u);  // read, then written
  p.expect_no_violations();
}

}  // namespace
}  // namespace tlmmap
