#include "mirror_check.hpp"

#include <vector>

#include "region_access.hpp"

namespace tlmmap::detail {

namespace {

std::string zero_shift(const Region& alias) {
  if (alias.size() == 0) return "";
  // Follow the alias chain to the region finally shown, summing the offsets.
  u128 offsets = 0;
  const Region* shown = &alias;
  for (int hops = 0; shown != nullptr && shown->kind() == RegionKind::alias; ++hops) {
    if (hops > 1'000'000) return "";  // alias cycles are refused elsewhere
    offsets += shown->alias_offset();
    shown = shown->alias_target();
  }
  if (shown == nullptr) return "";
  // The shift is the path from the shown container down to the alias minus
  // the offsets: zero means the container renders itself at the same place.
  u128 path = alias.address();
  for (const Region* up = alias.container(); up != nullptr; up = up->container()) {
    if (up == shown && path == offsets) {
      return "alias '" + alias.name() + "' mirrors its own container '" + shown->name() +
             "' at zero shift (offset " + hex(offsets) +
             " equals its position there), which would recurse forever";
    }
    path += up->address();
  }
  return "";
}

}  // namespace

std::string find_zero_shift_mirror(const Region& top) {
  std::vector<const Region*> todo{&top};
  while (!todo.empty()) {
    const Region* r = todo.back();
    todo.pop_back();
    if (r->kind() == RegionKind::alias) {
      std::string found = zero_shift(*r);
      if (!found.empty()) return found;
    }
    for (const Region* child : RegionAccess::children(*r)) todo.push_back(child);
  }
  return "";
}

}  // namespace tlmmap::detail
