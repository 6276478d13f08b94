// The riscv-virt machine's RTL timer block (devices/apb_timer.cpp): the
// verilated APB4 timer of tests/rtl/apb_timer.sv behind a TlmToApb bridge,
// with its own gated 32.768 kHz clock and power-on reset.
//
// Each clock edge costs a verilated evaluation: always on, it cost a
// compute-bound guest 15% of its speed. So the clock stops while nothing in
// the block can change (out of reset, no APB access on the pins, the timer
// not running) and starts again, in phase, when a transaction comes in: its
// edges fall where an always-on clock's would, and the block sees the same
// cycles. A power-on reset of 4 clocks; an access arriving during it waits
// for its end. An APB access takes 3 clocks.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "Vapb_timer.h"
#include "Vapb_timer___024root.h"
#include "tlmmap/adapters.hpp"
#include "tlmmap/devices/irq_line.hpp"

namespace tlmmap::virt {

// The verilated timer and its TLM-to-APB bridge, on a clock, a reset and an
// interrupt line given by the owner (the block below gates its clock; a
// test can put the same pair on an always-on one).
struct ApbTimerRtl {
  tlmmap::adapters::Apb4Signals<32, 12> wires;
  tlmmap::adapters::TlmToApb<32, 12> bridge{"bridge"};
  Vapb_timer rtl{"rtl"};

  ApbTimerRtl(sc_core::sc_signal_in_if<bool>& clk, sc_core::sc_signal_in_if<bool>& rstn, tlmmap::IrqLine& irq) {
    bridge.clk(clk);
    bridge.rst(rstn);
    bridge.connect(wires);
    rtl.clk(clk);
    rtl.rstn(rstn);
    rtl.irq(irq);
    TLMMAP_BIND_APB4(rtl, , wires);
  }
  ApbTimerRtl(const ApbTimerRtl&) = delete;
  ApbTimerRtl& operator=(const ApbTimerRtl&) = delete;
  ~ApbTimerRtl() { rtl.final(); }

  // The timer's run bit (CTRL[0], public_flat_rd in the RTL).
  bool running() const { return (rtl.rootp->apb_timer__DOT__ctrl & 1) != 0; }
};

// The block, its gated clock and reset, the timer and its bridge.
// Transactions reach the bridge through `socket`, which wakes the clock.
struct RtlTimerBlock : sc_core::sc_module {
  static constexpr unsigned kClockHz = 32768;
  const sc_core::sc_time period{1e9 / kClockHz, sc_core::SC_NS};  // 30.517578 us
  sc_core::sc_signal<bool> clk{"clk", false};
  sc_core::sc_signal<bool> rstn{"rstn", false};
  ApbTimerRtl timer;
  tlm_utils::simple_target_socket<RtlTimerBlock, 32> socket{"socket"};
  tlm_utils::simple_initiator_socket<RtlTimerBlock, 32> to_bridge{"to_bridge"};

  SC_HAS_PROCESS(RtlTimerBlock);
  RtlTimerBlock(sc_core::sc_module_name name, tlmmap::IrqLine& irq)
      : sc_core::sc_module(name), timer(clk, rstn, irq) {
    to_bridge.bind(timer.bridge.target_socket);
    socket.register_b_transport(this, &RtlTimerBlock::b_transport);
    socket.register_nb_transport_fw(this, &RtlTimerBlock::nb_transport_fw);
    socket.register_transport_dbg(this, &RtlTimerBlock::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &RtlTimerBlock::get_direct_mem_ptr);
    to_bridge.register_nb_transport_bw(this, &RtlTimerBlock::nb_transport_bw);
    to_bridge.register_invalidate_direct_mem_ptr(this, &RtlTimerBlock::invalidate_direct_mem_ptr);
    SC_THREAD(clock);
    SC_THREAD(power_on_reset);
  }

  // Something in the block changes at the next edge, or a transaction is
  // on its way to the bridge (which may wait out the initiator's delay first).
  bool needs_clock() const {
    return in_flight_ != 0 || !rstn.read() || timer.wires.psel.read() || timer.running();
  }

  void clock() {
    for (;;) {
      // The next rising edge of an always-on clock (rising at 0, T, 2T...).
      const sc_core::sc_time now = sc_core::sc_time_stamp();
      const auto cycles = static_cast<uint64_t>((now.value() + period.value() - 1) / period.value());
      const sc_core::sc_time edge = sc_core::sc_time::from_value(cycles * period.value());
      if (edge > now) wait(edge - now);
      clk = true;
      ++clock_cycles_;
      wait(period / 2);
      clk = false;
      wait(period - period / 2);
      if (!needs_clock()) wait(wake_);
    }
  }

  void power_on_reset() {
    for (int i = 0; i < 4; ++i) wait(clk.posedge_event());
    rstn = true;
  }

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    started();
    to_bridge->b_transport(gp, delay);
    --in_flight_;
  }
  // In flight from BEGIN_REQ to the response (base protocol). Only a
  // BEGIN_REQ's answer can end a request here: END_RESP's TLM_COMPLETED
  // comes after the BEGIN_RESP that already ended it.
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    const bool request = phase == tlm::BEGIN_REQ;
    if (request) started();
    const tlm::tlm_sync_enum r = to_bridge->nb_transport_fw(gp, phase, delay);
    if (request && (r == tlm::TLM_COMPLETED || (r == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP))) --in_flight_;
    return r;
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    if (phase == tlm::BEGIN_RESP) --in_flight_;
    return socket->nb_transport_bw(gp, phase, delay);
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) { return to_bridge->transport_dbg(gp); }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) { return to_bridge->get_direct_mem_ptr(gp, dmi); }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) { socket->invalidate_direct_mem_ptr(start, end); }

  // For tests and diagnostics: the rising edges the block's clock has had
  // (an always-on clock has floor(now / period) + 1), and the transactions
  // between BEGIN_REQ (or b_transport's call) and their response.
  uint64_t clock_cycles() const { return clock_cycles_; }
  unsigned in_flight() const { return in_flight_; }

 private:
  void started() {
    ++in_flight_;
    wake_.notify();
  }

  sc_core::sc_event wake_;
  unsigned in_flight_ = 0;
  uint64_t clock_cycles_ = 0;
};

}  // namespace tlmmap::virt
