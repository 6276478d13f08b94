// Randomized differential test of the flat-view renderer.
//
// Thousands of random maps (support/random_map.hpp: every region kind, nested
// containers, overlaps with tied priorities, aliases of aliases, mirrors,
// disabled and read-only regions, sizes up to 2^64 anywhere in the 64-bit
// space, moves, deletions, changes inside nested transactions) are built
// through the public API; after every change the flat view of each address
// space is compared with an independent per-address resolver
// (support/naive_resolver.hpp) at every range and region boundary and at
// random addresses. A failure is shrunk to a minimal map and printed as a
// memmap document with the address and both answers.
//
// Environment:
//   TLMMAP_RANDOM_MAPS=N      maps per test (default: a few seconds' worth)
//   TLMMAP_RANDOM_SEED=S      base seed (default fixed: runs are deterministic)
//   TLMMAP_RANDOM_MAP_SEED=M  run only the map with this seed (as printed in a
//                             failure report) and print it
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "support/test_env.hpp"
#include "support/naive_resolver.hpp"
#include "support/random_map.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"

namespace tlmmap::test {
namespace {

using test::env_number;
using test::kSanitized;

uint64_t map_count(uint64_t normal, uint64_t sanitized) {
  return env_number("TLMMAP_RANDOM_MAPS", kSanitized ? sanitized : normal);
}

uint64_t base_seed() { return env_number("TLMMAP_RANDOM_SEED", 0x7e57'f1a7'0000'0001ULL); }

// ---------------------------------------------------------------------------
// The oracle itself, on maps whose answers are known from QEMU's documentation
// and FORMAT.md section 4 (nothing here uses the library's flat views).

void expect_answer(const NaiveResolver& naive, uint64_t address, const Region* region, uint64_t offset,
                   bool readonly = false) {
  const NaiveAnswer a = naive.resolve(address);
  ASSERT_TRUE(a.mapped()) << hex(address) << ": " << describe(a);
  EXPECT_EQ(a.region, region) << hex(address) << ": " << describe(a);
  EXPECT_EQ(a.offset, offset) << hex(address) << ": " << describe(a);
  EXPECT_EQ(a.readonly, readonly) << hex(address) << ": " << describe(a);
}

void expect_unmapped(const NaiveResolver& naive, uint64_t address) {
  EXPECT_FALSE(naive.resolve(address).mapped()) << hex(address) << ": " << describe(naive.resolve(address));
}

TEST(NaiveResolver, PriorityExampleOfTheMemoryApiDocumentation) {
  ContainerRegion a("A", 0x8000);
  ContainerRegion b("B", 0x4000);
  MmioRegion c("C", 0x6000);
  MmioRegion d("D", 0x1000);
  MmioRegion e("E", 0x1000);
  b.add_subregion(0x0, d);
  b.add_subregion(0x2000, e);
  a.add_subregion_overlap(0x2000, b, 2);
  a.add_subregion_overlap(0x0, c, 1);
  const NaiveResolver naive(&a);
  expect_answer(naive, 0x1fff, &c, 0x1fff);
  expect_answer(naive, 0x2000, &d, 0);
  expect_answer(naive, 0x3800, &c, 0x3800);  // B's hole shows C
  expect_answer(naive, 0x4fff, &e, 0xfff);
  expect_answer(naive, 0x5000, &c, 0x5000);
  expect_unmapped(naive, 0x6000);
}

TEST(NaiveResolver, TiesGoToTheLaterAddedAndMovesReAdd) {
  ContainerRegion root("root", 0x10000);
  MmioRegion first("first", 0x1000);
  MmioRegion second("second", 0x1000);
  root.add_subregion(0x0, first);
  root.add_subregion(0x800, second);
  expect_answer(NaiveResolver(&root), 0x900, &second, 0x100);
  first.set_address(0x400);
  expect_answer(NaiveResolver(&root), 0x900, &first, 0x500);
  NaiveOptions buggy;
  buggy.bug = NaiveBug::earlier_added_wins;
  expect_answer(NaiveResolver(&root, buggy), 0x900, &second, 0x100);
}

TEST(NaiveResolver, AliasesClipToTheirTargetAndCarryReadonly) {
  ContainerRegion root("root", 0x100000);
  RamRegion ram("ram", 0x1000);
  MmioRegion below("below", 0x100000);
  AliasRegion wide("wide", ram, 0x800, 0x2000);
  wide.set_readonly(true);
  root.add_subregion_overlap(0, below, -1);
  root.add_subregion(0x4000, wide);
  const NaiveResolver naive(&root);
  expect_answer(naive, 0x4000, &ram, 0x800, true);
  expect_answer(naive, 0x47ff, &ram, 0xfff, true);
  expect_answer(naive, 0x4800, &below, 0x4800);  // beyond the target: the sibling below shows
}

TEST(NaiveResolver, MirrorsRecurseWithAShrinkingWindow) {
  ContainerRegion root("root", 0x10000);
  ContainerRegion bus("bus", 0x4000);
  RamRegion ram("ram", 0x1000);
  AliasRegion mirror("mirror", bus, 0x0, 0x3000);
  bus.add_subregion(0x0, ram);
  bus.add_subregion_overlap(0x1000, mirror, -1);
  root.add_subregion(0, bus);
  const NaiveResolver naive(&root);
  expect_answer(naive, 0x0, &ram, 0);
  expect_answer(naive, 0x1234, &ram, 0x234);
  expect_answer(naive, 0x3fff, &ram, 0xfff);
  expect_unmapped(naive, 0x4000);
}

TEST(NaiveResolver, FlatviewRootRules) {
  ContainerRegion system("system", k64BitSpace);
  RamRegion ram("ram", 0x1000);
  system.add_subregion(0x1000, ram);
  ContainerRegion bus_master("bus master container", k64BitSpace);
  AliasRegion enable("bus master", system, 0, k64BitSpace);
  enable.set_readonly(true);  // skipped as a flatview root: the flag is lost, as in QEMU
  bus_master.add_subregion(0, enable);
  EXPECT_EQ(naive_flatview_root(&bus_master), &system);
  expect_answer(NaiveResolver(&bus_master), 0x1000, &ram, 0, false);
  enable.set_enabled(false);
  EXPECT_EQ(naive_flatview_root(&bus_master), nullptr);
  expect_unmapped(NaiveResolver(&bus_master), 0x1000);
  // An AS root mapped elsewhere: its own address shifts the view.
  ContainerRegion io("io", 0x10000);
  MmioRegion pic("pic", 0x2);
  io.add_subregion(0x20, pic);
  system.add_subregion(0x80000000, io);
  expect_answer(NaiveResolver(&io), 0x80000021, &pic, 1);
  expect_unmapped(NaiveResolver(&io), 0x21);
  // The only enabled child at 0 that fits becomes the root.
  ContainerRegion holder("holder", 0x10000);
  RomDeviceRegion flash("flash", 0x1000);
  flash.set_romd(false);
  holder.add_subregion(0, flash);
  EXPECT_EQ(naive_flatview_root(&holder), &flash);
  const NaiveAnswer a = NaiveResolver(&holder).resolve(0x10);
  EXPECT_EQ(a.region, &flash);
  EXPECT_FALSE(a.romd_mode);
}

// ---------------------------------------------------------------------------
// The random maps

struct Totals {
  uint64_t maps = 0;
  uint64_t skipped = 0;
  uint64_t skipped_infinite = 0;
  uint64_t failures = 0;
  RunStats stats;
  void add(const RunResult& r) {
    ++maps;
    if (r.skipped) ++skipped;
    if (r.skipped && r.skip_infinite) ++skipped_infinite;
    if (r.failure) ++failures;
    stats.checks += r.stats.checks;
    stats.addresses += r.stats.addresses;
    stats.refused_ops += r.stats.refused_ops;
    stats.ranges += r.stats.ranges;
  }
};

// Runs `count` random maps; shrinks and reports the first few failures.
void run_random_maps(const char* what, uint64_t count, const CheckOptions& options) {
  const uint64_t only = env_number("TLMMAP_RANDOM_MAP_SEED", 0);
  const uint64_t base = base_seed();
  Totals totals;
  int reported = 0;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t n = 0; n < (only != 0 ? 1 : count); ++n) {
    const uint64_t seed = only != 0 ? only : mix_seed(base, n);
    const MapSpec spec = generate_map(seed);
    if (only != 0) std::printf("map seed %s:\n%s", hex(seed).c_str(), describe_spec(spec).c_str());
    const RunResult result = run_map(spec, options);
    totals.add(result);
    if ((only != 0 || std::getenv("TLMMAP_RANDOM_VERBOSE")) && result.skipped) {
      std::printf("map %s skipped (%s): %s\n", hex(seed).c_str(),
                  result.skip_infinite ? "recurses forever" : "not shown to recurse forever",
                  result.skip_reason.c_str());
    }
    if ((only != 0 || std::getenv("TLMMAP_RANDOM_VERBOSE")) && !result.stats.last_refusal.empty()) {
      std::printf("map %s: %zu refused, last: %s\n", hex(seed).c_str(), result.stats.refused_ops,
                  result.stats.last_refusal.c_str());
    }
    if (!result.failure) continue;
    if (reported++ >= 3) continue;
    CheckOptions shrink_options = options;
    if (result.failure->has_address) shrink_options.extra_addresses.push_back(result.failure->address);
    const ShrinkResult shrunk = shrink(spec, shrink_options, result.failure->category);
    ADD_FAILURE() << what << ": map #" << n << " of base seed " << hex(base)
                  << " (replay it alone with TLMMAP_RANDOM_MAP_SEED=" << hex(seed) << ")\n"
                  << failure_report(spec, result, shrunk, shrink_options);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "%s: %llu maps (base seed %s) in %.2f s = %.0f maps/s; %llu checks, %llu addresses compared, "
      "%llu flat ranges, %llu refused API calls, %llu maps skipped at the render limit (%llu shown to recurse "
      "forever), %llu failing\n",
      what, static_cast<unsigned long long>(totals.maps), hex(base).c_str(), seconds, totals.maps / seconds,
      static_cast<unsigned long long>(totals.stats.checks), static_cast<unsigned long long>(totals.stats.addresses),
      static_cast<unsigned long long>(totals.stats.ranges),
      static_cast<unsigned long long>(totals.stats.refused_ops), static_cast<unsigned long long>(totals.skipped),
      static_cast<unsigned long long>(totals.skipped_infinite),
      static_cast<unsigned long long>(totals.failures));
  // Skips only come from mirrors the library refuses to recurse into; most
  // maps must be compared.
  EXPECT_LE(totals.skipped * 50, totals.maps + 50) << "too many maps skipped";
}

TEST(RandomMaps, FlatViewsMatchTheNaiveResolver) {
  CheckOptions options;
  run_random_maps("flat view vs naive resolver", map_count(20000, 5000), options);
}

TEST(RandomMaps, MemmapRoundTripKeepsTheFlatViews) {
  CheckOptions options;
  options.compare_naive = false;
  options.round_trip = true;
  run_random_maps("write_memmap -> load_memmap_json round trip", map_count(6000, 1500), options);
}

// The shrinker, on a resolver with a deliberate mistake: it must find a
// disagreement and cut the map down to the few regions the mistake needs.
// Maps that fail with the correct resolver too (a real library bug) are
// passed over, and the shrinker keeps the correct resolver passing, so the
// test isolates the injected mistake whatever state the library is in.
void expect_shrinks(NaiveBug bug, std::size_t max_regions) {
  CheckOptions options;
  options.naive.bug = bug;
  const CheckOptions correct;
  const uint64_t base = 0x5eed'0000'0000'0000ULL + static_cast<uint64_t>(bug);
  for (uint64_t n = 0; n < 5000; ++n) {
    const MapSpec spec = generate_map(mix_seed(base, n));
    const RunResult result = run_map(spec, options);
    if (!result.failure || result.failure->category != "mismatch" || run_map(spec, correct).failure) continue;
    CheckOptions shrink_options = options;
    shrink_options.extra_addresses.push_back(result.failure->address);
    const ShrinkResult shrunk = shrink(spec, shrink_options, "mismatch", 6000, &correct);
    const std::string report = failure_report(spec, result, shrunk, shrink_options);
    ASSERT_TRUE(shrunk.result.failure) << report;
    EXPECT_EQ(shrunk.result.failure->category, "mismatch") << report;
    EXPECT_LE(shrunk.spec.regions.size(), max_regions) << report;
    EXPECT_LE(shrunk.spec.regions.size(), spec.regions.size()) << report;
    EXPECT_LE(shrunk.spec.ops.size(), 2 * max_regions) << report;
    EXPECT_NE(report.find("\"memmap\": 1"), std::string::npos) << report;
    EXPECT_NE(report.find("loading this document alone reproduces the disagreement: yes"), std::string::npos)
        << report;
    if (bug == NaiveBug::earlier_added_wins) std::printf("example report:\n%s", report.c_str());
    return;
  }
  FAIL() << "no random map exposed the injected bug";
}

TEST(RandomMaps, ShrinkerCutsAnInjectedTieBreakBugDownToASmallMap) {
  // A container and two overlapping regions of equal priority.
  expect_shrinks(NaiveBug::earlier_added_wins, 3);
}

TEST(RandomMaps, ShrinkerCutsAnInjectedClippingBugDownToASmallMap) {
  // A container, a target and an alias reaching beyond it.
  expect_shrinks(NaiveBug::alias_not_clipped_to_target, 3);
}

TEST(RandomMaps, ShrinkerCutsAnInjectedReadonlyBugDownToASmallMap) {
  // A container, a target and a read-only alias of it.
  expect_shrinks(NaiveBug::readonly_ignores_aliases, 3);
}

TEST(RandomMaps, GeneratorIsDeterministicAndCoversEveryFeature) {
  EXPECT_EQ(describe_spec(generate_map(42)), describe_spec(generate_map(42)));
  EXPECT_NE(describe_spec(generate_map(42)), describe_spec(generate_map(43)));
  std::map<RegionKind, int> kinds;
  int mirrors = 0, aliases_of_aliases = 0, aliases_of_containers = 0, whole_space = 0, one_byte = 0;
  int touching_top = 0, disabled = 0, readonly = 0, nonvolatile = 0, romd_off = 0, moves = 0, dels = 0;
  int retargets = 0, offsets = 0, nested_transactions = 0, checks_inside = 0, ties = 0, spaces = 0;
  for (uint64_t n = 0; n < 400; ++n) {
    const MapSpec spec = generate_map(mix_seed(1, n));
    EXPECT_GE(spec.regions.size(), 5u);
    EXPECT_LE(spec.regions.size(), 64u);
    spaces += spec.spaces.size() > 1;
    for (const RegionSpec& r : spec.regions) {
      ++kinds[r.kind];
      mirrors += r.mirror;
      whole_space += r.size == k64BitSpace;
      one_byte += r.size == 1;
      if (r.kind == RegionKind::alias && r.target >= 0) {
        aliases_of_aliases += spec.regions[r.target].kind == RegionKind::alias;
        aliases_of_containers += spec.regions[r.target].kind == RegionKind::container;
      }
    }
    int depth = 0;
    std::map<std::pair<int, int>, int> priorities;  // (container, priority) -> adds
    for (const Op& op : spec.ops) {
      switch (op.kind) {
        case OpKind::add:
          touching_top += u128(op.value) + spec.regions[op.b].size == k64BitSpace;
          ties += ++priorities[{op.a, op.priority}] == 2;
          break;
        case OpKind::del: ++dels; break;
        case OpKind::set_enabled: disabled += !op.flag; break;
        case OpKind::set_readonly: readonly += op.flag; break;
        case OpKind::set_nonvolatile: nonvolatile += op.flag; break;
        case OpKind::set_romd: romd_off += !op.flag; break;
        case OpKind::set_address: ++moves; break;
        case OpKind::set_alias_offset: ++offsets; break;
        case OpKind::set_target: ++retargets; break;
        case OpKind::begin: nested_transactions += ++depth > 1; break;
        case OpKind::commit: --depth; break;
        case OpKind::check: checks_inside += depth > 0; break;
        case OpKind::destroy:
        case OpKind::set_latency:
        case OpKind::set_ops: ADD_FAILURE() << "the generator made one of the access test's own operations"; break;
      }
    }
  }
  for (RegionKind k : {RegionKind::ram, RegionKind::rom, RegionKind::rom_device, RegionKind::mmio,
                       RegionKind::container, RegionKind::alias, RegionKind::iommu, RegionKind::reservation}) {
    EXPECT_GT(kinds[k], 20) << to_string(k);
  }
  for (int count : {mirrors, aliases_of_aliases, aliases_of_containers, whole_space, one_byte, touching_top, disabled,
                    readonly, nonvolatile, romd_off, moves, dels, retargets, offsets, nested_transactions,
                    checks_inside, ties, spaces}) {
    EXPECT_GT(count, 10);
  }
  std::printf(
      "400 maps: mirrors %d, aliases of aliases %d, aliases of containers %d, 2^64 sizes %d, 1-byte %d, "
      "touching 2^64-1 %d, disable %d, readonly %d, nonvolatile %d, romd off %d, moves %d, dels %d, "
      "retargets %d, alias offsets %d, nested transactions %d, checks inside transactions %d, ties %d, "
      "maps with several address spaces %d\n",
      mirrors, aliases_of_aliases, aliases_of_containers, whole_space, one_byte, touching_top, disabled, readonly,
      nonvolatile, romd_off, moves, dels, retargets, offsets, nested_transactions, checks_inside, ties, spaces);
}

}  // namespace
}  // namespace tlmmap::test
