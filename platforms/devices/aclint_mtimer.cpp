// sc_spawn
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "tlmmap/devices/aclint_mtimer.hpp"

#include <string>


namespace tlmmap {

AclintMtimer::AclintMtimer(sc_core::sc_module_name name, unsigned harts, uint64_t timebase_hz,
                           uint64_t mtime_offset)
    : sc_core::sc_module(name),
      mtip("mtip", harts),
      timebase_hz_(timebase_hz),
      mtime_at_(mtime_offset),
      tick_(sc_core::sc_time(1.0 / static_cast<double>(timebase_hz), sc_core::SC_SEC)),
      mtimecmp_(harts, ~uint64_t{0}) {
  for (unsigned hart = 0; hart < harts; ++hart) {
    deadline_.push_back(std::make_unique<sc_core::sc_event>(("deadline_" + std::to_string(hart)).c_str()));
    sc_core::sc_spawn_options options;
    options.spawn_method();
    options.set_sensitivity(deadline_.back().get());
    options.dont_initialize();
    sc_core::sc_spawn([this, hart] { on_deadline(hart); }, ("compare_" + std::to_string(hart)).c_str(), &options);
  }
}

uint64_t AclintMtimer::mtime() const {
  const uint64_t ticks = sc_core::sc_time_stamp().value() / tick_.value();
  return ticks + static_cast<uint64_t>(offset_);
}

MmioOps AclintMtimer::ops() {
  MmioOps ops;
  ops.endianness = Endianness::little;
  ops.valid.min_access_size = 4;
  ops.valid.max_access_size = 8;
  ops.impl.min_access_size = 4;
  ops.impl.max_access_size = 8;
  ops.read = [this](uint64_t offset, unsigned size) { return read(offset, size); };
  ops.debug_read = ops.read;
  ops.write = [this](uint64_t offset, uint64_t value, unsigned size) { write(offset, value, size); };
  return ops;
}

namespace {
// The 4- or 8-byte part of a 64-bit register at byte `at` (0 or 4).
uint64_t part(uint64_t reg, uint64_t at, unsigned size) {
  return size == 8 ? reg : (reg >> (at * 8)) & 0xffffffffu;
}
uint64_t merge(uint64_t reg, uint64_t at, uint64_t value, unsigned size) {
  if (size == 8) return value;
  const uint64_t mask = uint64_t{0xffffffff} << (at * 8);
  return (reg & ~mask) | ((value & 0xffffffffu) << (at * 8));
}
}  // namespace

uint64_t AclintMtimer::read(uint64_t offset, unsigned size) const {
  const uint64_t at = offset & 7;
  if (offset >= mtime_at_ && offset < mtime_at_ + 8) return part(mtime(), offset - mtime_at_, size);
  const uint64_t hart = offset / 8;
  if (hart < mtimecmp_.size()) return part(mtimecmp_[hart], at, size);
  return 0;
}

void AclintMtimer::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset >= mtime_at_ && offset < mtime_at_ + 8) {
    const uint64_t now = mtime();
    offset_ += static_cast<int64_t>(merge(now, offset - mtime_at_, value, size) - now);
    for (unsigned hart = 0; hart < mtimecmp_.size(); ++hart) update(hart);
    return;
  }
  const uint64_t hart = offset / 8;
  if (hart >= mtimecmp_.size()) return;
  mtimecmp_[hart] = merge(mtimecmp_[hart], offset & 7, value, size);
  update(static_cast<unsigned>(hart));
}

void AclintMtimer::reset() { write(mtime_at_, 0, 8); }

void AclintMtimer::save_state(DeviceState& state, const std::string& prefix) const {
  state[prefix + "mtime"] = mtime();
  for (std::size_t hart = 0; hart < mtimecmp_.size(); ++hart) {
    state[prefix + "mtimecmp." + std::to_string(hart)] = mtimecmp_[hart];
  }
}

// MTIME goes on from the saved value, whatever the simulation's time now.
void AclintMtimer::restore_state(const DeviceState& state, const std::string& prefix) {
  for (std::size_t hart = 0; hart < mtimecmp_.size(); ++hart) {
    mtimecmp_[hart] = state_value(state, prefix + "mtimecmp." + std::to_string(hart));
  }
  write(mtime_at_, state_value(state, prefix + "mtime"), 8);
}

void AclintMtimer::update(unsigned hart) {
  sc_core::sc_event& deadline = *deadline_[hart];
  deadline.cancel();
  const uint64_t now = mtime();
  const bool due = now >= mtimecmp_[hart];
  mtip[hart].write(due);
  if (due) return;
  // The comparison becomes true when SystemC time reaches the start of tick
  // MTIMECMP; ticks beyond sc_time's range never come.
  const uint64_t ticks = mtimecmp_[hart] - now;
  const double seconds = static_cast<double>(ticks) / static_cast<double>(timebase_hz_);
  if (seconds > 1e9) return;
  const sc_core::sc_time start_of_tick = tick_ * static_cast<double>(sc_core::sc_time_stamp().value() / tick_.value());
  deadline.notify(start_of_tick + tick_ * static_cast<double>(ticks) - sc_core::sc_time_stamp());
}

void AclintMtimer::on_deadline(unsigned hart) { update(hart); }

}  // namespace tlmmap
