// The CFI flash at the map's "flash0" region (0x20000000, 32 MiB; QEMU's
// first bank: two x16 chips on a 32-bit bank, 256 KiB blocks, Intel
// 0x89/0x18), backed by --flash's image file (shared: what the guest
// programs stays in it; missing: made, erased). Without --flash it starts
// erased and is forgotten at exit. QEMU's node, for the one bank modelled:
// /flash@20000000, "cfi-flash", bank-width 4.
#include "tlmmap/devices/cfi_flash.hpp"
#include "virt_device.hpp"
#include "virt_machine.hpp"

namespace {

struct Flash : tlmmap::virt::VirtDevice {
  tlmmap::RomDeviceRegion& region;
  tlmmap::CfiFlash flash;

  static tlmmap::CfiFlashConfig config_of(tlmmap::virt::VirtContext& machine) {
    tlmmap::CfiFlashConfig config;
    config.file = machine.config().flash;
    return config;
  }
  explicit Flash(tlmmap::virt::VirtContext& machine)
      : region(machine.region<tlmmap::RomDeviceRegion>("flash0")), flash(region, config_of(machine)) {}

  void describe(tlmmap::virt::VirtTree& tree) const override {
    const std::string node = "/flash@" + tlmmap::virt::unit_address(region.address());
    tree.dt.add_node(node);
    tree.dt.set_reg(node, {{region.address(), static_cast<uint64_t>(region.size())}});
    tree.dt.set_string(node, "compatible", "cfi-flash");
    tree.dt.set_u32(node, "bank-width", flash.config().bank_width);
  }
};

}  // namespace

TLMMAP_VIRT_DEVICE(flash) { return std::make_unique<Flash>(machine); }
