// Library-internal: the search structure of a flat view, inline because
// every cache miss of an access path goes through it.
//
// A static B+ tree over the last addresses of the ranges: level 0 holds
// them all, each level above holds the last key of every block of 8 below
// it, and every step down reads one cache line (8 keys of 8 bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace tlmmap::detail {

class RangeIndex {
 public:
  RangeIndex() = default;
  // `lasts` ascending.
  explicit RangeIndex(const std::vector<uint64_t>& lasts);

  // Index of the first range whose last address is >= `address` (the range
  // count if none).
  std::size_t first_ending_at_or_after(uint64_t address) const noexcept {
    if (depth_ == 0) return 0;
    if (top_last_ < address) return count_;
    // Every block on the way down holds a key >= address: a branchless
    // binary search counts the keys below it.
    std::size_t j = 0;
    for (std::size_t k = depth_; k-- > 0;) {
      const uint64_t* block = keys_[k] + j * kFanout;
      const uint64_t* b = block;
      b += (b[3] < address) * 4;
      b += (b[1] < address) * 2;
      b += (b[0] < address) * 1;
      j = j * kFanout + static_cast<std::size_t>(b - block);
    }
    return j;
  }

 private:
  static constexpr std::size_t kFanout = 8;
  static constexpr std::size_t kMaxDepth = 24;  // 8^22 > 2^64 keys
  struct AlignedFree {
    void operator()(uint64_t* p) const noexcept;
  };
  std::vector<std::unique_ptr<uint64_t[], AlignedFree>> levels_;
  // The search reads these copies: no vector or smart pointer on the way.
  const uint64_t* keys_[kMaxDepth] = {};
  std::size_t depth_ = 0;
  std::size_t count_ = 0;
  uint64_t top_last_ = 0;
};

}  // namespace tlmmap::detail
