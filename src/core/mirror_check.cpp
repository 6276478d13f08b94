#include "mirror_check.hpp"

#include <algorithm>
#include <unordered_set>
#include <vector>


namespace tlmmap::detail {

namespace {

// Windows in the coordinates of the shown container's content (i128: alias
// offsets shift them below zero).
struct Window {
  i128 lo;
  i128 hi;
  void clip(i128 l, i128 h) {
    lo = std::max(lo, l);
    hi = std::min(hi, h);
  }
  bool empty() const { return lo >= hi; }
};

// Does this alias show, through its chain of aliases, a container that
// holds it, at the same place and with a window that survives every clip on
// the way? Then rendering that container recurses forever.
std::string zero_shift(const RegionNode& alias) {
  // The chain of aliases down to the region finally shown.
  std::vector<const RegionNode*> chain{&alias};
  const RegionNode* shown = alias.alias_target;
  for (int hops = 0; shown != nullptr && shown->is_alias; ++hops) {
    if (hops > 1'000'000) return "";  // alias cycles are refused elsewhere
    chain.push_back(shown);
    shown = shown->alias_target;
  }
  if (shown == nullptr) return "";
  // Position of the alias inside `shown`, and the clips of the containers on the way.
  std::vector<const RegionNode*> path;
  i128 position = alias.address;
  const RegionNode* up = alias.container;
  for (; up != nullptr && up != shown; up = up->container) {
    path.push_back(up);
    position += up->address;
  }
  if (up != shown) return "";  // `shown` does not hold the alias
  Window w{position, position + static_cast<i128>(alias.size)};
  // Each container on the path clips to its own extent.
  i128 container_start = position - static_cast<i128>(alias.address);
  for (const RegionNode* c : path) {
    w.clip(container_start, container_start + static_cast<i128>(c->size));
    container_start -= static_cast<i128>(c->address);
  }
  w.clip(0, static_cast<i128>(shown->size));
  // Down the alias chain: each alias's target starts at (its start - offset).
  i128 base = position;
  u128 offsets = 0;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const RegionNode* a = chain[i];
    if (i > 0) w.clip(base, base + static_cast<i128>(a->size));
    base -= static_cast<i128>(a->alias_offset);
    offsets += a->alias_offset;
  }
  if (base != 0 || w.empty()) return "";
  return "alias '" + alias.name + "' mirrors its own container '" + shown->name +
         "' at zero shift (offset " + hex(offsets) + " equals its position " + hex(static_cast<u128>(position)) +
         " there), which would recurse forever";
}

}  // namespace

std::string find_zero_shift_mirror(const RegionNode& top) {
  // The aliases under `top`, and every alias whose chain passes through one.
  std::vector<const RegionNode*> todo{&top};
  std::unordered_set<const RegionNode*> seen{&top};
  while (!todo.empty()) {
    const RegionNode* r = todo.back();
    todo.pop_back();
    if (r->is_alias) {
      std::string found = zero_shift(*r);
      if (!found.empty()) return found;
    }
    auto visit = [&](const RegionNode* next) {
      if (seen.insert(next).second) todo.push_back(next);
    };
    for (const RegionNode* child : r->subregions) visit(child);
    for (const RegionNode* alias : r->aliases) visit(alias);
  }
  return "";
}

}  // namespace tlmmap::detail
