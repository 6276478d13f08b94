// The ACLINT MSWI and MTIMER devices at QEMU virt's timebase (10 MHz).
#include <gtest/gtest.h>

#include "device_bench.hpp"
#include "tlmmap/devices/aclint_mswi.hpp"
#include "tlmmap/devices/aclint_mtimer.hpp"

namespace {

using sc_core::SC_NS;
using sc_core::SC_US;
using sc_core::sc_time;
using tlmmap::test::DeviceBench;
using tlmmap::test::settle;

constexpr uint64_t kMtime = 0x7ff8;

struct Timer {
  tlmmap::AclintMtimer mtimer{"mtimer", 1};
  sc_core::sc_signal<bool> mtip{"mtip_line"};
  DeviceBench bus{"riscv.aclint.mtimer", 0x8000, mtimer.ops()};
  Timer() {
    mtimer.mtip[0].bind(mtip);
    settle();
  }
};

TEST(AclintMswi, MsipBitZeroDrivesTheHartsSoftwareInterrupt) {
  tlmmap::AclintMswi mswi{"mswi", 1};
  sc_core::sc_signal<bool> msip{"msip_line"};
  mswi.msip[0].bind(msip);
  DeviceBench bus{"riscv.aclint.swi", 0x4000, mswi.ops()};
  settle();
  EXPECT_TRUE(bus.write(0, 0xffffffff));
  settle();
  EXPECT_TRUE(msip.read());
  EXPECT_EQ(bus.read(0), 1u);  // only bit 0 exists
  EXPECT_TRUE(bus.write(0, 0));
  settle();
  EXPECT_FALSE(msip.read());
  EXPECT_EQ(bus.read(4), 0u);  // no second hart
  EXPECT_EQ(bus.read(0, 1), DeviceBench::refused);  // 4-byte accesses only
}

TEST(AclintMtimer, MtimeCountsSimulatedTimeAtTenMegahertz) {
  Timer t;
  EXPECT_EQ(t.bus.read(kMtime, 8), 0u);
  tlmmap::test::run_for(sc_time(1, SC_US));
  EXPECT_EQ(t.bus.read(kMtime, 8), 10u);
  EXPECT_EQ(t.mtimer.mtime(), 10u);
  tlmmap::test::run_for(sc_time(250, SC_NS));
  EXPECT_EQ(t.bus.read(kMtime, 4), 12u);     // low half
  EXPECT_EQ(t.bus.read(kMtime + 4, 4), 0u);  // high half
}

TEST(AclintMtimer, MtimecmpRaisesMtipAtTheSimulatedTimeItIsReached) {
  Timer t;
  EXPECT_EQ(t.bus.read(0, 8), ~uint64_t{0});  // reset value: never
  settle();
  EXPECT_FALSE(t.mtip.read());
  EXPECT_TRUE(t.bus.write(0, 50, 8));  // 5 us
  tlmmap::test::run_for(sc_time(4999, SC_NS));
  EXPECT_FALSE(t.mtip.read());
  tlmmap::test::run_for(sc_time(1, SC_NS));
  settle();
  EXPECT_TRUE(t.mtip.read());
  EXPECT_EQ(sc_core::sc_time_stamp(), sc_time(5, SC_US));
  // Moving the compare value ahead lowers the line at once.
  EXPECT_TRUE(t.bus.write(0, 100, 8));
  settle();
  EXPECT_FALSE(t.mtip.read());
  tlmmap::test::run_for(sc_time(5, SC_US));
  settle();
  EXPECT_TRUE(t.mtip.read());
}

TEST(AclintMtimer, AWriteOfTwoHalvesLowFirstTakesTheWholeValue) {
  Timer t;
  EXPECT_TRUE(t.bus.write(0, 20, 4));  // low half of a 64-bit store
  EXPECT_TRUE(t.bus.write(4, 0, 4));   // high half
  EXPECT_EQ(t.mtimer.mtimecmp(0), 20u);
  tlmmap::test::run_for(sc_time(2, SC_US));
  settle();
  EXPECT_TRUE(t.mtip.read());
}

TEST(AclintMtimer, WritingMtimeMovesTheCountAndReevaluatesTheComparator) {
  Timer t;
  EXPECT_TRUE(t.bus.write(0, 1000, 8));
  EXPECT_TRUE(t.bus.write(kMtime, 990, 8));
  EXPECT_EQ(t.bus.read(kMtime, 8), 990u);
  tlmmap::test::run_for(sc_time(1, SC_US));  // 10 ticks later
  settle();
  EXPECT_TRUE(t.mtip.read());
  EXPECT_EQ(t.bus.read(kMtime, 8), 1000u);
}

}  // namespace
