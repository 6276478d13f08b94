// Benchmarks of the model layer: render, change + commit, lookup.
//
//   render/create/N          creating an AddressSpace on an N-region map (a full render)
//   render/commit/N          a commit that re-renders an unchanged N-region map
//   change/<what>/N          one change outside a transaction (or one change in a
//                            transaction plus its commit), including the re-render
//   lookup/<pattern>/N       AddressSpace::lookup, one address per iteration
//       random: uniform over the flat ranges, random offset inside
//       local:  bursts of 8-32 repeated (a polled register) or consecutive
//               (stride 4) addresses around 16 hot spots, 5% of bursts at a
//               random range
//   build/N, teardown/N      building / destroying the map itself (for context)
//
//   proto/<structure>/<pattern>/N  (only with --with_prototypes)
//                            the lookup measurement on prototype structures
//                            (lookup_prototypes.hpp) built from the same view
//
// Maps come from map_generator.hpp (nested bridges/buses/devices, aliases into
// containers and aliases of aliases, backgrounds at priority -1, overlays at +1).
//
// See README.md in this directory for the command line and measured figures.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "lookup_prototypes.hpp"
#include "map_generator.hpp"
#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/flat_view.hpp"
#include "tlmmap/core/transaction.hpp"

namespace tlmmap::bench {
namespace {

constexpr std::size_t kAddressCount = std::size_t(1) << 20;  // per pattern, a power of two

// ---------------------------------------------------------------------------
// Map cache: building a 100k-region map takes longer than rendering it, and
// Google Benchmark calls each benchmark function several times, so the last
// map (and, for lookups, its address space and address lists) is kept.

struct Fixture {
  std::size_t n = 0;
  GeneratedMap map;
  std::unique_ptr<AddressSpace> space;  // declared after map: destroyed first
  std::vector<uint64_t> random;
  std::vector<uint64_t> local;
};

Fixture& cache() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

void drop_cache() {
  Fixture& f = cache();
  f.space.reset();
  f.map = GeneratedMap();
  f.random.clear();
  f.local.clear();
  f.n = 0;
}

// The cached map for n regions, with no address space on it.
GeneratedMap& cached_map(std::size_t n) {
  Fixture& f = cache();
  f.space.reset();
  if (f.n != n) {
    drop_cache();
    f.map = generate_map(n);
    f.n = n;
  }
  return f.map;
}

uint64_t random_below(std::mt19937_64& rng, u128 bound) {
  // bound <= 2^64; rng() spans 2^64 values, so the modulo bias is negligible here.
  if (bound >= k64BitSpace) return rng();
  return static_cast<uint64_t>(rng() % static_cast<uint64_t>(bound));
}

std::vector<uint64_t> random_addresses(const FlatView& view, uint64_t seed) {
  const auto& ranges = view.ranges();
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> out(kAddressCount);
  for (uint64_t& a : out) {
    const FlatRange& r = ranges[rng() % ranges.size()];
    a = r.first + random_below(rng, r.size());
  }
  return out;
}

std::vector<uint64_t> local_addresses(const FlatView& view, uint64_t seed) {
  const auto& ranges = view.ranges();
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> hot(16);
  for (std::size_t& h : hot) h = rng() % ranges.size();
  std::vector<uint64_t> out;
  out.reserve(kAddressCount);
  while (out.size() < kAddressCount) {
    const bool jump = rng() % 100 < 5;
    const FlatRange& r = ranges[jump ? rng() % ranges.size() : hot[rng() % hot.size()]];
    const u128 size = r.size();
    const uint64_t window = static_cast<uint64_t>(std::min<u128>(size, 4096));
    const uint64_t window_start = r.first + random_below(rng, size - window + 1);
    const uint64_t offset = random_below(rng, window) & ~uint64_t(3);
    const bool poll = rng() % 3 == 0;  // a status register polled in a loop
    const std::size_t burst = 8 + rng() % 25;
    for (std::size_t k = 0; k < burst && out.size() < kAddressCount; ++k) {
      out.push_back(window_start + (poll ? offset : (offset + 4 * k) % window));
    }
  }
  return out;
}

Fixture& cached_lookup(std::size_t n) {
  Fixture& f = cache();
  if (f.n != n || !f.space) {
    cached_map(n);
    f.space = std::make_unique<AddressSpace>(*f.map.root, "lookup");
    f.random = random_addresses(f.space->view(), 42);
    f.local = local_addresses(f.space->view(), 43);
  }
  return f;
}

void map_counters(benchmark::State& state, const GeneratedMap& m, std::size_t ranges) {
  state.counters["regions"] = static_cast<double>(m.regions);
  state.counters["ranges"] = static_cast<double>(ranges);
}

// ---------------------------------------------------------------------------
// Render.

void BM_RenderCreate(benchmark::State& state) {
  GeneratedMap& m = cached_map(static_cast<std::size_t>(state.range(0)));
  std::size_t ranges = 0;
  for (auto _ : state) {
    AddressSpace space(*m.root, "render");
    ranges = space.view().ranges().size();
    benchmark::DoNotOptimize(ranges);
  }
  map_counters(state, m, ranges);
  state.counters["containers"] = static_cast<double>(m.containers);
  state.counters["aliases"] = static_cast<double>(m.aliases);
  state.counters["alias_of_alias"] = static_cast<double>(m.aliases_of_aliases);
  state.counters["overlaps"] = static_cast<double>(m.overlapping);
}

// A commit with a net change of nothing: the address space is marked, the
// root re-rendered and the new view compared with the old (equal: no observer
// is told).
void BM_RenderCommit(benchmark::State& state) {
  GeneratedMap& m = cached_map(static_cast<std::size_t>(state.range(0)));
  AddressSpace space(*m.root, "commit");
  Region& leaf = *m.map->regions().back();
  for (auto _ : state) {
    Transaction t;
    leaf.set_nonvolatile(true);
    leaf.set_nonvolatile(false);
    t.commit();
  }
  map_counters(state, m, space.view().ranges().size());
}

void BM_Build(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  drop_cache();
  std::size_t regions = 0;
  for (auto _ : state) {
    GeneratedMap m = generate_map(n);
    regions = m.regions;
    state.PauseTiming();
    m = GeneratedMap();
    state.ResumeTiming();
  }
  state.counters["regions"] = static_cast<double>(regions);
}

void BM_Teardown(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  drop_cache();
  for (auto _ : state) {
    state.PauseTiming();
    GeneratedMap m = generate_map(n);
    state.ResumeTiming();
    m = GeneratedMap();
  }
  state.counters["regions"] = static_cast<double>(n);
}

// ---------------------------------------------------------------------------
// One change and its commit, on a map with one address space.

// What a DMI-invalidating TLM front end does on every flat-view change.
class ChangedRangesObserver : public ViewObserver {
 public:
  void view_changed(const AddressSpace&, const ViewChange& change) override {
    changed += change.changed_ranges().size();
    ++calls;
  }
  std::size_t changed = 0;
  std::size_t calls = 0;
};

enum class Change { toggle_enabled, toggle_enabled_txn, toggle_enabled_observed, move_bar, alias_offset };

void BM_Change(benchmark::State& state, Change what) {
  GeneratedMap& m = cached_map(static_cast<std::size_t>(state.range(0)));
  if (m.middle_device == nullptr || m.middle_bar == nullptr || m.bridge_mirror == nullptr) {
    state.SkipWithError("map too small for this change");
    return;
  }
  Region& dev = *m.middle_device;
  AliasRegion& bar = *m.middle_bar;
  AliasRegion& mirror = *m.bridge_mirror;
  const uint64_t bar_home = bar.address();
  const uint64_t bar_spare = m.middle_bar_spare_address;
  auto space = std::make_unique<AddressSpace>(*m.root, "change");
  ChangedRangesObserver observer;
  if (what == Change::toggle_enabled_observed) space->add_observer(observer);
  for (auto _ : state) {
    switch (what) {
      case Change::toggle_enabled:
      case Change::toggle_enabled_observed:
        dev.set_enabled(!dev.enabled());  // renders at once (no transaction)
        break;
      case Change::toggle_enabled_txn: {
        Transaction t;
        dev.set_enabled(!dev.enabled());
        t.commit();
        break;
      }
      case Change::move_bar:
        bar.set_address(bar.address() == bar_home ? bar_spare : bar_home);
        break;
      case Change::alias_offset:
        mirror.set_alias_offset(mirror.alias_offset() == 0 ? 0x10000 : 0);
        break;
    }
  }
  map_counters(state, m, space->view().ranges().size());
  if (what == Change::toggle_enabled_observed) {
    state.counters["changed_ranges"] =
        observer.calls ? static_cast<double>(observer.changed) / static_cast<double>(observer.calls) : 0;
    space->remove_observer(observer);
  }
  // Put the cached map back as it was, without a render.
  space.reset();
  dev.set_enabled(true);
  bar.set_address(bar_home);
  mirror.set_alias_offset(0);
}

// ---------------------------------------------------------------------------
// Lookup.

enum class Pattern { random, local };

// One lookup per benchmark iteration. Lookups are independent (the next
// address does not wait for the previous result), as the loads and stores of
// an instruction-set simulator mostly are, so the CPU may overlap them.
// Returns ns per lookup, measured here too for the x_vs_10 counter.
template <typename Lookup>
double lookup_loop(benchmark::State& state, const Lookup& lookup, const std::vector<uint64_t>& addrs,
                   std::size_t& misses) {
  const std::size_t mask = addrs.size() - 1;
  std::size_t i = 0;
  std::size_t miss = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const FlatRange* r = lookup(addrs[i++ & mask]);
    miss += r == nullptr;
    benchmark::DoNotOptimize(r);
  }
  const auto t1 = std::chrono::steady_clock::now();
  misses = miss;
  return std::chrono::duration<double, std::nano>(t1 - t0).count() /
         static_cast<double>(std::max<std::size_t>(i, 1));
}

const char* name_of(Pattern p) { return p == Pattern::random ? "random" : "local"; }

// ns per lookup on the 10-region map, per benchmark family, from the
// .../10 benchmark of this run (registered, hence run, before the larger ones).
std::map<std::string, double>& baselines() {
  static std::map<std::string, double> ns;
  return ns;
}

template <typename Lookup>
void run_lookup(benchmark::State& state, const std::string& family, const Fixture& f, Pattern p,
                const Lookup& lookup) {
  const std::vector<uint64_t>& addrs = p == Pattern::random ? f.random : f.local;
  std::size_t misses = 0;
  const double ns = lookup_loop(state, lookup, addrs, misses);
  map_counters(state, f.map, f.space->view().ranges().size());
  state.counters["misses"] = static_cast<double>(misses);  // every address is mapped: 0
  if (f.n == 10) baselines()[family] = ns;
  const auto it = baselines().find(family);
  // Absent when the .../10 benchmark was filtered out.
  if (it != baselines().end()) state.counters["x_vs_10"] = ns / it->second;
  state.SetItemsProcessed(state.iterations());
}

void BM_Lookup(benchmark::State& state, std::string family, Pattern p) {
  const Fixture& f = cached_lookup(static_cast<std::size_t>(state.range(0)));
  const AddressSpace& space = *f.space;
  run_lookup(state, family, f, p, [&space](uint64_t a) { return space.lookup(a); });
}

// The memory floor: no search at all, the index of each address's range is
// known in advance; only the FlatRange is touched (as any caller of lookup
// does). What is left is the loop and the cost of reaching one FlatRange.
void BM_Oracle(benchmark::State& state, std::string family, Pattern p) {
  const Fixture& f = cached_lookup(static_cast<std::size_t>(state.range(0)));
  const std::vector<uint64_t>& addrs = p == Pattern::random ? f.random : f.local;
  const std::vector<FlatRange>& ranges = f.space->view().ranges();
  std::vector<uint32_t> index(addrs.size());
  for (std::size_t k = 0; k < addrs.size(); ++k) {
    index[k] = static_cast<uint32_t>(f.space->lookup(addrs[k]) - ranges.data());
  }
  // The loop reads addrs[] in order, so index[] is read in the same order.
  std::size_t pos = 0;
  const std::size_t mask = addrs.size() - 1;
  run_lookup(state, family, f, p, [&](uint64_t a) -> const FlatRange* {
    const FlatRange* r = &ranges[index[pos++ & mask]];
    return r->contains(a) ? r : nullptr;
  });
}

// The same measurement on a prototype structure built from the same view.
template <typename Structure>
void BM_Proto(benchmark::State& state, std::string family, Pattern p) {
  const Fixture& f = cached_lookup(static_cast<std::size_t>(state.range(0)));
  const Structure structure(f.space->view().ranges());
  // Same answers as the library: every benchmark address, and both sides of
  // every range boundary.
  std::vector<uint64_t> probes = f.random;
  probes.insert(probes.end(), f.local.begin(), f.local.end());
  for (const FlatRange& r : f.space->view().ranges()) {
    probes.insert(probes.end(), {r.first, r.first - 1, r.last, r.last + 1});
  }
  for (const uint64_t a : probes) {
    if (structure.lookup(a) != f.space->lookup(a)) {
      state.SkipWithError(("prototype disagrees with AddressSpace::lookup at " + hex(a)).c_str());
      return;
    }
  }
  state.counters["bytes"] = static_cast<double>(structure.bytes());
  run_lookup(state, family, f, p, [&structure](uint64_t a) { return structure.lookup(a); });
}

// ---------------------------------------------------------------------------
// A console reporter that also prints a summary: medians over repetitions,
// the lookup growth ratio 100k/10 and the render target.

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string family = run.run_name.function_name;
      const long n = std::strtol(run.run_name.args.c_str(), nullptr, 10);
      units_[family] = benchmark::GetTimeUnitString(run.time_unit);
      if (run.run_type == Run::RT_Iteration) {
        times_[family][n].push_back(run.GetAdjustedCPUTime());
      } else if (run.aggregate_name == "median") {
        // With --benchmark_display_aggregates_only only aggregates come here.
        medians_[family][n] = run.GetAdjustedCPUTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::ostream& out = GetOutputStream();
    for (const auto& [family, by_n] : medians_) {
      for (const auto& [n, t] : by_n) times_[family][n] = {t};
    }
    if (times_.empty()) return;
    out << "\nSummary (CPU time, median over repetitions):\n";
    char line[256];
    for (const auto& [family, by_n] : times_) {
      out << "  " << family << " [" << units_[family] << "]:";
      for (const auto& [n, v] : by_n) {
        std::snprintf(line, sizeof line, "  %ld: %.4g", n, median(v));
        out << line;
      }
      if ((family.rfind("lookup/", 0) == 0 || family.rfind("proto/", 0) == 0) && by_n.count(10) && by_n.size() > 1) {
        const long largest = by_n.rbegin()->first;
        const double ratio = median(by_n.at(largest)) / median(by_n.at(10));
        std::snprintf(line, sizeof line, "   => %ld/10 ratio %.2fx (target <= 2x: %s)", largest, ratio,
                      ratio <= 2.0 ? "met" : "NOT met");
        out << line;
      }
      if (family == "render/create" && by_n.count(100000)) {
        double ms = median(by_n.at(100000));
        if (units_[family] == "us") ms /= 1000;
        std::snprintf(line, sizeof line, "   => 100k render %.1f ms (target < 200 ms: %s)", ms,
                      ms < 200 ? "met" : "NOT met");
        out << line;
      }
      out << "\n";
    }
  }

 private:
  static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t k = v.size() / 2;
    return v.size() % 2 ? v[k] : (v[k - 1] + v[k]) / 2;
  }
  std::map<std::string, std::map<long, std::vector<double>>> times_;
  std::map<std::string, std::map<long, double>> medians_;
  std::map<std::string, std::string> units_;
};

void register_benchmarks(bool with_prototypes) {
  const std::vector<int64_t> render_sizes = {1000, 10000, 100000};
  for (const int64_t n : render_sizes) {
    benchmark::RegisterBenchmark("render/create", BM_RenderCreate)->Arg(n)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("render/commit", BM_RenderCommit)->Arg(n)->Unit(benchmark::kMillisecond);
  }
  for (const int64_t n : {int64_t(10000), int64_t(100000)}) {
    const auto reg = [n](const char* name, Change what) {
      benchmark::RegisterBenchmark(name, BM_Change, what)->Arg(n)->Unit(benchmark::kMicrosecond);
    };
    reg("change/toggle_enabled", Change::toggle_enabled);
    reg("change/toggle_enabled_txn", Change::toggle_enabled_txn);
    reg("change/toggle_enabled_observed", Change::toggle_enabled_observed);
    reg("change/move_bar", Change::move_bar);
    reg("change/alias_offset", Change::alias_offset);
  }
  // Size outermost, so the cached map is built once per size.
  const std::vector<int64_t> lookup_sizes = {10, 100, 1000, 10000, 100000};
  for (const int64_t n : lookup_sizes) {
    for (const Pattern p : {Pattern::random, Pattern::local}) {
      const std::string family = std::string("lookup/") + name_of(p);
      benchmark::RegisterBenchmark(family.c_str(), BM_Lookup, family, p)->Arg(n)->Unit(benchmark::kNanosecond);
    }
  }
  for (const int64_t n : render_sizes) {
    benchmark::RegisterBenchmark("build", BM_Build)->Arg(n)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("teardown", BM_Teardown)->Arg(n)->Unit(benchmark::kMillisecond);
  }
  // Prototypes of other lookup structures (lookup_prototypes.hpp), on the same
  // maps and addresses; only with --with_prototypes.
  if (!with_prototypes) return;
  for (const int64_t n : lookup_sizes) {
    for (const Pattern p : {Pattern::random, Pattern::local}) {
      const auto reg = [&](const std::string& structure, auto fn) {
        const std::string family = "proto/" + structure + "/" + name_of(p);
        benchmark::RegisterBenchmark(family.c_str(), fn, family, p)->Arg(n)->Unit(benchmark::kNanosecond);
      };
      reg("oracle", BM_Oracle);
      reg("binary", BM_Proto<proto::BinarySearch>);
      reg("library", BM_Proto<proto::Library>);
      reg("splus", BM_Proto<proto::SPlusTree>);
      reg("pagetable", BM_Proto<proto::PageTable>);
      reg("mru+binary", BM_Proto<proto::WithMru<proto::BinarySearch>>);
      reg("mru+library", BM_Proto<proto::WithMru<proto::Library>>);
      reg("mru+pagetable", BM_Proto<proto::WithMru<proto::PageTable>>);
      reg("cache+library", BM_Proto<proto::WithRangeCache<proto::Library>>);
      reg("cache+pagetable", BM_Proto<proto::WithRangeCache<proto::PageTable>>);
    }
  }
}

}  // namespace
}  // namespace tlmmap::bench

// libsystemc.so defines main() and calls sc_main(); this program has its own
// main, but the link still needs sc_main (declared extern "C" by SystemC).
extern "C" int sc_main(int, char*[]) { return 0; }

int main(int argc, char** argv) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  bool custom_format = false;
  bool with_prototypes = false;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--with_prototypes") {  // ours: not passed on to Google Benchmark
      with_prototypes = true;
      continue;
    }
    if (arg.rfind("--benchmark_format", 0) == 0 && arg != "--benchmark_format=console") custom_format = true;
    argv[kept++] = argv[i];
  }
  argc = kept;
  argv[argc] = nullptr;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  tlmmap::bench::register_benchmarks(with_prototypes);
  if (custom_format) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    tlmmap::bench::SummaryReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Color
                                                                  : benchmark::ConsoleReporter::OO_None);
    benchmark::RunSpecifiedBenchmarks(&reporter);
  }
  benchmark::Shutdown();
  tlmmap::bench::drop_cache();
  return 0;
}
