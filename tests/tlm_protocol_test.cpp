// The TLM face keeps the base protocol and answers malformed payloads the
// same way on every path; the model's decisions it caches are dropped when
// they change (latency, ops, readonly, romd mode), and DMI grants with them.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <cstring>
#include <memory>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <systemc>

#include "support/payload.hpp"
#include "support/protocol_checker.hpp"
#include "support/tlm_devices.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;
using ::testing::ElementsAre;
using test::MemoryDevice;
using test::ProtocolChecker;
using test::RecordingInitiator;

const sc_time kZero = sc_core::SC_ZERO_TIME;

// A loosely-timed memory whose b_transport waits, as an LT target may.
struct WaitingMemory : sc_core::sc_module {
  tlm_utils::simple_target_socket<WaitingMemory, 32> socket{"socket"};
  std::vector<uint8_t> bytes = std::vector<uint8_t>(0x1000);
  int calls = 0;
  explicit WaitingMemory(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    socket.register_b_transport(this, &WaitingMemory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    ++calls;
    sc_core::wait(delay + sc_time(10, SC_NS));
    delay = kZero;
    const uint64_t a = gp.get_address();
    for (unsigned i = 0; i < gp.get_data_length(); ++i) {
      if (gp.is_write()) {
        bytes[a + i] = gp.get_data_ptr()[i];
      } else {
        gp.get_data_ptr()[i] = bytes[a + i];
      }
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// An approximately-timed initiator that sends one transaction from a method
// or a thread and takes the response on its backward path.
struct AtInitiator : sc_core::sc_module {
  SC_HAS_PROCESS(AtInitiator);
  tlm_utils::simple_initiator_socket<AtInitiator, 32> socket{"socket"};
  tlm::tlm_generic_payload gp;
  uint8_t data[8] = {};
  bool from_method;
  bool responded = false;
  sc_time responded_at;
  sc_time returned_at;  // sc_time_stamp() when nb_transport_fw returned
  tlm::tlm_sync_enum first_answer = tlm::TLM_ACCEPTED;

  AtInitiator(sc_core::sc_module_name name, bool method) : sc_core::sc_module(name), from_method(method) {
    socket.register_nb_transport_bw(this, &AtInitiator::nb_transport_bw);
    if (from_method) {
      SC_METHOD(send);
    } else {
      SC_THREAD(send);
    }
  }
  void prepare(tlm::tlm_command command, uint64_t address, unsigned length) {
    test::prepare_payload(gp, command, address, data, length);
  }
  void send() {
    if (gp.get_data_length() == 0) return;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_time delay = kZero;
    first_answer = socket->nb_transport_fw(gp, phase, delay);
    returned_at = sc_core::sc_time_stamp();
    if (first_answer == tlm::TLM_COMPLETED) {
      responded = true;
      responded_at = sc_core::sc_time_stamp() + delay;
    }
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase& phase, sc_time& delay) {
    if (phase == tlm::BEGIN_RESP) {
      responded = true;
      responded_at = sc_core::sc_time_stamp() + delay;
      phase = tlm::END_RESP;
      return tlm::TLM_COMPLETED;
    }
    return tlm::TLM_ACCEPTED;
  }
};

// RAM at [0, 0x1000), a TLM device whose b_transport waits at [0x1000,
// 0x2000), a checker on each hop.
struct SplitPlatform {
  Bus<32> bus{"bus"};
  RamRegion ram{"ram", 0x1000};
  WaitingMemory device{"device"};
  ProtocolChecker<32> device_checker{"device_checker"};
  ProtocolChecker<32> cpu_checker{"cpu_checker"};
  AtInitiator cpu;

  explicit SplitPlatform(bool from_method) : cpu("cpu", from_method) {
    bus.map(0x0, ram);
    bus.bind(device_checker.target_socket, 0x1000, 0x1000);
    device_checker.initiator_socket.bind(device.socket);
    cpu.socket.bind(cpu_checker.target_socket);
    cpu_checker.initiator_socket.bind(bus.target_socket);
    for (int i = 0; i < 4; ++i) {
      ram.host_ptr()[0xffc + i] = static_cast<uint8_t>(0xa0 + i);
      device.bytes[i] = static_cast<uint8_t>(0xb0 + i);
    }
  }
};

void expect_split_read(SplitPlatform& p) {
  p.cpu.prepare(tlm::TLM_READ_COMMAND, 0xffc, 8);
  sc_core::sc_start();
  EXPECT_TRUE(p.cpu.responded);
  EXPECT_EQ(p.cpu.gp.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_THAT(std::vector<uint8_t>(p.cpu.data, p.cpu.data + 8),
              ElementsAre(0xa0, 0xa1, 0xa2, 0xa3, 0xb0, 0xb1, 0xb2, 0xb3));
  EXPECT_EQ(p.device.calls, 1);
  EXPECT_GE(p.cpu.responded_at, sc_time(10, SC_NS));  // the device's wait
  EXPECT_TRUE(p.cpu_checker.violations().empty());
  EXPECT_TRUE(p.device_checker.violations().empty());  // never b_transport from a method
}

// nb_transport_fw never blocks: a transaction that reaches a TLM device only
// in part is answered from a process of the target's own.
TEST(TlmProtocol, SplitTransactionFromAMethodNeverBlocks) {
  SplitPlatform p(true);
  expect_split_read(p);
  EXPECT_EQ(p.cpu.returned_at, kZero);
}

TEST(TlmProtocol, SplitTransactionFromAThreadReturnsWithoutTimePassing) {
  SplitPlatform p(false);
  expect_split_read(p);
  EXPECT_EQ(p.cpu.returned_at, kZero);
  EXPECT_NE(p.cpu.first_answer, tlm::TLM_COMPLETED);
}

// --- malformed payloads: TLM_GENERIC_ERROR_RESPONSE on every path ---------

struct MalformedPlatform {
  Bus<64> bus{"bus"};
  RamRegion small{"small", 0x1000};
  RamRegion huge{"huge", u128(8) << 30};
  MmioRegion regs{"regs", 0x100};
  MemoryDevice<32> device{"device", 0x1000};
  RecordingInitiator<64> cpu{"cpu"};
  int callbacks = 0;

  MalformedPlatform() {
    MmioOps ops;
    ops.read = [this](uint64_t, unsigned) { return ++callbacks; };
    ops.write = [this](uint64_t, uint64_t, unsigned) { ++callbacks; };
    regs.set_ops(ops);
    bus.map(0x0, small);
    bus.map(0x100000000, huge);
    bus.map(0x10000, regs);
    bus.bind(device.socket, 0x20000, 0x1000);
    cpu.socket.bind(bus.target_socket);
  }
};

TEST(TlmProtocol, MalformedPayloadsAreGenericErrorsEverywhere) {
  MalformedPlatform p;
  sc_core::sc_start(kZero);
  uint8_t buffer[8] = {};
  for (uint64_t address : {0x10ull, 0x100000010ull, 0x10010ull, 0x20010ull, 0x900000000ull}) {
    for (tlm::tlm_command command : {tlm::TLM_READ_COMMAND, tlm::TLM_WRITE_COMMAND}) {
      SCOPED_TRACE("address " + hex(address));
      // Length 0 (the 8 GiB RAM once wrapped `length - 1`).
      EXPECT_EQ(p.cpu.transport(command, address, buffer, 0), tlm::TLM_GENERIC_ERROR_RESPONSE);
      // No data pointer.
      EXPECT_EQ(p.cpu.transport(command, address, nullptr, 4), tlm::TLM_GENERIC_ERROR_RESPONSE);
      // Byte enables without a length.
      const uint8_t enables[4] = {0xff, 0xff, 0xff, 0xff};
      EXPECT_EQ(p.cpu.transport(command, address, buffer, 4, enables, 0), tlm::TLM_GENERIC_ERROR_RESPONSE);
      EXPECT_EQ(p.cpu.debug(command, address, buffer, 0), 0u);
      EXPECT_EQ(p.cpu.debug(command, address, nullptr, 4), 0u);
    }
  }
  EXPECT_EQ(p.callbacks, 0);
  EXPECT_TRUE(p.device.seen_addresses.empty());
}

TEST(TlmProtocol, MalformedPayloadOnNbTransportCompletesWithAGenericError) {
  MalformedPlatform p;
  sc_core::sc_start(kZero);
  for (uint64_t address : {0x10ull, 0x100000010ull, 0x10010ull, 0x20010ull}) {
    tlm::tlm_generic_payload gp;
    test::prepare_payload(gp, tlm::TLM_READ_COMMAND, address, nullptr, 4);
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_time delay = kZero;
    EXPECT_EQ(p.cpu.socket->nb_transport_fw(gp, phase, delay), tlm::TLM_COMPLETED);
    EXPECT_EQ(gp.get_response_status(), tlm::TLM_GENERIC_ERROR_RESPONSE);
  }
  EXPECT_TRUE(p.device.seen_addresses.empty());
}

// --- byte enables all off: one rule on every path --------------------------
// Decoding and rights are judged on the address span, enables only choose
// the bytes that move.
TEST(TlmProtocol, WriteWithEveryByteDisabledFollowsOneRule) {
  MalformedPlatform p;
  RamRegion rom_like("rom_like", 0x100);
  rom_like.set_readonly(true);
  p.bus.map(0x30000, rom_like);
  MemoryDevice<32> locked("locked", 0x100);
  TlmDeviceRegion<32> locked_window("locked_window", 0x100);
  locked_window.socket.bind(locked.socket);
  locked_window.set_readonly(true);
  p.bus.map(0x40000, locked_window);
  sc_core::sc_start(kZero);
  uint8_t data[4] = {1, 2, 3, 4};
  const uint8_t off[4] = {0, 0, 0, 0};
  auto write_disabled = [&](uint64_t address) {
    return p.cpu.transport(tlm::TLM_WRITE_COMMAND, address, data, 4, off, 4);
  };
  EXPECT_EQ(write_disabled(0x30000), tlm::TLM_COMMAND_ERROR_RESPONSE);  // read-only RAM
  EXPECT_EQ(write_disabled(0x40000), tlm::TLM_COMMAND_ERROR_RESPONSE);  // read-only TLM window
  EXPECT_EQ(write_disabled(0x10000), tlm::TLM_OK_RESPONSE);             // MMIO: nothing dispatched
  EXPECT_EQ(write_disabled(0x10), tlm::TLM_OK_RESPONSE);                // RAM: nothing written
  EXPECT_EQ(write_disabled(0x50000), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // unmapped
  EXPECT_EQ(p.callbacks, 0);
  EXPECT_EQ(p.small.host_ptr()[0x10], 0);
  EXPECT_TRUE(locked.seen_addresses.empty());
}

// --- cached decisions follow every change --------------------------------

struct ChangePlatform {
  Bus<64> bus{"bus"};
  RamRegion ram{"ram", 0x1000};
  RomDeviceRegion flash{"flash", 0x1000};
  MmioRegion regs{"regs", 0x100};
  RecordingInitiator<64> cpu{"cpu"};
  ChangePlatform() {
    bus.map(0x0, ram);
    bus.map(0x10000, flash);
    bus.map(0x20000, regs);
    cpu.socket.bind(bus.target_socket);
  }
};

TEST(TlmProtocol, LatencyChangeReachesTheFastPathAndFreshGrants) {
  ChangePlatform p;
  sc_core::sc_start(kZero);
  p.ram.set_latency(std::chrono::nanoseconds(2), std::chrono::nanoseconds(3));
  uint32_t value = 0;
  p.cpu.delay = kZero;
  p.cpu.transport(tlm::TLM_READ_COMMAND, 0x10, &value, 4);
  EXPECT_EQ(p.cpu.delay, sc_time(2, SC_NS));
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.cpu.dmi(0x10, dmi));
  EXPECT_EQ(dmi.get_read_latency(), sc_time(2, SC_NS));
  // The grant given leaves what the fast path adds as it was.
  p.cpu.delay = kZero;
  p.cpu.transport(tlm::TLM_READ_COMMAND, 0x10, &value, 4);
  p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x10, &value, 4);
  EXPECT_EQ(p.cpu.delay, sc_time(5, SC_NS));
  p.ram.set_latency(std::chrono::nanoseconds(7), std::chrono::nanoseconds(9));
  // The grant that carried the old latency is withdrawn...
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(std::make_pair(0x0ull, 0xfffull)));
  // ... and the fast path and a fresh grant tell the new one.
  p.cpu.delay = kZero;
  p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x10, &value, 4);
  EXPECT_EQ(p.cpu.delay, sc_time(9, SC_NS));
  ASSERT_TRUE(p.cpu.dmi(0x10, dmi));
  EXPECT_EQ(dmi.get_read_latency(), sc_time(7, SC_NS));
  EXPECT_EQ(dmi.get_write_latency(), sc_time(9, SC_NS));
}

TEST(TlmProtocol, OpsChangeReachesTheNextAccess) {
  ChangePlatform p;
  sc_core::sc_start(kZero);
  MmioOps first;
  first.read = [](uint64_t, unsigned) { return 0x1111u; };
  p.regs.set_ops(first);
  uint32_t value = 0;
  p.cpu.transport(tlm::TLM_READ_COMMAND, 0x20000, &value, 4);
  EXPECT_EQ(value, 0x1111u);
  MmioOps second;
  second.read = [](uint64_t, unsigned) { return 0x2222u; };
  p.regs.set_ops(second);
  p.cpu.transport(tlm::TLM_READ_COMMAND, 0x20000, &value, 4);
  EXPECT_EQ(value, 0x2222u);
}

TEST(TlmProtocol, ReadonlyChangeWithdrawsWriteGrants) {
  ChangePlatform p;
  sc_core::sc_start(kZero);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.cpu.dmi(0x10, dmi, tlm::TLM_WRITE_COMMAND));
  EXPECT_TRUE(dmi.is_write_allowed());
  p.ram.set_readonly(true);
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(std::make_pair(0x0ull, 0xfffull)));
  ASSERT_TRUE(p.cpu.dmi(0x10, dmi, tlm::TLM_WRITE_COMMAND));
  EXPECT_TRUE(dmi.is_read_allowed());
  EXPECT_FALSE(dmi.is_write_allowed());
  uint32_t value = 0;
  EXPECT_EQ(p.cpu.transport(tlm::TLM_WRITE_COMMAND, 0x10, &value, 4), tlm::TLM_COMMAND_ERROR_RESPONSE);
}

TEST(TlmProtocol, RomdChangeWithdrawsGrantsAndReachesTheCallbacks) {
  ChangePlatform p;
  int reads = 0;
  MmioOps ops;
  ops.read = [&reads](uint64_t, unsigned) { return ++reads; };
  ops.write = [](uint64_t, uint64_t, unsigned) {};
  p.flash.set_ops(ops);
  p.flash.host_ptr()[0x20] = 0x77;
  sc_core::sc_start(kZero);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(p.cpu.dmi(0x10020, dmi));
  uint8_t byte = 0;
  p.cpu.transport(tlm::TLM_READ_COMMAND, 0x10020, &byte, 1);
  EXPECT_EQ(byte, 0x77);
  p.flash.set_romd(false);
  EXPECT_THAT(p.cpu.invalidations, ElementsAre(std::make_pair(0x10000ull, 0x10fffull)));
  EXPECT_FALSE(p.cpu.dmi(0x10020, dmi));
  p.cpu.transport(tlm::TLM_READ_COMMAND, 0x10020, &byte, 1);
  EXPECT_EQ(reads, 1);
}

// The page-hashed cache lives on the heap: a target is small enough to be a
// member of any module.
static_assert(sizeof(AddressSpaceTarget<64>) < 4096, "an address space target stays small");

// --- the short form of binding ---------------------------------------------

TEST(TlmProtocol, BusBindsAnExistingTargetInOneCall) {
  Bus<> bus("bus");
  static_assert(std::is_same_v<Bus<>, Bus<32>>, "TLM's default bus width");
  static_assert(std::is_same_v<AddressSpaceTarget<>, AddressSpaceTarget<32>>, "TLM's default bus width");
  MemoryDevice<32> timer("timer", 0x1000);
  RecordingInitiator<32> cpu("cpu");
  TlmDeviceRegion<32>& window = bus.bind(timer.socket, 0x10001000, 0x1000);
  cpu.socket.bind(bus.target_socket);
  EXPECT_EQ(window.container(), &bus.root());
  EXPECT_EQ(window.address(), 0x10001000u);
  EXPECT_EQ(bus.space().lookup(0x10001004)->region(), &window);
  sc_core::sc_start(kZero);
  uint32_t value = 0xabcd;
  EXPECT_EQ(cpu.transport(tlm::TLM_WRITE_COMMAND, 0x10001004, &value, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_THAT(timer.seen_addresses, ElementsAre(0x4u));
  EXPECT_EQ(timer.bytes[4], 0xcd);
}

}  // namespace
}  // namespace tlmmap
