#include "tlmmap/memmap/memmap_loader.hpp"

#include <algorithm>
#include <climits>
#include <linux/limits.h>
#include <filesystem>
#include <functional>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "memmap_document.hpp"
#include "tlmmap/memmap/loaded_regions.hpp"
#include "tlmmap/core/render_limits.hpp"
#include "tlmmap/core/report.hpp"
#include "tlmmap/core/transaction.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/iommu_region.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/reservation_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/rom_region.hpp"

namespace tlmmap {

using detail::MemmapError;
using nlohmann::json;

namespace {

constexpr uint64_t kMaxAddress = UINT64_MAX;

struct SubregionEntry {
  std::string region;
  uint64_t offset = 0;
  int priority = 0;
  bool overlap = false;
  std::string where;
};

struct CoalescingEntry {
  uint64_t offset = 0;
  u128 size = 0;
};

struct IoeventfdEntry {
  uint64_t offset = 0;
  unsigned size = 0;
  std::optional<uint64_t> data;
  bool eventfd = false;
  std::string where;
};

struct RegionEntry {
  std::string id;
  std::string name;
  RegionKind kind = RegionKind::container;
  u128 size = 0;
  std::vector<SubregionEntry> subregions;
  bool enabled = true;
  std::optional<bool> readonly;
  bool romd = true;
  bool nonvolatile = false;
  std::optional<uint64_t> address;  // own address of a region that is no subregion
  std::string target;
  uint64_t target_offset = 0;
  std::optional<RamFile> file;
  std::optional<u128> max_size;
  bool coalesce_all = false;
  std::vector<CoalescingEntry> coalescing;
  std::optional<bool> flush_coalesced;
  std::vector<IoeventfdEntry> ioeventfds;
  std::string where;
};

struct SpaceEntry {
  std::string name;
  std::string root;
  std::string where;
};

constexpr std::size_t kQuoteLimit = 40;

// A string as JSON writes it, cut short: messages quote file text, which may
// be anything and of any length.
std::string quote_text(std::string_view text) {
  const bool cut = text.size() > kQuoteLimit;
  const json piece = std::string(text.substr(0, cut ? kQuoteLimit - 3 : text.size()));
  std::string quoted = piece.dump(-1, ' ', false, json::error_handler_t::replace);
  if (cut) quoted.insert(quoted.size() - 1, "...");
  return quoted;
}

// A value as compact JSON, cut short after about 40 characters. Written with
// an explicit stack that stops growing once the text is long enough, so a
// value nested any depth costs a few dozen steps and no recursion.
std::string describe(const json& value) {
  struct Frame {
    const json* node;
    json::const_iterator next;
  };
  std::string text;
  std::vector<Frame> stack;
  const json* pending = &value;
  while (text.size() <= kQuoteLimit) {
    if (pending != nullptr) {
      if (pending->is_structured()) {
        text += pending->is_array() ? '[' : '{';
        stack.push_back({pending, pending->cbegin()});
      } else if (pending->is_string()) {
        text += quote_text(pending->get_ref<const std::string&>());
      } else {
        text += pending->dump();  // a number, boolean or null: no recursion
      }
      pending = nullptr;
      continue;
    }
    if (stack.empty()) break;
    Frame& f = stack.back();
    if (f.next == f.node->cend()) {
      text += f.node->is_array() ? ']' : '}';
      stack.pop_back();
      continue;
    }
    if (f.next != f.node->cbegin()) text += ',';
    if (f.node->is_object()) text += quote_text(f.next.key()) + ":";
    pending = &*f.next;
    ++f.next;
  }
  if (text.size() > kQuoteLimit || !stack.empty()) text = text.substr(0, kQuoteLimit - 3) + "...";
  return text;
}

void check_keys(const json& object, const std::string& where, std::initializer_list<const char*> allowed) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = it.key().rfind("x-", 0) == 0;  // user extensions are ignored
    for (const char* key : allowed) known = known || it.key() == key;
    if (!known) throw MemmapError(where + ": unknown key " + quote_text(it.key()));
  }
}

// An address, offset or size: a non-negative JSON integer, or a string of
// "0x" and hex digits or of decimal digits.
u128 number(const json& value, const std::string& where, u128 max) {
  u128 n = 0;
  if (value.is_number_unsigned()) {
    n = value.get<uint64_t>();
  } else if (value.is_number_integer()) {
    throw MemmapError(where + ": " + describe(value) + " is negative");
  } else if (value.is_number_float()) {
    throw MemmapError(where + ": " + describe(value) +
                      " is not an integer (floats are refused; write numbers beyond 2^64-1 as strings)");
  } else if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    const bool is_hex = text.rfind("0x", 0) == 0;
    const bool shape_ok = is_hex ? text.size() > 2 && text.find_first_not_of("0123456789abcdefABCDEF", 2) ==
                                                          std::string::npos
                                 : !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    if (!shape_ok) {
      throw MemmapError(where + ": " + quote_text(text) + " is not a number (\"0x\" and hex digits, or decimal digits)");
    }
    if (!parse_u128(text, n)) throw MemmapError(where + ": " + quote_text(text) + " does not fit in 2^64");
  } else {
    throw MemmapError(where + ": " + describe(value) + " is not a number");
  }
  if (n > max) {
    throw MemmapError(where + ": " + hex(n) + " does not fit (at most " + hex(max) + ")");
  }
  return n;
}

bool boolean(const json& value, const std::string& where) {
  if (!value.is_boolean()) throw MemmapError(where + ": " + describe(value) + " is not true or false");
  return value.get<bool>();
}

std::string string(const json& value, const std::string& where) {
  if (!value.is_string()) throw MemmapError(where + ": " + describe(value) + " is not a string");
  return value.get<std::string>();
}

int priority(const json& value, const std::string& where) {
  if (!value.is_number_integer()) {
    throw MemmapError(where + ": " + describe(value) + " is not an integer");
  }
  if (value.is_number_unsigned() ? value.get<uint64_t>() > uint64_t(INT_MAX)
                                 : (value.get<int64_t>() < INT_MIN || value.get<int64_t>() > INT_MAX)) {
    throw MemmapError(where + ": " + describe(value) + " is outside the signed 32-bit range");
  }
  return static_cast<int>(value.get<int64_t>());
}

std::string entry_name(std::size_t index, const json& entry) {
  std::string where = "regions[" + std::to_string(index) + "]";
  if (entry.is_object() && entry.contains("id") && entry["id"].is_string()) {
    where += " (id " + quote_text(entry["id"].get_ref<const std::string&>()) + ")";
  }
  return where;
}

// RAM backings, coalescing and ioeventfds: only where the kind has them.
void parse_backing(const json& entry, RegionEntry& r) {
  const auto only_for = [&](const char* key, bool allowed, const char* kinds) {
    if (entry.contains(key) && !allowed) throw MemmapError(r.where + ": \"" + key + "\" is only for " + kinds);
    return entry.contains(key);
  };
  const bool memory = r.kind == RegionKind::ram || r.kind == RegionKind::rom;
  if (only_for("file", memory, "ram and rom")) {
    r.file = RamFile{string(entry["file"], r.where + ": file"), true};
    if (r.file->path.empty()) throw MemmapError(r.where + ": file: empty path");
    if (r.file->path.size() >= PATH_MAX) {
      throw MemmapError(r.where + ": file: " + quote_text(r.file->path) + " is longer than a path may be (" +
                        std::to_string(PATH_MAX) + " bytes)");
    }
  }
  if (only_for("shared", r.file.has_value(), "a region with \"file\"")) {
    r.file->shared = boolean(entry["shared"], r.where + ": shared");
  }
  if (only_for("max_size", r.kind == RegionKind::ram, "ram")) {
    if (r.file) throw MemmapError(r.where + ": \"max_size\" with \"file\" (a resizeable RAM is not mapped from a file)");
    r.max_size = number(entry["max_size"], r.where + ": max_size", k64BitSpace);
    if (*r.max_size < r.size) {
      throw MemmapError(r.where + ": max_size " + hex(*r.max_size) + " is below size " + hex(r.size) +
                        " (size is the used length)");
    }
  }
  const bool mmio = r.kind == RegionKind::mmio;
  if (only_for("coalescing", mmio, "mmio")) {
    const json& c = entry["coalescing"];
    const std::string where = r.where + ": coalescing";
    if (c.is_boolean()) {
      r.coalesce_all = c.get<bool>();
    } else if (c.is_array()) {
      for (std::size_t i = 0; i < c.size(); ++i) {
        const std::string at = where + "[" + std::to_string(i) + "]";
        if (!c[i].is_object()) throw MemmapError(at + ": not an object");
        check_keys(c[i], at, {"offset", "size"});
        for (const char* key : {"offset", "size"}) {
          if (!c[i].contains(key)) throw MemmapError(at + ": no \"" + key + "\"");
        }
        CoalescingEntry e;
        e.offset = static_cast<uint64_t>(number(c[i]["offset"], at + ": offset", kMaxAddress));
        e.size = number(c[i]["size"], at + ": size", k64BitSpace);
        if (e.size == 0 || u128(e.offset) + e.size > r.size) {
          throw MemmapError(at + ": " + hex(e.offset) + "+" + hex(e.size) + " is not a range inside the region (size " +
                            hex(r.size) + ")");
        }
        r.coalescing.push_back(e);
      }
    } else {
      throw MemmapError(where + ": " + describe(c) + " is neither true/false nor a list of {offset, size}");
    }
  }
  if (only_for("flush_coalesced", mmio || r.kind == RegionKind::rom_device, "mmio and rom_device")) {
    r.flush_coalesced = boolean(entry["flush_coalesced"], r.where + ": flush_coalesced");
    if (!*r.flush_coalesced && (r.coalesce_all || !r.coalescing.empty())) {
      throw MemmapError(r.where + ": flush_coalesced false with coalescing (a region with coalesced ranges always "
                        "flushes, as in QEMU)");
    }
  }
  if (only_for("ioeventfds", mmio, "mmio")) {
    const json& list = entry["ioeventfds"];
    if (!list.is_array()) throw MemmapError(r.where + ": ioeventfds is not a list");
    for (std::size_t i = 0; i < list.size(); ++i) {
      IoeventfdEntry e;
      e.where = r.where + ".ioeventfds[" + std::to_string(i) + "]";
      const json& fd = list[i];
      if (!fd.is_object()) throw MemmapError(e.where + ": not an object");
      check_keys(fd, e.where, {"offset", "size", "data", "eventfd"});
      for (const char* key : {"offset", "size"}) {
        if (!fd.contains(key)) throw MemmapError(e.where + ": no \"" + key + "\"");
      }
      e.offset = static_cast<uint64_t>(number(fd["offset"], e.where + ": offset", kMaxAddress));
      const u128 size = number(fd["size"], e.where + ": size", 8);
      if (size != 1 && size != 2 && size != 4 && size != 8) {
        throw MemmapError(e.where + ": size " + hex(size) + " (1, 2, 4 or 8)");
      }
      e.size = static_cast<unsigned>(size);
      if (u128(e.offset) + e.size > r.size) {
        throw MemmapError(e.where + ": " + hex(e.offset) + "+" + std::to_string(e.size) +
                          " lies beyond the region (size " + hex(r.size) + ")");
      }
      if (fd.contains("data")) {
        const u128 max = e.size == 8 ? u128(UINT64_MAX) : (u128(1) << (8 * e.size)) - 1;
        e.data = static_cast<uint64_t>(number(fd["data"], e.where + ": data", max));
      }
      if (fd.contains("eventfd")) e.eventfd = boolean(fd["eventfd"], e.where + ": eventfd");
      r.ioeventfds.push_back(e);
    }
  }
}

RegionEntry parse_region(std::size_t index, const json& entry) {
  RegionEntry r;
  r.where = entry_name(index, entry);
  if (!entry.is_object()) throw MemmapError(r.where + ": not an object");
  check_keys(entry, r.where, {"id", "name", "kind", "size", "subregions", "enabled", "readonly", "romd",
                              "nonvolatile", "target", "target_offset", "address", "file", "shared", "max_size",
                              "coalescing", "flush_coalesced", "ioeventfds"});
  if (!entry.contains("id")) throw MemmapError(r.where + ": no \"id\"");
  r.id = string(entry["id"], r.where + ": id");
  if (r.id.empty()) throw MemmapError(r.where + ": empty id");
  r.name = entry.contains("name") ? string(entry["name"], r.where + ": name") : r.id;
  if (!entry.contains("kind")) throw MemmapError(r.where + ": no \"kind\"");
  const std::string kind = string(entry["kind"], r.where + ": kind");
  const auto parsed_kind = region_kind_from_string(kind);
  if (!parsed_kind) {
    throw MemmapError(r.where + ": unknown kind " + quote_text(kind) +
                      " (container, ram, rom, rom_device, mmio, alias, iommu, reservation)");
  }
  r.kind = *parsed_kind;
  if (!entry.contains("size")) throw MemmapError(r.where + ": no \"size\"");
  r.size = number(entry["size"], r.where + ": size", k64BitSpace);
  if (r.size == 0 && (r.kind == RegionKind::ram || r.kind == RegionKind::rom ||
                      r.kind == RegionKind::rom_device)) {
    throw MemmapError(r.where + ": size 0 (a " + kind + " region needs at least one byte)");
  }
  if (entry.contains("enabled")) r.enabled = boolean(entry["enabled"], r.where + ": enabled");
  if (entry.contains("readonly")) {
    r.readonly = boolean(entry["readonly"], r.where + ": readonly");
    if (r.kind == RegionKind::rom && !*r.readonly) {
      throw MemmapError(r.where + ": readonly false on a rom (a ROM is read-only by kind; use ram)");
    }
  }
  if (entry.contains("nonvolatile")) r.nonvolatile = boolean(entry["nonvolatile"], r.where + ": nonvolatile");
  if (entry.contains("address")) {
    r.address = static_cast<uint64_t>(number(entry["address"], r.where + ": address", kMaxAddress));
  }
  if (entry.contains("romd")) {
    if (r.kind != RegionKind::rom_device) throw MemmapError(r.where + ": \"romd\" is only for rom_device");
    r.romd = boolean(entry["romd"], r.where + ": romd");
  }
  const bool is_alias = r.kind == RegionKind::alias;
  for (const char* key : {"target", "target_offset"}) {
    if (is_alias && !entry.contains(key)) throw MemmapError(r.where + ": alias without \"" + key + "\"");
    if (!is_alias && entry.contains(key)) throw MemmapError(r.where + ": \"" + key + "\" is only for alias");
  }
  if (is_alias) {
    r.target = string(entry["target"], r.where + ": target");
    r.target_offset = static_cast<uint64_t>(number(entry["target_offset"], r.where + ": target_offset", kMaxAddress));
  }
  if (entry.contains("subregions")) {
    const json& subs = entry["subregions"];
    if (!subs.is_array()) throw MemmapError(r.where + ": subregions is not a list");
    if (is_alias && !subs.empty()) throw MemmapError(r.where + ": an alias cannot hold subregions");
    for (std::size_t i = 0; i < subs.size(); ++i) {
      SubregionEntry s;
      s.where = r.where + ".subregions[" + std::to_string(i) + "]";
      const json& sub = subs[i];
      if (!sub.is_object()) throw MemmapError(s.where + ": not an object");
      // Named by the region it places too: indexes alone are hard to find in a big file.
      if (sub.contains("region") && sub["region"].is_string()) {
        s.where += " (region " + quote_text(sub["region"].get_ref<const std::string&>()) + ")";
      }
      check_keys(sub, s.where, {"region", "offset", "priority", "overlap"});
      if (!sub.contains("region")) throw MemmapError(s.where + ": no \"region\"");
      s.region = string(sub["region"], s.where + ": region");
      if (!sub.contains("offset")) throw MemmapError(s.where + ": no \"offset\"");
      s.offset = static_cast<uint64_t>(number(sub["offset"], s.where + ": offset", kMaxAddress));
      if (sub.contains("priority")) s.priority = priority(sub["priority"], s.where + ": priority");
      if (sub.contains("overlap")) s.overlap = boolean(sub["overlap"], s.where + ": overlap");
      r.subregions.push_back(std::move(s));
    }
  }
  parse_backing(entry, r);
  return r;
}

struct Document {
  std::vector<RegionEntry> regions;
  std::vector<SpaceEntry> spaces;
  std::unordered_map<std::string, std::size_t> index;  // id -> regions[]
};

Document parse_document(const json& doc) {
  if (!doc.is_object()) throw MemmapError("the document is not an object");
  check_keys(doc, "top level", {"memmap", "regions", "address_spaces"});
  if (!doc.contains("memmap")) throw MemmapError("no \"memmap\" version (must be 1)");
  const json& version = doc["memmap"];
  if (!version.is_number_integer() || version.get<int64_t>() != 1) {
    throw MemmapError("memmap version " + describe(version) + " is not supported (must be 1)");
  }
  if (!doc.contains("regions")) throw MemmapError("no \"regions\" list");
  if (!doc["regions"].is_array()) throw MemmapError("\"regions\" is not a list");
  Document d;
  const json& regions = doc["regions"];
  for (std::size_t i = 0; i < regions.size(); ++i) {
    RegionEntry r = parse_region(i, regions[i]);
    auto [it, fresh] = d.index.emplace(r.id, d.regions.size());
    if (!fresh) throw MemmapError(r.where + ": duplicated id (also " + d.regions[it->second].where + ")");
    d.regions.push_back(std::move(r));
  }
  if (doc.contains("address_spaces")) {
    const json& spaces = doc["address_spaces"];
    if (!spaces.is_array()) throw MemmapError("\"address_spaces\" is not a list");
    for (std::size_t i = 0; i < spaces.size(); ++i) {
      SpaceEntry s;
      s.where = "address_spaces[" + std::to_string(i) + "]";
      const json& space = spaces[i];
      if (!space.is_object()) throw MemmapError(s.where + ": not an object");
      check_keys(space, s.where, {"name", "root"});
      if (!space.contains("name")) throw MemmapError(s.where + ": no \"name\"");
      s.name = string(space["name"], s.where + ": name");
      s.where += " (" + quote_text(s.name) + ")";
      if (!space.contains("root")) throw MemmapError(s.where + ": no \"root\"");
      s.root = string(space["root"], s.where + ": root");
      d.spaces.push_back(std::move(s));
    }
  }
  return d;
}

// The graph rules the API would refuse one call at a time, checked for the
// whole file first so that nothing is built from a bad one.
void check_graph(const Document& d) {
  const std::size_t n = d.regions.size();
  std::vector<std::size_t> parent(n, SIZE_MAX);
  std::vector<const SubregionEntry*> placed(n, nullptr);
  for (std::size_t c = 0; c < n; ++c) {
    for (const SubregionEntry& s : d.regions[c].subregions) {
      auto it = d.index.find(s.region);
      if (it == d.index.end()) throw MemmapError(s.where + ": no region with id " + quote_text(s.region));
      const std::size_t child = it->second;
      if (child == c) throw MemmapError(s.where + ": region " + quote_text(s.region) + " cannot hold itself");
      if (placed[child] != nullptr) {
        throw MemmapError(s.where + ": region " + quote_text(s.region) + " is already a subregion at " +
                          placed[child]->where);
      }
      if (d.regions[child].address) {
        throw MemmapError(d.regions[child].where + ": \"address\" on a region that is a subregion (at " + s.where +
                          ", which gives its offset)");
      }
      placed[child] = &s;
      parent[child] = c;
    }
  }
  // Container cycles and nesting depth, walking up parent links once per region.
  std::vector<int> depth(n, -1);  // -1 unknown, -2 on the current walk
  for (std::size_t start = 0; start < n; ++start) {
    std::vector<std::size_t> walk;
    std::size_t r = start;
    while (r != SIZE_MAX && depth[r] == -1) {
      depth[r] = -2;
      walk.push_back(r);
      r = parent[r];
    }
    if (r != SIZE_MAX && depth[r] == -2) {
      std::string cycle = quote_text(d.regions[r].id);
      for (std::size_t x = parent[r]; x != r; x = parent[x]) cycle = quote_text(d.regions[x].id) + " > " + cycle;
      throw MemmapError(d.regions[r].where + ": the region contains itself (" + quote_text(d.regions[r].id) +
                        " > " + cycle + ")");
    }
    int base = r == SIZE_MAX ? 0 : depth[r] + 1;
    for (auto it = walk.rbegin(); it != walk.rend(); ++it) {
      depth[*it] = base++;
      if (depth[*it] >= kMaxRenderDepth) {
        throw MemmapError(d.regions[*it].where + ": containers nest deeper than " +
                          std::to_string(kMaxRenderDepth) + " levels");
      }
    }
  }
  // Alias targets: present, and every chain reaches a region that is not an alias.
  for (const RegionEntry& r : d.regions) {
    if (r.kind != RegionKind::alias) continue;
    if (d.index.find(r.target) == d.index.end()) {
      throw MemmapError(r.where + ": target " + quote_text(r.target) + " is not a region id");
    }
    std::vector<const RegionEntry*> chain{&r};
    const auto describe = [&chain] {
      // Long chains are named by their ends only, so that the message stays one readable line.
      std::string text;
      for (std::size_t i = 0; i < chain.size(); ++i) {
        if (chain.size() > 8 && i == 4) {
          text += " -> ... (" + std::to_string(chain.size() - 8) + " more)";
          i = chain.size() - 4;
        }
        text += (i == 0 ? "" : " -> ") + quote_text(chain[i]->id);
      }
      return text;
    };
    const RegionEntry* x = &r;
    while (x->kind == RegionKind::alias) {
      x = &d.regions[d.index.at(x->target)];
      const bool seen = std::find(chain.begin(), chain.end(), x) != chain.end();
      chain.push_back(x);
      if (x == &r) throw MemmapError(r.where + ": alias cycle " + describe());
      if (seen) throw MemmapError(r.where + ": the alias chain runs into an alias cycle (" + describe() + ")");
      if (x->kind == RegionKind::alias && chain.size() > static_cast<std::size_t>(kMaxRenderDepth)) {
        throw MemmapError(r.where + ": aliases of aliases nest deeper than " +
                          std::to_string(kMaxRenderDepth) + " levels (" + describe() + ")");
      }
    }
  }
  for (const SpaceEntry& s : d.spaces) {
    if (d.index.find(s.root) == d.index.end()) {
      throw MemmapError(s.where + ": root " + quote_text(s.root) + " is not a region id");
    }
  }
}

// Runs one API call; a refusal (reported while load() catches reports, or
// the call's effect missing) becomes a refusal of the file.
template <typename Call, typename Check>
void api(const std::string& where, Call&& call, Check&& took_effect) {
  try {
    call();
  } catch (const Error& refusal) {
    throw MemmapError(where + ": " + refusal.what());
  }
  if (!took_effect()) throw MemmapError(where + ": refused by the region API");
}

// Makes the region of an entry, with what only its kind has.
Region& make_region(MemoryMap& map, const RegionEntry& r, std::vector<std::pair<AliasRegion*, const RegionEntry*>>& aliases) {
  switch (r.kind) {
    case RegionKind::ram:
      if (r.file) return map.make<FileRamRegion>(r.id, r.name, r.size, *r.file);
      if (r.max_size) return map.make<RamRegion>(r.id, r.name, ResizeableRam{r.size, *r.max_size, {}});
      return map.make<RamRegion>(r.id, r.name, r.size);
    case RegionKind::rom:
      if (r.file) return map.make<FileRomRegion>(r.id, r.name, r.size, *r.file);
      return map.make<RomRegion>(r.id, r.name, r.size);
    case RegionKind::rom_device: {
      auto& device = map.make<RomDeviceRegion>(r.id, r.name, r.size);
      device.set_romd(r.romd);
      if (r.flush_coalesced.value_or(false)) device.set_flush_coalesced();
      return device;
    }
    case RegionKind::mmio: {
      if (!r.coalesce_all && r.coalescing.empty() && r.ioeventfds.empty()) {
        auto& mmio = map.make<MmioRegion>(r.id, r.name, r.size);
        if (r.flush_coalesced.value_or(false)) mmio.set_flush_coalesced();
        return mmio;
      }
      auto& mmio = map.make<LoadedMmioRegion>(r.id, r.name, r.size);
      if (r.coalesce_all) mmio.coalesce_all();
      for (const CoalescingEntry& c : r.coalescing) mmio.coalesce(c.offset, c.size);
      // Coalescing marks the region flush-coalesced, as QEMU does.
      if (r.flush_coalesced.value_or(false)) mmio.set_flush_coalesced();
      for (const IoeventfdEntry& fd : r.ioeventfds) {
        api(fd.where, [&] { mmio.add_ioeventfd(fd.offset, fd.size, fd.data.has_value(), fd.data.value_or(0), fd.eventfd); },
            [] { return true; });
      }
      return mmio;
    }
    case RegionKind::container:
      return map.make<ContainerRegion>(r.id, r.name, r.size);
    case RegionKind::alias: {
      auto& alias = map.make<AliasRegion>(r.id, r.name, r.size);
      aliases.emplace_back(&alias, &r);
      return alias;
    }
    case RegionKind::iommu:
      return map.make<IommuRegion>(r.id, r.name, r.size);
    case RegionKind::reservation:
      return map.make<ReservationRegion>(r.id, r.name, r.size);
  }
  throw MemmapError(r.where + ": unknown kind");
}

std::unique_ptr<MemoryMap> build(const Document& d) {
  auto map = std::make_unique<MemoryMap>();
  std::vector<Region*> made;
  std::vector<std::pair<AliasRegion*, const RegionEntry*>> aliases;
  made.reserve(d.regions.size());
  for (const RegionEntry& r : d.regions) {
    Region& region = make_region(*map, r, aliases);
    made.push_back(&region);
    region.set_enabled(r.enabled);
    if (r.readonly) region.set_readonly(*r.readonly);
    region.set_nonvolatile(r.nonvolatile);
    if (r.address) region.set_address(*r.address);
  }
  for (const auto& [alias, r] : aliases) {
    Region* target = made[d.index.at(r->target)];
    api(r->where, [&] { alias->set_target(*target, r->target_offset); },
        [&] { return alias->alias_target() == target; });
  }
  for (std::size_t i = 0; i < d.regions.size(); ++i) {
    Region& container = *made[i];
    for (const SubregionEntry& s : d.regions[i].subregions) {
      Region& sub = *made[d.index.at(s.region)];
      api(s.where,
          [&] { container.add_subregion_placed(s.offset, sub, s.priority, s.overlap); },
          [&] { return sub.container() == &container; });
    }
  }
  for (const SpaceEntry& s : d.spaces) map->make_address_space(*made[d.index.at(s.root)], s.name);
  return map;
}

// Backing files named relative to the map file are found next to it.
void resolve_files(Document& d, const std::string& base_dir) {
  for (RegionEntry& r : d.regions) {
    if (r.file && std::filesystem::path(r.file->path).is_relative() && !base_dir.empty()) {
      r.file->path = (std::filesystem::path(base_dir) / r.file->path).lexically_normal().string();
    }
  }
}

std::unique_ptr<MemoryMap> load(const std::string& origin, const std::function<json()>& parse,
                                const std::string& base_dir = "") {
  std::unique_ptr<MemoryMap> map;
  std::string error;
  {
    // The map's refusals become refusals of the file, whatever handler the
    // program installed; warnings go where they went.
    const ReportHandler outer = report_handler();
    ScopedReportHandler catching([&outer](Severity severity, const char* type, const std::string& message) {
      if (severity == Severity::error) throw Error(type, message);
      outer(severity, type, message);
    });
    transaction_begin();
    try {
      Document document = parse_document(parse());
      resolve_files(document, base_dir);
      check_graph(document);
      map = build(document);
    } catch (const MemmapError& e) {
      error = e.what();
    } catch (const Error& e) {
      error = e.what();
    }
    if (!error.empty()) map.reset();
    const std::string overflow = transaction_commit_quietly();
    if (error.empty() && !overflow.empty()) {
      error = overflow;
      transaction_begin();
      map.reset();
      transaction_commit_quietly();
    }
  }
  if (!error.empty()) {
    report(Severity::error, kMemmapMsg, origin + ": " + error);
    return nullptr;
  }
  return map;
}

bool is_yaml_path(const std::string& path) {
  auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends_with(".yaml") || ends_with(".yml");
}

}  // namespace

std::unique_ptr<MemoryMap> load_memmap_json(const std::string& text, const std::string& origin) {
  return load(origin, [&] { return detail::parse_memmap_json(text); });
}

std::unique_ptr<MemoryMap> load_memmap_yaml(const std::string& text, const std::string& origin) {
  return load(origin, [&] { return detail::parse_memmap_yaml(text); });
}

std::unique_ptr<MemoryMap> load_memmap_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    report(Severity::error, kMemmapMsg, path + ": cannot open the file");
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    report(Severity::error, kMemmapMsg, path + ": cannot read the file");
    return nullptr;
  }
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  if (is_yaml_path(path)) return load(path, [&] { return detail::parse_memmap_yaml(text.str()); }, base_dir);
  return load(path, [&] { return detail::parse_memmap_json(text.str()); }, base_dir);
}

}  // namespace tlmmap
