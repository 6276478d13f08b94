#include "support/naive_resolver.hpp"

#include <algorithm>

namespace tlmmap::test {

std::string describe(const NaiveAnswer& answer) {
  switch (answer.status) {
    case NaiveAnswer::Status::unmapped:
      return "unmapped";
    case NaiveAnswer::Status::too_deep:
      return "too deep (search gave up)";
    case NaiveAnswer::Status::mapped:
      break;
  }
  std::string text = "'" + answer.region->name() + "' @" + hex(answer.offset);
  if (answer.readonly) text += " ro";
  if (!answer.romd_mode) text += " !romd";
  if (answer.nonvolatile) text += " nv";
  return text;
}

const Region* naive_flatview_root(const Region* mr) {
  // QEMU: while (mr->enabled) { alias: follow if offset 0 and it covers the
  // whole target; non-terminating: follow the only enabled child if it is
  // at 0 and fits; none enabled: NULL; otherwise return mr. } return NULL.
  // A zero-shift mirror (refused by the API) is the only way to loop; bound it.
  for (int hops = 0; mr != nullptr && hops < 100000; ++hops) {
    if (!mr->enabled()) return nullptr;
    if (mr->kind() == RegionKind::alias) {
      const Region* target = mr->alias_target();
      if (target != nullptr && mr->alias_offset() == 0 && mr->size() >= target->size()) {
        mr = target;
        continue;
      }
      return mr;
    }
    if (mr->kind() == RegionKind::container) {
      int found = 0;
      const Region* next = nullptr;
      for (const Region* child : mr->subregions()) {
        if (!child->enabled()) continue;
        if (++found > 1) {
          next = nullptr;
          break;
        }
        if (child->address() == 0 && mr->size() >= child->size()) next = child;
      }
      if (found == 0) return nullptr;
      if (next != nullptr) {
        mr = next;
        continue;
      }
    }
    return mr;
  }
  return mr;
}

NaiveResolver::NaiveResolver(const Region* as_root, NaiveOptions options)
    : root_(as_root == nullptr ? nullptr : naive_flatview_root(as_root)), options_(options) {}

const std::vector<Region*>& NaiveResolver::children(const Region* r) const {
  auto it = children_.find(r);
  if (it != children_.end()) return it->second;
  std::vector<Region*> list = r->subregions();
  if (options_.bug == NaiveBug::earlier_added_wins) {
    std::stable_sort(list.begin(), list.end(), [](const Region* a, const Region* b) {
      if (a->priority() != b->priority()) return a->priority() > b->priority();
      return a->add_sequence() < b->add_sequence();
    });
  }
  return children_.emplace(r, std::move(list)).first->second;
}

NaiveAnswer NaiveResolver::resolve(uint64_t address) const {
  NaiveAnswer answer;
  if (root_ == nullptr) return answer;
  // render_memory_region(view, root, base 0, [0, 2^64)): the root's own
  // address places it.
  if (address < root_->address()) return answer;
  const u128 offset = u128(address) - root_->address();
  if (offset >= root_->size()) return answer;
  too_deep_ = false;
  if (!search(root_, offset, false, false, 1, answer)) {
    answer = NaiveAnswer{};
    if (too_deep_) answer.status = NaiveAnswer::Status::too_deep;
  }
  return answer;
}

bool NaiveResolver::search(const Region* r, u128 offset, bool readonly, bool nonvolatile, int depth,
                           NaiveAnswer& out) const {
  if (depth > options_.max_depth) {
    too_deep_ = true;
    return false;
  }
  const bool ignore_flag =
      options_.bug == NaiveBug::readonly_ignores_aliases && r->kind() == RegionKind::alias;
  readonly = readonly || (r->readonly() && !ignore_flag);
  nonvolatile = nonvolatile || r->nonvolatile();
  if (r->kind() == RegionKind::alias) {
    const Region* target = r->alias_target();
    if (target == nullptr || !target->enabled()) return false;
    const u128 in_target = offset + r->alias_offset();
    if (in_target >= target->size() && options_.bug != NaiveBug::alias_not_clipped_to_target) {
      return false;
    }
    return search(target, in_target, readonly, nonvolatile, depth + 1, out);
  }
  for (const Region* sub : children(r)) {
    if (!sub->enabled()) continue;
    if (offset < sub->address()) continue;
    const u128 inside = offset - sub->address();
    if (inside >= sub->size()) continue;
    if (search(sub, inside, readonly, nonvolatile, depth + 1, out)) return true;
    if (too_deep_) return false;
  }
  if (!r->terminates()) return false;
  out.status = NaiveAnswer::Status::mapped;
  out.region = r;
  out.offset = static_cast<uint64_t>(offset);
  out.readonly = readonly;
  out.romd_mode = r->romd_mode();
  out.nonvolatile = nonvolatile;
  return true;
}

}  // namespace tlmmap::test
