// An address space (or any region) on a TLM-2.0 target socket.
//
// Any number of initiators bind to `target_socket`. Every access resolves
// against the flat view, never by walking the region tree, and the model
// decides it (AddressSpace::access()); the target caches the model's
// decisions per flat range and takes the short way they allow:
//   b_transport      RAM and ROM copied directly; a transaction wholly inside
//                    the window of a TLM device (TlmDeviceRegion) forwarded
//                    to it whole, its address made region-relative;
//                    a plain payload inside a page of an IOMMU range whose
//                    translation the IOMMU region keeps over host memory
//                    copied directly (detail/iommu_target_path.hpp);
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
#include "tlmmap/core/address_space.hpp"
#include "tlmmap/tlm/detail/target_engine.hpp"
#include "tlmmap/tlm/detail/target_socket.hpp"

namespace tlmmap {


template <unsigned int BUSWIDTH = 32>
class AddressSpaceTarget : public sc_core::sc_module {
 public:
  // Any number of initiators bind here (a tlm::tlm_target_socket).
  detail::TargetSocket<BUSWIDTH> target_socket;

  // Serves an address space.
  AddressSpaceTarget(sc_core::sc_module_name name, AddressSpace& space)
      : sc_core::sc_module(name), target_socket("target_socket"), engine_(space, target_socket) {
    target_socket.attach(engine_);
  }

  // Exposes one region on its own socket, addresses relative to the region
  // (its byte 0 at address 0): a container or alias routes and resolves
  // priorities, a leaf is a plain target.
  AddressSpaceTarget(sc_core::sc_module_name name, Region& region)
      : sc_core::sc_module(name),
        target_socket("target_socket"),
        own_space_(std::make_unique<AddressSpace>(region, std::string(this->name()), AddressSpace::region_relative)),
        engine_(*own_space_, target_socket) {
    target_socket.attach(engine_);
  }

  // nullptr once the address space has been destroyed.
  AddressSpace* space() noexcept { return engine_.space(); }

 private:
  std::unique_ptr<AddressSpace> own_space_;
  // Last: it withdraws its grants through the socket when it goes.
  detail::TargetEngine engine_;
};

}  // namespace tlmmap
