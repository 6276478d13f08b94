// RAM: host memory read and written directly.
#pragma once

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
