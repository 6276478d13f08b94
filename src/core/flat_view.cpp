#include "tlmmap/core/flat_view.hpp"

#include <algorithm>
#include <cstdlib>

#include "epoch.hpp"
#include "region_node.hpp"

namespace tlmmap {

using detail::NodeAccess;

Region* FlatRange::region() const noexcept { return detail::handle_of(node_); }
const std::string& FlatRange::region_name() const noexcept {
  static const std::string none;
  return node_ != nullptr ? node_->name : none;
}
int FlatRange::region_priority() const noexcept { return node_ != nullptr ? node_->priority : 0; }
std::string_view FlatRange::region_type() const noexcept {
  return node_ != nullptr ? node_->own_type_name() : std::string_view("i/o");
}
Route FlatRange::route(bool is_write) const noexcept {
  return node_ != nullptr ? node_->route(*this, is_write) : Route{};
}

bool FlatRange::same_mapping(const FlatRange& next) const noexcept {
  return u128(last) + 1 == next.first && node_ == next.node_ && version_ == next.version_ &&
         u128(offset_within_region) + size() == next.offset_within_region && readonly == next.readonly &&
         romd_mode == next.romd_mode && nonvolatile == next.nonvolatile && dirty_log_mask == next.dirty_log_mask;
}

namespace detail {

void RangeIndex::AlignedFree::operator()(uint64_t* p) const noexcept { std::free(p); }

RangeIndex::RangeIndex(const std::vector<uint64_t>& lasts) : count_(lasts.size()) {
  if (lasts.empty()) return;
  std::vector<std::size_t> counts;
  auto make_level = [&](std::size_t count) {
    const std::size_t padded = (count + kFanout - 1) / kFanout * kFanout;
    std::unique_ptr<uint64_t[], AlignedFree> keys(
        static_cast<uint64_t*>(std::aligned_alloc(64, padded * sizeof(uint64_t))));
    // Padding never compares below an address, so a search never runs into it.
    std::fill(keys.get(), keys.get() + padded, ~uint64_t(0));
    levels_.push_back(std::move(keys));
    counts.push_back(count);
  };
  make_level(lasts.size());
  std::copy(lasts.begin(), lasts.end(), levels_[0].get());
  while (counts.back() > kFanout) {
    const std::size_t below = counts.back();
    const std::size_t blocks = (below + kFanout - 1) / kFanout;
    make_level(blocks);
    const uint64_t* lower = levels_[levels_.size() - 2].get();
    uint64_t* upper = levels_.back().get();
    for (std::size_t b = 0; b < blocks; ++b) upper[b] = lower[std::min(below, (b + 1) * kFanout) - 1];
  }
  depth_ = levels_.size();
  for (std::size_t k = 0; k < depth_; ++k) keys_[k] = levels_[k].get();
  top_last_ = levels_.back()[counts.back() - 1];
}

Epoch::~Epoch() {
  std::shared_ptr<Epoch> next = std::move(next_);
  // Nothing makes a new reference to an old epoch, so sole ownership is stable.
  while (next && next.use_count() == 1) {
    std::shared_ptr<Epoch> after = std::move(next->next_);
    next.reset();
    next = std::move(after);
  }
}

}  // namespace detail

FlatView::FlatView() = default;

FlatView::FlatView(const detail::ViewKey&, const detail::RegionNode* root, std::vector<FlatRange> ranges,
                   std::shared_ptr<const detail::Epoch> epoch)
    : root_(root), ranges_(std::move(ranges)), epoch_(std::move(epoch)) {
  std::vector<uint64_t> lasts;
  lasts.reserve(ranges_.size());
  for (const FlatRange& r : ranges_) lasts.push_back(r.last);
  index_ = detail::RangeIndex(lasts);
}

FlatView::~FlatView() = default;

Region* FlatView::root() const noexcept { return detail::handle_of(root_); }

const std::string& FlatView::root_name() const noexcept {
  static const std::string none;
  return root_ != nullptr ? root_->name : none;
}

namespace {

// Does `a` (which holds `address`) map it the same way as `b`?
bool maps_alike(const FlatRange* a, const FlatRange* b, uint64_t address) {
  if (a == nullptr || b == nullptr) return a == b;
  FlatRange x = *a;
  FlatRange y = *b;
  // Compare as if both started here.
  x.offset_within_region = a->region_offset(address);
  y.offset_within_region = b->region_offset(address);
  x.first = y.first = address;
  x.last = y.last = address;
  return x == y;
}

}  // namespace

std::vector<AddressRange> changed_ranges(const FlatView& before, const FlatView& after) {
  return changed_ranges(before, after, nullptr);
}

std::vector<AddressRange> changed_ranges(const FlatView& before, const FlatView& after,
                                         const std::vector<AddressRange>* windows) {
  const std::vector<AddressRange> everything{{0, ~uint64_t(0)}};
  std::vector<AddressRange> changes;
  const auto& x = before.ranges();
  const auto& y = after.ranges();
  // Sweep both sorted lists over the boundaries where either changes, in each window.
  for (const AddressRange& window : windows != nullptr ? *windows : everything) {
    std::size_t i = before.first_ending_at_or_after(window.first);
    std::size_t j = after.first_ending_at_or_after(window.first);
    u128 address = window.first;
    const u128 end_of_window = u128(window.last) + 1;
    while (address < end_of_window) {
      while (i < x.size() && x[i].last < address) ++i;
      while (j < y.size() && y[j].last < address) ++j;
      const uint64_t a = static_cast<uint64_t>(address);
      const FlatRange* rx = (i < x.size() && x[i].first <= a) ? &x[i] : nullptr;
      const FlatRange* ry = (j < y.size() && y[j].first <= a) ? &y[j] : nullptr;
      // The span until the next boundary of either list, or the window's end.
      u128 end = end_of_window;
      end = std::min(end, rx ? u128(rx->last) + 1 : (i < x.size() ? u128(x[i].first) : k64BitSpace));
      end = std::min(end, ry ? u128(ry->last) + 1 : (j < y.size() ? u128(y[j].first) : k64BitSpace));
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
  }
  return changes;
}

}  // namespace tlmmap
