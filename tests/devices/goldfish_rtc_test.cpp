// The goldfish RTC as Linux's rtc-goldfish and U-Boot drive it: the time is
// the start time plus simulated time, reads latch, writes set the time, and
// the alarm interrupts at its simulated time.
#include <chrono>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>

#include "tlmmap/devices/goldfish_rtc.hpp"

namespace tlmmap {
namespace {

using sc_core::sc_time;
using sc_core::SC_NS;

constexpr uint64_t kStart = 1'700'000'000'000'000'000ull;  // ns since the epoch

uint32_t rd(GoldfishRtc& rtc, uint64_t offset) {
  uint64_t v = 0;
  EXPECT_EQ(rtc.registers().dispatch_read(offset, v, 4, MemTxAttrs{}), MemTxResult::ok);
  return static_cast<uint32_t>(v);
}
void wr(GoldfishRtc& rtc, uint64_t offset, uint32_t v) {
  EXPECT_EQ(rtc.registers().dispatch_write(offset, v, 4, MemTxAttrs{}), MemTxResult::ok);
}
// As Linux reads it: TIME_LOW first (latching), then TIME_HIGH.
uint64_t read_time(GoldfishRtc& rtc) {
  const uint32_t low = rd(rtc, GoldfishRtc::kTimeLow);
  return (uint64_t(rd(rtc, GoldfishRtc::kTimeHigh)) << 32) | low;
}
void set_alarm(GoldfishRtc& rtc, uint64_t at) {
  wr(rtc, GoldfishRtc::kAlarmHigh, static_cast<uint32_t>(at >> 32));
  wr(rtc, GoldfishRtc::kAlarmLow, static_cast<uint32_t>(at));
}

// Records when the interrupt line rises.
struct IrqProbe : sc_core::sc_module {
  sc_core::sc_in<bool> irq{"irq"};
  std::vector<sc_time> rises;
  SC_HAS_PROCESS(IrqProbe);
  explicit IrqProbe(sc_core::sc_module_name n) : sc_module(n) {
    SC_METHOD(seen);
    sensitive << irq.pos();
    dont_initialize();
  }
  void seen() { rises.push_back(sc_core::sc_time_stamp()); }
};

TEST(GoldfishRtc, TimeIsTheStartTimePlusSimulatedTime) {
  GoldfishRtc rtc("rtc", kStart);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_EQ(read_time(rtc), kStart);
  sc_core::sc_start(sc_time(1500, SC_NS));
  EXPECT_EQ(read_time(rtc), kStart + 1500);
}

TEST(GoldfishRtc, WithoutAStartTimeItStartsAtTheHostsWallClock) {
  const auto before = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  GoldfishRtc rtc("rtc");
  const uint64_t t = read_time(rtc);
  EXPECT_GE(t, before);
  EXPECT_LT(t - before, 60'000'000'000ull);  // within a minute
}

TEST(GoldfishRtc, ReadingTimeLowLatchesTheHighHalfForTimeHigh) {
  GoldfishRtc rtc("rtc", 0x1'ffff'ff00ull);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_EQ(rd(rtc, GoldfishRtc::kTimeLow), 0xffffff00u);
  sc_core::sc_start(sc_time(0x200, SC_NS));  // the time's high half is 2 now
  EXPECT_EQ(rd(rtc, GoldfishRtc::kTimeHigh), 1u) << "TIME_HIGH is the half latched with TIME_LOW";
  EXPECT_EQ(rd(rtc, GoldfishRtc::kTimeLow), 0x100u);
  EXPECT_EQ(rd(rtc, GoldfishRtc::kTimeHigh), 2u);
}

TEST(GoldfishRtc, WritingTimeHighThenTimeLowSetsTheTime) {
  GoldfishRtc rtc("rtc", kStart);
  sc_core::sc_start(sc_time(100, SC_NS));
  wr(rtc, GoldfishRtc::kTimeHigh, 0x12);
  wr(rtc, GoldfishRtc::kTimeLow, 0x34);
  EXPECT_EQ(read_time(rtc), 0x12'0000'0034ull);
  sc_core::sc_start(sc_time(50, SC_NS));
  EXPECT_EQ(read_time(rtc), 0x12'0000'0034ull + 50) << "and runs on from there";
}

TEST(GoldfishRtc, TheAlarmInterruptsAtItsSimulatedTime) {
  GoldfishRtc rtc("rtc", kStart);
  IrqProbe probe("probe");
  probe.irq(rtc.irq);
  sc_core::sc_start(sc_time(10, SC_NS));
  wr(rtc, GoldfishRtc::kIrqEnabled, 1);
  set_alarm(rtc, kStart + 1000);
  EXPECT_EQ(rd(rtc, GoldfishRtc::kAlarmStatus), 1u);
  EXPECT_EQ(rd(rtc, GoldfishRtc::kAlarmLow), static_cast<uint32_t>(kStart + 1000));
  EXPECT_EQ(rd(rtc, GoldfishRtc::kAlarmHigh), static_cast<uint32_t>((kStart + 1000) >> 32));
  sc_core::sc_start(sc_time(2000, SC_NS));
  ASSERT_EQ(probe.rises.size(), 1u);
  EXPECT_EQ(probe.rises[0], sc_time(1000, SC_NS));
  EXPECT_TRUE(rtc.irq.read());
  EXPECT_EQ(rd(rtc, GoldfishRtc::kAlarmStatus), 0u) << "a fired alarm is disarmed";
  wr(rtc, GoldfishRtc::kClearInterrupt, 1);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_FALSE(rtc.irq.read());
}

TEST(GoldfishRtc, AnAlarmInThePastFiresAtOnce) {
  GoldfishRtc rtc("rtc", kStart);
  sc_core::sc_start(sc_time(100, SC_NS));
  wr(rtc, GoldfishRtc::kIrqEnabled, 1);
  set_alarm(rtc, kStart);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_TRUE(rtc.irq.read());
  EXPECT_EQ(sc_core::sc_time_stamp(), sc_time(100, SC_NS));
}

TEST(GoldfishRtc, ClearAlarmDisarmsIt) {
  GoldfishRtc rtc("rtc", kStart);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  wr(rtc, GoldfishRtc::kIrqEnabled, 1);
  set_alarm(rtc, kStart + 500);
  wr(rtc, GoldfishRtc::kClearAlarm, 1);
  EXPECT_EQ(rd(rtc, GoldfishRtc::kAlarmStatus), 0u);
  sc_core::sc_start(sc_time(1000, SC_NS));
  EXPECT_FALSE(rtc.irq.read());
  EXPECT_FALSE(rtc.interrupt_pending());
}

TEST(GoldfishRtc, ReArmingMovesTheAlarm) {
  GoldfishRtc rtc("rtc", kStart);
  IrqProbe probe("probe");
  probe.irq(rtc.irq);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  wr(rtc, GoldfishRtc::kIrqEnabled, 1);
  set_alarm(rtc, kStart + 300);
  set_alarm(rtc, kStart + 700);
  sc_core::sc_start(sc_time(1000, SC_NS));
  ASSERT_EQ(probe.rises.size(), 1u);
  EXPECT_EQ(probe.rises[0], sc_time(700, SC_NS));
}

TEST(GoldfishRtc, SettingTheTimeKeepsTheAlarmAtItsGuestTime) {
  GoldfishRtc rtc("rtc", kStart);
  IrqProbe probe("probe");
  probe.irq(rtc.irq);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  wr(rtc, GoldfishRtc::kIrqEnabled, 1);
  set_alarm(rtc, kStart + 1000);
  const uint64_t later = kStart + 600;  // the guest moves its clock 600 ns on
  wr(rtc, GoldfishRtc::kTimeHigh, static_cast<uint32_t>(later >> 32));
  wr(rtc, GoldfishRtc::kTimeLow, static_cast<uint32_t>(later));
  sc_core::sc_start(sc_time(1000, SC_NS));
  ASSERT_EQ(probe.rises.size(), 1u);
  EXPECT_EQ(probe.rises[0], sc_time(400, SC_NS));
}

TEST(GoldfishRtc, APendingAlarmReachesTheLineOnlyWhileEnabled) {
  GoldfishRtc rtc("rtc", kStart);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  set_alarm(rtc, kStart + 100);
  sc_core::sc_start(sc_time(200, SC_NS));
  EXPECT_TRUE(rtc.interrupt_pending());
  EXPECT_FALSE(rtc.irq.read());
  EXPECT_EQ(rd(rtc, GoldfishRtc::kIrqEnabled), 0u);
  wr(rtc, GoldfishRtc::kIrqEnabled, 1);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_TRUE(rtc.irq.read());
  wr(rtc, GoldfishRtc::kIrqEnabled, 0);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_FALSE(rtc.irq.read());
  EXPECT_TRUE(rtc.interrupt_pending()) << "until CLEAR_INTERRUPT";
}

TEST(GoldfishRtc, OnlyWordAccessesAreValid) {
  GoldfishRtc rtc("rtc", kStart);
  uint64_t v = 0;
  EXPECT_EQ(rtc.registers().dispatch_read(GoldfishRtc::kTimeLow, v, 1, MemTxAttrs{}), MemTxResult::decode_error);
  EXPECT_EQ(rtc.registers().dispatch_read(GoldfishRtc::kTimeLow, v, 8, MemTxAttrs{}), MemTxResult::decode_error);
  EXPECT_EQ(rtc.registers().size(), 0x24u);
}

}  // namespace
}  // namespace tlmmap
