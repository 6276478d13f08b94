#include "tlmmap/memmap/mtree.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <memory>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/region.hpp"

namespace tlmmap {

namespace {

constexpr const char* kIndent = "  ";

// QEMU's MR_SIZE(): the inclusive end offset; a size of 0 prints like 1.
uint64_t last_offset(u128 size) { return size == 0 ? 0 : static_cast<uint64_t>(size - 1); }

std::string range_text(uint64_t start, uint64_t end) { return hex16(start) + "-" + hex16(end); }

std::string type_text(bool nonvolatile, std::string_view type) {
  return std::string(nonvolatile ? "nv-" : "") + std::string(type);
}

class TreePrinter {
 public:
  explicit TreePrinter(bool show_disabled) : show_disabled_(show_disabled) {}

  void print_group(const std::vector<AddressSpace*>& group, const Region* root) {
    for (const AddressSpace* space : group) out_ += "address-space: " + space->name() + "\n";
    print_region(root);
    out_ += "\n";
  }

  // The `memory-region:` sections of alias targets; printing one may queue more.
  void print_alias_targets() {
    for (std::size_t i = 0; i < alias_targets_.size(); ++i) {
      const Region* target = alias_targets_[i];
      out_ += "memory-region: " + target->name() + "\n";
      print_region(target);
      out_ += "\n";
    }
  }

  std::string take() { return std::move(out_); }

 private:
  struct Item {
    const Region* region;
    unsigned level;
    uint64_t base;
  };

  // Pre-order walk with an explicit stack: nesting depth is the map's.
  void print_region(const Region* top) {
    if (top == nullptr) return;
    std::vector<Item> stack{{top, 1, 0}};
    while (!stack.empty()) {
      const Item item = stack.back();
      stack.pop_back();
      const Region* r = item.region;
      const uint64_t start = item.base + r->address();
      const uint64_t end = start + last_offset(r->size());
      if (start < item.base || end < start) out_ += "[DETECTED OVERFLOW!] ";
      if (r->kind() == RegionKind::alias && r->alias_target() != nullptr) queue_target(r->alias_target());
      if (r->enabled() || show_disabled_) print_line(*r, item.level, start, end);
      // Children by address, then descending priority; ties keep render order.
      std::vector<Region*> children = r->subregions();
      std::stable_sort(children.begin(), children.end(), [](const Region* a, const Region* b) {
        if (a->address() != b->address()) return a->address() < b->address();
        return a->priority() > b->priority();
      });
      for (auto it = children.rbegin(); it != children.rend(); ++it) {
        stack.push_back({*it, item.level + 1, start});
      }
    }
  }

  void print_line(const Region& r, unsigned level, uint64_t start, uint64_t end) {
    for (unsigned i = 0; i < level; ++i) out_ += kIndent;
    out_ += range_text(start, end) + " (prio " + std::to_string(r.priority()) + ", " +
            type_text(r.nonvolatile(), r.type_name()) + "): ";
    if (r.kind() == RegionKind::alias) {
      const Region* target = r.alias_target();
      out_ += "alias " + r.name() + " @" + (target != nullptr ? target->name() : std::string()) + " " +
              range_text(r.alias_offset(), r.alias_offset() + last_offset(r.size()));
    } else {
      out_ += r.name();
    }
    if (!r.enabled()) out_ += " [disabled]";
    out_ += "\n";
  }

  void queue_target(const Region* target) {
    if (std::find(alias_targets_.begin(), alias_targets_.end(), target) == alias_targets_.end()) {
      alias_targets_.push_back(target);
    }
  }

  bool show_disabled_;
  std::string out_;
  std::vector<const Region*> alias_targets_;
};

std::string tree_text(const std::vector<AddressSpace*>& spaces, bool show_disabled) {
  // One group per root object, names sorted inside it (an equal name goes
  // before the ones already there, as g_slist_insert_sorted puts it).
  std::vector<std::pair<const Region*, std::vector<AddressSpace*>>> groups;
  for (AddressSpace* space : spaces) {
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& g) { return g.first == space->root(); });
    if (group == groups.end()) {
      groups.push_back({space->root(), {}});
      group = std::prev(groups.end());
    }
    auto& names = group->second;
    auto at = std::find_if(names.begin(), names.end(),
                           [&](const AddressSpace* s) { return s->name() >= space->name(); });
    names.insert(at, space);
  }
  TreePrinter printer(show_disabled);
  for (const auto& [root, group] : groups) printer.print_group(group, root);
  printer.print_alias_targets();
  return printer.take();
}

std::string flat_text(const std::vector<AddressSpace*>& spaces) {
  std::vector<std::pair<const FlatView*, std::vector<AddressSpace*>>> groups;
  for (AddressSpace* space : spaces) {
    const FlatView* view = space->flat_view().get();
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == view; });
    if (group == groups.end()) {
      groups.push_back({view, {}});
      group = std::prev(groups.end());
    }
    group->second.push_back(space);
  }
  std::string out;
  int counter = 0;
  for (const auto& [view, group] : groups) {
    out += "FlatView #" + std::to_string(counter++) + "\n";
    for (const AddressSpace* space : group) {
      const Region* root = space->root();
      out += " AS \"" + space->name() + "\", root: " + (root != nullptr ? root->name() : std::string());
      if (root != nullptr && root->kind() == RegionKind::alias && root->alias_target() != nullptr) {
        out += ", alias " + root->alias_target()->name();
      }
      out += "\n";
    }
    out += " Root memory region: " + (view->has_root() ? view->root_name() : std::string("(none)")) + "\n";
    if (view->empty()) {
      out += std::string(kIndent) + "No rendered FlatView\n\n";
      continue;
    }
    for (const FlatRange& range : view->ranges()) {
      out += kIndent + range_text(range.first, range.last) + " (prio " + std::to_string(range.region_priority()) +
             ", " + type_text(range.nonvolatile, range.readonly ? "rom" : range.region_type()) + "): " +
             range.region_name();
      if (range.offset_within_region != 0) out += " @" + hex16(range.offset_within_region);
      out += "\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string mtree_text(const std::vector<AddressSpace*>& spaces, const MtreeOptions& options) {
  return options.flat_view ? flat_text(spaces) : tree_text(spaces, options.show_disabled);
}

std::string info_mtree(const MtreeOptions& options) { return mtree_text(address_spaces(), options); }

}  // namespace tlmmap
