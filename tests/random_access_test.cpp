// Randomized test of the access path through the TLM face.
//
// Random maps from the random-map generator (support/random_map.hpp) are
// built behind one AddressSpaceTarget, with backing whose answers are known:
// RAM, ROM and ROM devices filled with a pattern, MMIO regions with recording
// MmioOps of random valid/impl sizes, alignment rules, endianness,
// with-attributes callbacks that answer errors, accepts(), debug callbacks,
// and some MMIO regions as TLM device regions bound to a recording memory
// (support/random_access_devices.hpp). The generator's operations are
// replayed (enables, moves, alias offsets, romd switches, read-only flags,
// adds and deletions, inside and outside nested transactions), and at every
// check of the spec a burst of random accesses is made:
//  * b_transport reads and writes of 1..64 bytes at random alignment, across
//    flat ranges and holes, some with byte enables, streaming width and
//    transaction attributes (byte swap, `memory`);
//  * transport_dbg;
//  * get_direct_mem_ptr (the grant holds the address, is one flat range
//    exactly or clipped to the device's window, points at the right host
//    byte, with the rights and latencies of its kind; denials cover the whole
//    flat range or hole);
//  * reads and writes through a DmiInitiator.
// Each is compared with the reference model (support/random_access_model.hpp:
// the naive resolver per byte and the documented rules): data, response
// status, the exact sequence of MMIO callbacks and TLM device transactions,
// the delay, and the warnings. Around every change the DMI invalidations a
// recording initiator receives (it asks for DMI over memory ranges at every
// burst, so it holds pointers) must cover every address whose mapping changed
// where it holds a pointer, and nothing whose mapping did not change (the
// naive resolver on the map of before, kept in a shadow map that lags behind,
// and on the map of after, at every boundary of both views, every region
// window, every invalidation edge and random addresses); no invalidation may
// come before the outermost commit; and the DmiInitiator must never read a
// stale value (after every change it reads where it holds grants).
//
// A failure prints the seed, the access and both answers, then the map shrunk
// to a minimal one that still fails the same way.
//
// Environment:
//   TLMMAP_RANDOM_ACCESS_MAPS=N     maps (default: a few seconds' worth)
//   TLMMAP_RANDOM_SEED=S            base seed (default fixed: runs are deterministic)
//   TLMMAP_RANDOM_ACCESS_MAP_SEED=M run only the map with this seed (as printed in a report)
//   TLMMAP_RANDOM_VERBOSE=1         print every map's statistics
//   TLMMAP_RANDOM_ACCESS_LIST=1     list every failing map in one line, shrink none
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>
#include <unordered_map>

#include <gtest/gtest.h>
#include <systemc>

#include "support/test_env.hpp"
#include "support/naive_resolver.hpp"
#include "support/random_access_devices.hpp"
#include "support/random_access_model.hpp"
#include "support/random_map.hpp"
#include "support/tlm_devices.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "tlmmap/tlm/dmi_initiator.hpp"
#include "tlmmap/tlm/tlm_device_region.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap::test {
namespace {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

using test::env_number;
using test::kSanitized;

// --- randomness --------------------------------------------------------------

struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  u128 below128(u128 n) {
    if (n == 0) return 0;
    if (n >= k64BitSpace) return next();
    return below(static_cast<uint64_t>(n));
  }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
};

// --- the bench: one elaboration, reused by every map ---------------------------

constexpr unsigned kPoolSlots = 8;
constexpr uint64_t kPoolSizes[kPoolSlots] = {0x100, 0x1000, 0x10, 0x40, 0x100, 0x800, 0x3, 0x4000};
constexpr u128 kMemoryLimit = 0x1000;  // RAM, ROM and ROM devices are clamped to this size

std::vector<std::string>* g_warnings = nullptr;

void report_handler(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
  if (report.get_severity() == sc_core::SC_WARNING && std::strncmp(report.get_msg_type(), "tlmmap/", 7) == 0 &&
      g_warnings != nullptr) {
    g_warnings->push_back(report.get_msg());
    return;
  }
  sc_core::sc_report_handler::default_handler(report, actions);
}

struct Bench {
  ContainerRegion top{"top", k64BitSpace};
  AddressSpace space{top, "as"};
  AddressSpaceTarget<64> bus{"bus", space};
  RecordingInitiator<64> cpu{"cpu"};
  DmiInitiator<64> dmi_cpu{"dmi_cpu"};
  std::vector<std::unique_ptr<TlmDeviceRegion<32>>> windows;
  std::vector<std::unique_ptr<RecordingMemory<32>>> devices;
  EventLog log;
  std::vector<std::string> warnings;
  TxAttributes extension;

  Bench() {
    cpu.socket.bind(bus.target_socket);
    dmi_cpu.socket.bind(bus.target_socket);
    for (unsigned k = 0; k < kPoolSlots; ++k) {
      windows.push_back(std::make_unique<TlmDeviceRegion<32>>(("tlm" + std::to_string(k)).c_str(), kPoolSizes[k]));
      devices.push_back(
          std::make_unique<RecordingMemory<32>>(("memory" + std::to_string(k)).c_str(), kPoolSizes[k]));
      windows.back()->socket.bind(devices.back()->socket);
      devices.back()->log = &log;
    }
    g_warnings = &warnings;
    sc_core::sc_report_handler::set_handler(report_handler);
    sc_core::sc_start(SC_ZERO_TIME);
  }
  ~Bench() {
    g_warnings = nullptr;
    sc_core::sc_report_handler::set_handler(sc_core::sc_report_handler::default_handler);
  }
};

// --- one map -----------------------------------------------------------------------

struct CaseOptions {
  int accesses_per_burst = 24;
  bool random_accesses = true;
  std::optional<AccessSpec> pinned;  // made first in every burst (the shrinker keeps the failing access)
  int change_points = 24;  // random addresses per change, besides the boundaries
  // Deliberate mistakes, to test the test: one in the resolver the model
  // uses, or invalidations forgotten before they are checked.
  NaiveOptions naive;
  bool drop_an_invalidation = false;
};

struct CaseFailure {
  std::string category;
  std::string message;
  std::optional<AccessSpec> access;
  std::size_t op_index = 0;
  uint64_t ordinal = 0;  // accesses and changes made before it: how far the map got
};

struct CaseStats {
  uint64_t transports = 0, debugs = 0, dmi_requests = 0, dmi_grants = 0, dmi_initiator = 0, dmi_hits = 0;
  uint64_t bursts = 0, changes = 0, change_points = 0, invalidations = 0, callbacks = 0, device_transactions = 0;
  uint64_t tlm_regions = 0, bytes = 0, in_transaction = 0, stale_checks = 0;
  void add(const CaseStats& o) {
    transports += o.transports;
    debugs += o.debugs;
    dmi_requests += o.dmi_requests;
    dmi_grants += o.dmi_grants;
    dmi_initiator += o.dmi_initiator;
    dmi_hits += o.dmi_hits;
    bursts += o.bursts;
    changes += o.changes;
    change_points += o.change_points;
    invalidations += o.invalidations;
    callbacks += o.callbacks;
    device_transactions += o.device_transactions;
    tlm_regions += o.tlm_regions;
    bytes += o.bytes;
    in_transaction += o.in_transaction;
    stale_checks += o.stale_checks;
  }
  uint64_t accesses() const { return transports + debugs + dmi_requests + dmi_initiator; }
};

struct CaseResult {
  bool skipped = false;
  std::string skip_reason;
  std::optional<CaseFailure> failure;
  CaseStats stats;
};

bool is_memory_kind(RegionKind k) {
  return k == RegionKind::ram || k == RegionKind::rom || k == RegionKind::rom_device;
}

// The generator's map, made fit for accesses: every region gets a tag (its
// configuration follows it through the shrinker), memory is small enough to
// back, and MMIO regions that want a TLM device take the size of their slot.
MapSpec prepare(MapSpec spec) {
  std::vector<bool> taken(kPoolSlots, false);
  for (std::size_t i = 0; i < spec.regions.size(); ++i) {
    RegionSpec& r = spec.regions[i];
    r.tag = i + 1;
    if (is_memory_kind(r.kind) && r.size > kMemoryLimit) r.size = 1 + (r.size - 1) % kMemoryLimit;
    if (r.kind == RegionKind::mmio) {
      const RegionConfig c = region_config(spec.seed, r.tag);
      const unsigned slot = c.tlm_slot % kPoolSlots;
      if (c.wants_tlm && !taken[slot]) {
        taken[slot] = true;
        r.size = kPoolSizes[slot];
      }
    }
  }
  return spec;
}

// The device's DMI window reduced to its size.
TlmDeviceConfig device_config(TlmDeviceConfig d, uint64_t size) {
  d.dmi_first %= size;
  d.dmi_last = d.dmi_last == ~uint64_t(0) ? size - 1 : d.dmi_first + d.dmi_last % (size - d.dmi_first);
  return d;
}

std::string op_text(const MapSpec& spec, std::size_t k) {
  return k < spec.ops.size() ? describe_op(spec, spec.ops[k]) : "(end)";
}

class CaseRunner {
 public:
  CaseRunner(Bench& bench, const MapSpec& spec, const CaseOptions& options)
      : b_(bench), spec_(spec), options_(options), rng_{mix_seed(spec.seed, 0xacce55)} {}

  CaseResult run() {
    try {
      build();
      if (!done()) replay();
    } catch (const sc_core::sc_report& report) {
      fail("exception", std::string("unexpected report [") + report.get_msg_type() + "] " + report.get_msg());
    } catch (const std::exception& e) {
      fail("exception", std::string("unexpected exception: ") + e.what());
    }
    teardown();
    return std::move(result_);
  }

 private:
  bool done() const { return result_.failure.has_value() || result_.skipped; }

  void fail(const std::string& category, const std::string& message,
            const std::optional<AccessSpec>& access = std::nullopt) {
    if (done()) return;
    CaseFailure f;
    f.category = category;
    f.message = "at op #" + std::to_string(op_index_) + " (" + op_text(spec_, op_index_) + "): " + message;
    f.access = access;
    f.op_index = op_index_;
    f.ordinal = progress_;
    result_.failure = f;
  }
  void skip(const std::string& why) {
    if (done()) return;
    result_.skipped = true;
    result_.skip_reason = why;
  }

  // --- building ---------------------------------------------------------------

  // The live map's regions carry the recording callbacks; an MMIO region of
  // a pooled size may be a TLM device window instead.
  Region& make_live(int i) {
    const RegionSpec& r = spec_.regions[i];
    const std::string name = region_name(spec_, i);
    const RegionConfig& c = config_[i];
    switch (r.kind) {
      case RegionKind::rom_device:
        return live_->make<RomDeviceRegion>(name, name, r.size, make_recording_ops(c.mmio, i, b_.log));
      case RegionKind::mmio: {
        const unsigned slot = c.tlm_slot % kPoolSlots;
        if (c.wants_tlm && !slot_used_[slot] && r.size == kPoolSizes[slot]) {
          slot_used_[slot] = true;
          slot_of_[i] = static_cast<int>(slot);
          return *b_.windows[slot];
        }
        return live_->make<MmioRegion>(name, name, r.size, make_recording_ops(c.mmio, i, b_.log));
      }
      default: return make_spec_region(*live_, spec_, i, live_regions_);
    }
  }

  void build() {
    const int n = static_cast<int>(spec_.regions.size());
    Rng setup{mix_seed(spec_.seed, 0x5e70)};
    native_big_ = setup.chance(30);
    set_native_endianness(native_big_ ? Endianness::big : Endianness::little);
    static const UnmappedPolicy policies[] = {UnmappedPolicy::error, UnmappedPolicy::error_with_warning,
                                              UnmappedPolicy::read_zero_write_ignore,
                                              UnmappedPolicy::read_zero_write_ignore_with_warning};
    policy_ = policies[setup.below(4)];
    b_.space.set_unmapped_policy(policy_);
    live_ = std::make_unique<MemoryMap>();
    shadow_ = std::make_unique<MemoryMap>();
    shadow_top_ = std::make_unique<ContainerRegion>("top", k64BitSpace);
    slot_used_.assign(kPoolSlots, false);
    slot_of_.assign(n, -1);
    config_.clear();
    for (int i = 0; i < n; ++i) config_.push_back(region_config(spec_.seed, spec_.regions[i].tag));
    for (int i = 0; i < n; ++i) {
      try {
        live_regions_.push_back(&make_live(i));
        shadow_regions_.push_back(&make_spec_region(*shadow_, spec_, i, shadow_regions_, "shadow_"));
      } catch (const sc_core::sc_report& report) {
        skip(std::string("region refused: ") + report.get_msg());
        return;
      }
    }
    memory_.assign(n, {});
    regions_.assign(n, ModelRegion{});
    names_.clear();
    for (int i = 0; i < n; ++i) {
      Region& r = *live_regions_[i];
      live_index_[&r] = i;
      shadow_index_[shadow_regions_[i]] = i;
      names_.push_back(r.name());
      RegionConfig& c = config_[i];
      ModelRegion& m = regions_[i];
      m.kind = r.kind();
      m.name = r.name();
      m.config = c;
      r.set_latency(to_duration(c.read_latency), to_duration(c.write_latency));
      if (slot_of_[i] >= 0) {
        const unsigned slot = static_cast<unsigned>(slot_of_[i]);
        RecordingMemory<32>& device = *b_.devices[slot];
        const uint64_t size = kPoolSizes[slot];
        const TlmDeviceConfig d = device_config(c.device, size);
        device.config = d;
        device.region = i;
        for (uint64_t k = 0; k < size; ++k) device.bytes[k] = fill_byte(c.fill_salt, k);
        m.config.device = d;
        m.tlm = true;
        m.tlm_size = size;
        memory_[i] = device.bytes;
        m.host = device.bytes.data();
        ++result_.stats.tlm_regions;
      } else if (is_memory_kind(r.kind())) {
        uint8_t* host = r.kind() == RegionKind::rom_device ? static_cast<RomDeviceRegion&>(r).host_ptr()
                                                           : static_cast<RamRegion&>(r).host_ptr();
        const uint64_t size = static_cast<uint64_t>(r.size());
        memory_[i].resize(size);
        for (uint64_t k = 0; k < size; ++k) memory_[i][k] = host[k] = fill_byte(c.fill_salt, k);
        m.host = host;
      }
    }
    for (int i = 0; i < n; ++i) regions_[i].memory = &memory_[i];
    model_ = std::make_unique<Model>(regions_, policy_, native_big_);
    b_.dmi_cpu.set_dmi_enabled(false);
    b_.dmi_cpu.set_dmi_enabled(true);
    b_.cpu.invalidations.clear();
    b_.log.events.clear();
    b_.warnings.clear();
    root_ = spec_.spaces.empty() ? 0 : spec_.spaces[0];
    if (root_ >= n) {
      skip("no root");
      return;
    }
    // The map's root is the only subregion of the bench's container, at 0:
    // it is QEMU's flatview root of the address space (if it fits).
    change([&] { b_.top.add_subregion(0, *live_regions_[root_]); },
           [&] { shadow_top_->add_subregion(0, *shadow_regions_[root_]); });
  }

  void teardown() {
    while (transaction_depth() > 0) {
      try {
        transaction_commit();
      } catch (const sc_core::sc_report&) {
      }
    }
    try {
      if (root_ < static_cast<int>(live_regions_.size()) && live_regions_[root_]->container() == &b_.top) {
        b_.top.del_subregion(*live_regions_[root_]);
      }
      live_.reset();
    } catch (const sc_core::sc_report&) {
    }
    for (unsigned slot = 0; slot < kPoolSlots; ++slot) {
      if (!slot_used_.empty() && !slot_used_[slot]) continue;
      MmioRegion& r = *b_.windows[slot];
      try {
        if (r.container() != nullptr) r.container()->del_subregion(r);
        r.set_enabled(true);
        r.set_readonly(false);
        r.set_nonvolatile(false);
        // As in QEMU, a region keeps its address when it leaves its container, and
        // that address matters when it becomes a flatview root (through an alias):
        // start every map from a fresh state, as the shadow's stand-in has.
        r.set_address(0);
      } catch (const sc_core::sc_report&) {
      }
      r.set_latency(Duration{}, Duration{});
      b_.devices[slot]->region = -1;
    }
    shadow_.reset();
    shadow_top_.reset();
    b_.dmi_cpu.set_dmi_enabled(false);
    b_.dmi_cpu.set_dmi_enabled(true);
    b_.cpu.invalidations.clear();
    b_.log.events.clear();
    b_.warnings.clear();
    set_native_endianness(Endianness::little);
  }

  // --- resolving ----------------------------------------------------------------

  ByteMapping translate(const NaiveAnswer& a, const std::unordered_map<const Region*, int>& index) {
    ByteMapping m;
    if (a.status == NaiveAnswer::Status::too_deep) {
      too_deep_ = true;
      return m;
    }
    if (!a.mapped()) return m;
    auto it = index.find(a.region);
    if (it == index.end()) {
      fail("harness", "the naive resolver answered a region outside the map: " + a.region->name());
      return m;
    }
    m.status = ByteMapping::Status::mapped;
    m.region = it->second;
    m.offset = a.offset;
    m.readonly = a.readonly;
    m.romd = a.romd_mode;
    m.nonvolatile = a.nonvolatile;
    return m;
  }

  // Resolves on the committed state (the shadow map), memoized.
  struct Cached {
    explicit Cached(CaseRunner& runner, bool live)
        : runner_(runner),
          naive_(live ? static_cast<const Region*>(&runner.b_.top) : runner.shadow_top_.get(), runner.options_.naive),
          index_(live ? runner.live_index_ : runner.shadow_index_) {}
    ByteMapping operator()(uint64_t address) {
      auto it = memo_.find(address);
      if (it != memo_.end()) return it->second;
      const ByteMapping m = runner_.translate(naive_.resolve(address), index_);
      memo_.emplace(address, m);
      return m;
    }
    CaseRunner& runner_;
    NaiveResolver naive_;
    const std::unordered_map<const Region*, int>& index_;
    std::unordered_map<uint64_t, ByteMapping> memo_;
  };

  // --- changes and invalidations ---------------------------------------------

  // Region windows (unclipped) reachable from the top of `root`, a few levels deep.
  static void collect_windows(const Region* r, i128 base, int depth, std::vector<std::pair<i128, i128>>& out,
                              int& budget) {
    if (r == nullptr || budget <= 0 || depth > 10) return;
    --budget;
    const i128 start = base + static_cast<i128>(r->address());
    out.emplace_back(start, start + static_cast<i128>(r->size()));
    if (r->kind() == RegionKind::alias) {
      const Region* t = r->alias_target();
      if (t != nullptr) {
        collect_windows(t, start - static_cast<i128>(r->alias_offset()) - static_cast<i128>(t->address()),
                        depth + 1, out, budget);
      }
      return;
    }
    for (const Region* sub : r->subregions()) collect_windows(sub, start, depth + 1, out, budget);
  }

  static void add_point(std::vector<uint64_t>& points, i128 a) {
    if (a >= 0 && a < static_cast<i128>(k64BitSpace)) points.push_back(static_cast<uint64_t>(a));
  }
  static void add_edges(std::vector<uint64_t>& points, i128 start, i128 end) {
    add_point(points, start - 1);
    add_point(points, start);
    add_point(points, end - 1);
    add_point(points, end);
  }

  std::vector<uint64_t> change_points(const FlatView& before, const FlatView& after,
                                      const std::vector<std::pair<uint64_t, uint64_t>>& invalidations) {
    std::vector<uint64_t> points{0, ~uint64_t(0)};
    for (const FlatView* v : {&before, &after}) {
      for (const FlatRange& r : v->ranges()) add_edges(points, r.first, i128(r.last) + 1);
    }
    for (const auto& inv : invalidations) add_edges(points, inv.first, i128(inv.second) + 1);
    std::vector<std::pair<i128, i128>> windows;
    int budget = 200;
    collect_windows(shadow_top_.get(), 0, 0, windows, budget);
    budget = 200;
    collect_windows(&b_.top, 0, 0, windows, budget);
    for (const auto& w : windows) add_edges(points, w.first, w.second);
    for (int k = 0; k < options_.change_points; ++k) {
      const int how = static_cast<int>(rng_.below(4));
      if (how == 0) {
        points.push_back(rng_.next());
      } else if (how == 1 && !after.ranges().empty()) {
        const FlatRange& r = after.ranges()[rng_.below(after.ranges().size())];
        points.push_back(r.first + static_cast<uint64_t>(rng_.below128(r.size())));
      } else if (how == 2 && !before.ranges().empty()) {
        const FlatRange& r = before.ranges()[rng_.below(before.ranges().size())];
        points.push_back(r.first + static_cast<uint64_t>(rng_.below128(r.size())));
      } else if (!windows.empty()) {
        const auto& w = windows[rng_.below(windows.size())];
        if (w.second > w.first) add_point(points, w.first + static_cast<i128>(rng_.below128(static_cast<u128>(w.second - w.first))));
      }
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    return points;
  }

  // Applies a change (or commits) on the live map and the same on the shadow,
  // and checks the invalidations in between.
  template <typename Live, typename Shadow>
  void change(Live&& live, Shadow&& shadow) {
    ++result_.stats.changes;
    ++progress_;
    const std::shared_ptr<const FlatView> before = b_.space.flat_view();
    b_.cpu.invalidations.clear();
    if (!apply(live)) return;
    const std::shared_ptr<const FlatView> after = b_.space.flat_view();
    auto invalidations = b_.cpu.invalidations;
    if (options_.drop_an_invalidation && !invalidations.empty()) invalidations.erase(invalidations.begin());
    result_.stats.invalidations += invalidations.size();
    const std::vector<std::pair<uint64_t, uint64_t>> held = held_;  // the recording initiator's grants
    const std::vector<uint64_t> points = change_points(*before, *after, invalidations);
    result_.stats.change_points += points.size();
    std::vector<ByteMapping> old_answers;
    {
      Cached old_state(*this, false);
      for (uint64_t p : points) old_answers.push_back(old_state(p));
    }
    if (!apply(shadow)) return;
    if (too_deep_) return skip("the naive resolver went too deep");
    Cached new_state(*this, false);
    Cached live_state(*this, true);
    for (std::size_t k = 0; k < points.size() && !done(); ++k) {
      const uint64_t p = points[k];
      const ByteMapping now = new_state(p);
      if (!now.same(live_state(p))) {
        return fail("harness", "the shadow map and the live map disagree at " + hex(p) + ": " + describe(now, names_) +
                                   " vs " + describe(live_state(p), names_));
      }
      const bool changed = !old_answers[k].same(now);
      bool covered = false;
      for (const auto& inv : invalidations) covered = covered || (inv.first <= p && p <= inv.second);
      // Every pointer the initiator holds over a changed address must be
      // withdrawn: an invalidation must meet it (the initiator drops a pointer
      // that an invalidation meets anywhere, so the library may spare
      // initiators that hold none there). Nothing unchanged may be invalidated.
      bool withdrawn = true;
      for (const auto& g : held) {
        if (g.first > p || p > g.second) continue;
        bool met = false;
        for (const auto& inv : invalidations) met = met || (inv.first <= g.second && g.first <= inv.second);
        withdrawn = withdrawn && met;
      }
      if ((changed && !withdrawn) || (covered && !changed)) {
        std::string text;
        for (const auto& inv : invalidations) text += " [" + hex(inv.first) + ", " + hex(inv.second) + "]";
        return fail(changed ? "invalidation-missing" : "invalidation-excess",
                    std::string("at ") + hex(p) + " the mapping " +
                        (changed ? "changed (" + describe(old_answers[k], names_) + " -> " + describe(now, names_) +
                                       ") inside a DMI pointer the initiator holds, but no invalidation meets that pointer"
                                 : "stayed " + describe(now, names_) + " but it was invalidated") +
                        "; invalidations:" + (text.empty() ? " none" : text));
      }
    }
    if (too_deep_) return skip("the naive resolver went too deep");
    // The initiator drops every pointer an invalidation meets.
    for (const auto& inv : invalidations) {
      held_.erase(std::remove_if(held_.begin(), held_.end(),
                                 [&](const std::pair<uint64_t, uint64_t>& g) {
                                   return g.first <= inv.second && inv.first <= g.second;
                                 }),
                  held_.end());
    }
    if (!done()) stale_dmi_check();
  }

  // The recording initiator asks for DMI over memory ranges of the view, so
  // that it holds pointers a change must withdraw.
  void arm_grants(const FlatView& view) {
    const auto& ranges = view.ranges();
    for (int k = 0; k < 16 && !ranges.empty(); ++k) {
      const FlatRange& fr = ranges[rng_.below(ranges.size())];
      const RegionKind kind = fr.region()->kind();
      if (kind != RegionKind::ram && kind != RegionKind::rom && kind != RegionKind::rom_device &&
          kind != RegionKind::mmio) {
        continue;
      }
      tlm::tlm_dmi dmi;
      const uint64_t at = fr.first + static_cast<uint64_t>(rng_.below128(fr.size()));
      if (b_.cpu.dmi(at, dmi, tlm::TLM_READ_COMMAND)) held_.emplace_back(dmi.get_start_address(), dmi.get_end_address());
    }
  }

  // Runs a map operation; false (and the map skipped or failed) if it
  // cannot go on. API refusals are fine: the shadow refuses alike.
  template <typename F>
  bool apply(F&& f) {
    try {
      f();
    } catch (const sc_core::sc_report& report) {
      const std::string type = report.get_msg_type();
      if (type == "tlmmap/region") return true;
      if (type == "tlmmap/render") {
        skip(std::string("render stopped: ") + report.get_msg());
        return false;
      }
      fail("exception", "unexpected report [" + type + "] " + report.get_msg());
      return false;
    }
    return !done();
  }

  void replay() {
    std::vector<Op> pending;  // changes made inside the open transaction, for the shadow at its commit
    int depth = 0;
    for (op_index_ = 0; op_index_ < spec_.ops.size() && !done(); ++op_index_) {
      const Op& op = spec_.ops[op_index_];
      switch (op.kind) {
        case OpKind::begin:
          transaction_begin();
          ++depth;
          break;
        case OpKind::commit:
          if (depth == 0) break;
          if (depth > 1) {
            b_.cpu.invalidations.clear();
            if (!apply([] { transaction_commit(); })) return;
            --depth;
            if (!b_.cpu.invalidations.empty()) fail("invalidation-early", "an inner commit sent invalidations");
            break;
          }
          --depth;
          change([] { transaction_commit(); },
                 [&] {
                   for (const Op& p : pending) {
                     try {
                       apply_spec_op(shadow_regions_, p);
                     } catch (const sc_core::sc_report& report) {
                       if (std::string(report.get_msg_type()) != "tlmmap/region") throw;
                     }
                   }
                   pending.clear();
                 });
          break;
        case OpKind::check:
          burst();
          break;
        default:
          if (depth > 0) {
            b_.cpu.invalidations.clear();
            if (!apply([&] { apply_spec_op(live_regions_, op); })) return;
            pending.push_back(op);
            if (!b_.cpu.invalidations.empty()) {
              fail("invalidation-early", "a change inside a transaction sent invalidations before the commit");
            }
          } else {
            change([&] { apply_spec_op(live_regions_, op); }, [&] { apply_spec_op(shadow_regions_, op); });
          }
          break;
      }
    }
    op_index_ = spec_.ops.size();
    while (depth > 0 && !done()) {
      if (depth > 1) {
        apply([] { transaction_commit(); });
      } else {
        change([] { transaction_commit(); },
               [&] {
                 for (const Op& p : pending) {
                   try {
                     apply_spec_op(shadow_regions_, p);
                   } catch (const sc_core::sc_report& report) {
                     if (std::string(report.get_msg_type()) != "tlmmap/region") throw;
                   }
                 }
               });
      }
      --depth;
    }
    if (!done()) burst();
  }

  // --- accesses ------------------------------------------------------------------

  AccessSpec random_access(const FlatView& view, const std::vector<std::pair<i128, i128>>& windows) {
    AccessSpec a;
    const uint64_t via = rng_.below(100);
    a.via = via < 58   ? AccessSpec::Via::transport
            : via < 70 ? AccessSpec::Via::debug
            : via < 82 ? AccessSpec::Via::dmi_request
                       : AccessSpec::Via::dmi_initiator;
    static const unsigned kPow2[] = {1, 2, 4, 8};
    const uint64_t lr = rng_.below(100);
    if (a.via == AccessSpec::Via::dmi_initiator) {
      a.length = lr < 75 ? kPow2[rng_.below(4)] : static_cast<unsigned>(1 + rng_.below(16));
    } else if (a.via == AccessSpec::Via::dmi_request) {
      a.length = 1;
    } else {
      a.length = lr < 40 ? kPow2[rng_.below(4)]
                 : lr < 70 ? static_cast<unsigned>(1 + rng_.below(16))
                           : static_cast<unsigned>(1 + rng_.below(64));
    }
    const auto& ranges = view.ranges();
    const uint64_t ar = rng_.below(100);
    const unsigned len = a.length;
    auto jitter = [&](uint64_t base, int span) {
      return base + rng_.below(2 * static_cast<uint64_t>(span) + 1) - static_cast<uint64_t>(span);
    };
    if (ar < 80 && !ranges.empty()) {
      // Prefer ranges with something behind them.
      const FlatRange* fr = &ranges[rng_.below(ranges.size())];
      for (int tries = 0; tries < 3 && fr->region()->kind() == RegionKind::iommu; ++tries) {
        fr = &ranges[rng_.below(ranges.size())];
      }
      const uint64_t mode = rng_.below(5);
      const u128 size = fr->size();
      if (mode == 0) {
        a.address = jitter(fr->first, 8);
      } else if (mode == 1) {
        a.address = jitter(fr->last + 1 - len, 8);
      } else if (mode == 2) {
        a.address = fr->first + static_cast<uint64_t>(rng_.below128(size));
      } else if (mode == 3) {
        unsigned align = 1;
        while (align < len && align < 64) align *= 2;
        a.address = (fr->first + static_cast<uint64_t>(rng_.below128(size))) & ~uint64_t(align - 1);
      } else {
        a.address = fr->first + static_cast<uint64_t>(rng_.below128(std::min<u128>(size, 128)));
      }
    } else if (ar < 88 && !windows.empty()) {
      const auto& w = windows[rng_.below(windows.size())];
      const i128 at = (rng_.chance(50) ? w.first : w.second) + static_cast<i128>(rng_.below(17)) - 8;
      a.address = static_cast<uint64_t>(at);
    } else if (ar < 94) {
      a.address = ~uint64_t(0) - rng_.below(80);
    } else if (ar < 97) {
      a.address = rng_.below(80);
    } else {
      a.address = rng_.next();
    }
    switch (a.via) {
      case AccessSpec::Via::transport: {
        const uint64_t c = rng_.below(100);
        a.command = c < 49 ? tlm::TLM_READ_COMMAND : c < 98 ? tlm::TLM_WRITE_COMMAND : tlm::TLM_IGNORE_COMMAND;
        if (rng_.chance(15)) {
          const unsigned n = static_cast<unsigned>(1 + rng_.below(len));
          for (unsigned k = 0; k < n; ++k) a.enables.push_back(rng_.chance(70) ? TLM_BYTE_ENABLED : TLM_BYTE_DISABLED);
        }
        if (len > 1 && rng_.chance(12)) a.streaming = static_cast<unsigned>(1 + rng_.below(len - 1));
        if (rng_.chance(30)) {
          a.has_attrs = true;
          a.attrs = MemTxAttrs::specified();
          a.attrs.secure = rng_.chance(50);
          a.attrs.user = rng_.chance(50);
          a.attrs.requester_id = static_cast<uint16_t>(rng_.next());
          a.attrs.byte_swap = rng_.chance(30);
          a.attrs.memory = rng_.chance(8);
          a.attrs.target_tlb_bits = static_cast<uint8_t>(rng_.below(8));
        }
        if (rng_.chance(1)) a.length = 0;
        break;
      }
      case AccessSpec::Via::debug:
        a.command = rng_.chance(60) ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND;
        break;
      case AccessSpec::Via::dmi_request:
        a.command = rng_.chance(50) ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND;
        break;
      case AccessSpec::Via::dmi_initiator:
        a.command = rng_.chance(70) ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND;
        break;
    }
    a.data.resize(a.length);
    for (auto& byte : a.data) byte = static_cast<uint8_t>(rng_.next());
    return a;
  }

  void burst() {
    ++result_.stats.bursts;
    if (rng_.chance(10)) {
      static const UnmappedPolicy policies[] = {UnmappedPolicy::error, UnmappedPolicy::error_with_warning,
                                                UnmappedPolicy::read_zero_write_ignore,
                                                UnmappedPolicy::read_zero_write_ignore_with_warning};
      policy_ = policies[rng_.below(4)];
      b_.space.set_unmapped_policy(policy_);
      model_->set_policy(policy_);
    }
    const std::shared_ptr<const FlatView> view = b_.space.flat_view();
    std::vector<std::pair<i128, i128>> windows;
    int budget = 200;
    collect_windows(shadow_top_.get(), 0, 0, windows, budget);
    Cached resolve(*this, false);
    arm_grants(*view);
    b_.log.events.clear();
    if (options_.pinned) access(*options_.pinned, resolve);
    const int count = options_.random_accesses ? options_.accesses_per_burst : 0;
    if (transaction_depth() > 0) result_.stats.in_transaction += count;
    for (int k = 0; k < count && !done(); ++k) access(random_access(*view, windows), resolve);
    if (too_deep_) skip("the naive resolver went too deep");
    // Reads must not have touched memory either.
    if (!done()) check_memory(nullptr);
  }

  // Bytes of all memory (host memory and TLM devices) against the model's.
  void check_memory(const AccessSpec* a) {
    for (std::size_t i = 0; i < regions_.size(); ++i) {
      const ModelRegion& m = regions_[i];
      if (m.host == nullptr) continue;
      const std::vector<uint8_t>& want = memory_[i];
      if (std::memcmp(m.host, want.data(), want.size()) == 0) continue;
      std::size_t k = 0;
      while (k < want.size() && m.host[k] == want[k]) ++k;
      std::ostringstream msg;
      msg << "after " << (a == nullptr ? std::string("the burst") : describe(*a))
          << "\n    the memory of " << names_[i] << " differs at offset " << hex(k)
          << ": " << hex(m.host[k]) << ", the model says " << hex(want[k]);
      fail("memory", msg.str(), a == nullptr ? std::nullopt : std::optional<AccessSpec>(*a));
      return;
    }
  }

  static std::string outcome_text(const Outcome& o, const std::vector<std::string>& names, bool show_status,
                                   bool show_moved) {
    std::ostringstream out;
    if (show_status) out << "status " << describe(o.status) << ", ";
    if (show_moved) out << "moved " << o.debug_moved << ", ";
    out << "delay " << o.delay << "\n      data " << bytes_text(o.data, o.data_known.empty() ? nullptr : &o.data_known);
    out << "\n      events (" << o.events.size() << "):";
    for (const Event& e : o.events) out << "\n        " << describe(e, names);
    if (!o.warnings.empty()) {
      out << "\n      warnings:";
      for (const auto& w : o.warnings) out << "\n        " << w;
    }
    return out.str();
  }

  std::string mapping_text(const AccessSpec& a, Cached& resolve) {
    std::ostringstream out;
    out << "    the model's map of the bytes:";
    const unsigned n = std::max(a.length, 1u);
    ByteMapping first;
    ByteMapping previous;
    uint64_t run_start = a.address;
    unsigned run_length = 0;
    auto flush = [&]() {
      if (run_length > 0) {
        out << "\n      " << hex(run_start) << " +" << run_length << ": " << describe(first, names_);
      }
    };
    for (unsigned i = 0; i < n; ++i) {
      const u128 at = u128(a.address) + i;
      ByteMapping m;
      if (at >= k64BitSpace) {
        m.status = ByteMapping::Status::beyond_top;
      } else {
        m = resolve(static_cast<uint64_t>(at));
      }
      if (run_length > 0 && previous.continued_by(m)) {
        ++run_length;
      } else {
        flush();
        first = m;
        run_start = static_cast<uint64_t>(at);
        run_length = 1;
      }
      previous = m;
    }
    flush();
    return out.str();
  }

  void mismatch(const std::string& category, const AccessSpec& a, const Outcome& want, const Outcome& got,
                Cached& resolve, const std::string& what, bool show_status, bool show_moved) {
    std::ostringstream msg;
    msg << what << "\n    access: " << describe(a) << "\n    expected: "
        << outcome_text(want, names_, show_status, show_moved) << "\n    library:  "
        << outcome_text(got, names_, show_status, show_moved) << "\n"
        << mapping_text(a, resolve);
    fail(category, msg.str(), a);
  }

  // Compares everything but the data's unknown bytes; "" if alike.
  static std::string compare(const Outcome& want, const Outcome& got, bool status, bool moved,
                             const std::vector<std::string>& names) {
    if (status && want.status != got.status) return "response status";
    if (moved && want.debug_moved != got.debug_moved) return "bytes moved";
    for (std::size_t k = 0; k < want.data.size(); ++k) {
      if (k < want.data_known.size() && !want.data_known[k]) continue;
      if (k >= got.data.size() || want.data[k] != got.data[k]) return "data byte " + std::to_string(k);
    }
    if (want.events.size() != got.events.size()) return "number of device events";
    for (std::size_t k = 0; k < want.events.size(); ++k) {
      if (want.events[k] != got.events[k]) return "device event #" + std::to_string(k) + " (" + describe(got.events[k], names) + ")";
    }
    if (want.delay != got.delay) return "delay";
    if (want.warnings.size() != got.warnings.size()) return "number of warnings";
    for (std::size_t k = 0; k < want.warnings.size(); ++k) {
      if (got.warnings[k].find(want.warnings[k]) == std::string::npos) return "warning #" + std::to_string(k);
    }
    return "";
  }

  void access(const AccessSpec& a, Cached& resolve) {
    ++progress_;
    b_.log.events.clear();
    b_.warnings.clear();
    switch (a.via) {
      case AccessSpec::Via::transport: return transport(a, resolve);
      case AccessSpec::Via::debug: return debug(a, resolve);
      case AccessSpec::Via::dmi_request: return dmi_request(a, resolve);
      case AccessSpec::Via::dmi_initiator: return dmi_initiator(a, resolve);
    }
  }

  void collect(Outcome& got) {
    got.events = b_.log.events;
    got.warnings = b_.warnings;
    for (const Event& e : got.events) {
      if (e.kind == Event::Kind::tlm || e.kind == Event::Kind::tlm_debug) {
        ++result_.stats.device_transactions;
      } else {
        ++result_.stats.callbacks;
      }
    }
  }

  void transport(const AccessSpec& a, Cached& resolve) {
    ++result_.stats.transports;
    result_.stats.bytes += a.length;
    Outcome want = model_->transport(a, resolve);
    if (too_deep_) return;
    Outcome got;
    got.data = a.data;
    if (got.data.empty()) got.data.resize(1);
    RecordingInitiator<64>& cpu = b_.cpu;
    cpu.delay = SC_ZERO_TIME;
    if (a.has_attrs) {
      b_.extension.attrs = a.attrs;
      cpu.gp.set_extension(&b_.extension);
    }
    got.status = cpu.transport(a.command, a.address, got.data.data(), a.length,
                               a.enables.empty() ? nullptr : a.enables.data(),
                               static_cast<unsigned>(a.enables.size()), a.streaming);
    if (a.has_attrs) cpu.gp.clear_extension(&b_.extension);
    got.delay = cpu.delay;
    got.data.resize(a.data.size());
    collect(got);
    const uint64_t address_after = cpu.gp.get_address();
    const std::string difference = compare(want, got, true, false, names_);
    if (!difference.empty()) {
      return mismatch("transport", a, want, got, resolve, "b_transport differs from the model in its " + difference,
                      true, false);
    }
    if (address_after != a.address) {
      return fail("transport", "b_transport left the payload's address at " + hex(address_after) + "\n    access: " +
                                   describe(a), a);
    }
    if (a.command == tlm::TLM_WRITE_COMMAND) check_memory(&a);
  }

  void debug(const AccessSpec& a, Cached& resolve) {
    ++result_.stats.debugs;
    result_.stats.bytes += a.length;
    Outcome want = model_->debug(a, resolve);
    if (too_deep_) return;
    Outcome got;
    got.data = a.data;
    got.debug_moved = b_.cpu.debug(a.command, a.address, got.data.data(), a.length);
    collect(got);
    const std::string difference = compare(want, got, false, true, names_);
    if (!difference.empty()) {
      return mismatch("debug", a, want, got, resolve, "transport_dbg differs from the model in its " + difference,
                      false, true);
    }
    if (a.command == tlm::TLM_WRITE_COMMAND) check_memory(&a);
  }

  void dmi_request(const AccessSpec& a, Cached& resolve) {
    ++result_.stats.dmi_requests;
    tlm::tlm_dmi dmi;
    const bool granted = b_.cpu.dmi(a.address, dmi, a.command);
    result_.stats.dmi_grants += granted;
    if (granted) held_.emplace_back(dmi.get_start_address(), dmi.get_end_address());
    Outcome got;
    collect(got);
    if (!got.events.empty() || !got.warnings.empty()) {
      return fail("dmi", "get_direct_mem_ptr had side effects (" + std::to_string(got.events.size()) +
                             " device events, " + std::to_string(got.warnings.size()) + " warnings)\n    access: " +
                             describe(a), a);
    }
    const std::string problem = model_->check_dmi(a, resolve, granted, dmi);
    if (too_deep_) return;
    if (!problem.empty()) {
      std::ostringstream msg;
      msg << "get_direct_mem_ptr: " << problem << "\n    access: " << describe(a) << "\n    answer: "
          << (granted ? "granted " : "denied ") << (dmi.is_read_allowed() ? "r" : "-")
          << (dmi.is_write_allowed() ? "w" : "-") << " [" << hex(dmi.get_start_address()) << ", "
          << hex(dmi.get_end_address()) << "] latency r" << dmi.get_read_latency() << "/w" << dmi.get_write_latency()
          << "\n"
          << mapping_text(a, resolve);
      fail("dmi", msg.str(), a);
    }
  }

  void dmi_initiator(const AccessSpec& a, Cached& resolve) {
    ++result_.stats.dmi_initiator;
    DmiInitiator<64>& port = b_.dmi_cpu;
    const bool is_write = a.command == tlm::TLM_WRITE_COMMAND;
    const bool covered = port.dmi_cache().find(a.address, a.length, is_write) != nullptr;
    std::string stale;
    Outcome want = covered ? model_->through_dmi(a, resolve, stale) : model_->transport(a, resolve);
    if (too_deep_) return;
    result_.stats.dmi_hits += covered;
    Outcome got;
    got.data = a.data;
    sc_time delay = SC_ZERO_TIME;
    got.status = is_write ? port.write(a.address, got.data.data(), a.length, delay)
                          : port.read(a.address, got.data.data(), a.length, delay);
    got.delay = delay;
    collect(got);
    if (!stale.empty()) {
      return fail("stale-dmi", stale + "\n    access: " + describe(a) + "\n    library: " +
                                   outcome_text(got, names_, true, false) + "\n" + mapping_text(a, resolve),
                  a);
    }
    const std::string difference = compare(want, got, true, false, names_);
    if (!difference.empty()) {
      return mismatch(covered ? "stale-dmi" : "dmi-initiator", a, want, got, resolve,
                      std::string("a DmiInitiator ") + (covered ? "access through its DMI cache" : "b_transport") +
                          " differs from the model in its " + difference,
                      true, false);
    }
    if (is_write) check_memory(&a);
  }

  // After a change: reads through the DmiInitiator where it holds grants
  // must see the current map.
  void stale_dmi_check() {
    const std::vector<tlm::tlm_dmi> grants = b_.dmi_cpu.dmi_cache().grants();
    if (grants.empty()) return;
    Cached resolve(*this, false);
    for (int k = 0; k < 3 && !done(); ++k) {
      const tlm::tlm_dmi& g = grants[rng_.below(grants.size())];
      AccessSpec a;
      a.via = AccessSpec::Via::dmi_initiator;
      a.command = tlm::TLM_READ_COMMAND;
      const u128 span = u128(g.get_end_address()) - g.get_start_address() + 1;
      a.length = static_cast<unsigned>(std::min<u128>(span, 1 + rng_.below(8)));
      a.address = g.get_start_address() + static_cast<uint64_t>(rng_.below128(span - a.length + 1));
      a.data.assign(a.length, 0xa5);
      ++result_.stats.stale_checks;
      ++progress_;
      b_.log.events.clear();
      b_.warnings.clear();
      dmi_initiator(a, resolve);
    }
  }

  Bench& b_;
  const MapSpec& spec_;
  const CaseOptions& options_;
  Rng rng_;
  CaseResult result_;
  std::unique_ptr<MemoryMap> live_;
  std::unique_ptr<MemoryMap> shadow_;
  std::unique_ptr<ContainerRegion> shadow_top_;
  std::vector<Region*> live_regions_;
  std::vector<Region*> shadow_regions_;
  std::unordered_map<const Region*, int> live_index_;
  std::unordered_map<const Region*, int> shadow_index_;
  std::vector<RegionConfig> config_;
  std::vector<bool> slot_used_;
  std::vector<int> slot_of_;
  std::vector<std::vector<uint8_t>> memory_;
  std::vector<ModelRegion> regions_;
  std::vector<std::string> names_;
  std::unique_ptr<Model> model_;
  UnmappedPolicy policy_ = UnmappedPolicy::error;
  bool native_big_ = false;
  bool too_deep_ = false;
  int root_ = 0;
  std::size_t op_index_ = 0;
  uint64_t progress_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> held_;  // DMI grants the recording initiator holds
};

CaseResult run_case(Bench& bench, const MapSpec& spec, const CaseOptions& options) {
  return CaseRunner(bench, spec, options).run();
}

// The configurations of the regions of a spec, one line each.
std::string describe_configs(const MapSpec& spec) {
  std::ostringstream out;
  std::vector<bool> used(kPoolSlots, false);
  for (std::size_t i = 0; i < spec.regions.size(); ++i) {
    const RegionSpec& r = spec.regions[i];
    if (r.kind == RegionKind::container || r.kind == RegionKind::alias) continue;
    RegionConfig c = region_config(spec.seed, r.tag);
    bool tlm = false;
    if (r.kind == RegionKind::mmio) {
      const unsigned slot = c.tlm_slot % kPoolSlots;
      tlm = c.wants_tlm && !used[slot] && r.size == kPoolSizes[slot];
      if (tlm) {
        used[slot] = true;
        c.device = device_config(c.device, kPoolSizes[slot]);
      }
    }
    out << "    " << region_name(spec, static_cast<int>(i)) << " (tag " << r.tag << "): "
        << describe(c, r.kind, tlm) << "\n";
  }
  return out.str();
}

// --- the test ------------------------------------------------------------------------

GeneratorOptions generator_options() {
  GeneratorOptions g;
  g.min_regions = 3;
  g.max_regions = 40;
  g.max_mutation_episodes = 12;
  return g;
}

std::string shrink_and_report(Bench& bench, const MapSpec& spec, const CaseResult& result,
                              const CaseOptions& options) {
  std::ostringstream out;
  const CaseFailure& f = *result.failure;
  out << "random access map seed " << hex(spec.seed) << " failed (" << f.category << ")\n  " << f.message << "\n";
  // Shrink: with only the failing access in every burst if that is enough, else with the random ones too.
  CaseOptions shrink_options = options;
  shrink_options.pinned = f.access;
  shrink_options.random_accesses = !f.access.has_value();
  shrink_options.change_points = options.change_points;
  auto fails_alike = [&](const MapSpec& candidate, const CaseOptions& o) {
    const CaseResult r = run_case(bench, candidate, o);
    return r.failure && r.failure->category == f.category;
  };
  if (f.access && !fails_alike(spec, shrink_options)) shrink_options.random_accesses = true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kSanitized ? 240 : 90);
  int runs = 0;
  const MapSpec minimal = shrink_spec(
      spec,
      [&](const MapSpec& candidate) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        return fails_alike(candidate, shrink_options);
      },
      3000, &runs);
  const CaseResult again = run_case(bench, minimal, shrink_options);
  out << "  shrunk in " << runs << " runs to " << minimal.regions.size() << " regions, " << minimal.ops.size()
      << " operations (" << (shrink_options.random_accesses ? "with random accesses" : "the failing access alone")
      << " at every check)\n";
  if (again.failure) {
    out << "  minimal failure (" << again.failure->category << "):\n  " << again.failure->message << "\n";
  } else {
    out << "  (the shrunk map no longer fails?)\n";
  }
  out << "  minimal map, as built in C++ (the root is placed at 0 in a container of 2^64 that an AddressSpace "
         "and its AddressSpaceTarget serve):\n"
      << describe_spec(minimal) << "  devices:\n"
      << describe_configs(minimal);
  return out.str();
}

TEST(RandomAccess, AccessesFollowTheDocumentedRules) {
  Bench bench;
  const CaseOptions options;
  // TLMMAP_RANDOM_ACCESS_MAP_SEED: one seed, or several separated by commas (run in that order).
  std::vector<uint64_t> seeds;
  if (const char* text = std::getenv("TLMMAP_RANDOM_ACCESS_MAP_SEED")) {
    for (const char* p = text; *p != '\0';) {
      char* end = nullptr;
      const uint64_t seed = std::strtoull(p, &end, 0);
      if (end == p) break;
      seeds.push_back(seed);
      p = *end == ',' ? end + 1 : end;
    }
  }
  const uint64_t only = seeds.empty() ? 0 : seeds.back();
  const uint64_t base = env_number("TLMMAP_RANDOM_SEED", 0x7e57'acce'55ed'0001ULL);
  const uint64_t count = only != 0 ? seeds.size() : env_number("TLMMAP_RANDOM_ACCESS_MAPS", kSanitized ? 1500 : 4000);
  const bool verbose = std::getenv("TLMMAP_RANDOM_VERBOSE") != nullptr;
  // Only list the failing maps, without shrinking them.
  const bool list_only = std::getenv("TLMMAP_RANDOM_ACCESS_LIST") != nullptr;
  CaseStats totals;
  uint64_t maps = 0, skipped = 0, failures = 0;
  int reported = 0;
  const uint64_t max_failing_maps = only != 0 ? count : 60;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t n = 0; n < count; ++n) {
    const uint64_t seed = only != 0 ? seeds[n] : mix_seed(base, n);
    const MapSpec spec = prepare(generate_map(seed, generator_options()));
    if (only != 0) std::printf("map seed %s:\n%s%s", hex(seed).c_str(), describe_spec(spec).c_str(), describe_configs(spec).c_str());
    const CaseResult result = run_case(bench, spec, options);
    ++maps;
    totals.add(result.stats);
    if (result.skipped) ++skipped;
    if (verbose || (only != 0 && result.skipped)) {
      std::printf("map %s: %llu accesses, %llu changes%s%s\n", hex(seed).c_str(),
                  static_cast<unsigned long long>(result.stats.accesses()),
                  static_cast<unsigned long long>(result.stats.changes), result.skipped ? ", skipped: " : "",
                  result.skipped ? result.skip_reason.c_str() : "");
    }
    if (!result.failure) continue;
    ++failures;
    if (list_only) {
      const std::string& m = result.failure->message;
      std::printf("map %s FAILED (%s): %s\n", hex(seed).c_str(), result.failure->category.c_str(),
                  m.substr(0, m.find("\n    expected")).c_str());
    } else if (reported < 3) {
      ++reported;
      ADD_FAILURE() << "map #" << n << " of base seed " << hex(base) << " (replay it alone with "
                    << "TLMMAP_RANDOM_ACCESS_MAP_SEED=" << hex(seed) << ")\n"
                    << shrink_and_report(bench, spec, result, options);
    }
    if (failures >= max_failing_maps && !list_only) {
      std::printf("stopping after %llu failing maps\n", static_cast<unsigned long long>(failures));
      break;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "random accesses: %llu maps (base seed %s) in %.2f s = %.1f maps/s, %.0f accesses/s; %llu accesses "
      "(%llu b_transport, %llu transport_dbg, %llu get_direct_mem_ptr of which %llu granted, %llu through a "
      "DmiInitiator of which %llu by DMI), %llu bytes, %llu MMIO callbacks, %llu TLM device transactions, %llu TLM "
      "device regions; %llu bursts, %llu accesses inside transactions; %llu changes checked at %llu addresses, %llu "
      "invalidations, %llu reads through DMI grants held across a change; %llu maps skipped, %llu failing\n",
      static_cast<unsigned long long>(maps), hex(base).c_str(), seconds, maps / seconds,
      totals.accesses() / seconds, static_cast<unsigned long long>(totals.accesses()),
      static_cast<unsigned long long>(totals.transports), static_cast<unsigned long long>(totals.debugs),
      static_cast<unsigned long long>(totals.dmi_requests), static_cast<unsigned long long>(totals.dmi_grants),
      static_cast<unsigned long long>(totals.dmi_initiator), static_cast<unsigned long long>(totals.dmi_hits),
      static_cast<unsigned long long>(totals.bytes), static_cast<unsigned long long>(totals.callbacks),
      static_cast<unsigned long long>(totals.device_transactions),
      static_cast<unsigned long long>(totals.tlm_regions), static_cast<unsigned long long>(totals.bursts),
      static_cast<unsigned long long>(totals.in_transaction), static_cast<unsigned long long>(totals.changes),
      static_cast<unsigned long long>(totals.change_points), static_cast<unsigned long long>(totals.invalidations),
      static_cast<unsigned long long>(totals.stale_checks), static_cast<unsigned long long>(skipped),
      static_cast<unsigned long long>(failures));
  EXPECT_LE(skipped * 20, maps + 20) << "too many maps skipped";
  if (only == 0) {
    EXPECT_GT(totals.dmi_hits, 0u);
    EXPECT_GT(totals.device_transactions, 0u);
    EXPECT_GT(totals.callbacks, 0u);
    EXPECT_GT(totals.invalidations, 0u);
  }
}

// --- the test of the test ------------------------------------------------------------

// Finds a map where the injected mistake shows, and shrinks it. A map counts
// only if the test without the mistake passes it: it fails because of the
// mistake injected here, not because of a library bug (which the strict test
// reports).
void expect_found_and_shrunk(const CaseOptions& injected, const std::string& category, std::size_t max_regions) {
  Bench bench;
  const CaseOptions correct;
  const uint64_t base = 0x1dea'0000'0000'0000ULL + static_cast<uint64_t>(injected.naive.bug);
  for (uint64_t n = 0; n < 3000; ++n) {
    const MapSpec spec = prepare(generate_map(mix_seed(base, n), generator_options()));
    const CaseResult result = run_case(bench, spec, injected);
    if (!result.failure || result.failure->category != category) continue;
    if (run_case(bench, spec, correct).failure) continue;  // a library bug: not this test's business
    CaseOptions shrink_options = injected;
    shrink_options.pinned = result.failure->access;
    int runs = 0;
    const MapSpec minimal = shrink_spec(
        spec,
        [&](const MapSpec& candidate) {
          const CaseResult r = run_case(bench, candidate, shrink_options);
          return r.failure && r.failure->category == category && !run_case(bench, candidate, correct).failure;
        },
        3000, &runs);
    const CaseResult again = run_case(bench, minimal, shrink_options);
    const std::string report = "map seed " + hex(spec.seed) + ", shrunk in " + std::to_string(runs) + " runs to:\n" +
                               describe_spec(minimal) + describe_configs(minimal) +
                               (again.failure ? again.failure->message : std::string("(passes?)"));
    ASSERT_TRUE(again.failure) << report;
    EXPECT_EQ(again.failure->category, category) << report;
    EXPECT_LE(minimal.regions.size(), max_regions) << report;
    std::printf("the injected mistake, found in map #%llu and shrunk:\n%s\n", static_cast<unsigned long long>(n),
                report.c_str());
    return;
  }
  FAIL() << "no random map exposed the injected mistake";
}

TEST(RandomAccess, AnInjectedResolverMistakeIsFoundAndShrunk) {
  // The model believes read-only aliases let writes through: a write through
  // one answers differently. A container, a RAM and a read-only alias of it.
  CaseOptions injected;
  injected.naive.bug = NaiveBug::readonly_ignores_aliases;
  expect_found_and_shrunk(injected, "transport", 4);
}

TEST(RandomAccess, AForgottenInvalidationIsFound) {
  CaseOptions injected;
  injected.drop_an_invalidation = true;
  expect_found_and_shrunk(injected, "invalidation-missing", 3);
}

// --- the model itself, on cases worked out by hand from QEMU's rules ---------------

struct OneRegion {
  std::vector<ModelRegion> regions;
  std::vector<uint8_t> memory;
  uint64_t base = 0x1000;
  uint64_t size = 0x100;
  OneRegion(RegionKind kind, MmioConfig mmio = {}) : regions(1) {
    regions[0].kind = kind;
    regions[0].name = "r";
    regions[0].config.mmio = mmio;
    memory.resize(size);
    for (uint64_t k = 0; k < size; ++k) memory[k] = static_cast<uint8_t>(k);
    regions[0].memory = &memory;
  }
  Resolver resolver(bool readonly = false) const {
    return [this, readonly](uint64_t a) {
      ByteMapping m;
      if (a >= base && a - base < size) {
        m.status = ByteMapping::Status::mapped;
        m.region = 0;
        m.offset = a - base;
        m.readonly = readonly;
      }
      return m;
    };
  }
};

AccessSpec read_at(uint64_t address, unsigned length) {
  AccessSpec a;
  a.command = tlm::TLM_READ_COMMAND;
  a.address = address;
  a.length = length;
  a.data.assign(length, 0xee);
  return a;
}

std::vector<std::string> event_texts(const Outcome& o) {
  std::vector<std::string> out;
  for (const Event& e : o.events) {
    out.push_back(std::string(e.kind == Event::Kind::read ? "r@" : "w@") + hex(e.offset) + "/" + std::to_string(e.size));
  }
  return out;
}

MmioConfig plain_ops(Endianness e) {
  MmioConfig c;
  c.endianness = e;
  c.read = CallbackKind::plain;
  c.write = CallbackKind::plain;
  c.salt = 42;
  return c;
}

TEST(RandomAccessModel, WideReadOfABigEndianDeviceIsSplitToImplSizes) {
  MmioConfig c = plain_ops(Endianness::big);
  c.impl_max = 2;
  OneRegion map(RegionKind::mmio, c);
  Model model(map.regions, UnmappedPolicy::error, false);
  const Outcome o = model.transport(read_at(0x1000, 4), map.resolver());
  EXPECT_EQ(o.status, tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(event_texts(o), (std::vector<std::string>{"r@0x0/2", "r@0x2/2"}));
  // The device value is (v0 << 16 | v1): the first half in the high bits; memory holds it big-endian.
  const uint64_t v0 = mmio_read_value(c, 0, 2) & 0xffff;
  const uint64_t v1 = mmio_read_value(c, 2, 2) & 0xffff;
  EXPECT_EQ(o.data, (std::vector<uint8_t>{uint8_t(v0 >> 8), uint8_t(v0), uint8_t(v1 >> 8), uint8_t(v1)}));
}

TEST(RandomAccessModel, ImplMinWidensWithoutRealigning) {
  for (Endianness e : {Endianness::little, Endianness::big}) {
    MmioConfig c = plain_ops(e);
    c.impl_min = 4;
    OneRegion map(RegionKind::mmio, c);
    Model model(map.regions, UnmappedPolicy::error, false);
    const Outcome o = model.transport(read_at(0x1001, 1), map.resolver());
    EXPECT_EQ(event_texts(o), (std::vector<std::string>{"r@0x1/4"}));
    const uint64_t v = mmio_read_value(c, 1, 4);
    // Little endian: the low byte of the widened value; big endian: its top byte.
    EXPECT_EQ(o.data[0], e == Endianness::little ? uint8_t(v) : uint8_t(v >> 24));
  }
}

TEST(RandomAccessModel, BufferAccessesAreCutByMemoryAccessSize) {
  MmioConfig c = plain_ops(Endianness::little);
  c.valid_max = 4;
  OneRegion map(RegionKind::mmio, c);
  Model model(map.regions, UnmappedPolicy::error, false);
  // 12 bytes from offset 2: 2 (alignment), 4, 4, 2.
  EXPECT_EQ(event_texts(model.transport(read_at(0x1002, 12), map.resolver())),
            (std::vector<std::string>{"r@0x2/2", "r@0x4/4", "r@0x8/4", "r@0xc/2"}));
  // One 8-byte access as a CPU makes it: refused by valid.max, nothing reaches the device, zeros.
  const Outcome o = model.transport(read_at(0x1000, 8), map.resolver());
  EXPECT_EQ(o.status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_TRUE(o.events.empty());
  EXPECT_EQ(o.data, std::vector<uint8_t>(8, 0));
  // The same 8 bytes with byte enables (all enabled): a buffer access, split.
  AccessSpec be = read_at(0x1000, 8);
  be.enables.assign(8, TLM_BYTE_ENABLED);
  EXPECT_EQ(event_texts(model.transport(be, map.resolver())), (std::vector<std::string>{"r@0x0/4", "r@0x4/4"}));
}

TEST(RandomAccessModel, ACrossingAccessIsABufferAccessInEveryPiece) {
  // RAM [0x0ff, 0x100) then the device: a 4-byte read at 0xfff is 1 byte of
  // RAM and 3 bytes of the device, done as 2 + 1 (memory_access_size).
  std::vector<ModelRegion> regions(2);
  std::vector<uint8_t> ram(0x100, 0x5a);
  regions[0].kind = RegionKind::ram;
  regions[0].memory = &ram;
  regions[1].kind = RegionKind::mmio;
  regions[1].config.mmio = plain_ops(Endianness::little);
  regions[1].config.mmio.valid_max = 4;
  Resolver resolve = [](uint64_t a) {
    ByteMapping m;
    m.status = ByteMapping::Status::mapped;
    m.region = a < 0x1000 ? 0 : 1;
    m.offset = a < 0x1000 ? a - 0xf00 : a - 0x1000;
    return m;
  };
  Model model(regions, UnmappedPolicy::error, false);
  const Outcome o = model.transport(read_at(0xfff, 4), resolve);
  EXPECT_EQ(event_texts(o), (std::vector<std::string>{"r@0x0/2", "r@0x2/1"}));
  EXPECT_EQ(o.data[0], 0x5a);
}

TEST(RandomAccessModel, ByteSwapInvertsTheDevicesEndianness) {
  MmioConfig c = plain_ops(Endianness::little);
  OneRegion map(RegionKind::mmio, c);
  Model model(map.regions, UnmappedPolicy::error, false);
  AccessSpec w;
  w.command = tlm::TLM_WRITE_COMMAND;
  w.address = 0x1000;
  w.length = 4;
  w.data = {0x11, 0x22, 0x33, 0x44};
  EXPECT_EQ(model.transport(w, map.resolver()).events.at(0).value, 0x44332211u);
  w.has_attrs = true;
  w.attrs = MemTxAttrs::specified();
  w.attrs.byte_swap = true;
  EXPECT_EQ(model.transport(w, map.resolver()).events.at(0).value, 0x11223344u);
}

TEST(RandomAccessModel, StatusesPerKind) {
  {
    OneRegion map(RegionKind::ram);
    Model model(map.regions, UnmappedPolicy::error, false);
    AccessSpec w = read_at(0x1000, 4);
    w.command = tlm::TLM_WRITE_COMMAND;
    EXPECT_EQ(model.transport(w, map.resolver(true)).status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(model.transport(w, map.resolver(false)).status, tlm::TLM_OK_RESPONSE);
    // Half outside: the RAM part is done, the rest unmapped (decode error wins over nothing).
    const Outcome o = model.transport(read_at(0x10fe, 4), map.resolver());
    EXPECT_EQ(o.status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(o.data, (std::vector<uint8_t>{0xfe, 0xff, 0, 0}));
  }
  {
    OneRegion map(RegionKind::reservation);
    map.regions[0].name = "kvm";
    Model model(map.regions, UnmappedPolicy::read_zero_write_ignore, false);
    const Outcome o = model.transport(read_at(0x10fe, 4), map.resolver());
    EXPECT_EQ(o.status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(o.warnings, (std::vector<std::string>{"reservation 'kvm'"}));
  }
}

}  // namespace
}  // namespace tlmmap::test
