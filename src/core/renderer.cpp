#include "renderer.hpp"

#include "map_state.hpp"

#include <algorithm>
#include <iterator>
#include <map>

#include "tlmmap/core/types.hpp"

namespace tlmmap::detail {

namespace {

// Addresses already claimed by what rendered earlier, as merged half-open
// intervals [start, end): the first-rendered region wins an address, so a
// later one only fills what is still free.
class ClaimedSpace {
 public:
  bool covers(u128 lo, u128 hi) const {
    auto it = intervals_.upper_bound(lo);
    if (it == intervals_.begin()) return false;
    return std::prev(it)->second >= hi;
  }

  // Calls emit(lo, hi) for each free gap of [lo, hi) and claims it.
  template <typename Emit>
  void fill(u128 lo, u128 hi, Emit&& emit) {
    while (lo < hi) {
      auto it = intervals_.upper_bound(lo);
      if (it != intervals_.begin()) {
        auto prev = std::prev(it);
        if (prev->second > lo) {
          lo = prev->second;
          continue;
        }
      }
      const u128 gap_end = it == intervals_.end() ? hi : std::min(it->first, hi);
      emit(lo, gap_end);
      claim(lo, gap_end, it);
      lo = gap_end;
    }
  }

 private:
  // `next` is the first interval starting after lo; [lo, hi) is free.
  void claim(u128 lo, u128 hi, std::map<u128, u128>::iterator next) {
    u128 end = hi;
    if (next != intervals_.end() && next->first == hi) {
      end = next->second;
      next = intervals_.erase(next);
    }
    if (next != intervals_.begin()) {
      auto prev = std::prev(next);
      if (prev->second == lo) {
        prev->second = end;
        return;
      }
    }
    intervals_.emplace_hint(next, lo, end);
  }

  std::map<u128, u128> intervals_;
};

constexpr std::size_t kPrefetchDistance = 6;

struct Frame {
  const RegionNode* region;
  i128 base;  // where the region's byte 0 lies in the address space
  u128 lo;    // clip, half-open
  u128 hi;
  bool readonly;
  bool nonvolatile;
  std::size_t next;  // children visited so far (an alias: 1 once its target is entered)
};

class Renderer {
 public:
  explicit Renderer(uint64_t contributor_stamp = 0)
      : contributor_stamp_(contributor_stamp), global_dirty_(MapState::get().global_dirty_tracking()) {}

  RenderResult run(const RegionNode* root, i128 base = 0, u128 clip_lo = 0, u128 clip_hi = k64BitSpace) {
    RenderResult result;
    if (root != nullptr) {
      enter(root, base, clip_lo, clip_hi, false, false);
      while (!stack_.empty() && overflow_.empty()) step();
    }
    std::sort(pieces_.begin(), pieces_.end(),
              [](const FlatRange& a, const FlatRange& b) { return a.first < b.first; });
    result.ranges = simplify(std::move(pieces_));
    result.overflow = std::move(overflow_);
    return result;
  }

 private:
  // QEMU's render_memory_region() prologue: skip what cannot render, narrow
  // the clip, then queue the region.
  void enter(const RegionNode* r, i128 parent_base, u128 lo, u128 hi, bool readonly, bool nonvolatile) {
    if (!r->enabled) return;
    const i128 base = parent_base + static_cast<i128>(r->address);
    const i128 end = base + static_cast<i128>(r->size);
    const i128 new_lo = std::max(base, static_cast<i128>(lo));
    const i128 new_hi = std::min(end, static_cast<i128>(hi));
    if (new_lo >= new_hi) return;
    lo = static_cast<u128>(new_lo);
    hi = static_cast<u128>(new_hi);
    if (claimed_.covers(lo, hi)) return;  // everything here is taken already
    if (++visits_ > kMaxRenderVisits) {
      overflow_ = "the render visited more than " + std::to_string(kMaxRenderVisits) +
                  " regions (at region '" + r->name + "', address " + hex(lo) + ")";
      return;
    }
    if (static_cast<int>(stack_.size()) >= kMaxRenderDepth) {
      overflow_ = "regions nest deeper than " + std::to_string(kMaxRenderDepth) +
                  " levels at region '" + r->name + "', address " + hex(lo) +
                  " (a mirror alias that recurses too long?)";
      return;
    }
    stack_.push_back(Frame{r, base, lo, hi, readonly || r->readonly,
                           nonvolatile || r->nonvolatile, 0});
  }

  void step() {
    Frame& top = stack_.back();
    const RegionNode* r = top.region;
    if (r->is_alias) {
      const RegionNode* target = r->alias_target;
      if (top.next == 0 && target != nullptr) {
        top.next = 1;
        const Frame f = top;
        // The target's own address cancels: it is added back on entry.
        enter(target,
              f.base - static_cast<i128>(target->address) - static_cast<i128>(r->alias_offset),
              f.lo, f.hi, f.readonly, f.nonvolatile);
      } else {
        stack_.pop_back();
      }
      return;
    }
    const auto& children = r->subregions;
    if (top.next < children.size()) {
      // Render order is the reverse of storage order.
      const std::size_t index = children.size() - 1 - top.next;
      // Large maps are bound by cache misses on region objects: ask for
      // the ones a few children ahead while this one is handled.
      if (index >= kPrefetchDistance) __builtin_prefetch(children[index - kPrefetchDistance]);
      const RegionNode* child = children[index];
      ++top.next;
      const Frame f = top;
      enter(child, f.base, f.lo, f.hi, f.readonly, f.nonvolatile);
      return;
    }
    if (r->terminates) {
      const Frame f = top;
      claimed_.fill(f.lo, f.hi, [&](u128 lo, u128 hi) {
        FlatRange piece;
        piece.first = static_cast<uint64_t>(lo);
        piece.last = static_cast<uint64_t>(hi - 1);
        NodeAccess::set(piece, r, r->version);
        piece.offset_within_region = static_cast<uint64_t>(static_cast<i128>(lo) - f.base);
        piece.readonly = f.readonly;
        piece.romd_mode = r->romd_mode;
        piece.nonvolatile = f.nonvolatile;
        piece.dirty_log_mask = r->dirty_log_mask(global_dirty_);
        // A logged range has bitmaps before any access can reach it.
        if (piece.dirty_log_mask != 0) const_cast<RegionNode*>(r)->dirty_bitmaps(true);
        pieces_.push_back(piece);
        if (contributor_stamp_ != 0) {
          for (const Frame& on_path : stack_) on_path.region->walk_stamp = contributor_stamp_;
        }
      });
    }
    stack_.pop_back();
  }

  ClaimedSpace claimed_;
  std::vector<FlatRange> pieces_;
  std::vector<Frame> stack_;
  std::size_t visits_ = 0;
  std::string overflow_;
  uint64_t contributor_stamp_;
  bool global_dirty_;
};

}  // namespace

RegionNode* flatview_root(RegionNode* root) {
  RegionNode* r = root;
  // Bounded: a chain that long can only come from a zero-shift mirror.
  for (int hops = 0; r != nullptr && hops <= kMaxRenderDepth; ++hops) {
    if (!r->enabled) return nullptr;
    if (r->is_alias) {
      RegionNode* target = r->alias_target;
      if (target != nullptr && r->alias_offset == 0 && r->size >= target->size) {
        r = target;
        continue;
      }
      return r;
    }
    if (!r->terminates) {
      int found = 0;
      RegionNode* next = nullptr;
      // QEMU walks in render order; only the count and the single child matter.
      for (auto it = r->subregions.rbegin(); it != r->subregions.rend(); ++it) {
        RegionNode* child = *it;
        if (!child->enabled) continue;
        if (++found > 1) {
          next = nullptr;
          break;
        }
        if (child->address == 0 && r->size >= child->size) next = child;
      }
      if (found == 0) return nullptr;
      if (next != nullptr) {
        r = next;
        continue;
      }
    }
    return r;
  }
  return r;
}

RenderResult render(const RegionNode* root, i128 base, u128 clip_lo, u128 clip_hi) {
  return Renderer().run(root, base, clip_lo, clip_hi);
}

std::vector<FlatRange> simplify(std::vector<FlatRange> pieces) {
  std::vector<FlatRange> out;
  out.reserve(pieces.size());
  for (const FlatRange& piece : pieces) {
    if (!out.empty() && out.back().same_mapping(piece)) {
      out.back().last = piece.last;
    } else {
      out.push_back(piece);
    }
  }
  return out;
}

void mark_contributors(const RegionNode* root, uint64_t stamp) { Renderer(stamp).run(root); }

}  // namespace tlmmap::detail
