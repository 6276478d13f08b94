// What the model decides for the accesses of one direction through one flat
// range. Faces (the TLM target, a CPU model on its own thread) cache it and
// take the short way it allows; anything else goes through the model's access
// path (AddressSpace::access()), which makes the same decision for every
// access it performs. A route is valid as long as the flat view that holds
// the range: a change to anything it depends on (the view, latency, ops,
// readonly, romd mode) publishes a new view.
#pragma once

#include <cstdint>

#include "tlmmap/core/device_port.hpp"
#include "tlmmap/core/dirty_memory.hpp"
#include "tlmmap/core/duration.hpp"

namespace tlmmap {

enum class RouteKind : uint8_t {
  // Bytes move to or from host memory at `host` (the range's first byte);
  // nothing else happens. Also what a DMI grant may expose.
  memory,
  // The access goes whole to `device`, at the range's offset within region,
  // unless it carries the `memory` attribute (refused for every device).
  device,
  // The model performs it (callbacks, refusals with their reports, ...).
  model,
};

struct Route {
  RouteKind kind = RouteKind::model;
  uint8_t* host = nullptr;
  DevicePort* device = nullptr;
  // The region's latency, added once per access it answers.
  Duration latency{};
  // A memory route for writes where dirty-memory clients log: whoever
  // writes through `host` tells `dirty` what it wrote (written()).
  DirtyBitmaps* dirty = nullptr;
  uint8_t dirty_mask = 0;
  uint64_t region_offset = 0;  // the offset in the region of host[0]

  // `length` bytes at host + offset were written.
  void written(uint64_t offset, uint64_t length) const noexcept {
    if (dirty_mask != 0) dirty->mark(region_offset + offset, length, dirty_mask);
  }
};

}  // namespace tlmmap
