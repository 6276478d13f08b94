// Library-internal: an AddressSpaceTarget's short way through an IOMMU range.
//
// A payload inside one translated page whose translation the IOMMU's
// translation cache keeps over host memory (core/detail/translation_cache.hpp)
// is copied there at once, as the model's path would copy it after
// translating: the IOMMU's translate() is not called, the range's latency
// and the target range's latency are added, and no DMI hint is given (the
// target grants no DMI over an IOMMU range: the IOMMU module does). Anything
// else (a miss, a refusal, byte enables, streaming, a page that is not host
// memory) is left to the model's path, which translates and fills the cache.
//
// The engine's warm path: IommuPages keeps, per IOMMU range and direction,
// the last page such a payload without attributes was copied through (its
// addresses in the engine's space, its host memory, both latencies summed)
// with the translation cache's epoch when it was read. A payload inside it
// is a compare and a copy. The page is a copy of a translation-cache entry
// and dies with it: any invalidation of that cache (MAP/UNMAP event, change
// of a target space's view, destruction) moves the epoch on, and the engine
// clears the pages whenever it takes a new view of its own space.
#pragma once

#include <array>
#include <memory>

#include <systemc>
#include <tlm>

#include "tlmmap/core/detail/translation_cache.hpp"
#include "tlmmap/core/flat_range.hpp"
#include "tlmmap/tlm/detail/copy_bytes.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::detail {

class IommuPages {
 public:
  // The kept page answers `gp` in the engine's range `range` (its index in
  // the view): copied, latency added, OK. False: not kept, or not a payload
  // it may take.
  bool answer(std::size_t range, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) const {
    // The attributes first: their look-up is a call, with nothing else live yet.
    const unsigned length = gp.get_data_length();
    if (!plain(gp, length)) return false;
    const tlm::tlm_command command = gp.get_command();
    const bool is_write = command == tlm::TLM_WRITE_COMMAND;
    const Page& p = pages_[slot(range, is_write)];
    const uint64_t address = gp.get_address();
    uint8_t* const data = gp.get_data_ptr();
    if (p.key != key(range, is_write) || address - p.first > p.last - p.first || length == 0 ||
        uint64_t(length) - 1 > p.last - address || *p.epoch != p.seen || data == nullptr ||
        (command != tlm::TLM_READ_COMMAND && !is_write)) {
      return false;
    }
    uint8_t* const host = p.host + (address - p.first);
    if (is_write) {
      copy_bytes(host, data, length);
    } else {
      copy_bytes(data, host, length);
    }
    delay += p.latency;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
  }

  // Through the IOMMU's translation cache (out of line): done (true), or
  // left to the model's path (false). A plain payload it answers becomes the
  // kept page of `range` for its direction. `fr` is the range `range` of an
  // IommuRegion (the engine checked when it cached the range); `range_latency`
  // its latency for the payload's direction.
  bool answer_from_cache(const FlatRange& fr, std::size_t range, tlm::tlm_generic_payload& gp,
                         sc_core::sc_time& delay, const sc_core::sc_time& range_latency);

  // Forgets every kept page (the engine's view of its space changed).
  void clear() noexcept;

 private:
  struct alignas(64) Page {
    std::size_t key = kNoKey;  // key(range, is_write)
    uint64_t first = 1;        // [first, last]: addresses in the engine's space
    uint64_t last = 0;
    uint8_t* host = nullptr;  // host memory of `first`
    sc_core::sc_time latency;  // the IOMMU range's and the target range's
    uint64_t seen = 0;         // *epoch when the page was kept
    const uint64_t* epoch = nullptr;
  };
  static constexpr std::size_t kNoKey = ~std::size_t(0);
  static constexpr std::size_t kPages = 16;  // direct-mapped by range and direction
  static std::size_t key(std::size_t range, bool is_write) noexcept { return range * 2 + (is_write ? 1 : 0); }
  static std::size_t slot(std::size_t range, bool is_write) noexcept { return key(range, is_write) % kPages; }
  // No byte enables, no streaming, no attributes (the kept page was made for
  // the index of unspecified attributes).
  static bool plain(const tlm::tlm_generic_payload& gp, unsigned length) {
    return gp.get_byte_enable_ptr() == nullptr && gp.get_streaming_width() >= length &&
           (!TxAttributes::ever_made() || gp.get_extension<TxAttributes>() == nullptr);
  }

  std::array<Page, kPages> pages_;
  // The epochs the pages read, alive while a page may point at them.
  std::array<TranslationCache::Epoch, kPages> epochs_;
};

// Would IommuPages::answer_from_cache() do `gp` now? (An approximately-timed
// request is then answered at once; one that may reach a TLM device in the
// target space goes to a process.)
bool iommu_cached_memory(const FlatRange& range, const tlm::tlm_generic_payload& gp);

}  // namespace tlmmap::detail
