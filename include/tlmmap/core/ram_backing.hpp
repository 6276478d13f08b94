// Where the host memory of a RAM or ROM comes from, besides anonymous
// memory reserved on first use and caller-owned memory.
#pragma once

#include <functional>
#include <string>

#include "tlmmap/core/types.hpp"

namespace tlmmap {

class RamRegion;

// RAM from a file (QEMU's memory_region_init_ram_from_file()). Shared: the
// file is mapped, made or grown to the region's size, and writes reach it,
// so another process mapping it, or a later run, sees them. Private: the
// file's content (a firmware image, say; it may be shorter, or read-only)
// is the starting point, and writes stay in this process.
struct RamFile {
  std::string path;
  bool shared = true;
};

// RAM whose used length can change up to a maximum (QEMU's
// memory_region_init_resizeable_ram()): the region's size is the used
// length, host memory is reserved for the maximum, and flat views and DMI
// follow every resize.
struct ResizeableRam {
  u128 used = 0;
  u128 max = 0;
  // Called after each resize, with the new used length.
  std::function<void(RamRegion&, u128 used)> resized;
};

}  // namespace tlmmap
