// An IOMMU as an interconnect module: initiators (a DMA engine, a device's
// bus-master port) bind to `target_socket`; `initiator_socket` binds to what
// the translated accesses reach (an AddressSpaceTarget of the IOMMU's target
// address space, or any TLM target). The translation is the IommuRegion's,
// the same that the model's access path uses.
//
//   b_transport     each page of the payload translated (translate() with
//                   the read or write flag, index from the payload's
//                   TxAttributes); a payload inside one page goes on itself
//                   (extensions, byte enables, streaming) with its address
//                   translated and restored afterwards; one that crosses
//                   pages goes as one payload per page (and per beat of a
//                   streaming window), carrying the TxAttributes extension.
//                   A refused page: TLM_ADDRESS_ERROR_RESPONSE (no
//                   translation) or TLM_COMMAND_ERROR_RESPONSE (no right),
//                   and the IOMMU's fault() hook.
//   transport_dbg   translated with the `none` flag (no IOTLB fill, no fault),
//                   page by page, stopping at the first refused byte.
//   get_direct_mem_ptr  the translated page intersected with the downstream
//                   grant, mapped back to input addresses, with the rights of
//                   both; a page without translation is denied over the page.
//   invalidation    every answer (grant or denial) is remembered with its
//                   input range, downstream range and index. An UNMAP or MAP
//                   event of the IOMMU (IommuRegion::notify()) or a downstream
//                   invalidate_direct_mem_ptr withdraws exactly the answers it
//                   meets from the initiators that hold them, before the call
//                   that changed things returns. The IOMMU's destruction
//                   withdraws everything; afterwards every access answers
//                   TLM_ADDRESS_ERROR_RESPONSE.
//   nb_transport    the base protocol (2- and 4-phase initiators, from
//                   methods or threads): the same translation and refusals as
//                   b_transport; a request inside one page goes on with
//                   nb_transport_fw, one that crosses pages is done per page
//                   by a process of the module; detail/iommu_at_path.hpp.
#pragma once

#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlmmap/tlm/detail/iommu_at_path.hpp"
#include "tlmmap/tlm/detail/iommu_bridge.hpp"
#include "tlmmap/tlm/detail/target_socket.hpp"

namespace tlmmap {

template <unsigned int BUSWIDTH = 32>
class IommuModule : public sc_core::sc_module {
 public:
  // Any number of initiators bind here (a tlm::tlm_target_socket; each
  // binding calls the module with one virtual call).
  detail::TargetSocket<BUSWIDTH, IommuModule> target_socket;
  tlm_utils::simple_initiator_socket<IommuModule, BUSWIDTH> initiator_socket;

  // `iommu` may be destroyed first (the module then refuses everything).
  IommuModule(sc_core::sc_module_name name, IommuRegion& iommu)
      : sc_core::sc_module(name),
        target_socket("target_socket"),
        initiator_socket("initiator_socket"),
        bridge_(iommu, this->name(),
                [this](int id, uint64_t first, uint64_t last) {
                  // A destroyed initiator is never called.
                  if (target_socket.alive(id)) target_socket.at(id)->invalidate_direct_mem_ptr(first, last);
                }),
        at_path_(
            "at_path", bridge_, [this](int id) -> detail::IommuAtPath::Upstream& { return *target_socket.at(id); },
            [this]() -> detail::IommuBridge::Downstream& { return downstream(); }) {
    target_socket.attach(*this);
    initiator_socket.register_nb_transport_bw(this, &IommuModule::nb_transport_bw);
    initiator_socket.register_invalidate_direct_mem_ptr(this, &IommuModule::invalidate_direct_mem_ptr);
  }

  // nullptr once the IOMMU region has been destroyed.
  IommuRegion* iommu() const noexcept { return bridge_.iommu(); }
  // DMI answers held upstream now (grants and denials), and the grants among them.
  std::size_t dmi_answers() const noexcept { return bridge_.answers(); }
  std::size_t dmi_grants() const noexcept { return bridge_.grants(); }
  // Translations cached for the initiators' b_transport and nb_transport.
  std::size_t cached_translations() const noexcept { return bridge_.cached_translations(); }
  // nb_transport transactions in flight through the module.
  std::size_t transactions_in_flight() const noexcept { return at_path_.in_flight(); }

 private:
  friend class detail::EngineBinder<IommuModule>;
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    bridge_.b_transport(id, gp, delay, downstream());
  }
  tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) {
    return at_path_.forward(id, gp, phase, delay);
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    return at_path_.backward(gp, phase, delay);
  }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& gp) {
    return bridge_.transport_dbg(gp, downstream());
  }
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    return bridge_.get_direct_mem_ptr(id, gp, dmi, downstream());
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) { bridge_.downstream_invalidated(start, end); }

  detail::IommuBridge::Downstream& downstream() { return *initiator_socket.operator->(); }

  detail::IommuBridge bridge_;
  detail::IommuAtPath at_path_;
};

}  // namespace tlmmap
