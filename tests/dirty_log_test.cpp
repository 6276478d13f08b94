// Dirty-memory logging: per-client bitmaps, and no write missed on any path
// (the model, the TLM fast and general paths, split accesses, debug writes,
// a device writing RAM from its callback, DMI).
#include <cstring>
#include <memory>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <systemc>

#include "support/tlm_devices.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;
using test::RecordingInitiator;

constexpr uint64_t kPage = 0x1000;

// Which pages of `r` are dirty for `client`.
std::vector<uint64_t> dirty_pages(const Region& r, DirtyClient client) {
  std::vector<uint64_t> out;
  for (uint64_t p = 0; p * kPage < r.size(); ++p) {
    if (r.get_dirty(p * kPage, kPage, client)) out.push_back(p);
  }
  return out;
}

TEST(DirtyLog, ModelWritesMarkTheClientsThatLog) {
  ContainerRegion root("root", k64BitSpace);
  RamRegion ram("ram", 16 * kPage);
  root.add_subregion(0x100000, ram);
  AddressSpace space(root, "memory");
  const uint32_t v = 1;
  space.write(0x100000 + 3 * kPage, &v, 4);  // before logging: nothing
  ram.set_log(true, DirtyClient::vga);
  EXPECT_EQ(ram.dirty_log_mask(), dirty_bit(DirtyClient::vga));
  space.write(0x100000 + 5 * kPage + 10, &v, 4);
  space.store(0x100000 + 7 * kPage, 8, 0x1234);
  // A write across a page boundary dirties both pages.
  const uint8_t bytes[8] = {};
  space.write(0x100000 + 9 * kPage - 4, bytes, 8);
  EXPECT_THAT(dirty_pages(ram, DirtyClient::vga), ElementsAre(5, 7, 8, 9));
  EXPECT_TRUE(dirty_pages(ram, DirtyClient::migration).empty());
  EXPECT_TRUE(ram.test_and_clear_dirty(5 * kPage, kPage, DirtyClient::vga));
  EXPECT_FALSE(ram.test_and_clear_dirty(5 * kPage, kPage, DirtyClient::vga));
  ram.reset_dirty(0, 16 * kPage, DirtyClient::vga);
  EXPECT_TRUE(dirty_pages(ram, DirtyClient::vga).empty());
  ram.set_dirty(2 * kPage + 1, 1);
  EXPECT_THAT(dirty_pages(ram, DirtyClient::vga), ElementsAre(2));
}

TEST(DirtyLog, PageSizeIsThePlatformsAndFixedOnceBitmapsExist) {
  set_dirty_page_size(0x10000);
  ContainerRegion root("root", k64BitSpace);
  RamRegion ram("ram", 0x40000);
  root.add_subregion(0, ram);
  AddressSpace space(root, "memory");
  ram.set_log(true, DirtyClient::code);
  const uint8_t b = 1;
  space.write(0x1ffff, &b, 1);
  EXPECT_TRUE(ram.get_dirty(0x10000, 1, DirtyClient::code));   // the whole 64 KiB page
  EXPECT_FALSE(ram.get_dirty(0x20000, 1, DirtyClient::code));
  EXPECT_THROW(set_dirty_page_size(0x1000), sc_core::sc_report);
  EXPECT_EQ(dirty_page_size(), 0x10000u);
}

TEST(DirtyLog, OnlyRegionsWithMemoryLog) {
  MmioRegion dev("dev", 0x100);
  ContainerRegion c("c", 0x100);
  EXPECT_THROW(dev.set_log(true, DirtyClient::vga), sc_core::sc_report);
  EXPECT_THROW(c.get_dirty(0, 1, DirtyClient::vga), sc_core::sc_report);
  RamRegion ram("ram", 0x1000);
  EXPECT_THROW(ram.set_log(false, DirtyClient::vga), sc_core::sc_report);  // not logging
  EXPECT_THROW(ram.get_dirty(0xff0, 0x20, DirtyClient::vga), sc_core::sc_report);
}

TEST(DirtyLog, GlobalTrackingLogsMigrationOnEveryRam) {
  ContainerRegion root("root", k64BitSpace);
  RamRegion a("a", 4 * kPage), b("b", 4 * kPage);
  MmioRegion dev("dev", 0x100);
  root.add_subregion(0, a);
  root.add_subregion(0x10000, b);
  root.add_subregion(0x20000, dev);
  AddressSpace space(root, "memory");
  global_dirty_log_start();
  EXPECT_EQ(a.dirty_log_mask(), dirty_bit(DirtyClient::migration));
  const uint32_t v = 7;
  space.write(kPage, &v, 4);
  space.write(0x10000 + 3 * kPage, &v, 4);
  EXPECT_THAT(dirty_pages(a, DirtyClient::migration), ElementsAre(1));
  EXPECT_THAT(dirty_pages(b, DirtyClient::migration), ElementsAre(3));
  global_dirty_log_stop();
  space.write(2 * kPage, &v, 4);
  EXPECT_THAT(dirty_pages(a, DirtyClient::migration), ElementsAre(1));
}

// Every TLM path: fast, general (byte enables, streaming), split across two
// RAMs, debug, a device's own DMA from its callback, and DMI.
struct Platform {
  Bus<64> bus{"bus"};
  RamRegion a{"a", 4 * kPage};
  RamRegion b{"b", 4 * kPage};
  MmioRegion dma{"dma", 0x100};
  RecordingInitiator<64> cpu{"cpu"};
  DmiInitiator<64> dmi_cpu{"dmi_cpu"};
  Platform() {
    bus.map(0x0, a);
    bus.map(4 * kPage, b);  // right after a: accesses may span both
    MmioOps ops;
    // Writing a register makes the device write RAM through the map.
    ops.write = [this](uint64_t, uint64_t value, unsigned) {
      const uint64_t pattern = 0x5a5a5a5a5a5a5a5aull;
      bus.space().write(value, &pattern, 8);
    };
    ops.read = [](uint64_t, unsigned) { return 0; };
    dma.set_ops(ops);
    bus.map(0x100000, dma);
    cpu.socket.bind(bus.target_socket);
    dmi_cpu.socket.bind(bus.target_socket);
  }
};

TEST(DirtyLog, NoTlmWriteIsMissed) {
  Platform p;
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  p.a.set_log(true, DirtyClient::vga);
  p.b.set_log(true, DirtyClient::vga);
  uint8_t data[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0 * kPage + 8, data, 4);  // fast path
  const uint8_t enables[4] = {0, 0xff, 0, 0xff};
  p.cpu.transport(tlm::TLM_WRITE_COMMAND, 1 * kPage + 8, data, 8, enables, 4);  // byte enables
  p.cpu.transport(tlm::TLM_WRITE_COMMAND, 2 * kPage + 8, data, 8, nullptr, 0, 4);  // streaming
  p.cpu.transport(tlm::TLM_WRITE_COMMAND, 4 * kPage - 4, data, 8);  // split across a and b
  p.cpu.debug(tlm::TLM_WRITE_COMMAND, 4 * kPage + 2 * kPage, data, 4);  // debug
  uint32_t address = 7 * kPage;
  p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x100000, &address, 4);  // the device's own write
  EXPECT_THAT(dirty_pages(p.a, DirtyClient::vga), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(dirty_pages(p.b, DirtyClient::vga), ElementsAre(0, 2, 3));
  // A write with every byte disabled moves nothing and marks nothing.
  p.a.reset_dirty(0, 4 * kPage, DirtyClient::vga);
  const uint8_t off[4] = {0, 0, 0, 0};
  p.cpu.transport(tlm::TLM_WRITE_COMMAND, 3 * kPage, data, 4, off, 4);
  EXPECT_TRUE(dirty_pages(p.a, DirtyClient::vga).empty());
}

TEST(DirtyLog, WriteDmiIsWithheldWhileLoggingAndComesBackAfter) {
  Platform p;
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.cpu.dmi(0x10, dmi, tlm::TLM_WRITE_COMMAND));
  EXPECT_TRUE(dmi.is_write_allowed());
  p.a.set_log(true, DirtyClient::migration);
  // The grant is withdrawn, and comes back read-only.
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(std::make_pair(0x0ull, 4 * kPage - 1)));
  ASSERT_TRUE(p.cpu.dmi(0x10, dmi, tlm::TLM_WRITE_COMMAND));
  EXPECT_TRUE(dmi.is_read_allowed());
  EXPECT_FALSE(dmi.is_write_allowed());
  // A DMI-using initiator writes through b_transport then, and is logged.
  sc_core::sc_time t;
  for (uint64_t page = 0; page < 4; ++page) p.dmi_cpu.write<uint32_t>(page * kPage + 0x20, 0xabcd, t);
  EXPECT_THAT(dirty_pages(p.a, DirtyClient::migration), ElementsAre(0, 1, 2, 3));
  EXPECT_EQ(p.dmi_cpu.read<uint32_t>(kPage + 0x20, t), 0xabcdu);  // reads may use DMI
  EXPECT_GT(p.dmi_cpu.dmi_accesses(), 0u);
  p.a.set_log(false, DirtyClient::migration);
  ASSERT_TRUE(p.cpu.dmi(0x10, dmi, tlm::TLM_WRITE_COMMAND));
  EXPECT_TRUE(dmi.is_write_allowed());
}

}  // namespace
}  // namespace tlmmap
