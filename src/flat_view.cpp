#include "tlmmap/flat_view.hpp"

#include <algorithm>
#include <cstdlib>

namespace tlmmap {

bool FlatRange::same_mapping(const FlatRange& next) const noexcept {
  return u128(last) + 1 == next.start && region == next.region &&
         u128(offset_in_region) + size() == next.offset_in_region && readonly == next.readonly &&
         romd_mode == next.romd_mode && nonvolatile == next.nonvolatile;
}

FlatView::FlatView(Region* root, std::vector<FlatRange> ranges) : root_(root), ranges_(std::move(ranges)) {
  build_index();
}

void FlatView::AlignedFree::operator()(uint64_t* p) const noexcept { std::free(p); }

void FlatView::build_index() {
  if (ranges_.empty()) return;
  auto make_level = [](std::size_t count) {
    const std::size_t padded = (count + kFanout - 1) / kFanout * kFanout;
    Level level;
    level.keys.reset(static_cast<uint64_t*>(std::aligned_alloc(64, padded * sizeof(uint64_t))));
    level.count = count;
    // Padding never compares below an address, so a search never runs into it.
    std::fill(level.keys.get(), level.keys.get() + padded, ~uint64_t(0));
    return level;
  };
  levels_.push_back(make_level(ranges_.size()));
  for (std::size_t i = 0; i < ranges_.size(); ++i) levels_[0].keys[i] = ranges_[i].last;
  while (levels_.back().count > kFanout) {
    const Level& below = levels_.back();
    const std::size_t blocks = (below.count + kFanout - 1) / kFanout;
    Level up = make_level(blocks);
    for (std::size_t b = 0; b < blocks; ++b) {
      up.keys[b] = below.keys[std::min(below.count, (b + 1) * kFanout) - 1];
    }
    levels_.push_back(std::move(up));
  }
  depth_ = levels_.size();
  for (std::size_t k = 0; k < depth_; ++k) keys_[k] = levels_[k].keys.get();
  top_last_ = levels_.back().keys[levels_.back().count - 1];
}


namespace {

// Does `a` (which holds `address`) map it the same way as `b`?
bool maps_alike(const FlatRange* a, const FlatRange* b, uint64_t address) {
  if (a == nullptr || b == nullptr) return a == b;
  return a->region == b->region && a->region_offset(address) == b->region_offset(address) &&
         a->readonly == b->readonly && a->romd_mode == b->romd_mode &&
         a->nonvolatile == b->nonvolatile;
}

}  // namespace

std::vector<AddressRange> changed_ranges(const FlatView& before, const FlatView& after) {
  // Sweep both sorted lists over the boundaries where either changes.
  std::vector<AddressRange> changes;
  const auto& x = before.ranges();
  const auto& y = after.ranges();
  std::size_t i = 0;
  std::size_t j = 0;
  u128 address = 0;
  while (address < k64BitSpace) {
    while (i < x.size() && x[i].last < address) ++i;
    while (j < y.size() && y[j].last < address) ++j;
    const uint64_t a = static_cast<uint64_t>(address);
    const FlatRange* rx = (i < x.size() && x[i].start <= a) ? &x[i] : nullptr;
    const FlatRange* ry = (j < y.size() && y[j].start <= a) ? &y[j] : nullptr;
    // The span until the next boundary of either list.
    u128 end = k64BitSpace;
    end = std::min(end, rx ? u128(rx->last) + 1 : (i < x.size() ? u128(x[i].start) : k64BitSpace));
    end = std::min(end, ry ? u128(ry->last) + 1 : (j < y.size() ? u128(y[j].start) : k64BitSpace));
    if (!maps_alike(rx, ry, a)) {
      const uint64_t last = static_cast<uint64_t>(end - 1);
      if (!changes.empty() && u128(changes.back().last) + 1 == address) {
        changes.back().last = last;
      } else {
        changes.push_back({a, last});
      }
    }
    address = end;
  }
  return changes;
}

}  // namespace tlmmap
