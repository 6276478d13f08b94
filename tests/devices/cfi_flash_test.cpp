// The CFI flash of QEMU's virt machine (pflash_cfi01 semantics, two x16
// chips on a 32-bit bank): read array straight from memory in romd mode,
// every command through the callbacks, the answers replicated per chip, and
// the image file keeping what was programmed.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>

#include "support/map_text.hpp"
#include "support/tlm_devices.hpp"
#include "tlmmap/devices/cfi_flash.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

constexpr uint64_t kBase = 0x20000000;
constexpr uint64_t kBlock = 256 << 10;

std::string temp_path(const char* what) {
  return std::string(::testing::TempDir()) + "/cfi_flash_test_" + std::to_string(::getpid()) + "_" + what;
}

// The flash at 0x20000000 of a 64-bit space, as on virt.
struct Board {
  explicit Board(CfiFlashConfig config = {}) : flash("virt.flash0", std::move(config)) {
    root.add_subregion(kBase, flash.region());
  }
  uint32_t rd(uint64_t offset, unsigned size = 4) {
    uint64_t v = 0;
    EXPECT_EQ(space.load(kBase + offset, size, v), MemTxResult::ok);
    return static_cast<uint32_t>(v);
  }
  void wr(uint64_t offset, uint32_t v, unsigned size = 4) { EXPECT_EQ(space.store(kBase + offset, size, v), MemTxResult::ok); }

  ContainerRegion root{"system", k64BitSpace};
  CfiFlash flash;
  AddressSpace space{root, "memory"};
};

TEST(CfiFlash, StartsInReadArrayModeReadStraightFromMemory) {
  Board b;
  EXPECT_EQ(b.flash.region().size(), 32u << 20);
  EXPECT_TRUE(b.flash.region().romd());
  EXPECT_EQ(b.rd(0), 0u) << "without a file: zeros, as QEMU's flash without a drive";
  EXPECT_EQ(b.rd(0x1fffffc), 0u);
  Mapping m = b.space.map(kBase + 0x100, 16, false);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m.bounced()) << "romd: mapped in place, as DMI grants it";
  AddressSpace::unmap(m, 0);
}

TEST(CfiFlash, ACommandLeavesRomdModeAndReadArrayComesBack) {
  Board b;
  b.wr(0, 0x70);
  EXPECT_FALSE(b.flash.region().romd());
  Mapping m = b.space.map(kBase, 4, false);
  EXPECT_TRUE(m.bounced()) << "reads go to the callbacks";
  AddressSpace::unmap(m, 0);
  b.wr(0, 0xff);
  EXPECT_TRUE(b.flash.region().romd());
  EXPECT_EQ(b.flash.mode(), 0x00);
}

TEST(CfiFlash, ReadStatusAnswersInEveryChipsLane) {
  Board b;
  b.wr(0x1234, 0x00700070);
  EXPECT_EQ(b.rd(0), 0x00800080u) << "ready, in both x16 chips";
  EXPECT_EQ(b.rd(0x40000), 0x00800080u) << "at any address";
  EXPECT_EQ(b.rd(2, 2), 0x0080u);
  EXPECT_EQ(b.rd(0, 1), 0x80u);
}

TEST(CfiFlash, CfiQueryGivesTheTableOneByteAWord) {
  Board b;
  b.wr(0x55 * 4, 0x98);
  EXPECT_EQ(b.rd(0x10 * 4), 0x00510051u);  // 'Q'
  EXPECT_EQ(b.rd(0x11 * 4), 0x00520052u);  // 'R'
  EXPECT_EQ(b.rd(0x12 * 4), 0x00590059u);  // 'Y'
  EXPECT_EQ(b.rd(0x13 * 4) & 0xff, 0x01u) << "Intel/Sharp command set";
  EXPECT_EQ(b.rd(0x27 * 4) & 0xff, 24u) << "each chip holds 16 MiB";
  EXPECT_EQ(b.rd(0x2c * 4) & 0xff, 1u) << "one erase block region";
  const uint32_t blocks = (b.rd(0x2d * 4) & 0xff) | (b.rd(0x2e * 4) & 0xff) << 8;
  const uint32_t per_256 = (b.rd(0x2f * 4) & 0xff) | (b.rd(0x30 * 4) & 0xff) << 8;
  EXPECT_EQ(blocks + 1, 128u) << "128 blocks";
  EXPECT_EQ(per_256 * 256 * 2, kBlock) << "of 256 KiB across the two chips";
  EXPECT_EQ(b.rd(0x31 * 4) & 0xff, uint32_t('P'));
  EXPECT_EQ(b.rd(0x10 * 4, 1), 0x51u) << "a byte read answers from its lane";
}

TEST(CfiFlash, ReadIdentifierGivesManufacturerAndDevice) {
  Board b;
  b.wr(0, 0x90);
  EXPECT_EQ(b.rd(0), 0x00890089u);
  EXPECT_EQ(b.rd(4), 0x00180018u);
  EXPECT_EQ(b.rd(8), 0u) << "block lock status: unlocked";
  EXPECT_EQ(b.rd(0x100), 0x00890089u) << "repeats every 0x100 bytes";
}

TEST(CfiFlash, WordProgramStoresOneWordThenReadsStatus) {
  Board b;
  b.wr(0x40000, 0x40);
  b.wr(0x40000, 0xcafef00d);
  EXPECT_EQ(b.rd(0x40000), 0x00800080u) << "status until read array";
  b.wr(0, 0xff);
  EXPECT_EQ(b.rd(0x40000), 0xcafef00du);
  EXPECT_EQ(b.rd(0x40004), 0u);
  b.wr(0x40004, 0x10);  // the alternate program command
  b.wr(0x40004, 0x12345678);
  b.wr(0, 0xff);
  EXPECT_EQ(b.rd(0x40004), 0x12345678u);
}

TEST(CfiFlash, BlockEraseErasesTheWholeBlockAndOnlyIt) {
  Board b;
  for (uint64_t at : {kBlock - 4, kBlock, 2 * kBlock - 4, 2 * kBlock}) {
    b.wr(at, 0x40);
    b.wr(at, 0);
  }
  b.wr(kBlock + 0x1234, 0x20);
  b.wr(kBlock + 0x1234, 0xd0);
  EXPECT_EQ(b.rd(0), 0x00800080u);
  b.wr(0, 0xff);
  EXPECT_EQ(b.rd(kBlock - 4), 0u);
  EXPECT_EQ(b.rd(kBlock), 0xffffffffu);
  EXPECT_EQ(b.rd(2 * kBlock - 4), 0xffffffffu);
  EXPECT_EQ(b.rd(2 * kBlock), 0u);
}

TEST(CfiFlash, AnEraseWithoutConfirmIsACommandSequenceError) {
  Board b;
  b.wr(0, 0x40);
  b.wr(0, 0);
  b.wr(0, 0x20);
  b.wr(0, 0xff);  // not 0xd0
  EXPECT_TRUE(b.flash.region().romd()) << "back to read array";
  EXPECT_EQ(b.rd(0), 0u) << "nothing erased";
  b.wr(0, 0x70);
  EXPECT_EQ(b.rd(0), 0x00b000b0u) << "ready, erase and program error bits";
  b.wr(0, 0x50);  // clear status
  b.wr(0, 0x70);
  EXPECT_EQ(b.rd(0), 0u);
}

TEST(CfiFlash, BufferedProgramStoresNWordsAfterConfirm) {
  Board b;
  b.wr(0x800, 0xe8);
  EXPECT_EQ(b.rd(0x800), 0x00800080u) << "the buffer is available";
  b.wr(0x800, 0x00030003);  // 4 words (n - 1 per chip)
  for (uint32_t i = 0; i < 4; ++i) b.wr(0x800 + 4 * i, 0x11110000 + i);
  b.wr(0x800, 0xd0);
  b.wr(0, 0xff);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(b.rd(0x800 + 4 * i), 0x11110000 + i);
  EXPECT_EQ(b.rd(0x810), 0u);
}

TEST(CfiFlash, BlockLockCommandsAreAccepted) {
  Board b;
  b.wr(0, 0x60);
  b.wr(0, 0xd0);
  b.wr(0, 0x60);
  b.wr(0, 0x01);
  b.wr(0, 0x70);
  EXPECT_EQ(b.rd(0), 0x00800080u);
}

TEST(CfiFlash, AnUnknownCommandGoesBackToReadArray) {
  Board b;
  b.wr(0, 0x70);
  b.wr(0, 0x42);
  EXPECT_TRUE(b.flash.region().romd());
  EXPECT_EQ(b.rd(0), 0u);
}

TEST(CfiFlash, ProgrammingReachesAnImageFileAndTheNextRunSeesIt) {
  const std::string path = temp_path("image");
  std::remove(path.c_str());
  {
    CfiFlashConfig c;
    c.file = path;
    Board b(c);
    EXPECT_EQ(b.rd(0x100), 0xffffffffu) << "a missing file is an erased flash";
    b.wr(0x100, 0x40);
    b.wr(0x100, 0x5eed1e55);
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 32 << 20);
  std::ifstream in(path, std::ios::binary);
  in.seekg(0x100);
  uint32_t word = 0;
  in.read(reinterpret_cast<char*>(&word), 4);
  EXPECT_EQ(word, 0x5eed1e55u);
  {
    CfiFlashConfig c;
    c.file = path;
    Board b(c);
    EXPECT_EQ(b.rd(0x100), 0x5eed1e55u);
  }
  std::remove(path.c_str());
}

TEST(CfiFlash, AShorterImageIsPaddedErasedALongerOneRefused) {
  const std::string path = temp_path("short");
  {
    std::ofstream out(path, std::ios::binary);
    out << "BOOT";
  }
  {
    CfiFlashConfig c;
    c.file = path;
    Board b(c);
    EXPECT_EQ(b.rd(0), 0x544f4f42u);  // "BOOT"
    EXPECT_EQ(b.rd(4), 0xffffffffu);
  }
  ASSERT_EQ(::truncate(path.c_str(), (32 << 20) + 1), 0);
  CfiFlashConfig c;
  c.file = path;
  EXPECT_NE(test::error_of([&] { CfiFlash f("virt.flash0", c); }).find("more than the flash's 0x2000000"),
            std::string::npos);
  std::remove(path.c_str());
}

TEST(CfiFlash, BehindAMapsRegionItsImageFileAppearsAtTheSameAddress) {
  const std::string path = temp_path("attached");
  std::remove(path.c_str());
  RomDeviceRegion region("virt.flash0", 32 << 20);  // as a memmap file makes it
  uint8_t* before = region.host_ptr();
  CfiFlashConfig c;
  c.file = path;
  CfiFlash flash(region, c);
  EXPECT_EQ(&flash.region(), &region);
  EXPECT_EQ(region.host_ptr(), before);
  uint64_t v = 0;
  EXPECT_EQ(region.dispatch_write(0x10, 0x40, 4, MemTxAttrs{}), MemTxResult::ok);
  EXPECT_EQ(region.dispatch_write(0x10, 0xabcd1234, 4, MemTxAttrs{}), MemTxResult::ok);
  EXPECT_EQ(region.dispatch_read(0x10, v, 4, MemTxAttrs{}), MemTxResult::ok);
  EXPECT_EQ(v, 0x00800080u);
  std::ifstream in(path, std::ios::binary);
  in.seekg(0x10);
  uint32_t word = 0;
  in.read(reinterpret_cast<char*>(&word), 4);
  EXPECT_EQ(word, 0xabcd1234u);
  std::remove(path.c_str());
}

TEST(CfiFlash, DmiReadsInRomdModeAreWithdrawnByACommand) {
  tlmmap::Bus<32> bus("bus");
  CfiFlash flash("virt.flash0", {});
  bus.map(kBase, flash.region());
  test::RecordingInitiator<32> cpu("cpu");
  cpu.socket.bind(bus.target_socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // initiators hold grants once elaborated
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(cpu.dmi(kBase + 0x10, dmi));
  EXPECT_TRUE(dmi.is_read_allowed());
  EXPECT_FALSE(dmi.is_write_allowed()) << "writes are commands";
  uint32_t cmd = 0x98;
  EXPECT_EQ(cpu.transport(tlm::TLM_WRITE_COMMAND, kBase, &cmd, 4), tlm::TLM_OK_RESPONSE);
  ASSERT_FALSE(cpu.invalidations.empty());
  EXPECT_LE(cpu.invalidations.back().first, kBase);
  EXPECT_GE(cpu.invalidations.back().second, kBase + (32 << 20) - 1);
  uint32_t q = 0;
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, kBase + 0x40, &q, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(q, 0x00510051u);
  EXPECT_FALSE(cpu.dmi(kBase + 0x10, dmi)) << "no DMI while in a command mode";
}

}  // namespace
// A checkpoint cut inside a sequence: after the restore (here on the same
// flash, reset in between) the sequence goes on where it stopped.
TEST(CfiFlash, ACheckpointCarriesACommandSequenceAcrossTheRestore) {
  Board b;
  DeviceState programming, buffering, querying;
  b.wr(0x40000, 0x40);  // word program: the data cycle is next
  b.flash.save_state(programming, "flash0.");
  EXPECT_EQ(programming.at("flash0.mode"), 0x40u);
  EXPECT_EQ(programming.at("flash0.write_cycle"), 1u);
  b.flash.reset();
  b.wr(0x40000, 0xff);  // what the restore replaces: read array
  b.flash.restore_state(programming, "flash0.");
  EXPECT_FALSE(b.flash.region().romd());
  b.wr(0x40000, 0xcafef00d);  // the data, not a command
  EXPECT_EQ(b.rd(0x40000), 0x00800080u);
  b.wr(0, 0xff);
  EXPECT_EQ(b.rd(0x40000), 0xcafef00du);

  b.wr(0x80000, 0xe8);  // buffered program of 4 words, cut after 2
  b.wr(0x80000, 0x00030003);
  b.wr(0x80000, 0x11111111);
  b.wr(0x80004, 0x22222222);
  b.flash.save_state(buffering, "flash0.");
  b.flash.reset();
  b.flash.restore_state(buffering, "flash0.");
  b.wr(0x80008, 0x33333333);
  b.wr(0x8000c, 0x44444444);
  b.wr(0x80000, 0xd0);  // the confirm cycle comes where the count says
  EXPECT_EQ(b.rd(0), 0x00800080u) << "no sequence error";
  b.wr(0, 0xff);
  EXPECT_EQ(b.rd(0x8000c), 0x44444444u);

  b.wr(0x55 * 4, 0x98);  // a query mode, restored into read-array mode
  b.flash.save_state(querying, "flash0.");
  b.wr(0, 0xff);
  EXPECT_TRUE(b.flash.region().romd());
  b.flash.restore_state(querying, "flash0.");
  EXPECT_FALSE(b.flash.region().romd());
  EXPECT_EQ(b.rd(0x10 * 4), 0x00510051u);  // 'Q'
  EXPECT_EQ(test::error_of([&] { b.flash.restore_state(DeviceState{}, "flash0."); }),
            "device state: no value 'flash0.mode' to restore");
}

}  // namespace tlmmap
