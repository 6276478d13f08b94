// Prototype lookup structures over a rendered flat view, benchmarked next to
// AddressSpace::lookup (proto/... benchmarks in model_bench.cpp) to size the
// change proposed for FlatView::lookup. They are not part of the library.
//
// All of them answer the same question as FlatView::lookup(): the range that
// holds `address`, or nullptr. Ranges are sorted, disjoint, so their `last`
// values are strictly increasing and the answer is the first range whose last
// is >= address, if its start is <= address.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "tlmmap/core/flat_range.hpp"
#include "tlmmap/core/flat_view.hpp"

namespace tlmmap::bench::proto {

#define TLMMAP_BENCH_NOINLINE __attribute__((noinline))

// What FlatView::lookup did before the static B+ tree (up to commit 4c0f0b1):
// std::lower_bound over a separate array of `last` values (a branch per
// halving step).
class BinarySearch {
 public:
  explicit BinarySearch(const std::vector<FlatRange>& ranges) : ranges_(ranges) {
    for (const FlatRange& r : ranges) lasts_.push_back(r.last);
  }
  TLMMAP_BENCH_NOINLINE const FlatRange* lookup(uint64_t address) const noexcept {
    const auto it = std::lower_bound(lasts_.begin(), lasts_.end(), address);
    const std::size_t i = static_cast<std::size_t>(it - lasts_.begin());
    if (i == ranges_.size() || ranges_[i].first > address) return nullptr;
    return &ranges_[i];
  }
  std::size_t bytes() const noexcept { return lasts_.size() * sizeof(uint64_t); }

 private:
  const std::vector<FlatRange>& ranges_;
  std::vector<uint64_t> lasts_;
};

// The library's own search (FlatView::lookup's static B+ tree) over the
// ranges' last addresses.
class Library {
 public:
  explicit Library(const std::vector<FlatRange>& ranges) : ranges_(ranges), view_(lasts_of(ranges)) {}
  TLMMAP_BENCH_NOINLINE const FlatRange* lookup(uint64_t address) const noexcept {
    const std::size_t i = view_.first_ending_at_or_after(address);
    if (i == ranges_.size() || ranges_[i].first > address) return nullptr;
    return &ranges_[i];
  }
  std::size_t bytes() const noexcept { return ranges_.size() * sizeof(uint64_t) * 8 / 7; }  // keys, about

 private:
  static std::vector<uint64_t> lasts_of(const std::vector<FlatRange>& ranges) {
    std::vector<uint64_t> lasts;
    for (const FlatRange& r : ranges) lasts.push_back(r.last);
    return lasts;
  }
  const std::vector<FlatRange>& ranges_;
  detail::RangeIndex view_;
};

// The library's static B+ tree (blocks of 8 keys, one cache line; above each
// level the last key of every block below), with the key rank inside a block
// counted by 8 independent compares instead of 3 dependent halving steps.
class SPlusTree {
 public:
  static constexpr std::size_t B = 8;

  explicit SPlusTree(const std::vector<FlatRange>& ranges) : ranges_(ranges) {
    if (ranges.empty()) return;
    std::vector<uint64_t> level;
    for (const FlatRange& r : ranges) level.push_back(r.last);
    while (true) {
      const std::size_t count = level.size();
      level.resize((count + B - 1) / B * B, std::numeric_limits<uint64_t>::max());
      levels_.push_back(level);
      if (count <= B) break;
      std::vector<uint64_t> up;
      for (std::size_t b = 0; b * B < count; ++b) up.push_back(level[std::min(count, (b + 1) * B) - 1]);
      level = std::move(up);
    }
    top_last_ = ranges.back().last;
    for (const auto& l : levels_) keys_.push_back(l.data());
  }

  TLMMAP_BENCH_NOINLINE const FlatRange* lookup(uint64_t address) const noexcept {
    if (keys_.empty() || top_last_ < address) return nullptr;
    std::size_t j = 0;
    for (std::size_t k = keys_.size(); k-- > 0;) {
      const uint64_t* block = keys_[k] + j * B;
      std::size_t below = 0;
#pragma GCC unroll 8
      for (std::size_t i = 0; i < B; ++i) below += block[i] < address;
      j = j * B + below;
    }
    if (ranges_[j].first > address) return nullptr;
    return &ranges_[j];
  }
  std::size_t bytes() const noexcept {
    std::size_t n = 0;
    for (const auto& l : levels_) n += l.size() * sizeof(uint64_t);
    return n;
  }

 private:
  const std::vector<FlatRange>& ranges_;
  std::vector<std::vector<uint64_t>> levels_;
  std::vector<const uint64_t*> keys_;
  uint64_t top_last_ = 0;
};

// A radix page table over 4 KiB pages, the idea of QEMU's
// AddressSpaceDispatch (PhysPageMap): nodes of 512 entries, as many levels
// as the highest mapped page needs; an entry is empty, a range that covers
// its whole span (so a 1 GiB RAM is one entry high up), a node, or, for a
// page shared by several ranges, a short list searched without branches.
// A lookup is at most `levels` dependent node loads (3 for the benchmark
// maps) plus the leaf, whatever the range count.
class PageTable {
 public:
  static constexpr int kPageBits = 12;
  static constexpr int kLevelBits = 9;
  static constexpr uint32_t kFanout = 1u << kLevelBits;

  explicit PageTable(const std::vector<FlatRange>& ranges) : ranges_(ranges) {
    for (const FlatRange& r : ranges) lasts_.push_back(r.last);
    if (ranges.empty()) return;
    const uint64_t max_page = ranges.back().last >> kPageBits;
    int levels = 1;
    while (levels * kLevelBits < 64 - kPageBits && (max_page >> (levels * kLevelBits)) != 0) ++levels;
    top_shift_ = levels * kLevelBits;
    root_ = build(0, levels, 0, ranges.size());
  }

  TLMMAP_BENCH_NOINLINE const FlatRange* lookup(uint64_t address) const noexcept {
    const uint64_t page = address >> kPageBits;
    if (top_shift_ < 64 && (page >> top_shift_) != 0) return nullptr;
    uint32_t e = root_;
    int shift = top_shift_ - kLevelBits;
    while ((e & kKindMask) == kNode) {
      e = nodes_[e & kValueMask][(page >> shift) & (kFanout - 1)];
      shift -= kLevelBits;
    }
    const uint32_t value = e & kValueMask;
    switch (e & kKindMask) {
      case kRange:
        return &ranges_[value];
      case kSub: {
        const Sub sub = subs_[value];
        const uint64_t* base = lasts_.data() + sub.first;
        std::size_t n = sub.count;
        while (n > 1) {
          const std::size_t half = n / 2;
          base += half & (std::size_t(0) - static_cast<std::size_t>(base[half - 1] < address));
          n -= half;
        }
        const std::size_t i = static_cast<std::size_t>(base - lasts_.data()) + (*base < address);
        if (i == sub.first + sub.count || ranges_[i].first > address) return nullptr;
        return &ranges_[i];
      }
      default:
        return nullptr;
    }
  }
  std::size_t bytes() const noexcept {
    return nodes_.size() * sizeof(Node) + subs_.size() * sizeof(Sub) + lasts_.size() * sizeof(uint64_t);
  }

 private:
  static constexpr uint32_t kKindMask = 3u << 30;
  static constexpr uint32_t kValueMask = ~kKindMask;
  static constexpr uint32_t kEmpty = 0u << 30;
  static constexpr uint32_t kRange = 1u << 30;
  static constexpr uint32_t kSub = 2u << 30;
  static constexpr uint32_t kNode = 3u << 30;
  using Node = std::array<uint32_t, kFanout>;
  struct Sub {
    uint32_t first;
    uint32_t count;
  };

  // The entry for pages [base, base + 512^levels), met by ranges [lo, hi).
  uint32_t build(u128 base, int levels, std::size_t lo, std::size_t hi) {
    if (lo == hi) return kEmpty;
    const u128 pages = u128(1) << (kLevelBits * levels);
    const u128 first = base << kPageBits;
    const u128 end = (base + pages) << kPageBits;
    if (hi - lo == 1 && ranges_[lo].first <= first && u128(ranges_[lo].last) + 1 >= end) {
      return kRange | static_cast<uint32_t>(lo);
    }
    if (levels == 0) {
      subs_.push_back({static_cast<uint32_t>(lo), static_cast<uint32_t>(hi - lo)});
      return kSub | static_cast<uint32_t>(subs_.size() - 1);
    }
    Node node{};
    const u128 child_pages = pages >> kLevelBits;
    std::size_t j = lo;
    for (uint32_t c = 0; c < kFanout; ++c) {
      const u128 child = base + c * child_pages;
      const u128 child_first = child << kPageBits;
      const u128 child_end = (child + child_pages) << kPageBits;
      while (j < hi && u128(ranges_[j].last) < child_first) ++j;
      std::size_t k = j;
      while (k < hi && u128(ranges_[k].first) < child_end) ++k;
      node[c] = build(child, levels - 1, j, k);
    }
    nodes_.push_back(node);
    return kNode | static_cast<uint32_t>(nodes_.size() - 1);
  }

  const std::vector<FlatRange>& ranges_;
  std::vector<uint64_t> lasts_;
  std::vector<Node> nodes_;
  std::vector<Sub> subs_;
  uint32_t root_ = kEmpty;
  int top_shift_ = 0;
};

// QEMU's mru_section: try the range hit last before searching.
template <typename Search>
class WithMru {
 public:
  explicit WithMru(const std::vector<FlatRange>& ranges) : search_(ranges) {}
  TLMMAP_BENCH_NOINLINE const FlatRange* lookup(uint64_t address) const noexcept {
    const FlatRange* last = mru_;
    if (last != nullptr && address - last->first <= last->last - last->first) return last;
    const FlatRange* r = search_.lookup(address);
    if (r != nullptr) mru_ = r;
    return r;
  }
  std::size_t bytes() const noexcept { return search_.bytes() + sizeof(mru_); }

 private:
  Search search_;
  mutable const FlatRange* mru_ = nullptr;
};

// A small direct-mapped cache of ranges in front of the search, indexed by
// the 4 KiB page of the address (a software TLB over ranges): 256 entries
// hold the hot spots of several initiators at once, where one MRU entry
// thrashes between them. Inside FlatView it would need no invalidation: a
// commit builds a new view with an empty cache.
template <typename Search>
class WithRangeCache {
 public:
  static constexpr std::size_t kEntries = 256;

  // Every slot starts at a real range (a hit on it is a right answer).
  explicit WithRangeCache(const std::vector<FlatRange>& ranges) : search_(ranges), empty_(ranges.empty()) {
    for (auto& e : cache_) e = empty_ ? nullptr : &ranges.front();
  }
  TLMMAP_BENCH_NOINLINE const FlatRange* lookup(uint64_t address) const noexcept {
    if (empty_) return nullptr;
    const FlatRange*& slot = cache_[(address >> 12) & (kEntries - 1)];
    const FlatRange* hit = slot;
    if (address - hit->first <= hit->last - hit->first) return hit;
    const FlatRange* r = search_.lookup(address);
    if (r != nullptr) slot = r;
    return r;
  }
  std::size_t bytes() const noexcept { return search_.bytes() + sizeof(cache_); }

 private:
  Search search_;
  bool empty_;
  mutable const FlatRange* cache_[kEntries];
};

#undef TLMMAP_BENCH_NOINLINE

}  // namespace tlmmap::bench::proto
