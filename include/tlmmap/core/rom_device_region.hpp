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

  // QEMU's memory_region_rom_device_set_romd().
  void set_romd(bool romd);
  bool romd() const noexcept { return romd_mode(); }

  // The backing memory (reserved on the first call), nullptr if it cannot be.
  uint8_t* host_ptr();

  // Its memory becomes the file's (ram_backing.hpp: shared, the file is
  // mapped, made or grown to the region's size, and writes reach it;
  // private, its content is copied in), at the same host address: pointers
  // and DMI grants already given stay valid and see the file. For a device
  // whose backend is chosen after its region is made, as QEMU's flash gets
  // its block device (a region loaded from a memmap file, say). Call it
  // while no access runs. False, reported naming the region, if the file
  // cannot be used.
  bool back_with_file(const RamFile& file);
};

}  // namespace tlmmap
