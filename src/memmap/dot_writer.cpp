#include "tlmmap/memmap/dot_writer.hpp"

#include <unordered_map>

namespace tlmmap {

namespace {

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

const char* shape_of(RegionKind kind) {
  switch (kind) {
    case RegionKind::container:
      return "folder";
    case RegionKind::alias:
      return "cds";
    case RegionKind::ram:
    case RegionKind::rom:
    case RegionKind::rom_device:
      return "box3d";
    default:
      return "box";
  }
}

class DotWriter {
 public:
  std::string run(const std::vector<Region*>& regions, const std::vector<AddressSpace*>& spaces) {
    for (const Region* r : regions) visit(r);
    for (const AddressSpace* s : spaces) {
      if (s->root() != nullptr) visit(s->root());
    }
    std::string out = "digraph tlmmap {\n  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n"
                      "  edge [fontname=\"monospace\", fontsize=9];\n";
    for (std::size_t i = 0; i < spaces.size(); ++i) {
      out += "  as" + std::to_string(i) + " [shape=ellipse, style=bold, label=\"" + escaped(spaces[i]->name()) + "\"];\n";
    }
    for (const Region* r : order_) {
      out += "  " + id(r) + " [shape=" + shape_of(r->kind()) + ", label=\"" + escaped(r->name()) + "\\n" +
             std::string(to_string(r->kind())) + " " + hex(r->size()) + (r->readonly() ? " ro" : "") + "\"" +
             (r->enabled() ? "" : ", color=grey, fontcolor=grey, style=dashed") + "];\n";
    }
    for (std::size_t i = 0; i < spaces.size(); ++i) {
      if (spaces[i]->root() != nullptr) out += "  as" + std::to_string(i) + " -> " + id(spaces[i]->root()) + ";\n";
    }
    for (const Region* r : order_) {
      for (const Region* sub : r->subregions()) {
        out += "  " + id(r) + " -> " + id(sub) + " [label=\"@" + hex(sub->address()) +
               (sub->priority() != 0 ? " prio " + std::to_string(sub->priority()) : "") + "\"];\n";
      }
      if (r->alias_target() != nullptr) {
        out += "  " + id(r) + " -> " + id(r->alias_target()) + " [style=dashed, label=\"+" +
               hex(r->alias_offset()) + "\"];\n";
      }
    }
    out += "}\n";
    return out;
  }

 private:
  void visit(const Region* start) {
    std::vector<const Region*> todo{start};
    while (!todo.empty()) {
      const Region* r = todo.back();
      todo.pop_back();
      if (ids_.count(r) != 0) continue;
      ids_[r] = "r" + std::to_string(order_.size());
      order_.push_back(r);
      for (const Region* sub : r->subregions()) todo.push_back(sub);
      if (r->alias_target() != nullptr) todo.push_back(r->alias_target());
    }
  }

  std::string id(const Region* r) const { return ids_.at(r); }

  std::vector<const Region*> order_;
  std::unordered_map<const Region*, std::string> ids_;
};

}  // namespace

std::string write_dot(const std::vector<Region*>& regions, const std::vector<AddressSpace*>& spaces) {
  return DotWriter().run(regions, spaces);
}

std::string write_dot(const MemoryMap& map) { return write_dot(map.regions(), map.address_spaces()); }

}  // namespace tlmmap
