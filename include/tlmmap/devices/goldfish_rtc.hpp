// The goldfish real-time clock (Android's goldfish platform, QEMU's
// goldfish_rtc on RISC-V virt), as Linux's rtc-goldfish and U-Boot's
// goldfish_rtc drive it.
//
// Time is in nanoseconds since the epoch: the host's wall clock when the
// device was made (or a fixed start for reproducible runs) plus simulated
// time, plus whatever offset the guest set by writing the time.
//
// Registers (32-bit accesses only; anything else is a decode error):
//   0x00 TIME_LOW     read: low 32 bits of the time; latches the high half
//                     in TIME_HIGH. write: sets the time to (TIME_HIGH << 32) | value
//   0x04 TIME_HIGH    read: the latched half; write: the high half for the
//                     next TIME_LOW write (one register, as QEMU's)
//   0x08 ALARM_LOW    write: arms the alarm at (ALARM_HIGH << 32) | value
//                     (one in the past fires at once); read: the alarm's low half
//   0x0c ALARM_HIGH   write: the alarm's high half, not armed yet; read: it
//   0x10 IRQ_ENABLED  bit 0: the alarm interrupt reaches the line
//   0x14 CLEAR_ALARM  write: disarms the alarm
//   0x18 ALARM_STATUS read: 1 while an alarm is armed
//   0x1c CLEAR_INTERRUPT write: the pending alarm interrupt is cleared
//   0x20 (reserved, reads 0)
// When the alarm time comes (an sc_event in simulated time) the alarm is
// disarmed and its interrupt becomes pending; `irq` is high while it is
// pending and enabled.
#pragma once

#include <cstdint>
#include <optional>

#include <systemc>

#include "tlmmap/core/mmio_region.hpp"

namespace tlmmap {

class GoldfishRtc : public sc_core::sc_module {
 public:
  static constexpr uint64_t kTimeLow = 0x00, kTimeHigh = 0x04, kAlarmLow = 0x08, kAlarmHigh = 0x0c,
                            kIrqEnabled = 0x10, kClearAlarm = 0x14, kAlarmStatus = 0x18,
                            kClearInterrupt = 0x1c;
  static constexpr uint64_t kSize = 0x24;  // QEMU's region size

  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> irq;

  // `start_ns`: the time at simulated time 0; the host's wall clock if unset.
  explicit GoldfishRtc(sc_core::sc_module_name name, std::optional<uint64_t> start_ns = std::nullopt);

  MmioRegion& registers() noexcept { return registers_; }
  // The guest-visible time now, in ns.
  uint64_t now_ns() const;
  bool alarm_armed() const noexcept { return alarm_armed_; }
  bool interrupt_pending() const noexcept { return irq_pending_; }

 private:
  uint64_t read(uint64_t offset);
  void write(uint64_t offset, uint64_t value);
  void arm_alarm(uint64_t at_ns);
  void alarm_fired();
  void update_irq();

  MmioRegion registers_;
  int64_t offset_ns_;  // guest time minus simulated time
  uint32_t time_high_ = 0;  // latched by a TIME_LOW read, or written for a TIME_LOW write
  uint64_t alarm_ns_ = 0;   // ALARM_HIGH writes its high half without arming
  bool alarm_armed_ = false;
  bool irq_enabled_ = false;
  bool irq_pending_ = false;
  sc_core::sc_event alarm_event_;
};

}  // namespace tlmmap
