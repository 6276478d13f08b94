// AXI4 / AXI4-Lite pins to TLM: a "subordinate" bridge. It watches an RTL
// manager's pins and issues TLM transactions (b_transport) on its initiator
// socket. Bound to a map's target socket (Bus::target_socket,
// AddressSpaceTarget), it lets the RTL reach the whole map.
//
//   tlmmap::adapters::AxiToTlm<64, 32, 4> bridge{"bridge"};
//   bridge.clk(clock); bridge.rst(rstn);
//   bridge.connect(wires);                  // Axi4Signals<64, 32, 4>
//   TLMMAP_BIND_AXI4(dma, m_axi_, wires);   // the verilated manager
//   bridge.initiator_socket.bind(bus.target_socket);
//
// A process of the bridge's own makes the TLM calls, in the order the
// bursts completed on the pins, and waits out each call's annotated delay
// before the response goes back on the pins, so the pins keep moving (one
// beat per clock) while a target takes its time. Bursts, responses and
// attributes: axi_subordinate_engine.hpp and amba.hpp. A protocol error of
// the RTL (a missing WLAST, a reserved burst type) is reported with
// SC_REPORT_ERROR naming the bridge.
#pragma once

#include <memory>
#include <string>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlmmap/adapters/axi_subordinate_engine.hpp"
#include "tlmmap/adapters/clock_reset.hpp"
#include "tlmmap/adapters/signal_sets.hpp"

namespace tlmmap::adapters {

namespace detail {

template <unsigned DW, unsigned AW, unsigned IDW, bool LITE, class Ports>
class AxiToTlmBridge : public sc_core::sc_module, public Ports, public ClockReset {
  static_assert(DW == 32 || DW == 64 || (!LITE && (DW == 128 || DW == 256 || DW == 512)),
                "AXI data width: 32 or 64 bits (AXI4 also 128, 256, 512)");
  static_assert(AW >= 12 && AW <= 64, "address width: 12 to 64 bits");
  static_assert(LITE || (IDW >= 1 && IDW <= 32), "ID width: 1 to 32 bits");

 public:
  tlm_utils::simple_initiator_socket<AxiToTlmBridge, DW> initiator_socket{"initiator_socket"};

  SC_HAS_PROCESS(AxiToTlmBridge);
  explicit AxiToTlmBridge(sc_core::sc_module_name name, BridgeOptions options = {})
      : sc_core::sc_module(name),
        ClockReset(options.reset),
        engine_({std::string(this->name()), DW / 8, LITE, options.max_outstanding}) {
    initiator_socket.register_nb_transport_bw(this, &AxiToTlmBridge::nb_transport_bw);
    initiator_socket.register_invalidate_direct_mem_ptr(this, &AxiToTlmBridge::invalidate_direct_mem_ptr);
    SC_THREAD(pins);
    SC_THREAD(transactions);
  }

  // TLM transactions made so far.
  uint64_t transactions_issued() const noexcept { return issued_; }

 private:
  void pins() {
    engine_.edge({});  // READYs up
    drive();
    for (;;) {
      if (engine_.idle() && !valid_high()) {
        sc_core::wait(this->awvalid.value_changed_event() | this->wvalid.value_changed_event() |
                      this->arvalid.value_changed_event() | answered_);
      }
      wait_edge();
      if (in_reset()) {
        engine_.reset();
        drive();
        wait_for_reset_end();
        engine_.edge({});
        drive();
        continue;
      }
      sample_and_step();
      drive();
      if (engine_.has_requests()) requested_.notify(sc_core::SC_ZERO_TIME);
    }
  }

  // The TLM side: one burst after the other.
  void transactions() {
    for (;;) {
      std::unique_ptr<AxiRequest> request = engine_.take_request();
      if (!request) {
        sc_core::wait(requested_);
        continue;
      }
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      for (AxiRequest::Piece& piece : request->pieces) {
        initiator_socket->b_transport(piece.gp, delay);
        ++issued_;
      }
      if (delay != sc_core::SC_ZERO_TIME) sc_core::wait(delay);
      engine_.finish(std::move(request));
      answered_.notify(sc_core::SC_ZERO_TIME);
    }
  }

  bool valid_high() const { return this->awvalid.read() || this->wvalid.read() || this->arvalid.read(); }

  void read_address(AxiAddress& a, bool write) {
    if (write) {
      a.addr = pin_to_u64<AW>(this->awaddr.read());
      a.prot = static_cast<uint8_t>(this->awprot.read());
      if constexpr (!LITE) {
        a.id = static_cast<uint32_t>(pin_to_u64<IDW>(this->awid.read()));
        a.len = static_cast<uint8_t>(this->awlen.read());
        a.size = static_cast<uint8_t>(this->awsize.read());
        a.burst = static_cast<AxiBurst>(this->awburst.read() & 3);
        a.lock = this->awlock.read();
        a.cache = static_cast<uint8_t>(this->awcache.read());
        a.qos = static_cast<uint8_t>(this->awqos.read());
      }
    } else {
      a.addr = pin_to_u64<AW>(this->araddr.read());
      a.prot = static_cast<uint8_t>(this->arprot.read());
      if constexpr (!LITE) {
        a.id = static_cast<uint32_t>(pin_to_u64<IDW>(this->arid.read()));
        a.len = static_cast<uint8_t>(this->arlen.read());
        a.size = static_cast<uint8_t>(this->arsize.read());
        a.burst = static_cast<AxiBurst>(this->arburst.read() & 3);
        a.lock = this->arlock.read();
        a.cache = static_cast<uint8_t>(this->arcache.read());
        a.qos = static_cast<uint8_t>(this->arqos.read());
      }
    }
  }

  void sample_and_step() {
    AxiSubordinateEngine::Inputs in;
    in.awvalid = this->awvalid.read();
    if (in.awvalid && engine_.aw_ready_now()) read_address(in.aw, true);
    in.wvalid = this->wvalid.read();
    if (in.wvalid && engine_.w_ready_now()) {
      pin_to_bytes<DW>(this->wdata.read(), wdata_);
      in.wdata = wdata_;
      in.wstrb = pin_to_u64<DW / 8>(this->wstrb.read());
      in.wlast = true;
      if constexpr (!LITE) in.wlast = this->wlast.read();
    }
    in.bready = this->bready.read();
    in.arvalid = this->arvalid.read();
    if (in.arvalid && engine_.ar_ready_now()) read_address(in.ar, false);
    in.rready = this->rready.read();
    engine_.edge(in);
  }

  void drive() {
    const AxiSubordinateEngine::Outputs& o = engine_.outputs();
    this->awready.write(o.awready);
    this->wready.write(o.wready);
    this->arready.write(o.arready);
    this->bvalid.write(o.bvalid);
    this->rvalid.write(o.rvalid);
    if (o.b_changed) {
      this->bresp.write(pin_from_u64<2>(static_cast<uint64_t>(o.bresp)));
      if constexpr (!LITE) this->bid.write(pin_from_u64<IDW>(o.bid));
    }
    if (o.r_changed) {
      this->rdata.write(pin_from_bytes<DW>(o.r.data));
      this->rresp.write(pin_from_u64<2>(static_cast<uint64_t>(o.r.resp)));
      if constexpr (!LITE) {
        this->rid.write(pin_from_u64<IDW>(o.r.id));
        this->rlast.write(o.r.last);
      }
    }
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) {
    return tlm::TLM_ACCEPTED;  // only b_transport is used
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) {}  // no DMI is used

  AxiSubordinateEngine engine_;
  sc_core::sc_event requested_, answered_;
  uint8_t wdata_[kMaxDataBytes] = {};
  uint64_t issued_ = 0;
};

}  // namespace detail

// AXI4 to TLM: DW data bits (32 to 512), AW address bits, IDW ID bits.
template <unsigned DW = 64, unsigned AW = 32, unsigned IDW = 4>
using AxiToTlm = detail::AxiToTlmBridge<DW, AW, IDW, false, Axi4PortSet<DW, AW, IDW, sc_in_t, sc_out_t>>;

// AXI4-Lite to TLM: DW 32 or 64.
template <unsigned DW = 32, unsigned AW = 32>
using AxiLiteToTlm = detail::AxiToTlmBridge<DW, AW, 1, true, AxiLitePortSet<DW, AW, sc_in_t, sc_out_t>>;

}  // namespace tlmmap::adapters
