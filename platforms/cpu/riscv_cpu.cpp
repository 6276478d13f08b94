#include "tlmmap/cpu/riscv_cpu.hpp"

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

#include <tlm_utils/tlm_quantumkeeper.h>
#include <unicorn/unicorn.h>

#include "tlmmap/tlm/tx_attributes.hpp"
#include "unicorn_memory_map.hpp"
#include "unicorn_riscv_state.hpp"

namespace tlmmap {
namespace {

constexpr uint64_t kDefaultRun = 10000;
constexpr uint64_t kNeverReached = 0xfffffffffffffffe;  // an `until` that keeps Unicorn's block cache
constexpr uint64_t kPage = detail::UnicornMemoryMap::kPage;
constexpr uint32_t kEbreak = 0x00100073;
constexpr uint16_t kCEbreak = 0x9002;
// mip bits driven by the interrupt lines.
constexpr uint64_t kMsip = 1u << 3, kMtip = 1u << 7, kSeip = 1u << 9, kMeip = 1u << 11;
constexpr uint64_t kLineBits = kMsip | kMtip | kSeip | kMeip;
// Exception causes.
constexpr uint64_t kIllegalInstruction = 2, kBreakpoint = 3, kEcallFromU = 8;

// sc_stop() was called (sc_get_status() says so only once the kernel acts).
bool stop_called() { return sc_core::sc_get_simulator_status() == sc_core::SC_SIM_USER_STOP; }

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

// Instructions in a translated block: RISC-V lengths come from the low bits.
unsigned count_instructions(const uint8_t* code, uint32_t size) {
  unsigned n = 0;
  for (uint32_t at = 0; at < size; ++n) at += (code[at] & 3) == 3 ? 4 : 2;
  return n;
}

}  // namespace

struct RiscvCpu::Engine {
  explicit Engine(RiscvCpu& cpu_)
      : cpu(cpu_),
        uc(open()),
        state(uc),
        memory(
            uc, this,
            [](void* e, uint64_t a, unsigned s) { return static_cast<Engine*>(e)->mmio(a, s, false, 0); },
            [](void* e, uint64_t a, unsigned s, uint64_t v) { static_cast<Engine*>(e)->mmio(a, s, true, v); }) {
    uc_hook h;
    uc_hook_add(uc, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&on_block), this, 1, 0);
    uc_hook_add(uc, &h, UC_HOOK_INTR, reinterpret_cast<void*>(&on_exception), this, 1, 0);
    uc_hook_add(uc, &h, UC_HOOK_MEM_WRITE_PROT, reinterpret_cast<void*>(&on_write_protected), this, 1, 0);
    uc_hook_add(uc, &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&on_unmapped), this, 1, 0);
    attributes.attrs.requester_id = static_cast<uint16_t>(cpu.config_.hart_id);
    payload.set_extension(&attributes);  // one payload for every access
    payload.set_byte_enable_ptr(nullptr);
    payload.set_byte_enable_length(0);
    state.set_hart_id(cpu.config_.hart_id);  // mhartid is read-only through the API
    uint64_t pc = cpu.config_.reset_pc;
    uc_reg_write(uc, UC_RISCV_REG_PC, &pc);
    uc_context_alloc(uc, &power_on);
    uc_context_save(uc, power_on);
  }
  ~Engine() {
    if (payload.get_extension<TxAttributes>() == &attributes) payload.clear_extension(&attributes);
    uc_context_free(power_on);
    uc_close(uc);
  }

  // The power-on state back (see RiscvCpu::reset()); Unicorn has stopped.
  void reset() {
    reset_requested = false;
    ++cpu.stats_.resets;
    if (cpu.on_reset) cpu.on_reset();
    apply_pending();
    uc_context_restore(uc, power_on);
    applied_lines = 0;  // mip is clear again
    // The images were reloaded behind Unicorn's back: no old translation may run.
    uc_ctl_remove_cache(uc, 0, cpu.config_.address_limit);
  }

  static uc_engine* open() {
    uc_engine* uc = nullptr;
    if (uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc) != UC_ERR_OK) {
      SC_REPORT_FATAL("tlmmap/cpu", "cpu: Unicorn cannot open a riscv64 engine");
    }
    return uc;
  }

  // --- memory -------------------------------------------------------------

  // Asks for DMI over [0, limit), each answer covering one flat range or
  // hole; grants become host segments, the rest is MMIO on first touch.
  void map_physical_space() {
    uint64_t address = 0;
    while (address < cpu.config_.address_limit) {
      address = probe_dmi(address);
      if (address == 0) break;  // wrapped past 2^64
    }
  }

  // Maps the grant for `address` if there is one; returns the address after
  // the range the answer covers.
  uint64_t probe_dmi(uint64_t address) {
    tlm::tlm_generic_payload gp;
    uint8_t byte = 0;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(address);
    gp.set_data_ptr(&byte);
    gp.set_data_length(1);
    gp.set_streaming_width(1);
    tlm::tlm_dmi dmi;
    const bool granted = cpu.socket->get_direct_mem_ptr(gp, dmi);
    const bool covers = dmi.get_start_address() <= address && address <= dmi.get_end_address();
    if (!covers) return (address | (kPage - 1)) + 1;
    if (granted && dmi.get_dmi_ptr() != nullptr && dmi.is_read_allowed()) {
      // Only whole pages can be host memory in Unicorn; edges stay MMIO.
      const uint64_t first = (dmi.get_start_address() + kPage - 1) & ~(kPage - 1);
      const uint64_t end = std::min<uint64_t>(dmi.get_end_address(), cpu.config_.address_limit - 1);
      const uint64_t last = ((end + 1) & ~(kPage - 1)) - 1;
      if (first < last) {
        memory.map_host(first, last, dmi.get_dmi_ptr() + (first - dmi.get_start_address()),
                        dmi.is_write_allowed());
        ++cpu.stats_.dmi_mappings;
      }
    } else {
      denials.emplace_back(dmi.get_start_address(), dmi.get_end_address());
    }
    return dmi.get_end_address() + 1;
  }

  bool denied(uint64_t address) const {
    for (const auto& [first, last] : denials) {
      if (first <= address && address <= last) return true;
    }
    return false;
  }

  // A withdrawn grant becomes MMIO. While Unicorn runs, the change waits
  // until it stops (requested at once): unmapping from an MMIO callback makes
  // Unicorn run part of the block again, repeating device accesses.
  void invalidate(uint64_t first, uint64_t last) {
    if (running) {
      invalidations.emplace_back(first, last);
      request_stop();
      return;
    }
    if (memory.unmap_host_meeting(first, last)) {
      ++cpu.stats_.invalidations;
      flushes.emplace_back(first, last);
    }
    auto keep_outside = [&](std::vector<std::pair<uint64_t, uint64_t>>& ranges) {
      std::vector<std::pair<uint64_t, uint64_t>> kept;
      for (const auto& r : ranges) {
        if (r.second < first || last < r.first) kept.push_back(r);
      }
      ranges.swap(kept);
    };
    keep_outside(denials);
    keep_outside(written_ranges);
  }

  // Map changes wait until Unicorn has stopped.
  void apply_pending() {
    std::vector<std::pair<uint64_t, uint64_t>> withdrawn;
    withdrawn.swap(invalidations);
    for (const auto& [first, last] : withdrawn) invalidate(first, last);
    for (uint64_t address : probes) {
      const detail::UnicornMemoryMap::Segment* s = memory.find(address);
      if (!denied(address) && (s == nullptr || s->host == nullptr)) {
        const uint64_t page = address & ~(kPage - 1);
        probe_dmi(address);
        flushes.emplace_back(page, page + kPage - 1);
      }
    }
    probes.clear();
    // Code translated from memory that changed hands must not run again
    // (a whole tb_flush costs about a second in Unicorn 2.0.1: by range).
    for (const auto& [first, last] : flushes) uc_ctl_remove_cache(uc, first, last == ~uint64_t{0} ? last : last + 1);
    flushes.clear();
  }

  // Stops at the start of the next translated block: uc_emu_stop() from a
  // memory callback makes Unicorn run the access again when it resumes.
  void request_stop() {
    stop_requested = true;
    stop_at = 0;
  }

  // b_transport for an access Unicorn could not do from host memory.
  tlm::tlm_response_status transport(uint64_t address, unsigned size, bool is_write, uint8_t* data) {
    payload.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    payload.set_address(address);
    payload.set_data_ptr(data);
    payload.set_data_length(size);
    payload.set_streaming_width(size);
    payload.set_dmi_allowed(false);
    payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    attributes.attrs.user = state.privilege() == 0;
    // The accesses' time: the quantum keeper's offset plus what ran so far
    // (sc_time's inline arithmetic, exact below 2^53 time units: no call
    // into the library, as from_value() is).
    const sc_core::sc_time ran = cpu.config_.instruction_time * static_cast<double>(run_executed);
    sc_core::sc_time delay = quantum.get_local_time() + ran;
    cpu.socket->b_transport(payload, delay);
    quantum.set(delay > ran ? delay - ran : sc_core::SC_ZERO_TIME);
    ++cpu.stats_.transports;
    // The access woke a process at once (a PLIC or CLINT recomputing its
    // output after a claim, completion, enable or MSIP write): let it run,
    // so that the lines it drives reach the hart before its next instruction.
    if (sc_core::sc_pending_activity_at_current_time()) settle_lines();
    // Only reads bring a grant back, and not to a range written through
    // (written_through()).
    if (payload.is_dmi_allowed() && !is_write && !written_through(address)) {
      probes.push_back(address);
      request_stop();
    }
    if (stop_called()) request_stop();
    return payload.get_response_status();
  }

  uint64_t mmio(uint64_t address, unsigned size, bool is_write, uint64_t value) {
    uint8_t data[8] = {};
    std::memcpy(data, &value, 8);  // little-endian host and guest
    const auto status = transport(address, size, is_write, data);
    // A write to read-only memory (TLM_COMMAND_ERROR_RESPONSE: a ROM) is
    // dropped without a fault, as QEMU discards it.
    if (status != tlm::TLM_OK_RESPONSE && status != tlm::TLM_COMMAND_ERROR_RESPONSE && cpu.is_hole_ && !fault) {
      // The access fault, as QEMU raises for a failed access (a hole in a
      // page a device shares, a device's error): Unicorn stops with the
      // access undone (its pc at the block's start; the registers, now as
      // then, those the access sees) and the run loop enters the trap at
      // the access found here. Not found: read 0, below.
      if (const std::optional<uint64_t> at = find_access(address, is_write)) {
        fault = Fault{address, static_cast<unsigned>(size), is_write ? 7u : 5u, at};
        uc_emu_stop(uc);
        return 0;
      }
    }
    if (status != tlm::TLM_OK_RESPONSE) {
      // Without the platform's fault semantics (set_hole_check()): the guest
      // reads 0 and the write is dropped, and the user is told.
      const std::string message = std::string("cpu: ") + (is_write ? "write to " : "read from ") + hex(address) +
                                  " (" + std::to_string(size) + " bytes) answered " + tlm_response_name(status) +
                                  " near pc " + hex(cpu.pc());
      SC_REPORT_WARNING("tlmmap/cpu", message.c_str());
      return 0;
    }
    uint64_t result = 0;
    std::memcpy(&result, data, size);
    return result;
  }

  static const char* tlm_response_name(tlm::tlm_response_status status) {
    switch (status) {
      case tlm::TLM_ADDRESS_ERROR_RESPONSE: return "TLM_ADDRESS_ERROR_RESPONSE";
      case tlm::TLM_COMMAND_ERROR_RESPONSE: return "TLM_COMMAND_ERROR_RESPONSE";
      case tlm::TLM_BURST_ERROR_RESPONSE: return "TLM_BURST_ERROR_RESPONSE";
      case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE: return "TLM_BYTE_ENABLE_ERROR_RESPONSE";
      case tlm::TLM_INCOMPLETE_RESPONSE: return "TLM_INCOMPLETE_RESPONSE";
      default: return "TLM_GENERIC_ERROR_RESPONSE";
    }
  }

  // A write to a read-only grant (a ROM device in romd mode taking a
  // command, a logged framebuffer) must reach b_transport. The map never
  // changes inside this hook (Unicorn 2.0.1 went on with the store through
  // the TLB entry it had read before the hook, and crashed once the range
  // had been remapped twice): the hook refuses the store, which makes
  // Unicorn stop right before it (nothing of it done, the pc on it), and
  // the run loop makes the segment MMIO (write_through()) and resumes there.
  static bool on_write_protected(uc_engine*, uc_mem_type, uint64_t address, int, int64_t value, void* user) {
    auto* e = static_cast<Engine*>(user);
    const detail::UnicornMemoryMap::Segment* s = e->memory.find(address);
    if (s == nullptr || s->host == nullptr) return false;
    e->write_protected = ProtectedStore{s->start, s->last, address, static_cast<uint64_t>(value)};
    return false;
  }

  // After the stop on_write_protected() asked for: the segment becomes MMIO.
  void write_through() {
    const auto [first, last] = std::make_pair(write_protected->first, write_protected->last);
    write_protected.reset();
    written_ranges.emplace_back(first, last);
    memory.map_mmio(first, last);
    flushes.emplace_back(first, last);
    ++cpu.stats_.invalidations;
    ++cpu.stats_.write_throughs;
  }

  // Unicorn stopped inside the block, before the store, with its pc at the
  // block's start: the pc goes to the store (find_access()), and the
  // instructions from there to the block's end, counted when it was
  // entered, did not run. False if the store is not found.
  bool resume_at_protected_store() {
    const std::optional<uint64_t> store = find_access(write_protected->address, true, write_protected->value);
    if (!store) return false;
    const uint64_t at = *store;
    uc_reg_write(uc, UC_RISCV_REG_PC, &at);
    const uint64_t end = block_address + block_size();
    uint8_t code[1024];
    if (block_address <= at && at < end && end - at <= sizeof code &&
        uc_mem_read(uc, at, code, static_cast<uint32_t>(end - at)) == UC_ERR_OK) {
      const unsigned not_run = count_instructions(code, static_cast<uint32_t>(end - at));
      run_executed -= std::min<uint64_t>(run_executed, not_run);
    }
    return true;
  }

  // A range written through b_transport after a write hit its read-only
  // grant keeps its reads on b_transport too, until the target withdraws
  // the grant (a flash leaving romd mode does; a logged framebuffer does
  // not, so its writes do not stop Unicorn again and again): then reads
  // may bring a grant back (a flash back in read-array mode).
  bool written_through(uint64_t address) const {
    for (const auto& [first, last] : written_ranges) {
      if (first <= address && address <= last) return true;
    }
    return false;
  }

  // A page touched for the first time (or since its grant went) becomes
  // MMIO; in a hole, Unicorn stops and the run loop enters the access fault.
  static bool on_unmapped(uc_engine*, uc_mem_type type, uint64_t address, int size, int64_t, void* user) {
    auto* e = static_cast<Engine*>(user);
    if (address >= e->cpu.config_.address_limit) return false;
    const uint64_t page = address & ~(kPage - 1);
    if (e->cpu.is_hole_ && e->cpu.is_hole_(page)) {
      e->fault = Fault{address, static_cast<unsigned>(size),
                       type == UC_MEM_FETCH_UNMAPPED ? 1u : type == UC_MEM_WRITE_UNMAPPED ? 7u : 5u};
      return false;
    }
    e->memory.map_mmio(page, page + kPage - 1);
    return true;
  }

  // --- time ------------------------------------------------------------------

  // Runs before every translated block, so its hit path is a dozen
  // instructions (against Unicorn's own block of a compute loop, about 25:
  // each one shows in the compute-bound speed): the block's count from the
  // cache, one add, one compare with stop_at, which request_stop() lowers
  // to 0. A cache miss and the stop are calls out of line.
  static void on_block(uc_engine*, uint64_t address, uint32_t size, void* user) {
    auto* e = static_cast<Engine*>(user);
    e->block_address = address;
    const BlockCount& b = e->blocks[slot(address)];
    if (__builtin_expect(b.address != address || b.size != size, 0)) return e->on_new_block(address, size);
    if ((e->run_executed += b.count) >= e->stop_at) e->stop_run();
  }

  [[gnu::noinline]] void on_new_block(uint64_t address, uint32_t size) {
    if ((run_executed += count_block(address, size)) >= stop_at) stop_run();
  }

  [[gnu::noinline]] void stop_run() {
    stop_requested = true;
    uc_emu_stop(uc);
  }

  static std::size_t slot(uint64_t address) { return (address >> 1) & (kBlockSlots - 1); }

  // The size of the block last entered (on_block() left it in the cache).
  uint32_t block_size() const {
    const BlockCount& b = blocks[slot(block_address)];
    return b.address == block_address ? b.size : 0;
  }

  [[gnu::noinline]] unsigned count_block(uint64_t address, uint32_t size) {
    BlockCount& b = blocks[slot(address)];
    uint8_t code[1024];
    unsigned count;
    if (size <= sizeof code && uc_mem_read(uc, address, code, size) == UC_ERR_OK) {
      count = count_instructions(code, size);
    } else {
      count = (size + 3) / 4;  // virtual addresses under an MMU: an estimate
    }
    b = {address, size, count};
    return count;
  }

  // --- traps -------------------------------------------------------------------

  // Synchronous exceptions reach this hook with the PC already 4 past the
  // faulting instruction; the trap entry is ours to do.
  static void on_exception(uc_engine* uc, uint32_t cause, void* user) {
    auto* e = static_cast<Engine*>(user);
    uint64_t pc = 0;
    uc_reg_read(uc, UC_RISCV_REG_PC, &pc);
    const uint64_t epc = pc - 4;
    if (cause == kIllegalInstruction && e->emulate_rdtime(epc)) return;
    uint64_t tval = 0;
    if (cause == 4 || cause == 5 || cause == 6 || cause == 7 || cause == 12 || cause == 13 || cause == 15) {
      tval = e->state.badaddr();
    }
    e->take_trap(cause, epc, tval);
  }

  // rdtime (csrrs rd, time, x0): the platform's mtime; the PC is already past it.
  bool emulate_rdtime(uint64_t epc) {
    if (!cpu.mtime_) return false;
    uint32_t insn = 0;
    if (uc_mem_read(uc, epc, &insn, 4) != UC_ERR_OK) return false;
    if ((insn & 0xfffff07f) != 0xc0102073) return false;
    const unsigned rd = (insn >> 7) & 31;
    if (rd != 0) {
      uint64_t now = cpu.mtime_();
      uc_reg_write(uc, UC_RISCV_REG_X0 + rd, &now);
    }
    ++cpu.stats_.rdtime;
    return true;
  }

  void take_trap(uint64_t cause, uint64_t epc, uint64_t tval) {
    ++cpu.stats_.traps;
    const uint64_t from = state.privilege();
    if (cause == kEcallFromU) cause += from;  // Unicorn reports every ecall as from U
    state.set_privilege(3);                   // CSR writes below S-mode privilege are dropped
    auto read = [&](int reg) {
      uint64_t v = 0;
      uc_reg_read(uc, reg, &v);
      return v;
    };
    auto write = [&](int reg, uint64_t v) { uc_reg_write(uc, reg, &v); };
    uint64_t status = read(UC_RISCV_REG_MSTATUS);
    const bool to_supervisor = from <= 1 && ((read(UC_RISCV_REG_MEDELEG) >> cause) & 1) != 0;
    uint64_t target;
    if (to_supervisor) {
      write(UC_RISCV_REG_SEPC, epc);
      write(UC_RISCV_REG_SCAUSE, cause);
      write(UC_RISCV_REG_STVAL, tval);
      const uint64_t sie = (status >> 1) & 1;
      status = (status & ~((1ull << 5) | (1ull << 1) | (1ull << 8))) | (sie << 5) | ((from & 1) << 8);
      target = read(UC_RISCV_REG_STVEC) & ~uint64_t{3};
    } else {
      write(UC_RISCV_REG_MEPC, epc);
      write(UC_RISCV_REG_MCAUSE, cause);
      write(UC_RISCV_REG_MTVAL, tval);
      const uint64_t mie = (status >> 3) & 1;
      status = (status & ~((1ull << 7) | (1ull << 3) | (3ull << 11))) | (mie << 7) | (from << 11);
      target = read(UC_RISCV_REG_MTVEC) & ~uint64_t{3};
    }
    write(UC_RISCV_REG_MSTATUS, status);
    write(UC_RISCV_REG_PC, target);
    state.set_privilege(to_supervisor ? 1 : 3);
  }

  // The access fault Unicorn stopped for (see find_access()).
  bool enter_access_fault() {
    const Fault f = *fault;
    fault.reset();
    uint64_t epc = f.address;  // an instruction fetch faults at its own address
    if (f.epc) {
      epc = *f.epc;
    } else if (f.cause != 1) {
      const std::optional<uint64_t> found = find_access(f.address, f.cause == 7);
      if (!found) return false;
      epc = *found;
    }
    ++cpu.stats_.access_faults;
    take_trap(f.cause, epc, f.address);
    return true;
  }

  uint64_t reg(unsigned index) const {
    uint64_t v = 0;
    if (index != 0) uc_reg_read(uc, UC_RISCV_REG_X0 + static_cast<int>(index), &v);
    return v;
  }

  // The instruction Unicorn stopped on in the current block (Unicorn's pc
  // then is the block's start, and the registers are those the instruction
  // sees: those before it have run, it has not): the first load or store
  // whose address, computed from the registers now, covers `address`; with
  // a `value` (a store's), an integer store must also be storing it.
  std::optional<uint64_t> find_access(uint64_t address, bool is_store, std::optional<uint64_t> value = {}) const {
    uint8_t code[1024 + 4] = {};
    const uint32_t size = block_size();
    if (size > 1024 || uc_mem_read(uc, block_address, code, size) != UC_ERR_OK) return std::nullopt;
    for (uint32_t at = 0; at < size;) {
      uint32_t insn = 0;
      std::memcpy(&insn, code + at, 4);
      const unsigned length = (insn & 3) == 3 ? 4 : 2;
      if (const auto access = decode_access(length == 4 ? insn : insn & 0xffff)) {
        const uint64_t first = reg(access->rs1) + access->offset;
        bool match = access->is_store == is_store && first <= address && address < first + access->size;
        if (match && value && access->data >= 0) {
          const uint64_t mask = access->size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * access->size)) - 1;
          match = ((reg(static_cast<unsigned>(access->data)) ^ *value) & mask) == 0;
        }
        if (match) return block_address + at;
      }
      at += length;
    }
    return std::nullopt;
  }

  struct Access {
    unsigned rs1;
    int64_t offset;
    unsigned size;
    bool is_store;
    int data = -1;  // an integer store's source register
  };
  // Loads, stores, AMOs of RV64GC (32-bit and compressed forms).
  static std::optional<Access> decode_access(uint32_t insn) {
    auto sext = [](uint64_t v, unsigned bits) { return static_cast<int64_t>(v << (64 - bits)) >> (64 - bits); };
    const unsigned funct3 = (insn >> 12) & 7, rs1 = (insn >> 15) & 31;
    if ((insn & 3) == 3) {
      switch (insn & 0x7f) {
        case 0x03: return Access{rs1, sext(insn >> 20, 12), 1u << (funct3 & 3), false};  // LOAD
        case 0x07: return Access{rs1, sext(insn >> 20, 12), 1u << (funct3 & 3), false};  // LOAD-FP
        case 0x23:                                                                      // STORE
        case 0x27: {                                                                    // STORE-FP
          const uint64_t imm = ((insn >> 25) << 5) | ((insn >> 7) & 31);
          const int data = (insn & 0x7f) == 0x23 ? static_cast<int>((insn >> 20) & 31) : -1;
          return Access{rs1, sext(imm, 12), 1u << (funct3 & 3), true, data};
        }
        case 0x2f: return Access{rs1, 0, 1u << (funct3 & 3), (insn >> 27) != 0x02};  // AMO (LR is a load)
        default: return std::nullopt;
      }
    }
    const unsigned op = insn & 3, f3 = (insn >> 13) & 7;
    const unsigned rs1c = 8 + ((insn >> 7) & 7);
    const int rs2c = 8 + static_cast<int>((insn >> 2) & 7), rs2sp = static_cast<int>((insn >> 2) & 31);
    const uint64_t word = (((insn >> 10) & 7) << 3) | (((insn >> 6) & 1) << 2) | (((insn >> 5) & 1) << 6);
    const uint64_t dword = (((insn >> 10) & 7) << 3) | (((insn >> 5) & 3) << 6);
    if (op == 0) {
      switch (f3) {
        case 1: case 3: return Access{rs1c, static_cast<int64_t>(dword), 8, false};  // c.fld, c.ld
        case 2: return Access{rs1c, static_cast<int64_t>(word), 4, false};           // c.lw
        case 5: return Access{rs1c, static_cast<int64_t>(dword), 8, true};           // c.fsd
        case 7: return Access{rs1c, static_cast<int64_t>(dword), 8, true, rs2c};     // c.sd
        case 6: return Access{rs1c, static_cast<int64_t>(word), 4, true, rs2c};      // c.sw
        default: return std::nullopt;
      }
    }
    if (op == 2) {
      const uint64_t lwsp = (((insn >> 12) & 1) << 5) | (((insn >> 4) & 7) << 2) | (((insn >> 2) & 3) << 6);
      const uint64_t ldsp = (((insn >> 12) & 1) << 5) | (((insn >> 5) & 3) << 3) | (((insn >> 2) & 7) << 6);
      const uint64_t swsp = (((insn >> 9) & 15) << 2) | (((insn >> 7) & 3) << 6);
      const uint64_t sdsp = (((insn >> 10) & 7) << 3) | (((insn >> 7) & 7) << 6);
      switch (f3) {
        case 1: case 3: return Access{2, static_cast<int64_t>(ldsp), 8, false};  // c.fldsp, c.ldsp
        case 2: return Access{2, static_cast<int64_t>(lwsp), 4, false};          // c.lwsp
        case 5: return Access{2, static_cast<int64_t>(sdsp), 8, true};              // c.fsdsp
        case 7: return Access{2, static_cast<int64_t>(sdsp), 8, true, rs2sp};       // c.sdsp
        case 6: return Access{2, static_cast<int64_t>(swsp), 4, true, rs2sp};       // c.swsp
        default: return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // --- interrupts ----------------------------------------------------------------

  uint64_t line_bits() const {
    return (cpu.msip.read() ? kMsip : 0) | (cpu.mtip.read() ? kMtip : 0) | (cpu.seip.read() ? kSeip : 0) |
           (cpu.meip.read() ? kMeip : 0);
  }

  void apply_lines() {
    const uint64_t bits = line_bits();
    if (bits == applied_lines) return;
    state.set_mip_bits(kLineBits, bits);
    applied_lines = bits;
  }

  bool interrupt_pending() { return (state.mip() & state.mie()) != 0; }

  // Runs the delta cycles at the current time (a woken method, then its
  // signals' update) and applies the interrupt lines' new levels: a lowered
  // MEIP is not taken again (no spurious claim), a raised one is taken at
  // the end of the block. A few rounds at most: a device that keeps waking
  // itself at the same time is left to the next quantum.
  void settle_lines() {
    for (int round = 0; round < 4 && sc_core::sc_pending_activity_at_current_time(); ++round) {
      sc_core::wait(sc_core::SC_ZERO_TIME);
    }
    if (line_bits() != applied_lines) {
      apply_lines();
      ++cpu.stats_.line_changes;
    }
  }

  // --- state --------------------------------------------------------------------------

  struct BlockCount {
    uint64_t address = ~uint64_t{0};
    uint32_t size = 0;
    unsigned count = 0;
  };

  RiscvCpu& cpu;
  uc_engine* uc;
  detail::UnicornRiscvState state;
  detail::UnicornMemoryMap memory;
  tlm_utils::tlm_quantumkeeper quantum;
  tlm::tlm_generic_payload payload;
  TxAttributes attributes;
  static constexpr std::size_t kBlockSlots = 4096;
  std::array<BlockCount, kBlockSlots> blocks{};
  std::vector<std::pair<uint64_t, uint64_t>> denials;
  std::vector<std::pair<uint64_t, uint64_t>> invalidations;
  std::vector<uint64_t> probes;
  std::vector<std::pair<uint64_t, uint64_t>> written_ranges;
  uint64_t run_executed = 0;
  uint64_t run_budget = 0;
  uint64_t stop_at = 0;  // on_block() stops once run_executed reaches it
  uint64_t applied_lines = 0;
  bool stop_requested = false;
  bool reset_requested = false;
  uc_context* power_on = nullptr;
  struct Fault {
    uint64_t address;
    unsigned size;
    unsigned cause;
    std::optional<uint64_t> epc = std::nullopt;  // the access, when known at once
  };
  std::optional<Fault> fault;  // an access to a hole Unicorn stopped for
  struct ProtectedStore {
    uint64_t first, last;  // the read-only segment
    uint64_t address, value;
  };
  std::optional<ProtectedStore> write_protected;  // a store Unicorn stopped for
  uint64_t block_address = 0;  // the translated block being run
  std::vector<std::pair<uint64_t, uint64_t>> flushes;
  bool running = false;
};

RiscvCpu::RiscvCpu(sc_core::sc_module_name name, const RiscvCpuConfig& config)
    : sc_core::sc_module(name), socket("socket"), config_(config) {
  const std::string problem = unicorn_layout_problem();
  if (!problem.empty()) {
    const std::string message = std::string(this->name()) + ": " + problem;
    SC_REPORT_ERROR("tlmmap/cpu", message.c_str());
    return;
  }
  if (config_.address_limit < kPage || config_.address_limit % kPage != 0) {
    const std::string message = std::string(this->name()) + ": address_limit " + hex(config_.address_limit) +
                                " is not a whole number of 4 KiB pages";
    SC_REPORT_ERROR("tlmmap/cpu", message.c_str());
    return;
  }
  engine_ = std::make_unique<Engine>(*this);
  socket.register_invalidate_direct_mem_ptr(this, &RiscvCpu::invalidate_direct_mem_ptr);
  socket.register_nb_transport_bw(this, &RiscvCpu::nb_transport_bw);
  SC_THREAD(run);
}

RiscvCpu::~RiscvCpu() = default;

std::string RiscvCpu::unicorn_layout_problem() {
  static const std::string problem = detail::UnicornRiscvState::layout_problem();
  return problem;
}

void RiscvCpu::set_register(unsigned index, uint64_t value) {
  if (index == 0 || index > 31) return;
  uc_reg_write(engine_->uc, UC_RISCV_REG_X0 + static_cast<int>(index), &value);
}

uint64_t RiscvCpu::get_register(unsigned index) const {
  uint64_t value = 0;
  if (index > 0 && index <= 31) uc_reg_read(engine_->uc, UC_RISCV_REG_X0 + static_cast<int>(index), &value);
  return value;
}

uint64_t RiscvCpu::pc() const {
  uint64_t value = 0;
  uc_reg_read(engine_->uc, UC_RISCV_REG_PC, &value);
  return value;
}

unsigned RiscvCpu::privilege() const { return static_cast<unsigned>(engine_->state.privilege()); }

namespace {
// The CSRs a checkpoint holds, in restore order (mstatus first: it enables
// the FPU and sets what the others may hold).
constexpr std::pair<const char*, int> kSavedCsrs[] = {
    {"mstatus", UC_RISCV_REG_MSTATUS},       {"medeleg", UC_RISCV_REG_MEDELEG},
    {"mideleg", UC_RISCV_REG_MIDELEG},       {"mie", UC_RISCV_REG_MIE},
    {"mtvec", UC_RISCV_REG_MTVEC},           {"mcounteren", UC_RISCV_REG_MCOUNTEREN},
    {"mscratch", UC_RISCV_REG_MSCRATCH},     {"mepc", UC_RISCV_REG_MEPC},
    {"mcause", UC_RISCV_REG_MCAUSE},         {"mtval", UC_RISCV_REG_MTVAL},
    {"stvec", UC_RISCV_REG_STVEC},           {"scounteren", UC_RISCV_REG_SCOUNTEREN},
    {"sscratch", UC_RISCV_REG_SSCRATCH},     {"sepc", UC_RISCV_REG_SEPC},
    {"scause", UC_RISCV_REG_SCAUSE},         {"stval", UC_RISCV_REG_STVAL},
    {"satp", UC_RISCV_REG_SATP},             {"fcsr", UC_RISCV_REG_FCSR},
};
// mip bits software may set (SSIP, STIP, SEIP); the rest follow the lines.
constexpr uint64_t kSoftwareMip = (1u << 1) | (1u << 5) | (1u << 9);
}  // namespace

RiscvCpu::State RiscvCpu::save_state() const {
  Engine& e = *engine_;
  State s;
  auto read = [&](int reg) {
    uint64_t v = 0;
    uc_reg_read(e.uc, reg, &v);
    return v;
  };
  s["pc"] = pc();
  for (int i = 1; i < 32; ++i) s["x" + std::to_string(i)] = read(UC_RISCV_REG_X0 + i);
  for (int i = 0; i < 32; ++i) s["f" + std::to_string(i)] = read(UC_RISCV_REG_F0 + i);
  const uint64_t privilege = e.state.privilege();
  e.state.set_privilege(3);  // CSRs read below M-mode come back as garbage
  for (const auto& [name, reg] : kSavedCsrs) s[name] = read(reg);
  // With the FPU off (mstatus.FS 0) Unicorn's read of fcsr fails and leaves
  // its output unwritten; the register is then inaccessible, so it is 0.
  if (((s["mstatus"] >> 13) & 3) == 0) s["fcsr"] = 0;
  e.state.set_privilege(privilege);
  s["mip"] = e.state.mip() & kSoftwareMip;
  s["privilege"] = privilege;
  s["instructions"] = stats_.instructions;
  return s;
}

void RiscvCpu::restore_state(const State& s) {
  std::vector<std::string> names{"pc", "mip", "privilege", "instructions"};
  for (int i = 1; i < 32; ++i) names.push_back("x" + std::to_string(i));
  for (int i = 0; i < 32; ++i) names.push_back("f" + std::to_string(i));
  for (const auto& [name, reg] : kSavedCsrs) names.push_back(name);
  for (const std::string& name : names) {
    if (s.count(name) == 0) {
      const std::string message = std::string(this->name()) + ": the CPU state to restore has no '" + name + "'";
      SC_REPORT_ERROR("tlmmap/cpu", message.c_str());
      return;
    }
  }
  Engine& e = *engine_;
  auto write = [&](int reg, uint64_t v) { uc_reg_write(e.uc, reg, &v); };
  e.state.set_privilege(3);  // CSR writes below M-mode are dropped
  for (const auto& [name, reg] : kSavedCsrs) write(reg, s.at(name));
  for (int i = 1; i < 32; ++i) write(UC_RISCV_REG_X0 + i, s.at("x" + std::to_string(i)));
  for (int i = 0; i < 32; ++i) write(UC_RISCV_REG_F0 + i, s.at("f" + std::to_string(i)));
  e.state.set_mip_bits(kSoftwareMip, s.at("mip"));
  e.applied_lines = 0;  // the lines' bits are clear: applied again before the next run
  e.state.set_mip_bits(kLineBits, 0);
  write(UC_RISCV_REG_PC, s.at("pc"));
  e.state.set_privilege(s.at("privilege"));
  stats_.instructions = s.at("instructions");
}

void RiscvCpu::reset() {
  engine_->reset_requested = true;
  engine_->request_stop();
}

void RiscvCpu::load(uint64_t address, const void* data, std::size_t length) {
  const auto* first = static_cast<const uint8_t*>(data);
  if (sc_core::sc_get_status() & (sc_core::SC_ELABORATION | sc_core::SC_BEFORE_END_OF_ELABORATION |
                                  sc_core::SC_END_OF_ELABORATION)) {
    // The socket is bound only once elaboration is over.
    images_.push_back({address, std::vector<uint8_t>(first, first + length)});
    return;
  }
  tlm::tlm_generic_payload gp;
  const auto* bytes = static_cast<const uint8_t*>(data);
  constexpr std::size_t kChunk = 0x10000;
  for (std::size_t done = 0; done < length;) {
    const auto n = static_cast<unsigned>(std::min(kChunk, length - done));
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(address + done);
    gp.set_data_ptr(const_cast<uint8_t*>(bytes + done));
    gp.set_data_length(n);
    gp.set_streaming_width(n);
    if (socket->transport_dbg(gp) != n) {
      const std::string message = std::string(name()) + ": cannot load " + std::to_string(length) + " bytes at " +
                                  hex(address) + ": the map refuses the bytes at " + hex(address + done);
      SC_REPORT_ERROR("tlmmap/cpu", message.c_str());
      return;
    }
    done += n;
  }
}

void RiscvCpu::load_file(uint64_t address, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string message = std::string(name()) + ": cannot read image '" + path + "'";
    SC_REPORT_ERROR("tlmmap/cpu", message.c_str());
    return;
  }
  const std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  load(address, image.data(), image.size());
}

void RiscvCpu::start_of_simulation() {
  for (const Image& image : images_) load(image.address, image.bytes.data(), image.bytes.size());
  images_.clear();
}

void RiscvCpu::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  if (engine_) engine_->invalidate(start, end);
}

void RiscvCpu::run() {
  Engine& e = *engine_;
  e.map_physical_space();
  const sc_core::sc_time& step = config_.instruction_time;
  sc_core::sc_event_or_list lines;
  for (auto* line : {&mtip, &msip, &meip, &seip}) lines |= line->value_changed_event();
  for (;;) {
    e.apply_pending();
    e.apply_lines();
    const sc_core::sc_time global = tlm_utils::tlm_quantumkeeper::get_global_quantum();
    const sc_core::sc_time local = e.quantum.get_local_time();
    // Without a global quantum, sync every kDefaultRun instructions.
    e.run_budget = global == sc_core::SC_ZERO_TIME ? kDefaultRun
                   : global > local                ? std::max<uint64_t>(1, static_cast<uint64_t>((global - local) / step))
                                                   : 1;
    if (config_.instruction_limit != 0) {
      e.run_budget = std::min(e.run_budget, config_.instruction_limit - stats_.instructions);
    }
    e.run_executed = 0;
    e.stop_requested = false;
    e.stop_at = e.run_budget;
    e.running = true;
    const uc_err err = uc_emu_start(e.uc, pc(), kNeverReached, 0, 0);
    e.running = false;
    const bool store_found = !e.write_protected || e.resume_at_protected_store();
    ++stats_.runs;
    stats_.instructions += e.run_executed;
    e.quantum.inc(static_cast<double>(e.run_executed) * step);
    if (stop_called()) wait();  // the simulation ends; stay put
    if (config_.instruction_limit != 0 && stats_.instructions >= config_.instruction_limit) {
      e.quantum.sync();
      sc_core::sc_stop();
      wait();
    }
    if (e.reset_requested) {
      e.reset();
      continue;
    }
    if (e.fault) {
      const auto f = *e.fault;
      if (e.enter_access_fault()) continue;
      const std::string message = std::string(name()) + ": an access to " + hex(f.address) +
                                  ", where nothing answers, faults; its instruction is not found in the block at " +
                                  hex(e.block_address) + "; simulation stopped";
      SC_REPORT_ERROR("tlmmap/cpu", message.c_str());
      sc_core::sc_stop();
      wait();
    }
    if (e.write_protected) {
      if (!store_found) {
        const std::string message = std::string(name()) + ": a store to " + hex(e.write_protected->address) +
                                    " (read-only host memory) is not found in the block at " +
                                    hex(e.block_address) + "; simulation stopped";
        SC_REPORT_ERROR("tlmmap/cpu", message.c_str());
        sc_core::sc_stop();
        wait();
      }
      e.write_through();  // the store runs again, on b_transport
      continue;
    }
    if (err == UC_ERR_INSN_INVALID) {
      uint32_t insn = 0;
      uc_mem_read(e.uc, pc(), &insn, 4);
      if (insn == kEbreak || static_cast<uint16_t>(insn) == kCEbreak) {
        e.take_trap(kBreakpoint, pc(), 0);  // QEMU 7.2 leaves xtval 0 for ebreak
        continue;
      }
    }
    if (err != UC_ERR_OK) {
      const std::string message = std::string(name()) + ": Unicorn stopped at pc " + hex(pc()) + ": " +
                                  uc_strerror(err) + "; simulation stopped";
      SC_REPORT_ERROR("tlmmap/cpu", message.c_str());
      sc_core::sc_stop();
      wait();
    }
    if (!e.stop_requested) {
      // Unicorn returns by itself only from WFI: sleep until an enabled
      // interrupt is pending.
      ++stats_.wfi;
      e.quantum.sync();
      e.apply_lines();
      while (!e.interrupt_pending()) {
        wait(lines);
        e.apply_lines();
      }
      continue;
    }
    if (e.quantum.need_sync()) e.quantum.sync();
  }
}

}  // namespace tlmmap
