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

  // The range holding `address`, or nullptr. O(log n).
  const FlatRange* lookup(uint64_t address) const noexcept;
  // Index of the first range whose last address is >= `address`
  // (ranges().size() if none).
  std::size_t first_ending_at_or_after(uint64_t address) const noexcept;

 private:
  Region* root_ = nullptr;
  std::vector<FlatRange> ranges_;
  std::vector<uint64_t> lasts_;  // ranges_[i].last, kept apart for a cache-friendly search
};

// The address ranges (merged, ascending) where `before` and `after` do not
// map an address the same way: different region, offset or attributes, or
// mapped in one and not the other.
std::vector<AddressRange> changed_ranges(const FlatView& before, const FlatView& after);

}  // namespace tlmmap
