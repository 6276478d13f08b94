// An RTL peripheral in the machine: the APB4 timer block of
// tests/rtl/apb_timer.sv, verilated, behind a TlmToApb bridge that is bound
// into the map as a TlmDeviceRegion at 0x10020000 (4 KiB, free on QEMU's
// virt), its interrupt on PLIC source 14 (12 and 13 are the IOMMU and the DMA engine).
//
// The block has a clock of its own, an always-on sc_clock of 32.768 kHz:
// every clock costs the simulation a verilated evaluation (an idle bridge
// costs nothing), and at 1 MHz the clock alone added about 15% to the host
// time of the U-Boot demo (0.45 s against 0.39 s); at 32.768 kHz it is
// lost in the noise. A
// power-on reset of 4 clocks; an access arriving during it waits for its
// end. An APB access takes 3 clocks (about 92 us of simulated time, which
// the CPU waits out).
//
// Device tree: /soc/apb-timer@10020000, compatible "tlmmap,apb-timer-1.0",
// reg, interrupts = <14> on the PLIC, clock-frequency = <32768>. The
// registers (offsets, bits) are those of tests/rtl/apb_timer.sv; docs/rtl.md
// documents the binding.
#include <memory>

// Verilator's headers are not warning-free under -Wextra.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vapb_timer.h"
#pragma GCC diagnostic pop
#include "tlmmap/adapters.hpp"
#include "tlmmap/devices/irq_line.hpp"
#include "tlmmap/tlm/tlm_device_region.hpp"
#include "virt_device.hpp"

namespace {

constexpr uint64_t kBase = 0x10020000;
constexpr uint64_t kSize = 0x1000;
constexpr unsigned kIrq = 14;
constexpr unsigned kClockHz = 32768;

// The block, its clock and reset, the bridge and the wires between them.
struct RtlTimerBlock : sc_core::sc_module {
  sc_core::sc_clock clk{"clk", sc_core::sc_time(1e9 / kClockHz, sc_core::SC_NS)};  // 30.517578 us
  sc_core::sc_signal<bool> rstn{"rstn", false};
  tlmmap::adapters::Apb4Signals<32, 12> wires;
  tlmmap::adapters::TlmToApb<32, 12> bridge{"bridge"};
  Vapb_timer rtl{"rtl"};

  SC_HAS_PROCESS(RtlTimerBlock);
  RtlTimerBlock(sc_core::sc_module_name name, tlmmap::IrqLine& irq) : sc_core::sc_module(name) {
    bridge.clk(clk);
    bridge.rst(rstn);
    bridge.connect(wires);
    rtl.clk(clk);
    rtl.rstn(rstn);
    rtl.irq(irq);
    TLMMAP_BIND_APB4(rtl, , wires);
    SC_THREAD(power_on_reset);
  }
  ~RtlTimerBlock() override { rtl.final(); }

  void power_on_reset() {
    for (int i = 0; i < 4; ++i) wait(clk.posedge_event());
    rstn = true;
  }
};

struct ApbTimer : tlmmap::virt::VirtDevice {
  RtlTimerBlock block;
  tlmmap::TlmDeviceRegion<32>& region;

  explicit ApbTimer(tlmmap::virt::VirtContext& machine)
      : block("apb_timer", machine.irq(kIrq)),
        region(machine.map().make<tlmmap::TlmDeviceRegion<32>>("apb_timer", "apb-timer", kSize)) {
    region.socket.bind(block.bridge.target_socket);
    machine.system().add_subregion(kBase, region);
  }

  void describe(tlmmap::virt::VirtTree& tree) const override {
    const std::string node = tree.soc_node("apb-timer", region);
    tree.dt.set_string(node, "compatible", "tlmmap,apb-timer-1.0");
    tree.dt.set_u32(node, "clock-frequency", kClockHz);
    tree.interrupts(node, kIrq);
  }
};

}  // namespace

TLMMAP_VIRT_DEVICE(apb_timer) { return std::make_unique<ApbTimer>(machine); }
