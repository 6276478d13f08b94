#include "unicorn_riscv_state.hpp"

#include <cstdio>
#include <cstring>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

namespace tlmmap::detail {
namespace {

// uc_context: size_t context_size, uc_mode mode, uc_arch arch, then the state.
constexpr std::size_t kStateStart = 16;
constexpr std::size_t kContextSize = 1544;
// Offsets in CPURISCVState of Unicorn 2.0.1 (riscv64).
constexpr std::size_t kPc = 512;
constexpr std::size_t kBadaddr = 544;
constexpr std::size_t kPriv = 592;
constexpr std::size_t kMhartid = 616;
constexpr std::size_t kMip = 632;
constexpr std::size_t kMie = 648;
constexpr uint64_t kMachine = 3;

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

UnicornRiscvState::UnicornRiscvState(uc_engine* uc) : uc_(uc) {
  uc_context_alloc(uc_, &context_);
  live_ = find_live_state();
}

namespace {
// Copies up to `n` bytes at `from` that are readable memory of this process
// (process_vm_readv stops at the first unreadable page instead of
// faulting); returns how many.
std::size_t read_own(const void* from, void* to, std::size_t n) {
  iovec local{to, n};
  iovec remote{const_cast<void*>(from), n};
  const ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
  return got > 0 ? static_cast<std::size_t>(got) : 0;
}
}  // namespace

// uc_context_save copies the live state from uc->cpu->env_ptr, which points
// into the same object as uc->cpu (QEMU's RISCVCPU holds its env). So: for
// each word of uc_struct taken as the CPU object, read the object and look
// in it for a word pointing back into it at bytes equal to a saved copy
// (with marker values in the registers). Then a PC written through the API
// must show there. Not found (another build of 2.0.1): privilege() copies.
const uint8_t* UnicornRiscvState::find_live_state() {
  constexpr std::size_t kEngineBytes = 4096, kObjectBytes = 1 << 16, kCompared = 512;
  uc_context* before = nullptr;
  uc_context_alloc(uc_, &before);
  uc_context_save(uc_, before);
  for (int i = 1; i < 32; ++i) {
    const uint64_t marker = 0x7e5a3c0000000000ull | (uint64_t(i) << 8) | 0x5d;
    uc_reg_write(uc_, UC_RISCV_REG_X0 + i, &marker);
  }
  save();
  const uint8_t* expected = data();
  std::vector<uintptr_t> engine(kEngineBytes / 8, 0);
  std::vector<uint8_t> object(kObjectBytes);
  const std::size_t engine_words = read_own(uc_, engine.data(), kEngineBytes) / 8;
  const uint8_t* found = nullptr;
  for (std::size_t i = 0; i < engine_words && found == nullptr; ++i) {
    const uintptr_t cpu = engine[i];
    if (cpu == 0 || cpu % 8 != 0) continue;
    const std::size_t got = read_own(reinterpret_cast<const void*>(cpu), object.data(), kObjectBytes);
    for (std::size_t j = 0; j + 8 <= got && found == nullptr; j += 8) {
      uintptr_t env;
      std::memcpy(&env, object.data() + j, 8);
      if (env < cpu || env % 8 != 0 || env - cpu + kCompared > got) continue;
      if (std::memcmp(object.data() + (env - cpu), expected, kCompared) == 0) found = reinterpret_cast<const uint8_t*>(env);
    }
  }
  bool moves = false;
  if (found != nullptr) {
    const uint64_t probe_pc = 0x5a5a5a5a0;
    uc_reg_write(uc_, UC_RISCV_REG_PC, &probe_pc);
    uint64_t in_place = 0;
    moves = read_own(found + kPc, &in_place, 8) == 8 && in_place == probe_pc;
  }
  uc_context_restore(uc_, before);
  uc_context_free(before);
  return moves ? found : nullptr;
}

UnicornRiscvState::~UnicornRiscvState() { uc_context_free(context_); }

uint8_t* UnicornRiscvState::data() { return reinterpret_cast<uint8_t*>(context_) + kStateStart; }
void UnicornRiscvState::save() { uc_context_save(uc_, context_); }
void UnicornRiscvState::restore() { uc_context_restore(uc_, context_); }

uint64_t UnicornRiscvState::field(std::size_t offset) {
  save();
  uint64_t value;
  std::memcpy(&value, data() + offset, 8);
  return value;
}

uint64_t UnicornRiscvState::privilege() {
  if (live_ != nullptr) {
    uint64_t value;
    std::memcpy(&value, live_ + kPriv, 8);
    return value;
  }
  return field(kPriv);
}
uint64_t UnicornRiscvState::mip() { return field(kMip); }
uint64_t UnicornRiscvState::mie() { return field(kMie); }
uint64_t UnicornRiscvState::badaddr() { return field(kBadaddr); }

void UnicornRiscvState::set_privilege(uint64_t level) {
  save();
  std::memcpy(data() + kPriv, &level, 8);
  restore();
}

void UnicornRiscvState::set_hart_id(uint64_t id) {
  save();
  std::memcpy(data() + kMhartid, &id, 8);
  restore();
}

void UnicornRiscvState::set_mip_bits(uint64_t mask, uint64_t bits) {
  save();
  uint64_t mip, priv;
  std::memcpy(&mip, data() + kMip, 8);
  std::memcpy(&priv, data() + kPriv, 8);
  const uint64_t updated = (mip & ~mask) | (bits & mask);
  std::memcpy(data() + kMip, &updated, 8);
  std::memcpy(data() + kPriv, &kMachine, 8);
  restore();
  // Writing the software bits back unchanged makes QEMU raise or lower its
  // interrupt request from the whole of mip.
  uint64_t value = updated;
  uc_reg_write(uc_, UC_RISCV_REG_MIP, &value);
  set_privilege(priv);
}

std::string UnicornRiscvState::layout_problem() {
  unsigned major = 0, minor = 0;
  const unsigned combined = uc_version(&major, &minor);
  const unsigned patch = (combined >> 8) & 0xff;
  if (major != 2 || minor != 0 || patch != 1) {
    return "Unicorn " + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch) +
           " found; the RISC-V CPU model edits saved CPU contexts laid out as in Unicorn 2.0.1 and runs on no other";
  }
  uc_engine* uc = nullptr;
  if (uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc) != UC_ERR_OK) return "Unicorn cannot open a riscv64 engine";
  std::string problem;
  auto expect = [&](const char* what, uint64_t got, uint64_t want) {
    if (problem.empty() && got != want) {
      problem = std::string("Unicorn 2.0.1 context layout differs: ") + what + " reads " + hex(got) + ", expected " +
                hex(want);
    }
  };
  expect("context size", uc_context_size(uc), kContextSize);
  if (problem.empty()) {
    // mret to S-mode at 0x1000, where an ebreak stops emulation.
    static const uint32_t code[] = {0x30200073 /* mret */};
    static const uint32_t target[] = {0x00100073 /* ebreak */};
    std::vector<uint8_t> page(0x2000, 0);
    std::memcpy(page.data(), code, sizeof code);
    std::memcpy(page.data() + 0x1000, target, sizeof target);
    uc_mem_map(uc, 0, 0x2000, UC_PROT_ALL);
    uc_mem_write(uc, 0, page.data(), page.size());
    UnicornRiscvState state(uc);
    uint64_t pc = 0x1234;
    uc_reg_write(uc, UC_RISCV_REG_PC, &pc);
    expect("pc", state.field(kPc), 0x1234);
    expect("privilege after reset", state.privilege(), kMachine);
    state.set_hart_id(5);
    uint64_t v = 0;
    uc_reg_read(uc, UC_RISCV_REG_MHARTID, &v);
    expect("mhartid", v, 5);
    v = 0x2;  // SSIP
    uc_reg_write(uc, UC_RISCV_REG_MIP, &v);
    expect("mip", state.mip(), 0x2);
    v = 0x222;
    uc_reg_write(uc, UC_RISCV_REG_MIE, &v);
    expect("mie", state.mie(), 0x222);
    v = 0;  // nothing pending: the mret below must not be interrupted
    uc_reg_write(uc, UC_RISCV_REG_MIP, &v);
    uc_reg_write(uc, UC_RISCV_REG_MIE, &v);
    v = uint64_t{1} << 11;  // MPP = S
    uc_reg_write(uc, UC_RISCV_REG_MSTATUS, &v);
    v = 0x1000;
    uc_reg_write(uc, UC_RISCV_REG_MEPC, &v);
    uc_emu_start(uc, 0, 0xfffffffffffffffe, 0, 10);
    expect("privilege after mret to S", state.privilege(), 1);
  }
  uc_close(uc);
  return problem;
}

}  // namespace tlmmap::detail
