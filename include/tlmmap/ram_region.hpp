// RAM: host memory read and written directly.
#pragma once

#include "tlmmap/host_memory.hpp"
#include "tlmmap/region.hpp"

namespace tlmmap {

class RamRegion : public Region {
 public:
  // Size 1..2^64; the host memory is reserved on first use.
  RamRegion(std::string name, u128 size);
  // Backed by caller-owned memory of `size` bytes (QEMU's init_ram_ptr).
  RamRegion(std::string name, u128 size, uint8_t* host);

  HostMemory& memory() noexcept { return memory_; }
  // The backing memory (reserved on the first call); nullptr if it cannot be.
  uint8_t* host_ptr() { return memory_.data(name().c_str()); }

 protected:
  RamRegion(std::string name, RegionKind kind, u128 size);

 private:
  HostMemory memory_;
};

}  // namespace tlmmap
