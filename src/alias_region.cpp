#include "tlmmap/alias_region.hpp"

#include <algorithm>

#include "map_state.hpp"
#include "mirror_check.hpp"
#include "report.hpp"

namespace tlmmap {

using detail::quoted;
using detail::report_error;

AliasRegion::AliasRegion(std::string name, Region& target, uint64_t offset, u128 size)
    : Region(std::move(name), RegionKind::alias, size) {
  offset_ = offset;
  attach(&target);
}

AliasRegion::AliasRegion(std::string name, u128 size)
    : Region(std::move(name), RegionKind::alias, size) {}

AliasRegion::~AliasRegion() { attach(nullptr); }

void AliasRegion::attach(Region* target) {
  if (target_ != nullptr) {
    auto& list = target_->aliases_;
    list.erase(std::remove(list.begin(), list.end(), this), list.end());
  }
  target_ = target;
  if (target_ != nullptr) target_->aliases_.push_back(this);
}

void AliasRegion::set_target(Region& target, uint64_t offset) {
  const std::string what = "alias " + quoted(*this) + " -> " + quoted(target);
  // The chain of aliases from the new target must never come back here.
  std::string chain = quoted(*this);
  for (const Region* r = &target; r != nullptr; r = r->alias_target()) {
    chain += " -> " + quoted(*r);
    if (r == this) {
      report_error(detail::kRegionMsg, what + ": alias cycle " + chain);
      return;
    }
    if (r->kind() != RegionKind::alias) break;
  }
  Region* old_target = target_;
  const uint64_t old_offset = offset_;
  attach(&target);
  offset_ = offset;
  const std::string mirror = detail::find_zero_shift_mirror(*this);
  if (!mirror.empty()) {
    attach(old_target);
    offset_ = old_offset;
    report_error(detail::kRegionMsg, what + ": " + mirror);
    return;
  }
  changed();
}

void AliasRegion::set_alias_offset(uint64_t offset) {
  if (offset == offset_) return;
  const uint64_t old_offset = offset_;
  offset_ = offset;
  const std::string mirror = detail::find_zero_shift_mirror(*this);
  if (!mirror.empty()) {
    offset_ = old_offset;
    report_error(detail::kRegionMsg,
                 "setting the offset of alias " + quoted(*this) + " to " + hex(offset) + ": " + mirror);
    return;
  }
  changed();
}

}  // namespace tlmmap
