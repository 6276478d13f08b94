// The flat view of an address space: the rendered, simplified list of ranges
// that every access resolves against. Built once by a commit and never
// written afterwards, so one view is shared by the address spaces that
// render alike and read from any thread (see view_reader.hpp); caches live
// with their readers, never in the view.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tlmmap/core/detail/range_index.hpp"
#include "tlmmap/core/flat_range.hpp"

namespace tlmmap {

namespace detail {
struct ViewKey;
class Epoch;
}  // namespace detail

// An inclusive address range [first, last].
struct AddressRange {
  uint64_t first = 0;
  uint64_t last = 0;
  u128 size() const noexcept { return u128(last) - first + 1; }
  bool operator==(const AddressRange& o) const noexcept { return first == o.first && last == o.last; }
};

class FlatView {
 public:
  // The empty view.
  FlatView();
  FlatView(const detail::ViewKey&, const detail::RegionNode* root, std::vector<FlatRange> ranges,
           std::shared_ptr<const detail::Epoch> epoch);
  FlatView(const FlatView&) = delete;
  FlatView& operator=(const FlatView&) = delete;
  ~FlatView();

  const std::vector<FlatRange>& ranges() const noexcept { return ranges_; }
  bool empty() const noexcept { return ranges_.empty(); }
  // The region the view was rendered from (QEMU's flatview root); nullptr
  // for none, or once it has been destroyed.
  Region* root() const noexcept;
  bool has_root() const noexcept { return root_ != nullptr; }
  // Its name ("" for none).
  const std::string& root_name() const noexcept;

  // The range holding `address`, or nullptr: O(log n), one cache line per level.
  const FlatRange* lookup(uint64_t address) const noexcept {
    const std::size_t i = index_.first_ending_at_or_after(address);
    if (i == ranges_.size() || ranges_[i].first > address) return nullptr;
    return &ranges_[i];
  }
  // Index of the first range whose last address is >= `address`
  // (ranges().size() if none).
  std::size_t first_ending_at_or_after(uint64_t address) const noexcept {
    return index_.first_ending_at_or_after(address);
  }

 private:
  friend struct detail::NodeAccess;
  const detail::RegionNode* root_ = nullptr;
  std::vector<FlatRange> ranges_;
  detail::RangeIndex index_;
  // Keeps what the ranges name alive after their regions are destroyed.
  std::shared_ptr<const detail::Epoch> epoch_;
};

// The address ranges (merged, ascending) where `before` and `after` do not
// map an address the same way: a different region, offset, attributes or
// region configuration (latency, ops), or mapped in one and not the other.
std::vector<AddressRange> changed_ranges(const FlatView& before, const FlatView& after);
// The same, looking only inside `windows` (merged, ascending; nullptr: everywhere).
std::vector<AddressRange> changed_ranges(const FlatView& before, const FlatView& after,
                                         const std::vector<AddressRange>* windows);

}  // namespace tlmmap
