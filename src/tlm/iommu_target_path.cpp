// An AddressSpaceTarget's short way through an IOMMU range
// (tlmmap/tlm/detail/iommu_target_path.hpp).
#include "tlmmap/tlm/detail/iommu_target_path.hpp"

#include <algorithm>
#include <cstring>

#include "tlmmap/core/detail/translation_cache.hpp"
#include "tlmmap/core/iommu_region.hpp"
#include "tlmmap/tlm/time.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::detail {

namespace {

// The host memory that the kept translation gives a plain payload, or nullptr.
uint8_t* kept_memory(const FlatRange& range, const tlm::tlm_generic_payload& gp, const TranslationCache::Entry** kept) {
  const tlm::tlm_command command = gp.get_command();
  const unsigned length = gp.get_data_length();
  if ((command != tlm::TLM_READ_COMMAND && command != tlm::TLM_WRITE_COMMAND) || gp.get_byte_enable_ptr() != nullptr ||
      gp.get_streaming_width() < length || length == 0 || gp.get_data_ptr() == nullptr) {
    return nullptr;
  }
  // The engine saw an IOMMU region there; nullptr once destroyed.
  auto* iommu = static_cast<IommuRegion*>(range.region());
  if (iommu == nullptr) return nullptr;
  const uint64_t address = gp.get_address();
  if (u128(address) + length - 1 > range.last) return nullptr;
  const MemTxAttrs attrs = TxAttributes::ever_made() ? attributes_of(gp) : MemTxAttrs{};
  const uint64_t offset = range.region_offset(address);
  const bool is_write = command == tlm::TLM_WRITE_COMMAND;
  const TranslationCache::Entry* e = iommu->translation_cache().find(offset, iommu->attrs_to_index(attrs), is_write);
  if (e == nullptr) return nullptr;
  *kept = e;
  return e->direct(offset, length);
}

}  // namespace

bool IommuPages::answer_from_cache(const FlatRange& fr, std::size_t range, tlm::tlm_generic_payload& gp,
                                   sc_core::sc_time& delay, const sc_core::sc_time& range_latency) {
  const TranslationCache::Entry* kept = nullptr;
  uint8_t* host = kept_memory(fr, gp, &kept);
  if (host == nullptr) return false;
  const unsigned length = gp.get_data_length();
  const bool is_write = gp.is_write();
  if (is_write) {
    std::memcpy(host, gp.get_data_ptr(), length);
  } else {
    std::memcpy(gp.get_data_ptr(), host, length);
  }
  // Converted once per kept translation.
  if (kept->face_latency == TranslationCache::kNoFaceLatency) kept->face_latency = to_sc_time(kept->latency).value();
  const sc_core::sc_time latency = range_latency + sc_core::sc_time::from_value(kept->face_latency);
  delay += latency;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  if (plain(gp, length)) {
    // The part of the translated page over host memory, in the engine's
    // addresses (inside the range: the payload's region offsets are).
    const uint64_t offset = fr.region_offset(gp.get_address());
    const uint64_t lo = std::max(kept->direct_first, fr.offset_within_region);
    const uint64_t hi = std::min(kept->direct_last, fr.region_offset(fr.last));
    const std::size_t s = slot(range, is_write);
    Page& p = pages_[s];
    // The epoch is read now: the entry is the cache's current one.
    epochs_[s] = static_cast<IommuRegion*>(fr.region())->translation_cache().epoch();
    p.key = key(range, is_write);
    p.first = fr.first + (lo - fr.offset_within_region);
    p.last = fr.first + (hi - fr.offset_within_region);
    p.host = host - (offset - lo);
    p.latency = latency;
    p.epoch = epochs_[s].get();
    p.seen = *p.epoch;
  }
  return true;
}

void IommuPages::clear() noexcept {
  for (Page& p : pages_) p = Page{};
  for (TranslationCache::Epoch& e : epochs_) e.reset();
}

bool iommu_cached_memory(const FlatRange& range, const tlm::tlm_generic_payload& gp) {
  const TranslationCache::Entry* kept = nullptr;
  return kept_memory(range, gp, &kept) != nullptr;
}

}  // namespace tlmmap::detail
