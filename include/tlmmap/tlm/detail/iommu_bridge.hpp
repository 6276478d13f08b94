// Library-internal: what an IommuModule does, whatever its bus width.
// Translation of payloads through an IommuRegion, and the bookkeeping of the
// DMI answers given upstream: each answer remembers its input range, its
// range downstream and its IOMMU index, so that an UNMAP/MAP event or a
// downstream invalidation withdraws exactly the answers it meets.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <systemc>
#include <tlm>

#include "tlmmap/core/iommu_region.hpp"

namespace tlmmap::detail {

class IommuBridge {
 public:
  using Downstream = tlm::tlm_fw_transport_if<tlm::tlm_base_protocol_types>;
  // Tells initiator `id` to drop its DMI over [first, last].
  using Invalidate = std::function<void(int id, uint64_t first, uint64_t last)>;

  IommuBridge(IommuRegion& iommu, std::string name, Invalidate invalidate);
  ~IommuBridge();
  IommuBridge(const IommuBridge&) = delete;
  IommuBridge& operator=(const IommuBridge&) = delete;

  // What becomes of a payload; b_transport and nb_transport decide alike.
  // refuse: the response status is set (and the IOMMU's fault() hook told);
  // forward: the payload goes on, whole, to `address`; split: it crosses
  // pages and goes as a payload per page (split()).
  struct Route {
    enum class Kind { refuse, forward, split } kind;
    uint64_t address;
  };
  Route route(tlm::tlm_generic_payload& gp);
  // A payload per page (and per beat of a streaming window), each with
  // b_transport; the results OR-ed into the payload's response status.
  void split(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, Downstream& down);

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, Downstream& down);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp, Downstream& down);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi, Downstream& down);
  // The downstream target withdrew [first, last] (its addresses).
  void downstream_invalidated(uint64_t first, uint64_t last);

  // nullptr once the IOMMU region has been destroyed.
  IommuRegion* iommu() const noexcept { return alive_.region() != nullptr ? iommu_ : nullptr; }
  // DMI answers (grants and denials) held upstream now.
  std::size_t answers() const noexcept { return answers_.size(); }
  std::size_t grants() const noexcept;

 private:
  struct Answer {
    int initiator;
    int index;
    bool granted;
    uint64_t in_first, in_last;    // input addresses
    uint64_t out_first, out_last;  // downstream addresses (granted: what the pointer covers)
  };
  void translation_changed(int index, const IommuTlbEvent& event);
  void record(const Answer& answer);
  void watch(int index);
  // Drops the answers `meets` selects, telling their holders over the part
  // `part` gives (input addresses).
  template <typename Meets, typename Part>
  void withdraw(Meets&& meets, Part&& part);

  IommuRegion* iommu_;
  std::string name_;
  Invalidate invalidate_;
  // Hears nothing of its own; its region() turns nullptr when the IOMMU dies.
  IommuNotifier alive_;
  std::map<int, std::unique_ptr<IommuNotifier>> watched_;  // by index
  // By (initiator, index, first input address): a repeated request replaces its answer.
  std::map<std::tuple<int, int, uint64_t>, Answer> answers_;
};

}  // namespace tlmmap::detail
