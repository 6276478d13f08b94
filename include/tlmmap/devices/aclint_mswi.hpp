// The ACLINT MSWI device (the software-interrupt half of SiFive's CLINT):
// one 32-bit MSIP register per hart at offset 4 * hart; bit 0 drives the
// hart's machine software interrupt, the other bits read as zero.
//
//   tlmmap::AclintMswi mswi{"mswi", 1};
//   region.set_ops(mswi.ops());       // QEMU virt: 0x2000000, 0x4000 bytes
//   mswi.msip[0].bind(msip_line);
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "tlmmap/core/mmio_ops.hpp"
#include "tlmmap/devices/device_state.hpp"

namespace tlmmap {

class AclintMswi : public sc_core::sc_module {
 public:
  sc_core::sc_vector<sc_core::sc_out<bool>> msip;

  AclintMswi(sc_core::sc_module_name name, unsigned harts);

  // 4-byte accesses only; registers past the last hart read 0, writes ignored.
  MmioOps ops();
  // Machine reset: every MSIP cleared.
  void reset();
  // Checkpoints: the registers under `prefix` (device_state.hpp).
  void save_state(DeviceState& state, const std::string& prefix) const;
  void restore_state(const DeviceState& state, const std::string& prefix);

 private:
  std::vector<uint32_t> msip_;
};

}  // namespace tlmmap
