// An address space (or any region) on a TLM-2.0 target socket.
//
// Any number of initiators bind to `target_socket`. Every access resolves
// against the flat view, never by walking the region tree, and the model
// decides it (AddressSpace::access()); the target caches the model's
// decisions per flat range and takes the short way they allow:
//   b_transport      RAM and ROM copied directly; a transaction wholly inside
//                    the window of a TLM device (TlmDeviceRegion) forwarded
//                    to it whole, its address made region-relative;
//                    everything else through the model. Region latencies are
//                    added to the delay; nothing calls wait().
//   nb_transport_fw  the base protocol: a transaction wholly inside a TLM
//                    device's window is routed phase by phase; one that the
//                    model answers at once completes at once (TLM_COMPLETED,
//                    latency annotated); one that reaches a TLM device only
//                    in part is answered from a process of ours (the device's
//                    b_transport may wait, nb_transport_fw never does).
//   transport_dbg    no side effects: RAM/ROM directly, MMIO through debug
//                    callbacks only, TLM devices through their transport_dbg.
//   get_direct_mem_ptr  RAM read-write (read-only where a read-only flag is
//                    on the path), ROM and ROM devices in romd mode read-only,
//                    TLM devices by translating their grant; always clipped
//                    to the flat range. A commit that changes the view
//                    invalidates exactly the changed address ranges on every
//                    initiator holding a DMI answer there.
// Responses: see the table in mem_tx_result.hpp; malformed payloads (length
// 0, no data pointer, streaming width 0, byte-enable length 0 with a
// pointer) get TLM_GENERIC_ERROR_RESPONSE on every path.
//
// Lifetimes: the target and its initiators, the address space and its
// regions may be destroyed in any order, before, during or after the
// simulation. A destroyed initiator is never called again; a target whose
// address space is gone answers TLM_ADDRESS_ERROR_RESPONSE and grants
// nothing; a target that goes withdraws its grants first.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/tlm/detail/target_engine.hpp"

namespace tlmmap {

namespace detail {

// The multi-passthrough target socket that also knows who bound to it, so
// that a destroyed initiator is never called.
template <typename MODULE, unsigned int BUSWIDTH>
class InitiatorTrackingSocket : public tlm_utils::multi_passthrough_target_socket<MODULE, BUSWIDTH> {
  using base = tlm_utils::multi_passthrough_target_socket<MODULE, BUSWIDTH>;

 public:
  using base::base;

  // Names the objects bound to the socket (their initiator sockets); called
  // at the end of elaboration, when they all exist.
  void record_initiators() {
    bound_.clear();
    if (this->m_hierarch_bind != nullptr) return;  // bound through a parent socket: unknown
    for (auto* binder : this->get_binders()) {
      sc_core::sc_object* other = binder->get_other_side();
      bound_.push_back({other, other != nullptr ? other->name() : std::string()});
    }
  }
  // False once initiator `i` is known to be destroyed.
  bool initiator_alive(int i) const {
    if (static_cast<std::size_t>(i) >= bound_.size() || bound_[i].object == nullptr) return true;
    return sc_core::sc_find_object(bound_[i].name.c_str()) == bound_[i].object;
  }

 private:
  struct Bound {
    sc_core::sc_object* object;
    std::string name;
  };
  std::vector<Bound> bound_;
};

}  // namespace detail

template <unsigned int BUSWIDTH = 32>
class AddressSpaceTarget : public sc_core::sc_module, private detail::InitiatorPorts {
 public:
  detail::InitiatorTrackingSocket<AddressSpaceTarget, BUSWIDTH> target_socket;

  // Serves an address space.
  AddressSpaceTarget(sc_core::sc_module_name name, AddressSpace& space)
      : sc_core::sc_module(name), target_socket("target_socket"), engine_(space, *this) {
    register_callbacks();
  }

  // Exposes one region on its own socket, addresses relative to the region
  // (its byte 0 at address 0): a container or alias routes and resolves
  // priorities, a leaf is a plain target.
  AddressSpaceTarget(sc_core::sc_module_name name, Region& region)
      : sc_core::sc_module(name),
        target_socket("target_socket"),
        own_space_(std::make_unique<AddressSpace>(region, std::string(this->name()), AddressSpace::region_relative)),
        engine_(*own_space_, *this) {
    register_callbacks();
  }

  // nullptr once the address space has been destroyed.
  AddressSpace* space() noexcept { return engine_.space(); }

 private:
  void register_callbacks() {
    target_socket.register_b_transport(this, &AddressSpaceTarget::b_transport);
    target_socket.register_nb_transport_fw(this, &AddressSpaceTarget::nb_transport_fw);
    target_socket.register_transport_dbg(this, &AddressSpaceTarget::transport_dbg);
    target_socket.register_get_direct_mem_ptr(this, &AddressSpaceTarget::get_direct_mem_ptr);
  }
  void end_of_elaboration() override { target_socket.record_initiators(); }

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

  // InitiatorPorts
  unsigned count() override { return target_socket.size(); }
  BwInterface* at(int i) override { return target_socket[i]; }
  bool alive(int i) override { return target_socket.initiator_alive(i); }

  std::unique_ptr<AddressSpace> own_space_;
  detail::TargetEngine engine_;
};

}  // namespace tlmmap
