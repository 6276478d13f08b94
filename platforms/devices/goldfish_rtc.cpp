#include "tlmmap/devices/goldfish_rtc.hpp"

#include <chrono>

namespace tlmmap {
namespace {

uint64_t host_wall_clock_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

uint64_t sim_ns() { return static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e9 + 0.5); }

}  // namespace

GoldfishRtc::GoldfishRtc(sc_core::sc_module_name name, std::optional<uint64_t> start_ns)
    : sc_module(name),
      irq("irq"),
      registers_(std::string(this->name()), kSize),
      offset_ns_(static_cast<int64_t>(start_ns ? *start_ns : host_wall_clock_ns())) {
  MmioOps ops;
  ops.read = [this](uint64_t offset, unsigned) { return read(offset); };
  ops.write = [this](uint64_t offset, uint64_t value, unsigned) { write(offset, value); };
  // Reading TIME_LOW latches; a debugger must not, so debug reads see TIME_HIGH as the time's.
  ops.debug_read = [this](uint64_t offset, unsigned) -> uint64_t {
    return offset == kTimeHigh ? now_ns() >> 32 : offset == kAlarmStatus ? alarm_armed_ : 0;
  };
  ops.endianness = Endianness::little;
  ops.valid.min_access_size = 4;
  ops.valid.max_access_size = 4;
  ops.impl.min_access_size = 4;
  ops.impl.max_access_size = 4;
  registers_.set_ops(std::move(ops));

  SC_HAS_PROCESS(GoldfishRtc);
  SC_METHOD(alarm_fired);
  sensitive << alarm_event_;
  dont_initialize();
}

uint64_t GoldfishRtc::now_ns() const { return static_cast<uint64_t>(offset_ns_) + sim_ns(); }

uint64_t GoldfishRtc::read(uint64_t offset) {
  switch (offset) {
    case kTimeLow: {
      const uint64_t t = now_ns();
      time_high_ = static_cast<uint32_t>(t >> 32);
      return static_cast<uint32_t>(t);
    }
    case kTimeHigh: return time_high_;
    case kAlarmLow: return static_cast<uint32_t>(alarm_ns_);
    case kAlarmHigh: return static_cast<uint32_t>(alarm_ns_ >> 32);
    case kIrqEnabled: return irq_enabled_;
    case kAlarmStatus: return alarm_armed_;
    default: return 0;
  }
}

void GoldfishRtc::write(uint64_t offset, uint64_t value) {
  const auto v = static_cast<uint32_t>(value);
  switch (offset) {
    case kTimeLow: {
      const uint64_t t = (uint64_t(time_high_) << 32) | v;
      offset_ns_ = static_cast<int64_t>(t - sim_ns());
      // An armed alarm keeps its guest time, so its distance in simulated time changes.
      if (alarm_armed_) arm_alarm(alarm_ns_);
      break;
    }
    case kTimeHigh: time_high_ = v; break;
    case kAlarmLow: arm_alarm((alarm_ns_ & ~uint64_t(0xffffffff)) | v); break;
    case kAlarmHigh: alarm_ns_ = (uint64_t(v) << 32) | static_cast<uint32_t>(alarm_ns_); break;
    case kIrqEnabled:
      irq_enabled_ = (v & 1) != 0;
      update_irq();
      break;
    case kClearAlarm:
      alarm_armed_ = false;
      alarm_event_.cancel();
      break;
    case kClearInterrupt:
      irq_pending_ = false;
      update_irq();
      break;
    default: break;  // read-only or reserved: ignored, as the hardware does
  }
}

void GoldfishRtc::arm_alarm(uint64_t at_ns) {
  alarm_ns_ = at_ns;
  alarm_armed_ = true;
  alarm_event_.cancel();
  const uint64_t now = now_ns();
  if (at_ns <= now) {
    alarm_event_.notify(sc_core::SC_ZERO_TIME);
  } else {
    alarm_event_.notify(sc_core::sc_time(static_cast<double>(at_ns - now), sc_core::SC_NS));
  }
}

void GoldfishRtc::alarm_fired() {
  if (!alarm_armed_) return;
  alarm_armed_ = false;
  irq_pending_ = true;
  update_irq();
}

void GoldfishRtc::update_irq() { irq.write(irq_pending_ && irq_enabled_); }

}  // namespace tlmmap
