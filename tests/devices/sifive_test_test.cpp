// sifive_test: how a program tells the simulator it passed, failed or wants a reset.
// sc_spawn
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <gtest/gtest.h>

#include <vector>

#include "device_bench.hpp"
#include "tlmmap/devices/sifive_test.hpp"

namespace {

using Kind = tlmmap::SifiveTest::Finish::Kind;
using tlmmap::test::DeviceBench;

struct Finisher {
  tlmmap::SifiveTest test{"test"};
  DeviceBench bus{"riscv.sifive.test", 0x1000, test.ops()};
  std::vector<tlmmap::SifiveTest::Finish> finishes;
  Finisher() {
    test.on_finish = [this](const tlmmap::SifiveTest::Finish& f) { finishes.push_back(f); };
  }
};

TEST(SifiveTest, PassIs0x5555WithExitStatusZero) {
  Finisher f;
  EXPECT_TRUE(f.bus.write(0, 0x5555));
  ASSERT_EQ(f.finishes.size(), 1u);
  EXPECT_EQ(f.finishes[0].kind, Kind::pass);
  EXPECT_EQ(f.test.finish()->exit_status(), 0);
}

TEST(SifiveTest, FailCarriesItsCodeInTheHighHalfAndExitsLikeQemu) {
  Finisher f;
  EXPECT_TRUE(f.bus.write(0, (42u << 16) | 0x3333));
  ASSERT_EQ(f.finishes.size(), 1u);
  EXPECT_EQ(f.finishes[0].kind, Kind::fail);
  EXPECT_EQ(f.finishes[0].code, 42u);
  EXPECT_EQ(f.test.finish()->exit_status(), 85);  // (42 << 1) | 1
}

TEST(SifiveTest, ResetIs0x7777AndOtherValuesAreIgnored) {
  Finisher f;
  EXPECT_TRUE(f.bus.write(0, 0x1234));
  EXPECT_TRUE(f.bus.write(4, 0x5555));  // not the register
  EXPECT_TRUE(f.finishes.empty());
  EXPECT_TRUE(f.bus.write(0, 0x7777));
  ASSERT_EQ(f.finishes.size(), 1u);
  EXPECT_EQ(f.finishes[0].kind, Kind::reset);
  EXPECT_EQ(f.bus.read(0), 0u);
  EXPECT_EQ(f.bus.read(0, 1), DeviceBench::refused);  // 2 or 4 bytes only
}

TEST(SifiveTest, ByDefaultAFinishStopsTheSimulation) {
  tlmmap::SifiveTest test{"test"};
  DeviceBench bus{"riscv.sifive.test", 0x1000, test.ops()};
  sc_core::sc_spawn([&bus] {
    sc_core::wait(3, sc_core::SC_US);
    bus.write(0, 0x5555);
  });
  sc_core::sc_start(1, sc_core::SC_SEC);
  EXPECT_EQ(sc_core::sc_time_stamp(), sc_core::sc_time(3, sc_core::SC_US));
  EXPECT_EQ(test.finish()->when, sc_core::sc_time(3, sc_core::SC_US));
}

}  // namespace
