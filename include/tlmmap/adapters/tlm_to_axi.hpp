// TLM to AXI4 / AXI4-Lite pins: a "manager" bridge. Its TLM target socket
// takes b_transport and nb_transport (target_front.hpp); it drives an RTL
// subordinate's pins (AMBA names, verilator --sc types: pins.hpp). Bind its
// target socket into a map (Bus::bind, TlmDeviceRegion) and the RTL block is
// an MMIO region.
//
//   tlmmap::adapters::TlmToAxi<64, 32, 4> bridge{"bridge"};
//   bridge.clk(clock); bridge.rst(rstn);
//   bridge.connect(wires);                 // Axi4Signals<64, 32, 4>
//   TLMMAP_BIND_AXI4(ram, s_axi_, wires);  // the verilated subordinate
//   bus.bind(bridge.target_socket, 0x40000000, 0x10000);
//
// Bursts, IDs, outstanding transactions: axi_manager_engine.hpp.
// Attributes and responses: amba.hpp.
#pragma once

#include <string>

#include <systemc>

#include "tlmmap/adapters/axi_manager_engine.hpp"
#include "tlmmap/adapters/clock_reset.hpp"
#include "tlmmap/adapters/signal_sets.hpp"
#include "tlmmap/adapters/target_front.hpp"

namespace tlmmap::adapters {

namespace detail {

template <unsigned DW, unsigned AW, unsigned IDW, bool LITE, class Ports>
class TlmToAxiBridge : public sc_core::sc_module, public Ports, public ClockReset {
  static_assert(DW == 32 || DW == 64 || (!LITE && (DW == 128 || DW == 256 || DW == 512)),
                "AXI data width: 32 or 64 bits (AXI4 also 128, 256, 512)");
  static_assert(AW >= 12 && AW <= 64, "address width: 12 to 64 bits");
  static_assert(LITE || (IDW >= 1 && IDW <= 32), "ID width: 1 to 32 bits");

 public:
  SC_HAS_PROCESS(TlmToAxiBridge);
  explicit TlmToAxiBridge(sc_core::sc_module_name name, BridgeOptions options = {})
      : sc_core::sc_module(name),
        ClockReset(options.reset),
        engine_({std::string(this->name()), DW / 8, LITE ? 1u : 256u, LITE ? 0u : IDW, options.max_outstanding}),
        front_("target_socket", [this](Job& job) { return engine_.submit(job); }, wake_),
        target_socket(front_.socket) {
    SC_THREAD(run);
  }

  void set_backdoor(DebugBackdoor backdoor) { front_.set_backdoor(std::move(backdoor)); }
  const AxiManagerEngine& engine() const noexcept { return engine_; }

 private:
  AxiManagerEngine engine_;
  sc_core::sc_event wake_;
  TargetFront<DW> front_;

 public:
  tlm_utils::simple_target_socket<TargetFront<DW>, DW>& target_socket;

 private:
  void run() {
    run_manager(engine_, wake_, [this] { sample_and_step(); }, [this] { drive(); });
  }

  void sample_and_step() {
    AxiManagerEngine::Inputs in;
    in.awready = this->awready.read();
    in.wready = this->wready.read();
    in.arready = this->arready.read();
    in.bvalid = this->bvalid.read();
    if (in.bvalid) {
      in.bresp = static_cast<AxiResp>(this->bresp.read() & 3);
      if constexpr (!LITE) in.bid = static_cast<uint32_t>(pin_to_u64<IDW>(this->bid.read()));
    }
    in.rvalid = this->rvalid.read();
    if (in.rvalid) {
      in.rresp = static_cast<AxiResp>(this->rresp.read() & 3);
      pin_to_bytes<DW>(this->rdata.read(), rdata_);
      in.rdata = rdata_;
      in.rlast = true;
      if constexpr (!LITE) {
        in.rid = static_cast<uint32_t>(pin_to_u64<IDW>(this->rid.read()));
        in.rlast = this->rlast.read();
      }
    }
    engine_.edge(in);
  }

  void drive() {
    const AxiManagerEngine::Outputs& o = engine_.outputs();
    this->awvalid.write(o.awvalid);
    this->wvalid.write(o.wvalid);
    this->arvalid.write(o.arvalid);
    this->bready.write(o.bready);
    this->rready.write(o.rready);
    if (o.aw_changed) {
      this->awaddr.write(pin_from_u64<AW>(o.aw.addr));
      this->awprot.write(pin_from_u64<3>(o.aw.prot));
      if constexpr (!LITE) {
        this->awid.write(pin_from_u64<IDW>(o.aw.id));
        this->awlen.write(pin_from_u64<8>(o.aw.len));
        this->awsize.write(pin_from_u64<3>(o.aw.size));
        this->awburst.write(pin_from_u64<2>(static_cast<uint64_t>(o.aw.burst)));
        this->awlock.write(o.aw.lock);
        this->awcache.write(pin_from_u64<4>(o.aw.cache));
        this->awqos.write(pin_from_u64<4>(o.aw.qos));
      }
    }
    if (o.w_changed) {
      this->wdata.write(pin_from_bytes<DW>(o.w.data));
      this->wstrb.write(pin_from_u64<DW / 8>(o.w.strb));
      if constexpr (!LITE) this->wlast.write(o.w.last);
    }
    if (o.ar_changed) {
      this->araddr.write(pin_from_u64<AW>(o.ar.addr));
      this->arprot.write(pin_from_u64<3>(o.ar.prot));
      if constexpr (!LITE) {
        this->arid.write(pin_from_u64<IDW>(o.ar.id));
        this->arlen.write(pin_from_u64<8>(o.ar.len));
        this->arsize.write(pin_from_u64<3>(o.ar.size));
        this->arburst.write(pin_from_u64<2>(static_cast<uint64_t>(o.ar.burst)));
        this->arlock.write(o.ar.lock);
        this->arcache.write(pin_from_u64<4>(o.ar.cache));
        this->arqos.write(pin_from_u64<4>(o.ar.qos));
      }
    }
  }

  uint8_t rdata_[kMaxDataBytes] = {};
};

}  // namespace detail

// TLM to AXI4: DW data bits (32 to 512), AW address bits, IDW ID bits.
template <unsigned DW = 64, unsigned AW = 32, unsigned IDW = 4>
using TlmToAxi = detail::TlmToAxiBridge<DW, AW, IDW, false, Axi4PortSet<DW, AW, IDW, sc_out_t, sc_in_t>>;

// TLM to AXI4-Lite: DW 32 or 64.
template <unsigned DW = 32, unsigned AW = 32>
using TlmToAxiLite = detail::TlmToAxiBridge<DW, AW, 1, true, AxiLitePortSet<DW, AW, sc_out_t, sc_in_t>>;

}  // namespace tlmmap::adapters
