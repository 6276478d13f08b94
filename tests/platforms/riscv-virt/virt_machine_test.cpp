// The riscv-virt machine without firmware: its reset trampoline, its device
// tree (checked with dtc, against the map and against QEMU's compatible
// strings) and its RAM option.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

extern "C" {
#include <libfdt.h>
}

#include "support/map_text.hpp"
#include "virt_machine.hpp"

namespace {

using tlmmap::virt::VirtConfig;
using tlmmap::virt::VirtMachine;

struct Node {
  std::string path;
  std::vector<std::pair<uint64_t, uint64_t>> reg;
  std::vector<std::string> compatible;
};

// Every node of a tree, with its reg (2 + 2 cells) and compatible strings.
std::map<std::string, Node> nodes_of(const std::vector<uint8_t>& dtb) {
  std::map<std::string, Node> nodes;
  const void* fdt = dtb.data();
  for (int offset = fdt_next_node(fdt, -1, nullptr); offset >= 0; offset = fdt_next_node(fdt, offset, nullptr)) {
    char path[256];
    if (fdt_get_path(fdt, offset, path, sizeof path) != 0) continue;
    Node node{path, {}, {}};
    int length = 0;
    if (const auto* reg = static_cast<const fdt32_t*>(fdt_getprop(fdt, offset, "reg", &length));
        reg != nullptr && length % 16 == 0) {
      for (int i = 0; i < length / 4; i += 4) {
        node.reg.emplace_back((uint64_t{fdt32_to_cpu(reg[i])} << 32) | fdt32_to_cpu(reg[i + 1]),
                              (uint64_t{fdt32_to_cpu(reg[i + 2])} << 32) | fdt32_to_cpu(reg[i + 3]));
      }
    }
    if (const char* c = static_cast<const char*>(fdt_getprop(fdt, offset, "compatible", &length)); c != nullptr) {
      for (const char* s = c; s < c + length; s += std::strlen(s) + 1) node.compatible.emplace_back(s);
    }
    nodes[node.path] = node;
  }
  return nodes;
}

TEST(VirtMachine, ResetTrampolineEntersTheFirmwareWithHartIdAndDeviceTree) {
  VirtMachine machine{"virt", VirtConfig{}};
  const uint32_t spin = 0x0000006f;  // firmware: j .
  machine.cpu().load(0x80000000, &spin, sizeof spin);
  sc_core::sc_start(1, sc_core::SC_US);
  EXPECT_EQ(machine.cpu().pc(), 0x80000000u);
  EXPECT_EQ(machine.cpu().get_register(10), 0u);  // a0: hart id
  EXPECT_EQ(machine.cpu().get_register(11), machine.dtb_address());
  EXPECT_EQ(machine.dtb_address(), 0x87e00000u);  // QEMU's place for 128 MiB
  EXPECT_EQ(machine.cpu().privilege(), 3u);       // still M-mode
}

TEST(VirtMachine, DeviceTreeIsAcceptedByDtc) {
  VirtMachine machine{"virt", VirtConfig{}};
  const std::string path = ::testing::TempDir() + "virt_machine_test.dtb";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(machine.dtb().data()), static_cast<std::streamsize>(machine.dtb().size()));
  const std::string command = "dtc -I dtb -O dts -o /dev/null " + path + " 2>&1";
  std::FILE* dtc = popen(command.c_str(), "r");
  ASSERT_NE(dtc, nullptr);
  std::string messages;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, dtc) != nullptr) messages += buffer;
  EXPECT_EQ(pclose(dtc), 0) << messages;
  EXPECT_EQ(messages, "");  // not even a warning
  // Padded so that U-Boot's copy has QEMU 7.2's size and place.
  EXPECT_EQ(machine.dtb().size(), 0x107eu);
}

TEST(VirtMachine, EveryDeviceNodeIsBackedByTheMapAndEveryModelledRegionHasANode) {
  VirtMachine machine{"virt", VirtConfig{}};
  const auto nodes = nodes_of(machine.dtb());
  // Node -> the map's region ids it stands for.
  std::map<std::string, std::vector<std::string>> expected{
      {"/memory@80000000", {"ram"}},          {"/soc/serial@10000000", {"uart"}},
      {"/soc/test@100000", {"test"}},         {"/soc/plic@c000000", {"plic"}},
      {"/soc/clint@2000000", {"swi", "mtimer"}}, {"/soc/rtc@101000", {"rtc"}},
      {"/flash@20000000", {"flash0", "flash1"}},  // one reg entry per bank, as QEMU's
  };
  // The RTL timer, in the device list where Verilator is installed.
  for (const auto& device : tlmmap::virt::virt_devices()) {
    if (std::string(device.name) == "apb_timer") expected["/soc/apb-timer@10020000"] = {"apb_timer"};
  }
  for (const auto& [path, ids] : expected) {
    ASSERT_EQ(nodes.count(path), 1u) << path;
    const auto& reg = nodes.at(path).reg;
    if (path == "/flash@20000000") {
      ASSERT_EQ(reg.size(), 2u) << path;
      for (std::size_t bank = 0; bank < 2; ++bank) {
        const tlmmap::Region& r = *machine.map().region(ids[bank]);
        EXPECT_EQ(reg[bank], std::make_pair(r.address(), uint64_t(r.size()))) << path << " " << ids[bank];
      }
      continue;
    }
    ASSERT_EQ(reg.size(), 1u) << path;
    for (const std::string& id : ids) {
      const tlmmap::Region& r = *machine.map().region(id);
      EXPECT_GE(r.address(), reg[0].first) << path << " " << id;
      EXPECT_LE(r.address() + uint64_t(r.size()), reg[0].first + reg[0].second) << path << " " << id;
    }
    // One region: the node is exactly the region, except where QEMU's tree
    // spans more than the registers (the CLINT node keeps QEMU's 0x10000).
    const std::map<std::string, uint64_t> qemu_sizes{{"/soc/serial@10000000", 0x100}, {"/soc/rtc@101000", 0x1000}};
    if (ids.size() == 1) {
      const tlmmap::Region& r = *machine.map().region(ids[0]);
      const auto qemu = qemu_sizes.find(path);
      EXPECT_EQ(reg[0], std::make_pair(r.address(), qemu != qemu_sizes.end() ? qemu->second : uint64_t(r.size())))
          << path;
    }
  }
  // The framebuffer, which QEMU's virt has not, is made by its device (not
  // in the map file): 640x480x4 bytes at 0x4000000.
  const std::string framebuffer = "/chosen/framebuffer@4000000";
  ASSERT_EQ(nodes.count(framebuffer), 1u);
  EXPECT_EQ(nodes.at(framebuffer).reg[0], std::make_pair(uint64_t{0x4000000}, uint64_t{640 * 480 * 4}));
  EXPECT_EQ(nodes.at(framebuffer).compatible, std::vector<std::string>{"simple-framebuffer"});
  // The reference IOMMU and the DMA engine, which QEMU's virt has not
  // either, are made by their device (devices/iommu_dma.cpp).
  const std::string iommu = "/soc/iommu@10200000", dma = "/soc/dma@10201000";
  ASSERT_EQ(nodes.count(iommu), 1u);
  ASSERT_EQ(nodes.count(dma), 1u);
  EXPECT_EQ(nodes.at(iommu).reg[0], std::make_pair(uint64_t{0x10200000}, uint64_t{0x40}));
  EXPECT_EQ(nodes.at(iommu).compatible, std::vector<std::string>{"tlmmap,reference-iommu"});
  EXPECT_EQ(nodes.at(dma).reg[0], std::make_pair(uint64_t{0x10201000}, uint64_t{0x30}));
  EXPECT_EQ(nodes.at(dma).compatible, std::vector<std::string>{"tlmmap,dma-engine"});
  // Nothing else with a reg outside the CPUs: no unmodelled device is described.
  for (const auto& [path, node] : nodes) {
    if (node.reg.empty() || path.rfind("/cpus", 0) == 0 || path == framebuffer || path == iommu || path == dma) continue;
    EXPECT_EQ(expected.count(path), 1u) << "unexpected node " << path;
  }
  // Every address a node claims in the map answers (Unicorn stops on holes),
  // except the unused tail of QEMU's CLINT window.
  for (const auto& [path, node] : nodes) {
    if (node.reg.empty() || path.rfind("/cpus", 0) == 0) continue;
    const auto [base, size] = node.reg[0];
    const uint64_t end = path == "/soc/clint@2000000" ? 0x200c000 : base + size;
    for (uint64_t a = base; a < end; a += 0x1000) {
      EXPECT_NE(machine.system_space().lookup(a), nullptr) << path << " at 0x" << std::hex << a;
    }
  }
}

TEST(VirtMachine, DeviceTreeUsesQemusCompatibleStringsAndProperties) {
  VirtMachine machine{"virt", VirtConfig{}};
  const auto nodes = nodes_of(machine.dtb());
  // From `qemu-system-riscv64 -M virt,dumpdtb=...` (QEMU 7.2).
  const std::map<std::string, std::vector<std::string>> qemu{
      {"/", {"riscv-virtio"}},
      {"/soc", {"simple-bus"}},
      {"/soc/serial@10000000", {"ns16550a"}},
      {"/soc/test@100000", {"sifive,test1", "sifive,test0", "syscon"}},
      {"/soc/plic@c000000", {"sifive,plic-1.0.0", "riscv,plic0"}},
      {"/soc/clint@2000000", {"sifive,clint0", "riscv,clint0"}},
      {"/soc/rtc@101000", {"google,goldfish-rtc"}},
      {"/flash@20000000", {"cfi-flash"}},
      {"/poweroff", {"syscon-poweroff"}},
      {"/reboot", {"syscon-reboot"}},
      {"/cpus/cpu@0", {"riscv"}},
      {"/cpus/cpu@0/interrupt-controller", {"riscv,cpu-intc"}},
  };
  for (const auto& [path, compatible] : qemu) {
    ASSERT_EQ(nodes.count(path), 1u) << path;
    EXPECT_EQ(nodes.at(path).compatible, compatible) << path;
  }
  const void* fdt = machine.dtb().data();
  auto cell = [fdt](const char* path, const char* name) {
    const auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt, fdt_path_offset(fdt, path), name, nullptr));
    return p == nullptr ? ~0u : fdt32_to_cpu(*p);
  };
  EXPECT_EQ(cell("/cpus", "timebase-frequency"), 10000000u);
  EXPECT_EQ(cell("/soc/plic@c000000", "riscv,ndev"), 96u);
  EXPECT_EQ(cell("/soc/serial@10000000", "interrupts"), 10u);
  EXPECT_EQ(cell("/soc/serial@10000000", "clock-frequency"), 3686400u);
  EXPECT_EQ(cell("/soc/rtc@101000", "interrupts"), 11u);
  EXPECT_EQ(cell("/flash@20000000", "bank-width"), 4u);
  EXPECT_EQ(cell("/poweroff", "value"), 0x5555u);
  EXPECT_EQ(cell("/reboot", "value"), 0x7777u);
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", nullptr)),
               "/soc/serial@10000000");
}

TEST(VirtMachine, RamSizeGivesTheRamRegionAndTheMemoryNode) {
  VirtConfig config;
  config.ram_size = 256 << 20;
  VirtMachine machine{"virt", config};
  const auto* range = machine.system_space().lookup(0x80000000 + (200 << 20));
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->region()->name(), "riscv_virt_board.ram");
  EXPECT_EQ(nodes_of(machine.dtb()).at("/memory@80000000").reg[0], std::make_pair(uint64_t{0x80000000}, uint64_t{256} << 20));
  EXPECT_EQ(machine.dtb_address(), 0x8fe00000u);
}

#ifdef TLMMAP_VIRT_INTERRUPTS_GUEST
// guests/interrupts.S: a key typed into the UART reaches the hart as MEIP
// through PLIC source 10; MTIMECMP raises MTIP at its time. The firmware
// checks the details and ends through sifive_test (fail codes in the file).
TEST(VirtMachine, UartInterruptThroughThePlicAndTimerInterruptReachTheHart) {
  const std::string script = ::testing::TempDir() + "virt_interrupts.script";
  std::ofstream(script) << "@send x\n";
  VirtConfig config;
  config.bios = TLMMAP_VIRT_INTERRUPTS_GUEST;
  config.uart_input = script;
  VirtMachine machine{"virt", config};
  sc_core::sc_start(1, sc_core::SC_SEC);
  ASSERT_TRUE(machine.finished_status().has_value()) << "the firmware did not finish; pc 0x" << std::hex << machine.cpu().pc();
  EXPECT_EQ(*machine.finished_status(), 0) << machine.finish_reason();
  // The key arrives 1 ms in; the timer fires 10 us after it is set.
  EXPECT_GE(sc_core::sc_time_stamp(), sc_core::sc_time(1010, sc_core::SC_US));
  EXPECT_LT(sc_core::sc_time_stamp(), sc_core::sc_time(1300, sc_core::SC_US));  // within a quantum or two
  // Asleep in WFI, not spinning through the 1 ms (100000 instructions); the
  // spurious re-entries until the quantum (100 us) ends account for at most 10000.
  EXPECT_LT(machine.cpu().stats().instructions, 25000u);
}
#endif

TEST(VirtMachine, EachPlicSourceBelongsToOneDevice) {
  VirtMachine machine{"virt", VirtConfig{}};
  EXPECT_EQ(machine.irq_owners().at(10), "uart");
  EXPECT_EQ(tlmmap::test::error_of([&] { machine.context().irq(10); }),
            "riscv-virt: PLIC source 10 is taken by device 'uart'; device 'riscv-virt' asks for it too");
}

TEST(VirtMachine, BadOptionsAreRefusedByName) {
  VirtConfig config;
  config.ram_size = 12345;
  EXPECT_EQ(tlmmap::test::error_of([&] { VirtMachine machine{"virt", config}; }),
            "riscv-virt: RAM size 0x3039 is not a positive multiple of 4 KiB up to 0x400000000 (region "
            "'riscv_virt_board.ram')");
}

}  // namespace
