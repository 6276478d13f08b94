// Checkpoints: memory and map state saved and restored in a running
// simulation, sparse memory kept small, other shapes refused whole.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <systemc>

#include "support/map_text.hpp"
#include "support/tlm_devices.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using ::testing::HasSubstr;
using test::error_of;
using test::ranges;
using test::RecordingInitiator;

std::string temp_path(const std::string& tag) {
  return testing::TempDir() + "tlmmap_ckpt_" + tag + "_" + std::to_string(getpid());
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// A small SoC: RAM, a flash (ROM device), an alias window onto RAM, a
// device, and a CPU that changes everything from its thread.
struct Soc : sc_core::sc_module {
  Bus<64> bus{"bus"};
  RamRegion ram{"ram", 0x10000};
  RomDeviceRegion flash{"flash", 0x2000, MmioOps{}};
  AliasRegion window{"window", ram, 0x1000, 0x1000};
  MmioRegion uart{"uart", 0x100};
  RamRegion fw_cfg{"fw_cfg", ResizeableRam{0x1000, 0x4000, nullptr}};
  RecordingInitiator<64> cpu{"cpu"};
  std::function<void()> program;

  SC_HAS_PROCESS(Soc);
  explicit Soc(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    MmioOps uart_ops;
    uart_ops.read = [](uint64_t, unsigned) { return 0; };
    uart_ops.write = [](uint64_t, uint64_t, unsigned) {};
    uart.set_ops(uart_ops);
    bus.map(0x80000000, ram);
    bus.map(0x20000000, flash);
    bus.map(0x90000000, window);
    bus.map(0x10000000, uart);
    bus.map(0x30000000, fw_cfg);
    cpu.socket.bind(bus.target_socket);
    SC_THREAD(run);
  }
  void run() {
    wait(10, sc_core::SC_NS);
    program();
  }
  uint32_t read32(uint64_t address) {
    uint32_t v = 0;
    EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, address, &v, 4), tlm::TLM_OK_RESPONSE) << std::hex << address;
    return v;
  }
  void write32(uint64_t address, uint32_t v) {
    EXPECT_EQ(cpu.transport(tlm::TLM_WRITE_COMMAND, address, &v, 4), tlm::TLM_OK_RESPONSE) << std::hex << address;
  }
};

TEST(Checkpoint, RoundTripInARunningSimulationRestoresMemoryMapStateAndDirtyBits) {
  Soc soc("soc");
  const std::string path = temp_path("round_trip");
  std::vector<std::string> saved_view;
  bool ran = false;
  soc.program = [&] {
    // The state to keep.
    soc.write32(0x80000010, 0x11111111);
    soc.write32(0x80002000, 0x22222222);  // seen through the window once it moves
    soc.bus.space().debug_write(0x20000000, "\x13\x00\x00\x00", 4);  // flash content
    soc.flash.set_romd(false);
    soc.window.set_alias_offset(0x2000);
    soc.uart.set_enabled(false);
    soc.fw_cfg.resize(0x3000);
    soc.ram.set_log(true, DirtyClient::vga);
    soc.write32(0x80005000, 0x33333333);
    saved_view = ranges(soc.bus.space());
    tlm::tlm_dmi dmi;
    ASSERT_TRUE(soc.cpu.dmi(0x80000000, dmi));
    save_checkpoint(path);
    sc_core::wait(10, sc_core::SC_NS);

    // Everything changes afterwards.
    soc.write32(0x80000010, 0xdeadbeef);
    soc.write32(0x80007000, 0x44444444);  // a page that was zero when saved
    soc.bus.space().debug_write(0x20000000, "\xff\xff\xff\xff", 4);
    soc.flash.set_romd(true);
    soc.window.set_alias_offset(0);
    soc.uart.set_enabled(true);
    soc.fw_cfg.resize(0x1000);
    soc.ram.reset_dirty(0, 0x10000, DirtyClient::vga);
    soc.ram.set_address(0x40000000);
    ASSERT_NE(ranges(soc.bus.space()), saved_view);
    ASSERT_TRUE(soc.cpu.dmi(0x40000000, dmi));  // held across the restore, which moves ram back
    soc.cpu.invalidations.clear();

    restore_checkpoint(path);
    EXPECT_EQ(ranges(soc.bus.space()), saved_view);
    EXPECT_FALSE(soc.cpu.invalidations.empty());  // DMI holders heard of the map change
    EXPECT_EQ(soc.read32(0x80000010), 0x11111111u);
    EXPECT_EQ(soc.read32(0x80007000), 0u);
    EXPECT_EQ(soc.read32(0x90000000), 0x22222222u);  // the window's alias offset
    EXPECT_FALSE(soc.flash.romd());
    EXPECT_FALSE(soc.uart.enabled());
    EXPECT_EQ(soc.fw_cfg.size(), 0x3000u);
    uint32_t flash_word = 0;
    soc.bus.space().debug_read(0x20000000, &flash_word, 4);
    EXPECT_EQ(flash_word, 0x13u);
    EXPECT_TRUE(soc.ram.get_dirty(0x5000, 4, DirtyClient::vga));
    EXPECT_FALSE(soc.ram.get_dirty(0x7000, 4, DirtyClient::vga));
    ran = true;
  };
  sc_core::sc_start(100, sc_core::SC_NS);
  EXPECT_TRUE(ran);
  std::remove(path.c_str());
}

TEST(Checkpoint, UntouchedPagesOfALargeRamAreNotSaved) {
  ContainerRegion root("root", k64BitSpace);
  RamRegion big("big", u128(4) << 30);  // 4 GiB, reserved but never touched
  root.add_subregion(0, big);
  AddressSpace space(root, "memory");
  for (uint64_t page : {0ull, 0x12345000ull, 0xfffff000ull}) {
    ASSERT_EQ(space.store(page + 8, 8, 0x0123456789abcdefull), MemTxResult::ok);
  }
  const std::string path = temp_path("sparse");
  save_checkpoint(path);
  EXPECT_LT(file_size(path), 5 * 4096u);  // three pages and the records
  ASSERT_EQ(space.store(0x12345008, 8, 0), MemTxResult::ok);
  restore_checkpoint(path);
  uint64_t v = 0;
  ASSERT_EQ(space.load(0x12345008, 8, v), MemTxResult::ok);
  EXPECT_EQ(v, 0x0123456789abcdefull);
  std::remove(path.c_str());
}

// A map of another shape: the difference is named and nothing changes.
TEST(Checkpoint, ARestoreIntoAnotherShapeIsRefusedNamingTheDifference) {
  ContainerRegion root("system", k64BitSpace);
  ContainerRegion pci("pci", 0x100000);
  RamRegion vram("vram", 0x8000);
  MmioRegion regs("regs", 0x100);
  pci.add_subregion(0x0, vram);
  pci.add_subregion(0x9000, regs);
  root.add_subregion(0x10000000, pci);
  AddressSpace space(root, "memory");
  const std::string path = temp_path("shape");
  ASSERT_EQ(space.store(0x10000000, 4, 0xaaaa), MemTxResult::ok);
  save_checkpoint(path);
  ASSERT_EQ(space.store(0x10000000, 4, 0xbbbb), MemTxResult::ok);
  vram.set_enabled(false);
  const auto view = ranges(space);
  {
    MmioRegion extra("extra", 0x10);
    pci.add_subregion(0xa000, extra);
    EXPECT_THAT(error_of([&] { restore_checkpoint(path); }), HasSubstr("holds 4 regions, the map has 5"));
  }
  pci.del_subregion(regs);
  {
    MmioRegion renamed("registers", 0x100);
    pci.add_subregion(0x9000, renamed);
    EXPECT_THAT(error_of([&] { restore_checkpoint(path); }),
                HasSubstr("region 'system/pci/regs' of the checkpoint is not where the map has region "
                          "'system/pci/registers'"));
  }
  {
    ContainerRegion container("regs", 0x100);
    pci.add_subregion(0x9000, container);
    EXPECT_THAT(error_of([&] { restore_checkpoint(path); }),
                HasSubstr("region 'system/pci/regs' is mmio in the checkpoint, container in the map"));
  }
  pci.add_subregion(0x9000, regs);
  regs.set_size(0x200);
  EXPECT_THAT(error_of([&] { restore_checkpoint(path); }),
              HasSubstr("region 'system/pci/regs' has size 0x100 in the checkpoint, 0x200 in the map"));
  regs.set_size(0x100);
  vram.set_enabled(true);
  uint64_t v = 0;
  ASSERT_EQ(space.load(0x10000000, 4, v), MemTxResult::ok);
  EXPECT_EQ(v, 0xbbbbu);  // nothing restored by any refusal
  vram.set_enabled(false);
  EXPECT_EQ(ranges(space), view);
  restore_checkpoint(path);  // the same shape again: restored, enabled as it was saved
  ASSERT_EQ(space.load(0x10000000, 4, v), MemTxResult::ok);
  EXPECT_EQ(v, 0xaaaau);
  std::remove(path.c_str());
}

TEST(Checkpoint, BadFilesAreRefusedWithTheirPath) {
  ContainerRegion root("root", k64BitSpace);
  RamRegion ram("ram", 0x1000);
  root.add_subregion(0, ram);
  AddressSpace space(root, "memory");
  EXPECT_THAT(error_of([] { restore_checkpoint("/nonexistent/ckpt"); }), HasSubstr("'/nonexistent/ckpt'"));
  EXPECT_THAT(error_of([] { save_checkpoint("/nonexistent/ckpt"); }), HasSubstr("cannot write checkpoint"));
  const std::string path = temp_path("bad");
  { std::ofstream(path) << "hello"; }
  EXPECT_THAT(error_of([&] { restore_checkpoint(path); }), HasSubstr("not a tlmmap checkpoint"));
  ASSERT_EQ(space.store(0x10, 4, 7), MemTxResult::ok);
  save_checkpoint(path);
  ASSERT_EQ(truncate(path.c_str(), static_cast<off_t>(file_size(path) - 100)), 0);
  ASSERT_EQ(space.store(0x10, 4, 9), MemTxResult::ok);
  EXPECT_THAT(error_of([&] { restore_checkpoint(path); }), HasSubstr("ends early"));
  uint64_t v = 0;
  ASSERT_EQ(space.load(0x10, 4, v), MemTxResult::ok);
  EXPECT_EQ(v, 9u);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tlmmap
