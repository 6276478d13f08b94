// RTL that leaves out optional pins binds with TLMMAP_BIND_*_PRESENT: an
// APB3 register block (no PSTRB, no PPROT, ports prefixed `apb_` and typed
// as verilator --sc types them) works behind TlmToApb; an AXI4 subordinate
// without AxQOS, AxCACHE, AxLOCK and AxPROT gets every pin it has bound to
// the wires and nothing else.
#include <gtest/gtest.h>

#include "adapter_test_kit.hpp"
#include "support/protocol_checker.hpp"
#include "tlmmap/adapters.hpp"

namespace {

using namespace sc_core;
using namespace tlmmap::adapters;

// Four 32-bit registers, zero wait states, PSLVERR beyond them.
struct Apb3Registers : sc_module {
  sc_in<bool> clk{"clk"};
  sc_in<uint32_t> apb_paddr{"apb_paddr"};
  sc_in<bool> apb_psel{"apb_psel"}, apb_penable{"apb_penable"}, apb_pwrite{"apb_pwrite"};
  sc_in<uint32_t> apb_pwdata{"apb_pwdata"};
  sc_out<bool> apb_pready{"apb_pready"};
  sc_out<uint32_t> apb_prdata{"apb_prdata"};
  sc_out<bool> apb_pslverr{"apb_pslverr"};
  uint32_t regs[4] = {};

  SC_HAS_PROCESS(Apb3Registers);
  explicit Apb3Registers(sc_module_name name) : sc_module(name) {
    SC_METHOD(edge);
    sensitive << clk.pos();
    dont_initialize();
  }
  void edge() {
    const uint32_t index = apb_paddr.read() / 4;
    apb_pready = true;
    apb_pslverr = apb_psel.read() && index >= 4;
    if (!apb_psel.read() || index >= 4) return;
    if (!apb_penable.read()) {
      apb_prdata = regs[index];  // setup: the data for the access phase
    } else if (apb_pwrite.read()) {
      regs[index] = apb_pwdata.read();
    }
  }
};

TEST(PinBinding, AnApb3BlockWithoutPstrbAndPprotWorksBehindTlmToApb) {
  sc_clock clk{"clk", 10, SC_NS};
  sc_signal<bool> rstn{"rstn", false};
  Apb4Signals<32, 12> wires;
  TlmToApb<32, 12> bridge{"bridge"};
  Apb3Registers block{"block"};
  tlmmap::test::ProtocolChecker<32> hop{"hop"};
  tlmmap::test::TestInitiator<32> cpu{"cpu"};
  bridge.clk(clk);
  bridge.rst(rstn);
  bridge.connect(wires);
  block.clk(clk);
  TLMMAP_BIND_APB4_PRESENT(block, apb_, wires);
  cpu.socket.bind(hop.target_socket);
  hop.initiator_socket.bind(bridge.target_socket);
  std::vector<uint32_t> read;
  tlm::tlm_response_status beyond = tlm::TLM_INCOMPLETE_RESPONSE;
  cpu.body = [&] {
    wait(25, SC_NS);
    rstn = true;
    tlmmap::test::OwnedTxn t;
    t.set(tlm::TLM_WRITE_COMMAND, 0x4, {0x78, 0x56, 0x34, 0x12});
    cpu.transport(t.gp);
    t.set(tlm::TLM_WRITE_COMMAND, 0xc, {0xef, 0xbe, 0xad, 0xde});
    cpu.transport(t.gp);
    for (uint64_t a : {0x4, 0xc, 0x0}) {
      t.set(tlm::TLM_READ_COMMAND, a, std::vector<uint8_t>(4));
      cpu.transport(t.gp);
      read.push_back(uint32_t(t.data[0]) | uint32_t(t.data[1]) << 8 | uint32_t(t.data[2]) << 16 |
                     uint32_t(t.data[3]) << 24);
    }
    t.set(tlm::TLM_READ_COMMAND, 0x10, std::vector<uint8_t>(4));
    beyond = cpu.transport(t.gp);
  };
  sc_start();
  EXPECT_EQ(read, (std::vector<uint32_t>{0x12345678, 0xdeadbeef, 0}));
  EXPECT_EQ(beyond, tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_TRUE(hop.violations().empty());
}

// The ports of an AXI4 subordinate that has no AxQOS, AxCACHE, AxLOCK or
// AxPROT (AMBA lets a subordinate leave them out), prefixed `s_axi_`.
struct PlainAxiSubordinate : sc_module {
#define PORT_IN(T, n) sc_in<T> s_axi_##n{"s_axi_" #n};
#define PORT_OUT(T, n) sc_out<T> s_axi_##n{"s_axi_" #n};
  PORT_IN(uint32_t, awid) PORT_IN(uint32_t, awaddr) PORT_IN(uint32_t, awlen) PORT_IN(uint32_t, awsize)
  PORT_IN(uint32_t, awburst) PORT_IN(bool, awvalid) PORT_OUT(bool, awready)
  PORT_IN(uint64_t, wdata) PORT_IN(uint32_t, wstrb) PORT_IN(bool, wlast) PORT_IN(bool, wvalid) PORT_OUT(bool, wready)
  PORT_OUT(uint32_t, bid) PORT_OUT(uint32_t, bresp) PORT_OUT(bool, bvalid) PORT_IN(bool, bready)
  PORT_IN(uint32_t, arid) PORT_IN(uint32_t, araddr) PORT_IN(uint32_t, arlen) PORT_IN(uint32_t, arsize)
  PORT_IN(uint32_t, arburst) PORT_IN(bool, arvalid) PORT_OUT(bool, arready)
  PORT_OUT(uint32_t, rid) PORT_OUT(uint64_t, rdata) PORT_OUT(uint32_t, rresp) PORT_OUT(bool, rlast)
  PORT_OUT(bool, rvalid) PORT_IN(bool, rready)
#undef PORT_IN
#undef PORT_OUT
  explicit PlainAxiSubordinate(sc_module_name name) : sc_module(name) {}
};

template <class Port, class Wire>
bool bound_to(Port& port, Wire& wire) {
  return dynamic_cast<Wire*>(port.get_interface()) == &wire;
}

TEST(PinBinding, AnAxi4SubordinateWithoutOptionalPinsGetsEveryPinItHas) {
  Axi4Signals<64, 32, 4> wires;
  TlmToAxi<64, 32, 4> bridge{"bridge"};
  PlainAxiSubordinate ram{"ram"};
  sc_clock clk{"clk", 10, SC_NS};
  sc_signal<bool> rstn{"rstn", false};
  tlmmap::test::TestInitiator<64> cpu{"cpu"};
  cpu.body = [] {};
  cpu.socket.bind(bridge.target_socket);
  bridge.clk(clk);
  bridge.rst(rstn);
  bridge.connect(wires);
  TLMMAP_BIND_AXI4_PRESENT(ram, s_axi_, wires);
  sc_start(SC_ZERO_TIME);  // ends elaboration: an unbound port would be reported
  EXPECT_TRUE(bound_to(ram.s_axi_awaddr, wires.awaddr));
  EXPECT_TRUE(bound_to(ram.s_axi_wlast, wires.wlast));
  EXPECT_TRUE(bound_to(ram.s_axi_bresp, wires.bresp));
  EXPECT_TRUE(bound_to(ram.s_axi_rdata, wires.rdata));
  EXPECT_TRUE(bound_to(ram.s_axi_rready, wires.rready));
  // The pins it lacks are still the bridge's: driven, read by nobody.
  EXPECT_TRUE(bound_to(bridge.awqos, wires.awqos));
  EXPECT_TRUE(bound_to(bridge.arprot, wires.arprot));
}

}  // namespace
