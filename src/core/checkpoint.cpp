// Checkpoint files: a header, then one record per region in walk order:
// its shape (path, kind, size), its state, its memory pages, its dirty bits.
// Little-endian fixed-width fields; a restore reads the whole file once to
// check it (skipping page data) before it changes anything.
#include "tlmmap/core/checkpoint.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_set>
#include <vector>

#include "map_state.hpp"
#include "region_node.hpp"
#include "report.hpp"
#include "space_node.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/transaction.hpp"

namespace tlmmap {

using detail::MapState;
using detail::RegionNode;
using detail::report_error;

namespace {

constexpr char kMagic[8] = {'T', 'L', 'M', 'M', 'A', 'P', 'C', 'P'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kChunk = 4096;  // the unit of saved memory
constexpr uint64_t kNoMorePages = ~uint64_t(0);

struct Placed {
  std::string path;
  RegionNode* node;
};

RegionNode* top_of(RegionNode* n) {
  while (n->container != nullptr) n = n->container;
  return n;
}

// Siblings (or tops) in name order, a repeated name numbered "#2", "#3"...
void name_in_order(std::vector<RegionNode*>& nodes, const std::string& prefix, std::vector<Placed>& out) {
  std::stable_sort(nodes.begin(), nodes.end(), [](RegionNode* a, RegionNode* b) { return a->name < b->name; });
  std::map<std::string, int> seen;
  for (RegionNode* n : nodes) {
    const int k = ++seen[n->name];
    out.push_back({prefix + n->name + (k > 1 ? "#" + std::to_string(k) : ""), n});
  }
}

// Every region reached from a live address space or an alias, and every
// live memory region, with its path; pre-order, explicit stack.
std::vector<Placed> walk_map() {
  MapState& state = MapState::get();
  std::vector<RegionNode*> tops;
  std::unordered_set<RegionNode*> known_tops;
  const auto add_top = [&](RegionNode* n) {
    n = top_of(n);
    if (known_tops.insert(n).second) tops.push_back(n);
  };
  for (detail::SpaceNode* space : state.spaces()) {
    if (space->root != nullptr) add_top(space->root);
  }
  std::vector<RegionNode*> memory;
  for (const auto& named : state.ram_names()) memory.push_back(named.second);
  std::sort(memory.begin(), memory.end(), [](RegionNode* a, RegionNode* b) { return a->name < b->name; });
  for (RegionNode* n : memory) add_top(n);

  std::vector<Placed> out;
  std::vector<Placed> level;
  // Tops found later (alias targets outside every tree) are walked after.
  for (std::size_t done = 0; done < tops.size();) {
    std::vector<RegionNode*> fresh(tops.begin() + static_cast<std::ptrdiff_t>(done), tops.end());
    done = tops.size();
    level.clear();
    name_in_order(fresh, "", level);
    std::vector<Placed> stack(level.rbegin(), level.rend());
    while (!stack.empty()) {
      Placed p = std::move(stack.back());
      stack.pop_back();
      if (p.node->alias_target != nullptr) add_top(p.node->alias_target);
      std::vector<RegionNode*> children(p.node->subregions.rbegin(), p.node->subregions.rend());
      level.clear();
      name_in_order(children, p.path + "/", level);
      for (auto it = level.rbegin(); it != level.rend(); ++it) stack.push_back(std::move(*it));
      out.push_back(std::move(p));
    }
  }
  return out;
}

// The size that must match: a resizeable RAM's maximum, else the size.
u128 shape_size(const RegionNode& n) {
  return n.has_host_memory() ? std::max(n.memory_capacity(), n.size) : n.size;
}

uint8_t state_flags(const RegionNode& n) {
  return static_cast<uint8_t>((n.enabled ? 1 : 0) | (n.readonly ? 2 : 0) | (n.nonvolatile ? 4 : 0) |
                              (n.romd_mode ? 8 : 0));
}

// Which chunks of a block may hold non-zero bytes (every chunk, unless the
// host can tell which pages of anonymous memory were never touched).
std::vector<bool> maybe_written(const detail::HostMemory& memory, const uint8_t* base, uint64_t length) {
  const uint64_t chunks = (length + kChunk - 1) / kChunk;
  std::vector<bool> out(chunks, true);
  const long host_page = sysconf(_SC_PAGESIZE);
  if (!memory.anonymous() || host_page <= 0) return out;
  const uint64_t page = static_cast<uint64_t>(host_page);
  std::vector<unsigned char> resident((length + page - 1) / page);
  if (mincore(const_cast<uint8_t*>(base), length, resident.data()) != 0) return out;
  for (uint64_t c = 0; c < chunks; ++c) out[c] = (resident[c * kChunk / page] & 1) != 0;
  return out;
}

bool all_zero(const uint8_t* p, uint64_t n) {
  static const uint8_t zero[kChunk] = {};
  return std::memcmp(p, zero, n) == 0;
}

class Writer {
 public:
  explicit Writer(std::FILE* f) : f_(f) {}
  void bytes(const void* p, std::size_t n) { ok_ = ok_ && std::fwrite(p, 1, n, f_) == n; }
  void u8(uint8_t v) { bytes(&v, 1); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void u128v(u128 v) {
    u64(static_cast<uint64_t>(v));
    u64(static_cast<uint64_t>(v >> 64));
  }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  bool ok() const noexcept { return ok_; }

 private:
  void le(uint64_t v, unsigned n) {
    uint8_t b[8];
    for (unsigned i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    bytes(b, n);
  }
  std::FILE* f_;
  bool ok_ = true;
};

class Reader {
 public:
  explicit Reader(std::FILE* f) : f_(f) {}
  void bytes(void* p, std::size_t n) { ok_ = ok_ && std::fread(p, 1, n, f_) == n; }
  void skip(uint64_t n) { ok_ = ok_ && std::fseek(f_, static_cast<long>(n), SEEK_CUR) == 0; }
  uint8_t u8() { return static_cast<uint8_t>(le(1)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  u128 u128v() {
    const uint64_t lo = u64();
    return (u128(u64()) << 64) | lo;
  }
  std::string str() {
    const uint32_t n = u32();
    if (!ok_ || n > (1u << 20)) {
      ok_ = false;
      return {};
    }
    std::string s(n, '\0');
    bytes(s.data(), n);
    return s;
  }
  long tell() const { return std::ftell(f_); }
  void seek(long at) { ok_ = ok_ && std::fseek(f_, at, SEEK_SET) == 0; }
  bool ok() const noexcept { return ok_; }

 private:
  uint64_t le(unsigned n) {
    uint8_t b[8] = {};
    bytes(b, n);
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint64_t(b[i]) << (8 * i);
    return v;
  }
  std::FILE* f_;
  bool ok_ = true;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

void save_memory(Writer& w, RegionNode& n) {
  detail::HostMemory* memory = n.memory_block();
  uint8_t* base = memory != nullptr ? memory->existing() : nullptr;
  w.u8(memory != nullptr ? 1 : 0);
  if (memory == nullptr) return;
  const uint64_t length = static_cast<uint64_t>(memory->size());
  if (base != nullptr) {
    const std::vector<bool> maybe = maybe_written(*memory, base, length);
    for (uint64_t c = 0; c < maybe.size(); ++c) {
      const uint64_t n_bytes = std::min(kChunk, length - c * kChunk);
      if (!maybe[c] || all_zero(base + c * kChunk, n_bytes)) continue;
      w.u64(c);
      w.bytes(base + c * kChunk, n_bytes);
    }
  }
  w.u64(kNoMorePages);
}

void save_dirty(Writer& w, RegionNode& n) {
  const DirtyBitmaps* bitmaps = n.dirty_bitmaps(false);
  w.u8(bitmaps != nullptr ? 1 : 0);
  if (bitmaps == nullptr) return;
  w.u32(bitmaps->page_shift());
  w.u64(bitmaps->words());
  for (unsigned c = 0; c < kDirtyClientCount; ++c) {
    for (uint64_t i = 0; i < bitmaps->words(); ++i) w.u64(bitmaps->word(static_cast<DirtyClient>(c), i));
  }
}

// One region's record, as read by the checking pass.
struct Record {
  std::string path;
  uint8_t kind = 0;
  u128 shape = 0;
  uint8_t flags = 0;
  uint64_t address = 0;
  uint64_t alias_offset = 0;
  u128 size = 0;
  long pages_at = -1;  // where its memory pages start in the file, -1 without memory
  long dirty_at = -1;  // where its dirty words start, -1 without bitmaps
  unsigned dirty_shift = 0;
};

std::string hex_of(u128 v) { return hex(v); }

// Reads and checks every record against the map (nothing is changed);
// returns "" or what is wrong.
std::string check_file(Reader& r, const std::vector<Placed>& regions, std::vector<Record>& records) {
  char magic[8] = {};
  r.bytes(magic, 8);
  if (!r.ok() || std::memcmp(magic, kMagic, 8) != 0) return "not a tlmmap checkpoint";
  const uint32_t version = r.u32();
  if (version != kVersion) return "checkpoint version " + std::to_string(version) + ", this library reads version 1";
  const uint64_t count = r.u64();
  if (!r.ok()) return "the file ends early";
  if (count != regions.size()) {
    return "the checkpoint holds " + std::to_string(count) + " regions, the map has " +
           std::to_string(regions.size());
  }
  for (const Placed& here : regions) {
    Record rec;
    rec.path = r.str();
    rec.kind = r.u8();
    rec.shape = r.u128v();
    rec.flags = r.u8();
    rec.address = r.u64();
    rec.alias_offset = r.u64();
    rec.size = r.u128v();
    if (!r.ok()) return "the file ends early (at region '" + here.path + "')";
    const RegionNode& n = *here.node;
    if (rec.path != here.path) {
      return "region '" + rec.path + "' of the checkpoint is not where the map has region '" + here.path + "'";
    }
    if (rec.kind != static_cast<uint8_t>(n.kind)) {
      return "region '" + here.path + "' is " + std::string(to_string(static_cast<RegionKind>(rec.kind))) +
             " in the checkpoint, " + std::string(to_string(n.kind)) + " in the map";
    }
    if (rec.shape != shape_size(n)) {
      return "region '" + here.path + "' has size " + hex_of(rec.shape) + " in the checkpoint, " +
             hex_of(shape_size(n)) + " in the map";
    }
    const bool has_memory = r.u8() != 0;
    if (has_memory != (const_cast<RegionNode&>(n).memory_block() != nullptr)) {
      return "region '" + here.path + "': memory in one and not the other";
    }
    if (has_memory) {
      rec.pages_at = r.tell();
      const uint64_t length = static_cast<uint64_t>(n.memory_capacity());
      for (uint64_t c = r.u64(); r.ok() && c != kNoMorePages; c = r.u64()) {
        if (c >= (length + kChunk - 1) / kChunk) return "region '" + here.path + "': a page beyond its memory";
        r.skip(std::min(kChunk, length - c * kChunk));
      }
    }
    if (r.u8() != 0) {
      rec.dirty_shift = r.u32();
      const uint64_t words = r.u64();
      if (!r.ok()) return "the file ends early (at region '" + here.path + "')";
      const uint64_t page = uint64_t(1) << std::min(rec.dirty_shift, 63u);
      if (page != dirty_page_size()) {
        return "region '" + here.path + "': dirty pages of " + std::to_string(page) + " bytes in the checkpoint, " +
               std::to_string(dirty_page_size()) + " here";
      }
      const uint64_t pages = (static_cast<uint64_t>(n.memory_capacity()) + page - 1) / page;
      if (words != (pages + 63) / 64) return "region '" + here.path + "': dirty bitmaps of another size";
      rec.dirty_at = r.tell();
      r.skip(words * 8 * kDirtyClientCount);
    }
    if (!r.ok()) return "the file ends early (at region '" + here.path + "')";
    records.push_back(std::move(rec));
  }
  return "";
}

void restore_state(const Record& rec, RegionNode& n) {
  Region* region = detail::handle_of(&n);
  if (region == nullptr) return;
  region->set_enabled((rec.flags & 1) != 0);
  region->set_readonly((rec.flags & 2) != 0);
  region->set_nonvolatile((rec.flags & 4) != 0);
  // Moving re-adds a region (it then wins ties): only regions that moved.
  if (n.address != rec.address) region->set_address(rec.address);
  if (n.kind == RegionKind::alias && n.alias_offset != rec.alias_offset) {
    static_cast<AliasRegion*>(region)->set_alias_offset(rec.alias_offset);
  }
  if (n.kind == RegionKind::rom_device) static_cast<RomDeviceRegion*>(region)->set_romd((rec.flags & 8) != 0);
  if (n.size != rec.size) {
    if (n.kind == RegionKind::ram && static_cast<detail::RamNode&>(n).max_size != 0) {
      static_cast<RamRegion*>(region)->resize(rec.size);  // a resizeable RAM: its owner hears of it
    } else {
      region->set_size(rec.size);
    }
  }
}

void restore_memory(Reader& r, const Record& rec, RegionNode& n) {
  detail::HostMemory& memory = *n.memory_block();
  const uint64_t length = static_cast<uint64_t>(memory.size());
  r.seek(rec.pages_at);
  std::vector<bool> saved((length + kChunk - 1) / kChunk, false);
  uint8_t* base = memory.existing();
  for (uint64_t c = r.u64(); r.ok() && c != kNoMorePages; c = r.u64()) {
    if (base == nullptr) base = n.host_memory();
    const uint64_t bytes = std::min(kChunk, length - c * kChunk);
    if (base == nullptr) {
      r.skip(bytes);
      continue;
    }
    r.bytes(base + c * kChunk, bytes);
    saved[c] = true;
  }
  if (base == nullptr) return;
  // What the checkpoint did not hold was zero when it was saved.
  const std::vector<bool> maybe = maybe_written(memory, base, length);
  for (uint64_t c = 0; c < saved.size(); ++c) {
    const uint64_t bytes = std::min(kChunk, length - c * kChunk);
    if (!saved[c] && maybe[c] && !all_zero(base + c * kChunk, bytes)) std::memset(base + c * kChunk, 0, bytes);
  }
}

void restore_dirty(Reader& r, const Record& rec, RegionNode& n) {
  DirtyBitmaps* bitmaps = n.dirty_bitmaps(rec.dirty_at >= 0);
  if (bitmaps == nullptr) return;
  if (rec.dirty_at >= 0) r.seek(rec.dirty_at);
  for (unsigned c = 0; c < kDirtyClientCount; ++c) {
    for (uint64_t i = 0; i < bitmaps->words(); ++i) {
      bitmaps->set_word(static_cast<DirtyClient>(c), i, rec.dirty_at >= 0 ? r.u64() : 0);
    }
  }
}

}  // namespace

void save_checkpoint(const std::string& path) {
  const std::vector<Placed> regions = walk_map();
  const std::string partial = path + ".partial";
  File f(std::fopen(partial.c_str(), "wb"));
  if (!f) {
    report_error(kCheckpointMsg, "cannot write checkpoint '" + path + "': " + std::strerror(errno));
    return;
  }
  Writer w(f.get());
  w.bytes(kMagic, 8);
  w.u32(kVersion);
  w.u64(regions.size());
  for (const Placed& p : regions) {
    RegionNode& n = *p.node;
    w.str(p.path);
    w.u8(static_cast<uint8_t>(n.kind));
    w.u128v(shape_size(n));
    w.u8(state_flags(n));
    w.u64(n.address);
    w.u64(n.alias_offset);
    w.u128v(n.size);
    save_memory(w, n);
    save_dirty(w, n);
  }
  const bool written = w.ok() && std::fflush(f.get()) == 0;
  f.reset();
  // Whole or not at all: a failed save leaves an earlier checkpoint as it was.
  if (!written || std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    report_error(kCheckpointMsg, "cannot write checkpoint '" + path + "': " + std::strerror(errno));
  }
}

void restore_checkpoint(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    report_error(kCheckpointMsg, "cannot read checkpoint '" + path + "': " + std::strerror(errno));
    return;
  }
  const std::vector<Placed> regions = walk_map();
  Reader r(f.get());
  std::vector<Record> records;
  const std::string wrong = check_file(r, regions, records);
  if (!wrong.empty()) {
    report_error(kCheckpointMsg, "checkpoint '" + path + "' refused, nothing restored: " + wrong);
    return;
  }
  {
    Transaction t;
    for (std::size_t i = 0; i < regions.size(); ++i) restore_state(records[i], *regions[i].node);
  }
  for (std::size_t i = 0; i < regions.size(); ++i) {
    if (records[i].pages_at >= 0) restore_memory(r, records[i], *regions[i].node);
    restore_dirty(r, records[i], *regions[i].node);
  }
}

}  // namespace tlmmap
