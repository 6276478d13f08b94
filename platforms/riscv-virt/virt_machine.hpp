// QEMU 7.2's RISC-V `virt` machine on tlmmap: one Unicorn hart, the map of
// virt.memmap.json, a boot ROM with our reset trampoline, the CLINT (ACLINT
// MSWI + MTIMER) and the PLIC wired to the hart, and the devices of the
// TLMMAP_VIRT_DEVICES list (virt_device.hpp: how to add one). The device
// tree is generated from the map and the devices and placed in RAM.
//
//   tlmmap::virt::VirtConfig config;
//   config.bios = "fw_jump.bin";
//   config.kernel = "u-boot.bin";
//   tlmmap::virt::VirtMachine machine{"virt", config};
//   sc_core::sc_start();
//   return machine.exit_status();
//
// Boot: the hart starts at the ROM (0x1000) in M-mode; the trampoline jumps
// to the firmware with a0 = hart id and a1 = the device tree's address.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "tlmmap/core/memory_map.hpp"
#include "tlmmap/cpu/riscv_cpu.hpp"
#include "tlmmap/devices/aclint_mswi.hpp"
#include "tlmmap/devices/aclint_mtimer.hpp"
#include "tlmmap/devices/plic.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "virt_device.hpp"

namespace tlmmap::virt {

struct VirtConfig {
  // The memory map (default: the tree's platforms/riscv-virt/virt.memmap.json).
  std::string memmap = TLMMAP_VIRT_MEMMAP;
  uint64_t ram_size = 128 << 20;
  // Images; an empty path loads nothing.
  std::string bios;
  uint64_t bios_address = 0x80000000;
  std::string kernel;
  uint64_t kernel_address = 0x80200000;
  // A device tree to use instead of the generated one.
  std::string dtb;
  // The generated tree's size (free space at its end). QEMU 7.2's virt tree
  // is 0x1071 bytes (128 MiB, one hart), and U-Boot's copy of it 0x149e;
  // U-Boot grows ours 13 bytes less (strings QEMU's tree already has), so
  // at 0x107e U-Boot's copy has QEMU's size and place, and so does the
  // memory it reserves below it (`bdinfo`, `fdt header`, `printenv
  // fdtcontroladdr`). 0: packed.
  std::size_t dtb_size = 0x107e;
  // Where the tree goes; by default QEMU's place: 2 MiB aligned, just below
  // the end of RAM (or of the first 3 GiB).
  std::optional<uint64_t> dtb_address;
  // UART: input script (UartScript format; empty: host stdin), output file
  // (empty: stdout).
  std::string uart_input;
  std::string uart_output;
  // The CFI flash's image file (shared; made erased if missing; empty: none).
  std::string flash;
  // Where the framebuffer writes its PNG frames (empty: none written).
  std::string framebuffer_dir;
  // CPU timing: guest time per instruction, and the global quantum.
  // 10 ns: 100 MIPS of guest time, about what the Unicorn hart delivers on
  // firmware, so guest delays (U-Boot's countdown) last about as long as on
  // QEMU, whose timer follows the host clock.
  sc_core::sc_time instruction_time{10, sc_core::SC_NS};
  // 100 us (10000 instructions): syncs cost little (docs/performance.md);
  // interrupt lines are seen within a quantum.
  sc_core::sc_time quantum{100, sc_core::SC_US};
  uint64_t instruction_limit = 0;  // 0: none
  // A checkpoint directory (save_checkpoint()) to start from instead of the
  // images: memory, map, CPU and device state as saved.
  std::string restore_dir;
};

class VirtMachine : public sc_core::sc_module, private VirtContext {
 public:
  static constexpr uint64_t kRomBase = 0x1000;
  static constexpr unsigned kPlicSources = 97;  // QEMU virt: riscv,ndev = 96

  VirtMachine(sc_core::sc_module_name name, const VirtConfig& config);
  ~VirtMachine() override;

  RiscvCpu& cpu() { return *cpu_; }
  MemoryMap& map() override { return *map_; }
  AddressSpace& system_space() override { return *space_; }
  const std::vector<uint8_t>& dtb() const noexcept { return dtb_; }
  uint64_t dtb_address() const noexcept { return dtb_address_; }
  const VirtConfig& config() const override { return config_; }
  // What the device files get (virt_device.hpp).
  VirtContext& context() { return *this; }
  // PLIC source -> the device that took it with irq().
  const std::map<unsigned, std::string>& irq_owners() const noexcept { return irq_owners_; }

  // Set once the guest has ended the simulation (sifive_test, ...).
  const std::optional<int>& finished_status() const noexcept { return status_; }
  const std::string& finish_reason() const noexcept { return reason_; }
  // Saves DIR/virt.ckpt (memory and map state, tlmmap/core/checkpoint.hpp)
  // and DIR/virt.state (the CPU's and the devices' registers, one
  // "name value" per line); DIR must exist. Between runs (sc_start returned).
  void save_checkpoint(const std::string& dir);

  // Guest reset requests carried out, with their reasons.
  const std::vector<std::string>& resets() const noexcept { return resets_; }

 private:
  ContainerRegion& system() override { return *system_; }
  BusSocket& bus_socket() override { return target_->target_socket; }
  IrqLine& irq(unsigned source) override;
  void finish(int status, const std::string& why) override;
  void reset(const std::string& why) override;
  void reset_devices();
  void start_of_simulation() override;
  void restore(const std::string& dir);

  void load_map();
  void place_ram();
  void wire_core();
  void build_device_tree();
  void load_images();

  VirtConfig config_;
  std::unique_ptr<MemoryMap> map_;
  ContainerRegion* system_ = nullptr;
  AddressSpace* space_ = nullptr;
  std::unique_ptr<AddressSpaceTarget<32>> target_;
  IrqLine mtip_{"mtip"}, msip_{"msip"}, meip_{"meip"}, seip_{"seip"};
  std::unique_ptr<AclintMswi> mswi_;
  std::unique_ptr<AclintMtimer> mtimer_;
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<RiscvCpu> cpu_;
  std::vector<std::unique_ptr<VirtDevice>> devices_;
  std::vector<uint8_t> dtb_;
  uint64_t dtb_address_ = 0;
  std::string making_ = "riscv-virt";  // the device being made
  std::map<unsigned, std::string> irq_owners_;
  std::optional<int> status_;
  std::string reason_;
  std::vector<std::string> resets_;
};

}  // namespace tlmmap::virt
