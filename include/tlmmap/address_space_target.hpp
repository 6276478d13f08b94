// An address space (or any region) on a TLM-2.0 target socket.
//
// Any number of initiators bind to `target_socket`. Every access resolves
// against the flat view, never by walking the region tree:
//   b_transport      RAM and ROM copied directly; MMIO through its callbacks
//                    with QEMU's access-size and endianness rules; a TLM
//                    device region forwards the transaction with the address
//                    made region-relative; unmapped addresses follow the
//                    address space's UnmappedPolicy. Region latencies are
//                    added to the delay; nothing calls wait().
//   nb_transport_fw  the base protocol: transactions to a TLM device are
//                    routed phase by phase (one request at a time per device,
//                    one response at a time per initiator); everything else
//                    completes at once (TLM_COMPLETED, latency annotated).
//   transport_dbg    no side effects: RAM/ROM directly, MMIO through debug
//                    callbacks only, TLM devices through their transport_dbg.
//   get_direct_mem_ptr  RAM read-write (read-only where a read-only flag is
//                    on the path), ROM and ROM devices in romd mode read-only,
//                    TLM devices by translating their grant; always clipped to
//                    the flat range. A commit that changes the view
//                    invalidates exactly the changed address ranges on every
//                    bound initiator.
// Responses: see the table in mem_tx_result.hpp. Transaction attributes
// travel as a TxAttributes extension.
#pragma once

#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "tlmmap/address_space.hpp"
#include "tlmmap/detail/target_engine.hpp"

namespace tlmmap {

template <unsigned int BUSWIDTH = 64>
class AddressSpaceTarget : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<AddressSpaceTarget, BUSWIDTH> target_socket;

  // Serves an address space; the address space must outlive the module.
  AddressSpaceTarget(sc_core::sc_module_name name, AddressSpace& space)
      : sc_core::sc_module(name), target_socket("target_socket"), engine_(space, count(), port()) {
    register_callbacks();
  }

  // Exposes one region on its own socket, addresses relative to the region
  // (its byte 0 at address 0): a container or alias routes and resolves
  // priorities, a leaf is a plain target.
  AddressSpaceTarget(sc_core::sc_module_name name, Region& region)
      : sc_core::sc_module(name),
        target_socket("target_socket"),
        own_space_(std::make_unique<AddressSpace>(region, std::string(this->name()), AddressSpace::region_relative)),
        engine_(*own_space_, count(), port()) {
    register_callbacks();
  }

  AddressSpace& space() noexcept { return engine_.space(); }

 private:
  std::function<unsigned()> count() {
    return [this] { return target_socket.size(); };
  }
  std::function<detail::TargetEngine::BwInterface*(int)> port() {
    return [this](int i) { return target_socket[i]; };
  }
  void register_callbacks() {
    target_socket.register_b_transport(this, &AddressSpaceTarget::b_transport);
    target_socket.register_nb_transport_fw(this, &AddressSpaceTarget::nb_transport_fw);
    target_socket.register_transport_dbg(this, &AddressSpaceTarget::transport_dbg);
    target_socket.register_get_direct_mem_ptr(this, &AddressSpaceTarget::get_direct_mem_ptr);
  }
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    engine_.b_transport(id, gp, delay);
  }
  tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) {
    return engine_.nb_transport_fw(id, gp, phase, delay);
  }
  unsigned int transport_dbg(int id, tlm::tlm_generic_payload& gp) { return engine_.transport_dbg(id, gp); }
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    return engine_.get_direct_mem_ptr(id, gp, dmi);
  }

  std::unique_ptr<AddressSpace> own_space_;
  detail::TargetEngine engine_;
};

}  // namespace tlmmap
