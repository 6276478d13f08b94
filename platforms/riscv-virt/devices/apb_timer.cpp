// An RTL peripheral in the machine: the APB4 timer block of
// tests/rtl/apb_timer.sv, verilated, behind a TlmToApb bridge that is bound
// into the map as a TlmDeviceRegion at 0x10020000 (4 KiB, free on QEMU's
// virt), its interrupt on PLIC source 14 (12 and 13 are the IOMMU and the DMA engine).
//
// The block (devices/rtl_timer_block.hpp) has a gated clock of its own,
// 32.768 kHz. An APB access takes 3 clocks (about 92 us of simulated time,
// which the CPU waits out).
//
// Device tree: /soc/apb-timer@10020000, compatible "tlmmap,apb-timer-1.0",
// reg, interrupts = <14> on the PLIC, clock-frequency = <32768>. The
// registers (offsets, bits) are those of tests/rtl/apb_timer.sv; docs/rtl.md
// documents the binding.
#include <memory>

#include "devices/rtl_timer_block.hpp"
#include "tlmmap/tlm/tlm_device_region.hpp"
#include "virt_device.hpp"

namespace {

constexpr uint64_t kBase = 0x10020000;
constexpr uint64_t kSize = 0x1000;
constexpr unsigned kIrq = 14;

struct ApbTimer : tlmmap::virt::VirtDevice {
  tlmmap::virt::RtlTimerBlock block;
  tlmmap::TlmDeviceRegion<32>& region;

  explicit ApbTimer(tlmmap::virt::VirtContext& machine)
      : block("apb_timer", machine.irq(kIrq)),
        region(machine.map().make<tlmmap::TlmDeviceRegion<32>>("apb_timer", "apb-timer", kSize)) {
    region.socket.bind(block.socket);
    machine.system().add_subregion(kBase, region);
  }

  void describe(tlmmap::virt::VirtTree& tree) const override {
    const std::string node = tree.soc_node("apb-timer", region);
    tree.dt.set_string(node, "compatible", "tlmmap,apb-timer-1.0");
    tree.dt.set_u32(node, "clock-frequency", tlmmap::virt::RtlTimerBlock::kClockHz);
    tree.interrupts(node, kIrq);
  }
};

}  // namespace

TLMMAP_VIRT_DEVICE(apb_timer) { return std::make_unique<ApbTimer>(machine); }
