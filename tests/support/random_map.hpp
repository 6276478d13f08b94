// Random memory maps for the differential test of the flat-view renderer
// (tests/random_map_test.cpp): a seeded generator, a runner that builds a map
// through the public API and checks every address space's flat view against
// the naive resolver (support/naive_resolver.hpp), and a shrinker that cuts a
// failing map down to a minimal one.
//
// A map is described by a MapSpec: the regions (made in list order, so an
// alias's target comes before it), the address spaces, and a list of
// operations (add/del subregion, moves, flags, transactions, checks) replayed
// in order. Replaying a spec is deterministic, so a failing spec can be
// shrunk by removing regions and operations and replaying.
//
// What the runner checks (Failure::category):
//  * at every check outside a transaction, for every address space:
//    "structure"  ranges sorted, disjoint, of terminating regions, and no two
//                 neighbours that QEMU's flatview_simplify() would merge;
//    "root"       FlatView::root() is QEMU's flatview root;
//    "lookup"     AddressSpace::lookup() finds the range an independent
//                 binary search finds;
//    "mismatch"   the range (region, offset, readonly, romd, nonvolatile)
//                 equals the naive resolver's answer at every range edge and
//                 every region window edge (both sides, +-1) and at random
//                 addresses;
//    "sharing"    address spaces with one flatview root share one FlatView;
//    "changed-ranges"  changed_ranges() between this check and the previous
//                 one equals an independent computation;
//    "order"      subregions() is QEMU's order (priority, then later-added
//                 first; a real move re-adds) per the runner's own record;
//  * "stale-view": inside a transaction every view stays what it was at the
//    outermost begin;
//  * around every change: "accepted-bad-call" (a call the structural rules
//    forbid was accepted), "refusal-changed-map" (a refused call changed
//    something), "accepted-zero-shift" (an accepted call left a mirror that
//    shows its container at zero shift);
//  * with CheckOptions::round_trip, at the end: "round-trip" (write_memmap ->
//    load_memmap_json gives the same flat views, compared by region name,
//    offset and flags) and "round-trip-text" (writing the loaded map again
//    gives the same document).
// A render the library stops at its documented depth limit (reported as
// "tlmmap/render") makes the map skipped, not failed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/naive_resolver.hpp"
#include "tlmmap/core/region_kind.hpp"
#include "tlmmap/core/types.hpp"

namespace tlmmap {
class MemoryMap;
class Region;
}  // namespace tlmmap

namespace tlmmap::test {

struct RegionSpec {
  RegionKind kind = RegionKind::mmio;
  u128 size = 0;
  int target = -1;  // alias: index of the target (made before the alias)
  uint64_t alias_offset = 0;
  bool mirror = false;  // generator bookkeeping: an alias showing an ancestor container
  // Free for the user of a spec (the generator leaves it 0, the runner
  // ignores it, the shrinker keeps it with its region): e.g. the key of a
  // device configuration that must follow the region when others go.
  uint64_t tag = 0;
};

enum class OpKind : uint8_t {
  add,               // regions[a].add_subregion[_overlap](value, regions[b], priority)
  del,               // regions[a].del_subregion(regions[b])
  set_enabled,       // regions[a].set_enabled(flag)
  set_address,       // regions[a].set_address(value)
  set_alias_offset,  // regions[a].set_alias_offset(value)
  set_target,        // regions[a].set_target(regions[b], value)
  set_readonly,      // regions[a].set_readonly(flag)
  set_nonvolatile,   // regions[a].set_nonvolatile(flag)
  set_romd,          // regions[a].set_romd(flag)
  begin,             // transaction_begin()
  commit,            // transaction_commit()
  check,             // outside a transaction: full check; inside: the old view stays
  // Made by the randomized access test only (the generator never emits them,
  // apply_spec_op() leaves them to the caller):
  destroy,           // regions[a] is destroyed (its owner lets it go)
  set_latency,       // regions[a].set_latency(value & 0xff ns, (value >> 8) & 0xff ns)
  set_ops,           // regions[a].set_ops(ops made from `value`)
};

struct Op {
  OpKind kind = OpKind::check;
  int a = -1;
  int b = -1;
  uint64_t value = 0;
  int priority = 0;
  bool flag = false;  // add: the overlap variant; set_*: the new value
};

struct MapSpec {
  uint64_t seed = 0;
  std::vector<RegionSpec> regions;
  std::vector<int> spaces;  // root region index of each address space
  std::vector<Op> ops;
};

// The region's name in the built map: kind and index ("mmio3", "alias7").
std::string region_name(const MapSpec& spec, int index);
// One line of C++-like text per operation.
std::string describe_op(const MapSpec& spec, const Op& op);
std::string describe_spec(const MapSpec& spec);

// Region `i` of `spec`, made in `map` without callbacks; `made` holds the
// regions made before it (an alias's target, when it precedes the alias).
Region& make_spec_region(MemoryMap& map, const MapSpec& spec, int i, const std::vector<Region*>& made,
                         const std::string& name_prefix = "");
// The same region owned by the caller (who may destroy it at any time).
std::unique_ptr<Region> new_spec_region(const MapSpec& spec, int i, const std::vector<Region*>& made,
                                        const std::string& name_prefix = "");
// Applies a map-changing `op` to `regions` (indexed as in the spec); false when
// the operation does not apply (missing or destroyed (nullptr) region, or the
// wrong kind for it).
// begin/commit are left to the caller. Refusals by the API are sc_reports.
bool apply_spec_op(const std::vector<Region*>& regions, const Op& op);

struct GeneratorOptions {
  int min_regions = 5;
  int max_regions = 60;
  int max_mutation_episodes = 10;
};

MapSpec generate_map(uint64_t seed, const GeneratorOptions& options = {});

struct CheckOptions {
  NaiveOptions naive;
  bool compare_naive = true;  // full checks compare flat views with the naive resolver
  bool round_trip = false;    // at the end: write_memmap -> load -> same flat views
  int random_addresses = 24;  // per address space and check
  std::vector<uint64_t> extra_addresses;  // always checked (the shrinker keeps the failing one)
  bool capture_json = false;  // on failure, keep write_memmap() of the map at that moment
};

struct Failure {
  std::string category;  // "mismatch", "structure", "lookup", "root", "sharing", "stale-view",
                         // "changed-ranges", "naive-too-deep", "round-trip", "round-trip-text",
                         // "accepted-bad-call", "refusal-changed-map", "accepted-zero-shift", "order",
                         // "exception"
  std::string message;
  std::size_t op_index = 0;  // the failing check is ops[op_index] (ops.size(): the final check)
  int space = -1;
  bool has_address = false;
  uint64_t address = 0;
  std::string view_answer;
  std::string naive_answer;
  std::string memmap_json;  // with CheckOptions::capture_json
};

struct RunStats {
  std::size_t checks = 0;
  std::size_t addresses = 0;
  std::size_t refused_ops = 0;
  std::size_t ranges = 0;
  std::string last_refusal;  // the message of the last refused API call
};

struct RunResult {
  // The library stopped a render at its documented limits (a mirror that
  // recurses too deep, a cycle of mirrors with no net shift); it reported
  // that, and there is nothing to compare.
  bool skipped = false;
  std::string skip_reason;
  // For a skip: the naive search, at addresses from the one the library
  // names, finds no end within 4000 levels (a cycle of mirrors with no net
  // shift, which QEMU would recurse into forever too). False means only that
  // this was not shown.
  bool skip_infinite = false;
  std::optional<Failure> failure;
  RunStats stats;
};

// Builds the map of `spec` through the public API, replays its operations
// and checks. API refusals (SC_REPORT_ERROR of "tlmmap/region") are counted
// and skipped. Leaves no transaction open and destroys the map.
RunResult run_map(const MapSpec& spec, const CheckOptions& options);

struct ShrinkResult {
  MapSpec spec;
  RunResult result;  // of the shrunk spec, with the JSON captured
  int runs = 0;
};

// Delta debugging: removes regions, operations, address spaces and
// simplifies sizes, offsets and priorities while run_map() still fails with
// the same category. `failing` must fail with `category`. With `must_pass`,
// a smaller map is kept only if it passes with those options too (used to
// isolate a mistake injected into the resolver from real library bugs).
ShrinkResult shrink(const MapSpec& failing, const CheckOptions& options, const std::string& category,
                    int max_runs = 6000, const CheckOptions* must_pass = nullptr);

// The same delta debugging with the caller's own test: `still_fails` is
// asked about every candidate and must say whether it fails the way the
// original did. Returns the smallest failing spec found; `runs` (if given)
// gets the number of candidates tried.
MapSpec shrink_spec(const MapSpec& failing, const std::function<bool(const MapSpec&)>& still_fails,
                    int max_runs = 6000, int* runs = nullptr);

// The report printed for a failure: seed, the minimal map as a memmap JSON
// document, its operations, the address and both answers.
std::string failure_report(const MapSpec& original, const RunResult& original_result,
                           const ShrinkResult& shrunk, const CheckOptions& options);

// splitmix64: seeds of the n-th map of a run.
uint64_t mix_seed(uint64_t base, uint64_t n);

}  // namespace tlmmap::test
