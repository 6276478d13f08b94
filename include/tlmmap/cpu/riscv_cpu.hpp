// A riscv64 hart as a TLM-2.0 initiator, executed by Unicorn 2.0.1.
//
//   tlmmap::RiscvCpu cpu{"cpu", {}};
//   cpu.socket.bind(bus.target_socket);          // any TLM target; DMI where granted
//   cpu.mtip.bind(mtip); cpu.msip.bind(msip);    // sc_signal<bool> interrupt lines
//   cpu.meip.bind(meip); cpu.seip.bind(seip);
//   cpu.set_register(10, 0); cpu.set_register(11, dtb);   // a0, a1
//
// Memory: at the start of simulation the CPU asks the target for DMI over the
// whole physical space (each answer covers a flat range or a hole, so a map
// of N ranges costs N calls). Granted RAM is mapped into Unicorn in place
// (uc_mem_map_ptr); any other page becomes Unicorn MMIO when first touched,
// whose callbacks call b_transport with TxAttributes (user = U-mode,
// requester id = hart id). A read-only grant (ROM, ROM device in romd mode,
// logged RAM) is mapped read-only: reads are direct; a write turns it into
// MMIO on the spot and goes through b_transport. An invalidation unmaps the
// grant and drops the code Unicorn translated from it; the range then goes
// through b_transport until a read's b_transport allows DMI again.
//
// Limits of Unicorn 2.0.1 the model lives with (docs in unicorn.md):
//  * a map change caused by a device access (an invalidation, a new grant)
//    takes effect from the next translated block: later accesses of the same
//    block still see the old mapping (stopping at once would make Unicorn
//    repeat the device access);
//  * an 8-byte MMIO access reaches the target as two 4-byte ones, low first;
//  * an access that a device's target refuses cannot raise an access fault:
//    the guest reads 0, the write is dropped, and a warning names the
//    address; only whole pages where nothing answers fault (set_hole_check).
//    Unicorn gives no way to fail an access precisely: an MMIO callback
//    cannot refuse it, and a stop (`false` from an unmapped-access hook)
//    leaves the PC at the start of the translated block while the
//    instructions before the access have run (probed on 2.0.1: addi t0;
//    addi t0; lw from an unmapped page -> UC_ERR_READ_UNMAPPED with pc = the
//    first addi and t0 = 2): the faulting instruction is found by decoding;
//  * a ROM device (a CFI flash) written once stays on b_transport for reads
//    even after it returns to read-array mode: bringing its grant back
//    makes Unicorn 2.0.1 crash (SIGSEGV inside libunicorn) at the next
//    write that has to turn it into MMIO from the write-protect hook
//    (reproduced with firmware `flash`).
//
// Time: loosely timed with a tlm_quantumkeeper (the global quantum); every
// instruction costs `instruction_time`, counted per translated block, and
// b_transport latencies are added. WFI syncs and waits for an interrupt line
// to change unless an enabled interrupt is already pending.
//
// Interrupt lines are applied at every quantum boundary, and also right
// after an MMIO access that woke a process at the current time (a PLIC
// claim or completion, a CLINT write): the CPU runs those delta cycles
// before going on, so that a line its own access lowered is never taken
// again (no spurious claim) and one it raised is taken at the block's end.
//
// Traps: Unicorn 2.0.1 does not enter synchronous traps itself; this model
// does (delegation, xEPC/xCAUSE/xTVAL, status stacking, privilege) by
// editing the saved CPU context, whose layout is checked at start-up: any
// other Unicorn is refused by name (unicorn_layout_problem()).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

namespace tlmmap {

struct RiscvCpuConfig {
  uint64_t hart_id = 0;
  uint64_t reset_pc = 0x1000;
  // Guest time per instruction.
  sc_core::sc_time instruction_time{1, sc_core::SC_NS};
  // The physical space mapped into Unicorn: [0, address_limit).
  uint64_t address_limit = uint64_t{1} << 40;
  // Stop the simulation (sc_stop) after this many instructions; 0: never.
  uint64_t instruction_limit = 0;
};

class RiscvCpu : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<RiscvCpu, 32> socket;
  sc_core::sc_in<bool> mtip{"mtip"};
  sc_core::sc_in<bool> msip{"msip"};
  sc_core::sc_in<bool> meip{"meip"};
  sc_core::sc_in<bool> seip{"seip"};

  struct Stats {
    uint64_t instructions = 0;
    uint64_t transports = 0;     // b_transport calls from MMIO accesses
    uint64_t dmi_mappings = 0;   // grants mapped into Unicorn
    uint64_t invalidations = 0;  // grants unmapped
    uint64_t traps = 0;          // synchronous traps entered by the model
    uint64_t access_faults = 0;  // accesses to holes turned into access faults
    uint64_t rdtime = 0;         // rdtime instructions emulated
    uint64_t runs = 0;           // uc_emu_start calls
    uint64_t wfi = 0;
    uint64_t resets = 0;         // reset() requests carried out
    uint64_t line_changes = 0;   // interrupt lines applied right after an MMIO access
    uint64_t write_throughs = 0; // writes to a read-only grant that made its range MMIO
  };

  SC_HAS_PROCESS(RiscvCpu);
  RiscvCpu(sc_core::sc_module_name name, const RiscvCpuConfig& config);
  ~RiscvCpu() override;

  // x0..x31 (x0 ignored); before or during simulation from this thread.
  void set_register(unsigned index, uint64_t value);
  uint64_t get_register(unsigned index) const;
  uint64_t pc() const;
  // 0 = U, 1 = S, 3 = M.
  unsigned privilege() const;

  // A reset request (e.g. from a device the guest writes): once the current
  // translated block ends, `on_reset` runs (the platform resets its devices
  // and reloads its images), then the hart takes its power-on state
  // (registers and CSRs as at construction, M-mode, pc = reset_pc), drops
  // the code it translated, and runs on. Memory is not touched.
  void reset();
  std::function<void()> on_reset;

  // The hart's architectural state for a checkpoint, by name: pc, x1..x31,
  // f0..f31, the CSRs the model and firmware use (status, trap, delegation,
  // interrupt-enable, software-pending, counter-enable, satp, fcsr),
  // privilege, and the instruction count. restore_state() needs every name
  // (a missing one is reported, nothing changed) and is for before the run
  // or between runs (not from a device access); the interrupt lines are
  // applied again from the signals.
  using State = std::map<std::string, uint64_t>;
  State save_state() const;
  void restore_state(const State& state);

  // Writes an image through transport_dbg (at the start of simulation when
  // called during elaboration); reported if any byte is refused.
  void load(uint64_t address, const void* data, std::size_t length);
  void load_file(uint64_t address, const std::string& path);

  // Pages where nothing answers (holes of the map): an access there raises
  // the RISC-V access fault (instruction 1, load 5, store/AMO 7; xtval =
  // the address), as on QEMU. Unicorn stops without saying which
  // instruction it was; the model finds it in the translated block (the
  // first load or store of the block whose address, from the registers at
  // the stop, is the one refused). With this check, an MMIO access the bus
  // answers with an error (a hole in a page a device shares, a device's
  // error; not a write to read-only memory, dropped as QEMU does) faults the
  // same way, as on QEMU. Without it (or when the access
  // is not found in its block), a refused access reads 0 and a warning says so.
  void set_hole_check(std::function<bool(uint64_t page)> is_hole) { is_hole_ = std::move(is_hole); }

  // The platform's mtime: rdtime is then emulated (otherwise it traps as an
  // illegal instruction, as on Unicorn alone).
  void set_time_source(std::function<uint64_t()> mtime) { mtime_ = std::move(mtime); }

  const Stats& stats() const noexcept { return stats_; }
  const RiscvCpuConfig& config() const noexcept { return config_; }

  // Empty if this Unicorn has the layout the trap and interrupt code relies
  // on (version 2.0.1, context size and field offsets probed); else why not.
  static std::string unicorn_layout_problem();

 private:
  struct Engine;
  struct Image {
    uint64_t address;
    std::vector<uint8_t> bytes;
  };
  void run();
  void start_of_simulation() override;
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) {
    return tlm::TLM_COMPLETED;  // only blocking transport is used
  }

  RiscvCpuConfig config_;
  std::unique_ptr<Engine> engine_;
  std::function<uint64_t()> mtime_;
  std::function<bool(uint64_t)> is_hole_;
  std::vector<Image> images_;
  Stats stats_;
};

}  // namespace tlmmap
