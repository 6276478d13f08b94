// The ACLINT MTIMER device (the timer half of SiFive's CLINT): a 64-bit
// MTIMECMP per hart at offset 8 * hart and the 64-bit MTIME at
// `mtime_offset` (0x7ff8 in a 0x8000-byte region, as QEMU virt places it).
//
//   tlmmap::AclintMtimer mtimer{"mtimer", 1};           // 10 MHz, QEMU virt's timebase
//   region.set_ops(mtimer.ops());
//   mtimer.mtip[0].bind(mtip_line);
//   cpu.set_time_source([&] { return mtimer.mtime(); });
//
// MTIME is SystemC time counted in ticks of the timebase, plus an offset
// that a write to MTIME sets. MTIP is high exactly while MTIME >= MTIMECMP:
// a write to MTIMECMP or MTIME re-evaluates it and schedules an sc_event at
// the simulated time the comparison becomes true (no polling). Registers
// take 4-byte accesses (either half; Unicorn splits 8-byte MMIO that way)
// and 8-byte ones. At reset MTIMECMP is all ones (never fires).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <systemc>

#include "tlmmap/core/mmio_ops.hpp"
#include "tlmmap/devices/device_state.hpp"

namespace tlmmap {

class AclintMtimer : public sc_core::sc_module {
 public:
  static constexpr uint64_t kQemuVirtTimebase = 10'000'000;  // Hz
  static constexpr uint64_t kDefaultMtimeOffset = 0x7ff8;

  sc_core::sc_vector<sc_core::sc_out<bool>> mtip;

  SC_HAS_PROCESS(AclintMtimer);
  AclintMtimer(sc_core::sc_module_name name, unsigned harts, uint64_t timebase_hz = kQemuVirtTimebase,
               uint64_t mtime_offset = kDefaultMtimeOffset);

  MmioOps ops();

  // MTIME now (SystemC's current time).
  uint64_t mtime() const;
  uint64_t mtimecmp(unsigned hart) const { return mtimecmp_.at(hart); }
  uint64_t timebase() const noexcept { return timebase_hz_; }

  // Machine reset (as QEMU 7.2's ACLINT): MTIME cleared to zero, MTIMECMP
  // kept (the specification leaves it unknown).
  void reset();
  // Checkpoints: the registers under `prefix` (device_state.hpp).
  void save_state(DeviceState& state, const std::string& prefix) const;
  void restore_state(const DeviceState& state, const std::string& prefix);

 private:
  uint64_t read(uint64_t offset, unsigned size) const;

  void write(uint64_t offset, uint64_t value, unsigned size);
  void update(unsigned hart);
  void on_deadline(unsigned hart);

  uint64_t timebase_hz_;
  uint64_t mtime_at_;      // register offset of MTIME
  sc_core::sc_time tick_;  // one timebase period
  int64_t offset_ = 0;     // MTIME minus SystemC time in ticks
  std::vector<uint64_t> mtimecmp_;
  std::vector<std::unique_ptr<sc_core::sc_event>> deadline_;
};

}  // namespace tlmmap
