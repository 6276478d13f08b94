// ROM device: in romd mode reads come straight from host memory and writes
// go to the device callbacks; out of romd mode both go to the callbacks (a
// flash in command mode).
#pragma once

#include "tlmmap/host_memory.hpp"
#include "tlmmap/mmio_region.hpp"

namespace tlmmap {

class RomDeviceRegion : public MmioRegion {
 public:
  RomDeviceRegion(std::string name, u128 size, MmioOps ops = {});

  // QEMU's memory_region_rom_device_set_romd().
  void set_romd(bool romd) { set_romd_mode(romd); }
  bool romd() const noexcept { return romd_mode(); }

  HostMemory& memory() noexcept { return memory_; }
  uint8_t* host_ptr() { return memory_.data(name().c_str()); }

 private:
  HostMemory memory_;
};

}  // namespace tlmmap
