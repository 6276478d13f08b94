#include "tlmmap/core/alias_region.hpp"

#include <algorithm>

#include "map_state.hpp"
#include "mirror_check.hpp"
#include "region_node.hpp"
#include "report.hpp"

namespace tlmmap {

using detail::quoted;
using detail::RegionNode;
using detail::report_error;

namespace {

// Points `alias` at `target` (or nothing), keeping back-references in step.
void attach(RegionNode& alias, RegionNode* target) {
  if (alias.alias_target != nullptr) {
    auto& list = alias.alias_target->aliases;
    list.erase(std::remove(list.begin(), list.end(), &alias), list.end());
  }
  alias.alias_target = target;
  if (target != nullptr) target->aliases.push_back(&alias);
}

}  // namespace

AliasRegion::AliasRegion(std::string name, Region& target, uint64_t offset, u128 size)
    : AliasRegion(std::move(name), size) {
  node().alias_offset = offset;
  attach(node(), &detail::NodeAccess::of(target));
}

AliasRegion::AliasRegion(std::string name, u128 size)
    : Region(std::make_unique<RegionNode>(std::move(name), RegionKind::alias, size)) {}

void AliasRegion::set_target(Region& target_region, uint64_t offset) {
  RegionNode& self = node();
  RegionNode& target = detail::NodeAccess::of(target_region);
  const std::string what = "alias " + quoted(self.name) + " -> " + quoted(target.name);
  // The chain of aliases from the new target must never come back here.
  std::string chain = quoted(self.name);
  for (const RegionNode* r = &target; r != nullptr; r = r->alias_target) {
    chain += " -> " + quoted(r->name);
    if (r == &self) {
      report_error(kRegionMsg, what + ": alias cycle " + chain);
      return;
    }
    if (!r->is_alias) break;
  }
  RegionNode* old_target = self.alias_target;
  const uint64_t old_offset = self.alias_offset;
  attach(self, &target);
  self.alias_offset = offset;
  const std::string mirror = detail::find_zero_shift_mirror(self);
  if (!mirror.empty()) {
    attach(self, old_target);
    self.alias_offset = old_offset;
    report_error(kRegionMsg, what + ": " + mirror);
    return;
  }
  changed();
}

void AliasRegion::set_alias_offset(uint64_t offset) {
  RegionNode& self = node();
  if (offset == self.alias_offset) return;
  const uint64_t old_offset = self.alias_offset;
  self.alias_offset = offset;
  const std::string mirror = detail::find_zero_shift_mirror(self);
  if (!mirror.empty()) {
    self.alias_offset = old_offset;
    report_error(kRegionMsg,
                 "setting the offset of alias " + quoted(self.name) + " to " + hex(offset) + ": " + mirror);
    return;
  }
  changed();
}

}  // namespace tlmmap
