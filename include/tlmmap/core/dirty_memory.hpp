// Dirty-memory logging, after QEMU's: per-client bitmaps of the pages of
// each region backed by host memory, marked by every write that reaches it
// while a client logs there.
//
// Clients log a region with Region::set_log() (any client) or everywhere
// with global dirty tracking (MIGRATION on every RAM, as QEMU's
// memory_global_dirty_log_start()). What logs a flat range is part of the
// flat view (FlatRange::dirty_log_mask), so starting or stopping a log is a
// map change: listeners hear log_start/log_stop, and the TLM face withdraws
// and re-grants DMI where it changed.
//
// No write is missed: the model's access path, the TLM face's fast path,
// debug writes, unmapped bounce buffers (AddressSpace::unmap()) and readers
// on other threads writing through a memory Route all mark the pages they
// write. DMI is never granted for writing where a client logs: a grant
// withdrawn when logging starts comes back read-only (writes then take the
// marking path), and read-write again when it stops.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "tlmmap/core/types.hpp"

namespace tlmmap {

enum class DirtyClient : uint8_t { vga = 0, code = 1, migration = 2 };
inline constexpr unsigned kDirtyClientCount = 3;
constexpr uint8_t dirty_bit(DirtyClient client) noexcept { return static_cast<uint8_t>(1u << static_cast<unsigned>(client)); }

// The page size of the bitmaps (the target's page size, QEMU's
// TARGET_PAGE_SIZE): a power of two, 4 KiB by default. Set by the platform
// before any bitmap exists; refused afterwards.
void set_dirty_page_size(uint64_t bytes);
uint64_t dirty_page_size() noexcept;

// QEMU's memory_global_dirty_log_start/stop/sync(): MIGRATION logging on
// every RAM and ROM device; listeners hear log_global_start/stop, and
// log_start/log_stop for each range, at the commit it causes.
void global_dirty_log_start();
void global_dirty_log_stop();
// Asks every listener to bring the bitmaps up to date (log_sync on every
// logged range of every address space).
void global_dirty_log_sync();
bool global_dirty_tracking() noexcept;

// The bitmaps of one region: one bit per page per client. Marking is safe
// from any thread (a page already marked costs one load).
class DirtyBitmaps {
 public:
  explicit DirtyBitmaps(u128 region_size);
  DirtyBitmaps(const DirtyBitmaps&) = delete;
  DirtyBitmaps& operator=(const DirtyBitmaps&) = delete;

  // [offset, offset + length) of the region was written: its pages become
  // dirty for the clients in `mask`.
  void mark(uint64_t offset, uint64_t length, uint8_t mask) noexcept {
    if (mask == 0 || length == 0) return;
    const uint64_t first = offset >> shift_;
    const uint64_t last = (offset + length - 1) >> shift_;
    if (first == last) {
      for (unsigned c = 0; c < kDirtyClientCount; ++c) {
        if ((mask >> c) & 1) set_bit(c, first);
      }
      return;
    }
    mark_pages(first, last, mask);
  }
  // Any page of [offset, offset + length) dirty for `client`?
  bool get(uint64_t offset, uint64_t length, DirtyClient client) const noexcept;
  // The same, and those pages clean afterwards.
  bool test_and_clear(uint64_t offset, uint64_t length, DirtyClient client) noexcept;
  void reset(uint64_t offset, uint64_t length, DirtyClient client) noexcept;
  uint64_t pages() const noexcept { return pages_; }
  unsigned page_shift() const noexcept { return shift_; }
  // The bits of one client as 64-bit words (page i is bit i % 64 of word
  // i / 64): what checkpoints save and restore.
  uint64_t words() const noexcept { return (pages_ + 63) / 64; }
  uint64_t word(DirtyClient client, uint64_t i) const noexcept {
    return bits_[static_cast<unsigned>(client)][i].load(std::memory_order_relaxed);
  }
  void set_word(DirtyClient client, uint64_t i, uint64_t bits) noexcept {
    bits_[static_cast<unsigned>(client)][i].store(bits, std::memory_order_relaxed);
  }

 private:
  void set_bit(unsigned client, uint64_t page) noexcept {
    std::atomic<uint64_t>& word = bits_[client][page >> 6];
    const uint64_t bit = uint64_t(1) << (page & 63);
    if ((word.load(std::memory_order_relaxed) & bit) == 0) word.fetch_or(bit, std::memory_order_relaxed);
  }
  void mark_pages(uint64_t first, uint64_t last, uint8_t mask) noexcept;

  uint64_t pages_;
  unsigned shift_;
  std::unique_ptr<std::atomic<uint64_t>[]> bits_[kDirtyClientCount];
};

}  // namespace tlmmap
