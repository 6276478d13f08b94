// The model's access path: QEMU's address_space_rw() and ld/st semantics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/map_text.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records every callback as "r@off/size" or "w@off/size=value".
struct Device {
  std::vector<std::string> log;
  uint64_t next_read = 0;

  MmioOps ops() {
    MmioOps o;
    o.read = [this](uint64_t off, unsigned size) {
      log.push_back("r@" + hex(off) + "/" + std::to_string(size));
      return next_read;
    };
    o.write = [this](uint64_t off, uint64_t v, unsigned size) {
      log.push_back("w@" + hex(off) + "/" + std::to_string(size) + "=" + hex(v));
    };
    return o;
  }
};

struct Map {
  ContainerRegion root{"root", k64BitSpace};
  AddressSpace space{root, "as"};
};

uint32_t le32(const uint8_t* b) { return b[0] | b[1] << 8 | b[2] << 16 | uint32_t(b[3]) << 24; }

TEST(Access, RamReadsAndWritesAcrossRanges) {
  Map m;
  RamRegion a("a", 0x1000), b("b", 0x1000);
  m.root.add_subregion(0x1000, a);
  m.root.add_subregion(0x2000, b);
  uint8_t out[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(m.space.write(0x1ffc, out, 8), MemTxResult::ok);  // spans a and b
  EXPECT_EQ(a.host_ptr()[0xffc], 1);
  EXPECT_EQ(b.host_ptr()[3], 8);
  uint8_t in[8] = {};
  EXPECT_EQ(m.space.read(0x1ffc, in, 8), MemTxResult::ok);
  EXPECT_EQ(std::memcmp(in, out, 8), 0);
  uint64_t v = 0;
  EXPECT_EQ(m.space.load(0x1ffc, 4, v), MemTxResult::ok);
  EXPECT_EQ(v, 0x04030201u);
  EXPECT_EQ(m.space.store(0x2000, 2, 0xbeef), MemTxResult::ok);
  EXPECT_EQ(b.host_ptr()[0], 0xef);
}

TEST(Access, UnmappedPolicies) {
  Map m;
  RamRegion ram("ram", 0x10);
  m.root.add_subregion(0x0, ram);
  uint8_t buf[0x20];
  std::memset(buf, 0xaa, sizeof buf);
  // By default: decode error, the unmapped bytes read as zero, the mapped ones done.
  ram.host_ptr()[0xf] = 0x77;
  EXPECT_EQ(m.space.read(0xf, buf, 2), MemTxResult::decode_error);
  EXPECT_EQ(buf[0], 0x77);
  EXPECT_EQ(buf[1], 0);
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_THROW);
  EXPECT_EQ(test::error_of([&] { m.space.read(0x100, buf, 4); }), "");
  m.space.set_unmapped_policy(UnmappedPolicy::error_with_warning);
  try {
    m.space.write(0x100, buf, 4);
    ADD_FAILURE() << "no warning";
  } catch (const sc_core::sc_report& r) {
    EXPECT_EQ(r.get_severity(), sc_core::SC_WARNING);
    EXPECT_THAT(r.get_msg(), HasSubstr("write of 4 bytes at 0x100 in address space 'as': nothing is mapped there"));
  }
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  m.space.set_unmapped_policy(UnmappedPolicy::read_zero_write_ignore);
  std::memset(buf, 0xaa, sizeof buf);
  EXPECT_EQ(m.space.read(0x100, buf, 4), MemTxResult::ok);
  EXPECT_EQ(le32(buf), 0u);
  EXPECT_EQ(m.space.write(0x100, buf, 4), MemTxResult::ok);
  m.space.set_unmapped_policy(UnmappedPolicy::read_zero_write_ignore_with_warning);
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_THROW);
  EXPECT_THROW(m.space.read(0x100, buf, 4), sc_core::sc_report);
}

TEST(Access, AccessRunningPastTheTopOfTheSpaceIsUnmappedBeyond) {
  Map m;
  RamRegion top("top", 0x10);
  m.root.add_subregion(0xfffffffffffffff0, top);
  uint8_t buf[0x20] = {};
  EXPECT_EQ(m.space.write(0xfffffffffffffff8, buf, 0x10), MemTxResult::decode_error);
}

TEST(Access, RomAndReadOnlyRangesRefuseWrites) {
  Map m;
  RomRegion rom("rom", 0x100);
  RamRegion ram("ram", 0x100);
  AliasRegion locked("locked", ram, 0, 0x100);
  locked.set_readonly(true);
  m.root.add_subregion(0x0, rom);
  m.root.add_subregion(0x1000, locked);
  m.root.add_subregion(0x2000, ram);
  rom.host_ptr()[0] = 0x5a;
  uint64_t v = 0;
  EXPECT_EQ(m.space.load(0x0, 1, v), MemTxResult::ok);
  EXPECT_EQ(v, 0x5au);
  EXPECT_EQ(m.space.store(0x0, 1, 0x11), MemTxResult::access_error);
  EXPECT_EQ(rom.host_ptr()[0], 0x5a);
  EXPECT_EQ(m.space.store(0x1000, 4, 0x11), MemTxResult::access_error);
  EXPECT_EQ(m.space.store(0x2000, 4, 0x11), MemTxResult::ok);  // the same RAM, writable directly
  EXPECT_EQ(m.space.load(0x1000, 4, v), MemTxResult::ok);
  EXPECT_EQ(v, 0x11u);
}

TEST(Access, RomDeviceReadsMemoryInRomdModeAndCallsBackOtherwise) {
  Map m;
  Device dev;
  dev.next_read = 0x99;
  RomDeviceRegion flash("flash", 0x1000, dev.ops());
  m.root.add_subregion(0x0, flash);
  flash.host_ptr()[4] = 0x42;
  uint64_t v = 0;
  EXPECT_EQ(m.space.load(0x4, 1, v), MemTxResult::ok);
  EXPECT_EQ(v, 0x42u);
  EXPECT_EQ(m.space.store(0x4, 1, 0x17), MemTxResult::ok);  // a write is a command to the device
  EXPECT_EQ(flash.host_ptr()[4], 0x42);
  flash.set_romd(false);
  EXPECT_EQ(m.space.load(0x4, 1, v), MemTxResult::ok);
  EXPECT_EQ(v, 0x99u);
  EXPECT_THAT(dev.log, ElementsAre("w@0x4/1=0x17", "r@0x4/1"));
}

TEST(Access, ReservationsAreReportedAndAnsweredWithAnError) {
  Map m;
  ReservationRegion kvm("kvm-owned", 0x1000);
  m.root.add_subregion(0x4000, kvm);
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_THROW);
  try {
    uint64_t v;
    m.space.load(0x4010, 4, v);
    ADD_FAILURE() << "no warning";
  } catch (const sc_core::sc_report& r) {
    EXPECT_THAT(r.get_msg(), HasSubstr("read of 4 bytes at 0x4010 in address space 'as' hits reservation 'kvm-owned' (offset 0x10)"));
  }
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  uint64_t v = 1;
  EXPECT_EQ(m.space.load(0x4010, 4, v), MemTxResult::decode_error);
  EXPECT_EQ(v, 0u);
}

TEST(Access, ValidSizesAlignmentAndAcceptsRefuseAccesses) {
  Map m;
  Device dev;
  MmioOps ops = dev.ops();
  ops.valid.min_access_size = 2;
  ops.valid.max_access_size = 4;
  ops.valid.accepts = [](uint64_t off, unsigned, bool is_write, const MemTxAttrs&) { return !(is_write && off == 0x8); };
  MmioRegion regs("regs", 0x100, ops);
  m.root.add_subregion(0x0, regs);
  uint64_t v = 7;
  EXPECT_EQ(m.space.load(0x0, 1, v), MemTxResult::decode_error);  // below valid.min
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(m.space.load(0x0, 8, v), MemTxResult::decode_error);  // above valid.max
  EXPECT_EQ(m.space.load(0x2, 4, v), MemTxResult::decode_error);  // unaligned
  EXPECT_EQ(m.space.store(0x8, 4, 1), MemTxResult::decode_error);  // accepts() says no
  EXPECT_TRUE(dev.log.empty());
  EXPECT_EQ(m.space.load(0x8, 4, v), MemTxResult::ok);
  EXPECT_EQ(m.space.load(0x4, 2, v), MemTxResult::ok);
  EXPECT_THAT(dev.log, ElementsAre("r@0x8/4", "r@0x4/2"));
}

TEST(Access, ImplSizesSplitWideAccessesLittleEndian) {
  Map m;
  std::vector<std::string> log;
  MmioOps ops;
  ops.endianness = Endianness::little;
  ops.impl.max_access_size = 1;
  ops.read = [&](uint64_t off, unsigned size) {
    log.push_back("r@" + hex(off) + "/" + std::to_string(size));
    return 0x10 + off;  // each byte tells its offset
  };
  ops.write = [&](uint64_t off, uint64_t v, unsigned size) {
    log.push_back("w@" + hex(off) + "/" + std::to_string(size) + "=" + hex(v));
  };
  MmioRegion regs("regs", 0x100, ops);
  m.root.add_subregion(0x0, regs);
  uint64_t v = 0;
  EXPECT_EQ(m.space.load(0x4, 4, v), MemTxResult::ok);
  EXPECT_EQ(v, 0x17161514u);  // byte i from offset 4+i, little endian
  EXPECT_EQ(m.space.store(0x8, 2, 0xa1b2), MemTxResult::ok);
  EXPECT_THAT(log, ElementsAre("r@0x4/1", "r@0x5/1", "r@0x6/1", "r@0x7/1", "w@0x8/1=0xb2", "w@0x9/1=0xa1"));
}

TEST(Access, ImplSizesSplitWideAccessesBigEndian) {
  Map m;
  std::vector<std::string> log;
  MmioOps ops;
  ops.endianness = Endianness::big;
  ops.impl.max_access_size = 2;
  ops.read = [&](uint64_t off, unsigned size) {
    log.push_back("r@" + hex(off) + "/" + std::to_string(size));
    return off == 0 ? 0x1122 : 0x3344;
  };
  MmioRegion regs("regs", 0x100, ops);
  m.root.add_subregion(0x0, regs);
  uint8_t bytes[4] = {};
  uint64_t v = 0;
  EXPECT_EQ(m.space.load(0x0, 4, v), MemTxResult::ok);
  std::memcpy(bytes, &v, 4);
  // The device value is 0x11223344 (first half in the high bits); memory holds it big-endian.
  EXPECT_THAT(std::vector<int>(bytes, bytes + 4), ElementsAre(0x11, 0x22, 0x33, 0x44));
  EXPECT_THAT(log, ElementsAre("r@0x0/2", "r@0x2/2"));
}

TEST(Access, ImplMinWidensNarrowAccessesAsQemuDoes) {
  Map m;
  std::vector<std::string> log;
  MmioOps ops;
  ops.endianness = Endianness::little;
  ops.impl.min_access_size = 4;
  ops.read = [&](uint64_t off, unsigned size) {
    log.push_back("r@" + hex(off) + "/" + std::to_string(size));
    return uint64_t(0xaabbccdd);
  };
  ops.write = [&](uint64_t off, uint64_t v, unsigned size) {
    log.push_back("w@" + hex(off) + "/" + std::to_string(size) + "=" + hex(v));
  };
  MmioRegion regs("regs", 0x100, ops);
  m.root.add_subregion(0x0, regs);
  uint64_t v = 0;
  EXPECT_EQ(m.space.load(0x1, 1, v), MemTxResult::ok);
  EXPECT_EQ(v, 0xddu);  // the low byte of the widened access (QEMU does not realign)
  EXPECT_EQ(m.space.store(0x2, 1, 0x5a), MemTxResult::ok);
  EXPECT_THAT(log, ElementsAre("r@0x1/4", "w@0x2/4=0x5a"));
  // Big endian takes the top byte of the widened value.
  ops.endianness = Endianness::big;
  regs.set_ops(ops);
  EXPECT_EQ(m.space.load(0x1, 1, v), MemTxResult::ok);
  EXPECT_EQ(v, 0xaau);
}

TEST(Access, DeviceEndiannessAndByteSwap) {
  Map m;
  MmioOps ops;
  ops.read = [](uint64_t, unsigned) { return uint64_t(0x11223344); };
  uint64_t last_write = 0;
  ops.write = [&](uint64_t, uint64_t v, unsigned) { last_write = v; };
  MmioRegion regs("regs", 0x100, ops);
  m.root.add_subregion(0x0, regs);
  uint8_t b[4];
  auto bytes = [&] { return std::vector<int>(b, b + 4); };
  ops.endianness = Endianness::little;
  regs.set_ops(ops);
  m.space.read(0, b, 4);
  EXPECT_THAT(bytes(), ElementsAre(0x44, 0x33, 0x22, 0x11));
  ops.endianness = Endianness::big;
  regs.set_ops(ops);
  m.space.read(0, b, 4);
  EXPECT_THAT(bytes(), ElementsAre(0x11, 0x22, 0x33, 0x44));
  const uint8_t out[4] = {0x11, 0x22, 0x33, 0x44};
  m.space.write(0, out, 4);
  EXPECT_EQ(last_write, 0x11223344u);
  MemTxAttrs swap = MemTxAttrs::specified();
  swap.byte_swap = true;  // inverts the device's endianness for this access
  m.space.read(0, b, 4, swap);
  EXPECT_THAT(bytes(), ElementsAre(0x44, 0x33, 0x22, 0x11));
  ops.endianness = Endianness::native;
  regs.set_ops(ops);
  set_native_endianness(Endianness::big);
  m.space.read(0, b, 4);
  EXPECT_THAT(bytes(), ElementsAre(0x11, 0x22, 0x33, 0x44));
  set_native_endianness(Endianness::little);
  m.space.read(0, b, 4);
  EXPECT_THAT(bytes(), ElementsAre(0x44, 0x33, 0x22, 0x11));
}

TEST(Access, BufferAccessesAreSplitIntoValidAlignedPieces) {
  Map m;
  Device dev;
  MmioOps ops = dev.ops();
  ops.valid.max_access_size = 4;
  MmioRegion regs("regs", 0x100, ops);
  m.root.add_subregion(0x0, regs);
  uint8_t buf[16] = {};
  // 12 bytes from offset 2: 2 (alignment), 4, 4, 2.
  EXPECT_EQ(m.space.read(0x2, buf, 12), MemTxResult::ok);
  EXPECT_THAT(dev.log, ElementsAre("r@0x2/2", "r@0x4/4", "r@0x8/4", "r@0xc/2"));
  dev.log.clear();
  // One 8-byte access (as a CPU makes it) is refused by valid.max; as a buffer it is split.
  uint64_t v = 1;
  EXPECT_EQ(m.space.load(0x0, 8, v), MemTxResult::decode_error);
  EXPECT_TRUE(dev.log.empty());
  EXPECT_EQ(m.space.read(0x0, buf, 8), MemTxResult::ok);
  EXPECT_THAT(dev.log, ElementsAre("r@0x0/4", "r@0x4/4"));
}

TEST(Access, AttributesReachTheCallbacksWithAttributes) {
  Map m;
  MemTxAttrs seen;
  MmioOps ops;
  ops.read_with_attrs = [&](uint64_t, uint64_t& v, unsigned, const MemTxAttrs& a) {
    seen = a;
    v = 1;
    return a.secure ? MemTxResult::ok : MemTxResult::error;
  };
  ops.write_with_attrs = [&](uint64_t, uint64_t, unsigned, const MemTxAttrs& a) {
    seen = a;
    return MemTxResult::ok;
  };
  MmioRegion regs("regs", 0x100, ops);
  m.root.add_subregion(0x0, regs);
  uint64_t v = 0;
  EXPECT_EQ(m.space.load(0x0, 4, v), MemTxResult::error);
  EXPECT_TRUE(seen.unspecified);
  MemTxAttrs a = MemTxAttrs::specified();
  a.secure = true;
  a.user = true;
  a.requester_id = 0x1234;
  EXPECT_EQ(m.space.load(0x0, 4, v, a), MemTxResult::ok);
  EXPECT_EQ(seen, a);
  a.memory = true;  // normal memory only: a device refuses
  EXPECT_EQ(m.space.load(0x0, 4, v, a), MemTxResult::access_error);
}

TEST(Access, MmioWithoutCallbacksAnswersLikeUnassignedMemory) {
  Map m;
  MmioRegion bare("bare", 0x100);
  m.root.add_subregion(0x0, bare);
  uint64_t v = 1;
  EXPECT_EQ(m.space.load(0x0, 4, v), MemTxResult::decode_error);
  EXPECT_EQ(v, 0u);
}

TEST(Access, DebugAccessesHaveNoSideEffects) {
  Map m;
  Device dev;
  RamRegion ram("ram", 0x10);
  RomRegion rom("rom", 0x10);
  MmioRegion regs("regs", 0x10, dev.ops());
  m.root.add_subregion(0x0, ram);
  m.root.add_subregion(0x10, rom);
  m.root.add_subregion(0x20, regs);
  uint8_t buf[0x30] = {};
  std::memset(buf, 0x3c, sizeof buf);
  // RAM and ROM (a debugger loading an image) are written; MMIO without a
  // debug callback stops the transfer there, untouched.
  EXPECT_EQ(m.space.debug_write(0x0, buf, 0x30), 0x20u);
  EXPECT_EQ(rom.host_ptr()[0xf], 0x3c);
  EXPECT_TRUE(dev.log.empty());
  MmioOps ops = dev.ops();
  ops.debug_read = [](uint64_t off, unsigned) { return 0xabcd0000 + off; };
  regs.set_ops(ops);
  EXPECT_EQ(m.space.debug_read(0x24, buf, 4), 4u);
  EXPECT_EQ(le32(buf), 0xabcd0004u);
  EXPECT_TRUE(dev.log.empty());
  EXPECT_EQ(m.space.debug_read(0x30, buf, 4), 0u);  // unmapped
}

TEST(Access, LatenciesAddUpPerRegion) {
  Map m;
  RamRegion fast("fast", 0x10), slow("slow", 0x10);
  slow.set_latency(std::chrono::nanoseconds(10), std::chrono::nanoseconds(20));
  fast.set_latency(std::chrono::nanoseconds(1), std::chrono::nanoseconds(2));
  m.root.add_subregion(0x0, fast);
  m.root.add_subregion(0x10, slow);
  uint8_t buf[0x20] = {};
  Duration latency{};
  m.space.read(0x8, buf, 0x10, {}, &latency);
  EXPECT_EQ(latency, std::chrono::nanoseconds(11));
  m.space.write(0x10, buf, 4, {}, &latency);
  EXPECT_EQ(latency, std::chrono::nanoseconds(31));
}

}  // namespace
}  // namespace tlmmap
