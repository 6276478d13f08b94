// The riscv-virt RTL timer block's gated clock (devices/rtl_timer_block.hpp):
// the clock stops while the block is idle (out of reset, no APB access, the
// timer's run bit clear), runs while the timer runs or a transaction is in
// flight, and restarts in phase, so the block answers as it would on an
// always-on clock. The reference for "as it would" is the same RTL on an
// always-on sc_clock of the same period and phase, driven by the same script.
// Registers: tests/rtl/apb_timer.sv.
#include <cstdint>
#include <functional>
#include <ostream>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "devices/rtl_timer_block.hpp"
#include "support/payload.hpp"
#include "support/protocol_checker.hpp"

namespace {

using namespace sc_core;
using tlmmap::virt::RtlTimerBlock;

constexpr uint64_t kCtrl = 0x00;
constexpr uint64_t kLoad = 0x04;
constexpr uint64_t kCount = 0x08;
constexpr uint64_t kScratch = 0x10;
constexpr uint64_t kId = 0x14;
constexpr uint32_t kRun = 1;
constexpr uint32_t kPeriodic = 4;
constexpr uint64_t kResetClocks = 4;

// The block's clock period (RtlTimerBlock::period).
sc_time period() { return sc_time(1e9 / RtlTimerBlock::kClockHz, SC_NS); }

// The same RTL and bridge on an always-on clock that rises at 0, T, 2T...
struct AlwaysOnTimer : sc_module {
  sc_clock clk{"clk", period()};
  sc_signal<bool> rstn{"rstn", false};
  tlmmap::IrqLine irq{"irq"};
  tlmmap::virt::ApbTimerRtl timer{clk, rstn, irq};

  SC_HAS_PROCESS(AlwaysOnTimer);
  explicit AlwaysOnTimer(sc_module_name name) : sc_module(name) { SC_THREAD(power_on_reset); }
  void power_on_reset() {
    for (uint64_t i = 0; i < kResetClocks; ++i) wait(clk.posedge_event());
    rstn = true;
  }
};

// One register access as the initiator saw it: when it completed, what it read.
struct Access {
  sc_time done;
  uint32_t data;
  tlm::tlm_response_status status;
  bool operator==(const Access& o) const { return done == o.done && data == o.data && status == o.status; }
};
void PrintTo(const Access& a, std::ostream* os) {
  *os << "{" << a.done << ", 0x" << std::hex << a.data << std::dec << ", status " << a.status << "}";
}

class Port;
using Socket = tlm_utils::simple_initiator_socket<Port, 32>;

// An initiator port that logs every access (blocking or AT).
class Port {
 public:
  explicit Port(Socket& socket) : socket_(socket) {}
  uint32_t read(uint64_t address) { return access(tlm::TLM_READ_COMMAND, address, 0); }
  void write(uint64_t address, uint32_t value) { access(tlm::TLM_WRITE_COMMAND, address, value); }
  const std::vector<Access>& log() const { return log_; }

  uint32_t access(tlm::tlm_command command, uint64_t address, uint32_t value) {
    tlm::tlm_generic_payload gp;
    tlmmap::test::prepare_payload(gp, command, address, &value, 4);
    sc_time delay = SC_ZERO_TIME;
    socket_->b_transport(gp, delay);
    wait(delay);
    return logged(gp, value);
  }

  // The base protocol, BEGIN_REQ to END_RESP: END_REQ and BEGIN_RESP come on
  // the backward path (nb_transport_bw below). `end_on_forward`: END_RESP is
  // sent on the forward path after BEGIN_RESP was accepted; else it is the
  // TLM_UPDATED answer to BEGIN_RESP.
  uint32_t access_at(tlm::tlm_command command, uint64_t address, uint32_t value, bool end_on_forward) {
    tlm::tlm_generic_payload gp;
    tlmmap::test::prepare_payload(gp, command, address, &value, 4);
    end_on_forward_ = end_on_forward;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_time delay = SC_ZERO_TIME;
    const tlm::tlm_sync_enum r = socket_->nb_transport_fw(gp, phase, delay);
    if (r != tlm::TLM_COMPLETED) {
      wait(response_);
      if (end_on_forward) {
        phase = tlm::END_RESP;
        delay = SC_ZERO_TIME;
        socket_->nb_transport_fw(gp, phase, delay);
      }
    }
    return logged(gp, value);
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase& phase, sc_time&) {
    if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
    response_.notify(SC_ZERO_TIME);
    if (end_on_forward_) return tlm::TLM_ACCEPTED;
    phase = tlm::END_RESP;
    return tlm::TLM_UPDATED;
  }

 private:
  uint32_t logged(const tlm::tlm_generic_payload& gp, uint32_t value) {
    log_.push_back({sc_time_stamp(), value, gp.get_response_status()});
    return value;
  }

  Socket& socket_;
  std::vector<Access> log_;
  sc_event response_;
  bool end_on_forward_ = false;
};

// Waits until a quarter period after the next rising edge of an always-on
// clock, so that edge counts are read between edges, never on one.
void settle() {
  const uint64_t t = period().value();
  const uint64_t now = sc_time_stamp().value();
  const uint64_t target = (now / t + 1) * t + t / 4;
  wait(sc_time::from_value(target - now));
}

// The gated block behind a protocol checker, the always-on reference beside
// it; `script` runs in an SC_THREAD on each (same times, same accesses).
struct Bench : sc_module {
  tlmmap::IrqLine irq{"irq"};
  RtlTimerBlock block{"block", irq};
  AlwaysOnTimer reference{"reference"};
  tlmmap::test::ProtocolChecker<32> checker{"checker"};
  Socket to_block{"to_block"};
  Socket to_reference{"to_reference"};
  Port gated{to_block};
  Port always_on{to_reference};
  std::function<void(Port&)> script;

  SC_HAS_PROCESS(Bench);
  Bench(sc_module_name name, std::function<void(Port&)> s) : sc_module(name), script(std::move(s)) {
    to_block.bind(checker.target_socket);
    checker.initiator_socket.bind(block.socket);
    to_reference.bind(reference.timer.bridge.target_socket);
    to_block.register_nb_transport_bw(&gated, &Port::nb_transport_bw);
    to_reference.register_nb_transport_bw(&always_on, &Port::nb_transport_bw);
    SC_THREAD(run_gated);
    SC_THREAD(run_always_on);
  }
  void run_gated() { script(gated); }
  void run_always_on() { script(always_on); }
};

TEST(RtlTimerBlock, ClockStopsAfterResetAndStaysStoppedWhileIdle) {
  Bench bench("bench", [](Port&) {});
  sc_start(period() * 10 + period() / 4);
  EXPECT_EQ(bench.block.clock_cycles(), kResetClocks);  // the reset's clocks, then none
  EXPECT_TRUE(bench.block.rstn.read());
  sc_start(period() * 1000);
  EXPECT_EQ(bench.block.clock_cycles(), kResetClocks);
  EXPECT_EQ(bench.block.in_flight(), 0u);
}

TEST(RtlTimerBlock, ClockRunsWhileTheTimerRunsAndStopsWhenItIsStoppedAgain) {
  std::vector<uint64_t> cycles;  // at the marks below
  Bench bench("bench", [&](Port& port) {
    if (&port != &bench.gated) return;
    wait(period() * 100);
    port.write(kLoad, 1000);
    port.write(kCtrl, kRun | kPeriodic);
    settle();
    cycles.push_back(bench.block.clock_cycles());  // 0: running
    wait(period() * 100);
    cycles.push_back(bench.block.clock_cycles());  // 1: 100 periods later
    port.write(kCtrl, 0);
    settle();
    settle();
    cycles.push_back(bench.block.clock_cycles());  // 2: stopped, idle
    wait(period() * 1000);
    cycles.push_back(bench.block.clock_cycles());  // 3: 1000 periods later
  });
  sc_start(period() * 2000);
  ASSERT_EQ(cycles.size(), 4u);
  EXPECT_EQ(cycles[1] - cycles[0], 100u);  // one edge per period while the timer runs
  EXPECT_EQ(cycles[3], cycles[2]);         // none once it is stopped and the block idle
  EXPECT_EQ(bench.gated.log().back().status, tlm::TLM_OK_RESPONSE);
}

TEST(RtlTimerBlock, OneShotTimerStopsTheClockWhenItExpires) {
  uint64_t after_start = 0;
  Bench bench("bench", [&](Port& port) {
    if (&port != &bench.gated) return;
    wait(period() * 100);
    port.write(kLoad, 50);
    port.write(kCtrl, kRun);  // one-shot: counts 50 down to 0, then clears run
    after_start = bench.block.clock_cycles();
  });
  sc_start(period() * 1000);
  // Counting 50 down to 0 takes 50 edges, the 51st finds 0 and clears the
  // run bit; the write's own access ended at the edge before the first.
  EXPECT_EQ(bench.block.clock_cycles() - after_start, 51u);
  EXPECT_FALSE(bench.block.timer.running());
}

// After an idle gap the block answers at the same times with the same data
// as on an always-on clock, and the timer counts from the edge it is started on.
TEST(RtlTimerBlock, AccessesAfterAnIdleGapMatchAnAlwaysOnClock) {
  constexpr uint32_t kLoaded = 1000;
  Bench bench("bench", [](Port& port) {
    wait(period() * 500 + period() / 3);  // idle gap, off the edges
    port.write(kLoad, kLoaded);
    port.write(kCtrl, kRun);
    wait(period() * 100 + period() / 5);
    port.read(kCount);
    wait(period() * 37);
    port.read(kCount);
    port.read(kId);
  });
  sc_start(period() * 1000);
  const std::vector<Access>& gated = bench.gated.log();
  ASSERT_EQ(gated.size(), 5u);
  EXPECT_EQ(gated, bench.always_on.log());
  // COUNT is read at the access phase's edge: LOAD less the edges after the
  // one that set the run bit, up to and not including the read's own edge.
  // Accesses complete at the same offset from their last edge, so the
  // edges between two completions are their time apart in periods.
  const auto edges_between = [](const Access& a, const Access& b) {
    return static_cast<uint32_t>((b.done - a.done).value() / period().value());
  };
  EXPECT_EQ(gated[2].data, kLoaded - (edges_between(gated[1], gated[2]) - 1));
  EXPECT_EQ(gated[3].data, kLoaded - (edges_between(gated[1], gated[3]) - 1));
  EXPECT_EQ(gated[2].data - gated[3].data, edges_between(gated[2], gated[3]));
  EXPECT_EQ(gated[4].data, 0x41504254u);  // "APBT"
  for (const Access& a : gated) EXPECT_EQ(a.status, tlm::TLM_OK_RESPONSE);
}

// AT transactions through the pass-through, checked by the base-protocol
// checker on the hop, while the clock is stopped: each wakes the clock,
// completes with the right data, and the clock stops again afterwards.
TEST(RtlTimerBlock, AtTransactionsWakeTheStoppedClockAndLetItStopAgain) {
  std::vector<uint32_t> read;
  std::vector<uint64_t> cycles_while_idle;
  Bench bench("bench", [&](Port& port) {
    if (&port != &bench.gated) return;
    wait(period() * 200 + period() / 3);
    cycles_while_idle.push_back(bench.block.clock_cycles());
    port.access_at(tlm::TLM_WRITE_COMMAND, kScratch, 0xcafef00d, /*end_on_forward=*/true);
    read.push_back(port.access_at(tlm::TLM_READ_COMMAND, kScratch, 0, /*end_on_forward=*/false));
    read.push_back(port.access_at(tlm::TLM_READ_COMMAND, kId, 0, /*end_on_forward=*/true));
    settle();
    settle();
    cycles_while_idle.push_back(bench.block.clock_cycles());
    wait(period() * 500);
    cycles_while_idle.push_back(bench.block.clock_cycles());
  });
  sc_start(period() * 1000);
  EXPECT_EQ(read, (std::vector<uint32_t>{0xcafef00d, 0x41504254}));
  for (const Access& a : bench.gated.log()) EXPECT_EQ(a.status, tlm::TLM_OK_RESPONSE);
  EXPECT_TRUE(bench.checker.violations().empty());
  EXPECT_EQ(bench.checker.responses(), 3u);
  EXPECT_EQ(bench.checker.in_flight(), 0u);
  EXPECT_EQ(bench.block.in_flight(), 0u);
  ASSERT_EQ(cycles_while_idle.size(), 3u);
  EXPECT_EQ(cycles_while_idle[0], kResetClocks);    // stopped before the first
  EXPECT_GT(cycles_while_idle[1], kResetClocks);    // woken by them
  EXPECT_EQ(cycles_while_idle[2], cycles_while_idle[1]);  // and stopped again
}

}  // namespace
