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
//  * AT transactions (nb_transport_fw, BEGIN_REQ .. END_RESP, 2- and 4-phase
//    answers, TLM_UPDATED and TLM_COMPLETED honoured) from an SC_METHOD
//    (next_trigger only) and from an SC_THREAD (support/random_access_at.hpp),
//    one in flight at a time, while the map stands still.
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
// Lifetimes (docs/semantics.md "Lifetimes"): the regions are owned one by
// one (unique_ptr) and the test's own operations destroy some mid-sequence
// (inside open transactions too, alias targets and TLM device regions
// preferred): the shadow writes the destruction out (the region leaves its
// container, its aliases show nothing), and inside a transaction the model
// answers a destroyed device with a decode error and a warning while its
// memory stays readable. set_latency() and set_ops() change regions between
// checks: fresh DMI grants, fast-path answers and DmiInitiator delays must
// carry the new latency and ops at once, and grants carrying the old latency
// must be withdrawn. Each platform (address space, target, four initiators)
// ends torn down in a random order with the map's regions, from sc_main or
// from inside an SC_THREAD, with what the documents promise checked after
// each step (grants withdrawn, address errors once the space is gone).
// The project's protocol checker (support/protocol_checker.hpp) sits on every
// TLM hop: each initiator -> target, each TLM device region -> device. No
// report throws (a handler records them: an exception after QuickThreads
// stacks ran confuses AddressSanitizer): refusals, warnings and violations
// are read from the record.
//
// A failure prints the seed, the access and both answers, then the map shrunk
// to a minimal one that still fails the same way.
//
// Environment:
//   TLMMAP_RANDOM_ACCESS_MAPS=N     maps (default: a few seconds' worth)
//   TLMMAP_RANDOM_ACCESS_PLATFORMS=P  platforms torn down over the run (default 300; 150 under ASan)
//   TLMMAP_RANDOM_SEED=S            base seed (default fixed: runs are deterministic)
//   TLMMAP_RANDOM_ACCESS_MAP_SEED=M run only the map with this seed (as printed in a report)
//   TLMMAP_RANDOM_VERBOSE=1         print every map's statistics
//   TLMMAP_RANDOM_ACCESS_LIST=1     list every failing map in one line, shrink none
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <unordered_map>

#include <gtest/gtest.h>
#include <systemc>

#include "support/test_env.hpp"
#include "support/naive_resolver.hpp"
#include "support/protocol_checker.hpp"
#include "support/random_access_at.hpp"
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
// TLM device regions per slot: a destroyed one cannot be made again after
// elaboration, so each slot has spares; when they are gone, regions that
// want one become plain MMIO.
constexpr unsigned kWindowsPerSlot = 32;
constexpr unsigned kSpareWindows = 2;  // never destroyed, so every map can have TLM devices

using Checker32 = ProtocolChecker<32>;
using Checker64 = ProtocolChecker<64>;

// Every report is recorded, none throws (an exception thrown after
// QuickThreads stacks have run confuses AddressSanitizer): the test reads
// refusals, warnings and protocol violations from here.
struct Reports {
  struct Entry {
    sc_core::sc_severity severity;
    std::string type;
    std::string message;
  };
  std::vector<std::string> warnings;  // tlmmap/* warnings, as the model predicts them
  std::vector<Entry> errors;          // errors and fatals of any type
};
Reports* g_reports = nullptr;

void report_handler(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
  if (g_reports != nullptr) {
    if (report.get_severity() == sc_core::SC_WARNING) {
      if (std::strncmp(report.get_msg_type(), "tlmmap/", 7) == 0) g_reports->warnings.push_back(report.get_msg());
      return;
    }
    if (report.get_severity() >= sc_core::SC_ERROR) {
      g_reports->errors.push_back({report.get_severity(), report.get_msg_type(), report.get_msg()});
      return;
    }
    if (report.get_severity() == sc_core::SC_INFO) return;
  }
  sc_core::sc_report_handler::default_handler(report, actions);
}

// A TLM device region, its checker and its device: window -> checker -> device.
struct Window {
  std::unique_ptr<TlmDeviceRegion<32>> region;
  std::unique_ptr<Checker32> checker;
  std::unique_ptr<RecordingMemory<32>> device;
};

// What one address space serves, torn down piece by piece at the end of its
// maps: initiators -> checker -> AddressSpaceTarget -> AddressSpace -> top.
struct Platform {
  std::unique_ptr<ContainerRegion> top;
  std::unique_ptr<AddressSpace> space;
  std::unique_ptr<AddressSpaceTarget<64>> bus;
  std::unique_ptr<RecordingInitiator<64>> cpu;
  std::unique_ptr<DmiInitiator<64>> dmi_cpu;
  std::unique_ptr<AtPort> at_method;
  std::unique_ptr<AtPort> at_thread;
  // One per initiator, in the order above.
  std::unique_ptr<Checker64> cpu_checker, dmi_checker, at_method_checker, at_thread_checker;

  explicit Platform(int k) {
    const std::string n = "p" + std::to_string(k) + "_";
    top = std::make_unique<ContainerRegion>(n + "top", k64BitSpace);
    space = std::make_unique<AddressSpace>(*top, n + "as");
    bus = std::make_unique<AddressSpaceTarget<64>>((n + "bus").c_str(), *space);
    cpu = std::make_unique<RecordingInitiator<64>>((n + "cpu").c_str());
    dmi_cpu = std::make_unique<DmiInitiator<64>>((n + "dmi_cpu").c_str());
    at_method = std::make_unique<AtPort>((n + "at_method").c_str());
    at_thread = std::make_unique<AtPort>((n + "at_thread").c_str());
    cpu_checker = bind(n + "cpu_checker", cpu->socket);
    dmi_checker = bind(n + "dmi_checker", dmi_cpu->socket);
    at_method_checker = bind(n + "at_method_checker", at_method->socket);
    at_thread_checker = bind(n + "at_thread_checker", at_thread->socket);
  }
  template <typename Socket>
  std::unique_ptr<Checker64> bind(const std::string& name, Socket& initiator) {
    auto checker = std::make_unique<Checker64>(name.c_str());
    initiator.bind(checker->target_socket);
    checker->initiator_socket.bind(bus->target_socket);
    return checker;
  }
  // What the model's checks of a change need.
  bool checkable() const { return top && space && bus && cpu && dmi_cpu; }
};

struct Bench {
  std::vector<std::unique_ptr<Platform>> platforms;
  std::size_t current = 0;  // the platform the maps use now
  std::vector<std::vector<Window>> windows;  // per slot; a destroyed window's region is null
  AtDriver at{"at_driver"};
  EventLog log;
  Reports reports;

  explicit Bench(std::size_t platform_count = 1) {
    for (std::size_t k = 0; k < std::max<std::size_t>(platform_count, 1); ++k) {
      platforms.push_back(std::make_unique<Platform>(static_cast<int>(k)));
    }
    windows.resize(kPoolSlots);
    for (unsigned slot = 0; slot < kPoolSlots; ++slot) {
      for (unsigned k = 0; k < kWindowsPerSlot; ++k) {
        const std::string n = "s" + std::to_string(slot) + "_" + std::to_string(k);
        Window w;
        w.region = std::make_unique<TlmDeviceRegion<32>>("tlm" + std::to_string(slot), kPoolSizes[slot]);
        w.checker = std::make_unique<Checker32>((n + "_checker").c_str());
        w.device = std::make_unique<RecordingMemory<32>>((n + "_memory").c_str(), kPoolSizes[slot]);
        w.region->socket.bind(w.checker->target_socket);
        w.checker->initiator_socket.bind(w.device->socket);
        w.device->log = &log;
        windows[slot].push_back(std::move(w));
      }
    }
    g_reports = &reports;
    sc_core::sc_report_handler::set_handler(report_handler);
    sc_core::sc_start(SC_ZERO_TIME);
  }
  ~Bench() {
    g_reports = nullptr;
    sc_core::sc_report_handler::set_handler(sc_core::sc_report_handler::default_handler);
  }
  Platform& platform() { return *platforms[current]; }
  // The slot's window still in one piece, if any.
  Window* window(unsigned slot) {
    for (Window& w : windows[slot]) {
      if (w.region) return &w;
    }
    return nullptr;
  }
  bool can_destroy_window(int slot) const {
    const auto& pool = windows[static_cast<std::size_t>(slot)];
    return std::count_if(pool.begin(), pool.end(), [](const Window& w) { return w.region != nullptr; }) >
           static_cast<long>(kSpareWindows);
  }
  // Runs the simulation until nothing is left to do.
  void run() { sc_core::sc_start(); }
};

// --- one map -----------------------------------------------------------------------

struct CaseOptions {
  int accesses_per_burst = 24;
  bool random_accesses = true;
  std::optional<AccessSpec> pinned;  // made first in every burst (the shrinker keeps the failing access)
  int change_points = 24;  // random addresses per change, besides the boundaries
  int at_percent = 30;     // bursts followed by an AT burst
  int at_accesses = 6;     // transactions in an AT burst
  // The map ends with its platform torn down in a random order (else the
  // map alone goes, and the platform serves the next map).
  bool teardown_platform = false;
  // TLM device regions may be destroyed (each one used up for the rest of
  // the run: a shrinker that replays such a map many times runs short).
  bool destroy_windows = true;
  // Deliberate mistakes, to test the test: one in the resolver the model
  // uses, invalidations forgotten before they are checked, a model that
  // keeps the old latency after set_latency() or ignores destructions, an
  // AT initiator that breaks the base protocol (a BEGIN_REQ whose response
  // status is not TLM_INCOMPLETE_RESPONSE) or misreads its data.
  NaiveOptions naive;
  bool drop_an_invalidation = false;
  bool model_keeps_old_latency = false;
  bool model_ignores_destroy = false;  // its devices answer as if the region were still there
  bool at_breaks_protocol = false;
  bool at_corrupts_reads = false;  // the AT initiator sees the first byte of a read inverted
};

struct CaseFailure {
  std::string category;
  std::string message;
  std::optional<AccessSpec> access;
  std::size_t op_index = 0;
  uint64_t ordinal = 0;  // accesses and changes made before it: how far the map got
};

struct CaseStats {
  uint64_t transports = 0, debugs = 0, debugs_through_grants = 0, dmi_requests = 0, dmi_grants = 0;
  uint64_t dmi_initiator = 0, dmi_hits = 0;
  uint64_t bursts = 0, changes = 0, change_points = 0, invalidations = 0, callbacks = 0, device_transactions = 0;
  uint64_t tlm_regions = 0, bytes = 0, in_transaction = 0, stale_checks = 0;
  uint64_t destroyed = 0, destroyed_in_transaction = 0, destroyed_targets = 0, destroyed_tlm = 0;
  uint64_t latency_changes = 0, ops_changes = 0;
  uint64_t at_method = 0, at_thread = 0, at_at_once = 0, at_four_phase = 0, at_bursts = 0;
  uint64_t teardowns = 0, teardowns_in_process = 0, teardown_checks = 0;
  void add(const CaseStats& o) {
    uint64_t CaseStats::*const fields[] = {
        &CaseStats::transports,   &CaseStats::debugs,        &CaseStats::debugs_through_grants,
        &CaseStats::dmi_requests,
        &CaseStats::dmi_grants,   &CaseStats::dmi_initiator, &CaseStats::dmi_hits,
        &CaseStats::bursts,       &CaseStats::changes,       &CaseStats::change_points,
        &CaseStats::invalidations, &CaseStats::callbacks,    &CaseStats::device_transactions,
        &CaseStats::tlm_regions,  &CaseStats::bytes,         &CaseStats::in_transaction,
        &CaseStats::stale_checks, &CaseStats::destroyed,     &CaseStats::destroyed_in_transaction,
        &CaseStats::destroyed_targets, &CaseStats::destroyed_tlm, &CaseStats::latency_changes,
        &CaseStats::ops_changes,  &CaseStats::at_method,     &CaseStats::at_thread,
        &CaseStats::at_at_once,   &CaseStats::at_four_phase, &CaseStats::at_bursts,
        &CaseStats::teardowns,    &CaseStats::teardowns_in_process, &CaseStats::teardown_checks};
    for (auto f : fields) this->*f += o.*f;
  }
  uint64_t accesses() const { return transports + debugs + dmi_requests + dmi_initiator + at_method + at_thread; }
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

// The access test's own operations among the generator's: a few
// destructions (anywhere, inside transactions too; alias targets and
// MMIO regions that want a TLM device are preferred), latency changes on
// any region and ops changes on MMIO and ROM devices (outside transactions:
// inside one, when a latency or ops change shows is not specified). A check
// often follows, so the state right after the change is seen.
void add_lifetime_ops(MapSpec& spec) {
  const int n = static_cast<int>(spec.regions.size());
  if (n == 0) return;
  Rng r{mix_seed(spec.seed, 0x11fe)};
  std::vector<int> targets, devices, mmio;
  for (int i = 0; i < n; ++i) {
    const RegionSpec& region = spec.regions[i];
    if (region.target >= 0) targets.push_back(region.target);
    if (region.kind == RegionKind::mmio || region.kind == RegionKind::rom_device) mmio.push_back(i);
    if (region.kind == RegionKind::mmio && region_config(spec.seed, region.tag).wants_tlm) devices.push_back(i);
  }
  int destroys = static_cast<int>(r.below(4));
  std::vector<Op> out;
  int depth = 0;
  auto some = [&r](const std::vector<int>& v) { return v[r.below(v.size())]; };
  auto insert = [&](bool at_end) {
    if (depth == 0 && r.chance(at_end ? 40 : 4)) {
      Op op{OpKind::set_latency, static_cast<int>(r.below(n))};
      op.value = r.below(31) | (r.below(31) << 8);
      out.push_back(op);
      if (r.chance(60)) out.push_back(Op{OpKind::check});
    }
    if (depth == 0 && !mmio.empty() && r.chance(at_end ? 30 : 3)) {
      Op op{OpKind::set_ops, some(mmio)};
      op.value = r.next();
      out.push_back(op);
      if (r.chance(60)) out.push_back(Op{OpKind::check});
    }
    if (destroys > 0 && r.chance(at_end ? 50 : 4)) {
      --destroys;
      const uint64_t pick = r.below(100);
      const int victim = pick < 30 && !targets.empty()   ? some(targets)
                         : pick < 60 && !devices.empty() ? some(devices)
                                                         : static_cast<int>(r.below(n));
      out.push_back(Op{OpKind::destroy, victim});
      if (r.chance(70)) out.push_back(Op{OpKind::check});
    }
  };
  for (const Op& op : spec.ops) {
    insert(false);
    out.push_back(op);
    if (op.kind == OpKind::begin) ++depth;
    if (op.kind == OpKind::commit && depth > 0) --depth;
  }
  insert(true);
  spec.ops = std::move(out);
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
  add_lifetime_ops(spec);
  return spec;
}

// The device's DMI window reduced to its size.
TlmDeviceConfig device_config(TlmDeviceConfig d, uint64_t size) {
  d.dmi_first %= size;
  d.dmi_last = d.dmi_last == ~uint64_t(0) ? size - 1 : d.dmi_first + d.dmi_last % (size - d.dmi_first);
  return d;
}

// The ops a set_ops operation installs: a configuration of its own.
MmioConfig ops_config(const MapSpec& spec, const Op& op) {
  return region_config(mix_seed(spec.seed, op.value), spec.regions[op.a].tag).mmio;
}

std::string op_text(const MapSpec& spec, std::size_t k) {
  return k < spec.ops.size() ? describe_op(spec, spec.ops[k]) : "(end)";
}

class CaseRunner {
 public:
  CaseRunner(Bench& bench, const MapSpec& spec, const CaseOptions& options)
      : b_(bench), p_(bench.platform()), spec_(spec), options_(options), rng_{mix_seed(spec.seed, 0xacce55)} {}

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
    // A report nobody expected (an error from the library or a protocol checker).
    if (!b_.reports.errors.empty()) unexpected_reports("after the teardown");
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
    if (!teardown_log_.empty()) f.message += "\n    in the platform's teardown, after destroying: " + teardown_log_;
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

  // Errors reported since the last look, none expected: a failure.
  void unexpected_reports(const std::string& when) {
    auto& errors = b_.reports.errors;
    if (errors.empty()) return;
    const Reports::Entry e = errors.front();
    const std::size_t count = errors.size();
    errors.clear();
    const bool protocol = e.type == Checker64::kMsgType;
    fail(protocol ? "protocol" : "report",
         std::string(protocol ? "the protocol checker reports " : "unexpected report ") + "[" + e.type + "] " +
             e.message + " " + when + (count > 1 ? " (and " + std::to_string(count - 1) + " more)" : ""));
  }

  // --- building ---------------------------------------------------------------

  // The live map's regions carry the recording callbacks; an MMIO region of
  // a pooled size may be a TLM device window instead. Each is owned here,
  // by a unique_ptr (a window by the bench's pool), and may be destroyed
  // at any time.
  Region& make_live(int i) {
    const RegionSpec& r = spec_.regions[i];
    const std::string name = region_name(spec_, i);
    const RegionConfig& c = config_[i];
    switch (r.kind) {
      case RegionKind::rom_device:
        live_owned_[i] = std::make_unique<RomDeviceRegion>(name, r.size, make_recording_ops(c.mmio, i, b_.log));
        return *live_owned_[i];
      case RegionKind::mmio: {
        const unsigned slot = c.tlm_slot % kPoolSlots;
        if (c.wants_tlm && !slot_used_[slot] && r.size == kPoolSizes[slot]) {
          if (Window* w = b_.window(slot)) {
            slot_used_[slot] = true;
            slot_of_[i] = static_cast<int>(slot);
            window_of_[i] = w;
            return *w->region;
          }
        }
        live_owned_[i] = std::make_unique<MmioRegion>(name, r.size, make_recording_ops(c.mmio, i, b_.log));
        return *live_owned_[i];
      }
      default:
        live_owned_[i] = new_spec_region(spec_, i, live_regions_);
        return *live_owned_[i];
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
    p_.space->set_unmapped_policy(policy_);
    shadow_top_ = std::make_unique<ContainerRegion>("top", k64BitSpace);
    shadow_void_ = std::make_unique<ContainerRegion>("void", k64BitSpace);
    slot_used_.assign(kPoolSlots, false);
    slot_of_.assign(n, -1);
    window_of_.assign(n, nullptr);
    live_owned_.resize(n);
    config_.clear();
    for (int i = 0; i < n; ++i) config_.push_back(region_config(spec_.seed, spec_.regions[i].tag));
    for (int i = 0; i < n; ++i) {
      live_regions_.push_back(&make_live(i));
      shadow_owned_.push_back(new_spec_region(spec_, i, shadow_regions_, "shadow_"));
      shadow_regions_.push_back(shadow_owned_.back().get());
      if (!b_.reports.errors.empty()) {
        skip("region refused: " + b_.reports.errors.front().message);
        b_.reports.errors.clear();
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
      if (Window* w = window_of_[i]) {
        const uint64_t size = kPoolSizes[slot_of_[i]];
        RecordingMemory<32>& device = *w->device;
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
        uint8_t* host = r.host_memory();
        const uint64_t size = static_cast<uint64_t>(r.size());
        memory_[i].resize(size);
        for (uint64_t k = 0; k < size; ++k) memory_[i][k] = host[k] = fill_byte(c.fill_salt, k);
        m.host = host;
      }
    }
    for (int i = 0; i < n; ++i) regions_[i].memory = &memory_[i];
    model_ = std::make_unique<Model>(regions_, policy_, native_big_);
    p_.dmi_cpu->set_dmi_enabled(false);
    p_.dmi_cpu->set_dmi_enabled(true);
    p_.cpu->invalidations.clear();
    b_.log.events.clear();
    b_.reports.warnings.clear();
    root_ = spec_.spaces.empty() ? 0 : spec_.spaces[0];
    if (root_ >= n) {
      skip("no root");
      return;
    }
    // The map's root is the only subregion of the platform's container, at 0:
    // it is QEMU's flatview root of the address space (if it fits).
    change([&] { p_.top->add_subregion(0, *live_regions_[root_]); },
           [&] { shadow_top_->add_subregion(0, *shadow_regions_[root_]); });
  }

  // A window of the pool back to a fresh state for the next map (as QEMU
  // does, a region keeps its address when it leaves its container, and
  // that address matters when it becomes a flatview root through an alias).
  static void reset_window(Window& w) {
    MmioRegion& r = *w.region;
    if (r.container() != nullptr) r.container()->del_subregion(r);
    r.set_enabled(true);
    r.set_readonly(false);
    r.set_nonvolatile(false);
    r.set_address(0);
    r.set_latency(Duration{}, Duration{});
    w.device->region = -1;
  }

  void teardown() {
    while (transaction_depth() > 0) transaction_commit();
    if (options_.teardown_platform && !done()) {
      teardown_platform();
    } else {
      if (root_ < static_cast<int>(live_regions_.size()) && live_regions_[root_] != nullptr &&
          live_regions_[root_]->container() == p_.top.get()) {
        p_.top->del_subregion(*live_regions_[root_]);
      }
      Transaction t;  // one change for the whole map
      live_owned_.clear();
    }
    for (Window* w : window_of_) {
      if (w != nullptr && w->region) reset_window(*w);
    }
    shadow_owned_.clear();
    shadow_top_.reset();
    shadow_void_.reset();
    if (p_.dmi_cpu) {
      p_.dmi_cpu->set_dmi_enabled(false);
      p_.dmi_cpu->set_dmi_enabled(true);
    }
    if (p_.cpu) p_.cpu->invalidations.clear();
    b_.log.events.clear();
    b_.reports.warnings.clear();
    set_native_endianness(Endianness::little);
  }

  // --- destruction --------------------------------------------------------------

  // The live region goes (its owner lets it go). From now on the model's
  // devices behind it answer as destroyed ones (a decode error with a
  // warning, through a view a transaction still holds); its memory stays
  // valid as long as such a view does.
  void destroy_live(int i) {
    Region* r = live_regions_[i];
    live_index_.erase(r);
    regions_[i].destroyed = !options_.model_ignores_destroy;
    live_regions_[i] = nullptr;
    if (Window* w = window_of_[i]) {
      w->region.reset();
      window_of_[i] = nullptr;
      ++result_.stats.destroyed_tlm;
    } else {
      live_owned_[i].reset();
    }
  }

  // The same on the shadow, written out from docs/semantics.md ("Lifetimes")
  // rather than by destroying it: it leaves its container, its subregions
  // lose their container, aliases of it show nothing (an empty container
  // here). It stays alive, outside the map. Its memory is no longer
  // compared: nothing may reach it any more, and it may be reclaimed.
  void destroy_shadow(int i) {
    Region* x = shadow_regions_[i];
    if (x == nullptr) return;
    if (Region* c = x->container()) c->del_subregion(*x);
    for (Region* sub : x->subregions()) x->del_subregion(*sub);
    for (Region* other : shadow_regions_) {
      if (other != nullptr && other->kind() == RegionKind::alias && other->alias_target() == x) {
        static_cast<AliasRegion*>(other)->set_target(*shadow_void_, 0);
      }
    }
    shadow_regions_[i] = nullptr;
    regions_[i].host = nullptr;
  }

  // The whole platform goes in a random order: the address space, the
  // target, each initiator (with the checker the target knows it by), each
  // region of the map (each in a change of its own, checked against the
  // model while the platform is whole), its top container, and some of the
  // TLM device regions. In some maps this runs inside an SC_THREAD (during
  // the simulation), else from sc_main between sc_start() calls. What the
  // documents promise is checked after each step (docs/semantics.md
  // "Lifetimes", docs/tlm.md).
  void teardown_platform() {
    ++result_.stats.teardowns;
    const bool in_process = rng_.chance(50);
    if (in_process) {
      ++result_.stats.teardowns_in_process;
      b_.at.run_in_thread([this] { teardown_steps(false); });
      b_.run();
      if (!b_.at.idle()) fail("teardown", "the teardown inside the SC_THREAD did not finish");
    } else {
      teardown_steps(true);
    }
  }

  enum class Part { space, bus, cpu, dmi_cpu, at_method, at_thread, top, region };

  void teardown_steps(bool paused) {
    std::vector<std::pair<Part, int>> parts = {{Part::space, -1},  {Part::bus, -1},       {Part::cpu, -1},
                                               {Part::dmi_cpu, -1}, {Part::at_method, -1}, {Part::at_thread, -1},
                                               {Part::top, -1}};
    for (int i = 0; i < static_cast<int>(live_regions_.size()); ++i) {
      if (live_regions_[i] == nullptr) continue;
      // Windows are pooled: a few go, while spares remain.
      if (window_of_[i] != nullptr &&
          (!options_.destroy_windows || !b_.can_destroy_window(slot_of_[i]) || !rng_.chance(20))) {
        continue;
      }
      parts.emplace_back(Part::region, i);
    }
    for (std::size_t k = parts.size(); k > 1; --k) std::swap(parts[k - 1], parts[rng_.below(k)]);
    for (const auto& [part, index] : parts) {
      if (done()) break;
      teardown_step(part, index, paused);
      drop_invalidated();
      if (!b_.reports.errors.empty()) unexpected_reports("after a teardown step");
    }
    // What remains of the map goes too (windows were reset above or are kept).
    live_owned_.clear();
  }

  static const char* part_name(Part part) {
    switch (part) {
      case Part::space: return "the address space";
      case Part::bus: return "the target";
      case Part::cpu: return "the recording initiator";
      case Part::dmi_cpu: return "the DmiInitiator";
      case Part::at_method: return "the AT initiator of the SC_METHOD";
      case Part::at_thread: return "the AT initiator of the SC_THREAD";
      case Part::top: return "the container of everything";
      case Part::region: return "region";
    }
    return "?";
  }

  void teardown_step(Part part, int index, bool paused) {
    Platform& p = p_;
    teardown_log_ += std::string(teardown_log_.empty() ? "" : ", ") + part_name(part) +
                     (part == Part::region ? " " + names_[index] : std::string());
    const std::vector<std::pair<uint64_t, uint64_t>> held = held_;
    if (p.cpu) p.cpu->invalidations.clear();
    switch (part) {
      case Part::region: {
        // While the platform is whole, a destruction is checked like any change.
        if (p.checkable()) {
          change([&] { destroy_live(index); }, [&] { destroy_shadow(index); });
          if (!done()) burst_of(4);
        } else {
          destroy_live(index);
          drop_invalidated();
        }
        return;
      }
      case Part::top:
        // The root's container: the map leaves the address space at once.
        p.top.reset();
        if (p.cpu && p.bus && p.space) expect_withdrawn(held, "its container of everything went");
        return;
      case Part::space:
        p.space.reset();
        if (!p.bus) return;
        if (p.cpu) {
          expect_withdrawn(held, "the address space went");
          expect_refused("the address space went");
        }
        if (p.dmi_cpu && !p.dmi_cpu->dmi_cache().grants().empty()) {
          fail("teardown", "the address space went, but the DmiInitiator still holds DMI grants");
        }
        if (paused && (p.at_method || p.at_thread)) at_refused();
        return;
      case Part::bus:
        p.bus.reset();
        // A target that goes withdraws its grants first.
        if (p.cpu) expect_withdrawn(held, "the target went");
        if (p.dmi_cpu && !p.dmi_cpu->dmi_cache().grants().empty()) {
          fail("teardown", "the target went, but the DmiInitiator still holds DMI grants");
        }
        return;
      case Part::cpu:
        p.cpu.reset();
        p.cpu_checker.reset();
        held_.clear();
        return;
      case Part::dmi_cpu:
        p.dmi_cpu.reset();
        p.dmi_checker.reset();
        return;
      case Part::at_method:
        p.at_method.reset();
        p.at_method_checker.reset();
        return;
      case Part::at_thread:
        p.at_thread.reset();
        p.at_thread_checker.reset();
        return;
    }
  }

  // Every grant the recording initiator held must have been met by an invalidation.
  void expect_withdrawn(const std::vector<std::pair<uint64_t, uint64_t>>& held, const std::string& why) {
    ++result_.stats.teardown_checks;
    for (const auto& g : held) {
      bool met = false;
      for (const auto& inv : p_.cpu->invalidations) met = met || (inv.first <= g.second && g.first <= inv.second);
      if (!met) {
        return fail("teardown", why + ", but the DMI grant [" + hex(g.first) + ", " + hex(g.second) +
                                    "] the initiator holds was not invalidated");
      }
    }
    held_.clear();
  }

  // A target without its address space answers TLM_ADDRESS_ERROR_RESPONSE
  // and grants nothing (docs/tlm.md).
  void expect_refused(const std::string& why) {
    ++result_.stats.teardown_checks;
    const uint64_t address = rng_.chance(50) ? rng_.next() : rng_.below(0x1000);
    uint8_t data[8] = {};
    p_.cpu->delay = SC_ZERO_TIME;
    const tlm::tlm_response_status status =
        p_.cpu->transport(rng_.chance(50) ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND, address, data, 4);
    tlm::tlm_dmi dmi;
    const bool granted = p_.cpu->dmi(address, dmi);
    const unsigned moved = p_.cpu->debug(tlm::TLM_READ_COMMAND, address, data, 4);
    if (status != tlm::TLM_ADDRESS_ERROR_RESPONSE || granted || moved != 0) {
      fail("teardown", why + ": at " + hex(address) + " b_transport answers " + describe(status) + ", DMI " +
                           (granted ? "granted" : "denied") + ", transport_dbg moved " + std::to_string(moved) +
                           " (expected TLM_ADDRESS_ERROR_RESPONSE, denied, 0)");
    }
    if (p_.dmi_cpu) {
      sc_time delay;
      if (p_.dmi_cpu->read(address, data, 4, delay) != tlm::TLM_ADDRESS_ERROR_RESPONSE) {
        fail("teardown", why + ": a DmiInitiator read at " + hex(address) + " is not refused with an address error");
      }
    }
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
          naive_(live ? static_cast<const Region*>(runner.p_.top.get()) : runner.shadow_top_.get(), runner.options_.naive),
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
    collect_windows(p_.top.get(), 0, 0, windows, budget);
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
    const std::shared_ptr<const FlatView> before = p_.space->flat_view();
    p_.cpu->invalidations.clear();
    must_withdraw_.clear();
    may_withdraw_.clear();
    if (!apply(live)) return;
    const std::shared_ptr<const FlatView> after = p_.space->flat_view();
    auto invalidations = p_.cpu->invalidations;
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
      // A latency change withdraws the grants over its region (they carry
      // the latency); an ops change may invalidate its region's ranges.
      auto in = [](const std::vector<int>& set, const ByteMapping& m) {
        return m.mapped() && std::find(set.begin(), set.end(), m.region) != set.end();
      };
      const bool changed = !old_answers[k].same(now) || in(must_withdraw_, old_answers[k]);
      const bool may = changed || in(may_withdraw_, old_answers[k]) || in(may_withdraw_, now);
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
      if ((changed && !withdrawn) || (covered && !may)) {
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
    drop_met(invalidations);
    if (!done()) stale_dmi_check();
  }

  // A TLM device region destroyed inside a transaction: its device may go
  // with it, so the grants into it are withdrawn at once, not at the commit
  // (only there: `spans` are the ranges of the view that show it).
  void withdrawn_at_once(const std::vector<std::pair<uint64_t, uint64_t>>& spans) {
    const auto& invalidations = p_.cpu->invalidations;
    auto meets = [](const std::pair<uint64_t, uint64_t>& a, const std::pair<uint64_t, uint64_t>& b) {
      return a.first <= b.second && b.first <= a.second;
    };
    for (const auto& inv : invalidations) {
      const bool inside = std::any_of(spans.begin(), spans.end(), [&](const std::pair<uint64_t, uint64_t>& r) {
        return r.first <= inv.first && inv.second <= r.second;
      });
      if (!inside) {
        return fail("invalidation-early", "a TLM device region destroyed inside a transaction sent the invalidation [" +
                                              hex(inv.first) + ", " + hex(inv.second) +
                                              "], which reaches beyond the ranges that show it");
      }
    }
    for (const auto& g : held_) {
      const bool over = std::any_of(spans.begin(), spans.end(), [&](const auto& r) { return meets(g, r); });
      const bool met = std::any_of(invalidations.begin(), invalidations.end(), [&](const auto& inv) { return meets(g, inv); });
      if (over && !met) {
        return fail("invalidation-missing", "a TLM device region was destroyed inside a transaction, but the DMI grant [" +
                                                hex(g.first) + ", " + hex(g.second) + "] into its device is not withdrawn");
      }
    }
    result_.stats.invalidations += invalidations.size();
    drop_met(invalidations);
  }

  // The initiator drops every pointer an invalidation meets.
  void drop_met(const std::vector<std::pair<uint64_t, uint64_t>>& invalidations) {
    for (const auto& inv : invalidations) {
      held_.erase(std::remove_if(held_.begin(), held_.end(),
                                 [&](const std::pair<uint64_t, uint64_t>& g) {
                                   return g.first <= inv.second && inv.first <= g.second;
                                 }),
                  held_.end());
    }
  }
  void drop_invalidated() {
    if (p_.cpu) drop_met(p_.cpu->invalidations);
  }

  // The recording initiator asks for DMI over memory ranges of the view, so
  // that it holds pointers a change must withdraw.
  void arm_grants(const FlatView& view) {
    const auto& ranges = view.ranges();
    for (int k = 0; k < 16 && !ranges.empty(); ++k) {
      const FlatRange& fr = ranges[rng_.below(ranges.size())];
      if (fr.region() == nullptr) continue;  // destroyed, in a view a transaction holds
      const RegionKind kind = fr.region()->kind();
      if (kind != RegionKind::ram && kind != RegionKind::rom && kind != RegionKind::rom_device &&
          kind != RegionKind::mmio) {
        continue;
      }
      tlm::tlm_dmi dmi;
      const uint64_t at = fr.first + static_cast<uint64_t>(rng_.below128(fr.size()));
      if (p_.cpu->dmi(at, dmi, tlm::TLM_READ_COMMAND)) held_.emplace_back(dmi.get_start_address(), dmi.get_end_address());
    }
  }

  // Runs a map operation; false (and the map skipped or failed) if it
  // cannot go on. API refusals (recorded, not thrown) are fine: the shadow
  // refuses alike.
  template <typename F>
  bool apply(F&& f) {
    auto& errors = b_.reports.errors;
    const std::size_t before = errors.size();
    f();
    for (std::size_t k = before; k < errors.size() && !done(); ++k) {
      const Reports::Entry& e = errors[k];
      if (e.type == "tlmmap/region") continue;
      if (e.type == "tlmmap/render") {
        skip("render stopped: " + e.message);
      } else {
        fail(e.type == Checker64::kMsgType ? "protocol" : "report",
             "unexpected report [" + e.type + "] " + e.message);
      }
    }
    errors.resize(before);
    return !done();
  }

  // An operation on the shadow (a destruction as destroy_shadow() writes it out).
  void shadow_op(const Op& op) {
    if (op.kind == OpKind::destroy) return destroy_shadow(op.a);
    apply_spec_op(shadow_regions_, op);
  }

  void commit_outermost(std::vector<Op>& pending) {
    change([] { transaction_commit(); },
           [&] {
             for (const Op& p : pending) shadow_op(p);
             pending.clear();
           });
  }

  // The access test's own operations (add_lifetime_ops()).
  void lifetime_op(const Op& op, int depth, std::vector<Op>& pending) {
    if (op.a < 0 || op.a >= static_cast<int>(live_regions_.size()) || live_regions_[op.a] == nullptr) return;
    ModelRegion& m = regions_[op.a];
    switch (op.kind) {
      case OpKind::destroy: {
        // A pooled window goes only while spares remain.
        if (window_of_[op.a] != nullptr && (!options_.destroy_windows || !b_.can_destroy_window(slot_of_[op.a]))) {
          return;
        }
        ++result_.stats.destroyed;
        for (const Region* r : live_regions_) {
          if (r != nullptr && r->alias_target() == live_regions_[op.a]) {
            ++result_.stats.destroyed_targets;
            break;
          }
        }
        if (depth == 0) return change([&] { destroy_live(op.a); }, [&] { destroy_shadow(op.a); });
        // Inside a transaction: the view of before stays until the commit.
        ++result_.stats.destroyed_in_transaction;
        const bool device = window_of_[op.a] != nullptr;
        std::vector<std::pair<uint64_t, uint64_t>> spans;  // where the view shows it
        for (const FlatRange& fr : p_.space->flat_view()->ranges()) {
          if (fr.region() == live_regions_[op.a]) spans.emplace_back(fr.first, fr.last);
        }
        p_.cpu->invalidations.clear();
        destroy_live(op.a);
        pending.push_back(op);
        if (device) return withdrawn_at_once(spans);
        if (!p_.cpu->invalidations.empty()) {
          fail("invalidation-early", "a destruction inside a transaction sent invalidations before the commit");
        }
        return;
      }
      case OpKind::set_latency: {
        if (depth > 0) return;
        ++result_.stats.latency_changes;
        const sc_time read(static_cast<double>(op.value & 0xff), sc_core::SC_NS);
        const sc_time write(static_cast<double>((op.value >> 8) & 0xff), sc_core::SC_NS);
        return change(
            [&] {
              if (read != m.config.read_latency || write != m.config.write_latency) must_withdraw_.push_back(op.a);
              live_regions_[op.a]->set_latency(to_duration(read), to_duration(write));
              if (!options_.model_keeps_old_latency) {
                m.config.read_latency = read;
                m.config.write_latency = write;
              }
            },
            [] {});
      }
      case OpKind::set_ops: {
        if (depth > 0 || window_of_[op.a] != nullptr) return;
        if (m.kind != RegionKind::mmio && m.kind != RegionKind::rom_device) return;
        ++result_.stats.ops_changes;
        const MmioConfig ops = ops_config(spec_, op);
        return change(
            [&] {
              may_withdraw_.push_back(op.a);
              static_cast<MmioRegion*>(live_regions_[op.a])->set_ops(make_recording_ops(ops, op.a, b_.log));
              m.config.mmio = ops;
            },
            [] {});
      }
      default: return;
    }
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
            p_.cpu->invalidations.clear();
            if (!apply([] { transaction_commit(); })) return;
            --depth;
            if (!p_.cpu->invalidations.empty()) fail("invalidation-early", "an inner commit sent invalidations");
            break;
          }
          --depth;
          commit_outermost(pending);
          break;
        case OpKind::check:
          burst();
          break;
        case OpKind::destroy:
        case OpKind::set_latency:
        case OpKind::set_ops:
          lifetime_op(op, depth, pending);
          break;
        default:
          if (depth > 0) {
            p_.cpu->invalidations.clear();
            if (!apply([&] { apply_spec_op(live_regions_, op); })) return;
            pending.push_back(op);
            if (!p_.cpu->invalidations.empty()) {
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
        commit_outermost(pending);
      }
      --depth;
    }
    if (!done()) burst();
  }

  // --- accesses ------------------------------------------------------------------

  // `at`: a transaction for an AT initiator (b_transport's kind, never malformed).
  AccessSpec random_access(const FlatView& view, const std::vector<std::pair<i128, i128>>& windows,
                           bool at = false) {
    AccessSpec a;
    const uint64_t via = at ? 0 : rng_.below(100);
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
      for (int tries = 0; tries < 3 && (fr->region() == nullptr || fr->region()->kind() == RegionKind::iommu);
           ++tries) {
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
      case AccessSpec::Via::transport:
      case AccessSpec::Via::at_method:
      case AccessSpec::Via::at_thread: {
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
        if (!at && rng_.chance(1)) a.length = 0;
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

  void burst() { burst_of(options_.random_accesses ? options_.accesses_per_burst : 0); }

  // `count` random accesses (and the pinned one), and some AT transactions.
  void burst_of(int count) {
    ++result_.stats.bursts;
    if (rng_.chance(10)) {
      static const UnmappedPolicy policies[] = {UnmappedPolicy::error, UnmappedPolicy::error_with_warning,
                                                UnmappedPolicy::read_zero_write_ignore,
                                                UnmappedPolicy::read_zero_write_ignore_with_warning};
      policy_ = policies[rng_.below(4)];
      p_.space->set_unmapped_policy(policy_);
      model_->set_policy(policy_);
    }
    const std::shared_ptr<const FlatView> view = p_.space->flat_view();
    std::vector<std::pair<i128, i128>> windows;
    int budget = 200;
    collect_windows(shadow_top_.get(), 0, 0, windows, budget);
    Cached resolve(*this, false);
    arm_grants(*view);
    b_.log.events.clear();
    if (options_.pinned) access(*options_.pinned, resolve);
    if (transaction_depth() > 0) result_.stats.in_transaction += count;
    for (int k = 0; k < count && !done(); ++k) access(random_access(*view, windows), resolve);
    // AT bursts need sc_start(): not from inside a process (a teardown during the simulation).
    const bool in_process = sc_core::sc_get_current_process_handle().valid();
    if (count > 0 && !done() && !in_process && rng_.chance(options_.at_percent)) {
      const bool method = rng_.chance(50);
      if (!(method ? p_.at_method : p_.at_thread)) return check_memory(nullptr);  // gone in the teardown
      std::vector<AccessSpec> accesses;
      for (int k = 0; k < options_.at_accesses; ++k) {
        accesses.push_back(random_access(*view, windows, true));
        accesses.back().via = method ? AccessSpec::Via::at_method : AccessSpec::Via::at_thread;
      }
      at_burst(accesses, resolve);
    }
    if (too_deep_) skip("the naive resolver went too deep");
    // Reads must not have touched memory either.
    if (!done()) check_memory(nullptr);
  }

  // AT transactions from the driver's SC_METHOD or SC_THREAD, run to the
  // end of the simulation's activity; each is compared with the model when
  // it completes (the model answers for the state at its BEGIN_REQ: nothing
  // else happens in between).
  void at_burst(const std::vector<AccessSpec>& accesses, Cached& resolve) {
    if (accesses.empty() || sc_core::sc_get_current_process_handle().valid()) return;
    const bool method = accesses.front().via == AccessSpec::Via::at_method;
    ++result_.stats.at_bursts;
    AtJob job;
    job.accesses = accesses;
    job.seed = rng_.next();
    job.break_protocol = options_.at_breaks_protocol;
    job.expect = [&](const AccessSpec& a) {
      ++progress_;
      b_.log.events.clear();
      b_.reports.warnings.clear();
      return done() ? Outcome{} : model_->transport(a, resolve);
    };
    job.check = [&, method](const AccessSpec& a, const Outcome& want, const Outcome& response, bool at_once) {
      if (done()) return;
      ++(method ? result_.stats.at_method : result_.stats.at_thread);
      result_.stats.at_at_once += at_once;
      result_.stats.bytes += a.length;
      if (!b_.reports.errors.empty()) return unexpected_reports("during the AT transaction " + describe(a));
      Outcome got = response;
      if (options_.at_corrupts_reads && a.command == tlm::TLM_READ_COMMAND && !got.data.empty()) got.data[0] ^= 0xff;
      collect(got);
      // Only an answer at once carries the whole latency in its annotation.
      if (!at_once) got.delay = want.delay;
      const std::string difference = compare(want, got, true, false, names_);
      if (!difference.empty()) {
        return mismatch("at", a, want, got, resolve,
                        std::string("an AT transaction (from an ") + (method ? "SC_METHOD" : "SC_THREAD") +
                            ", " + (at_once ? "answered TLM_COMPLETED at once" : "answered phase by phase") +
                            ") differs from the model in its " + difference,
                        true, false);
      }
      if (a.command == tlm::TLM_WRITE_COMMAND) check_memory(&a);
    };
    job.fail = [&](const std::string& what) { fail("at", what); };
    AtSequencer& sequencer = method ? b_.at.method_sequencer : b_.at.thread_sequencer;
    const uint64_t four_phase = sequencer.four_phase;
    if (method) {
      b_.at.run_from_method(*p_.at_method, std::move(job));
    } else {
      b_.at.run_from_thread(*p_.at_thread, std::move(job));
    }
    b_.run();
    result_.stats.at_four_phase += sequencer.four_phase - four_phase;
    if (!b_.at.idle()) {
      fail("at", std::string("the AT transactions from the ") + (method ? "SC_METHOD" : "SC_THREAD") +
                     " did not complete: the simulation ran out of activity first (" + sequencer.state() + ")");
    }
    if (!b_.reports.errors.empty()) unexpected_reports("after an AT burst");
  }

  // After the address space went: AT transactions get address errors too.
  void at_refused() {
    ++result_.stats.teardown_checks;
    Platform& p = p_;
    const bool method = p.at_method != nullptr && (p.at_thread == nullptr || rng_.chance(50));
    AtJob job;
    AccessSpec a;
    a.via = method ? AccessSpec::Via::at_method : AccessSpec::Via::at_thread;
    a.command = rng_.chance(50) ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND;
    a.address = rng_.below(0x2000);
    a.length = 4;
    a.data.assign(4, 0x5a);
    job.accesses.push_back(a);
    job.seed = rng_.next();
    job.expect = [](const AccessSpec&) { return Outcome{}; };
    job.check = [this](const AccessSpec& access, const Outcome&, const Outcome& got, bool) {
      if (got.status != tlm::TLM_ADDRESS_ERROR_RESPONSE) {
        fail("teardown", "the address space went, but the AT transaction " + describe(access) + " answers " +
                             describe(got.status) + " (expected TLM_ADDRESS_ERROR_RESPONSE)");
      }
    };
    job.fail = [this](const std::string& what) { fail("teardown", "AT after the address space went: " + what); };
    if (method) {
      b_.at.run_from_method(*p.at_method, std::move(job));
    } else {
      b_.at.run_from_thread(*p.at_thread, std::move(job));
    }
    b_.run();
    if (!b_.at.idle()) fail("teardown", "an AT transaction after the address space went did not complete");
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
    b_.reports.warnings.clear();
    switch (a.via) {
      case AccessSpec::Via::transport: transport(a, resolve); break;
      case AccessSpec::Via::debug: debug(a, resolve); break;
      case AccessSpec::Via::dmi_request: dmi_request(a, resolve); break;
      case AccessSpec::Via::dmi_initiator: dmi_initiator(a, resolve); break;
      case AccessSpec::Via::at_method:
      case AccessSpec::Via::at_thread: return at_burst({a}, resolve);
    }
    auto& errors = b_.reports.errors;
    if (a.length == 0) {
      // A malformed payload of ours: the checker rightly names it.
      errors.erase(std::remove_if(errors.begin(), errors.end(),
                                  [](const Reports::Entry& e) {
                                    return e.type == Checker64::kMsgType &&
                                           e.message.find("[payload]") != std::string::npos;
                                  }),
                   errors.end());
    }
    if (!errors.empty()) unexpected_reports("after " + describe(a));
  }

  void collect(Outcome& got) {
    got.events = b_.log.events;
    got.warnings = b_.reports.warnings;
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
    RecordingInitiator<64>& cpu = *p_.cpu;
    cpu.delay = SC_ZERO_TIME;
    if (a.has_attrs) {
      extension_.attrs = a.attrs;
      cpu.gp.set_extension(&extension_);
    }
    got.status = cpu.transport(a.command, a.address, got.data.data(), a.length,
                               a.enables.empty() ? nullptr : a.enables.data(),
                               static_cast<unsigned>(a.enables.size()), a.streaming);
    if (a.has_attrs) cpu.gp.clear_extension(&extension_);
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
    got.debug_moved = p_.cpu->debug(a.command, a.address, got.data.data(), a.length);
    collect(got);
    if (want.debug_through_grant && got.events.empty()) {
      want.events.clear();
      ++result_.stats.debugs_through_grants;
    }
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
    const bool granted = p_.cpu->dmi(a.address, dmi, a.command);
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
    DmiInitiator<64>& port = *p_.dmi_cpu;
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
    const std::vector<tlm::tlm_dmi> grants = p_.dmi_cpu->dmi_cache().grants();
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
      b_.reports.warnings.clear();
      dmi_initiator(a, resolve);
    }
  }

  Bench& b_;
  Platform& p_;
  const MapSpec& spec_;
  const CaseOptions& options_;
  Rng rng_;
  CaseResult result_;
  // The live map: regions owned one by one (a pooled window by the bench);
  // live_regions_[i] is null once region i is destroyed.
  std::vector<std::unique_ptr<Region>> live_owned_;
  std::vector<Region*> live_regions_;
  // The shadow lags behind inside transactions; destroyed regions stay
  // alive here, outside the map.
  std::vector<std::unique_ptr<Region>> shadow_owned_;
  std::vector<Region*> shadow_regions_;
  std::unique_ptr<ContainerRegion> shadow_top_;
  std::unique_ptr<ContainerRegion> shadow_void_;  // what aliases of a destroyed region show
  std::unordered_map<const Region*, int> live_index_;
  std::unordered_map<const Region*, int> shadow_index_;
  std::vector<RegionConfig> config_;
  std::vector<bool> slot_used_;
  std::vector<int> slot_of_;
  std::vector<Window*> window_of_;
  std::vector<std::vector<uint8_t>> memory_;
  std::vector<ModelRegion> regions_;
  std::vector<std::string> names_;
  std::unique_ptr<Model> model_;
  TxAttributes extension_;
  UnmappedPolicy policy_ = UnmappedPolicy::error;
  bool native_big_ = false;
  bool too_deep_ = false;
  int root_ = 0;
  std::size_t op_index_ = 0;
  uint64_t progress_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> held_;  // DMI grants the recording initiator holds
  // Regions of the change being checked whose grants must go (a latency
  // change) or may go (an ops change) though their mapping stays.
  std::vector<int> must_withdraw_;
  std::vector<int> may_withdraw_;
  std::string teardown_log_;  // the parts of the platform destroyed so far, in order
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
  for (const Op& op : spec.ops) {
    if (op.kind != OpKind::set_ops) continue;
    RegionConfig c = region_config(spec.seed, spec.regions[op.a].tag);
    c.mmio = ops_config(spec, op);
    out << "    " << describe_op(spec, op) << ": " << describe(c, RegionKind::mmio, false) << "\n";
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
  if (f.category == "teardown") {
    out << "  (a teardown failure is not shrunk: replay the map alone with TLMMAP_RANDOM_ACCESS_MAP_SEED)\n"
        << describe_spec(spec) << "  devices:\n" << describe_configs(spec);
    return out.str();
  }
  // The last platform is never torn down: shrinking runs there, without teardowns.
  bench.current = bench.platforms.size() - 1;
  // Shrink: with only the failing access in every burst if that is enough, else with the random ones too.
  CaseOptions shrink_options = options;
  shrink_options.teardown_platform = false;
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
    out << "  minimal map, as built in C++ (the root is placed at 0 in a container of 2^64 that an AddressSpace "
           "and its AddressSpaceTarget serve):\n"
        << describe_spec(minimal) << "  devices:\n"
        << describe_configs(minimal);
  } else {
    // E.g. the bench ran out of TLM device regions to destroy while shrinking.
    out << "  (the shrunk map no longer fails when replayed; the original map, as built in C++:)\n"
        << describe_spec(spec) << "  devices:\n"
        << describe_configs(spec);
  }
  return out.str();
}

TEST(RandomAccess, AccessesFollowTheDocumentedRules) {
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
  const uint64_t count = only != 0 ? seeds.size() : env_number("TLMMAP_RANDOM_ACCESS_MAPS", kSanitized ? 1000 : 3000);
  // Platforms (address space, target, initiators), each torn down in a
  // random order at the end of its last map; one more, never torn down,
  // for shrinking. A replayed map gets one of its own.
  const uint64_t platforms =
      only != 0 ? count : std::min<uint64_t>(count, env_number("TLMMAP_RANDOM_ACCESS_PLATFORMS", kSanitized ? 150 : 300));
  Bench bench(platforms + 1);
  const CaseOptions options;
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
    // Map n runs on platform n * platforms / count; the last map of each tears it down.
    bench.current = static_cast<std::size_t>(n * platforms / count);
    CaseOptions map_options = options;
    map_options.teardown_platform = (n + 1) * platforms / count != n * platforms / count;
    const CaseResult result = run_case(bench, spec, map_options);
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
      "(%llu b_transport, %llu transport_dbg of which %llu through a device's DMI grant, %llu get_direct_mem_ptr of which %llu granted, %llu through a "
      "DmiInitiator of which %llu by DMI), %llu bytes, %llu MMIO callbacks, %llu TLM device transactions, %llu TLM "
      "device regions; %llu bursts, %llu accesses inside transactions; %llu changes checked at %llu addresses, %llu "
      "invalidations, %llu reads through DMI grants held across a change; %llu maps skipped, %llu failing\n",
      static_cast<unsigned long long>(maps), hex(base).c_str(), seconds, maps / seconds,
      totals.accesses() / seconds, static_cast<unsigned long long>(totals.accesses()),
      static_cast<unsigned long long>(totals.transports), static_cast<unsigned long long>(totals.debugs),
      static_cast<unsigned long long>(totals.debugs_through_grants), static_cast<unsigned long long>(totals.dmi_requests), static_cast<unsigned long long>(totals.dmi_grants),
      static_cast<unsigned long long>(totals.dmi_initiator), static_cast<unsigned long long>(totals.dmi_hits),
      static_cast<unsigned long long>(totals.bytes), static_cast<unsigned long long>(totals.callbacks),
      static_cast<unsigned long long>(totals.device_transactions),
      static_cast<unsigned long long>(totals.tlm_regions), static_cast<unsigned long long>(totals.bursts),
      static_cast<unsigned long long>(totals.in_transaction), static_cast<unsigned long long>(totals.changes),
      static_cast<unsigned long long>(totals.change_points), static_cast<unsigned long long>(totals.invalidations),
      static_cast<unsigned long long>(totals.stale_checks), static_cast<unsigned long long>(skipped),
      static_cast<unsigned long long>(failures));
  std::printf(
      "lifetimes: %llu regions destroyed (%llu inside a transaction, %llu alias targets, %llu TLM device regions), "
      "%llu latency changes, %llu ops changes; %llu platform teardowns in a random order (%llu inside an SC_THREAD), "
      "%llu teardown checks\n"
      "AT: %llu bursts, %llu transactions from an SC_METHOD and %llu from an SC_THREAD, %llu answered TLM_COMPLETED "
      "at once, %llu with END_RESP on the forward path; protocol checkers on %zu hops\n",
      static_cast<unsigned long long>(totals.destroyed), static_cast<unsigned long long>(totals.destroyed_in_transaction),
      static_cast<unsigned long long>(totals.destroyed_targets), static_cast<unsigned long long>(totals.destroyed_tlm),
      static_cast<unsigned long long>(totals.latency_changes), static_cast<unsigned long long>(totals.ops_changes),
      static_cast<unsigned long long>(totals.teardowns), static_cast<unsigned long long>(totals.teardowns_in_process),
      static_cast<unsigned long long>(totals.teardown_checks), static_cast<unsigned long long>(totals.at_bursts),
      static_cast<unsigned long long>(totals.at_method), static_cast<unsigned long long>(totals.at_thread),
      static_cast<unsigned long long>(totals.at_at_once), static_cast<unsigned long long>(totals.at_four_phase),
      bench.platforms.size() * 4 + kPoolSlots * kWindowsPerSlot);
  EXPECT_LE(skipped * 20, maps + 20) << "too many maps skipped";
  if (only == 0) {
    EXPECT_GT(totals.dmi_hits, 0u);
    EXPECT_GT(totals.device_transactions, 0u);
    EXPECT_GT(totals.debugs_through_grants, 0u);
    EXPECT_GT(totals.callbacks, 0u);
    EXPECT_GT(totals.invalidations, 0u);
    EXPECT_GT(totals.destroyed_in_transaction, 0u);
    EXPECT_GT(totals.destroyed_targets, 0u);
    EXPECT_GT(totals.destroyed_tlm, 0u);
    EXPECT_GT(totals.latency_changes, 0u);
    EXPECT_GT(totals.ops_changes, 0u);
    EXPECT_GT(totals.teardowns_in_process, 0u);
    EXPECT_LT(totals.teardowns_in_process, totals.teardowns);
    EXPECT_GT(totals.at_method, 0u);
    EXPECT_GT(totals.at_thread, 0u);
    EXPECT_GT(totals.at_four_phase, 0u);
    EXPECT_LT(totals.at_at_once, totals.at_method + totals.at_thread);
  }
}

// --- the test of the test ------------------------------------------------------------

// Finds a map where the injected mistake shows, and shrinks it. A map counts
// only if the test without the mistake passes it: it fails because of the
// mistake injected here, not because of a library bug (which the strict test
// reports).
void expect_found_and_shrunk(CaseOptions injected, const std::string& category, std::size_t max_regions) {
  Bench bench;
  injected.destroy_windows = false;  // replays of one map must stay alike while shrinking
  CaseOptions correct;
  correct.destroy_windows = false;
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

// Finds a map where the injected mistake shows (one the test without the
// mistake passes): its failure must be of `category` (any if empty) and
// say one of `words`.
void expect_found(CaseOptions injected, uint64_t base, uint64_t maps, const std::string& what,
                  const std::string& category, const std::vector<std::string>& words) {
  Bench bench;
  injected.destroy_windows = false;
  CaseOptions correct;
  correct.destroy_windows = false;
  for (uint64_t n = 0; n < maps; ++n) {
    const MapSpec spec = prepare(generate_map(mix_seed(base, n), generator_options()));
    const CaseResult result = run_case(bench, spec, injected);
    if (!result.failure) continue;
    if (run_case(bench, spec, correct).failure) continue;  // a library bug: not this test's business
    const CaseFailure& f = *result.failure;
    if (!category.empty()) {
      EXPECT_EQ(f.category, category) << f.message;
    }
    EXPECT_TRUE(std::any_of(words.begin(), words.end(),
                            [&](const std::string& w) { return f.message.find(w) != std::string::npos; }))
        << f.message;
    std::printf("%s, found in map #%llu (%s):\n%s\n", what.c_str(), static_cast<unsigned long long>(n),
                f.category.c_str(), f.message.c_str());
    return;
  }
  FAIL() << "no random map exposed " << what;
}

TEST(RandomAccess, AStaleLatencyIsFound) {
  // The model keeps a region's old latency after set_latency(): the delay of
  // an access, or the latencies of a DMI grant, differ from the library's.
  CaseOptions injected;
  injected.model_keeps_old_latency = true;
  expect_found(injected, 0x1a7e'0000'0000'0000ULL, 500, "the stale latency", "", {"in its delay", "latencies"});
}

TEST(RandomAccess, AModelThatIgnoresDestructionsIsFound) {
  // The model goes on calling the devices of regions destroyed inside a
  // transaction: the library answers a decode error and calls nothing.
  CaseOptions injected;
  injected.model_ignores_destroy = true;
  expect_found(injected, 0xde57'0000'0000'0000ULL, 500, "the ignored destruction", "", {"has been destroyed"});
}

TEST(RandomAccess, AnAtInitiatorBreakingTheProtocolIsFound) {
  // The AT initiator sends a BEGIN_REQ whose response status is already set:
  // the protocol checker on its hop must name it.
  CaseOptions injected;
  injected.at_breaks_protocol = true;
  injected.at_percent = 100;
  expect_found(injected, 0xa7b0'0000'0000'0000ULL, 100, "the protocol break", "protocol", {"[response-status]"});
}

TEST(RandomAccess, AWrongAtAnswerIsFound) {
  // The AT initiator sees one byte of every read wrong: the comparison with
  // the model must notice.
  CaseOptions injected;
  injected.at_corrupts_reads = true;
  injected.at_percent = 100;
  expect_found(injected, 0xa7d0'0000'0000'0000ULL, 100, "the wrong AT read", "at", {"data byte 0"});
}

// --- library bugs the randomized test found, each as its smallest test ----------
//
// Each was fixed in the library; the test stays as the regression. (The
// first bug it found, a TLM device region destroyed inside a transaction
// still being called, has its test in lifetime_test.cpp.)

TEST(RandomAccessFound, AStreamingTransactionAtTheTopOfTheSpaceIsDoneWhole) {
  // docs/tlm.md: a transaction whose span (min(data length, streaming
  // width)) lies wholly inside a TLM device's window is forwarded to the
  // device as it is; else each streaming beat is one access. A 4-byte read
  // with streaming width 1 at 0xffffffffffffffff reads that byte four times.
  // Found (fixed): the device got a transaction of data length 1, and bytes
  // 1..3 of the initiator's buffer were left as they were, with TLM_OK_RESPONSE
  // (random access map seeds 0x30ca4701d2500b36 and 0x75df6860219706c3 of base
  // seed 0x1234567).
  ContainerRegion top{"top", k64BitSpace};
  AddressSpace space{top, "as"};
  AddressSpaceTarget<64> bus{"bus", space};
  RecordingInitiator<64> cpu{"cpu"};
  RecordingMemory<32> device{"device", 0x40};
  TlmDeviceRegion<32> window{"window", 0x40};
  RamRegion ram{"ram", 0x10};
  cpu.socket.bind(bus.target_socket);
  window.socket.bind(device.socket);
  EventLog log;
  device.log = &log;
  device.config.grant_dmi = false;
  for (std::size_t k = 0; k < device.bytes.size(); ++k) device.bytes[k] = static_cast<uint8_t>(0xa0 + k);
  top.add_subregion(0xffffffffffffffffULL, window);  // clipped to its first byte
  sc_core::sc_start(SC_ZERO_TIME);
  uint8_t data[4] = {0xee, 0xee, 0xee, 0xee};
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, ~uint64_t(0), data, 4, nullptr, 0, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(std::vector<uint8_t>(data, data + 4), std::vector<uint8_t>(4, 0xa0));
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].size, 4u) << "the device saw data length " << log.events[0].size;
  EXPECT_EQ(log.events[0].streaming, 1u);
  // The same through RAM: the model's path, beat by beat.
  top.del_subregion(window);
  top.add_subregion(0xfffffffffffffff0ULL, ram);
  ram.host_memory()[0xf] = 0x5a;
  std::memset(data, 0xee, sizeof data);
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, ~uint64_t(0), data, 4, nullptr, 0, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(std::vector<uint8_t>(data, data + 4), std::vector<uint8_t>(4, 0x5a));
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
