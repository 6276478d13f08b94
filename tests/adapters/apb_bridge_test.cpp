// TLM to APB4 (TlmToApb) against an RTL timer block (the two APB bridges
// back to back: bridge_pair_test.cpp). APB assertions
// (tests/rtl/apb_checker.sv) watch the pins; the base-protocol checker
// watches the TLM hops.
#include <gtest/gtest.h>

#include "Vapb_checker32.h"
#include "Vapb_timer.h"
#include "adapter_test_kit.hpp"
#include "support/protocol_checker.hpp"
#include "support/test_env.hpp"
#include "tlmmap/adapters.hpp"
#include "tlmmap/tlm.hpp"

namespace {

using namespace sc_core;
using namespace tlmmap;
using namespace tlmmap::adapters;
using tlmmap::test::OwnedTxn;
using tlmmap::test::ProtocolChecker;

constexpr uint64_t kTimer = 0x10000000;

struct TimerTop {
  sc_clock clk{"clk", 10, SC_NS};
  sc_signal<bool> rstn{"rstn", false}, irq{"irq"};
  Apb4Signals<32, 12> wires;
  TlmToApb<32, 12> bridge{"bridge"};
  Vapb_timer timer{"timer"};
  Vapb_checker32 pins{"pins"};
  Bus<32> bus{"bus"};
  ProtocolChecker<32> cpu_hop{"cpu_hop"}, bridge_hop{"bridge_hop"};
  test::TestInitiator<32> cpu{"cpu"};
  TimerTop() {
    bridge.clk(clk);
    bridge.rst(rstn);
    bridge.connect(wires);
    timer.clk(clk);
    timer.rstn(rstn);
    timer.irq(irq);
    TLMMAP_BIND_APB4(timer, , wires);
    pins.clk(clk);
    pins.rstn(rstn);
    TLMMAP_BIND_APB4(pins, , wires);
    bridge_hop.initiator_socket.bind(bridge.target_socket);
    bus.bind(bridge_hop.target_socket, kTimer, 0x1000);
    cpu.socket.bind(cpu_hop.target_socket);
    cpu_hop.initiator_socket.bind(bus.target_socket);
  }
  uint32_t read32(uint64_t offset, tlm::tlm_response_status* status = nullptr, bool privileged = false) {
    OwnedTxn t;
    t.set(tlm::TLM_READ_COMMAND, kTimer + offset, std::vector<uint8_t>(4));
    attributes(t, privileged);
    const auto s = cpu.transport(t.gp);
    if (status != nullptr) *status = s;
    uint32_t v;
    std::memcpy(&v, t.data.data(), 4);
    return v;
  }
  tlm::tlm_response_status write(uint64_t offset, std::vector<uint8_t> bytes, bool privileged = false) {
    OwnedTxn t;
    t.set(tlm::TLM_WRITE_COMMAND, kTimer + offset, std::move(bytes));
    attributes(t, privileged);
    return cpu.transport(t.gp);
  }
  static void attributes(OwnedTxn& t, bool privileged) {
    MemTxAttrs a = MemTxAttrs::specified();
    a.user = !privileged;
    t.gp.set_extension(new TxAttributes(a));
  }
  static std::vector<uint8_t> le(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }
  void expect_clean() {
    EXPECT_TRUE(cpu_hop.violations().empty());
    EXPECT_TRUE(bridge_hop.violations().empty());
  }
};

TEST(TlmToApb, RegistersStrobesAndErrors) {
  TimerTop top;
  uint32_t id = 0, scratch = 0, scratch_bytes = 0, secret_user = 1, secret_priv = 0;
  tlm::tlm_response_status ro_write{}, bad_addr{}, user_secret{}, priv_secret{};
  top.cpu.body = [&] {
    wait(35, SC_NS);
    top.rstn = true;
    id = top.read32(0x14);
    top.write(0x10, TimerTop::le(0x11223344));
    scratch = top.read32(0x10);
    top.write(0x11, {0xaa, 0xbb});  // two bytes in the middle of the word: PSTRB 0b0110
    scratch_bytes = top.read32(0x10);
    ro_write = top.write(0x14, TimerTop::le(1));
    top.read32(0x40, &bad_addr);
    user_secret = top.write(0x1c, TimerTop::le(7));
    priv_secret = top.write(0x1c, TimerTop::le(9), true);
    tlm::tlm_response_status s;
    secret_user = top.read32(0x1c, &s);
    secret_priv = top.read32(0x1c, nullptr, true);
  };
  sc_start();
  EXPECT_EQ(id, 0x41504254u);
  EXPECT_EQ(scratch, 0x11223344u);
  EXPECT_EQ(scratch_bytes, 0x11bbaa44u);
  EXPECT_EQ(ro_write, tlm::TLM_GENERIC_ERROR_RESPONSE);  // PSLVERR
  EXPECT_EQ(bad_addr, tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(user_secret, tlm::TLM_GENERIC_ERROR_RESPONSE);  // PPROT[0] clear
  EXPECT_EQ(priv_secret, tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(secret_user, 0u);
  EXPECT_EQ(secret_priv, 9u);
  top.expect_clean();
}

TEST(TlmToApb, WaitStatesStretchTheAccessAndTheTimerInterrupts) {
  TimerTop top;
  sc_time fast, slow, irq_at;
  top.cpu.body = [&] {
    wait(35, SC_NS);
    top.rstn = true;
    top.read32(0x14);  // from here on, on the clock edge
    sc_time t0 = sc_time_stamp();
    top.read32(0x14);
    fast = sc_time_stamp() - t0;
    top.write(0x18, TimerTop::le(5));  // 5 wait states
    t0 = sc_time_stamp();
    top.read32(0x14);
    slow = sc_time_stamp() - t0;
    top.write(0x04, TimerTop::le(100));  // LOAD
    top.write(0x00, TimerTop::le(3));    // run, interrupt enable
    const sc_time started = sc_time_stamp();
    if (!top.irq.read()) wait(top.irq.posedge_event());
    irq_at = sc_time_stamp() - started;
    top.write(0x0c, TimerTop::le(1));  // clear
  };
  sc_start();
  EXPECT_EQ(slow - fast, sc_time(50, SC_NS));
  EXPECT_GE(irq_at, sc_time(900, SC_NS));
  EXPECT_LE(irq_at, sc_time(1100, SC_NS));
  EXPECT_FALSE(top.irq.read());
  top.expect_clean();
}

TEST(TlmToApb, NbTransportAndResetHeldAtStart) {
  TimerTop top;
  std::vector<tlm::tlm_generic_payload*> order;
  std::vector<uint32_t> values;
  sc_time first_done;
  top.cpu.body = [&] {
    sc_spawn([&] {
      wait(200, SC_NS);
      top.rstn = true;
    });
    std::vector<OwnedTxn> t(3);
    t[0].set(tlm::TLM_WRITE_COMMAND, kTimer + 0x10, TimerTop::le(0xcafe));
    t[1].set(tlm::TLM_READ_COMMAND, kTimer + 0x10, std::vector<uint8_t>(4));
    t[2].set(tlm::TLM_READ_COMMAND, kTimer + 0x14, std::vector<uint8_t>(4));
    top.cpu.transport_all({&t[0].gp, &t[1].gp, &t[2].gp}, order);
    first_done = sc_time_stamp();
    for (auto& x : t) {
      uint32_t v;
      std::memcpy(&v, x.data.data(), 4);
      values.push_back(v);
    }
  };
  sc_start();
  EXPECT_EQ(order.size(), 3u);
  EXPECT_GT(first_done, sc_time(200, SC_NS));
  EXPECT_EQ(values[1], 0xcafeu);
  EXPECT_EQ(values[2], 0x41504254u);
  top.expect_clean();
}

}  // namespace
