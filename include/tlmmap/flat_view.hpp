// The flat view of an address space: the rendered, simplified list of ranges
// that the access path resolves against. Immutable once built; a commit that
// changes the map builds a new one.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "tlmmap/flat_range.hpp"

namespace tlmmap {

class Region;

// An inclusive address range [first, last].
struct AddressRange {
  uint64_t first = 0;
  uint64_t last = 0;
  u128 size() const noexcept { return u128(last) - first + 1; }
  bool operator==(const AddressRange& o) const noexcept { return first == o.first && last == o.last; }
};

class FlatView {
 public:
  FlatView() = default;
  FlatView(Region* root, std::vector<FlatRange> ranges);

  // The region the view was rendered from (QEMU's flatview root), or nullptr.
  Region* root() const noexcept { return root_; }
  const std::vector<FlatRange>& ranges() const noexcept { return ranges_; }
  bool empty() const noexcept { return ranges_.empty(); }

  // The range holding `address`, or nullptr. O(log n) in a static search
  // tree, after a small cache of the ranges found last (by 4 KiB page): an
  // initiator's accesses are rarely random, and a hit costs a few loads
  // whatever the size of the map. Views are used from one thread (SystemC's).
  const FlatRange* lookup(uint64_t address) const noexcept {
    const FlatRange*& slot = recent_[recent_slot(address)];
    if (slot != nullptr && slot->start <= address && address <= slot->last) return slot;
    const std::size_t i = first_ending_at_or_after(address);
    if (i == ranges_.size() || ranges_[i].start > address) return nullptr;
    slot = &ranges_[i];
    return slot;
  }
  // Index of the first range whose last address is >= `address`
  // (ranges().size() if none).
  std::size_t first_ending_at_or_after(uint64_t address) const noexcept {
    if (depth_ == 0 || top_last_ < address) return depth_ == 0 ? 0 : ranges_.size();
    // Every block (8 keys, one cache line) on the way down holds a key >=
    // address: a branchless binary search counts the keys below it.
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
  static constexpr std::size_t kFanout = 8;  // 8 keys of 8 bytes: one cache line
  static constexpr unsigned kRecentBits = 8;
  static std::size_t recent_slot(uint64_t address) noexcept {
    return static_cast<std::size_t>(((address >> 12) * 0x9E3779B97F4A7C15ULL) >> (64 - kRecentBits));
  }
  struct AlignedFree {
    void operator()(uint64_t* p) const noexcept;
  };
  // The last addresses of the ranges (level 0), and above each level the
  // last key of every block of 8 below it: a static B+ tree whose every
  // step reads one cache line.
  struct Level {
    std::unique_ptr<uint64_t[], AlignedFree> keys;
    std::size_t count = 0;  // keys in use; the array is padded to whole blocks
  };
  void build_index();

  Region* root_ = nullptr;
  std::vector<FlatRange> ranges_;
  std::vector<Level> levels_;
  // The search reads these copies: no vector or smart pointer on the way.
  static constexpr std::size_t kMaxDepth = 24;  // 8^22 > 2^64 keys
  const uint64_t* keys_[kMaxDepth] = {};
  std::size_t depth_ = 0;
  uint64_t top_last_ = 0;
  mutable const FlatRange* recent_[std::size_t(1) << kRecentBits] = {};
};

// The address ranges (merged, ascending) where `before` and `after` do not
// map an address the same way: different region, offset or attributes, or
// mapped in one and not the other.
std::vector<AddressRange> changed_ranges(const FlatView& before, const FlatView& after);

}  // namespace tlmmap
