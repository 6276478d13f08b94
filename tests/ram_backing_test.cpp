// Where RAM comes from: files (shared and private), resizeable RAM, and a
// region's size changed after it is mapped; flat views and DMI follow.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
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

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::error_of;
using test::RecordingInitiator;

// A file in the test's temporary directory, removed at the end.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& tag)
      : path(testing::TempDir() + "tlmmap_" + tag + "_" + std::to_string(getpid())) {
    std::remove(path.c_str());
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::vector<uint8_t> bytes() const {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void write(const std::vector<uint8_t>& content) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
  }
};

uint64_t load(AddressSpace& space, uint64_t address) {
  uint64_t value = ~0ull;
  EXPECT_EQ(space.load(address, 4, value), MemTxResult::ok) << "at " << std::hex << address;
  return value;
}

TEST(RamBacking, SharedFileIsWrittenThroughAndSeenByTheNextMapping) {
  TempFile file("shared");
  {
    ContainerRegion root("root", k64BitSpace);
    RamRegion nvram("nvram", 0x2000, RamFile{file.path, true});
    root.add_subregion(0x1000, nvram);
    AddressSpace space(root, "memory");
    EXPECT_EQ(load(space, 0x1000 + 0x10), 0u);  // a new file reads as zero
    space.store(0x1000 + 0x10, 4, 0xcafef00d);
  }
  const std::vector<uint8_t> on_disk = file.bytes();
  ASSERT_EQ(on_disk.size(), 0x2000u);  // made to the region's size
  EXPECT_THAT(std::vector<uint8_t>(on_disk.begin() + 0x10, on_disk.begin() + 0x14), ElementsAre(0x0d, 0xf0, 0xfe, 0xca));
  // The next run maps the same file and finds what was written.
  ContainerRegion root("root", k64BitSpace);
  RamRegion again("nvram", 0x2000, RamFile{file.path, true});
  root.add_subregion(0, again);
  AddressSpace space(root, "memory");
  EXPECT_EQ(load(space, 0x10), 0xcafef00du);
}

// Another process maps the same file while this one runs and sees, and
// makes, changes (a shared RAM is how co-simulated processes share memory).
TEST(RamBacking, SharedFileIsSeenByASecondProcess) {
  TempFile file("two_processes");
  ContainerRegion root("root", k64BitSpace);
  RamRegion shm("shm", 0x1000, RamFile{file.path, true});
  root.add_subregion(0x80000000, shm);
  AddressSpace space(root, "memory");
  ASSERT_EQ(space.store(0x80000000, 4, 0x600dcafe), MemTxResult::ok);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The second process: its own region over the file (a fork keeps this
    // process's regions alive, names included: hence another name). It
    // answers by writing the next word.
    int status = 1;
    try {
      RamRegion peer("peer_shm", 0x1000, RamFile{file.path, true});
      ContainerRegion peer_root("root", k64BitSpace);
      peer_root.add_subregion(0, peer);
      AddressSpace peer_space(peer_root, "peer");
      uint64_t seen = 0;
      if (peer_space.load(0, 4, seen) == MemTxResult::ok && seen == 0x600dcafe &&
          peer_space.store(4, 4, ~seen & 0xffffffff) == MemTxResult::ok) {
        status = 0;
      }
    } catch (...) {
    }
    _exit(status);
  }
  int status = -1;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the second process did not see the first one's write";
  EXPECT_EQ(load(space, 0x80000004), 0x9ff23501u);  // and this one sees the second's answer
}

TEST(RamBacking, MemoryNamesAreUniqueAmongLiveRegions) {
  RamRegion ram("sram", 0x1000);
  EXPECT_THAT(error_of([] { RamRegion again("sram", 0x2000); }), HasSubstr("'sram'"));
  EXPECT_THAT(error_of([] { RomRegion rom("sram", 0x1000); }), HasSubstr("unique"));
  EXPECT_THAT(error_of([] { RomDeviceRegion flash("sram", 0x1000, MmioOps{}); }), HasSubstr("'sram'"));
  // MMIO and containers are not memory: their names may repeat.
  MmioRegion a("regs", 0x100);
  MmioRegion b("regs", 0x100);
  ContainerRegion c("sram", 0x1000);
  // Once a region is gone its name is free again.
  { RamRegion scratch("scratch", 0x1000); }
  RamRegion scratch("scratch", 0x1000);
  EXPECT_EQ(scratch.name(), "scratch");
}

TEST(RamBacking, PrivateFileIsTheStartingPointAndIsNeverWritten) {
  TempFile file("image");
  file.write({0x13, 0x00, 0x00, 0x00, 0x6f, 0x00});  // shorter than the ROM
  ContainerRegion root("root", k64BitSpace);
  RomRegion flash("flash", 0x1000, RamFile{file.path, false});
  root.add_subregion(0x20000000, flash);
  AddressSpace space(root, "memory");
  EXPECT_EQ(load(space, 0x20000000), 0x13u);
  EXPECT_EQ(load(space, 0x20000004), 0x6fu);  // the rest of the image reads as zero
  EXPECT_EQ(load(space, 0x20000ff0), 0u);
  // A ROM is written by its loader (debug access), never through the bus,
  // and the file stays as it was either way.
  const uint32_t patch = 0xffffffff;
  EXPECT_NE(space.write(0x20000000, &patch, 4), MemTxResult::ok);
  EXPECT_EQ(load(space, 0x20000000), 0x13u);
  space.debug_write(0x20000000, &patch, 4);
  EXPECT_EQ(load(space, 0x20000000), 0xffffffffu);
  EXPECT_THAT(file.bytes(), ElementsAre(0x13, 0x00, 0x00, 0x00, 0x6f, 0x00));
}

TEST(RamBacking, AFileThatCannotBeOpenedIsReportedWithTheRegionAndThePath) {
  const std::string message =
      error_of([] { RamRegion ram("bad", 0x1000, RamFile{"/nonexistent-dir/ram.img", false}); });
  EXPECT_THAT(message, HasSubstr("'bad'"));
  EXPECT_THAT(message, HasSubstr("/nonexistent-dir/ram.img"));
}

TEST(RamBacking, ARomDeviceBackedWithAFileLaterKeepsItsAddressAndShowsTheFile) {
  TempFile file("romd_shared");
  file.write({1, 2, 3, 4});
  RomDeviceRegion flash("flash", 0x2000);
  uint8_t* before = flash.host_ptr();  // as a DMI grant would hold it
  before[0] = 0x55;
  ASSERT_TRUE(flash.back_with_file(RamFile{file.path, true}));
  EXPECT_EQ(flash.host_ptr(), before);
  EXPECT_EQ(before[0], 1) << "the file's content, at the same address";
  before[4] = 9;  // shared: reaches the file
  const std::vector<uint8_t> bytes = file.bytes();
  ASSERT_EQ(bytes.size(), 0x2000u) << "grown to the region's size";
  EXPECT_EQ(bytes[4], 9);
}

TEST(RamBacking, ARomDeviceBackedWithAPrivateFileGetsItsContentOnly) {
  TempFile file("romd_private");
  file.write({7, 8});
  RomDeviceRegion flash("flash", 0x1000);
  ASSERT_TRUE(flash.back_with_file(RamFile{file.path, false}));
  EXPECT_EQ(flash.host_ptr()[1], 8);
  flash.host_ptr()[0] = 0;
  EXPECT_EQ(file.bytes(), (std::vector<uint8_t>{7, 8}));
  EXPECT_THAT(error_of([&] { flash.back_with_file(RamFile{"/nonexistent/x", false}); }),
              HasSubstr("region 'flash': cannot back it with file '/nonexistent/x'"));
}

TEST(RamBacking, ResizeableRamShowsItsUsedLengthAndKeepsItsContent) {
  ContainerRegion root("root", k64BitSpace);
  std::vector<u128> told;
  RamRegion ram("fw_cfg", ResizeableRam{0x1000, 0x4000, [&](RamRegion&, u128 used) { told.push_back(used); }});
  EXPECT_EQ(ram.size(), 0x1000u);
  EXPECT_EQ(ram.max_size(), 0x4000u);
  root.add_subregion(0x10000, ram);
  AddressSpace space(root, "memory");
  space.store(0x10000 + 0xff0, 4, 0x11223344);
  EXPECT_EQ(space.read(0x10000 + 0x1000, nullptr, 0), MemTxResult::ok);
  uint32_t v = 0;
  EXPECT_EQ(space.read(0x10000 + 0x1000, &v, 4), MemTxResult::decode_error);  // past the used length
  ram.resize(0x3000);
  EXPECT_THAT(told, ElementsAre(u128(0x3000)));
  EXPECT_EQ(space.read(0x10000 + 0x2ffc, &v, 4), MemTxResult::ok);
  EXPECT_EQ(load(space, 0x10000 + 0xff0), 0x11223344u);  // the content stays
  ram.resize(0x800);
  EXPECT_EQ(space.read(0x10000 + 0x800, &v, 4), MemTxResult::decode_error);
  EXPECT_THAT(told, ElementsAre(u128(0x3000), u128(0x800)));
}

TEST(RamBacking, ResizeRefusalsNameTheRegion) {
  RamRegion ram("fw_cfg", ResizeableRam{0x1000, 0x4000, nullptr});
  EXPECT_THAT(error_of([&] { ram.resize(0x5000); }), HasSubstr("'fw_cfg'"));
  EXPECT_EQ(ram.size(), 0x1000u);  // refused whole
  EXPECT_THAT(error_of([&] { ram.resize(0); }), HasSubstr("'fw_cfg'"));
  RamRegion fixed("plain", 0x1000);
  EXPECT_THAT(error_of([&] { fixed.resize(0x800); }), HasSubstr("not resizeable"));
  EXPECT_THAT(error_of([] { RamRegion r("too_big", ResizeableRam{0x2000, 0x1000, nullptr}); }),
              HasSubstr("'too_big'"));
  // set_size() may not outgrow the memory behind a region.
  EXPECT_THAT(error_of([&] { fixed.set_size(0x2000); }), HasSubstr("'plain'"));
  EXPECT_EQ(fixed.size(), 0x1000u);
}

TEST(RamBacking, SetSizeOfAContainerRendersAgain) {
  ContainerRegion root("root", k64BitSpace);
  ContainerRegion window("window", 0x1000);
  RamRegion ram("ram", 0x4000);
  window.add_subregion(0, ram);  // clipped by its container
  root.add_subregion(0x100000, window);
  AddressSpace space(root, "memory");
  uint32_t v = 0;
  EXPECT_EQ(space.read(0x101000, &v, 4), MemTxResult::decode_error);
  window.set_size(0x4000);
  EXPECT_EQ(space.read(0x101000, &v, 4), MemTxResult::ok);
  ASSERT_EQ(space.flat_view()->ranges().size(), 1u);
  EXPECT_EQ(space.flat_view()->ranges()[0].size(), 0x4000u);
}

// A TLM initiator holding DMI over a RAM that shrinks is told exactly the
// part that went away (and the rest that changed shape).
TEST(RamBacking, DmiOverAShrunkRamIsInvalidated) {
  Bus<64> bus{"bus"};
  RamRegion ram("ram", ResizeableRam{0x4000, 0x4000, nullptr});
  bus.map(0x0, ram);
  RecordingInitiator<64> cpu{"cpu"};
  cpu.socket.bind(bus.target_socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(cpu.dmi(0x3000, dmi));
  EXPECT_EQ(dmi.get_end_address(), 0x3fffu);
  ram.resize(0x2000);
  ASSERT_FALSE(cpu.invalidations.empty());
  bool covers_lost_part = false;
  for (const auto& [first, last] : cpu.invalidations) covers_lost_part |= first <= 0x2000 && last >= 0x3fff;
  EXPECT_TRUE(covers_lost_part);
  uint32_t v = 0;
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x3000, &v, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  ASSERT_TRUE(cpu.dmi(0x1000, dmi));
  EXPECT_EQ(dmi.get_end_address(), 0x1fffu);
}

}  // namespace
}  // namespace tlmmap
