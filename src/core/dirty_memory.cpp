#include "tlmmap/core/dirty_memory.hpp"

#include "map_state.hpp"
#include "report.hpp"

namespace tlmmap {

namespace {

uint64_t g_page_size = 4096;
// Bitmaps made so far: the page size is fixed once one exists.
std::atomic<uint64_t> g_bitmaps_made{0};

unsigned log2_of(uint64_t v) {
  unsigned s = 0;
  while ((uint64_t(1) << s) < v) ++s;
  return s;
}

}  // namespace

void set_dirty_page_size(uint64_t bytes) {
  if (bytes == 0 || (bytes & (bytes - 1)) != 0 || bytes > (uint64_t(1) << 30)) {
    detail::report_error(kMemoryMsg, "dirty page size " + std::to_string(bytes) +
                                         ": it must be a power of two of at most 1 GiB");
    return;
  }
  if (g_bitmaps_made.load() != 0 && bytes != g_page_size) {
    detail::report_error(kMemoryMsg, "dirty page size " + std::to_string(bytes) +
                                         ": dirty bitmaps exist already with pages of " + std::to_string(g_page_size) +
                                         " bytes; set it before any region logs");
    return;
  }
  g_page_size = bytes;
}

uint64_t dirty_page_size() noexcept { return g_page_size; }

DirtyBitmaps::DirtyBitmaps(u128 region_size) : shift_(log2_of(g_page_size)) {
  ++g_bitmaps_made;
  pages_ = region_size == 0 ? 0 : static_cast<uint64_t>((region_size - 1) >> shift_) + 1;
  const uint64_t words = (pages_ + 63) / 64;
  for (auto& b : bits_) {
    b.reset(new std::atomic<uint64_t>[words]);
    for (uint64_t i = 0; i < words; ++i) b[i].store(0, std::memory_order_relaxed);
  }
}

void DirtyBitmaps::mark_pages(uint64_t first, uint64_t last, uint8_t mask) noexcept {
  for (unsigned c = 0; c < kDirtyClientCount; ++c) {
    if (((mask >> c) & 1) == 0) continue;
    for (uint64_t p = first; p <= last && p < pages_; ++p) set_bit(c, p);
  }
}

bool DirtyBitmaps::get(uint64_t offset, uint64_t length, DirtyClient client) const noexcept {
  if (length == 0) return false;
  const unsigned c = static_cast<unsigned>(client);
  const uint64_t last = std::min(pages_ - 1, (offset + length - 1) >> shift_);
  for (uint64_t p = offset >> shift_; p <= last; ++p) {
    if ((bits_[c][p >> 6].load(std::memory_order_relaxed) >> (p & 63)) & 1) return true;
  }
  return false;
}

bool DirtyBitmaps::test_and_clear(uint64_t offset, uint64_t length, DirtyClient client) noexcept {
  if (length == 0) return false;
  const unsigned c = static_cast<unsigned>(client);
  bool dirty = false;
  const uint64_t last = std::min(pages_ - 1, (offset + length - 1) >> shift_);
  for (uint64_t p = offset >> shift_; p <= last; ++p) {
    const uint64_t bit = uint64_t(1) << (p & 63);
    dirty |= (bits_[c][p >> 6].fetch_and(~bit, std::memory_order_relaxed) & bit) != 0;
  }
  return dirty;
}

void DirtyBitmaps::reset(uint64_t offset, uint64_t length, DirtyClient client) noexcept {
  test_and_clear(offset, length, client);
}

void global_dirty_log_start() { detail::MapState::get().set_global_dirty_tracking(true); }
void global_dirty_log_stop() { detail::MapState::get().set_global_dirty_tracking(false); }
void global_dirty_log_sync() { detail::MapState::get().sync_dirty(nullptr); }
bool global_dirty_tracking() noexcept { return detail::MapState::get().global_dirty_tracking(); }

}  // namespace tlmmap
