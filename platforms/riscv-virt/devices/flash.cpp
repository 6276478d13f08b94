// QEMU virt's two CFI flash banks, at the map's "flash0" (0x20000000) and
// "flash1" (0x22000000) regions, 32 MiB each (two x16 chips on a 32-bit
// bank, 256 KiB blocks, Intel 0x89/0x18). Bank 0 is backed by --flash's
// image file (shared: what the guest programs stays in it; missing: made,
// erased); bank 1, like bank 0 without --flash, starts erased and is
// forgotten at exit. QEMU's node: /flash@20000000, "cfi-flash", bank-width
// 4, one reg entry per bank.
#include <array>

#include "tlmmap/devices/cfi_flash.hpp"
#include "virt_device.hpp"
#include "virt_machine.hpp"

namespace {

struct Flash : tlmmap::virt::VirtDevice {
  std::array<tlmmap::RomDeviceRegion*, 2> regions;
  tlmmap::CfiFlash bank0, bank1;

  static tlmmap::CfiFlashConfig config_of(const std::string& file) {
    tlmmap::CfiFlashConfig config;
    config.file = file;
    return config;
  }
  explicit Flash(tlmmap::virt::VirtContext& machine)
      : regions{&machine.region<tlmmap::RomDeviceRegion>("flash0"), &machine.region<tlmmap::RomDeviceRegion>("flash1")},
        bank0(*regions[0], config_of(machine.config().flash)),
        bank1(*regions[1], config_of("")) {}

  void reset() override {
    bank0.reset();
    bank1.reset();
  }

  // The banks' command states (a program or erase sequence, a query mode);
  // their arrays are memory, in the core checkpoint.
  void save_state(tlmmap::DeviceState& state) const override {
    bank0.save_state(state, "flash0.");
    bank1.save_state(state, "flash1.");
  }
  void restore_state(const tlmmap::DeviceState& state) override {
    bank0.restore_state(state, "flash0.");
    bank1.restore_state(state, "flash1.");
  }

  void describe(tlmmap::virt::VirtTree& tree) const override {
    const std::string node = "/flash@" + tlmmap::virt::unit_address(regions[0]->address());
    tree.dt.add_node(node);
    tree.dt.set_string(node, "compatible", "cfi-flash");
    tree.dt.set_reg(node, {{regions[0]->address(), static_cast<uint64_t>(regions[0]->size())},
                           {regions[1]->address(), static_cast<uint64_t>(regions[1]->size())}});
    tree.dt.set_u32(node, "bank-width", bank0.config().bank_width);
  }
};

}  // namespace

TLMMAP_VIRT_DEVICE(flash) { return std::make_unique<Flash>(machine); }
