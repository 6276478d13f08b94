// A deliberately naive, independent resolver: the oracle of the randomized
// differential test of the flat-view renderer (tests/random_map_test.cpp).
//
// It answers one address at a time by walking the region tree the way QEMU's
// memory API documentation describes the search ("The memory core uses the
// following rules to select a memory region") together with the details of
// softmmu/memory.c (render_memory_region, memory_region_get_flatview_root)
// recorded in tests/qemu-cases/FORMAT.md section 4:
//
//  * the address space renders from QEMU's flatview root: follow an enabled
//    alias with offset 0 that covers its whole target, and a container's
//    only enabled subregion when it sits at offset 0 and fits; a disabled
//    root or a container with nothing enabled maps nothing. The root's own
//    address is added (an AS root mapped elsewhere shifts its view), and the
//    readonly/nonvolatile flags of the regions skipped this way are lost;
//  * subregions are tried in render order (Region::subregions(): descending
//    priority, the later-added first among equals); an address outside a
//    subregion's [address, address + size) is skipped; a disabled region is
//    skipped with everything under it;
//  * a container or alias whose search finds nothing lets the next sibling
//    be tried;
//  * an alias continues at (address - alias start + alias offset) inside its
//    target, clipped to the target's size; the target's own address does not
//    matter;
//  * a terminating region (every kind but container and alias) searches its
//    own subregions first and answers itself where none matches;
//  * readonly and nonvolatile are OR-ed along the path; romd mode is the
//    terminal region's.
//
// It shares no code with the library's renderer or flat views: only the
// public accessors of Region are used.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/region.hpp"

namespace tlmmap::test {

struct NaiveAnswer {
  enum class Status { unmapped, mapped, too_deep };
  Status status = Status::unmapped;
  const Region* region = nullptr;  // the terminal region
  uint64_t offset = 0;             // offset of the address inside it
  bool readonly = false;
  bool romd_mode = true;
  bool nonvolatile = false;

  bool mapped() const noexcept { return status == Status::mapped; }
};

// "unmapped", "too deep", or "'ram3' @0x10 ro !romd nv".
std::string describe(const NaiveAnswer& answer);

// Deliberate mistakes, used only to test the shrinker of the random test.
enum class NaiveBug {
  none,
  earlier_added_wins,           // ties between equal priorities go the wrong way
  alias_not_clipped_to_target,  // an alias shows beyond its target's end
  readonly_ignores_aliases,     // an alias's readonly flag is forgotten
};

struct NaiveOptions {
  // Regions on one search path (root included) before the search gives up
  // with Status::too_deep. The library stops a render at 256 levels.
  int max_depth = 512;
  NaiveBug bug = NaiveBug::none;
};

// QEMU's memory_region_get_flatview_root(), written from its description.
const Region* naive_flatview_root(const Region* root);

// Resolves addresses of the address space whose root is `as_root` in the
// map's current state (never the state of a flat view). Build a new resolver
// after changing the map: it caches subregion lists.
class NaiveResolver {
 public:
  explicit NaiveResolver(const Region* as_root, NaiveOptions options = {});
  explicit NaiveResolver(const AddressSpace& space, NaiveOptions options = {})
      : NaiveResolver(space.root(), options) {}

  const Region* flatview_root() const noexcept { return root_; }
  NaiveAnswer resolve(uint64_t address) const;

 private:
  // Searches `r` (enabled) for the byte at `offset` (< r->size()) inside it.
  bool search(const Region* r, u128 offset, bool readonly, bool nonvolatile, int depth,
              NaiveAnswer& out) const;
  const std::vector<Region*>& children(const Region* r) const;

  const Region* root_;
  NaiveOptions options_;
  mutable bool too_deep_ = false;
  mutable std::unordered_map<const Region*, std::vector<Region*>> children_;
};

}  // namespace tlmmap::test
