// address_space_map()/unmap(): RAM in place, anything else through the one
// bounce buffer, map clients told when it is free, dirty pages marked.
#include <cstring>
#include <memory>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;

struct Board {
  ContainerRegion root{"root", k64BitSpace};
  RamRegion ram{"ram", 0x4000};
  AliasRegion ro_window{"ro_window", ram, 0x1000, 0x1000};
  MmioRegion regs{"regs", 0x2000};
  std::vector<std::pair<uint64_t, uint64_t>> writes;  // (offset, value)
  AddressSpace space{root, "memory"};
  Board() {
    ro_window.set_readonly(true);
    root.add_subregion(0x10000, ram);
    root.add_subregion_overlap(0x11000, ro_window, 1);  // the same bytes, read-only, over ram's second page
    MmioOps ops;
    // Each byte reads as the low byte of its own offset.
    ops.read = [](uint64_t offset, unsigned size) {
      uint64_t value = 0;
      for (unsigned i = 0; i < size; ++i) value |= ((offset + i) & 0xff) << (8 * i);
      return value;
    };
    ops.write = [this](uint64_t offset, uint64_t value, unsigned) { writes.emplace_back(offset, value); };
    ops.valid.min_access_size = 1;
    ops.valid.max_access_size = 8;
    regs.set_ops(ops);
    root.add_subregion(0x40000, regs);
  }
};

TEST(Mapping, RamIsMappedInPlaceAndWritesMarkDirtyPages) {
  Board b;
  b.ram.set_log(true, DirtyClient::vga);
  Mapping m = b.space.map(0x12010, 0x100, true);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m.bounced());
  EXPECT_EQ(m.length(), 0x100u);
  EXPECT_EQ(m.data(), b.ram.host_ptr() + 0x2010);
  std::memset(m.data(), 0xab, 0x20);
  EXPECT_FALSE(b.ram.get_dirty(0x2000, 0x1000, DirtyClient::vga));  // nothing told yet
  EXPECT_EQ(AddressSpace::unmap(m, 0x20), MemTxResult::ok);
  EXPECT_FALSE(m);
  EXPECT_TRUE(b.ram.get_dirty(0x2000, 0x1000, DirtyClient::vga));
  EXPECT_FALSE(b.ram.get_dirty(0x3000, 0x1000, DirtyClient::vga));
  uint64_t v = 0;
  EXPECT_EQ(b.space.load(0x12010, 8, v), MemTxResult::ok);
  EXPECT_EQ(v, 0xababababababababull);
}

TEST(Mapping, ReadMappingsSpanRangesOfTheSameMemoryWriteMappingsStopAtReadOnlyOnes) {
  Board b;
  // [0x10000, 0x10fff] ram, [0x11000, 0x11fff] the read-only alias of the
  // same bytes, [0x12000, 0x13fff] ram again: one block of host memory.
  ASSERT_EQ(b.space.view().ranges().size(), 4u);
  Mapping r = b.space.map(0x10800, 0x2000, false);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r.bounced());
  EXPECT_EQ(r.length(), 0x2000u);
  Mapping w = b.space.map(0x10800, 0x2000, true);
  ASSERT_TRUE(w);
  EXPECT_EQ(w.length(), 0x800u);  // a write mapping cannot reach the read-only window
  // Never past the end of the memory.
  Mapping tail = b.space.map(0x13ff0, 0x100, false);
  EXPECT_EQ(tail.length(), 0x10u);
}

TEST(Mapping, DevicesAreBouncedOneMappingAtATime) {
  Board b;
  Mapping first = b.space.map(0x40010, 0x10, false);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first.bounced());
  // Filled by reading the device.
  EXPECT_THAT(std::vector<uint8_t>(first.data(), first.data() + 4), ElementsAre(0x10, 0x11, 0x12, 0x13));
  Mapping second = b.space.map(0x40100, 0x10, true);
  EXPECT_FALSE(second);  // the bounce buffer is taken
  EXPECT_EQ(second.length(), 0u);
  int told = 0;
  register_map_client([&] { ++told; });
  const MapClientId gone = register_map_client([&] { told += 100; });
  unregister_map_client(gone);
  EXPECT_EQ(told, 0);
  EXPECT_EQ(AddressSpace::unmap(first, 0x10), MemTxResult::ok);
  EXPECT_EQ(told, 1);  // once, when it went free
  register_map_client([&] { ++told; });  // free now: told at once
  EXPECT_EQ(told, 2);
  // RAM needs no bounce buffer, whoever holds it.
  Mapping held = b.space.map(0x40000, 0x4000, false);
  EXPECT_EQ(held.length(), kBounceBufferSize);  // one page at most
  Mapping ram = b.space.map(0x10000, 0x10, true);
  EXPECT_TRUE(ram);
  EXPECT_FALSE(ram.bounced());
}

TEST(Mapping, ABouncedWriteGoesBackThroughTheMapOnUnmap) {
  Board b;
  Mapping m = b.space.map(0x40020, 0x8, true);
  ASSERT_TRUE(m.bounced());
  for (unsigned i = 0; i < 8; ++i) m.data()[i] = static_cast<uint8_t>(0xa0 + i);
  EXPECT_TRUE(b.writes.empty());
  // Only the bytes said to be used are written, in the sizes the device takes.
  EXPECT_EQ(AddressSpace::unmap(m, 4), MemTxResult::ok);
  ASSERT_EQ(b.writes.size(), 1u);
  EXPECT_EQ(b.writes[0].first, 0x20u);
  EXPECT_EQ(b.writes[0].second, 0xa3a2a1a0u);
}

TEST(Mapping, NothingMappedIsBouncedAndTheWriteBackReportsTheDecodeError) {
  Board b;
  Mapping m = b.space.map(0x900000, 0x10, true);
  ASSERT_TRUE(m.bounced());
  EXPECT_EQ(AddressSpace::unmap(m, 0x10), MemTxResult::decode_error);
  EXPECT_FALSE(b.space.map(0x10000, 0, false));  // length 0: nothing
}

TEST(Mapping, AMappingKeepsDestroyedMemoryAliveAndADroppedOneUnmaps) {
  ContainerRegion root("root", k64BitSpace);
  auto ram = std::make_unique<RamRegion>("dma_buffer", 0x1000);
  root.add_subregion(0, *ram);
  AddressSpace space(root, "memory");
  Mapping m = space.map(0x100, 0x100, true);
  ASSERT_TRUE(m);
  ram.reset();  // unmapped from the view at once; the memory stays while mapped
  uint64_t v = 0;
  EXPECT_NE(space.load(0x100, 4, v), MemTxResult::ok);
  std::memset(m.data(), 0x5a, m.length());  // still valid memory (AddressSanitizer checks)
  EXPECT_EQ(AddressSpace::unmap(m, m.length()), MemTxResult::ok);
  // A mapping dropped without unmap() unmaps itself: the bounce buffer is free again.
  MmioRegion dev("dev", 0x100);
  root.add_subregion(0x1000, dev);
  { Mapping dropped = space.map(0x1000, 0x10, false); }
  Mapping again = space.map(0x1000, 0x10, false);
  EXPECT_TRUE(again.bounced());
}

}  // namespace
}  // namespace tlmmap
