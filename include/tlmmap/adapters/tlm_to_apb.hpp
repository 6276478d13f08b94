// TLM to APB4 pins: a "manager" bridge (PSTRB, PPROT, PSLVERR). Its TLM
// target socket takes b_transport and nb_transport (target_front.hpp); bind
// it into a map and an RTL APB block is an MMIO region.
//
//   tlmmap::adapters::TlmToApb<32, 32> bridge{"bridge"};
//   bridge.clk(clock); bridge.rst(rstn);
//   bridge.connect(wires);                // Apb4Signals<32, 32>
//   TLMMAP_BIND_APB4(timer, , wires);     // the verilated subordinate
//   bus.bind(bridge.target_socket, 0x10000000, 0x1000);
//
// Accesses: apb_manager_engine.hpp. PSLVERR is TLM_GENERIC_ERROR_RESPONSE.
#pragma once

#include <string>

#include <systemc>

#include "tlmmap/adapters/apb_manager_engine.hpp"
#include "tlmmap/adapters/clock_reset.hpp"
#include "tlmmap/adapters/signal_sets.hpp"
#include "tlmmap/adapters/target_front.hpp"

namespace tlmmap::adapters {

template <unsigned DW = 32, unsigned AW = 32>
class TlmToApb : public sc_core::sc_module, public Apb4PortSet<DW, AW, sc_out_t, sc_in_t>, public ClockReset {
  static_assert(DW == 32 || DW == 64, "APB data width: 32 or 64 bits");
  static_assert(AW >= 8 && AW <= 64, "address width: 8 to 64 bits");

 public:
  SC_HAS_PROCESS(TlmToApb);
  explicit TlmToApb(sc_core::sc_module_name name, BridgeOptions options = {})
      : sc_core::sc_module(name),
        ClockReset(options.reset),
        engine_({std::string(this->name()), DW / 8}),
        front_("target_socket", [this](Job& job) { return engine_.submit(job); }, wake_),
        target_socket(front_.socket) {
    SC_THREAD(run);
  }

  void set_backdoor(DebugBackdoor backdoor) { front_.set_backdoor(std::move(backdoor)); }

 private:
  ApbManagerEngine engine_;
  sc_core::sc_event wake_;
  TargetFront<DW> front_;

 public:
  tlm_utils::simple_target_socket<TargetFront<DW>, DW>& target_socket;

 private:
  void run() {
    run_manager(engine_, wake_, [this] { sample_and_step(); }, [this] { drive(); });
  }

  void sample_and_step() {
    ApbManagerEngine::Inputs in;
    if (engine_.in_access()) {
      in.pready = this->pready.read();
      if (in.pready) {
        in.pslverr = this->pslverr.read();
        pin_to_bytes<DW>(this->prdata.read(), prdata_);
        in.prdata = prdata_;
      }
    }
    engine_.edge(in);
  }

  void drive() {
    const ApbManagerEngine::Outputs& o = engine_.outputs();
    this->psel.write(o.psel);
    this->penable.write(o.penable);
    if (o.changed) {
      this->paddr.write(pin_from_u64<AW>(o.paddr));
      this->pwrite.write(o.pwrite);
      this->pwdata.write(pin_from_bytes<DW>(o.pwdata));
      this->pstrb.write(pin_from_u64<DW / 8>(o.pstrb));
      this->pprot.write(pin_from_u64<3>(o.pprot));
    }
  }

  uint8_t prdata_[kMaxDataBytes] = {};
};

}  // namespace tlmmap::adapters
