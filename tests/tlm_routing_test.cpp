// Routing through an AddressSpaceTarget's cached decisions: what a payload
// forwarded to a TLM device keeps, what debug transport and DMI grants see
// after the map or the device changes, and an MMIO access whose callback
// changes the map. One elaboration per test process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <systemc>

#include "support/tlm_devices.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "tlmmap/tlm/tlm_device_region.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using sc_core::SC_NS;
using sc_core::sc_time;
using test::MemoryDevice;
using test::RecordingInitiator;

struct Platform {
  ContainerRegion system{"system", k64BitSpace};
  AddressSpace memory{system, "memory"};
  AddressSpaceTarget<64> bus{"bus", memory};
  RecordingInitiator<64> cpu{"cpu"};
  MemoryDevice<32> mem{"mem", 0x100};
  TlmDeviceRegion<32> window{"window", 0x100};
  Platform() {
    cpu.socket.bind(bus.target_socket);
    window.socket.bind(mem.socket);
    system.add_subregion(0x4000, window);
  }
  void elaborate() { sc_core::sc_start(sc_core::SC_ZERO_TIME); }
};

TEST(TlmRouting, TheDeviceSeesThePayloadItselfRebasedAndTheInitiatorGetsItBack) {
  Platform p;
  p.elaborate();
  // Byte enables and streaming go to the device as they are: 8 bytes
  // streamed over a 4-byte register, every other byte enabled.
  const unsigned char enables[2] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED};
  uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  p.cpu.delay = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x4010, data, 8, enables, 2, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.cpu.gp.get_address(), 0x4010u);  // restored
  EXPECT_EQ(p.cpu.gp.get_byte_enable_ptr(), enables);
  EXPECT_THAT(p.mem.seen_addresses, ElementsAre(0x10u));  // one call, region-relative
  EXPECT_EQ(p.mem.bytes[0x10], 5);                        // the last beat wins, enabled bytes only
  EXPECT_EQ(p.mem.bytes[0x11], 0);
  EXPECT_EQ(p.mem.bytes[0x12], 7);
  EXPECT_EQ(p.cpu.delay, sc_time(5, SC_NS));  // the device's latency; the window adds none
  EXPECT_TRUE(p.cpu.gp.is_dmi_allowed());     // the device's hint
  // The device's own answer comes back untouched: a read running past its
  // bytes but inside the window is the device's address error.
  p.mem.bytes.resize(0x80);
  uint8_t in[4] = {};
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x40fe, in, 2), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(p.cpu.gp.get_address(), 0x40feu);
  // An ignore command never reaches the device.
  const std::size_t seen = p.mem.seen_addresses.size();
  EXPECT_EQ(p.cpu.transport(tlm::TLM_IGNORE_COMMAND, 0x4010, in, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.mem.seen_addresses.size(), seen);
}

TEST(TlmRouting, AWindowLatencyIsAddedBeforeTheDevicesOwn) {
  Platform p;
  p.window.set_latency(std::chrono::nanoseconds(2), std::chrono::nanoseconds(3));
  p.elaborate();
  uint8_t data[4] = {};
  p.cpu.delay = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x4000, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.cpu.delay, sc_time(7, SC_NS));
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x4000, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.cpu.delay, sc_time(15, SC_NS));
  // The device's grant through the window carries both latencies...
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.cpu.dmi(0x4000, dmi));
  EXPECT_EQ(dmi.get_read_latency(), sc_time(7, SC_NS));
  EXPECT_EQ(dmi.get_write_latency(), sc_time(8, SC_NS));
  // ... and neither the grant kept for the window nor debug accesses
  // through it change what a transaction adds.
  p.mem.bytes[0x10] = 0x5a;
  uint8_t byte = 0;
  EXPECT_EQ(p.cpu.debug(tlm::TLM_READ_COMMAND, 0x4010, &byte, 1), 1u);
  EXPECT_EQ(byte, 0x5a);
  EXPECT_EQ(p.mem.debug_calls, 0u);  // copied through the grant
  p.cpu.delay = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x4000, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.cpu.delay, sc_time(7, SC_NS));
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x4000, data, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.cpu.delay, sc_time(15, SC_NS));
}

TEST(TlmRouting, DebugTransportFollowsAMapChangeAtTheSameAddress) {
  Platform p;
  RamRegion ram("ram", 0x100);
  p.elaborate();
  p.mem.bytes[0x20] = 0x11;
  uint8_t byte = 0;
  EXPECT_EQ(p.cpu.debug(tlm::TLM_READ_COMMAND, 0x4020, &byte, 1), 1u);  // the device, cached
  EXPECT_EQ(byte, 0x11);
  EXPECT_EQ(p.cpu.gp.get_address(), 0x4020u);
  p.system.del_subregion(p.window);
  p.system.add_subregion(0x4000, ram);
  ram.host_ptr()[0x20] = 0x22;
  EXPECT_EQ(p.cpu.debug(tlm::TLM_READ_COMMAND, 0x4020, &byte, 1), 1u);  // now the RAM
  EXPECT_EQ(byte, 0x22);
  const uint8_t out = 0x33;
  EXPECT_EQ(p.cpu.debug(tlm::TLM_WRITE_COMMAND, 0x4020, const_cast<uint8_t*>(&out), 1), 1u);
  EXPECT_EQ(ram.host_ptr()[0x20], 0x33);
  EXPECT_EQ(p.mem.bytes[0x20], 0x11);
  p.system.del_subregion(ram);
  EXPECT_EQ(p.cpu.debug(tlm::TLM_READ_COMMAND, 0x4020, &byte, 1), 0u);  // nothing there any more
}

TEST(TlmRouting, ADeviceAskedAgainForAGrantAfterItInvalidated) {
  Platform p;
  p.elaborate();
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.cpu.dmi(0x4010, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x4000u);
  EXPECT_EQ(dmi.get_end_address(), 0x40ffu);
  EXPECT_EQ(dmi.get_dmi_ptr(), p.mem.bytes.data());
  EXPECT_EQ(p.cpu.gp.get_address(), 0x4010u);
  // The device withdraws, then grants read-only: the next grant through the
  // window is the new one, not a kept copy of the old.
  p.mem.grant_write = false;
  p.mem.invalidate(0, 0xff);
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(Pair(0x4000u, 0x40ffu)));
  const unsigned asked = p.mem.dmi_requests;
  ASSERT_TRUE(p.cpu.dmi(0x4010, dmi));
  EXPECT_EQ(p.mem.dmi_requests, asked + 1);
  EXPECT_TRUE(dmi.is_read_allowed());
  EXPECT_FALSE(dmi.is_write_allowed());
  // And once it stops granting, nothing is granted through the window.
  p.mem.grant_dmi = false;
  p.mem.invalidate(0, 0xff);
  EXPECT_FALSE(p.cpu.dmi(0x4010, dmi));
  EXPECT_TRUE(dmi.is_none_allowed());
}

TEST(TlmRouting, AnMmioCallbackThatChangesTheMapFinishesItsAccess) {
  Platform p;
  RamRegion ram("ram", 0x100);
  MmioOps ops;
  unsigned reads = 0;
  ops.read = [&](uint64_t offset, unsigned size) -> uint64_t {
    ++reads;
    // The region answering is taken out of the map inside its own access.
    if (reads == 1) p.system.add_subregion_overlap(0x8000, ram, 1);
    return 0x1000 + offset + size;
  };
  ops.write = [](uint64_t, uint64_t, unsigned) {};
  MmioRegion regs("regs", 0x100, ops);
  p.system.add_subregion(0x8000, regs);
  p.elaborate();
  uint32_t value = 0;
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x8010, &value, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(value, 0x1014u);
  ram.host_ptr()[0x10] = 0x5a;
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x8010, &value, 1), tlm::TLM_OK_RESPONSE);  // now the RAM
  EXPECT_EQ(value & 0xff, 0x5au);
  EXPECT_EQ(reads, 1u);
  // The sizes are still the model's decision: 3 bytes are a buffer access,
  // split into sizes the register takes.
  p.system.del_subregion(ram);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x8010, &value, 3), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(reads, 3u);
}

}  // namespace
}  // namespace tlmmap
