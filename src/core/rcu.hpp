// Library-internal: epoch-based reclamation of flat views read from other
// threads (ViewReader).
//
// A reader announces the epoch it enters in (a store), then loads the
// published view; the writer publishes (a store), then retires the old view
// with the epoch of its publication. Both sides use sequentially consistent
// operations, so either the writer sees the reader's announcement or the
// reader sees the new view: a retired view is dropped only when every reader
// is outside, or entered after its retirement.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace tlmmap::detail {

struct ReaderSlot {
  std::atomic<uint64_t> active{0};  // the epoch the reader entered in; 0 outside
  std::atomic<bool> taken{false};
  ReaderSlot* next = nullptr;
};

class Rcu {
 public:
  static Rcu& get();

  ReaderSlot* acquire_slot();
  void release_slot(ReaderSlot* slot);
  uint64_t enter(ReaderSlot& slot) noexcept {
    const uint64_t epoch = epoch_.load(std::memory_order_seq_cst);
    slot.active.store(epoch, std::memory_order_seq_cst);
    return epoch;
  }
  void leave(ReaderSlot& slot) noexcept { slot.active.store(0, std::memory_order_release); }

  // After the publication of what replaces `old`: drops it once no reader
  // can still hold it.
  void retire(std::shared_ptr<const void> old);
  // Drops what no reader can hold any more.
  void collect();

 private:
  Rcu() = default;
  std::atomic<uint64_t> epoch_{1};
  std::atomic<ReaderSlot*> slots_{nullptr};  // never freed: slots are reused
  std::mutex retired_mutex_;
  std::vector<std::pair<uint64_t, std::shared_ptr<const void>>> retired_;
};

}  // namespace tlmmap::detail
