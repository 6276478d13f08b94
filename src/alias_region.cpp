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
  alias_offset_ = offset;
  attach(&target);
}

AliasRegion::AliasRegion(std::string name, u128 size)
    : Region(std::move(name), RegionKind::alias, size) {}

AliasRegion::~AliasRegion() { attach(nullptr); }

void AliasRegion::attach(Region* target) {
  if (alias_target_ != nullptr) {
    auto& list = alias_target_->aliases_;
    list.erase(std::remove(list.begin(), list.end(), this), list.end());
  }
  alias_target_ = target;
  if (alias_target_ != nullptr) alias_target_->aliases_.push_back(this);
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
  Region* old_target = alias_target_;
  const uint64_t old_offset = alias_offset_;
  attach(&target);
  alias_offset_ = offset;
  const std::string mirror = detail::find_zero_shift_mirror(*this);
  if (!mirror.empty()) {
    attach(old_target);
    alias_offset_ = old_offset;
    report_error(detail::kRegionMsg, what + ": " + mirror);
    return;
  }
  changed();
}

void AliasRegion::set_alias_offset(uint64_t offset) {
  if (offset == alias_offset_) return;
  const uint64_t old_offset = alias_offset_;
  alias_offset_ = offset;
  const std::string mirror = detail::find_zero_shift_mirror(*this);
  if (!mirror.empty()) {
    alias_offset_ = old_offset;
    report_error(detail::kRegionMsg,
                 "setting the offset of alias " + quoted(*this) + " to " + hex(offset) + ": " + mirror);
    return;
  }
  changed();
}

}  // namespace tlmmap
