#include "tlmmap/memmap/memmap_writer.hpp"

#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "tlmmap/core/report.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/memmap/loaded_regions.hpp"

namespace tlmmap {

using nlohmann::ordered_json;

namespace {

class Writer {
 public:
  // Regions the caller names first keep their order and ids.
  void add_named(const Region& r, const std::string& id) { add(r, id); }

  void add_space(const AddressSpace& space) { spaces_.push_back(&space); }

  std::string finish() {
    for (const AddressSpace* space : spaces_) {
      if (space->root() != nullptr) add(*space->root(), "");
    }
    // Everything reachable, in the order met.
    for (std::size_t i = 0; i < order_.size(); ++i) {
      const Region* r = order_[i];
      for (const Region* sub : r->subregions_in_add_order()) add(*sub, "");
      if (r->alias_target() != nullptr) add(*r->alias_target(), "");
    }
    ordered_json doc;
    doc["memmap"] = 1;
    doc["regions"] = ordered_json::array();
    for (const Region* r : order_) {
      ordered_json entry = region_entry(*r);
      if (entry.is_null()) return "";
      doc["regions"].push_back(std::move(entry));
    }
    doc["address_spaces"] = ordered_json::array();
    for (const AddressSpace* space : spaces_) {
      if (space->root() == nullptr) continue;  // its root is gone: nothing to describe
      doc["address_spaces"].push_back({{"name", space->name()}, {"root", ids_.at(space->root())}});
    }
    return doc.dump(2) + "\n";
  }

 private:
  void add(const Region& r, const std::string& wanted) {
    if (ids_.count(&r) != 0) return;
    std::string id = wanted.empty() ? r.name() : wanted;
    if (id.empty()) id = "region";
    if (taken_.count(id) != 0) {
      int n = 2;
      while (taken_.count(id + "~" + std::to_string(n)) != 0) ++n;
      id += "~" + std::to_string(n);
    }
    taken_.insert(id);
    ids_[&r] = id;
    order_.push_back(&r);
  }

  static std::string number(u128 n) { return hex(n); }

  ordered_json region_entry(const Region& r) {
    ordered_json e;
    const std::string& id = ids_.at(&r);
    e["id"] = id;
    if (r.name() != id) e["name"] = r.name();
    e["kind"] = std::string(to_string(r.kind()));
    e["size"] = number(r.size());
    if (r.kind() == RegionKind::alias) {
      if (r.alias_target() == nullptr) {
        report(Severity::error, kMemmapMsg,
                             "exporting alias '" + r.name() + "': it has no target (the target was destroyed)");
        return nullptr;
      }
      e["target"] = ids_.at(r.alias_target());
      e["target_offset"] = number(r.alias_offset());
    }
    // A region outside any container keeps its own address (QEMU's mr->addr):
    // an address space rooted at it sees its view shifted by it.
    if (r.container() == nullptr && r.address() != 0) e["address"] = number(r.address());
    if (!r.enabled()) e["enabled"] = false;
    if (r.readonly() && r.kind() != RegionKind::rom) e["readonly"] = true;
    if (r.nonvolatile()) e["nonvolatile"] = true;
    if (r.kind() == RegionKind::rom_device && !r.romd_mode()) e["romd"] = false;
    backing(r, e);
    const auto subs = r.subregions_in_add_order();
    if (!subs.empty()) {
      ordered_json list = ordered_json::array();
      for (const Region* sub : subs) {
        ordered_json s;
        s["region"] = ids_.at(sub);
        s["offset"] = number(sub->address());
        if (sub->priority() != 0) s["priority"] = sub->priority();
        if (sub->may_overlap()) s["overlap"] = true;
        list.push_back(std::move(s));
      }
      e["subregions"] = std::move(list);
    }
    return e;
  }

  // What docs/memmap-format.md says of RAM backings, coalescing and
  // ioeventfds: resizeable RAM from any map, the rest as the loader made it.
  static void backing(const Region& r, ordered_json& e) {
    const RamFile* file = nullptr;
    if (const auto* ram = dynamic_cast<const FileRamRegion*>(&r)) file = &ram->file();
    if (const auto* rom = dynamic_cast<const FileRomRegion*>(&r)) file = &rom->file();
    if (file != nullptr) {
      e["file"] = file->path;
      if (!file->shared) e["shared"] = false;
    }
    const auto* ram = dynamic_cast<const RamRegion*>(&r);
    if (ram != nullptr && r.kind() == RegionKind::ram && ram->max_size() != r.size()) e["max_size"] = number(ram->max_size());
    const auto* mmio = dynamic_cast<const MmioRegion*>(&r);
    if (mmio == nullptr) return;
    const auto* loaded = dynamic_cast<const LoadedMmioRegion*>(&r);
    if (loaded != nullptr && loaded->coalesces_all()) {
      e["coalescing"] = true;
    } else if (loaded != nullptr && !loaded->coalesced().empty()) {
      ordered_json list = ordered_json::array();
      for (const auto& c : loaded->coalesced()) list.push_back({{"offset", number(c.offset)}, {"size", number(c.size)}});
      e["coalescing"] = std::move(list);
    }
    const bool coalescing = loaded != nullptr && (loaded->coalesces_all() || !loaded->coalesced().empty());
    // Coalescing marks the region flush-coalesced: only a difference is written.
    if (mmio->flush_coalesced() != coalescing) e["flush_coalesced"] = mmio->flush_coalesced();
    if (loaded == nullptr || loaded->ioeventfds().empty()) return;
    ordered_json list = ordered_json::array();
    for (const auto& fd : loaded->ioeventfds()) {
      ordered_json f{{"offset", number(fd.offset)}, {"size", fd.size}};
      if (fd.match_data) f["data"] = number(fd.data);
      if (fd.notifier->fd() >= 0) f["eventfd"] = true;
      list.push_back(std::move(f));
    }
    e["ioeventfds"] = std::move(list);
  }

  std::vector<const Region*> order_;
  std::unordered_map<const Region*, std::string> ids_;
  std::unordered_set<std::string> taken_;
  std::vector<const AddressSpace*> spaces_;
};

}  // namespace

std::string write_memmap(const std::vector<AddressSpace*>& spaces) {
  Writer writer;
  for (const AddressSpace* space : spaces) writer.add_space(*space);
  return writer.finish();
}

std::string write_memmap(const MemoryMap& map) {
  Writer writer;
  for (const Region* r : map.regions()) writer.add_named(*r, map.id_of(*r));
  for (const AddressSpace* space : map.address_spaces()) writer.add_space(*space);
  return writer.finish();
}

}  // namespace tlmmap
