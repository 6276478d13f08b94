#include "rcu.hpp"

#include <algorithm>

namespace tlmmap::detail {

Rcu& Rcu::get() {
  // Never destroyed: readers and views may outlive every other static object.
  static Rcu* rcu = new Rcu();
  return *rcu;
}

ReaderSlot* Rcu::acquire_slot() {
  for (ReaderSlot* s = slots_.load(); s != nullptr; s = s->next) {
    bool expected = false;
    if (s->taken.compare_exchange_strong(expected, true)) return s;
  }
  auto* slot = new ReaderSlot();
  slot->taken.store(true);
  ReaderSlot* head = slots_.load();
  do {
    slot->next = head;
  } while (!slots_.compare_exchange_weak(head, slot));
  return slot;
}

void Rcu::release_slot(ReaderSlot* slot) {
  slot->active.store(0);
  slot->taken.store(false);
}

void Rcu::retire(std::shared_ptr<const void> old) {
  if (!old) return;
  const uint64_t epoch = epoch_.fetch_add(1, std::memory_order_seq_cst);
  {
    std::lock_guard<std::mutex> lock(retired_mutex_);
    retired_.emplace_back(epoch, std::move(old));
  }
  collect();
}

void Rcu::collect() {
  // The oldest epoch a reader is in; what was retired before it is free.
  uint64_t oldest = UINT64_MAX;
  for (ReaderSlot* s = slots_.load(std::memory_order_seq_cst); s != nullptr; s = s->next) {
    const uint64_t active = s->active.load(std::memory_order_seq_cst);
    if (active != 0) oldest = std::min(oldest, active);
  }
  std::vector<std::shared_ptr<const void>> dropped;
  {
    std::lock_guard<std::mutex> lock(retired_mutex_);
    auto keep = std::stable_partition(retired_.begin(), retired_.end(),
                                      [&](const auto& r) { return r.first >= oldest; });
    for (auto it = keep; it != retired_.end(); ++it) dropped.push_back(std::move(it->second));
    retired_.erase(keep, retired_.end());
  }
  // `dropped` goes here, outside the lock: a view may take regions with it.
}

}  // namespace tlmmap::detail
