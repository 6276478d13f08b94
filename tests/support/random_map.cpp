#include "support/random_map.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <utility>

#include <systemc>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/flat_view.hpp"
#include "tlmmap/core/iommu_region.hpp"
#include "tlmmap/memmap/memmap_loader.hpp"
#include "tlmmap/memmap/memmap_writer.hpp"
#include "tlmmap/core/memory_map.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/reservation_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/rom_region.hpp"
#include "tlmmap/core/transaction.hpp"

namespace tlmmap::test {

uint64_t mix_seed(uint64_t base, uint64_t n) {
  uint64_t z = base + 0x9e3779b97f4a7c15ULL * (n + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// ---------------------------------------------------------------------------
// Names and text

namespace {

const char* kind_word(RegionKind kind) {
  switch (kind) {
    case RegionKind::ram: return "ram";
    case RegionKind::rom: return "rom";
    case RegionKind::rom_device: return "romd";
    case RegionKind::mmio: return "mmio";
    case RegionKind::container: return "container";
    case RegionKind::alias: return "alias";
    case RegionKind::iommu: return "iommu";
    case RegionKind::reservation: return "resv";
  }
  return "region";
}

const char* class_name(RegionKind kind) {
  switch (kind) {
    case RegionKind::ram: return "RamRegion";
    case RegionKind::rom: return "RomRegion";
    case RegionKind::rom_device: return "RomDeviceRegion";
    case RegionKind::mmio: return "MmioRegion";
    case RegionKind::container: return "ContainerRegion";
    case RegionKind::alias: return "AliasRegion";
    case RegionKind::iommu: return "IommuRegion";
    case RegionKind::reservation: return "ReservationRegion";
  }
  return "Region";
}

std::string size_text(u128 size) { return size == k64BitSpace ? "2^64" : hex(size); }

const char* boolean(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string region_name(const MapSpec& spec, int index) {
  if (index < 0 || index >= static_cast<int>(spec.regions.size())) return "<none>";
  return kind_word(spec.regions[index].kind) + std::to_string(index);
}

std::string describe_op(const MapSpec& spec, const Op& op) {
  const std::string a = region_name(spec, op.a);
  const std::string b = region_name(spec, op.b);
  switch (op.kind) {
    case OpKind::add:
      if (op.flag) {
        return a + ".add_subregion_overlap(" + hex(op.value) + ", " + b + ", " + std::to_string(op.priority) + ")";
      }
      return a + ".add_subregion(" + hex(op.value) + ", " + b + ")";
    case OpKind::del: return a + ".del_subregion(" + b + ")";
    case OpKind::set_enabled: return a + ".set_enabled(" + boolean(op.flag) + ")";
    case OpKind::set_address: return a + ".set_address(" + hex(op.value) + ")";
    case OpKind::set_alias_offset: return a + ".set_alias_offset(" + hex(op.value) + ")";
    case OpKind::set_target: return a + ".set_target(" + b + ", " + hex(op.value) + ")";
    case OpKind::set_readonly: return a + ".set_readonly(" + boolean(op.flag) + ")";
    case OpKind::set_nonvolatile: return a + ".set_nonvolatile(" + boolean(op.flag) + ")";
    case OpKind::set_romd: return a + ".set_romd(" + boolean(op.flag) + ")";
    case OpKind::begin: return "transaction_begin()";
    case OpKind::commit: return "transaction_commit()";
    case OpKind::check: return "check()";
    case OpKind::destroy: return "delete " + a;
    case OpKind::set_latency:
      return a + ".set_latency(" + std::to_string(op.value & 0xff) + " ns, " + std::to_string((op.value >> 8) & 0xff) +
             " ns)";
    case OpKind::set_ops: return a + ".set_ops(ops #" + hex(op.value) + ")";
  }
  return "?";
}

std::string describe_spec(const MapSpec& spec) {
  std::ostringstream out;
  for (std::size_t i = 0; i < spec.regions.size(); ++i) {
    const RegionSpec& r = spec.regions[i];
    const std::string name = region_name(spec, static_cast<int>(i));
    out << "  " << class_name(r.kind) << " " << name << "(\"" << name << "\", ";
    if (r.kind == RegionKind::alias && r.target >= 0) {
      out << region_name(spec, r.target) << ", " << hex(r.alias_offset) << ", ";
    }
    out << size_text(r.size) << ");\n";
  }
  for (std::size_t i = 0; i < spec.spaces.size(); ++i) {
    out << "  AddressSpace as" << i << "(" << region_name(spec, spec.spaces[i]) << ", \"as" << i << "\");\n";
  }
  int depth = 0;
  for (const Op& op : spec.ops) {
    if (op.kind == OpKind::commit) --depth;
    out << "  " << std::string(2 * std::max(depth, 0), ' ') << describe_op(spec, op) << ";\n";
    if (op.kind == OpKind::begin) ++depth;
  }
  return out.str();
}

// ---------------------------------------------------------------------------
// Generator

namespace {

using Rng = std::mt19937_64;

// A cheap generator for the addresses of one check (seeding an mt19937_64
// for every check costs more than the check's naive walks).
struct SplitMix {
  using result_type = uint64_t;
  uint64_t state;
  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return ~uint64_t(0); }
  uint64_t operator()() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

template <typename G>
uint64_t below(G& rng, uint64_t n) {
  return n == 0 ? 0 : std::uniform_int_distribution<uint64_t>(0, n - 1)(rng);
}
bool chance(Rng& rng, int percent) { return below(rng, 100) < static_cast<uint64_t>(percent); }
template <typename G>
uint64_t any64(G& rng) { return rng(); }
// Uniform in [0, n) for n up to 2^64.
template <typename G>
u128 below128(G& rng, u128 n) {
  if (n == 0) return 0;
  if (n >= k64BitSpace) return rng();
  return below(rng, static_cast<uint64_t>(n));
}
u128 clamp_size(u128 s) { return std::min(s, k64BitSpace); }

bool zero_size_ok(RegionKind kind) {
  return kind != RegionKind::ram && kind != RegionKind::rom && kind != RegionKind::rom_device;
}

template <typename G, typename T>
const T& pick(G& rng, const std::vector<T>& v) { return v[below(rng, v.size())]; }

int pick_weighted(Rng& rng, const std::vector<int>& weights) {
  int total = 0;
  for (int w : weights) total += w;
  if (total <= 0) return -1;
  int x = static_cast<int>(below(rng, static_cast<uint64_t>(total)));
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return static_cast<int>(i);
    x -= weights[i];
  }
  return -1;
}

u128 random_size(Rng& rng, RegionKind kind, u128 scale) {
  const int r = static_cast<int>(below(rng, 100));
  u128 s;
  if (zero_size_ok(kind) && r < 3) {
    s = 0;
  } else if (r < 7) {
    s = k64BitSpace;
  } else if (scale > 0 && r < 75) {
    const int k = static_cast<int>(below(rng, 17));
    u128 base = scale >> k;
    if (base == 0) base = 1;
    switch (below(rng, 4)) {
      case 0: s = base; break;
      case 1: s = 1 + below128(rng, base); break;
      case 2: s = base + below(rng, 3); break;
      default: s = base - base / 4; break;
    }
  } else {
    const int e = static_cast<int>(below(rng, 65));
    s = u128(1) << e;
    if (chance(rng, 50)) s = 1 + below128(rng, s);
  }
  s = clamp_size(s);
  if (s == 0 && !zero_size_ok(kind)) s = 1;
  return s;
}

struct Placed {
  uint64_t address;
  u128 size;
};

// An offset for a subregion of `size` inside a container of `parent_size`.
uint64_t pick_offset(Rng& rng, u128 parent_size, u128 size, const std::vector<Placed>& siblings) {
  const u128 S = parent_size;
  const int r = static_cast<int>(below(rng, 100));
  if (r < 14) return 0;
  if (r < 24) return static_cast<uint64_t>(S >= size ? S - size : 0);  // touching the end
  if (r < 38) {                                                        // aligned to its size
    u128 align = 1;
    while (align < size && align < k64BitSpace) align <<= 1;
    const u128 count = S / align;
    if (count == 0) return 0;
    return static_cast<uint64_t>(below128(rng, count) * align);
  }
  if (r < 52) return static_cast<uint64_t>(below128(rng, S));
  if (r < 72 && !siblings.empty()) {  // against a sibling: overlapping or adjacent
    const Placed& sib = pick(rng, siblings);
    const u128 a = sib.address;
    switch (below(rng, 7)) {
      case 0: return static_cast<uint64_t>(a);
      case 1: return static_cast<uint64_t>(a + sib.size / 2);
      case 2: return static_cast<uint64_t>(a + sib.size - 1);
      case 3: return static_cast<uint64_t>(a + sib.size);
      case 4: return static_cast<uint64_t>(a - size / 2);
      case 5: return static_cast<uint64_t>(a - size);
      default: return static_cast<uint64_t>(a + 1);
    }
  }
  if (r < 78) return static_cast<uint64_t>(S - size / 2);  // partly beyond the end
  if (r < 83) return static_cast<uint64_t>(S + below(rng, 16));  // beyond the end
  if (r < 92) {                                                 // touching 2^64 - 1
    return chance(rng, 60) ? static_cast<uint64_t>(k64BitSpace - size) : ~uint64_t(0) - below(rng, 16);
  }
  return any64(rng);
}

int pick_priority(Rng& rng, bool& overlap) {
  overlap = !chance(rng, 35);
  if (!overlap) return 0;
  const int r = static_cast<int>(below(rng, 100));
  if (r < 32) return 0;
  if (r < 52) return 1;
  if (r < 70) return -1;
  if (r < 82) return 2;
  if (r < 92) return -2;
  if (r < 95) return 3;
  if (r < 97) return INT_MAX;
  return INT_MIN;
}

// The generator's model of the map's structure, used to keep the random
// operations away from maps that cannot render (cycles other than mirrors,
// mirrors that recurse hundreds of levels deep).
struct Sim {
  std::vector<RegionSpec>* regions = nullptr;
  // 0: mirror shifts may have either sign; +1/-1: all mirrors shift that way,
  // so no cycle of mirrors can add up to zero and every recursion ends.
  int mirror_sign = 0;
  std::vector<int> parent;
  std::vector<uint64_t> address;
  std::vector<int> target;
  std::vector<uint64_t> offset;
  std::vector<bool> enabled, readonly, nonvolatile, romd;

  int n() const { return static_cast<int>(parent.size()); }
  const RegionSpec& spec(int i) const { return (*regions)[i]; }
  bool is_alias(int i) const { return spec(i).kind == RegionKind::alias; }

  void grow(int count) {
    parent.resize(count, -1);
    address.resize(count, 0);
    target.resize(count, -1);
    offset.resize(count, 0);
    enabled.resize(count, true);
    readonly.resize(count, false);
    nonvolatile.resize(count, false);
    romd.resize(count, true);
  }

  bool in_subtree(int node, int top) const {  // node == top or below it
    for (int r = node; r >= 0; r = parent[r]) {
      if (r == top) return true;
    }
    return false;
  }

  // Edges without mirror edges: container -> subregion, alias -> target.
  std::vector<std::vector<int>> graph() const {
    std::vector<std::vector<int>> g(n());
    for (int i = 0; i < n(); ++i) {
      if (parent[i] >= 0) g[parent[i]].push_back(i);
      if (is_alias(i) && !spec(i).mirror && target[i] >= 0) g[i].push_back(target[i]);
    }
    return g;
  }

  bool valid() const {
    const auto g = graph();
    // Acyclic without the mirror edges.
    std::vector<int> color(n(), 0);
    std::function<bool(int)> dfs = [&](int v) {
      color[v] = 1;
      for (int w : g[v]) {
        if (color[w] == 1) return false;
        if (color[w] == 0 && !dfs(w)) return false;
      }
      color[v] = 2;
      return true;
    };
    for (int i = 0; i < n(); ++i) {
      if (color[i] == 0 && !dfs(i)) return false;
    }
    for (int m = 0; m < n(); ++m) {
      if (!is_alias(m) || !spec(m).mirror || target[m] < 0) continue;
      const int top = target[m];
      // Paths from the mirrored container to the mirror, capped at 2.
      std::vector<int> memo(n(), -1);
      std::function<int(int)> paths = [&](int v) -> int {
        if (v == m) return 1;
        if (memo[v] >= 0) return memo[v];
        int total = 0;
        for (int w : g[v]) total = std::min(2, total + paths(w));
        return memo[v] = total;
      };
      const int count = paths(top);
      if (count == 0) continue;
      if (count > 1 || !in_subtree(m, top) || m == top) return false;
      // The shift of the mirror: where it sits in `top` minus what it shows.
      i128 path = 0;
      for (int r = m; r != top; r = parent[r]) path += static_cast<i128>(address[r]);
      const i128 shift = path - static_cast<i128>(offset[m]);
      if (shift == 0) return false;
      if (mirror_sign != 0 && (shift > 0 ? 1 : -1) != mirror_sign) return false;
      const u128 magnitude = static_cast<u128>(shift < 0 ? -shift : shift);
      if (spec(m).size > 16 * magnitude) return false;
    }
    return true;
  }

  void apply(const Op& op) {
    switch (op.kind) {
      case OpKind::add:
        parent[op.b] = op.a;
        address[op.b] = op.value;
        break;
      case OpKind::del: parent[op.b] = -1; break;
      case OpKind::set_enabled: enabled[op.a] = op.flag; break;
      case OpKind::set_address: address[op.a] = op.value; break;
      case OpKind::set_alias_offset: offset[op.a] = op.value; break;
      case OpKind::set_target:
        target[op.a] = op.b;
        offset[op.a] = op.value;
        break;
      case OpKind::set_readonly: readonly[op.a] = op.flag; break;
      case OpKind::set_nonvolatile: nonvolatile[op.a] = op.flag; break;
      case OpKind::set_romd: romd[op.a] = op.flag; break;
      default: break;
    }
  }

  // Applies `op` if the API accepts it and the map stays renderable; false
  // (and unchanged) if not.
  bool try_apply(const Op& op) {
    if (op.kind == OpKind::add &&
        (parent[op.b] >= 0 || is_alias(op.a) || in_subtree(op.a, op.b))) {
      return false;
    }
    if (op.kind == OpKind::del && parent[op.b] != op.a) return false;
    if ((op.kind == OpKind::set_alias_offset || op.kind == OpKind::set_target) && !is_alias(op.a)) return false;
    if (op.kind == OpKind::set_target && op.a == op.b) return false;
    if (op.kind == OpKind::set_readonly && spec(op.a).kind == RegionKind::rom && !op.flag) return false;
    if (op.kind == OpKind::set_romd && spec(op.a).kind != RegionKind::rom_device) return false;
    Sim copy = *this;
    copy.apply(op);
    if (!copy.valid()) return false;
    *this = std::move(copy);
    return true;
  }

  std::vector<Placed> siblings_of(int container, int except) const {
    std::vector<Placed> out;
    for (int i = 0; i < n(); ++i) {
      if (parent[i] == container && i != except) out.push_back({address[i], spec(i).size});
    }
    return out;
  }
};

uint64_t pick_alias_offset(Rng& rng, u128 target_size) {
  const int r = static_cast<int>(below(rng, 100));
  if (r < 40 || target_size == 0) return 0;
  if (r < 65) return static_cast<uint64_t>(below128(rng, target_size));
  if (r < 75) return static_cast<uint64_t>(target_size - 1 - std::min<u128>(below(rng, 4), target_size - 1));
  if (r < 85) {
    const u128 step = std::max<u128>(1, target_size >> below(rng, 6));
    return static_cast<uint64_t>(std::min<u128>(below(rng, 8) * step, target_size - 1));
  }
  if (r < 92) return static_cast<uint64_t>(target_size + below(rng, 8));
  return any64(rng);
}

u128 pick_alias_size(Rng& rng, u128 target_size, uint64_t offset) {
  const u128 rest = target_size > offset ? target_size - offset : 0;
  const int r = static_cast<int>(below(rng, 100));
  u128 s;
  if (r < 35) {
    s = rest > 0 ? rest : 1;
  } else if (r < 65) {
    s = 1 + below128(rng, rest > 0 ? rest : 1);
  } else if (r < 75) {
    s = rest + 1 + below(rng, 1000);
  } else if (r < 80) {
    s = k64BitSpace;
  } else if (r < 83) {
    s = 0;
  } else {
    s = random_size(rng, RegionKind::alias, target_size);
  }
  return clamp_size(s);
}

class Generator {
 public:
  Generator(uint64_t seed, const GeneratorOptions& options) : rng_(seed), options_(options) {
    spec_.seed = seed;
  }

  MapSpec run() {
    mirror_sign_ = chance(rng_, 8) ? 0 : chance(rng_, 50) ? 1 : -1;
    plan_regions();
    plan_tree();
    plan_alias_targets();
    plan_sizes();
    plan_mirrors();
    plan_bus_master();
    plan_spaces();
    sim_.regions = &spec_.regions;
    sim_.mirror_sign = mirror_sign_;
    sim_.grow(static_cast<int>(spec_.regions.size()));
    for (int i = 0; i < n(); ++i) {
      sim_.target[i] = spec_.regions[i].target;
      sim_.offset[i] = spec_.regions[i].alias_offset;
    }
    build_ops();
    mutation_ops();
    renumber();
    return std::move(spec_);
  }

 private:
  int n() const { return static_cast<int>(spec_.regions.size()); }
  RegionKind kind(int i) const { return spec_.regions[i].kind; }

  void plan_regions() {
    const int span = std::max(0, options_.max_regions - options_.min_regions);
    // Skewed towards small maps: most bugs need few regions, and small maps are fast.
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    const int count = options_.min_regions + static_cast<int>(u * u * (span + 1));
    spec_.regions.resize(std::max(count, 2));
    spec_.regions[0].kind = RegionKind::container;
    static const RegionKind kinds[] = {RegionKind::container, RegionKind::ram,        RegionKind::rom,
                                       RegionKind::rom_device, RegionKind::mmio,      RegionKind::alias,
                                       RegionKind::iommu,     RegionKind::reservation};
    const std::vector<int> weights = {20, 14, 7, 7, 20, 22, 4, 6};
    for (int i = 1; i < n(); ++i) spec_.regions[i].kind = kinds[pick_weighted(rng_, weights)];
    parent_.assign(n(), -1);
  }

  // Parents are chosen among regions placed earlier in a random order, so
  // containment never loops. Aliases hold nothing.
  void plan_tree() {
    std::vector<int> order;
    for (int i = 1; i < n(); ++i) order.push_back(i);
    std::shuffle(order.begin(), order.end(), rng_);
    std::vector<int> placed{0};
    for (int i : order) {
      if (!chance(rng_, 8)) {
        std::vector<int> candidates;
        std::vector<int> weights;
        for (int p : placed) {
          if (kind(p) == RegionKind::alias) continue;
          candidates.push_back(p);
          weights.push_back(p == 0 ? 6 : kind(p) == RegionKind::container ? 5 : 1);
        }
        const int c = pick_weighted(rng_, weights);
        if (c >= 0) parent_[i] = candidates[c];
      }
      placed.push_back(i);
    }
    tree_order_ = placed;
  }

  // Targets keep the graph (subregion and alias edges) acyclic.
  void plan_alias_targets() {
    Sim sim;
    sim.regions = &spec_.regions;
    sim.grow(n());
    sim.parent = parent_;
    std::vector<int> aliases;
    for (int i = 0; i < n(); ++i) {
      if (kind(i) == RegionKind::alias) aliases.push_back(i);
    }
    std::shuffle(aliases.begin(), aliases.end(), rng_);
    for (int a : aliases) {
      // No mirrors yet: a target is fine unless it reaches the alias.
      const auto g = sim.graph();
      std::vector<std::vector<int>> reverse(n());
      for (int v = 0; v < n(); ++v) {
        for (int w : g[v]) reverse[w].push_back(v);
      }
      std::vector<bool> reaches(n(), false);
      std::vector<int> todo{a};
      reaches[a] = true;
      while (!todo.empty()) {
        const int v = todo.back();
        todo.pop_back();
        for (int u : reverse[v]) {
          if (!reaches[u]) {
            reaches[u] = true;
            todo.push_back(u);
          }
        }
      }
      std::vector<int> candidates;
      std::vector<int> weights;
      for (int t = 0; t < n(); ++t) {
        if (reaches[t]) continue;
        candidates.push_back(t);
        weights.push_back(kind(t) == RegionKind::alias       ? 4
                          : kind(t) == RegionKind::container ? 5
                                                             : 6);
      }
      const int c = pick_weighted(rng_, weights);
      if (c < 0) {
        sim.target[a] = -1;
        spec_.regions[a].kind = RegionKind::mmio;
        continue;
      }
      sim.target[a] = candidates[c];
      spec_.regions[a].target = candidates[c];
    }
  }

  u128 size_of(int i, std::vector<int>& state) {
    RegionSpec& r = spec_.regions[i];
    if (state[i] == 2) return r.size;
    state[i] = 1;
    if (r.kind == RegionKind::alias) {
      const u128 target_size = size_of(r.target, state);
      r.alias_offset = pick_alias_offset(rng_, target_size);
      r.size = pick_alias_size(rng_, target_size, r.alias_offset);
    } else if (i == 0) {
      r.size = chance(rng_, 70) ? k64BitSpace : random_size(rng_, RegionKind::container, 0);
      if (r.size == 0) r.size = 0x10000;
    } else {
      const u128 scale = parent_[i] >= 0 && chance(rng_, 80) ? size_of(parent_[i], state) : 0;
      r.size = random_size(rng_, r.kind, scale);
    }
    state[i] = 2;
    return r.size;
  }

  void plan_sizes() {
    std::vector<int> state(n(), 0);
    for (int i = 0; i < n(); ++i) size_of(i, state);
    // Offsets inside the planned containers, in tree order.
    address_.assign(n(), 0);
    for (int i : tree_order_) {
      if (parent_[i] < 0) continue;
      std::vector<Placed> siblings;
      for (int j : tree_order_) {
        if (j == i) break;
        if (parent_[j] == parent_[i]) siblings.push_back({address_[j], spec_.regions[j].size});
      }
      address_[i] = pick_offset(rng_, spec_.regions[parent_[i]].size, spec_.regions[i].size, siblings);
    }
    priority_.assign(n(), 0);
    overlap_.assign(n(), false);
    for (int i = 0; i < n(); ++i) {
      bool overlap = false;
      priority_[i] = pick_priority(rng_, overlap);
      overlap_[i] = overlap;
    }
  }

  // Mirrors: an alias inside a container (or below it) showing that
  // container again at a non-zero shift, as QEMU's MPS2 boards do. The
  // shift is coarse enough that the recursion stays shallow.
  void plan_mirrors() {
    const int count = chance(rng_, 25) ? (chance(rng_, 30) ? 2 : 1) : 0;
    for (int k = 0; k < count; ++k) {
      // Containers (of any depth) reachable from the root through subregions.
      std::vector<int> tops;
      for (int i = 0; i < n(); ++i) {
        if (kind(i) == RegionKind::container && spec_.regions[i].size >= 2 && reaches_root(i)) tops.push_back(i);
      }
      if (tops.empty()) return;
      const int top = pick(rng_, tops);
      // Where the mirror goes: the top itself or a container below it.
      std::vector<int> homes;
      for (int i = 0; i < n(); ++i) {
        if (kind(i) == RegionKind::container && spec_.regions[i].size > 0 && in_planned_subtree(i, top)) {
          homes.push_back(i);
        }
      }
      const int home = chance(rng_, 70) ? top : pick(rng_, homes);
      const u128 top_size = spec_.regions[top].size;
      u128 shift = std::max<u128>(1, top_size >> (1 + below(rng_, 5)));
      if (chance(rng_, 30)) shift = std::max<u128>(1, shift - below128(rng_, shift / 2 + 1));
      u128 size = chance(rng_, 50) ? shift * (1 + below(rng_, 4)) : 1 + below128(rng_, std::min(16 * shift, top_size));
      size = clamp_size(std::min(size, top_size));
      const uint64_t where = static_cast<uint64_t>(below128(rng_, spec_.regions[home].size));
      i128 path = where;
      for (int r = home; r != top; r = parent_[r]) path += static_cast<i128>(address_[r]);
      // shift = path - offset: a positive shift shows the container higher up.
      const int sign = mirror_sign_ != 0 ? mirror_sign_ : chance(rng_, 70) ? 1 : -1;
      i128 alias_offset = sign > 0 ? path - static_cast<i128>(shift) : path + static_cast<i128>(shift);
      if (mirror_sign_ == 0 && alias_offset < 0) alias_offset = path + static_cast<i128>(shift);
      if (mirror_sign_ == 0 && alias_offset >= static_cast<i128>(k64BitSpace)) alias_offset = path - static_cast<i128>(shift);
      if (alias_offset < 0 || alias_offset >= static_cast<i128>(k64BitSpace)) continue;
      RegionSpec mirror;
      mirror.kind = RegionKind::alias;
      mirror.size = size;
      mirror.target = top;
      mirror.alias_offset = static_cast<uint64_t>(alias_offset);
      mirror.mirror = true;
      spec_.regions.push_back(mirror);
      parent_.push_back(home);
      address_.push_back(where);
      bool overlap = true;
      priority_.push_back(chance(rng_, 60) ? -1 : pick_priority(rng_, overlap));
      overlap_.push_back(true);
      tree_order_.push_back(n() - 1);
      // Keep it only if the planned map stays renderable.
      Sim sim;
      sim.regions = &spec_.regions;
      sim.mirror_sign = mirror_sign_;
      sim.grow(n());
      sim.parent = parent_;
      sim.address = address_;
      for (int i = 0; i < n(); ++i) {
        sim.target[i] = spec_.regions[i].target;
        sim.offset[i] = spec_.regions[i].alias_offset;
      }
      if (!sim.valid()) {
        spec_.regions.pop_back();
        parent_.pop_back();
        address_.pop_back();
        priority_.pop_back();
        overlap_.pop_back();
        tree_order_.pop_back();
      }
    }
  }

  // QEMU's PCI "bus master container" with one alias of the system root:
  // address spaces that share the root's flat view (or none when disabled).
  void plan_bus_master() {
    if (!chance(rng_, 15)) return;
    RegionSpec container;
    container.kind = RegionKind::container;
    container.size = k64BitSpace;
    RegionSpec alias;
    alias.kind = RegionKind::alias;
    alias.target = 0;
    alias.alias_offset = chance(rng_, 85) ? 0 : 0x1000;
    alias.size = chance(rng_, 70) ? k64BitSpace : spec_.regions[0].size;
    spec_.regions.push_back(container);
    spec_.regions.push_back(alias);
    const int c = n() - 2;
    const int a = n() - 1;
    parent_.push_back(-1);
    parent_.push_back(c);
    address_.push_back(0);
    address_.push_back(chance(rng_, 85) ? 0 : 0x100);
    priority_.push_back(0);
    priority_.push_back(0);
    overlap_.push_back(false);
    overlap_.push_back(false);
    tree_order_.push_back(c);
    tree_order_.push_back(a);
    bus_master_ = c;
    if (chance(rng_, 30)) disabled_at_start_.push_back(a);
  }

  void plan_spaces() {
    spec_.spaces.push_back(0);
    if (bus_master_ >= 0) spec_.spaces.push_back(bus_master_);
    if (chance(rng_, 30)) spec_.spaces.push_back(1 + static_cast<int>(below(rng_, n() - 1)));
  }

  bool reaches_root(int i) const {
    for (int r = i; r >= 0; r = parent_[r]) {
      if (r == 0) return true;
    }
    return false;
  }
  bool in_planned_subtree(int i, int top) const {
    for (int r = i; r >= 0; r = parent_[r]) {
      if (r == top) return true;
    }
    return false;
  }

  // --- operations -----------------------------------------------------------

  void emit(const Op& op) { spec_.ops.push_back(op); }
  void check() { emit(Op{OpKind::check}); }
  void begin() {
    emit(Op{OpKind::begin});
    ++depth_;
  }
  void commit() {
    emit(Op{OpKind::commit});
    --depth_;
  }

  // A new address for region `r` in its current container (or anywhere).
  uint64_t new_address(int r) {
    const int p = sim_.parent[r];
    if (p < 0) return chance(rng_, 50) ? 0 : pick_offset(rng_, k64BitSpace, spec_.regions[r].size, {});
    return pick_offset(rng_, spec_.regions[p].size, spec_.regions[r].size, sim_.siblings_of(p, r));
  }

  bool try_emit(const Op& op) {
    if (!sim_.try_apply(op)) return false;
    emit(op);
    return true;
  }

  // A change of a flag or a place (not a structural one).
  bool random_flag_op() {
    const int r = static_cast<int>(below(rng_, n()));
    Op op;
    op.a = r;
    const RegionKind k = kind(r);
    switch (below(rng_, 7)) {
      case 0:
      case 1:
        op.kind = OpKind::set_enabled;
        op.flag = !sim_.enabled[r];
        break;
      case 2:
        if (k == RegionKind::rom) return false;
        op.kind = OpKind::set_readonly;
        op.flag = !sim_.readonly[r];
        break;
      case 3:
        op.kind = OpKind::set_nonvolatile;
        op.flag = !sim_.nonvolatile[r];
        break;
      case 4:
        if (k != RegionKind::rom_device) return false;
        op.kind = OpKind::set_romd;
        op.flag = !sim_.romd[r];
        break;
      case 5:
        op.kind = OpKind::set_address;
        op.value = new_address(r);
        break;
      default:
        if (k != RegionKind::alias) return false;
        op.kind = OpKind::set_alias_offset;
        op.value = sim_.target[r] >= 0 ? pick_alias_offset(rng_, spec_.regions[sim_.target[r]].size) : 0;
        if (spec_.regions[r].mirror) {
          // Keep a mirror's shift coarse: move the window by whole shifts.
          op.value = static_cast<uint64_t>(sim_.offset[r] + (chance(rng_, 50) ? 1 : -1) *
                                                              static_cast<uint64_t>(spec_.regions[r].size));
        }
        break;
    }
    return try_emit(op);
  }

  bool random_structure_op() {
    const int r = static_cast<int>(below(rng_, n()));
    if (r == 0 && chance(rng_, 90)) return false;
    const int choice = static_cast<int>(below(rng_, 3));
    if (choice == 0 && sim_.parent[r] >= 0) {
      return try_emit(Op{OpKind::del, sim_.parent[r], r});
    }
    if (choice == 1 && sim_.parent[r] < 0) {
      std::vector<int> containers;
      for (int c = 0; c < n(); ++c) {
        if (kind(c) != RegionKind::alias && !sim_.in_subtree(c, r)) containers.push_back(c);
      }
      if (containers.empty()) return false;
      Op op{OpKind::add};
      op.a = pick(rng_, containers);
      op.b = r;
      op.value = pick_offset(rng_, spec_.regions[op.a].size, spec_.regions[r].size, sim_.siblings_of(op.a, r));
      op.priority = pick_priority(rng_, op.flag);
      return try_emit(op);
    }
    if (choice == 2 && kind(r) == RegionKind::alias && !spec_.regions[r].mirror) {
      Op op{OpKind::set_target};
      op.a = r;
      op.b = static_cast<int>(below(rng_, n()));
      if (op.b == r) return false;
      op.value = pick_alias_offset(rng_, spec_.regions[op.b].size);
      return try_emit(op);
    }
    return false;
  }

  // The place of alias `m` inside `top` minus its offset (the mirror shift
  // if it showed `top` directly); false if `top` does not hold `m`.
  bool path_in(int m, int top, i128& path) const {
    path = 0;
    for (int r = m; r >= 0; r = sim_.parent[r]) {
      if (r == top) return true;
      path += static_cast<i128>(sim_.address[r]);
    }
    return false;
  }

  // A call the API must refuse (and leave the map as it was). Not applied
  // to the model.
  bool probe_op() {
    const int r = static_cast<int>(below(rng_, n()));
    Op op;
    switch (below(rng_, 8)) {
      case 0:  // add a region that is already a subregion
        if (sim_.parent[r] < 0) return false;
        op = Op{OpKind::add, static_cast<int>(below(rng_, n())), r, new_address(r)};
        if (kind(op.a) == RegionKind::alias) return false;
        break;
      case 1:  // add a container into its own subtree
        if (sim_.parent[r] < 0 || r == 0) return false;
        op = Op{OpKind::add, r, sim_.parent[r], 0};
        break;
      case 2: {  // add into an alias
        if (kind(r) != RegionKind::alias) return false;
        op = Op{OpKind::add, r, static_cast<int>(below(rng_, n())), 0};
        if (op.b == r) return false;
        break;
      }
      case 3:  // delete from a container that does not hold it
        op = Op{OpKind::del, static_cast<int>(below(rng_, n())), r};
        if (sim_.parent[r] == op.a || kind(op.a) == RegionKind::alias) return false;
        break;
      case 4:  // a ROM made writable
        if (kind(r) != RegionKind::rom) return false;
        op = Op{OpKind::set_readonly, r, -1, 0, 0, false};
        break;
      case 5: {  // an alias cycle: r -> ... -> an alias that reaches r
        if (kind(r) != RegionKind::alias) return false;
        std::vector<int> reaching{r};
        for (int a = 0; a < n(); ++a) {
          for (int t = a, hops = 0; t >= 0 && hops < n(); t = sim_.target[t], ++hops) {
            if (kind(t) != RegionKind::alias) break;
            if (t == r && a != r) {
              reaching.push_back(a);
              break;
            }
          }
        }
        op = Op{OpKind::set_target, r, pick(rng_, reaching), 0};
        break;
      }
      default: {  // a zero-shift mirror: through the mirror itself or through an alias it shows
        std::vector<int> mirrors;
        for (int m = 0; m < n(); ++m) {
          i128 path;
          if (spec_.regions[m].mirror && spec_.regions[m].size > 0 && sim_.target[m] >= 0 &&
              path_in(m, sim_.target[m], path)) {
            mirrors.push_back(m);
          }
        }
        // Aliases m (any) shown through an alias x: re-pointing x at a container holding m.
        std::vector<std::pair<int, int>> chains;
        for (int m = 0; m < n(); ++m) {
          const int x = sim_.target[m];
          if (kind(m) == RegionKind::alias && spec_.regions[m].size > 0 && x >= 0 && kind(x) == RegionKind::alias &&
              !spec_.regions[x].mirror && sim_.parent[m] >= 0) {
            chains.push_back({m, x});
          }
        }
        if (!chains.empty() && (mirrors.empty() || chance(rng_, 50))) {
          const auto [m, x] = pick(rng_, chains);
          std::vector<int> tops;
          for (int t = sim_.parent[m]; t >= 0; t = sim_.parent[t]) tops.push_back(t);
          const int top = pick(rng_, tops);
          i128 path;
          path_in(m, top, path);
          const i128 off = path - static_cast<i128>(sim_.offset[m]);
          if (off < 0 || off >= static_cast<i128>(k64BitSpace)) return false;
          op = Op{OpKind::set_target, x, top, static_cast<uint64_t>(off)};
          break;
        }
        if (mirrors.empty()) return false;
        const int m = pick(rng_, mirrors);
        i128 path;
        path_in(m, sim_.target[m], path);
        if (chance(rng_, 50)) {
          op = Op{OpKind::set_alias_offset, m, -1, static_cast<uint64_t>(path)};
        } else {
          const i128 rest = path - static_cast<i128>(sim_.address[m]);
          const i128 where = static_cast<i128>(sim_.offset[m]) - rest;
          if (where < 0 || where >= static_cast<i128>(k64BitSpace)) return false;
          op = Op{OpKind::set_address, m, -1, static_cast<uint64_t>(where)};
        }
        break;
      }
    }
    emit(op);
    return true;
  }

  void build_ops() {
    // The planned adds in a random order: the add order decides ties.
    std::vector<int> adds;
    for (int i : tree_order_) {
      if (parent_[i] >= 0) adds.push_back(i);
    }
    std::shuffle(adds.begin(), adds.end(), rng_);
    const int mode = static_cast<int>(below(rng_, 10));  // 0-5 one transaction, 6-7 none, 8-9 random
    const bool one_transaction = mode < 6;
    const bool random_transactions = mode >= 8;
    if (one_transaction) begin();
    for (int r : disabled_at_start_) try_emit(Op{OpKind::set_enabled, r, -1, 0, 0, false});
    std::size_t next = 0;
    while (next < adds.size()) {
      const int roll = static_cast<int>(below(rng_, 100));
      if (roll < 70) {
        const int r = adds[next++];
        Op op{OpKind::add};
        op.a = parent_[r];
        op.b = r;
        op.value = address_[r];
        op.priority = priority_[r];
        op.flag = overlap_[r];
        if (!op.flag) op.priority = 0;
        try_emit(op);
      } else if (roll < 86) {
        random_flag_op();
      } else if (roll < 92) {
        // Move a placed region: QEMU re-adds it.
        const int r = static_cast<int>(below(rng_, n()));
        if (sim_.parent[r] >= 0) try_emit(Op{OpKind::set_address, r, -1, new_address(r)});
      } else if (roll < 95) {
        random_structure_op();
      } else if (roll < 97) {
        probe_op();
      } else if (random_transactions) {
        if (depth_ > 0 && chance(rng_, 50)) {
          commit();
        } else if (depth_ < 3) {
          begin();
        }
      }
      if (!one_transaction && chance(rng_, 8)) check();
    }
    while (depth_ > 0) commit();
    emit(Op{OpKind::check});
  }

  void mutation_ops() {
    const int episodes = static_cast<int>(below(rng_, options_.max_mutation_episodes + 1));
    for (int e = 0; e < episodes; ++e) {
      if (chance(rng_, 45)) {
        for (int tries = 0; tries < 8; ++tries) {
          if (chance(rng_, 6) ? probe_op() : chance(rng_, 70) ? random_flag_op() : random_structure_op()) break;
        }
        emit(Op{OpKind::check});
        continue;
      }
      begin();
      const int count = 1 + static_cast<int>(below(rng_, 6));
      for (int k = 0; k < count; ++k) {
        if (depth_ < 3 && chance(rng_, 12)) begin();
        for (int tries = 0; tries < 8; ++tries) {
          if (chance(rng_, 5) ? probe_op() : chance(rng_, 65) ? random_flag_op() : random_structure_op()) break;
        }
        if (chance(rng_, 35)) emit(Op{OpKind::check});  // the old view must stay
        if (depth_ > 1 && chance(rng_, 30)) commit();
      }
      while (depth_ > 0) {
        commit();
        if (depth_ > 0 && chance(rng_, 40)) emit(Op{OpKind::check});
      }
      emit(Op{OpKind::check});
    }
  }

  // Regions are made in list order: every alias after its initial target.
  void renumber() {
    std::vector<int> order;
    std::vector<int> state(n(), 0);
    std::function<void(int)> visit = [&](int i) {
      if (state[i] != 0) return;
      state[i] = 1;
      if (spec_.regions[i].target >= 0) visit(spec_.regions[i].target);
      order.push_back(i);
    };
    for (int i = 0; i < n(); ++i) visit(i);
    std::vector<int> index(n());
    for (int k = 0; k < n(); ++k) index[order[k]] = k;
    std::vector<RegionSpec> regions;
    for (int i : order) {
      RegionSpec r = spec_.regions[i];
      if (r.target >= 0) r.target = index[r.target];
      regions.push_back(r);
    }
    spec_.regions = std::move(regions);
    for (int& s : spec_.spaces) s = index[s];
    for (Op& op : spec_.ops) {
      if (op.a >= 0) op.a = index[op.a];
      if (op.b >= 0) op.b = index[op.b];
    }
  }

  Rng rng_;
  GeneratorOptions options_;
  MapSpec spec_;
  std::vector<int> parent_;
  std::vector<int> tree_order_;
  std::vector<uint64_t> address_;
  std::vector<int> priority_;
  std::vector<bool> overlap_;
  std::vector<int> disabled_at_start_;
  int bus_master_ = -1;
  int mirror_sign_ = 0;
  Sim sim_;
  int depth_ = 0;
};

}  // namespace

MapSpec generate_map(uint64_t seed, const GeneratorOptions& options) { return Generator(seed, options).run(); }

namespace {

template <typename R>
struct Tag {
  using type = R;
};

// Makes region `i` through `make(Tag<type>{}, name, constructor arguments after the name...)`.
template <typename Make>
Region& build_spec_region(Make&& make, const MapSpec& spec, int i, const std::vector<Region*>& made,
                          const std::string& name_prefix) {
  const RegionSpec& r = spec.regions[i];
  const std::string name = name_prefix + region_name(spec, i);
  switch (r.kind) {
    case RegionKind::ram: return make(Tag<RamRegion>{}, name, r.size);
    case RegionKind::rom: return make(Tag<RomRegion>{}, name, r.size);
    case RegionKind::rom_device: return make(Tag<RomDeviceRegion>{}, name, r.size);
    case RegionKind::mmio: return make(Tag<MmioRegion>{}, name, r.size);
    case RegionKind::container: return make(Tag<ContainerRegion>{}, name, r.size);
    case RegionKind::iommu: return make(Tag<IommuRegion>{}, name, r.size);
    case RegionKind::reservation: return make(Tag<ReservationRegion>{}, name, r.size);
    case RegionKind::alias:
      if (r.target >= 0 && r.target < i) {
        return make(Tag<AliasRegion>{}, name, *made[r.target], r.alias_offset, r.size);
      }
      return make(Tag<AliasRegion>{}, name, r.size);
  }
  return make(Tag<MmioRegion>{}, name, r.size);
}

}  // namespace

Region& make_spec_region(MemoryMap& map, const MapSpec& spec, int i, const std::vector<Region*>& made,
                         const std::string& name_prefix) {
  auto make = [&map](auto type, const std::string& name, auto&&... args) -> Region& {
    using R = typename decltype(type)::type;
    return map.make<R>(name, name, std::forward<decltype(args)>(args)...);
  };
  return build_spec_region(make, spec, i, made, name_prefix);
}

std::unique_ptr<Region> new_spec_region(const MapSpec& spec, int i, const std::vector<Region*>& made,
                                        const std::string& name_prefix) {
  std::unique_ptr<Region> out;
  auto make = [&out](auto type, const std::string& name, auto&&... args) -> Region& {
    using R = typename decltype(type)::type;
    out = std::make_unique<R>(name, std::forward<decltype(args)>(args)...);
    return *out;
  };
  build_spec_region(make, spec, i, made, name_prefix);
  return out;
}

bool apply_spec_op(const std::vector<Region*>& regions, const Op& op) {
  const int count = static_cast<int>(regions.size());
  if (op.a < 0 || op.a >= count || op.b >= count) return false;
  Region* a = regions[op.a];
  Region* b = op.b >= 0 ? regions[op.b] : nullptr;
  if (a == nullptr) return false;  // destroyed
  const bool needs_b = op.kind == OpKind::add || op.kind == OpKind::del || op.kind == OpKind::set_target;
  if (needs_b && b == nullptr) return false;
  switch (op.kind) {
    case OpKind::add:
      if (op.flag) {
        a->add_subregion_overlap(op.value, *b, op.priority);
      } else {
        a->add_subregion(op.value, *b);
      }
      return true;
    case OpKind::del: a->del_subregion(*b); return true;
    case OpKind::set_enabled: a->set_enabled(op.flag); return true;
    case OpKind::set_address: a->set_address(op.value); return true;
    case OpKind::set_alias_offset:
      if (a->kind() != RegionKind::alias) return false;
      static_cast<AliasRegion*>(a)->set_alias_offset(op.value);
      return true;
    case OpKind::set_target:
      if (a->kind() != RegionKind::alias) return false;
      static_cast<AliasRegion*>(a)->set_target(*b, op.value);
      return true;
    case OpKind::set_readonly: a->set_readonly(op.flag); return true;
    case OpKind::set_nonvolatile: a->set_nonvolatile(op.flag); return true;
    case OpKind::set_romd:
      if (a->kind() != RegionKind::rom_device) return false;
      static_cast<RomDeviceRegion*>(a)->set_romd(op.flag);
      return true;
    case OpKind::destroy:
    case OpKind::set_latency:
    case OpKind::set_ops: return false;  // the caller's
    default: return true;
  }
}

// ---------------------------------------------------------------------------
// Runner and checks

namespace {

struct Live {
  MemoryMap map;
  std::vector<Region*> regions;
  std::vector<AddressSpace*> spaces;
};

void apply_op(Live& live, const Op& op, RunStats& stats) {
  if (!apply_spec_op(live.regions, op)) ++stats.refused_ops;
}

// Calls the API must refuse by its structural rules (region.hpp,
// alias_region.hpp), judged on the live map before the call.
std::string must_refuse(const Live& live, const Op& op) {
  const int count = static_cast<int>(live.regions.size());
  if (op.a < 0 || op.a >= count || op.b >= count) return "";
  const Region* a = live.regions[op.a];
  const Region* b = op.b >= 0 ? live.regions[op.b] : nullptr;
  switch (op.kind) {
    case OpKind::add:
      if (a->kind() == RegionKind::alias) return "an alias cannot hold subregions";
      if (b->container() != nullptr) return "it is already a subregion";
      for (const Region* up = a; up != nullptr; up = up->container()) {
        if (up == b) return "it would contain itself";
      }
      return "";
    case OpKind::del:
      return b->container() != a ? "it is not a subregion there" : "";
    case OpKind::set_readonly:
      return a->kind() == RegionKind::rom && !op.flag ? "a ROM is read-only by kind" : "";
    case OpKind::set_target:
      if (a->kind() != RegionKind::alias) return "";
      for (const Region* r = b; r != nullptr; r = r->alias_target()) {
        if (r == a) return "alias cycle";
        if (r->kind() != RegionKind::alias) break;
      }
      return "";
    default:
      return "";
  }
}

// An alias that shows a container holding it (directly or through other
// aliases) at the very place of that container, with a window that nothing
// on the way clips to empty: rendering that container would recurse forever,
// and the API promises to refuse it. Enabled flags are not considered (a
// disabled mirror could be enabled later).
std::string zero_shift_mirror(const Live& live) {
  for (const Region* m : live.regions) {
    if (m->kind() != RegionKind::alias) continue;
    std::vector<const Region*> chain;  // m and the aliases it shows, in order
    const Region* shown = m;
    for (int hops = 0; shown != nullptr && shown->kind() == RegionKind::alias && hops < 1000; ++hops) {
      chain.push_back(shown);
      shown = shown->alias_target();
    }
    if (shown == nullptr || shown->kind() == RegionKind::alias) continue;
    // Where m sits inside `shown` (if `shown` holds it), summing the path.
    std::vector<const Region*> path;  // containers between m and `shown`
    i128 position = m->address();
    const Region* up = m->container();
    for (; up != nullptr && up != shown; up = up->container()) {
      path.push_back(up);
      position += static_cast<i128>(up->address());
    }
    if (up != shown) continue;
    // The window that renders through m, in the coordinates of `shown`.
    i128 lo = position;
    i128 hi = position + static_cast<i128>(m->size());
    auto clip = [&](i128 a, i128 b) {
      lo = std::max(lo, a);
      hi = std::min(hi, b);
    };
    i128 start = position - static_cast<i128>(m->address());  // where m's container starts
    for (const Region* c : path) {
      clip(start, start + static_cast<i128>(c->size()));
      start -= static_cast<i128>(c->address());
    }
    clip(0, static_cast<i128>(shown->size()));
    // Down the chain: each alias shows its target from (its start - its offset).
    i128 at = position;
    for (std::size_t i = 0; i < chain.size(); ++i) {
      if (i > 0) clip(at, at + static_cast<i128>(chain[i]->size()));
      at -= static_cast<i128>(chain[i]->alias_offset());
    }
    if (at == 0 && lo < hi) {
      return "alias '" + m->name() + "' shows its container '" + shown->name() + "' at zero shift (window " +
             hex(static_cast<u128>(lo)) + "-" + hex(static_cast<u128>(hi - 1)) + " there)";
    }
  }
  return "";
}

// Everything a refused call must leave as it was.
std::vector<uint64_t> fingerprint(const Live& live) {
  std::vector<uint64_t> out;
  out.reserve(live.regions.size() * 12);
  for (const Region* r : live.regions) {
    out.push_back(reinterpret_cast<uintptr_t>(r->container()));
    out.push_back(r->address());
    out.push_back(static_cast<uint64_t>(static_cast<int64_t>(r->priority())));
    out.push_back(r->add_sequence());
    out.push_back((r->may_overlap() ? 1 : 0) | (r->enabled() ? 2 : 0) | (r->readonly() ? 4 : 0) |
                  (r->nonvolatile() ? 8 : 0) | (r->romd_mode() ? 16 : 0));
    out.push_back(reinterpret_cast<uintptr_t>(r->alias_target()));
    out.push_back(r->alias_offset());
    out.push_back(r->subregion_count());
    for (const Region* sub : r->subregions()) out.push_back(reinterpret_cast<uintptr_t>(sub));
  }
  return out;
}

std::string describe_range(const FlatRange* range, uint64_t address) {
  if (range == nullptr) return "unmapped";
  std::string text = "'" + range->region()->name() + "' @" + hex(range->region_offset(address));
  if (range->readonly) text += " ro";
  if (!range->romd_mode) text += " !romd";
  if (range->nonvolatile) text += " nv";
  text += "  (range " + hex(range->first) + "-" + hex(range->last) + ")";
  return text;
}

std::string describe_range_line(const FlatRange& r) {
  std::string line = hex(r.first) + "-" + hex(r.last) + " " + (r.region() ? r.region()->name() : "<null>");
  if (r.offset_within_region != 0) line += " @" + hex(r.offset_within_region);
  if (r.readonly) line += " ro";
  if (!r.romd_mode) line += " !romd";
  if (r.nonvolatile) line += " nv";
  return line;
}

// QEMU's can_merge(), written out here rather than taken from the library.
bool should_merge(const FlatRange& a, const FlatRange& b) {
  return u128(a.last) + 1 == b.first && a.region() == b.region() &&
         u128(a.offset_within_region) + (u128(a.last) - a.first + 1) == b.offset_within_region &&
         a.readonly == b.readonly && a.romd_mode == b.romd_mode && a.nonvolatile == b.nonvolatile;
}

// Independent range search: the last range starting at or before `address`.
const FlatRange* find_range(const std::vector<FlatRange>& ranges, uint64_t address) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), address,
                             [](uint64_t a, const FlatRange& r) { return a < r.first; });
  if (it == ranges.begin()) return nullptr;
  --it;
  return it->last >= address ? &*it : nullptr;
}

void add_point(std::vector<uint64_t>& points, i128 a) {
  if (a >= 0 && a < static_cast<i128>(k64BitSpace)) points.push_back(static_cast<uint64_t>(a));
}
void add_edges(std::vector<uint64_t>& points, i128 start, i128 end) {
  add_point(points, start - 1);
  add_point(points, start);
  add_point(points, end - 1);
  add_point(points, end);
}

// The unclipped windows of every region reached from the root (through
// subregions and aliases), a few levels deep.
void collect_windows(const Region* r, i128 parent_base, int depth, std::vector<uint64_t>& points,
                     std::vector<std::pair<i128, i128>>& windows, int& budget) {
  if (r == nullptr || budget <= 0 || depth > 12) return;
  --budget;
  const i128 start = parent_base + static_cast<i128>(r->address());
  const i128 end = start + static_cast<i128>(r->size());
  add_edges(points, start, end);
  windows.emplace_back(start, end);
  if (r->kind() == RegionKind::alias) {
    const Region* t = r->alias_target();
    if (t != nullptr) {
      collect_windows(t, start - static_cast<i128>(r->alias_offset()) - static_cast<i128>(t->address()), depth + 1,
                      points, windows, budget);
    }
    return;
  }
  for (const Region* sub : r->subregions()) collect_windows(sub, start, depth + 1, points, windows, budget);
}

bool same_answer(const FlatRange* fr, const NaiveAnswer& na, uint64_t address) {
  if (fr == nullptr) return !na.mapped();
  if (!na.mapped()) return false;
  return fr->region() == na.region && fr->region_offset(address) == na.offset && fr->readonly == na.readonly &&
         fr->romd_mode == na.romd_mode && fr->nonvolatile == na.nonvolatile;
}

// Where two views do not map an address alike, computed independently of
// tlmmap::changed_ranges(): elementary segments between all range edges of
// both views, compared at their first address (both sides are linear inside
// a segment), merged.
std::vector<AddressRange> expected_changes(const FlatView& before, const FlatView& after) {
  std::vector<u128> edges{0, k64BitSpace};
  for (const FlatView* v : {&before, &after}) {
    for (const FlatRange& r : v->ranges()) {
      edges.push_back(r.first);
      edges.push_back(u128(r.last) + 1);
    }
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  std::vector<AddressRange> out;
  for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
    const uint64_t a = static_cast<uint64_t>(edges[i]);
    const FlatRange* x = find_range(before.ranges(), a);
    const FlatRange* y = find_range(after.ranges(), a);
    bool alike;
    if (x == nullptr || y == nullptr) {
      alike = x == y;
    } else {
      alike = x->region() == y->region() && x->region_offset(a) == y->region_offset(a) && x->readonly == y->readonly &&
              x->romd_mode == y->romd_mode && x->nonvolatile == y->nonvolatile;
    }
    if (alike) continue;
    const uint64_t last = static_cast<uint64_t>(edges[i + 1] - 1);
    if (!out.empty() && u128(out.back().last) + 1 == a) {
      out.back().last = last;
    } else {
      out.push_back({a, last});
    }
  }
  return out;
}

std::string describe_changes(const std::vector<AddressRange>& changes) {
  std::string text;
  for (const AddressRange& c : changes) text += " " + hex(c.first) + "-" + hex(c.last);
  return text.empty() ? " (none)" : text;
}

class Runner {
 public:
  Runner(const MapSpec& spec, const CheckOptions& options) : spec_(spec), options_(options) {}

  RunResult run() {
    const int depth_at_start = transaction_depth();
    try {
      run_ops();
    } catch (const sc_core::sc_report& report) {
      fail_exception(std::string("unexpected report [") + report.get_msg_type() + "] " + report.get_msg());
    } catch (const std::exception& e) {
      fail_exception(std::string("unexpected exception: ") + e.what());
    }
    // Leave no transaction of ours open.
    while (transaction_depth() > depth_at_start) {
      try {
        transaction_commit();
      } catch (const sc_core::sc_report& report) {
        note_report(report);
      }
    }
    if (result_.skipped && live_) classify_skip();
    if (!result_.failure && !result_.skipped && live_ && options_.round_trip) round_trip();
    if (result_.failure && options_.capture_json && live_ && result_.failure->memmap_json.empty()) {
      try {
        result_.failure->memmap_json = write_memmap(live_->map);
      } catch (const sc_core::sc_report& report) {
        result_.failure->memmap_json = std::string("(write_memmap failed: ") + report.get_msg() + ")";
      }
    }
    live_.reset();
    return std::move(result_);
  }

 private:
  bool done() const { return result_.failure.has_value() || result_.skipped; }

  void fail_exception(const std::string& message) {
    if (done()) return;
    Failure f;
    f.category = "exception";
    f.message = message;
    f.op_index = op_index_;
    result_.failure = f;
  }

  void classify_skip() {
    const std::string& m = result_.skip_reason;
    const std::size_t at = m.find("address 0x");
    const std::size_t space_at = m.find("address space '");
    if (at == std::string::npos || space_at == std::string::npos) return;
    const uint64_t address = std::strtoull(m.c_str() + at + 8, nullptr, 16);
    const std::string space_name = m.substr(space_at + 15, m.find('\'', space_at + 15) - space_at - 15);
    for (const AddressSpace* space : live_->spaces) {
      if (space->name() != space_name) continue;
      NaiveOptions deep = options_.naive;
      deep.max_depth = 4000;
      const NaiveResolver resolver(space->root(), deep);
      SplitMix rng{spec_.seed};
      for (int k = 0; k < 256 && !result_.skip_infinite; ++k) {
        const uint64_t probe = address + (k < 128 ? static_cast<uint64_t>(k) : below(rng, uint64_t(1) << (k % 64)));
        result_.skip_infinite = resolver.resolve(probe).status == NaiveAnswer::Status::too_deep;
      }
    }
  }

  // A report from the library: a refusal (counted) or a render stopped at its limits (skip).
  void note_report(const sc_core::sc_report& report) {
    const std::string type = report.get_msg_type();
    if (type == "tlmmap/render") {
      if (!result_.skipped && !result_.failure) {
        result_.skipped = true;
        result_.skip_reason = "at op #" + std::to_string(op_index_) + ": " + report.get_msg();
      }
    } else if (type == "tlmmap/region") {
      ++result_.stats.refused_ops;
      result_.stats.last_refusal = report.get_msg();
    } else {
      fail_exception(std::string("unexpected report [") + type + "] " + report.get_msg());
    }
  }

  void run_ops() {
    live_ = std::make_unique<Live>();
    for (int i = 0; i < static_cast<int>(spec_.regions.size()); ++i) {
      try {
        live_->regions.push_back(&make_spec_region(live_->map, spec_, i, live_->regions));
      } catch (const sc_core::sc_report& report) {
        result_.skipped = true;
        result_.skip_reason = std::string("region refused: ") + report.get_msg();
        return;
      }
    }
    for (std::size_t s = 0; s < spec_.spaces.size(); ++s) {
      const int root = spec_.spaces[s];
      if (root < 0 || root >= static_cast<int>(live_->regions.size())) continue;
      live_->spaces.push_back(&live_->map.make_address_space(*live_->regions[root], "as" + std::to_string(s)));
    }
    const int base_depth = transaction_depth();
    for (op_index_ = 0; op_index_ < spec_.ops.size() && !done(); ++op_index_) {
      const Op& op = spec_.ops[op_index_];
      switch (op.kind) {
        case OpKind::begin:
          if (transaction_depth() == base_depth) snapshot();
          transaction_begin();
          break;
        case OpKind::commit:
          if (transaction_depth() == base_depth) {
            ++result_.stats.refused_ops;  // unmatched
            break;
          }
          try {
            transaction_commit();
          } catch (const sc_core::sc_report& report) {
            note_report(report);
          }
          break;
        case OpKind::check:
          if (transaction_depth() > base_depth) {
            check_old_view_kept();
          } else {
            full_check();
          }
          break;
        default:
          mutate(op);
          break;
      }
    }
    if (done()) return;
    while (transaction_depth() > base_depth) {
      try {
        transaction_commit();
      } catch (const sc_core::sc_report& report) {
        note_report(report);
      }
    }
    op_index_ = spec_.ops.size();
    if (!done()) full_check();
  }

  // Applies a change and judges the API's answer: a call its rules forbid
  // must be refused, a refused call must leave the map as it was, and no
  // accepted call may leave a zero-shift mirror behind.
  void mutate(const Op& op) {
    const std::string forbidden = must_refuse(*live_, op);
    const std::vector<uint64_t> before = fingerprint(*live_);
    std::string report_type;
    std::string report_msg;
    try {
      apply_op(*live_, op, result_.stats);
    } catch (const sc_core::sc_report& report) {
      report_type = report.get_msg_type();
      report_msg = report.get_msg();
    }
    const std::string call = describe_op(spec_, op);
    if (report_type != "tlmmap/region") track(op);
    if (report_type == "tlmmap/region") {
      ++result_.stats.refused_ops;
      result_.stats.last_refusal = report_msg;
      if (fingerprint(*live_) != before) {
        result_.failure = make_failure("refusal-changed-map", -1,
                                       "the refused call " + call + " (\"" + report_msg + "\") changed the map");
      }
      return;
    }
    if (!forbidden.empty() && report_type.empty()) {
      result_.failure = make_failure("accepted-bad-call", -1, "the API accepted " + call + " (" + forbidden + ")");
      return;
    }
    const std::string mirror = zero_shift_mirror(*live_);
    if (!mirror.empty()) {
      result_.failure = make_failure("accepted-zero-shift", -1,
                                     "the API accepted " + call + ", which leaves a zero-shift mirror: " + mirror +
                                         (report_type.empty() ? std::string()
                                                              : "; it then reported: " + report_msg));
      return;
    }
    if (!report_type.empty()) {
      if (report_type == "tlmmap/render") {
        result_.skipped = true;
        result_.skip_reason = "at op #" + std::to_string(op_index_) + ": " + report_msg;
      } else {
        fail_exception("unexpected report [" + report_type + "] " + report_msg);
      }
    }
  }

  // The runner's own record of where each region is and in what order it
  // was (re-)added, from the calls the API accepted.
  struct Placement {
    int parent = -1;
    uint64_t address = 0;
    int priority = 0;
    uint64_t stamp = 0;
  };

  void track(const Op& op) {
    const int count = static_cast<int>(live_->regions.size());
    if (op.a < 0 || op.a >= count || op.b >= count) return;
    placements_.resize(count);
    switch (op.kind) {
      case OpKind::add: {
        Placement& p = placements_[op.b];
        p.parent = op.a;
        p.address = op.value;
        p.priority = op.flag ? op.priority : 0;
        p.stamp = ++stamp_;
        break;
      }
      case OpKind::del: placements_[op.b].parent = -1; break;
      case OpKind::set_address: {
        Placement& p = placements_[op.a];
        // QEMU's memory_region_set_address(): a real move of a mapped region re-adds it.
        if (p.address != op.value && p.parent >= 0) p.stamp = ++stamp_;
        p.address = op.value;
        break;
      }
      default: break;
    }
  }

  // Subregion lists in QEMU's order: descending priority, the later-added first.
  bool check_order() {
    const int count = static_cast<int>(live_->regions.size());
    placements_.resize(count);
    for (int c = 0; c < count; ++c) {
      std::vector<int> expected;
      for (int i = 0; i < count; ++i) {
        if (placements_[i].parent == c) expected.push_back(i);
      }
      std::sort(expected.begin(), expected.end(), [&](int x, int y) {
        if (placements_[x].priority != placements_[y].priority) return placements_[x].priority > placements_[y].priority;
        return placements_[x].stamp > placements_[y].stamp;
      });
      std::vector<Region*> want;
      for (int i : expected) want.push_back(live_->regions[i]);
      const std::vector<Region*> got = live_->regions[c]->subregions();
      bool placed = true;
      for (int i : expected) {
        const Region* r = live_->regions[i];
        placed = placed && r->container() == live_->regions[c] && r->address() == placements_[i].address &&
                 r->priority() == placements_[i].priority;
      }
      if (got != want || !placed) {
        std::string message = "subregions() of '" + live_->regions[c]->name() + "' should be (QEMU's order):";
        for (int i : expected) {
          message += " " + region_name(spec_, i) + "@" + hex(placements_[i].address) + "/prio " +
                     std::to_string(placements_[i].priority);
        }
        message += "; it is:";
        for (const Region* r : got) {
          message += " " + r->name() + "@" + hex(r->address()) + "/prio " + std::to_string(r->priority());
        }
        result_.failure = make_failure("order", -1, message);
        return false;
      }
    }
    return true;
  }

  void snapshot() {
    snapshot_.clear();
    for (AddressSpace* space : live_->spaces) snapshot_.push_back(space->view().ranges());
  }

  Failure make_failure(const std::string& category, int space, const std::string& message) const {
    Failure f;
    f.category = category;
    f.message = message;
    f.op_index = op_index_;
    f.space = space;
    return f;
  }

  void check_old_view_kept() {
    ++result_.stats.checks;
    for (std::size_t s = 0; s < live_->spaces.size() && s < snapshot_.size(); ++s) {
      const auto& now = live_->spaces[s]->view().ranges();
      if (now != snapshot_[s]) {
        std::string message = "inside a transaction the flat view changed before the outermost commit; before:";
        for (const FlatRange& r : snapshot_[s]) message += "\n      " + describe_range_line(r);
        message += "\n    now:";
        for (const FlatRange& r : now) message += "\n      " + describe_range_line(r);
        result_.failure = make_failure("stale-view", static_cast<int>(s), message);
        return;
      }
    }
  }

  void full_check() {
    ++result_.stats.checks;
    if (!check_order()) return;
    std::vector<const Region*> roots;
    for (std::size_t s = 0; s < live_->spaces.size() && !done(); ++s) {
      roots.push_back(check_space(static_cast<int>(s)));
    }
    if (done()) return;
    // changed_ranges() between the view of the previous check and this one.
    previous_.resize(live_->spaces.size());
    for (std::size_t s = 0; s < live_->spaces.size(); ++s) {
      std::shared_ptr<const FlatView> now = live_->spaces[s]->flat_view();
      if (previous_[s]) {
        const std::vector<AddressRange> got = changed_ranges(*previous_[s], *now);
        const std::vector<AddressRange> want = expected_changes(*previous_[s], *now);
        if (got != want) {
          std::string message = "changed_ranges() between the previous check and this one gives" +
                                describe_changes(got) + "; the views differ at" + describe_changes(want) +
                                "\n    before:";
          for (const FlatRange& r : previous_[s]->ranges()) message += "\n      " + describe_range_line(r);
          message += "\n    after:";
          for (const FlatRange& r : now->ranges()) message += "\n      " + describe_range_line(r);
          result_.failure = make_failure("changed-ranges", static_cast<int>(s), message);
          return;
        }
      }
      previous_[s] = std::move(now);
    }
    // Address spaces that render from the same root share one flat view.
    for (std::size_t s = 0; s < roots.size(); ++s) {
      for (std::size_t t = s + 1; t < roots.size(); ++t) {
        if (roots[s] != nullptr && roots[s] == roots[t] &&
            live_->spaces[s]->flat_view() != live_->spaces[t]->flat_view()) {
          result_.failure = make_failure("sharing", static_cast<int>(t),
                                         "address spaces as" + std::to_string(s) + " and as" + std::to_string(t) +
                                             " both render from '" + roots[s]->name() +
                                             "' but do not share one flat view");
          return;
        }
      }
    }
  }

  // Returns the naive flatview root.
  const Region* check_space(int s) {
    const AddressSpace& space = *live_->spaces[s];
    const FlatView& view = space.view();
    const std::vector<FlatRange>& ranges = view.ranges();
    result_.stats.ranges += ranges.size();
    for (std::size_t k = 0; k < ranges.size(); ++k) {
      const FlatRange& r = ranges[k];
      std::string problem;
      if (r.region() == nullptr) {
        problem = "range without a region";
      } else if (!r.region()->terminates()) {
        problem = "range of a non-terminating region";
      } else if (r.first > r.last) {
        problem = "range ends before it starts";
      } else if (k > 0 && ranges[k - 1].last >= r.first) {
        problem = "ranges not sorted or overlapping";
      } else if (k > 0 && should_merge(ranges[k - 1], r)) {
        problem = "neighbours that continue each other were not merged";
      } else if (k > 0 && ranges[k - 1].same_mapping(r) != should_merge(ranges[k - 1], r)) {
        problem = "FlatRange::same_mapping disagrees with QEMU's can_merge";
      }
      if (!problem.empty()) {
        std::string message = problem + " at range #" + std::to_string(k) + ":";
        for (std::size_t j = (k > 0 ? k - 1 : 0); j <= k; ++j) message += "\n      " + describe_range_line(ranges[j]);
        result_.failure = make_failure("structure", s, message);
        return nullptr;
      }
    }
    const NaiveResolver naive(space.root(), options_.naive);
    if (view.root() != naive.flatview_root()) {
      const Region* nr = naive.flatview_root();
      result_.failure = make_failure(
          "root", s,
          "flat view root is " + (view.root() ? "'" + view.root()->name() + "'" : std::string("(none)")) +
              ", QEMU's memory_region_get_flatview_root() gives " + (nr ? "'" + nr->name() + "'" : "(none)"));
      return nullptr;
    }
    if (!options_.compare_naive) return naive.flatview_root();

    std::vector<uint64_t> points;
    for (const FlatRange& r : ranges) add_edges(points, r.first, i128(r.last) + 1);
    std::vector<std::pair<i128, i128>> windows;
    int budget = 600;
    if (naive.flatview_root() != nullptr) collect_windows(naive.flatview_root(), 0, 0, points, windows, budget);
    for (uint64_t a : options_.extra_addresses) points.push_back(a);
    SplitMix rng{mix_seed(spec_.seed, op_index_ * 31 + static_cast<uint64_t>(s))};
    for (int k = 0; k < options_.random_addresses; ++k) {
      const int how = static_cast<int>(below(rng, 4));
      if (how == 0 || (ranges.empty() && windows.empty())) {
        points.push_back(any64(rng));
      } else if (how == 1 && !ranges.empty()) {
        const FlatRange& r = pick(rng, ranges);
        points.push_back(r.first + static_cast<uint64_t>(below128(rng, r.size())));
      } else if (!windows.empty()) {
        const auto& w = pick(rng, windows);
        if (w.second > w.first) add_point(points, w.first + static_cast<i128>(below128(rng, w.second - w.first)));
      }
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    result_.stats.addresses += points.size();
    for (uint64_t address : points) {
      const FlatRange* fr = space.lookup(address);
      if (fr != find_range(ranges, address)) {
        Failure f = make_failure("lookup", s, "AddressSpace::lookup() does not return the range holding the address");
        f.has_address = true;
        f.address = address;
        f.view_answer = describe_range(fr, address);
        f.naive_answer = "binary search of ranges(): " + describe_range(find_range(ranges, address), address);
        result_.failure = f;
        return nullptr;
      }
      const NaiveAnswer na = naive.resolve(address);
      if (na.status == NaiveAnswer::Status::too_deep) {
        Failure f = make_failure("naive-too-deep", s,
                                 "the naive search went deeper than " + std::to_string(options_.naive.max_depth) +
                                     " levels although the library rendered the map without reaching its limit");
        f.has_address = true;
        f.address = address;
        f.view_answer = describe_range(fr, address);
        f.naive_answer = describe(na);
        result_.failure = f;
        return nullptr;
      }
      if (!same_answer(fr, na, address)) {
        Failure f = make_failure("mismatch", s, "the flat view and the naive resolver disagree");
        f.has_address = true;
        f.address = address;
        f.view_answer = describe_range(fr, address);
        f.naive_answer = describe(na);
        result_.failure = f;
        return nullptr;
      }
    }
    return naive.flatview_root();
  }

  static std::string range_key(const FlatRange& r) { return describe_range_line(r); }

  void round_trip() {
    ++result_.stats.checks;
    op_index_ = spec_.ops.size();
    std::string json;
    std::unique_ptr<MemoryMap> loaded;
    // The original's views, kept as text: it goes before the copy is loaded,
    // because memory names are unique among live regions.
    std::vector<std::vector<std::string>> original_views;
    std::vector<std::string> original_names;
    for (AddressSpace* space : live_->spaces) {
      original_names.push_back(space->name());
      original_views.emplace_back();
      for (const FlatRange& r : space->view().ranges()) original_views.back().push_back(range_key(r));
    }
    try {
      json = write_memmap(live_->map);
    } catch (const sc_core::sc_report& report) {
      result_.failure = make_failure("round-trip", -1, std::string("write failed: [") + report.get_msg_type() + "] " +
                                                           report.get_msg());
      return;
    }
    live_.reset();
    try {
      loaded = load_memmap_json(json, "round-trip");
    } catch (const sc_core::sc_report& report) {
      Failure f = make_failure("round-trip", -1, std::string("write/load failed: [") + report.get_msg_type() + "] " +
                                                     report.get_msg());
      f.memmap_json = json;
      result_.failure = f;
      return;
    }
    if (!loaded) {
      result_.failure = make_failure("round-trip", -1, "load_memmap_json() returned nullptr");
      result_.failure->memmap_json = json;
      return;
    }
    const auto spaces = loaded->address_spaces();
    if (spaces.size() != original_views.size()) {
      result_.failure = make_failure("round-trip", -1,
                                     "the loaded map has " + std::to_string(spaces.size()) + " address spaces, not " +
                                         std::to_string(original_views.size()));
      result_.failure->memmap_json = json;
      return;
    }
    for (std::size_t s = 0; s < spaces.size(); ++s) {
      const std::vector<std::string>& ka = original_views[s];
      std::vector<std::string> kb;
      for (const FlatRange& r : spaces[s]->view().ranges()) kb.push_back(range_key(r));
      if (ka != kb || spaces[s]->name() != original_names[s]) {
        std::string message = "after write_memmap -> load_memmap_json the flat view of as" + std::to_string(s) +
                              " differs; original:";
        for (const auto& line : ka) message += "\n      " + line;
        message += "\n    loaded:";
        for (const auto& line : kb) message += "\n      " + line;
        Failure f = make_failure("round-trip", static_cast<int>(s), message);
        f.memmap_json = json;
        result_.failure = f;
        return;
      }
    }
    std::string again;
    try {
      again = write_memmap(*loaded);
    } catch (const sc_core::sc_report& report) {
      again = std::string("(write_memmap failed: ") + report.get_msg() + ")";
    }
    if (again != json) {
      std::size_t at = 0;
      while (at < again.size() && at < json.size() && again[at] == json[at]) ++at;
      const std::size_t line_start = json.rfind('\n', at) == std::string::npos ? 0 : json.rfind('\n', at) + 1;
      Failure f = make_failure("round-trip-text", -1,
                               "write_memmap of the loaded map differs from the original document near: " +
                                   json.substr(line_start, 160) + "\n    loaded gives: " +
                                   again.substr(std::min(line_start, again.size()), 160));
      f.memmap_json = json;
      result_.failure = f;
    }
  }

  const MapSpec& spec_;
  const CheckOptions& options_;
  RunResult result_;
  std::unique_ptr<Live> live_;
  std::vector<std::vector<FlatRange>> snapshot_;
  std::vector<std::shared_ptr<const FlatView>> previous_;
  std::vector<Placement> placements_;
  uint64_t stamp_ = 0;
  std::size_t op_index_ = 0;
};

}  // namespace

RunResult run_map(const MapSpec& spec, const CheckOptions& options) { return Runner(spec, options).run(); }

// ---------------------------------------------------------------------------
// Shrinker

namespace {

// Drops commits without a begin.
void normalize(MapSpec& spec) {
  int depth = 0;
  std::vector<Op> ops;
  for (const Op& op : spec.ops) {
    if (op.kind == OpKind::commit) {
      if (depth == 0) continue;
      --depth;
    } else if (op.kind == OpKind::begin) {
      ++depth;
    }
    ops.push_back(op);
  }
  // Trailing begins with nothing after them do nothing.
  while (!ops.empty() && ops.back().kind == OpKind::begin) ops.pop_back();
  spec.ops = std::move(ops);
}

// Removes region `victim`, the aliases made on it, and everything naming them.
std::optional<MapSpec> remove_region(const MapSpec& spec, int victim) {
  const int n = static_cast<int>(spec.regions.size());
  std::vector<bool> gone(n, false);
  gone[victim] = true;
  for (int i = 0; i < n; ++i) {  // targets come first, so one pass is enough
    if (spec.regions[i].target >= 0 && gone[spec.regions[i].target]) gone[i] = true;
  }
  std::vector<int> index(n, -1);
  MapSpec out;
  out.seed = spec.seed;
  for (int i = 0; i < n; ++i) {
    if (gone[i]) continue;
    index[i] = static_cast<int>(out.regions.size());
    out.regions.push_back(spec.regions[i]);
  }
  for (RegionSpec& r : out.regions) {
    if (r.target >= 0) r.target = index[r.target];
  }
  for (int root : spec.spaces) {
    if (!gone[root]) out.spaces.push_back(index[root]);
  }
  if (out.spaces.empty()) return std::nullopt;
  for (const Op& op : spec.ops) {
    if ((op.a >= 0 && gone[op.a]) || (op.b >= 0 && gone[op.b])) continue;
    Op copy = op;
    if (copy.a >= 0) copy.a = index[copy.a];
    if (copy.b >= 0) copy.b = index[copy.b];
    out.ops.push_back(copy);
  }
  normalize(out);
  return out;
}

int popcount128(u128 v) {
  return __builtin_popcountll(static_cast<uint64_t>(v)) + __builtin_popcountll(static_cast<uint64_t>(v >> 64));
}
// "Simpler" values: fewer bits set, then smaller.
bool simpler(u128 a, u128 b) {
  const int pa = popcount128(a);
  const int pb = popcount128(b);
  return pa != pb ? pa < pb : a < b;
}
std::vector<u128> simpler_values(u128 v, u128 min_value) {
  std::vector<u128> out;
  auto add = [&](u128 c) {
    if (c >= min_value && simpler(c, v) && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  add(0);
  add(1);
  if (v > 0) {
    u128 top = 1;
    while ((top << 1) != 0 && (top << 1) <= v) top <<= 1;
    add(top);
    add(v & (v - 1));
    add(v >> 1);
    // Round to a coarser alignment.
    for (int shift = 4; shift < 64; shift += 4) add(v & ~((u128(1) << shift) - 1));
  }
  return out;
}

class Shrinker {
 public:
  Shrinker(const CheckOptions& options, std::string category, int max_runs, const CheckOptions* must_pass)
      : options_(options), category_(std::move(category)), max_runs_(max_runs), must_pass_(must_pass) {
    options_.capture_json = false;
  }
  Shrinker(std::function<bool(const MapSpec&)> predicate, int max_runs)
      : max_runs_(max_runs), must_pass_(nullptr), predicate_(std::move(predicate)) {}

  MapSpec run(MapSpec best) {
    bool progress = true;
    while (progress && runs_ < max_runs_) {
      progress = false;
      progress |= remove_regions(best);
      progress |= remove_ops(best);
      progress |= remove_spaces(best);
      progress |= simplify_ops(best);
      progress |= simplify_value_classes(best);
      progress |= simplify_regions(best);
    }
    return best;
  }

  int runs() const { return runs_; }

 private:
  bool fails(const MapSpec& spec) {
    if (runs_ >= max_runs_) return false;
    ++runs_;
    if (predicate_) return predicate_(spec);
    const RunResult r = run_map(spec, options_);
    if (!r.failure || r.failure->category != category_) return false;
    return must_pass_ == nullptr || !run_map(spec, *must_pass_).failure;
  }

  bool try_replace(MapSpec& best, MapSpec candidate) {
    if (!fails(candidate)) return false;
    best = std::move(candidate);
    return true;
  }

  bool remove_regions(MapSpec& best) {
    bool progress = false;
    for (int i = static_cast<int>(best.regions.size()) - 1; i >= 0; --i) {
      if (i >= static_cast<int>(best.regions.size())) continue;
      std::optional<MapSpec> candidate = remove_region(best, i);
      if (candidate && try_replace(best, std::move(*candidate))) progress = true;
    }
    return progress;
  }

  bool remove_ops(MapSpec& best) {
    bool progress = false;
    for (std::size_t chunk = std::max<std::size_t>(1, best.ops.size() / 2); chunk >= 1; chunk /= 2) {
      for (std::size_t start = 0; start < best.ops.size();) {
        MapSpec candidate = best;
        const std::size_t end = std::min(best.ops.size(), start + chunk);
        candidate.ops.erase(candidate.ops.begin() + static_cast<std::ptrdiff_t>(start),
                            candidate.ops.begin() + static_cast<std::ptrdiff_t>(end));
        normalize(candidate);
        if (candidate.ops.size() < best.ops.size() && try_replace(best, std::move(candidate))) {
          progress = true;
        } else {
          start += chunk;
        }
      }
      if (chunk == 1) break;
    }
    return progress;
  }

  bool remove_spaces(MapSpec& best) {
    bool progress = false;
    for (std::size_t s = best.spaces.size(); s-- > 0 && best.spaces.size() > 1;) {
      MapSpec candidate = best;
      candidate.spaces.erase(candidate.spaces.begin() + static_cast<std::ptrdiff_t>(s));
      if (try_replace(best, std::move(candidate))) progress = true;
    }
    return progress;
  }

  bool simplify_ops(MapSpec& best) {
    bool progress = false;
    for (std::size_t k = 0; k < best.ops.size(); ++k) {
      const Op op = best.ops[k];
      if (op.kind == OpKind::add) {
        if (op.priority != 0) {
          MapSpec candidate = best;
          candidate.ops[k].priority = 0;
          if (try_replace(best, std::move(candidate))) {
            progress = true;
          } else if (op.priority != 1 && op.priority != -1) {
            candidate = best;
            candidate.ops[k].priority = op.priority > 0 ? 1 : -1;
            if (try_replace(best, std::move(candidate))) progress = true;
          }
        }
        if (best.ops[k].flag && best.ops[k].priority == 0) {
          MapSpec candidate = best;
          candidate.ops[k].flag = false;
          if (try_replace(best, std::move(candidate))) progress = true;
        }
      }
      if (op.kind == OpKind::add || op.kind == OpKind::set_address || op.kind == OpKind::set_alias_offset ||
          op.kind == OpKind::set_target) {
        for (u128 v : simpler_values(best.ops[k].value, 0)) {
          MapSpec candidate = best;
          candidate.ops[k].value = static_cast<uint64_t>(v);
          if (try_replace(best, std::move(candidate))) {
            progress = true;
            break;
          }
        }
      }
    }
    return progress;
  }

  // Values that must change together (two regions at one offset): every
  // operation value equal to v at once.
  bool simplify_value_classes(MapSpec& best) {
    bool progress = false;
    std::vector<uint64_t> values;
    for (const Op& op : best.ops) {
      if (op.value != 0) values.push_back(op.value);
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (uint64_t v : values) {
      for (u128 c : simpler_values(v, 0)) {
        MapSpec candidate = best;
        for (Op& op : candidate.ops) {
          if (op.value == v) op.value = static_cast<uint64_t>(c);
        }
        if (try_replace(best, std::move(candidate))) {
          progress = true;
          break;
        }
      }
    }
    return progress;
  }

  bool simplify_regions(MapSpec& best) {
    bool progress = false;
    for (std::size_t i = 0; i < best.regions.size(); ++i) {
      const RegionSpec r = best.regions[i];
      if (r.kind == RegionKind::alias && r.alias_offset != 0) {
        for (u128 v : simpler_values(r.alias_offset, 0)) {
          MapSpec candidate = best;
          candidate.regions[i].alias_offset = static_cast<uint64_t>(v);
          if (try_replace(best, std::move(candidate))) {
            progress = true;
            break;
          }
        }
      }
      for (u128 v : simpler_values(best.regions[i].size, zero_size_ok(r.kind) ? 0 : 1)) {
        MapSpec candidate = best;
        candidate.regions[i].size = v;
        if (try_replace(best, std::move(candidate))) {
          progress = true;
          break;
        }
      }
      // Plainer kinds: any terminating region as MMIO.
      if (r.kind != RegionKind::mmio && r.kind != RegionKind::container && r.kind != RegionKind::alias) {
        MapSpec candidate = best;
        candidate.regions[i].kind = RegionKind::mmio;
        if (try_replace(best, std::move(candidate))) progress = true;
      }
    }
    return progress;
  }

  CheckOptions options_;
  std::string category_;
  int max_runs_;
  const CheckOptions* must_pass_;
  std::function<bool(const MapSpec&)> predicate_;
  int runs_ = 0;
};

}  // namespace

ShrinkResult shrink(const MapSpec& failing, const CheckOptions& options, const std::string& category, int max_runs,
                    const CheckOptions* must_pass) {
  Shrinker shrinker(options, category, max_runs, must_pass);
  ShrinkResult out;
  out.spec = shrinker.run(failing);
  out.runs = shrinker.runs();
  CheckOptions capture = options;
  capture.capture_json = true;
  out.result = run_map(out.spec, capture);
  return out;
}

MapSpec shrink_spec(const MapSpec& failing, const std::function<bool(const MapSpec&)>& still_fails, int max_runs,
                    int* runs) {
  Shrinker shrinker(still_fails, max_runs);
  MapSpec out = shrinker.run(failing);
  if (runs != nullptr) *runs = shrinker.runs();
  return out;
}

// ---------------------------------------------------------------------------
// Report

namespace {

// Loads the JSON alone and asks both sides again at the address.
std::string replay_from_json(const std::string& json, int space, uint64_t address, const NaiveOptions& naive) {
  if (json.empty() || json[0] != '{') return "(no JSON)";
  try {
    std::unique_ptr<MemoryMap> map = load_memmap_json(json, "minimal map");
    if (!map) return "the JSON does not load";
    const auto spaces = map->address_spaces();
    if (space < 0 || space >= static_cast<int>(spaces.size())) return "(no such address space in the JSON)";
    const AddressSpace& as = *spaces[space];
    const NaiveResolver resolver(as.root(), naive);
    const NaiveAnswer na = resolver.resolve(address);
    const FlatRange* fr = as.lookup(address);
    return std::string(same_answer(fr, na, address) ? "no" : "yes") + " (flat view: " + describe_range(fr, address) +
           "; naive: " + describe(na) + ")";
  } catch (const sc_core::sc_report& report) {
    return std::string("the JSON does not load: ") + report.get_msg();
  }
}

}  // namespace

std::string failure_report(const MapSpec& original, const RunResult& original_result, const ShrinkResult& shrunk,
                           const CheckOptions& options) {
  std::ostringstream out;
  const Failure* f = original_result.failure ? &*original_result.failure : nullptr;
  out << "random map seed " << hex(original.seed) << " failed: " << (f ? f->category : "?") << "\n";
  out << "  original map: " << original.regions.size() << " regions, " << original.ops.size() << " operations\n";
  if (f) {
    out << "  original failure at op #" << f->op_index << ": " << f->message << "\n";
    if (f->has_address) {
      out << "    as" << f->space << " address " << hex(f->address, 16) << "\n";
      out << "      flat view: " << f->view_answer << "\n";
      out << "      naive:     " << f->naive_answer << "\n";
    }
  }
  const Failure* m = shrunk.result.failure ? &*shrunk.result.failure : nullptr;
  out << "  shrunk in " << shrunk.runs << " runs to " << shrunk.spec.regions.size() << " regions, "
      << shrunk.spec.ops.size() << " operations\n";
  if (m == nullptr) {
    out << "  (the shrunk map no longer fails?)\n";
    return out.str();
  }
  out << "  minimal failure (" << m->category << ") at op #" << m->op_index << ": " << m->message << "\n";
  if (m->has_address) {
    out << "    address space as" << m->space << ", address " << hex(m->address, 16) << "\n";
    out << "      flat view says: " << m->view_answer << "\n";
    out << "      naive says:     " << m->naive_answer << "\n";
  }
  out << "  minimal map, as built in C++ (regions, address spaces, operations in order):\n"
      << describe_spec(shrunk.spec);
  out << "  minimal map at the failing check, as a memmap document (write_memmap):\n" << m->memmap_json;
  if (m->has_address && m->category == "mismatch") {
    out << "  loading this document alone reproduces the disagreement: "
        << replay_from_json(m->memmap_json, m->space, m->address, options.naive) << "\n";
  }
  return out.str();
}

}  // namespace tlmmap::test
