// The riscv-virt machine's extension point: a device joins the machine with
// ONE new file, platforms/riscv-virt/devices/<name>.cpp, and ONE line,
// `<name>` in the TLMMAP_VIRT_DEVICES list of platforms/riscv-virt/CMakeLists.txt.
//
// The file defines the device's factory with TLMMAP_VIRT_DEVICE(<name>). It
// runs while the machine is elaborated, after the map is loaded and the
// PLIC, the CLINT and the CPU exist, in list order. Through `machine` (a
// VirtContext) it finds or makes its regions, takes its PLIC source lines,
// and returns a VirtDevice that owns its models and writes its device-tree
// node:
//
//   // platforms/riscv-virt/devices/rtc.cpp
//   #include "tlmmap/devices/goldfish_rtc.hpp"
//   #include "virt_device.hpp"
//   namespace {
//   struct Rtc : tlmmap::virt::VirtDevice {
//     tlmmap::GoldfishRtc rtc{"rtc"};                   // child of the machine module
//     tlmmap::MmioRegion& region;
//     explicit Rtc(tlmmap::virt::VirtContext& machine) : region(machine.region<tlmmap::MmioRegion>("rtc")) {
//       region.set_ops(rtc.ops());
//       rtc.irq.bind(machine.irq(11));                    // PLIC source 11
//     }
//     void describe(tlmmap::virt::VirtTree& tree) const override {
//       const std::string node = tree.soc_node("rtc", region);   // "/soc/rtc@101000", reg from the map
//       tree.dt.set_string(node, "compatible", "google,goldfish-rtc");
//       tree.interrupts(node, 11);                        // interrupt-parent = PLIC, interrupts = <11>
//     }
//   };
//   }  // namespace
//   TLMMAP_VIRT_DEVICE(rtc) { return std::make_unique<Rtc>(machine); }
//
// Regions the map file does not have are made with machine.map().make<...>()
// and placed with machine.system().add_subregion() (one transaction around
// the machine's elaboration renders them once). A DMA-capable device binds
// its initiator socket to machine.bus_socket(), or uses machine.system_space().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "device_tree.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/memory_map.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/devices/device_state.hpp"
#include "tlmmap/devices/irq_line.hpp"

namespace tlmmap::virt {

struct VirtConfig;

// What a device sees of the machine while it is made.
class VirtContext {
 public:
  virtual ~VirtContext() = default;
  // The loaded memory map (virt.memmap.json) and its regions by id.
  virtual MemoryMap& map() = 0;
  // The region `id` as type R; reported (naming the id) if the map has no
  // such region or it is of another kind.
  template <typename R>
  R& region(const std::string& id) {
    R* r = dynamic_cast<R*>(map().region(id));
    if (r == nullptr) missing_region(id);
    return *r;
  }
  // The system container (address 0 up) and the CPU's address space.
  virtual ContainerRegion& system() = 0;
  virtual AddressSpace& system_space() = 0;
  // A target socket onto the system address space, for initiators (DMA).
  using BusSocket = tlm::tlm_target_socket<32, tlm::tlm_base_protocol_types, 0, sc_core::SC_ZERO_OR_MORE_BOUND>;
  virtual BusSocket& bus_socket() = 0;
  // PLIC source `source`'s line: bind the device's interrupt output to it.
  // One device per source: a source taken twice is reported naming both.
  virtual IrqLine& irq(unsigned source) = 0;
  // The machine's options (command line).
  virtual const VirtConfig& config() const = 0;
  // Ends the simulation; the machine's exit status becomes `status`.
  virtual void finish(int status, const std::string& why) = 0;
  // Resets the machine (as QEMU's system reset): the hart restarts at the
  // reset vector, devices reset, the images are loaded again, RAM is kept.
  virtual void reset(const std::string& why) = 0;

 protected:
  [[noreturn]] void missing_region(const std::string& id);
};

// The tree being generated, with the machine's conventions.
struct VirtTree {
  DeviceTree& dt;
  std::string plic;     // path of the PLIC node
  std::string cpu_intc; // path of hart 0's interrupt controller

  // Adds "/soc/<name>@<address>" with `compatible` (if given) then `reg`
  // covering `region` (placed in the system container), or `size` bytes from
  // its address where QEMU's tree says more than the registers span; returns
  // its path. (Properties print in the reverse of the order they are set, as
  // in QEMU's tree: a device that QEMU also has sets them in QEMU's order.)
  std::string soc_node(const std::string& name, const Region& region, const std::vector<std::string>& compatible = {},
                       uint64_t size = 0) const;
  // interrupt-parent = the PLIC, interrupts = <source>.
  void interrupts(const std::string& node, unsigned source) const;
};

// A device of the machine: owns its models, describes itself.
class VirtDevice {
 public:
  virtual ~VirtDevice() = default;
  virtual void describe(VirtTree& tree) const = 0;
  // Machine reset (a guest's reset request): back to the power-on state;
  // memory contents (flash included) are kept.
  virtual void reset() {}
  // Checkpoints (besides memory and map state, which the core checkpoint
  // holds): the device's registers, under names of its own.
  virtual void save_state(DeviceState& /*state*/) const {}
  virtual void restore_state(const DeviceState& /*state*/) {}
};

using VirtDeviceFactory = std::unique_ptr<VirtDevice> (*)(VirtContext& machine);
struct VirtDeviceEntry {
  const char* name;
  VirtDeviceFactory make;
};
// The TLMMAP_VIRT_DEVICES list, in order (generated by CMake).
const std::vector<VirtDeviceEntry>& virt_devices();

}  // namespace tlmmap::virt

#define TLMMAP_VIRT_DEVICE(NAME)                                                                         \
  namespace tlmmap::virt {                                                                               \
  std::unique_ptr<VirtDevice> make_virt_device_##NAME(VirtContext& machine);                            \
  }                                                                                                      \
  std::unique_ptr<tlmmap::virt::VirtDevice> tlmmap::virt::make_virt_device_##NAME(                      \
      [[maybe_unused]] tlmmap::virt::VirtContext& machine)
