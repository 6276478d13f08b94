// The goldfish RTC at the map's "rtc" region, PLIC source 11 (QEMU virt's
// RTC_IRQ), with QEMU's node (compatible "google,goldfish-rtc", reg a page
// as QEMU's tree; the region is the 0x24 bytes of registers). Its time starts
// at the host's wall clock and runs with simulated time.
#include "tlmmap/devices/goldfish_rtc.hpp"
#include "virt_device.hpp"

namespace {

constexpr unsigned kIrq = 11;
// QEMU's node spans a page; the registers take 0x24 bytes of it.
constexpr uint64_t kTreeSize = 0x1000;

struct Rtc : tlmmap::virt::VirtDevice {
  tlmmap::GoldfishRtc rtc{"rtc"};
  tlmmap::MmioRegion& region;

  explicit Rtc(tlmmap::virt::VirtContext& machine) : region(machine.region<tlmmap::MmioRegion>("rtc")) {
    region.set_ops(rtc.registers().ops());
    rtc.irq.bind(machine.irq(kIrq));
  }

  void describe(tlmmap::virt::VirtTree& tree) const override {
    const std::string node = tree.soc_node("rtc", region, {"google,goldfish-rtc"}, kTreeSize);
    tree.interrupts(node, kIrq);
  }
};

}  // namespace

TLMMAP_VIRT_DEVICE(rtc) { return std::make_unique<Rtc>(machine); }
