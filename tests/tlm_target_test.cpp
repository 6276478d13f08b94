// The TLM face: address spaces and regions as TLM-2.0 targets, TLM devices
// as regions, DMI and its invalidation. One elaboration per test process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "support/tlm_devices.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "tlmmap/tlm/dmi_initiator.hpp"
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

const sc_time kZero = sc_core::SC_ZERO_TIME;

uint32_t u32(const uint8_t* b) {
  uint32_t v;
  std::memcpy(&v, b, 4);
  return v;
}

struct Platform {
  ContainerRegion system{"system", k64BitSpace};
  AddressSpace memory{system, "memory"};
  AddressSpaceTarget<64> bus{"bus", memory};
  RecordingInitiator<64> cpu{"cpu"};
  Platform() { cpu.socket.bind(bus.target_socket); }
  void elaborate() { sc_core::sc_start(kZero); }
};

TEST(TlmTarget, RamThroughTheFastPath) {
  Platform p;
  RamRegion ram("ram", 0x1000);
  ram.set_latency(std::chrono::nanoseconds(2), std::chrono::nanoseconds(3));
  p.system.add_subregion(0x1000, ram);
  p.elaborate();
  uint8_t out[4] = {1, 2, 3, 4};
  uint8_t in[4] = {};
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x1ffc, out, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.cpu.delay, sc_time(3, SC_NS));
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x1ffc, in, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.cpu.delay, sc_time(5, SC_NS));
  EXPECT_TRUE(p.cpu.gp.is_dmi_allowed());
  EXPECT_EQ(u32(in), 0x04030201u);
  EXPECT_EQ(ram.host_ptr()[0xffc], 1);
  // One byte beyond the range goes the general way: RAM part done, the rest unmapped.
  uint8_t wide[8] = {};
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x1ffc, wide, 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(u32(wide), 0x04030201u);
}

TEST(TlmTarget, ResponseStatusPerKind) {
  Platform p;
  RomRegion rom("rom", 0x100);
  MmioOps ops;
  ops.valid.max_access_size = 4;
  ops.read = [](uint64_t, unsigned) { return uint64_t(0); };
  ops.write_with_attrs = [](uint64_t, uint64_t, unsigned, const MemTxAttrs&) { return MemTxResult::error; };
  MmioRegion dev("dev", 0x100, ops);
  ReservationRegion reserved("reserved", 0x100);
  p.system.add_subregion(0x0, rom);
  p.system.add_subregion(0x100, dev);
  p.system.add_subregion(0x200, reserved);
  p.elaborate();
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  uint8_t buf[8] = {};
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x0, buf, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x0, buf, 4), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x100, buf, 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x100, buf, 4), tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x200, buf, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x300, buf, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_IGNORE_COMMAND, 0x300, buf, 4), tlm::TLM_OK_RESPONSE);
  p.memory.set_unmapped_policy(UnmappedPolicy::read_zero_write_ignore);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x300, buf, 4), tlm::TLM_OK_RESPONSE);
}

// The engine caches each page's decision: a change must reach every page
// cached, however many. Here two regions' pages take turns in the cache's
// slots, far more often than it has slots (16384).
TEST(TlmTarget, AChangeReachesEveryCachedPage) {
  Platform p;
  constexpr uint64_t kPages = 0x4000;
  const auto numbered = [](uint64_t salt) {
    MmioOps ops;
    ops.read = [salt](uint64_t offset, unsigned) { return (offset >> 12) ^ salt; };
    return ops;
  };
  MmioRegion a("a", kPages << 12, numbered(0x5a));
  MmioRegion b("b", kPages << 12, numbered(0xa5));
  MmioRegion first("first", 0x1000, numbered(0xdead));
  p.system.add_subregion(0x10000000, a);
  p.system.add_subregion(0x20000000, b);
  p.elaborate();
  const auto wrong_pages = [&] {
    uint64_t wrong = 0;
    for (const auto& [base, salt] : {std::pair{0x10000000u, 0x5au}, std::pair{0x20000000u, 0xa5u}}) {
      for (uint64_t page = 0; page < kPages; ++page) {
        uint32_t value = 0;
        const auto status = p.cpu.transport(tlm::TLM_READ_COMMAND, base + (page << 12), &value, 4);
        if (status != tlm::TLM_OK_RESPONSE || value != (page ^ salt)) ++wrong;
      }
    }
    return wrong;
  };
  ASSERT_EQ(wrong_pages(), 0u);
  p.system.add_subregion(0x0, first);  // every range of the view moves up by one
  EXPECT_EQ(wrong_pages(), 0u);
}

TEST(TlmTarget, ByteEnablesAndStreamingWidth) {
  Platform p;
  RamRegion ram("ram", 0x100);
  std::vector<std::string> log;
  MmioOps ops;
  ops.write = [&](uint64_t off, uint64_t v, unsigned n) {
    log.push_back("w@" + hex(off) + "/" + std::to_string(n) + "=" + hex(v));
  };
  ops.read = [&](uint64_t off, unsigned n) {
    log.push_back("r@" + hex(off) + "/" + std::to_string(n));
    return uint64_t(0x80 + off);
  };
  ops.impl.max_access_size = 4;
  MmioRegion fifo("fifo", 0x100, ops);
  p.system.add_subregion(0x0, ram);
  p.system.add_subregion(0x1000, fifo);
  p.elaborate();
  uint8_t data[8] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17};
  const unsigned char enables[4] = {0xff, 0x00, 0xff, 0xff};
  std::memset(ram.host_ptr(), 0xee, 8);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x0, data, 8, enables, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_THAT(std::vector<int>(ram.host_ptr(), ram.host_ptr() + 8),
              ElementsAre(0x10, 0xee, 0x12, 0x13, 0x14, 0xee, 0x16, 0x17));
  // Streaming width 2: every 2 bytes go to the same 2 addresses.
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x20, data, 8, nullptr, 0, 2), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ram.host_ptr()[0x20], 0x16);
  EXPECT_EQ(ram.host_ptr()[0x21], 0x17);
  EXPECT_EQ(ram.host_ptr()[0x22], 0);
  // To MMIO: each beat, each run of enabled bytes.
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x1004, data, 8, nullptr, 0, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x1010, data, 4, enables, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_THAT(log, ElementsAre("w@0x4/4=0x13121110", "w@0x4/4=0x17161514", "w@0x10/1=0x10", "w@0x12/2=0x1312"));
}

TEST(TlmTarget, TlmDeviceSeesRegionRelativeAddresses) {
  Platform p;
  MemoryDevice<32> mem("mem", 0x1000);
  TlmDeviceRegion<32> window("window", 0x1000);
  window.socket.bind(mem.socket);
  AliasRegion mirror("mirror", window, 0x100, 0x100);
  RamRegion ram("ram", 0x1000);
  p.system.add_subregion(0x10000, window);
  p.system.add_subregion(0x80000, mirror);
  p.system.add_subregion(0x80100, ram);
  p.elaborate();
  EXPECT_EQ(window.name(), "window");
  EXPECT_EQ(window.kind(), RegionKind::mmio);
  uint8_t out[4] = {0xa, 0xb, 0xc, 0xd};
  TxAttributes attrs;
  attrs.attrs.secure = true;
  p.cpu.gp.set_extension(&attrs);
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x10120, out, 4), tlm::TLM_OK_RESPONSE);
  p.cpu.gp.clear_extension(&attrs);
  EXPECT_EQ(p.cpu.gp.get_address(), 0x10120u);  // restored
  EXPECT_EQ(mem.seen_addresses.back(), 0x120u);
  EXPECT_TRUE(mem.seen_attributes.back().secure);
  EXPECT_EQ(u32(&mem.bytes[0x120]), 0x0d0c0b0au);
  uint8_t in[4] = {};
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x80020, in, 4), tlm::TLM_OK_RESPONSE);  // through the alias
  EXPECT_EQ(mem.seen_addresses.back(), 0x120u);
  EXPECT_EQ(u32(in), 0x0d0c0b0au);
  // Spanning the end of the mirror into RAM: the device gets its part only.
  mem.bytes[0x1ff] = 0x77;
  ram.host_ptr()[0] = 0x88;
  uint8_t span[8] = {};
  const std::size_t seen = mem.seen_addresses.size();
  EXPECT_EQ(p.cpu.transport(tlm::TLM_READ_COMMAND, 0x800fc, span, 8), tlm::TLM_OK_RESPONSE);
  EXPECT_THAT(std::vector<uint64_t>(mem.seen_addresses.begin() + seen, mem.seen_addresses.end()), ElementsAre(0x1fcu));
  EXPECT_EQ(span[3], 0x77);
  EXPECT_EQ(span[4], 0x88);
  EXPECT_EQ(p.cpu.debug(tlm::TLM_READ_COMMAND, 0x10120, in, 4), 4u);
  EXPECT_EQ(u32(in), 0x0d0c0b0au);
  // DMI: translated back, clipped to the window it is asked through.
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.cpu.dmi(0x80010, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x80000u);
  EXPECT_EQ(dmi.get_end_address(), 0x800ffu);
  EXPECT_EQ(dmi.get_dmi_ptr(), mem.bytes.data() + 0x100);
  ASSERT_TRUE(p.cpu.dmi(0x10010, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x10000u);
  EXPECT_EQ(dmi.get_end_address(), 0x10fffu);
  EXPECT_EQ(dmi.get_dmi_ptr(), mem.bytes.data());
}

TEST(TlmTarget, DeviceInvalidationIsTranslatedThroughEveryWindow) {
  Platform p;
  MemoryDevice<32> mem("mem", 0x1000);
  TlmDeviceRegion<32> window("window", 0x1000);
  window.socket.bind(mem.socket);
  AliasRegion mirror("mirror", window, 0x100, 0x100);
  p.system.add_subregion(0x10000, window);
  p.system.add_subregion(0x80000, mirror);
  p.elaborate();
  mem.invalidate(0x180, 0x1ff);
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(Pair(0x10180u, 0x101ffu), Pair(0x80080u, 0x800ffu)));
  p.cpu.invalidations.clear();
  mem.invalidate(0x800, 0x8ff);  // outside the mirror's window
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(Pair(0x10800u, 0x108ffu)));
}

TEST(TlmTarget, DmiGrantsPerKindClippedToTheFlatRange) {
  Platform p;
  RamRegion ram("ram", 0x4000);
  RomRegion rom("rom", 0x1000);
  AliasRegion locked("locked", ram, 0x1000, 0x1000);
  locked.set_readonly(true);
  RomDeviceRegion flash("flash", 0x1000);
  MmioRegion regs("regs", 0x100);
  MmioRegion overlay("overlay", 0x100);
  p.system.add_subregion(0x0, ram);
  p.system.add_subregion_overlap(0x2000, overlay, 1);  // splits RAM's flat range
  p.system.add_subregion(0x10000, rom);
  p.system.add_subregion(0x20000, locked);
  p.system.add_subregion(0x30000, flash);
  p.system.add_subregion(0x40000, regs);
  p.elaborate();
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.cpu.dmi(0x10, dmi, tlm::TLM_WRITE_COMMAND));
  EXPECT_EQ(dmi.get_start_address(), 0x0u);
  EXPECT_EQ(dmi.get_end_address(), 0x1fffu);
  EXPECT_TRUE(dmi.is_read_write_allowed());
  EXPECT_EQ(dmi.get_dmi_ptr(), ram.host_ptr());
  ASSERT_TRUE(p.cpu.dmi(0x2100, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x2100u);
  EXPECT_EQ(dmi.get_dmi_ptr(), ram.host_ptr() + 0x2100);
  ASSERT_TRUE(p.cpu.dmi(0x10000, dmi, tlm::TLM_WRITE_COMMAND));
  EXPECT_TRUE(dmi.is_read_allowed());
  EXPECT_FALSE(dmi.is_write_allowed());
  ASSERT_TRUE(p.cpu.dmi(0x20010, dmi));
  EXPECT_FALSE(dmi.is_write_allowed());
  EXPECT_EQ(dmi.get_dmi_ptr(), ram.host_ptr() + 0x1000);
  ASSERT_TRUE(p.cpu.dmi(0x30000, dmi));
  EXPECT_FALSE(dmi.is_write_allowed());
  flash.set_romd(false);
  EXPECT_FALSE(p.cpu.dmi(0x30000, dmi));
  EXPECT_FALSE(p.cpu.dmi(0x40010, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x40000u);
  EXPECT_EQ(dmi.get_end_address(), 0x400ffu);
  EXPECT_FALSE(p.cpu.dmi(0x50000, dmi));  // a hole: denied for all of it
  EXPECT_EQ(dmi.get_start_address(), 0x40100u);
  EXPECT_EQ(dmi.get_end_address(), ~uint64_t(0));
}

TEST(TlmTarget, CommitsInvalidateExactlyTheChangedRanges) {
  Platform p;
  RecordingInitiator<64> dma("dma");
  RecordingInitiator<64> idle("idle");  // never asks for DMI: never told
  dma.socket.bind(p.bus.target_socket);
  idle.socket.bind(p.bus.target_socket);
  RamRegion ram("ram", 0x10000);
  RamRegion vram("vram", 0x1000);
  ContainerRegion pci("pci", 0x100000);
  AliasRegion window("window", pci, 0x0, 0x100000);
  pci.add_subregion(0x4000, vram);
  p.system.add_subregion(0x0, ram);
  p.system.add_subregion_overlap(0x80000, window, 1);
  p.elaborate();
  tlm::tlm_dmi dmi;
  auto grab = [&](RecordingInitiator<64>& who, uint64_t address) { ASSERT_TRUE(who.dmi(address, dmi)); };
  grab(p.cpu, 0x84000);  // vram through the alias
  grab(p.cpu, 0x0);
  grab(dma, 0x84000);
  vram.set_address(0x6000);  // seen through the alias: both windows change
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(Pair(0x84000u, 0x84fffu)));
  EXPECT_THAT(dma.invalidations, ElementsAre(Pair(0x84000u, 0x84fffu)));
  EXPECT_TRUE(idle.invalidations.empty());
  p.cpu.invalidations.clear();
  grab(p.cpu, 0x86000);
  {
    Transaction t;
    ram.set_readonly(true);
    vram.set_enabled(false);
  }
  // Exactly the changed ranges, each once, to the initiator holding grants there.
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(Pair(0x0u, 0xffffu), Pair(0x86000u, 0x86fffu)));
  EXPECT_THAT(dma.invalidations, ElementsAre(Pair(0x84000u, 0x84fffu)));
  p.cpu.invalidations.clear();
  grab(p.cpu, 0x0);
  ram.set_readonly(true);           // no change: nothing invalidated
  window.set_alias_offset(0x2000);  // vram disabled, pci empty: nothing changes in the view
  EXPECT_TRUE(p.cpu.invalidations.empty());
  ram.set_address(0x1000);  // RAM's range changes: the grant taken after the last invalidation is withdrawn
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(Pair(0x0u, 0x10fffu)));
}

TEST(TlmTarget, ARegionOnItsOwnSocketIsRegionRelative) {
  ContainerRegion system("system", k64BitSpace);
  ContainerRegion bus("bus", 0x10000);
  RamRegion ram("ram", 0x1000);
  MmioRegion low("low", 0x1000);
  bus.add_subregion(0x2000, ram);
  bus.add_subregion_overlap(0x2800, low, -1);
  system.add_subregion(0x40000000, bus);
  AddressSpaceTarget<32> bus_target("bus_target", bus);
  RecordingInitiator<32> cpu("cpu");
  cpu.socket.bind(bus_target.target_socket);
  sc_core::sc_start(kZero);
  EXPECT_TRUE(address_spaces().empty());  // not an address space of the map
  uint8_t out[4] = {9, 8, 7, 6};
  EXPECT_EQ(cpu.transport(tlm::TLM_WRITE_COMMAND, 0x2010, out, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ram.host_ptr()[0x10], 9);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(cpu.dmi(0x2010, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x2000u);
  EXPECT_EQ(dmi.get_end_address(), 0x2fffu);
  ram.set_address(0x4000);
  // 0x3000-0x37ff showed `low` at the same offset before and after: kept;
  // 0x4000-0x4fff changed too, but the initiator held no grant there.
  EXPECT_THAT(cpu.invalidations, ElementsAre(Pair(0x2000u, 0x2fffu)));
}

TEST(TlmTarget, NonBlockingTransportCompletesModelRegionsAtOnce) {
  Platform p;
  RamRegion ram("ram", 0x100);
  ram.set_latency(std::chrono::nanoseconds(7), std::chrono::nanoseconds(7));
  p.system.add_subregion(0x0, ram);
  p.elaborate();
  uint8_t data[4] = {1, 2, 3, 4};
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(0x10);
  gp.set_data_ptr(data);
  gp.set_data_length(4);
  gp.set_streaming_width(4);
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_time delay = kZero;
  EXPECT_EQ(p.cpu.socket->nb_transport_fw(gp, phase, delay), tlm::TLM_COMPLETED);
  EXPECT_EQ(delay, sc_time(7, SC_NS));
  EXPECT_EQ(gp.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ram.host_ptr()[0x13], 4);
}

// A loosely-timed CPU with temporal decoupling: it runs ahead of simulated
// time by up to a quantum and never waits inside the interconnect.
struct LtCpu : sc_core::sc_module {
  DmiInitiator<64> port{"port"};
  tlm_utils::tlm_quantumkeeper keeper;
  uint32_t sum = 0;
  int syncs = 0;
  SC_HAS_PROCESS(LtCpu);
  explicit LtCpu(sc_core::sc_module_name n) : sc_core::sc_module(n) { SC_THREAD(run); }
  void run() {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(100, SC_NS));
    keeper.reset();
    for (uint32_t i = 0; i < 256; ++i) {
      sc_time t = sc_core::SC_ZERO_TIME;
      port.write<uint32_t>(0x1000 + 4 * i, i, t);
      advance(t);
    }
    for (uint32_t i = 0; i < 256; ++i) {
      sc_time t = sc_core::SC_ZERO_TIME;
      sum += port.read<uint32_t>(0x1000 + 4 * i, t);
      advance(t);
    }
  }
  void advance(const sc_time& t) {
    keeper.inc(t);
    if (keeper.need_sync()) {
      keeper.sync();
      ++syncs;
    }
  }
};

TEST(TlmTarget, LooselyTimedInitiatorWithTemporalDecoupling) {
  ContainerRegion system("system", k64BitSpace);
  AddressSpace memory(system, "memory");
  RamRegion ram("ram", 0x10000);
  ram.set_latency(std::chrono::nanoseconds(1), std::chrono::nanoseconds(1));
  system.add_subregion(0x0, ram);
  AddressSpaceTarget<64> bus("bus", memory);
  LtCpu cpu("cpu");
  cpu.port.socket.bind(bus.target_socket);
  sc_core::sc_start();
  EXPECT_EQ(cpu.sum, 255u * 256u / 2u);
  EXPECT_EQ(sc_core::sc_time_stamp() + cpu.keeper.get_local_time(), sc_time(512, SC_NS));
  EXPECT_GE(cpu.syncs, 5);
  EXPECT_GT(cpu.port.dmi_accesses(), 500u);  // after the first access, DMI
}

// The device's grant through a window is kept for the initiator that got
// it: its next request is answered at once; the device still sees every
// other initiator, every write request its read-only grant does not serve,
// and every request after it invalidated or the map changed.
TEST(TlmTarget, ADeviceGrantIsKeptForItsInitiatorUntilWithdrawn) {
  Bus<64> bus{"bus"};
  MemoryDevice<64> dev{"dev", 0x1000};
  dev.grant_write = false;
  bus.bind(dev.socket, 0x40000000, 0x1000);
  RecordingInitiator<64> a{"a"};
  RecordingInitiator<64> b{"b"};
  a.socket.bind(bus.target_socket);
  b.socket.bind(bus.target_socket);
  sc_core::sc_start(kZero);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(a.dmi(0x40000010, dmi));
  EXPECT_EQ(dev.dmi_requests, 1u);
  ASSERT_TRUE(a.dmi(0x40000ff0, dmi));  // inside the kept grant
  EXPECT_EQ(dev.dmi_requests, 1u);
  EXPECT_EQ(dmi.get_start_address(), 0x40000000u);
  EXPECT_EQ(dmi.get_end_address(), 0x40000fffu);
  EXPECT_EQ(dmi.get_dmi_ptr(), &dev.bytes[0]);
  ASSERT_TRUE(b.dmi(0x40000010, dmi));  // another initiator: asks the device
  EXPECT_EQ(dev.dmi_requests, 2u);
  a.dmi(0x40000010, dmi, tlm::TLM_WRITE_COMMAND);  // the kept grant is read-only
  EXPECT_EQ(dev.dmi_requests, 3u);
  dev.invalidate(0x0, 0xfff);
  ASSERT_TRUE(a.dmi(0x40000010, dmi));
  EXPECT_EQ(dev.dmi_requests, 4u);
  bus.space().root()->subregions().front()->set_address(0x50000000);  // the window moves
  ASSERT_TRUE(a.dmi(0x50000010, dmi));
  EXPECT_EQ(dev.dmi_requests, 5u);
  EXPECT_EQ(dmi.get_start_address(), 0x50000000u);
}

// A kept grant answers only what it serves: not a write request where it
// is read-only, not an address beyond it where it covers part of the window.
TEST(TlmTarget, AKeptGrantAnswersOnlyWhatItServes) {
  Bus<64> bus{"bus"};
  MemoryDevice<64> read_only{"read_only", 0x1000};
  MemoryDevice<64> small{"small", 0x1000};
  read_only.grant_write = false;
  bus.bind(read_only.socket, 0x40000000, 0x1000);
  bus.bind(small.socket, 0x50000000, 0x2000);  // the device fills half its window
  RecordingInitiator<64> a{"a"};
  a.socket.bind(bus.target_socket);
  sc_core::sc_start(kZero);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(a.dmi(0x40000010, dmi));
  ASSERT_TRUE(a.dmi(0x40000020, dmi));
  EXPECT_EQ(read_only.dmi_requests, 1u);
  EXPECT_TRUE(a.dmi(0x40000010, dmi, tlm::TLM_WRITE_COMMAND));  // granted read-only again, by the device
  EXPECT_FALSE(dmi.is_write_allowed());
  EXPECT_EQ(read_only.dmi_requests, 2u);

  ASSERT_TRUE(a.dmi(0x50000010, dmi));
  ASSERT_TRUE(a.dmi(0x50000ff0, dmi));
  EXPECT_EQ(small.dmi_requests, 1u);
  EXPECT_EQ(dmi.get_end_address(), 0x50000fffu);
  EXPECT_FALSE(a.dmi(0x50001800, dmi));  // beyond the grant: the device is asked (and denies there)
  EXPECT_EQ(small.dmi_requests, 2u);
}

// The kept grant answers through every page of the window, also a page
// whose decision was cached before the grant was kept.
TEST(TlmTarget, AKeptGrantAnswersThroughEveryPageOfTheWindow) {
  Bus<64> bus{"bus"};
  MemoryDevice<64> dev{"dev", 0x4000};
  bus.bind(dev.socket, 0x40000000, 0x4000);
  RecordingInitiator<64> a{"a"};
  a.socket.bind(bus.target_socket);
  sc_core::sc_start(kZero);
  uint32_t word = 0;
  ASSERT_EQ(a.transport(tlm::TLM_READ_COMMAND, 0x40003010, &word, 4), tlm::TLM_OK_RESPONSE);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(a.dmi(0x40000010, dmi));
  EXPECT_EQ(dev.dmi_requests, 1u);
  for (uint64_t page = 0; page < 4; ++page) {
    ASSERT_TRUE(a.dmi(0x40000010 + (page << 12), dmi));
    EXPECT_EQ(dev.dmi_requests, 1u) << "page " << page;
    EXPECT_EQ(dmi.get_start_address(), 0x40000000u);
    EXPECT_EQ(dmi.get_end_address(), 0x40003fffu);
  }
}

// Debug accesses to a device that granted DMI over their bytes are copied
// through the grant: a debugger's loads cost a copy, not a device call. The
// debug path asks for the grant once per window, and an initiator's kept
// grant serves it too.
TEST(TlmTarget, DebugAccessesCopyThroughTheDevicesGrant) {
  Bus<64> bus{"bus"};
  MemoryDevice<64> dev{"dev", 0x1000};
  MemoryDevice<64> other{"other", 0x1000};
  MemoryDevice<64> wide{"wide", 0x3000};
  bus.bind(dev.socket, 0x40000000, 0x1000);
  bus.bind(other.socket, 0x50000000, 0x1000);
  bus.bind(wide.socket, 0x70000000, 0x3000);
  RecordingInitiator<64> cpu{"cpu"};
  cpu.socket.bind(bus.target_socket);
  sc_core::sc_start(kZero);
  uint32_t word = 0x11223344;
  EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0x40000010, &word, 4), 4u);
  EXPECT_EQ(u32(&dev.bytes[0x10]), 0x11223344u);
  EXPECT_EQ(dev.dmi_requests, 1u);
  uint8_t text[16];
  for (int i = 0; i < 16; ++i) dev.bytes[0x100 + i] = uint8_t(i + 1);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x40000100, text, 16), 16u);  // not CPU-sized
  EXPECT_EQ(text[0], 1);
  EXPECT_EQ(text[15], 16);
  word = 0;
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x40000010, &word, 4), 4u);
  EXPECT_EQ(word, 0x11223344u);
  EXPECT_EQ(dev.debug_calls, 0u);
  EXPECT_EQ(dev.dmi_requests, 1u);
  // An initiator's kept grant serves the debug path: nothing asked again.
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(cpu.dmi(0x50000000, dmi));
  EXPECT_EQ(other.dmi_requests, 1u);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x50000ffc, &word, 4), 4u);
  EXPECT_EQ(other.dmi_requests, 1u);
  EXPECT_EQ(other.debug_calls, 0u);
  // ... and the debug path's grant is not an initiator's: it still asks.
  ASSERT_TRUE(cpu.dmi(0x40000000, dmi));
  EXPECT_EQ(dev.dmi_requests, 2u);
  // A grant kept through one page of a window serves all its pages.
  wide.bytes[0x2010] = 0x5a;
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x70000010, &word, 4), 4u);
  for (int i = 0; i < 2; ++i) {  // (the page's first access finds its slot empty)
    word = 0;
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x70002010, &word, 4), 4u);
    EXPECT_EQ(word, 0x5au);
  }
  EXPECT_EQ(wide.dmi_requests, 1u);
  EXPECT_EQ(wide.debug_calls, 0u);
}

// The device sees the debug accesses its grant does not serve: every one
// where it denied (asked once), writes through a read-only grant, bytes
// beyond a grant that covers part of the window, payloads with attributes.
TEST(TlmTarget, ADeviceSeesTheDebugAccessesItsGrantDoesNotServe) {
  Bus<64> bus{"bus"};
  MemoryDevice<64> denying{"denying", 0x1000};
  MemoryDevice<64> read_only{"read_only", 0x1000};
  MemoryDevice<64> small{"small", 0x1000};
  denying.grant_dmi = false;
  read_only.grant_write = false;
  bus.bind(denying.socket, 0x40000000, 0x1000);
  bus.bind(read_only.socket, 0x50000000, 0x1000);
  bus.bind(small.socket, 0x60000000, 0x2000);  // the device fills half its window
  RecordingInitiator<64> cpu{"cpu"};
  cpu.socket.bind(bus.target_socket);
  sc_core::sc_start(kZero);
  uint32_t word = 0x55667788;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x40000010, &word, 4), 4u);
  EXPECT_EQ(denying.debug_calls, 3u);
  EXPECT_EQ(denying.dmi_requests, 1u);

  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x50000010, &word, 4), 4u);
  EXPECT_EQ(read_only.debug_calls, 0u);
  word = 0x55667788;
  EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0x50000010, &word, 4), 4u);
  EXPECT_EQ(read_only.debug_calls, 1u);
  EXPECT_EQ(u32(&read_only.bytes[0x10]), 0x55667788u);
  EXPECT_EQ(read_only.dmi_requests, 1u);

  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x60000ffc, &word, 4), 4u);
  EXPECT_EQ(small.debug_calls, 0u);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x60000ffe, &word, 4), 2u);  // runs past the grant
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x60001800, &word, 4), 0u);
  EXPECT_EQ(small.debug_calls, 2u);
  EXPECT_EQ(small.dmi_requests, 1u);

  TxAttributes attributes;
  attributes.attrs.secure = true;
  cpu.gp.set_extension(&attributes);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x60000010, &word, 4), 4u);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x50000010, &word, 4), 4u);  // through a grant over it all
  cpu.gp.clear_extension(&attributes);
  EXPECT_EQ(small.debug_calls, 3u);
  EXPECT_EQ(read_only.debug_calls, 2u);
}

// A device's invalidation withdraws the debug path's grant too: the next
// debug access asks again and reads the memory the device has now. A
// denial and a grant are forgotten at every withdrawal alike (any device's).
TEST(TlmTarget, ADebugGrantIsAskedAgainAfterTheDeviceInvalidates) {
  Bus<64> bus{"bus"};
  MemoryDevice<64> dev{"dev", 0x1000};
  MemoryDevice<64> late{"late", 0x1000};  // denies at first
  late.grant_dmi = false;
  MemoryDevice<64> other{"other", 0x1000};  // grants, and never withdraws
  bus.bind(dev.socket, 0x40000000, 0x1000);
  bus.bind(late.socket, 0x50000000, 0x1000);
  bus.bind(other.socket, 0x60000000, 0x1000);
  RecordingInitiator<64> cpu{"cpu"};
  cpu.socket.bind(bus.target_socket);
  sc_core::sc_start(kZero);
  uint32_t word = 0;
  dev.bytes[0x20] = 0x01;
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x40000020, &word, 4), 4u);
  EXPECT_EQ(word, 0x01u);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x50000020, &word, 4), 4u);
  EXPECT_EQ(late.debug_calls, 1u);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x60000020, &word, 4), 4u);
  EXPECT_EQ(other.dmi_requests, 1u);
  // The device moves its memory (the old block stays alive, so that a
  // stale grant reads the old bytes rather than freed memory).
  const std::vector<uint8_t> old = std::move(dev.bytes);
  dev.bytes.assign(0x1000, 0);
  dev.bytes[0x20] = 0x02;
  late.grant_dmi = true;
  dev.invalidate(0x0, 0xfff);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x40000020, &word, 4), 4u);
  EXPECT_EQ(word, 0x02u);
  EXPECT_EQ(dev.dmi_requests, 2u);
  EXPECT_EQ(dev.debug_calls, 0u);
  late.bytes[0x20] = 0x03;
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x50000020, &word, 4), 4u);
  EXPECT_EQ(word, 0x03u);
  EXPECT_EQ(late.dmi_requests, 2u);
  EXPECT_EQ(late.debug_calls, 1u);
  // A grant kept from a device that did not withdraw is forgotten as well.
  other.bytes[0x20] = 0x04;
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x60000020, &word, 4), 4u);
  EXPECT_EQ(word, 0x04u);
  EXPECT_EQ(other.dmi_requests, 2u);
  EXPECT_EQ(other.debug_calls, 0u);
}

// The target remembers which initiators hold a RAM range's grant so that
// giving it again costs no bookkeeping; what it remembers must follow every
// withdrawal, or a grant taken again is never withdrawn.
TEST(TlmTarget, AGrantGivenAgainIsWithdrawnAgain) {
  Bus<64> bus{"bus"};
  RamRegion ram("ram", 0x1000);
  RamRegion other("other", 0x1000);
  MemoryDevice<64> dev{"dev", 0x1000};
  bus.map(0x0, ram);
  bus.map(0x10000, other);
  bus.bind(dev.socket, 0x40000000, 0x1000);
  // More initiators than the target keeps a bit for (32).
  std::vector<std::unique_ptr<RecordingInitiator<64>>> cpus;
  for (int i = 0; i < 40; ++i) {
    cpus.push_back(std::make_unique<RecordingInitiator<64>>(("cpu" + std::to_string(i)).c_str()));
    cpus.back()->socket.bind(bus.target_socket);
  }
  sc_core::sc_start(kZero);
  tlm::tlm_dmi dmi;
  auto grab_all = [&](uint64_t address) {
    for (auto& cpu : cpus) {
      ASSERT_TRUE(cpu->dmi(address, dmi));
      ASSERT_TRUE(cpu->dmi(address, dmi));  // given again
      cpu->invalidations.clear();
    }
  };
  auto told = [&](std::size_t i) { return cpus[i]->invalidations; };
  grab_all(0x0);
  other.set_enabled(false);  // a change elsewhere: nobody holds a grant there
  for (std::size_t i = 0; i < cpus.size(); ++i) EXPECT_TRUE(told(i).empty()) << "cpu" << i;
  grab_all(0x0);
  dev.invalidate(0x0, 0xfff);  // a device's invalidation goes to everyone
  grab_all(0x0);
  ram.invalidate_direct_access(0x10, 0x10);  // the RAM's own: its holders are told and forgotten
  for (std::size_t i = 0; i < cpus.size(); ++i) EXPECT_THAT(told(i), ElementsAre(Pair(0x10u, 0x10u))) << "cpu" << i;
  grab_all(0x0);
  ram.set_address(0x2000);
  for (std::size_t i = 0; i < cpus.size(); ++i) EXPECT_THAT(told(i), ElementsAre(Pair(0x0u, 0xfffu))) << "cpu" << i;
  grab_all(0x2000);
  ram.set_readonly(true);
  for (std::size_t i = 0; i < cpus.size(); ++i) EXPECT_THAT(told(i), ElementsAre(Pair(0x2000u, 0x2fffu))) << "cpu" << i;
  // Withdrawn, then taken again by one initiator only: only it is told next time.
  ASSERT_TRUE(cpus[3]->dmi(0x2000, dmi));
  ASSERT_TRUE(cpus[35]->dmi(0x2000, dmi));
  for (auto& cpu : cpus) cpu->invalidations.clear();
  ram.set_address(0x4000);
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    if (i == 3 || i == 35) {
      EXPECT_THAT(told(i), ElementsAre(Pair(0x2000u, 0x2fffu))) << "cpu" << i;
    } else {
      EXPECT_TRUE(told(i).empty()) << "cpu" << i;
    }
  }
}

TEST(TlmTarget, DmiInitiatorNeverUsesAStalePointer) {
  DmiInitiator<64> cpu("cpu2");  // declared first: outlives the map it is told about
  Platform p;
  RamRegion a("a", 0x1000), b("b", 0x1000);
  p.system.add_subregion(0x0, a);
  cpu.socket.bind(p.bus.target_socket);
  p.elaborate();
  sc_time delay = kZero;
  a.host_ptr()[0] = 0xaa;
  b.host_ptr()[0] = 0xbb;
  EXPECT_EQ(cpu.read<uint8_t>(0x0, delay), 0xaa);  // b_transport, then a grant
  EXPECT_EQ(cpu.read<uint8_t>(0x0, delay), 0xaa);  // through DMI
  EXPECT_EQ(cpu.dmi_accesses(), 1u);
  {
    Transaction t;
    p.system.del_subregion(a);
    p.system.add_subregion(0x0, b);
  }
  EXPECT_TRUE(cpu.dmi_cache().grants().empty());
  EXPECT_EQ(cpu.read<uint8_t>(0x0, delay), 0xbb);
}

}  // namespace
}  // namespace tlmmap
