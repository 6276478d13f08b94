// The goldfish RTC: a wall-clock time that runs with the machine's time, can
// be set, and an alarm that comes at its time.
#include "firmware.h"

#define NS_PER_TICK 100  // mtime at 10 MHz
#define YEAR_2020_NS 1577836800000000000ull

int main(void) {
  const uint64_t t0 = rtc_time_ns();
  const uint64_t m0 = clint_mtime();
  printf("rtc: time %lu s since the epoch\n", (unsigned long)(t0 / 1000000000ull));
  CHECK(t0 > YEAR_2020_NS);

  // 2 ms of machine time later, about 2 ms more on the clock.
  while (clint_mtime() - m0 < 20000) {
  }
  const uint64_t t1 = rtc_time_ns();
  const uint64_t m1 = clint_mtime();
  const uint64_t elapsed = (m1 - m0) * NS_PER_TICK;
  printf("rtc: %lu ns on the clock over %lu ns of mtime\n", (unsigned long)(t1 - t0), (unsigned long)elapsed);
  CHECK(t1 > t0);
  CHECK(t1 - t0 >= elapsed / 2 && t1 - t0 <= elapsed * 2 + 1000000);

  // Setting the time: HIGH, then LOW.
  const uint64_t set = 0x1234567800000000ull;
  mmio_write32(VIRT_RTC_BASE + RTC_TIME_HIGH, (uint32_t)(set >> 32));
  mmio_write32(VIRT_RTC_BASE + RTC_TIME_LOW, (uint32_t)set);
  const uint64_t t2 = rtc_time_ns();
  CHECK(t2 >= set && t2 - set < 1000000000ull);

  // An alarm 1 ms ahead: armed until then, with the interrupt disabled.
  mmio_write32(VIRT_RTC_BASE + RTC_IRQ_ENABLED, 0);
  const uint64_t at = rtc_time_ns() + 1000000;
  rtc_set_alarm(at);
  CHECK(mmio_read32(VIRT_RTC_BASE + RTC_ALARM_STATUS) == 1);
  CHECK(mmio_read32(VIRT_RTC_BASE + RTC_ALARM_LOW) == (uint32_t)at);
  CHECK(mmio_read32(VIRT_RTC_BASE + RTC_ALARM_HIGH) == (uint32_t)(at >> 32));
  const uint64_t m2 = clint_mtime();
  while (mmio_read32(VIRT_RTC_BASE + RTC_ALARM_STATUS) != 0) {
    if (clint_mtime() - m2 > 10000000) firmware_fail(2, "the alarm never came");
  }
  CHECK(rtc_time_ns() >= at);
  printf("rtc: alarm after %lu ns of mtime\n", (unsigned long)((clint_mtime() - m2) * NS_PER_TICK));

  // A cleared alarm does not come.
  rtc_set_alarm(rtc_time_ns() + 500000);
  mmio_write32(VIRT_RTC_BASE + RTC_CLEAR_ALARM, 1);
  CHECK(mmio_read32(VIRT_RTC_BASE + RTC_ALARM_STATUS) == 0);
  mmio_write32(VIRT_RTC_BASE + RTC_CLEAR_INTERRUPT, 1);
  return 0;
}
