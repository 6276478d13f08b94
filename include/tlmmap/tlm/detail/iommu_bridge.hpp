// Library-internal: what an IommuModule does, whatever its bus width.
// Translation of payloads through an IommuRegion, and the bookkeeping of the
// DMI answers given upstream: each answer remembers its input range, its
// range downstream and its IOMMU index, so that an UNMAP/MAP event or a
// downstream invalidation withdraws exactly the answers it meets.
#pragma once

#include <array>
#include <cstring>
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
#include "tlmmap/tlm/tx_attributes.hpp"

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
  // `id`: the initiator, whose translation cache a forwarded page fills.
  Route route(int id, tlm::tlm_generic_payload& gp);
  // A payload per page (and per beat of a streaming window), each with
  // b_transport; the results OR-ed into the payload's response status.
  void split(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, Downstream& down);

  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, Downstream& down) {
    if (!b_transport_cached(id, gp, delay, down)) b_transport_translating(id, gp, delay, down);
  }
  // The hot path: a payload inside a page that initiator `id` used before
  // with a translation still valid, and the access's right: forwarded
  // without asking the IOMMU. False: nothing was done.
  bool b_transport_cached(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, Downstream& down) {
    if (static_cast<std::size_t>(id) >= cache_.size()) return false;
    const uint64_t address = gp.get_address();
    const Cached& c = cache_[static_cast<std::size_t>(id)][slot_of(address)];
    const unsigned length = gp.get_data_length();
    const tlm::tlm_command command = gp.get_command();
    const IommuAccess wanted = command == tlm::TLM_READ_COMMAND    ? IommuAccess::read
                               : command == tlm::TLM_WRITE_COMMAND ? IommuAccess::write
                                                                   : IommuAccess::read_write;  // never cached
    if (address - c.first > c.last - c.first || length - 1u > c.last - address || length == 0 ||
        gp.get_data_ptr() == nullptr || gp.get_streaming_width() < length || !allows(c.perm, wanted) ||
        (gp.get_byte_enable_ptr() != nullptr && gp.get_byte_enable_length() == 0)) {
      return false;
    }
    // The same attributes give the same index (attrs_to_index() is a
    // function of the attributes): no call to the IOMMU at all.
    if (TxAttributes::ever_made() ? !(attributes_of(gp) == c.attrs) : !c.attrs.unspecified) return false;
    if (c.host != nullptr && address - c.host_first <= c.host_last - c.host_first &&
        length - 1u <= c.host_last - address && gp.get_byte_enable_ptr() == nullptr &&
        (wanted == IommuAccess::read ? c.host_read : c.host_write)) {
      // Downstream's DMI covers it: what its b_transport would do, as the
      // grant promises (its latency, no side effects beyond the memory).
      uint8_t* host = c.host + (address - c.host_first);
      if (wanted == IommuAccess::read) {
        copy(gp.get_data_ptr(), host, length);
        delay += c.read_latency;
      } else {
        copy(host, gp.get_data_ptr(), length);
        delay += c.write_latency;
      }
      gp.set_dmi_allowed(true);
      gp.set_response_status(tlm::TLM_OK_RESPONSE);
      return true;
    }
    const bool ask_dmi = !c.dmi_asked;
    gp.set_address(address + c.delta);
    down.b_transport(gp, delay);
    gp.set_address(address);
    if (ask_dmi && gp.is_dmi_allowed() && gp.get_response_status() == tlm::TLM_OK_RESPONSE) cache_dmi(id, gp, down);
    return true;
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp, Downstream& down);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi, Downstream& down);
  // The downstream target withdrew [first, last] (its addresses).
  void downstream_invalidated(uint64_t first, uint64_t last);
  // Translations cached for initiators now (tests).
  std::size_t cached_translations() const noexcept;

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
    // Downstream's whole DMI answer (grant or denial) this one came from: an
    // invalidation that meets any of it discards all of it (TLM-2.0), so
    // downstream forgets it and will not tell this module of later changes
    // elsewhere in it. {1, 0}: the IOMMU's own denial.
    uint64_t down_first = 1, down_last = 0;
  };
  // memcpy, inline for the sizes of CPU accesses.
  static void copy(uint8_t* to, const uint8_t* from, unsigned length) {
    switch (length) {
      case 1: *to = *from; return;
      case 2: std::memcpy(to, from, 2); return;
      case 4: std::memcpy(to, from, 4); return;
      case 8: std::memcpy(to, from, 8); return;
      default: std::memcpy(to, from, length);
    }
  }
  // Asks downstream for DMI over the cached page of `gp`'s address (once per
  // page until a downstream change), for the hot path.
  void cache_dmi(int id, tlm::tlm_generic_payload& gp, Downstream& down);
  // b_transport that asks the IOMMU (and fills the cache).
  void b_transport_translating(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, Downstream& down);
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

  // Per initiator (a reader of translations), the pages its b_transport
  // accesses were forwarded through, direct-mapped by 4 KiB page number,
  // with downstream's DMI over the page when downstream offered it (the
  // response's DMI hint). Dropped exactly as DMI answers are: a MAP or
  // UNMAP event of the index over the page (any change of the translation,
  // the IOMMU's destruction included) drops the entry, and a downstream
  // invalidate_direct_mem_ptr over its translated page drops its DMI part,
  // before the call that made the change returns. Refusals are never kept
  // (each faults).
  struct Cached {
    uint64_t first = 1, last = 0;  // input page; empty: perm none, so it matches no access
    uint64_t delta = 0;            // translated address - input address
    int index = -1;
    IommuAccess perm = IommuAccess::none;
    bool dmi_asked = false;  // downstream was asked for DMI over the page
    MemTxAttrs attrs;        // of the access that filled it
    // Downstream's grant over part of the page, in input addresses, with the
    // rights of both; host == nullptr: none.
    uint8_t* host = nullptr;  // the host address of host_first
    uint64_t host_first = 1, host_last = 0;
    bool host_read = false, host_write = false;
    uint64_t down_first = 1, down_last = 0;  // downstream's whole grant behind `host` (see Answer)
    sc_core::sc_time read_latency, write_latency;
  };
  static constexpr std::size_t kCacheSlots = 64;
  static std::size_t slot_of(uint64_t address) noexcept { return (address >> 12) % kCacheSlots; }
  std::vector<std::array<Cached, kCacheSlots>> cache_;
};

}  // namespace tlmmap::detail
