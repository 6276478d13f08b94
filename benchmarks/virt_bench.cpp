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
// (sc_start) at 10 ns per instruction with quanta of 10 us (its default),
// 100 us and 1 ms. After the table, the ratios and the MMIO overhead in ns
// per access are printed.
#include <chrono>
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
  benchmark::Shutdown();
  return 0;
}

int sc_main(int, char**) { return 0; }
