// Guest instructions per second on the riscv-virt platform against Unicorn
// alone, with the same guest image (guests/virt_bench.S):
//   compute-bound  ALU loops: what the platform's run loop (quantum
//                  keeper, block counting, SystemC syncs) costs;
//   MMIO-bound     a loop polling the UART's LSR: what one access through
//                  tlmmap (Unicorn callback -> b_transport -> address space
//                  -> MmioRegion -> the UART's ops) costs beyond Unicorn's
//                  own MMIO callback.
// Unicorn alone is a plain C++ loop over uc_emu_start(count = 10000) with
// the image in uc_mem_map'ed RAM and, for the MMIO guest, a uc_mmio_map
// callback answering LSR; a second variant stops from a block hook, as the
// platform's CPU does. The platform runs slices of simulated time
// (sc_start) at 10 ns per instruction with quanta of 10 us, 100 us (its
// default) and 1 ms. After the table, the ratios and the MMIO overhead in ns
// per access are printed.
//
// Then the U-Boot row: Debian's OpenSBI fw_jump + U-Boot booted to `=>`,
// `version` and `poweroff` typed (platforms/riscv-virt/demo.script),
// on riscv-virt as a subprocess (wall time, guest instructions per second)
// and on QEMU 7.2 (qemu-system-riscv64, driven by record-qemu.py with the
// same script) when installed, in the same run. Unicorn alone cannot boot
// them: it needs the platform's trap entry, CLINT, PLIC, UART and test
// finisher, i.e. the platform.
#include <chrono>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include <benchmark/benchmark.h>
#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <unicorn/unicorn.h>

#include "median_times.hpp"
#include "virt_machine.hpp"

namespace {

constexpr uint64_t kRam = 0x80000000;
constexpr uint64_t kModeOffset = 0x100;
constexpr uint64_t kUart = 0x10000000;
constexpr uint64_t kSlice = 10000;  // instructions per uc_emu_start / per platform slice
constexpr uint64_t kNever = 0xfffffffffffffffeull;
constexpr int kInstructionsPerPoll = 4;  // lbu, andi, addi, bnez

std::vector<uint8_t> image() {
  std::ifstream in(TLMMAP_VIRT_BENCH_GUEST, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// --- Unicorn alone ---------------------------------------------------------

struct Alone {
  uc_engine* uc = nullptr;
  std::vector<uint8_t> code = image();
  uint64_t pc = kRam;
  uint64_t counted = 0, budget = 0;  // block-hook variant
  uc_hook block_hook = 0;

  explicit Alone(uint64_t mode, bool hook) {
    uc_open(UC_ARCH_RISCV, UC_MODE_RISCV64, &uc);
    uc_mem_map(uc, kRam, 16 << 20, UC_PROT_ALL);
    uc_mem_write(uc, kRam, code.data(), code.size());
    uc_mem_write(uc, kRam + kModeOffset, &mode, sizeof mode);
    uc_mmio_map(
        uc, kUart, 0x1000,
        [](uc_engine*, uint64_t offset, unsigned, void*) -> uint64_t { return offset == 5 ? 0x60 : 0; }, nullptr,
        [](uc_engine*, uint64_t, unsigned, uint64_t, void*) {}, nullptr);
    if (hook) {
      uc_hook_add(
          uc, &block_hook, UC_HOOK_BLOCK,
          reinterpret_cast<void*>(+[](uc_engine* engine, uint64_t, uint32_t size, void* self) {
            auto* a = static_cast<Alone*>(self);
            // The guest has no compressed instructions: size / 4 of them.
            a->counted += size / 4;
            if (a->counted >= a->budget) uc_emu_stop(engine);
          }),
          this, 1, 0);
    }
  }
  ~Alone() { uc_close(uc); }

  uint64_t run_count() {
    uc_emu_start(uc, pc, kNever, 0, kSlice);
    uc_reg_read(uc, UC_RISCV_REG_PC, &pc);
    return kSlice;
  }
  uint64_t run_hooked() {
    counted = 0;
    budget = kSlice;
    uc_emu_start(uc, pc, kNever, 0, 0);
    uc_reg_read(uc, UC_RISCV_REG_PC, &pc);
    return counted;
  }
};

void UnicornAlone(benchmark::State& state, uint64_t mode, bool hook) {
  Alone alone(mode, hook);
  uint64_t instructions = 0;
  for (auto _ : state) instructions += hook ? alone.run_hooked() : alone.run_count();
  state.SetItemsProcessed(static_cast<int64_t>(instructions));
  state.counters["MIPS"] = benchmark::Counter(static_cast<double>(instructions) / 1e6, benchmark::Counter::kIsRate);
}
void BM_Compute_UnicornAlone_Count(benchmark::State& s) { UnicornAlone(s, 0, false); }
void BM_Compute_UnicornAlone_BlockHook(benchmark::State& s) { UnicornAlone(s, 0, true); }
void BM_Mmio_UnicornAlone_Count(benchmark::State& s) { UnicornAlone(s, 1, false); }
void BM_Mmio_UnicornAlone_BlockHook(benchmark::State& s) { UnicornAlone(s, 1, true); }

// --- the platform ------------------------------------------------------------

// One machine per process (SystemC elaborates once); the benchmarks switch
// its guest's mode and its quantum between runs.
tlmmap::virt::VirtMachine& machine() {
  static std::unique_ptr<tlmmap::virt::VirtMachine> m = [] {
    const std::string empty_script = "/tmp/tlmmap_virt_bench.script";
    std::ofstream(empty_script).flush();
    tlmmap::virt::VirtConfig config;
    config.bios = TLMMAP_VIRT_BENCH_GUEST;
    config.uart_input = empty_script;  // no stdin polling
    config.uart_output = "/dev/null";
    return std::make_unique<tlmmap::virt::VirtMachine>("virt", config);
  }();
  return *m;
}

void Platform(benchmark::State& state, uint64_t mode) {
  tlmmap::virt::VirtMachine& m = machine();
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(static_cast<double>(state.range(0)), sc_core::SC_US));
  m.cpu().load(kRam + kModeOffset, &mode, sizeof mode);
  const sc_core::sc_time slice = m.config().instruction_time * static_cast<double>(kSlice);
  sc_core::sc_start(slice);  // the mode change reaches the guest; warm up
  const uint64_t before = m.cpu().stats().instructions;
  for (auto _ : state) sc_core::sc_start(slice);
  const uint64_t instructions = m.cpu().stats().instructions - before;
  state.SetItemsProcessed(static_cast<int64_t>(instructions));
  state.counters["MIPS"] = benchmark::Counter(static_cast<double>(instructions) / 1e6, benchmark::Counter::kIsRate);
}
void BM_Compute_Platform(benchmark::State& s) { Platform(s, 0); }
void BM_Mmio_Platform(benchmark::State& s) { Platform(s, 1); }

BENCHMARK(BM_Compute_UnicornAlone_Count);
BENCHMARK(BM_Compute_UnicornAlone_BlockHook);
BENCHMARK(BM_Compute_Platform)->Arg(10)->Arg(100)->Arg(1000)->ArgName("quantum_us");
BENCHMARK(BM_Mmio_UnicornAlone_Count);
BENCHMARK(BM_Mmio_UnicornAlone_BlockHook);
BENCHMARK(BM_Mmio_Platform)->Arg(10)->Arg(100)->Arg(1000)->ArgName("quantum_us");

// Guest instructions per second of each run (items/s), by name.
class Rates : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> rate;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const bool aggregate = r.run_type == Run::RT_Aggregate;
      if (aggregate ? r.aggregate_name != "median" : r.repetitions > 1) continue;
      auto it = r.counters.find("items_per_second");
      if (it != r.counters.end()) rate[r.run_name.function_name + (r.run_name.args.empty() ? "" : "/" + r.run_name.args)] = it->second;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

// Wall time of a shell command; its stderr goes to `err`.
double wall_seconds(const std::string& command, const std::string& err) {
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system((command + " 2> " + err).c_str());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return status == 0 ? seconds : -1;
}

void uboot_row(std::ostream& out) {
#ifndef TLMMAP_RISCV_VIRT
  out << "U-Boot boot: riscv-virt is not built, not measured\n";
#else
  const std::string bios = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump";
  const std::string uboot = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin";
  const std::string script = TLMMAP_VIRT_UBOOT_SCRIPT;
  if (!std::ifstream(bios + ".bin") || !std::ifstream(uboot)) {
    out << "U-Boot boot: opensbi / u-boot-qemu not installed, not measured\n";
    return;
  }
  out << "U-Boot boot to `=>`, version, poweroff (best of 3, wall time):\n";
  double best = 1e9;
  uint64_t instructions = 0;
  for (int i = 0; i < 3; ++i) {
    const double s = wall_seconds(std::string(TLMMAP_RISCV_VIRT) + " --bios " + bios + ".bin --kernel " + uboot +
                                      " --uart-input " + script + " --uart-output /dev/null --time-limit 20s",
                                  "/tmp/tlmmap_virt_bench_uboot.err");
    std::ifstream err("/tmp/tlmmap_virt_bench_uboot.err");
    const std::string text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    std::smatch m;
    if (s < 0 || !std::regex_search(text, m, std::regex(R"(, ([0-9]+) instructions)"))) {
      out << "  riscv-virt: the boot failed: " << text << "\n";
      return;
    }
    instructions = std::stoull(m[1].str());
    best = std::min(best, s);
  }
  out << "  riscv-virt: " << best << " s, " << instructions << " guest instructions, "
      << static_cast<double>(instructions) / best / 1e6 << " MIPS\n";
  if (std::system("command -v qemu-system-riscv64 > /dev/null") != 0) {
    out << "  QEMU: qemu-system-riscv64 not installed, not measured\n";
    return;
  }
  double qemu = 1e9;
  for (int i = 0; i < 3; ++i) {
    const double s = wall_seconds(std::string("python3 ") + TLMMAP_RECORD_QEMU + " " + script + " /dev/null " + bios +
                                      ".elf " + uboot,
                                  "/dev/null");
    if (s < 0) {
      out << "  QEMU: the session failed\n";
      return;
    }
    qemu = std::min(qemu, s);
  }
  out << "  QEMU 7.2 (TCG, with its driver script): " << qemu << " s; riscv-virt / QEMU wall time: x" << best / qemu
      << "\n";
#endif
}

}  // namespace

int main(int argc, char** argv) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  benchmark::Initialize(&argc, argv);
  Rates rates;
  benchmark::RunSpecifiedBenchmarks(&rates);
  auto& out = rates.GetOutputStream();
  const auto& r = rates.rate;
  auto ratio = [&](const char* kind, const std::string& platform, const std::string& alone) {
    if (!r.count(platform) || !r.count(alone)) return;
    out << "  " << kind << " " << platform << " / " << alone << ": x" << r.at(platform) / r.at(alone) << "\n";
  };
  out << "\nGuest instructions per second, platform / Unicorn alone (target: compute-bound >= 0.8):\n";
  for (const char* q : {"quantum_us:10", "quantum_us:100", "quantum_us:1000"}) {
    for (const char* alone : {"BM_Compute_UnicornAlone_Count", "BM_Compute_UnicornAlone_BlockHook"}) {
      ratio("compute", std::string("BM_Compute_Platform/") + q, alone);
    }
  }
  out << "MMIO: ns per LSR access beyond Unicorn's own callback (target: <= 60 ns):\n";
  for (const char* q : {"quantum_us:10", "quantum_us:100", "quantum_us:1000"}) {
    const std::string platform = std::string("BM_Mmio_Platform/") + q;
    for (const char* alone : {"BM_Mmio_UnicornAlone_Count", "BM_Mmio_UnicornAlone_BlockHook"}) {
      if (!r.count(platform) || !r.count(alone)) continue;
      const double per_access_platform = 1e9 * kInstructionsPerPoll / r.at(platform);
      const double per_access_alone = 1e9 * kInstructionsPerPoll / r.at(alone);
      out << "  " << platform << " vs " << alone << ": " << per_access_platform - per_access_alone << " ns ("
          << per_access_platform << " vs " << per_access_alone << " ns per poll)\n";
    }
  }
  if (std::getenv("TLMMAP_BENCH_NO_UBOOT") == nullptr) uboot_row(out);
  benchmark::Shutdown();
  return 0;
}

int sc_main(int, char**) { return 0; }
