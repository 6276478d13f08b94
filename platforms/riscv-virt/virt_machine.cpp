#include "virt_machine.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <iterator>

#include <tlm_utils/tlm_quantumkeeper.h>

#include "boot_rom.hpp"
#include "tlmmap/core/checkpoint.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/rom_region.hpp"
#include "tlmmap/core/transaction.hpp"
#include "tlmmap/memmap/memmap_loader.hpp"

namespace tlmmap::virt {

namespace {
constexpr uint64_t kMiB = 1 << 20;
constexpr unsigned kMachineExternal = 11, kSupervisorExternal = 9, kMachineTimer = 7, kMachineSoftware = 3;

void refuse(const std::string& message) { SC_REPORT_ERROR("tlmmap/virt", message.c_str()); }

std::string hex(uint64_t value) { return "0x" + unit_address(value); }
}  // namespace

void VirtContext::missing_region(const std::string& id) {
  refuse("riscv-virt: the memory map has no region '" + id + "' of the kind this device needs");
  throw std::runtime_error("missing region " + id);  // when the report handler does not throw
}

std::string VirtTree::soc_node(const std::string& name, const Region& region, const std::vector<std::string>& compatible,
                               uint64_t size) const {
  const std::string path = "/soc/" + name + "@" + unit_address(region.address());
  dt.add_node(path);
  if (!compatible.empty()) dt.set_strings(path, "compatible", compatible);
  dt.set_reg(path, {{region.address(), size != 0 ? size : static_cast<uint64_t>(region.size())}});
  return path;
}

void VirtTree::interrupts(const std::string& node, unsigned source) const {
  dt.set_u32(node, "interrupt-parent", dt.phandle(plic));
  dt.set_u32(node, "interrupts", source);
}

VirtMachine::VirtMachine(sc_core::sc_module_name name, const VirtConfig& config)
    : sc_core::sc_module(name), config_(config) {
  load_map();
  {
    Transaction build;  // the map renders once, with every device's regions
    place_ram();
    wire_core();
    for (const VirtDeviceEntry& entry : virt_devices()) {
      making_ = entry.name;
      devices_.push_back(entry.make(*this));
    }
    making_ = "riscv-virt";
  }
  build_device_tree();
  load_images();
}

VirtMachine::~VirtMachine() = default;

void VirtMachine::load_map() {
  map_ = load_memmap_file(config_.memmap);
  if (!map_) throw std::runtime_error("cannot load " + config_.memmap);
  system_ = dynamic_cast<ContainerRegion*>(map_->region("system"));
  space_ = map_->address_space("cpu-memory-0");
  if (system_ == nullptr || space_ == nullptr) {
    refuse(config_.memmap + ": riscv-virt needs a container 'system' and the address space 'cpu-memory-0'");
  }
}

void VirtMachine::place_ram() {
  // The map's RAM is resizeable (max_size): it takes the configured size.
  RamRegion& ram = region<RamRegion>("ram");
  if (config_.ram_size == 0 || config_.ram_size % 4096 != 0 || config_.ram_size > ram.max_size()) {
    refuse("riscv-virt: RAM size " + hex(config_.ram_size) + " is not a positive multiple of 4 KiB up to " +
           hex(static_cast<uint64_t>(ram.max_size())) + " (region '" + ram.name() + "')");
  }
  if (ram.size() != config_.ram_size) ram.resize(config_.ram_size);
}

void VirtMachine::wire_core() {
  target_ = std::make_unique<AddressSpaceTarget<32>>("bus", *space_);
  mswi_ = std::make_unique<AclintMswi>("mswi", 1);
  mtimer_ = std::make_unique<AclintMtimer>("mtimer", 1);
  plic_ = std::make_unique<Plic>("plic", kPlicSources, 2);
  region<MmioRegion>("swi").set_ops(mswi_->ops());
  region<MmioRegion>("mtimer").set_ops(mtimer_->ops());
  region<MmioRegion>("plic").set_ops(plic_->ops());
  mswi_->msip[0].bind(msip_);
  mtimer_->mtip[0].bind(mtip_);
  plic_->eip[0].bind(meip_);  // context 0: hart 0 M-mode
  plic_->eip[1].bind(seip_);  // context 1: hart 0 S-mode

  tlm_utils::tlm_quantumkeeper::set_global_quantum(config_.quantum);
  RiscvCpuConfig cpu_config;
  cpu_config.reset_pc = kRomBase;
  cpu_config.instruction_time = config_.instruction_time;
  cpu_config.instruction_limit = config_.instruction_limit;
  cpu_ = std::make_unique<RiscvCpu>("cpu", cpu_config);
  cpu_->socket.bind(target_->target_socket);
  cpu_->mtip.bind(mtip_);
  cpu_->msip.bind(msip_);
  cpu_->meip.bind(meip_);
  cpu_->seip.bind(seip_);
  cpu_->set_time_source([this] { return mtimer_->mtime(); });
  cpu_->on_reset = [this] { reset_devices(); };
  // A page with nothing of the map in it faults, as on QEMU (Unicorn would
  // otherwise give the guest 0 from an MMIO page that nothing answers).
  cpu_->set_hole_check([this](uint64_t page) {
    const FlatView& view = space_->view();
    const std::size_t i = view.first_ending_at_or_after(page);
    return i == view.ranges().size() || view.ranges()[i].first > page + 0xfff;
  });
}

void VirtMachine::build_device_tree() {
  // libfdt puts a new property or subnode before its siblings, so a node
  // prints in the reverse of the order it was made in. Nodes and properties
  // that QEMU 7.2's tree also has are made in QEMU's order (and phandles
  // numbered as QEMU's: cpu 1, its interrupt controller 2, PLIC 3, test 4),
  // so that U-Boot's `fdt print` and `dm tree` list them as on QEMU.
  DeviceTree dt;
  dt.set_string("/", "model", "riscv-virtio,qemu");
  dt.set_string("/", "compatible", "riscv-virtio");
  dt.set_cells("/", "#size-cells", {2});
  dt.set_cells("/", "#address-cells", {2});

  dt.add_node("/soc");
  dt.set_empty("/soc", "ranges");
  dt.set_string("/soc", "compatible", "simple-bus");
  dt.set_u32("/soc", "#size-cells", 2);
  dt.set_u32("/soc", "#address-cells", 2);

  dt.add_node("/cpus");
  dt.set_u32("/cpus", "timebase-frequency", static_cast<uint32_t>(mtimer_->timebase()));
  dt.set_u32("/cpus", "#size-cells", 0);
  dt.set_u32("/cpus", "#address-cells", 1);
  dt.add_node("/cpus/cpu-map");
  const std::string cpu = "/cpus/cpu@0";
  dt.add_node(cpu);
  // Unicorn's default hart (SiFive U54): RV64GC with Sv39.
  dt.set_string(cpu, "mmu-type", "riscv,sv39");
  dt.set_string(cpu, "riscv,isa", "rv64imafdc_zicsr_zifencei");
  dt.set_string(cpu, "compatible", "riscv");
  dt.set_string(cpu, "status", "okay");
  dt.set_u32(cpu, "reg", 0);
  dt.set_string(cpu, "device_type", "cpu");
  const uint32_t cpu_phandle = dt.phandle(cpu);
  const std::string intc = cpu + "/interrupt-controller";
  dt.add_node(intc);
  dt.set_u32(intc, "#address-cells", 0);  // dtc's interrupt_provider check wants it (QEMU's lacks it)
  const uint32_t intc_phandle = dt.phandle(intc);
  dt.set_string(intc, "compatible", "riscv,cpu-intc");
  dt.set_empty(intc, "interrupt-controller");
  dt.set_u32(intc, "#interrupt-cells", 1);
  dt.add_node("/cpus/cpu-map/cluster0");
  dt.add_node("/cpus/cpu-map/cluster0/core0");
  dt.set_u32("/cpus/cpu-map/cluster0/core0", "cpu", cpu_phandle);

  const Region& ram = *space_->lookup(0x80000000)->region();
  const std::string memory = "/memory@" + unit_address(ram.address());
  dt.add_node(memory);
  dt.set_reg(memory, {{ram.address(), static_cast<uint64_t>(ram.size())}});
  dt.set_string(memory, "device_type", "memory");

  // One SiFive CLINT node over the MSWI and MTIMER regions, with QEMU's
  // extent (0x10000) so that firmware sees the same device as on QEMU.
  const Region& swi = region<MmioRegion>("swi");
  const Region& mtimer = region<MmioRegion>("mtimer");
  const uint64_t clint_size = std::max<uint64_t>(0x10000, mtimer.address() + uint64_t(mtimer.size()) - swi.address());
  const std::string clint = "/soc/clint@" + unit_address(swi.address());
  dt.add_node(clint);
  dt.set_strings(clint, "compatible", {"sifive,clint0", "riscv,clint0"});
  dt.set_reg(clint, {{swi.address(), clint_size}});
  dt.set_cells(clint, "interrupts-extended", {intc_phandle, kMachineSoftware, intc_phandle, kMachineTimer});

  VirtTree tree{dt, "", intc};
  const std::string plic = "/soc/plic@" + unit_address(region<MmioRegion>("plic").address());
  dt.add_node(plic);
  dt.set_u32(plic, "#interrupt-cells", 1);
  dt.set_u32(plic, "#address-cells", 0);
  dt.set_strings(plic, "compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  dt.set_empty(plic, "interrupt-controller");
  dt.set_cells(plic, "interrupts-extended", {intc_phandle, kMachineExternal, intc_phandle, kSupervisorExternal});
  dt.set_reg(plic, {{region<MmioRegion>("plic").address(), static_cast<uint64_t>(region<MmioRegion>("plic").size())}});
  dt.set_u32(plic, "riscv,ndev", kPlicSources - 1);
  dt.phandle(plic);
  tree.plic = plic;

  // QEMU makes /chosen after the test finisher's /reboot and /poweroff, and
  // before the flash (the device list starts with sifive_test).
  const auto& entries = virt_devices();
  for (std::size_t i = 0; i < devices_.size(); ++i) {
    if (!dt.has_node("/chosen") && std::string(entries[i].name) != "sifive_test") dt.add_node("/chosen");
    devices_[i]->describe(tree);
  }
  if (!dt.has_node("/chosen")) dt.add_node("/chosen");
  dtb_ = dt.blob(config_.dtb_size);

  if (!config_.dtb.empty()) {
    std::ifstream in(config_.dtb, std::ios::binary);
    if (!in) refuse("riscv-virt: cannot read the device tree '" + config_.dtb + "'");
    dtb_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const uint64_t ram_end = ram.address() + static_cast<uint64_t>(ram.size());
  const uint64_t top = ram.address() < 3072 * kMiB ? std::min<uint64_t>(ram_end, 3072 * kMiB) : ram_end;
  dtb_address_ = config_.dtb_address ? *config_.dtb_address : ((top - dtb_.size()) & ~(2 * kMiB - 1));
}

void VirtMachine::load_images() {
  if (!config_.restore_dir.empty()) return;  // memory comes from the checkpoint
  const std::vector<uint8_t> rom = reset_trampoline(config_.bios_address, dtb_address_);
  RomRegion& mrom = region<RomRegion>("mrom");
  std::copy(rom.begin(), rom.end(), mrom.host_ptr());
  if (!config_.bios.empty()) cpu_->load_file(config_.bios_address, config_.bios);
  if (!config_.kernel.empty()) cpu_->load_file(config_.kernel_address, config_.kernel);
  cpu_->load(dtb_address_, dtb_.data(), dtb_.size());
}

IrqLine& VirtMachine::irq(unsigned source) {
  // Two devices on one level-triggered source would be read as one.
  const auto [it, added] = irq_owners_.emplace(source, making_);
  if (!added) {
    refuse("riscv-virt: PLIC source " + std::to_string(source) + " is taken by device '" + it->second +
           "'; device '" + making_ + "' asks for it too");
  }
  return plic_->source(source);
}

void VirtMachine::reset(const std::string& why) {
  resets_.push_back(why);
  cpu_->reset();  // reset_devices() runs once the CPU has stopped
}

// QEMU's system reset: devices to their power-on state and the ROM images
// (boot ROM, firmware, kernel, device tree) copied in again; the rest of RAM
// keeps its contents.
void VirtMachine::reset_devices() {
  mswi_->reset();
  mtimer_->reset();
  plic_->reset();
  for (const auto& device : devices_) device->reset();
  load_images();
}

void VirtMachine::save_checkpoint(const std::string& dir) {
  tlmmap::save_checkpoint(dir + "/virt.ckpt");
  DeviceState state;
  for (const auto& [name, value] : cpu_->save_state()) state["cpu." + name] = value;
  mswi_->save_state(state, "mswi.");
  mtimer_->save_state(state, "mtimer.");
  plic_->save_state(state, "plic.");
  for (const auto& device : devices_) device->save_state(state);
  std::ofstream out(dir + "/virt.state");
  for (const auto& [name, value] : state) out << name << " 0x" << std::hex << value << "\n";
  if (!out) refuse("riscv-virt: cannot write '" + dir + "/virt.state'");
}

void VirtMachine::start_of_simulation() {
  if (!config_.restore_dir.empty()) restore(config_.restore_dir);
}

void VirtMachine::restore(const std::string& dir) {
  tlmmap::restore_checkpoint(dir + "/virt.ckpt");
  std::ifstream in(dir + "/virt.state");
  if (!in) refuse("riscv-virt: cannot read '" + dir + "/virt.state'");
  DeviceState state;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, value;
    if (!(fields >> name >> value)) {
      refuse("riscv-virt: '" + dir + "/virt.state': a line is not 'name value': '" + line + "'");
      return;
    }
    state[name] = std::stoull(value, nullptr, 0);
  }
  RiscvCpu::State cpu;
  for (const auto& [name, value] : state) {
    if (name.rfind("cpu.", 0) == 0) cpu[name.substr(4)] = value;
  }
  cpu_->restore_state(cpu);
  mswi_->restore_state(state, "mswi.");
  mtimer_->restore_state(state, "mtimer.");
  plic_->restore_state(state, "plic.");
  for (const auto& device : devices_) device->restore_state(state);
}

void VirtMachine::finish(int status, const std::string& why) {
  // A guest may write its exit code more than once before the CPU stops.
  if (status_) return;
  status_ = status;
  reason_ = why;
  sc_core::sc_stop();
}

}  // namespace tlmmap::virt
