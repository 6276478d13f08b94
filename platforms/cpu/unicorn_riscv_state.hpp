// What the public Unicorn API cannot do on riscv64 (2.0.1): read or set the
// privilege level, and raise the interrupt-pending bits that hardware drives
// (a MIP write drops them). Both are done on a saved CPU context, whose data
// is a raw copy of QEMU's CPURISCVState; the offsets below are those of
// 2.0.1 and are probed by layout_problem() before anything relies on them.
#pragma once

#include <cstdint>
#include <string>

#include <unicorn/unicorn.h>

namespace tlmmap::detail {

class UnicornRiscvState {
 public:
  explicit UnicornRiscvState(uc_engine* uc);
  ~UnicornRiscvState();
  UnicornRiscvState(const UnicornRiscvState&) = delete;
  UnicornRiscvState& operator=(const UnicornRiscvState&) = delete;

  // Fields of the live CPU. The privilege is read in place when the live
  // state was found (live_state_found()); otherwise, as the others, from a
  // copy of the whole state (uc_context_save, about 15 ns).
  uint64_t privilege();
  uint64_t mip();
  uint64_t mie();
  uint64_t badaddr();
  // Puts the CPU in privilege `level` (0 U, 1 S, 3 M), nothing else changed.
  void set_privilege(uint64_t level);
  void set_hart_id(uint64_t id);
  // Sets the hardware-driven bits `mask` of mip to `bits` and makes QEMU
  // re-evaluate its interrupt request (a CSR write in M-mode does that).
  void set_mip_bits(uint64_t mask, uint64_t bits);

  // Whether the live CPURISCVState was found in Unicorn's memory (see
  // find_live_state()), which makes privilege() a plain load.
  bool live_state_found() const noexcept { return live_ != nullptr; }

  // Empty if this Unicorn is 2.0.1 with the layout above; else what differs.
  static std::string layout_problem();

 private:
  const uint8_t* find_live_state();
  uint64_t field(std::size_t offset);
  void save();
  void restore();
  uint8_t* data();

  uc_engine* uc_;
  uc_context* context_ = nullptr;
  const uint8_t* live_ = nullptr;
};

}  // namespace tlmmap::detail
