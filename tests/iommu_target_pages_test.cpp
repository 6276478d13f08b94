// The AddressSpaceTarget's last translated pages (tlm/detail/iommu_target_path.hpp):
// a warm access through an IOMMU range is a compare and a copy, and the kept
// page never outlives what it was made from: an UNMAP, a remap, a change of
// the target space's view or of the target's own view, and the destruction
// of the IOMMU or of the memory behind the page all end it before they return.
// Each case warms a page first (three accesses: the model translates, the
// translation cache answers and the page is kept, the kept page answers).
#include <cstring>
#include <memory>

#include <gtest/gtest.h>

#include "support/iommu_board.hpp"
#include "support/tlm_devices.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using test::MapIommu;

struct Board : test::IommuBoard {
  AddressSpaceTarget<32> target{"target", bus};
  test::RecordingInitiator<32> cpu{"cpu"};
  Board() { cpu.socket.bind(target.target_socket); }

  tlm::tlm_response_status read(uint64_t address, uint32_t& v) {
    return cpu.transport(tlm::TLM_READ_COMMAND, address, &v, 4);
  }
  tlm::tlm_response_status write(uint64_t address, uint32_t v) {
    return cpu.transport(tlm::TLM_WRITE_COMMAND, address, &v, 4);
  }
  // Three reads of `address`: the last one answered by the kept page.
  uint32_t warm(uint64_t address) {
    uint32_t v = 0;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(read(address, v), tlm::TLM_OK_RESPONSE);
    return v;
  }
  void warm_write(uint64_t address, uint32_t v) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(write(address, v), tlm::TLM_OK_RESPONSE);
  }
};

TEST(IommuTargetPages, AWarmPageIsCopiedWithoutTranslating) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  EXPECT_EQ(b.warm(0x102010), b.ram_word(0x6010));
  uint32_t v = 0;
  for (uint64_t at = 0x102000; at < 0x103000; at += 0x1fc) {
    ASSERT_EQ(b.read(at, v), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, b.ram_word(at - 0x102000 + 0x6000));
  }
  b.warm_write(0x102040, 0xc0ffee11);
  EXPECT_EQ(b.ram_word(0x6040), 0xc0ffee11u);
  EXPECT_EQ(b.iommu.translations, 2u);  // one read, one write
  EXPECT_TRUE(b.iommu.faults.empty());
}

TEST(IommuTargetPages, AnUnmapEndsTheKeptPageBeforeItReturns) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  b.warm(0x102010);
  b.warm_write(0x102020, 0x11111111);
  b.iommu.unmap_page(0x2000);
  uint32_t v = 0;
  EXPECT_EQ(b.read(0x102010, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  const uint32_t before = b.ram_word(0x6020);
  EXPECT_EQ(b.write(0x102020, 0x22222222), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.ram_word(0x6020), before);
  EXPECT_EQ(b.iommu.faults.size(), 2u);
}

TEST(IommuTargetPages, ARemapToAnotherPageIsSeenAtOnce) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  b.warm(0x102010);
  b.warm_write(0x102020, 0x11111111);
  b.iommu.map_page(0x2000, b.memory, 0x7000, IommuAccess::read_write);
  uint32_t v = 0;
  ASSERT_EQ(b.read(0x102010, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, b.ram_word(0x7010));
  ASSERT_EQ(b.write(0x102020, 0x33333333), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.ram_word(0x7020), 0x33333333u);
  EXPECT_EQ(b.ram_word(0x6020), 0x11111111u);
  // Remapped read-only: writes fault, reads go on.
  b.warm(0x102010);
  b.iommu.map_page(0x2000, b.memory, 0x7000, IommuAccess::read);
  EXPECT_EQ(b.write(0x102020, 0x44444444), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.warm(0x102010), b.ram_word(0x7010));
}

TEST(IommuTargetPages, AnotherIndexNeverUsesThePageOfUnspecifiedAttributes) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  b.iommu.map_page(0x2000, b.memory, 0x7000, IommuAccess::read_write, 1);
  b.warm(0x102010);
  TxAttributes attributes(test::IommuBoard::requester(1));
  b.cpu.gp.set_extension(&attributes);
  uint32_t v = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(b.read(0x102010, v), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, b.ram_word(0x7010));
  }
  b.cpu.gp.clear_extension(&attributes);
  EXPECT_EQ(b.warm(0x102010), b.ram_word(0x6010));
}

TEST(IommuTargetPages, AChangeOfTheTargetSpaceIsSeenAtOnce) {
  Board b;
  b.ram.set_latency(Duration(3000), Duration(3000));
  b.iommu.map_page(0x2000, b.memory, 0x7000, IommuAccess::read_write);
  b.warm(0x102010);
  // Another region over the translated page.
  RamRegion other{"other", 0x1000};
  std::memset(other.host_ptr(), 0x3c, 0x1000);
  b.mem_root.add_subregion_overlap(0x7000, other, 1);
  uint32_t v = 0;
  ASSERT_EQ(b.read(0x102010, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0x3c3c3c3cu);
  // Its latency.
  b.warm(0x102010);
  other.set_latency(Duration(5000), Duration(5000));
  b.cpu.delay = sc_core::SC_ZERO_TIME;
  ASSERT_EQ(b.read(0x102010, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.cpu.delay, sc_core::sc_time(5, sc_core::SC_NS));
  // Gone again: the RAM below.
  b.warm(0x102010);
  b.mem_root.del_subregion(other);
  ASSERT_EQ(b.read(0x102010, v), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, b.ram_word(0x7010));
}

TEST(IommuTargetPages, DirtyLoggingStartedBehindAKeptWritePageSeesTheWrites) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  b.warm_write(0x102020, 0x55555555);
  b.ram.set_log(true, DirtyClient::migration);
  b.ram.reset_dirty(0, 0x10000, DirtyClient::migration);
  ASSERT_EQ(b.write(0x102020, 0x66666666), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.ram_word(0x6020), 0x66666666u);
  EXPECT_TRUE(b.ram.get_dirty(0x6020, 4, DirtyClient::migration));
  EXPECT_FALSE(b.ram.get_dirty(0x7000, 0x1000, DirtyClient::migration));
}

TEST(IommuTargetPages, TheMemoryBehindAKeptPageGoingEndsIt) {
  Board b;
  auto far = std::make_unique<RamRegion>("far", 0x1000);
  std::memset(far->host_ptr(), 0x5a, 0x1000);
  b.mem_root.add_subregion(0x20000, *far);
  b.iommu.map_page(0x2000, b.memory, 0x20000, IommuAccess::read_write);
  EXPECT_EQ(b.warm(0x102010), 0x5a5a5a5au);
  b.warm_write(0x102020, 0x77777777);
  far.reset();
  uint32_t v = 0;
  EXPECT_EQ(b.read(0x102010, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.write(0x102020, 0x88888888), tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(IommuTargetPages, TheIommuGoingEndsItsKeptPages) {
  Board b;
  auto iommu = std::make_unique<MapIommu>("iommu2", 0x100000);
  b.bus_root.add_subregion(0x400000, *iommu);
  iommu->map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  EXPECT_EQ(b.warm(0x402010), b.ram_word(0x6010));
  b.warm_write(0x402020, 0x99999999);
  const uint32_t before = b.ram_word(0x6020);
  iommu.reset();
  uint32_t v = 0;
  EXPECT_EQ(b.read(0x402010, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.write(0x402020, 0xaaaaaaaa), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.ram_word(0x6020), before);
}

TEST(IommuTargetPages, TheTargetsOwnViewChangingEndsThem) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  b.warm(0x102010);
  // The IOMMU range's own latency is added to the kept page's.
  b.iommu.set_latency(Duration(2000), Duration(2000));
  b.cpu.delay = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(b.warm(0x102010), b.ram_word(0x6010));
  EXPECT_EQ(b.cpu.delay, sc_core::sc_time(6, sc_core::SC_NS));
  // Moved: the old addresses are a hole, the new ones translate.
  b.iommu.set_address(0x300000);
  uint32_t v = 0;
  EXPECT_EQ(b.read(0x102010, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.warm(0x302010), b.ram_word(0x6010));
}

TEST(IommuTargetPages, AnAccessCrossingTheKeptPageIsSplitByTheModel) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  b.iommu.map_page(0x3000, b.memory, 0x9000, IommuAccess::read_write);
  b.warm(0x102ff8);
  uint64_t v = 0;
  ASSERT_EQ(b.cpu.transport(tlm::TLM_READ_COMMAND, 0x102ffc, &v, 8), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(static_cast<uint32_t>(v), b.ram_word(0x6ffc));
  EXPECT_EQ(static_cast<uint32_t>(v >> 32), b.ram_word(0x9000));
}

TEST(IommuTargetPages, DebugAccessesLeaveThemAndTheFaultsAlone) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  b.warm(0x102010);
  const unsigned translations = b.iommu.translations;
  uint32_t v = 0;
  EXPECT_EQ(b.cpu.debug(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), 4u);
  EXPECT_EQ(v, b.ram_word(0x6010));
  b.iommu.unmap_page(0x2000);
  EXPECT_EQ(b.cpu.debug(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), 0u);
  EXPECT_TRUE(b.iommu.faults.empty());
  EXPECT_EQ(b.iommu.translations, translations + 1);  // the debug read after the unmap
  EXPECT_EQ(b.read(0x102010, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(b.iommu.faults.size(), 1u);
}

}  // namespace
}  // namespace tlmmap
