// The tests of the tests: the SystemVerilog protocol checkers
// (tests/rtl/*_checker.sv) must fire when a bus breaks their rules, or a
// clean run of the bridge tests proves nothing. A deliberately broken
// manager (or subordinate) is played onto the pins cycle by cycle; each
// broken script must make the checker's assertion fail, which, as in every
// adapter test, aborts the simulation (verilated with --assert). gtest
// death tests (the "threadsafe" style re-runs the test binary, so each
// scenario elaborates in a fresh process) prove the abort and match the
// rule's message. The same scripts played legally must run clean.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "Vapb_checker32.h"
#include "Vaxi_checker64.h"
#include "Vaxil_checker32.h"
#include "tlmmap/adapters.hpp"

namespace {

using namespace sc_core;
using namespace tlmmap::adapters;

// The broken party: after two clocks of reset it applies one step of the
// script right after each rising edge (as a flip-flop would), holds the
// last values for three more clocks, then stops the simulation.
template <class Wires>
struct PinScript : sc_module {
  using Step = std::function<void(Wires&, sc_signal<bool>& rstn)>;
  sc_in<bool> clk{"clk"};
  sc_signal<bool> rstn{"rstn", false};
  Wires& wires;
  std::vector<Step> steps;
  bool finished = false;

  SC_HAS_PROCESS(PinScript);
  PinScript(sc_module_name name, Wires& w, std::vector<Step> s) : sc_module(name), wires(w), steps(std::move(s)) {
    SC_THREAD(play);
  }
  void play() {
    wait(clk.posedge_event());
    wait(clk.posedge_event());
    rstn = true;
    for (const Step& step : steps) {
      wait(clk.posedge_event());
      step(wires, rstn);
    }
    for (int i = 0; i < 3; ++i) wait(clk.posedge_event());
    finished = true;
    sc_stop();
  }
};

// Plays `steps` onto the pins watched by a checker of type Checker.
template <class Checker, class Wires, class Bind>
bool play(std::vector<typename PinScript<Wires>::Step> steps, Bind bind) {
  sc_clock clk{"clk", 10, SC_NS};
  Wires wires;
  PinScript<Wires> script{"script", wires, std::move(steps)};
  Checker checker{"checker"};
  script.clk(clk);
  checker.clk(clk);
  checker.rstn(script.rstn);
  bind(checker, wires);
  sc_start();
  checker.final();
  return script.finished;
}

using Axi = Axi4Signals<64, 64, 4>;
using AxiStep = PinScript<Axi>::Step;
bool play_axi(std::vector<AxiStep> steps) {
  return play<Vaxi_checker64, Axi>(std::move(steps), [](auto& c, auto& w) { TLMMAP_BIND_AXI4(c, , w); });
}
using Apb = Apb4Signals<32, 12>;
using ApbStep = PinScript<Apb>::Step;
bool play_apb(std::vector<ApbStep> steps) {
  return play<Vapb_checker32, Apb>(std::move(steps), [](auto& c, auto& w) { TLMMAP_BIND_APB4(c, , w); });
}
using AxiLite = AxiLiteSignals<32, 32>;
using AxiLiteStep = PinScript<AxiLite>::Step;
bool play_axi_lite(std::vector<AxiLiteStep> steps) {
  return play<Vaxil_checker32, AxiLite>(std::move(steps), [](auto& c, auto& w) { TLMMAP_BIND_AXI_LITE(c, , w); });
}

// Runs a broken script in a child process: the checker must abort it with
// `rule` in its report (Verilator prints on stdout; it goes to stderr here,
// where the death test looks).
#define EXPECT_ASSERTION_FIRES(script, rule)                                 \
  EXPECT_EXIT(                                                               \
      {                                                                      \
        std::setvbuf(stdout, nullptr, _IONBF, 0);                            \
        ::dup2(2, 1);                                                        \
        script;                                                              \
        std::exit(0);                                                        \
      },                                                                     \
      ::testing::KilledBySignal(SIGABRT), rule)

class ProtocolAssertions : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

// ---- AXI4 steps: a write burst of two beats at `addr`, or parts of one.
AxiStep aw(uint32_t addr, uint32_t len, uint32_t burst = 1, bool valid = true) {
  return [=](Axi& w, auto&) {
    w.awvalid = valid;
    w.awaddr = addr;
    w.awlen = len;
    w.awsize = 3;
    w.awburst = burst;
    w.awid = 2;
  };
}
AxiStep w_beat(uint64_t data, bool last, bool valid = true) {
  return [=](Axi& w, auto&) {
    w.awvalid = false;
    w.wvalid = valid;
    w.wdata = data;
    w.wstrb = 0xff;
    w.wlast = last;
  };
}
AxiStep ar(uint32_t addr, uint32_t len) {
  return [=](Axi& w, auto&) {
    w.arvalid = true;
    w.araddr = addr;
    w.arlen = len;
    w.arsize = 3;
    w.arburst = 1;
    w.arid = 5;
  };
}
AxiStep r_beat(bool last, bool valid = true) {
  return [=](Axi& w, auto&) {
    w.arvalid = false;
    w.rvalid = valid;
    w.rid = 5;
    w.rlast = last;
    w.rdata = 0x1234;
  };
}
AxiStep b(bool valid = true) {
  return [=](Axi& w, auto&) {
    w.wvalid = false;
    w.bvalid = valid;
    w.bid = 2;
  };
}
AxiStep ready(bool aw, bool wr, bool ar_ = true) {
  return [=](Axi& w, auto&) {
    w.awready = aw;
    w.wready = wr;
    w.arready = ar_;
    w.bready = true;
    w.rready = true;
  };
}
AxiStep both(AxiStep a, AxiStep c) {
  return [=](Axi& w, sc_signal<bool>& r) {
    a(w, r);
    c(w, r);
  };
}
AxiStep idle() {
  return [](Axi& w, auto&) {
    for (auto* valid : {&w.awvalid, &w.wvalid, &w.arvalid, &w.bvalid, &w.rvalid}) valid->write(false);
  };
}

// A legal exchange: AW waits two clocks for AWREADY, two W beats with WLAST
// on the second, B, then a two-beat read with RLAST on the second.
std::vector<AxiStep> legal_axi() {
  return {ready(false, true),           aw(0x100, 1),   aw(0x100, 1), both(ready(true, true), aw(0x100, 1)),
          w_beat(1, false),             w_beat(2, true), b(),         idle(),
          ar(0x200, 1),                 r_beat(false),   r_beat(true), idle()};
}

TEST_F(ProtocolAssertions, LegalAxi4ExchangeRunsClean) { EXPECT_TRUE(play_axi(legal_axi())); }

TEST_F(ProtocolAssertions, Axi4AwvalidDroppedBeforeAwready) {
  EXPECT_ASSERTION_FIRES(play_axi({ready(false, true), aw(0x100, 1), aw(0x100, 1, 1, false), idle()}),
                         "AXI4: AW dropped or changed before AWREADY");
}

TEST_F(ProtocolAssertions, Axi4WriteDataChangedWhileWaitingForWready) {
  EXPECT_ASSERTION_FIRES(play_axi({ready(true, false), aw(0x100, 0), w_beat(1, true), w_beat(2, true), idle()}),
                         "AXI4: W dropped or changed before WREADY");
}

TEST_F(ProtocolAssertions, Axi4IncrBurstCrossing4KiB) {
  EXPECT_ASSERTION_FIRES(play_axi({ready(false, true), aw(0xff8, 1), idle()}), "AXI4: illegal write burst");
}

TEST_F(ProtocolAssertions, Axi4WrapBurstOfIllegalLength) {
  EXPECT_ASSERTION_FIRES(play_axi({ready(false, true), aw(0x100, 2, 2), idle()}), "AXI4: illegal write burst");
}

TEST_F(ProtocolAssertions, Axi4MissingWlast) {
  // Two beats without WLAST for a two-beat burst, then a one-beat burst:
  // the first WLAST seen closes a three-beat burst.
  EXPECT_ASSERTION_FIRES(play_axi({ready(true, true), aw(0x100, 1), w_beat(1, false), w_beat(2, false),
                                   both(w_beat(3, true), aw(0x200, 0)), idle(), idle()}),
                         "AXI4: WLAST not on the last beat");
}

TEST_F(ProtocolAssertions, Axi4WriteResponseWithoutAWrite) {
  EXPECT_ASSERTION_FIRES(play_axi({ready(true, true), b(), idle()}), "AXI4: a write response without a complete write");
}

TEST_F(ProtocolAssertions, Axi4ReadDataWithoutARead) {
  EXPECT_ASSERTION_FIRES(play_axi({ready(true, true), r_beat(true), idle()}),
                         "AXI4: read data for an ID with no read outstanding");
}

TEST_F(ProtocolAssertions, Axi4RlastMissingOnTheLastBeat) {
  EXPECT_ASSERTION_FIRES(play_axi({ready(true, true), ar(0x200, 1), r_beat(false), r_beat(false), idle()}),
                         "AXI4: RLAST not on the last beat");
}

TEST_F(ProtocolAssertions, Axi4ValidHighDuringReset) {
  EXPECT_ASSERTION_FIRES(play_axi({ready(false, true),
                                   [](Axi& w, sc_signal<bool>& rstn) {
                                     rstn = false;
                                     w.arvalid = true;
                                   },
                                   [](Axi&, auto&) {}, [](Axi&, auto&) {}}),
                         "AXI4: VALID high during reset");
}

// ---- APB4: a transfer is a setup clock, then access clocks until PREADY.
ApbStep apb(bool psel, bool penable, bool pwrite, uint32_t pstrb = 0, bool pready = true, uint32_t paddr = 0x10) {
  return [=](Apb& w, auto&) {
    w.psel = psel;
    w.penable = penable;
    w.pwrite = pwrite;
    w.pstrb = pstrb;
    w.paddr = paddr;
    w.pwdata = pwrite ? 0xabcd : 0;
    w.pready = pready;
  };
}

TEST_F(ProtocolAssertions, LegalApbTransfersRunClean) {
  EXPECT_TRUE(play_apb({apb(true, false, true, 0xf), apb(true, true, true, 0xf, false), apb(true, true, true, 0xf),
                        apb(true, false, false), apb(true, true, false), apb(false, false, false)}));
}

TEST_F(ProtocolAssertions, ApbPenableWithoutSetup) {
  EXPECT_ASSERTION_FIRES(play_apb({apb(true, true, false), apb(false, false, false)}),
                         "APB: PENABLE without a setup phase");
}

TEST_F(ProtocolAssertions, ApbPselDroppedBeforePready) {
  EXPECT_ASSERTION_FIRES(
      play_apb({apb(true, false, true, 0xf), apb(true, true, true, 0xf, false), apb(false, false, false)}),
      "APB: PSEL, PENABLE and the transfer must hold until PREADY");
}

TEST_F(ProtocolAssertions, ApbAddressChangedBetweenSetupAndAccess) {
  EXPECT_ASSERTION_FIRES(
      play_apb({apb(true, false, false), apb(true, true, false, 0, true, 0x14), apb(false, false, false)}),
      "APB: the access phase must follow the setup phase with the same transfer");
}

TEST_F(ProtocolAssertions, ApbStrobesOnARead) {
  EXPECT_ASSERTION_FIRES(play_apb({apb(true, false, false, 0x3), apb(true, true, false, 0x3), apb(false, false, false)}),
                         "APB4: PSTRB must be low for a read");
}

// ---- AXI4-Lite.
TEST_F(ProtocolAssertions, LegalAxiLiteExchangeRunsClean) {
  EXPECT_TRUE(play_axi_lite({[](AxiLite& w, auto&) {
                               w.arvalid = true;
                               w.araddr = 0x40;
                               w.arready = true;
                               w.rready = true;
                             },
                             [](AxiLite& w, auto&) {
                               w.arvalid = false;
                               w.rvalid = true;
                               w.rdata = 7;
                             },
                             [](AxiLite& w, auto&) { w.rvalid = false; }}));
}

TEST_F(ProtocolAssertions, AxiLiteReadDataWithoutARead) {
  EXPECT_ASSERTION_FIRES(play_axi_lite({[](AxiLite& w, auto&) {
                                          w.rready = true;
                                          w.rvalid = true;
                                        },
                                        [](AxiLite& w, auto&) { w.rvalid = false; }}),
                         "AXI-Lite: read data without a read");
}

TEST_F(ProtocolAssertions, AxiLiteWriteAddressChangedBeforeAwready) {
  EXPECT_ASSERTION_FIRES(play_axi_lite({[](AxiLite& w, auto&) {
                                          w.awvalid = true;
                                          w.awaddr = 0x40;
                                        },
                                        [](AxiLite& w, auto&) { w.awaddr = 0x44; },
                                        [](AxiLite& w, auto&) { w.awvalid = false; }}),
                         "AXI-Lite: AW dropped or changed before AWREADY");
}

}  // namespace
