// The translation cache of an IOMMU region's access path
// (tlmmap/core/detail/translation_cache.hpp).
#include "tlmmap/core/detail/translation_cache.hpp"

#include <algorithm>

#include "tlmmap/core/flat_range.hpp"

namespace tlmmap::detail {

namespace {

bool meets(uint64_t first, uint64_t last, uint64_t lo, uint64_t hi) noexcept { return first <= hi && lo <= last; }

}  // namespace

const TranslationCache::Entry& TranslationCache::fill(uint64_t address, int index, bool is_write,
                                                      const IommuTlbEntry& t) {
  Entry& e = slots_[slot(address, index, is_write)];
  e = Entry{};
  e.target = t.target;
  e.mask = t.addr_mask;
  e.iova = address & ~t.addr_mask;
  e.translated = t.translated_addr & ~t.addr_mask;
  e.index = index;
  e.is_write = is_write;
  e.perm = t.perm;
  if (std::find(observed_.begin(), observed_.end(), t.target) == observed_.end()) {
    t.target->add_observer(*this);
    observed_.push_back(t.target);
  }
  // Host memory where the target space's view routes this direction of the
  // translated address to memory, over the part of the page in that range.
  const FlatRange* fr = t.target->lookup(e.target_address(address));
  if (fr != nullptr) {
    const Route route = fr->route(is_write);
    if (route.kind == RouteKind::memory && route.host != nullptr && route.dirty_mask == 0) {
      const uint64_t page_last = e.translated | e.mask;
      const uint64_t lo = std::max(fr->first, e.translated);
      const uint64_t hi = std::min(fr->last, page_last);
      e.host = route.host + (lo - fr->first);
      e.direct_first = e.iova + (lo - e.translated);
      e.direct_last = e.direct_first + (hi - lo);
      e.latency = route.latency;
    }
  }
  return e;
}

void TranslationCache::invalidate(const int* index, uint64_t first, uint64_t last) noexcept {
  ++*epoch_;
  for (Entry& e : slots_) {
    if (e.target != nullptr && (index == nullptr || e.index == *index) && meets(e.iova, e.iova | e.mask, first, last)) {
      e.target = nullptr;
    }
  }
}

void TranslationCache::clear() noexcept {
  ++*epoch_;
  for (Entry& e : slots_) e.target = nullptr;
}

std::size_t TranslationCache::size() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const Entry& e) { return e.target != nullptr; }));
}

void TranslationCache::drop_target_pages(const AddressSpace& space, uint64_t first, uint64_t last) noexcept {
  ++*epoch_;
  for (Entry& e : slots_) {
    if (e.target == &space && meets(e.translated, e.translated | e.mask, first, last)) e.target = nullptr;
  }
}

void TranslationCache::view_changed(const AddressSpace& space, const ViewChange& change) {
  for (const AddressRange& r : change.changed_ranges()) drop_target_pages(space, r.first, r.last);
}

void TranslationCache::direct_access_invalidated(const AddressSpace& space, uint64_t first, uint64_t last) {
  drop_target_pages(space, first, last);
}

void TranslationCache::space_destroyed(const AddressSpace& space) {
  drop_target_pages(space, 0, ~uint64_t(0));
  observed_.erase(std::remove(observed_.begin(), observed_.end(), &space), observed_.end());
}

}  // namespace tlmmap::detail
