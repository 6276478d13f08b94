#include "coalesced_ring.hpp"

#include <algorithm>
#include <cstring>

#include "tlmmap/core/coalesced_mmio.hpp"

namespace tlmmap {

namespace detail {

CoalescedRing& CoalescedRing::get() {
  static CoalescedRing* ring = new CoalescedRing();
  return *ring;
}

void CoalescedRing::push(MmioNode& node, uint64_t offset, const uint8_t* data, unsigned size,
                         const MemTxAttrs& attrs) {
  if (entries_.size() >= kCapacity) flush();
  Entry e{&node, offset, {}, size, attrs};
  std::memcpy(e.data, data, size);
  entries_.push_back(e);
}

void CoalescedRing::flush() {
  // A write delivered now may start a transaction, which flushes: once is enough.
  if (flushing_) return;
  flushing_ = true;
  std::vector<Entry> batch;
  while (!entries_.empty()) {
    batch.swap(entries_);
    for (Entry& e : batch) e.node->deliver_coalesced(e.offset, e.data, e.size, e.attrs);
    batch.clear();
  }
  flushing_ = false;
}

void CoalescedRing::forget(const RegionNode& node) {
  if (std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.node == &node; })) flush();
}

}  // namespace detail

void flush_coalesced_mmio() { detail::CoalescedRing::get().flush(); }
std::size_t coalesced_mmio_pending() noexcept { return detail::CoalescedRing::get().pending(); }

}  // namespace tlmmap
