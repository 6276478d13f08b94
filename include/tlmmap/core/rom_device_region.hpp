// ROM device: in romd mode reads come straight from host memory and writes
// go to the device callbacks; out of romd mode both go to the callbacks (a
// flash in command mode).
#pragma once

#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_backing.hpp"

namespace tlmmap {

class RomDeviceRegion : public MmioRegion {
 public:
  RomDeviceRegion(std::string name, u128 size, MmioOps ops = {});
  // Its memory from a file (ram_backing.hpp), as RamRegion's: a flash whose
  // content lives in an image file (shared: writes reach the file).
  RomDeviceRegion(std::string name, u128 size, MmioOps ops, const RamFile& file);

  // QEMU's memory_region_rom_device_set_romd().
  void set_romd(bool romd);
  bool romd() const noexcept { return romd_mode(); }

  // The backing memory (reserved on the first call), nullptr if it cannot be.
  uint8_t* host_ptr();
};

}  // namespace tlmmap
