// The PLIC as QEMU virt has it: 96 sources, hart 0's M context (0) and S
// context (1), 3 priority bits.
#include <gtest/gtest.h>

#include "device_bench.hpp"
#include "support/map_text.hpp"
#include "tlmmap/devices/plic.hpp"

namespace {

using tlmmap::test::DeviceBench;
using tlmmap::test::settle;

constexpr uint64_t priority(unsigned s) { return 4 * s; }
constexpr uint64_t pending(unsigned word) { return 0x1000 + 4 * word; }
constexpr uint64_t enable(unsigned context, unsigned word) { return 0x2000 + 0x80 * context + 4 * word; }
constexpr uint64_t threshold(unsigned context) { return 0x200000 + 0x1000 * context; }
constexpr uint64_t claim(unsigned context) { return 0x200004 + 0x1000 * context; }

struct Board {
  tlmmap::Plic plic{"plic", 97, 2};
  sc_core::sc_signal<bool> meip{"meip_line"}, seip{"seip_line"};
  DeviceBench bus{"riscv.sifive.plic", 0x600000, plic.ops()};
  Board() {
    plic.eip[0].bind(meip);
    plic.eip[1].bind(seip);
    settle();
  }
  void raise(unsigned s, bool level) {
    plic.source(s).write(level);
    settle();
    settle();  // the PLIC samples, then its outputs change
  }
};

TEST(Plic, ALevelSourceIsPendingWhileItsLineIsHigh) {
  Board b;
  b.raise(10, true);
  EXPECT_EQ(b.bus.read(pending(0)), 1u << 10);
  b.raise(10, false);
  EXPECT_EQ(b.bus.read(pending(0)), 0u);
  b.raise(40, true);
  EXPECT_EQ(b.bus.read(pending(1)), 1u << 8);
  EXPECT_TRUE(b.bus.write(pending(1), 0));  // pending bits are read only
  EXPECT_EQ(b.bus.read(pending(1)), 1u << 8);
}

TEST(Plic, AnEnabledSourceAboveTheThresholdRaisesItsContextsLine) {
  Board b;
  b.raise(10, true);
  EXPECT_FALSE(b.meip.read());  // priority 0: never
  b.bus.write(priority(10), 1);
  b.bus.write(enable(1, 0), 1u << 10);  // S context only
  settle();
  EXPECT_TRUE(b.seip.read());
  EXPECT_FALSE(b.meip.read());
  b.bus.write(threshold(1), 1);  // priority must exceed the threshold
  settle();
  EXPECT_FALSE(b.seip.read());
  b.bus.write(priority(10), 2);
  settle();
  EXPECT_TRUE(b.seip.read());
}

TEST(Plic, ClaimTakesTheHighestPriorityThenTheLowestIdAndCompleteEndsService) {
  Board b;
  for (unsigned s : {3u, 5u, 7u}) b.bus.write(priority(s), s == 3 ? 2 : 5);
  b.bus.write(enable(0, 0), (1u << 3) | (1u << 5) | (1u << 7));
  for (unsigned s : {3u, 5u, 7u}) b.raise(s, true);
  EXPECT_TRUE(b.meip.read());
  EXPECT_EQ(b.bus.read(claim(0)), 5u);  // 5 and 7 share priority 5: lowest id
  EXPECT_EQ(b.bus.read(claim(0)), 7u);  // 5 is in service
  EXPECT_EQ(b.bus.read(claim(0)), 3u);
  EXPECT_EQ(b.bus.read(claim(0)), 0u);  // nothing left
  settle();
  EXPECT_FALSE(b.meip.read());
  b.raise(7, false);
  b.bus.write(claim(0), 5);  // complete 5: its line is still high
  settle();
  EXPECT_TRUE(b.meip.read());
  EXPECT_EQ(b.bus.read(claim(0)), 5u);
  b.bus.write(claim(0), 7);  // line low: not pending again
  EXPECT_EQ(b.bus.read(pending(0)), 0u);
}

TEST(Plic, PrioritiesAndThresholdsKeepThreeBitsAndSourceZeroDoesNotExist) {
  Board b;
  b.bus.write(priority(1), 0xff);
  EXPECT_EQ(b.bus.read(priority(1)), 7u);
  b.bus.write(threshold(0), 0xff);
  EXPECT_EQ(b.bus.read(threshold(0)), 7u);
  b.bus.write(priority(0), 3);
  EXPECT_EQ(b.bus.read(priority(0)), 0u);
  b.bus.write(enable(0, 0), 0xffffffff);
  EXPECT_EQ(b.bus.read(enable(0, 0)), 0xfffffffeu);
  b.bus.write(enable(0, 3), 0xffffffff);  // sources 96.. do not exist
  EXPECT_EQ(b.bus.read(enable(0, 3)), 1u);  // only 96
  EXPECT_EQ(b.bus.read(priority(1), 1), DeviceBench::refused);  // 32-bit accesses only
  EXPECT_NE(tlmmap::test::error_of([&] { b.plic.source(97); }).find("no interrupt source 97"), std::string::npos);
}

TEST(Plic, ContextsAreIndependent) {
  Board b;
  b.bus.write(priority(11), 1);
  b.bus.write(enable(0, 0), 1u << 11);
  b.bus.write(enable(1, 0), 1u << 11);
  b.raise(11, true);
  EXPECT_TRUE(b.meip.read());
  EXPECT_TRUE(b.seip.read());
  EXPECT_EQ(b.bus.read(claim(1)), 11u);  // the S context takes it
  settle();
  EXPECT_FALSE(b.meip.read());  // in service: no longer claimable anywhere
  EXPECT_EQ(b.bus.read(claim(0)), 0u);
}

}  // namespace
