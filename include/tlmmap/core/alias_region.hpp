// An alias: a window of `size` bytes onto another region, starting at
// `offset` inside it. The target may be another alias, never in a cycle, and
// may be a container that holds the alias itself (a mirror) as long as the
// mirror shifts the window (a zero-shift mirror would recurse forever and is
// refused).
#pragma once

#include "tlmmap/core/region.hpp"

namespace tlmmap {

class AliasRegion : public Region {
 public:
  AliasRegion(std::string name, Region& target, uint64_t offset, u128 size);
  // An alias whose target is set later with set_target() (renders nothing
  // until then); lets a loader create regions before their targets.
  AliasRegion(std::string name, u128 size);

  // Refused for a cycle of aliases (named in the message) and a zero-shift
  // mirror.
  void set_target(Region& target, uint64_t offset);
  // QEMU's memory_region_set_alias_offset().
  void set_alias_offset(uint64_t offset);
};

}  // namespace tlmmap
