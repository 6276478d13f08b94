// RAM: host memory read and written directly.
#pragma once

#include "tlmmap/core/ram_backing.hpp"
#include "tlmmap/core/region.hpp"

namespace tlmmap {

class RamRegion : public Region {
 public:
  // Size 1..2^64; host memory is reserved on first use and committed by the
  // OS page by page as it is touched, so maps of many GiB cost nothing until used.
  RamRegion(std::string name, u128 size);
  // Backed by caller-owned memory of `size` bytes (QEMU's init_ram_ptr);
  // it must outlive every use of the region (see region.hpp: lifetime).
  RamRegion(std::string name, u128 size, uint8_t* host);
  // Mapped from a file (ram_backing.hpp); a file that cannot be mapped is reported.
  RamRegion(std::string name, u128 size, const RamFile& file);
  // Resizeable: its size is the used length (ram_backing.hpp).
  RamRegion(std::string name, const ResizeableRam& resizeable);

  // QEMU's memory_region_ram_resize(): a resizeable RAM's new used length,
  // up to its maximum (refused beyond, or on a RAM that is not resizeable).
  // A map change; then the `resized` callback runs.
  void resize(u128 used);
  // The most it may grow to (its size, unless resizeable).
  u128 max_size() const noexcept;

  // The backing memory (reserved on the first call); nullptr if the host
  // cannot reserve it (reported).
  uint8_t* host_ptr();
  // Whether host memory has been reserved yet (building and printing a map
  // reserves none).
  bool memory_reserved() const noexcept;

 protected:
  explicit RamRegion(std::unique_ptr<detail::RegionNode> node);
};

}  // namespace tlmmap
