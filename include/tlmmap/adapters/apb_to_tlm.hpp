// APB4 pins to TLM: a "subordinate" bridge. It watches an RTL APB manager
// and makes each transfer a TLM b_transport of one bus word on its aligned
// address (PSTRB as byte enables where not all set; PPROT as attributes).
//
//   tlmmap::adapters::ApbToTlm<32, 32> bridge{"bridge"};
//   bridge.clk(clock); bridge.rst(rstn);
//   bridge.connect(wires);                   // Apb4Signals<32, 32>
//   bridge.initiator_socket.bind(bus.target_socket);
//
// The call is made when the setup phase is seen. With no annotated delay
// PREADY rises at once (no wait state); a delay of d adds ceil(d / clock
// period) wait states. Any error status is PSLVERR.
#pragma once

#include <string>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlmmap/adapters/clock_reset.hpp"
#include "tlmmap/adapters/signal_sets.hpp"

namespace tlmmap::adapters {

template <unsigned DW = 32, unsigned AW = 32>
class ApbToTlm : public sc_core::sc_module, public Apb4PortSet<DW, AW, sc_in_t, sc_out_t>, public ClockReset {
  static_assert(DW == 32 || DW == 64, "APB data width: 32 or 64 bits");
  static_assert(AW >= 8 && AW <= 64, "address width: 8 to 64 bits");

 public:
  tlm_utils::simple_initiator_socket<ApbToTlm, DW> initiator_socket{"initiator_socket"};

  SC_HAS_PROCESS(ApbToTlm);
  explicit ApbToTlm(sc_core::sc_module_name name, BridgeOptions options = {})
      : sc_core::sc_module(name), ClockReset(options.reset) {
    initiator_socket.register_nb_transport_bw(this, &ApbToTlm::nb_transport_bw);
    initiator_socket.register_invalidate_direct_mem_ptr(this, &ApbToTlm::invalidate_direct_mem_ptr);
    attrs_ = new TxAttributes();
    amba_ = new AmbaExtension();
    gp_.set_extension(attrs_);  // the payload owns them
    gp_.set_extension(amba_);
    gp_.set_data_ptr(data_);
    gp_.set_data_length(DW / 8);
    gp_.set_streaming_width(DW / 8);
    SC_THREAD(run);
  }

  uint64_t transactions_issued() const noexcept { return issued_; }

 private:
  void run() {
    this->pready.write(false);
    this->pslverr.write(false);
    for (;;) {
      if (!this->psel.read()) sc_core::wait(this->psel.value_changed_event());
      wait_edge();
      if (in_reset()) {
        wait_for_reset_end();
        continue;
      }
      if (!this->psel.read()) continue;
      transfer();
    }
  }

  // A setup phase was sampled at this edge (or an access phase whose setup
  // fell in a reset): answer it.
  void transfer() {
    const bool write = this->pwrite.read();
    const uint64_t word = pin_to_u64<AW>(this->paddr.read()) & ~uint64_t{DW / 8 - 1};
    const uint8_t prot = static_cast<uint8_t>(this->pprot.read());
    gp_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp_.set_address(word);
    gp_.set_byte_enable_ptr(nullptr);
    gp_.set_byte_enable_length(0);
    gp_.set_dmi_allowed(false);
    gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    attrs_->attrs = attrs_from_pins(prot, 0);
    amba_->instruction = (prot & 4) != 0;
    if (write) {
      pin_to_bytes<DW>(this->pwdata.read(), data_);
      const uint64_t strb = pin_to_u64<DW / 8>(this->pstrb.read());
      if (strb != (uint64_t{1} << (DW / 8)) - 1) {
        for (unsigned i = 0; i < DW / 8; ++i) byte_enables_[i] = (strb >> i) & 1 ? TLM_BYTE_ENABLED : TLM_BYTE_DISABLED;
        gp_.set_byte_enable_ptr(byte_enables_);
        gp_.set_byte_enable_length(DW / 8);
      }
    }
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    initiator_socket->b_transport(gp_, delay);
    ++issued_;
    if (delay != sc_core::SC_ZERO_TIME) {
      sc_core::wait(delay);
      wait_edge();
    }
    if (!write) this->prdata.write(pin_from_bytes<DW>(data_));
    this->pslverr.write(gp_.get_response_status() != tlm::TLM_OK_RESPONSE);
    this->pready.write(true);
    wait_edge();  // the manager takes the answer here
    this->pready.write(false);
    this->pslverr.write(false);
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) {
    return tlm::TLM_ACCEPTED;  // only b_transport is used
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) {}

  tlm::tlm_generic_payload gp_;
  TxAttributes* attrs_ = nullptr;
  AmbaExtension* amba_ = nullptr;
  uint8_t data_[DW / 8] = {};
  uint8_t byte_enables_[DW / 8] = {};
  uint64_t issued_ = 0;
};

}  // namespace tlmmap::adapters
