// A simple framebuffer (not on QEMU's virt): 640x480 x8r8g8b8 RAM at
// 0x4000000, in QEMU virt's platform-bus window (nothing else there), made
// here since the map file follows QEMU's view. Refreshed every 10 ms of
// simulated time; the PNG bands go to --framebuffer-dir (none without it).
// Its node is Linux's simple-framebuffer binding, under /chosen as firmware
// puts one.
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/devices/simple_framebuffer.hpp"
#include "virt_device.hpp"
#include "virt_machine.hpp"

namespace {

constexpr uint64_t kBase = 0x4000000;

struct Framebuffer : tlmmap::virt::VirtDevice {
  tlmmap::SimpleFramebuffer fb;

  static tlmmap::SimpleFramebufferConfig config_of(tlmmap::virt::VirtContext& machine) {
    tlmmap::SimpleFramebufferConfig config;
    config.output_dir = machine.config().framebuffer_dir;
    return config;
  }
  explicit Framebuffer(tlmmap::virt::VirtContext& machine) : fb("framebuffer", config_of(machine)) {
    machine.system().add_subregion(kBase, fb.memory());
  }

  void describe(tlmmap::virt::VirtTree& tree) const override {
    const std::string node = "/chosen/framebuffer@" + tlmmap::virt::unit_address(kBase);
    const auto& c = fb.config();
    // The binding's /chosen carries the root's cells and an identity ranges.
    tree.dt.set_u32("/chosen", "#address-cells", 2);
    tree.dt.set_u32("/chosen", "#size-cells", 2);
    tree.dt.set_empty("/chosen", "ranges");
    tree.dt.add_node(node);
    tree.dt.set_reg(node, {{kBase, uint64_t(fb.stride()) * c.height}});
    tree.dt.set_string(node, "compatible", "simple-framebuffer");
    tree.dt.set_u32(node, "width", c.width);
    tree.dt.set_u32(node, "height", c.height);
    tree.dt.set_u32(node, "stride", fb.stride());
    tree.dt.set_string(node, "format", c.format);
  }
};

}  // namespace

TLMMAP_VIRT_DEVICE(framebuffer) { return std::make_unique<Framebuffer>(machine); }
