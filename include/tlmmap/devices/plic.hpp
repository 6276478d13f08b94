// A RISC-V PLIC laid out as SiFive's (and QEMU virt's "riscv,plic0"):
//   0x000000 + 4*s          priority of source s (s = 1 .. sources-1; 0 is reserved)
//   0x001000 + 4*w          pending bits 32w..32w+31 (read only)
//   0x002000 + 0x80*c + 4*w enable bits of context c
//   0x200000 + 0x1000*c     priority threshold of context c
//   0x200004 + 0x1000*c     claim (read) / complete (write) of context c
// 32-bit accesses only. Priorities and thresholds keep `priority_bits` bits.
//
// Sources are level-triggered: a device's interrupt output binds to
// source(s); while the line is high and the source is not in service it is
// pending. A claim returns the pending source enabled for the context with
// the highest priority above the threshold (the lowest id among equals; 0 if
// none), clears its pending bit and puts it in service; completing it ends
// service, and a line still high (in the next delta cycle, once the
// handler's accesses have reached the device's line) makes it pending again. Context c's output
// eip[c] is high while such a claimable source exists.
//
//   tlmmap::Plic plic{"plic", 97, 2};     // QEMU virt: ndev 96; hart 0's M and S contexts
//   region.set_ops(plic.ops());
//   uart.irq.bind(plic.source(10));
//   plic.eip[0].bind(meip); plic.eip[1].bind(seip);
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "tlmmap/core/mmio_ops.hpp"
#include "tlmmap/devices/device_state.hpp"
#include "tlmmap/devices/irq_line.hpp"

namespace tlmmap {

class Plic : public sc_core::sc_module {
 public:
  static constexpr uint64_t kPendingBase = 0x1000;
  static constexpr uint64_t kEnableBase = 0x2000;
  static constexpr uint64_t kEnableStride = 0x80;
  static constexpr uint64_t kContextBase = 0x200000;
  static constexpr uint64_t kContextStride = 0x1000;

  sc_core::sc_vector<sc_core::sc_out<bool>> eip;

  SC_HAS_PROCESS(Plic);
  // `sources` counts source 0 (so a device tree's riscv,ndev is sources - 1).
  Plic(sc_core::sc_module_name name, unsigned sources, unsigned contexts, unsigned priority_bits = 3);

  MmioOps ops();
  // Machine reset: priorities, enables, thresholds, pending and in-service
  // bits cleared (the lines are sampled again).
  void reset();
  // Checkpoints: the registers under `prefix` (device_state.hpp).
  void save_state(DeviceState& state, const std::string& prefix) const;
  void restore_state(const DeviceState& state, const std::string& prefix);

  // Source s's interrupt line (s >= 1); reported beyond the last source.
  IrqLine& source(unsigned s);
  unsigned sources() const noexcept { return static_cast<unsigned>(priority_.size()); }
  unsigned contexts() const noexcept { return static_cast<unsigned>(threshold_.size()); }
  bool pending(unsigned s) const { return (pending_[s / 32] >> (s % 32)) & 1; }

 private:
  uint64_t read(uint64_t offset);
  uint64_t peek(uint64_t offset) const;
  void write(uint64_t offset, uint64_t value);
  void sample_lines();
  unsigned best(unsigned context) const;
  void update();
  void set_bit(std::vector<uint32_t>& bits, unsigned s, bool on) {
    bits[s / 32] = on ? bits[s / 32] | (1u << (s % 32)) : bits[s / 32] & ~(1u << (s % 32));
  }

  sc_core::sc_vector<IrqLine> lines_;
  sc_core::sc_event resample_{"resample"};
  uint32_t priority_mask_;
  std::vector<uint32_t> priority_;
  std::vector<uint32_t> pending_;
  std::vector<uint32_t> in_service_;
  std::vector<std::vector<uint32_t>> enable_;  // per context
  std::vector<uint32_t> threshold_;
};

}  // namespace tlmmap
