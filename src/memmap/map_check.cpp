#include "tlmmap/memmap/map_check.hpp"

#include <algorithm>
#include <unordered_set>

#include "tlmmap/core/map_queries.hpp"

namespace tlmmap {

namespace {

constexpr std::size_t kMaxOverlapsPerContainer = 32;

std::string q(const Region& r) { return "'" + r.name() + "'"; }

std::string span(u128 first, u128 end_exclusive) { return hex(first) + "-" + hex(end_exclusive - 1); }

// Where a container's offsets land: an absolute address when its container
// chain ends at an address space root, else offsets inside it.
class Placement {
 public:
  explicit Placement(const std::vector<AddressSpace*>& spaces) {
    for (const AddressSpace* s : spaces) {
      if (s->root() != nullptr && !space_of_.count(s->root())) space_of_[s->root()] = s;
    }
  }

  std::string describe(const Region& container, u128 lo, u128 hi) const {
    u128 base = 0;
    const Region* top = &container;
    for (; top->container() != nullptr; top = top->container()) base += top->address();
    auto it = space_of_.find(top);
    if (it == space_of_.end() || base + hi > k64BitSpace) {
      return "offsets " + span(lo, hi) + " of " + q(container);
    }
    base += top->address();  // an address space renders its root at the root's own address
    if (base + hi > k64BitSpace) return "offsets " + span(lo, hi) + " of " + q(container);
    return span(base + lo, base + hi) + " in address space '" + it->second->name() + "'";
  }

 private:
  std::unordered_map<const Region*, const AddressSpace*> space_of_;
};

struct Window {
  const Region* region;
  u128 lo;
  u128 hi;
};

// A subregion's window inside its container, clipped to the container.
bool window_of(const Region& container, const Region& sub, Window& w) {
  const u128 lo = sub.address();
  const u128 hi = std::min(lo + sub.size(), container.size());
  if (sub.size() == 0 || lo >= hi) return false;
  w = {&sub, lo, hi};
  return true;
}

class Checker {
 public:
  Checker(const std::vector<Region*>& regions, const std::vector<AddressSpace*>& spaces)
      : spaces_(spaces), placement_(spaces) {
    // Everything the given regions and the address spaces reach.
    for (const AddressSpace* s : spaces) {
      if (s->root() != nullptr) reach(s->root(), reachable_);
    }
    for (const Region* r : regions) collect(r);
    for (const AddressSpace* s : spaces) {
      if (s->root() != nullptr) collect(s->root());
    }
  }

  std::vector<Finding> run() {
    mark_contributors();
    for (const Region* r : all_) overlaps(*r);
    for (const Region* r : all_) hidden(*r);
    for (const Region* r : all_) outside(*r);
    for (const Region* r : all_) alias_beyond(*r);
    unreachable();
    return std::move(findings_);
  }

 private:
  static void reach(const Region* start, std::unordered_set<const Region*>& seen) {
    std::vector<const Region*> todo{start};
    while (!todo.empty()) {
      const Region* r = todo.back();
      todo.pop_back();
      if (!seen.insert(r).second) continue;
      for (const Region* sub : r->subregions()) todo.push_back(sub);
      if (r->alias_target() != nullptr) todo.push_back(r->alias_target());
    }
  }

  void collect(const Region* start) {
    std::unordered_set<const Region*> seen;
    reach(start, seen);
    // Keep a stable order: the start, then its reach in walk order.
    std::vector<const Region*> todo{start};
    while (!todo.empty()) {
      const Region* r = todo.back();
      todo.pop_back();
      if (!listed_.insert(r).second) continue;
      all_.push_back(r);
      auto subs = r->subregions_in_add_order();
      for (auto it = subs.rbegin(); it != subs.rend(); ++it) todo.push_back(*it);
      if (r->alias_target() != nullptr) todo.push_back(r->alias_target());
    }
  }

  void mark_contributors() {
    std::unordered_set<const Region*> rendered;
    for (const AddressSpace* s : spaces_) {
      const Region* root = flatview_root(s->root());
      if (root == nullptr || !rendered.insert(root).second) continue;
      for (const Region* r : contributing_regions(*root)) contributors_.insert(r);
    }
    // The render follows flatview roots; the regions above them on the way contribute too.
    for (const AddressSpace* s : spaces_) {
      const Region* root = flatview_root(s->root());
      if (root == nullptr || !contributed(*root)) continue;
      for (const Region* r = s->root(); r != nullptr && r != root;) {
        contributors_.insert(r);
        if (r->kind() == RegionKind::alias) {
          r = r->alias_target();
        } else {
          // Its only enabled subregion (the flatview root walk went through it).
          const Region* next = nullptr;
          for (const Region* c : r->subregions()) {
            if (c->enabled()) {
              next = c;
              break;
            }
          }
          r = next;
        }
      }
    }
  }

  bool contributed(const Region& r) const { return contributors_.count(&r) != 0; }

  void overlaps(const Region& container) {
    std::vector<Window> windows;
    for (const Region* sub : container.subregions()) {
      Window w;
      if (!sub->may_overlap() && window_of(container, *sub, w)) windows.push_back(w);
    }
    std::sort(windows.begin(), windows.end(), [](const Window& a, const Window& b) { return a.lo < b.lo; });
    std::size_t reported = 0;
    std::size_t more = 0;
    for (std::size_t i = 0; i < windows.size(); ++i) {
      for (std::size_t j = i + 1; j < windows.size() && windows[j].lo < windows[i].hi; ++j) {
        if (reported == kMaxOverlapsPerContainer) {
          ++more;
          continue;
        }
        ++reported;
        const Window& a = windows[i];
        const Window& b = windows[j];
        const u128 lo = b.lo;
        const u128 hi = std::min(a.hi, b.hi);
        const Region* winner = winner_of(container, *a.region, *b.region);
        findings_.push_back({Finding::Kind::overlap,
                             {a.region, b.region, &container},
                             q(*a.region) + " and " + q(*b.region) + " overlap at " +
                                 placement_.describe(container, lo, hi) + ", neither added with overlap; " +
                                 q(*winner) + " wins there"});
      }
    }
    if (more > 0) {
      findings_.push_back({Finding::Kind::overlap,
                           {&container},
                           "... and " + std::to_string(more) + " more overlapping pairs in " + q(container)});
    }
  }

  static const Region* winner_of(const Region& container, const Region& a, const Region& b) {
    for (const Region* r : container.subregions()) {
      if (r == &a || r == &b) return r;
    }
    return &a;
  }

  void hidden(const Region& container) {
    if (!contributed(container)) return;
    const std::vector<Region*> order = container.subregions();
    for (std::size_t i = 0; i < order.size(); ++i) {
      const Region& r = *order[i];
      Window w;
      if (!r.enabled() || contributed(r) || !window_of(container, r, w)) continue;
      if (!renders_alone(r, w)) continue;
      std::vector<const Region*> above;
      std::string names;
      for (std::size_t j = 0; j < i; ++j) {
        Window o;
        if (order[j]->enabled() && window_of(container, *order[j], o) && o.lo < w.hi && w.lo < o.hi) {
          above.push_back(order[j]);
          names += (names.empty() ? "" : ", ") + q(*order[j]);
        }
      }
      if (above.empty()) continue;  // hidden by something outside this container
      std::vector<const Region*> regions{&r};
      regions.insert(regions.end(), above.begin(), above.end());
      findings_.push_back({Finding::Kind::hidden, regions,
                           q(r) + " at " + placement_.describe(container, w.lo, w.hi) +
                               " is wholly hidden by higher-priority siblings " + names});
    }
  }

  // Would the region show anything inside its window if it were alone there?
  static bool renders_alone(const Region& r, const Window& w) {
    for (const AddressRange& piece : rendered_ranges(r)) {
      if (u128(piece.first) < w.hi && w.lo <= u128(piece.last)) return true;
    }
    return false;
  }

  void outside(const Region& container) {
    for (const Region* sub : container.subregions()) {
      if (sub->size() == 0 || u128(sub->address()) < container.size()) continue;
      findings_.push_back({Finding::Kind::outside_container,
                           {sub, &container},
                           q(*sub) + " at offset " + hex(sub->address()) + " lies beyond the end of " + q(container) +
                               " (size " + hex(container.size()) + "): it renders nothing"});
    }
  }

  void alias_beyond(const Region& r) {
    const Region* t = r.alias_target();
    if (t == nullptr) return;
    const u128 end = u128(r.alias_offset()) + r.size();
    if (end <= t->size()) return;
    const u128 from = std::max(u128(r.alias_offset()), t->size());
    findings_.push_back({Finding::Kind::alias_beyond_target,
                         {&r, t},
                         "alias " + q(r) + " shows " + span(r.alias_offset(), end) + " of " + q(*t) + ", which is only " +
                             hex(t->size()) + " bytes: " + span(from, end) + " of the window renders nothing"});
  }

  void unreachable() {
    for (const Region* r : all_) {
      if (reachable_.count(r) != 0) continue;
      // Report the top of each unreachable tree once.
      if (r->container() != nullptr && reachable_.count(r->container()) == 0 && listed_.count(r->container())) continue;
      std::unordered_set<const Region*> under;
      reach(r, under);
      std::size_t count = 0;
      for (const Region* u : under) count += reachable_.count(u) == 0 ? 1 : 0;
      findings_.push_back({Finding::Kind::unreachable,
                           {r},
                           q(*r) + " (" + std::string(tlmmap::to_string(r->kind())) + ", " + hex(r->size()) +
                               " bytes" + (count > 1 ? ", with " + std::to_string(count - 1) + " regions under it" : "") +
                               ") is reachable from no address space"});
    }
  }

  const std::vector<AddressSpace*>& spaces_;
  Placement placement_;
  std::vector<const Region*> all_;
  std::unordered_set<const Region*> listed_;
  std::unordered_set<const Region*> reachable_;
  std::vector<Finding> findings_;
  std::unordered_set<const Region*> contributors_;
};

}  // namespace

std::string_view to_string(Finding::Kind kind) {
  switch (kind) {
    case Finding::Kind::overlap:
      return "overlap";
    case Finding::Kind::hidden:
      return "hidden";
    case Finding::Kind::outside_container:
      return "outside-container";
    case Finding::Kind::alias_beyond_target:
      return "alias-beyond-target";
    case Finding::Kind::unreachable:
      return "unreachable";
  }
  return "?";
}

std::vector<Finding> check_map(const std::vector<Region*>& regions, const std::vector<AddressSpace*>& spaces) {
  return Checker(regions, spaces).run();
}

std::vector<Finding> check_map(const MemoryMap& map) { return check_map(map.regions(), map.address_spaces()); }

}  // namespace tlmmap
