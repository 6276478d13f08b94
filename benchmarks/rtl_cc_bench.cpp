// The floor for tlmmap_bench_rtl's cycles/... figures: the same RTL RAM
// (tests/rtl/axi_ram.sv, 64-bit data and addresses) verilated as plain C++
// (no SystemC) and clocked by a loop that calls eval() twice per cycle,
// playing the same bursts as tlmmap_bench_rtl's pin testbench: 32 write
// bursts of 256 beats (AW ahead, W streaming, B counted), then 32 reads.
//
//   axi4/cycles/pins_only_without_systemc   counter sim_cycles_per_second
#include <cstdint>
#include <memory>

#include <benchmark/benchmark.h>

#include "Vaxi_ram64cc.h"
#include "verilated.h"

namespace {

constexpr unsigned kBursts = 32;

struct Bench {
  VerilatedContext context;
  Vaxi_ram64cc ram{&context, "ram"};
  uint64_t cycles = 0;

  // One clock in two halves: with the inputs for the next rising edge set,
  // settle() evaluates the low half (the testbench then sees what the edge
  // will sample), edge() the rising edge.
  void settle() {
    ram.clk = 0;
    ram.eval();
  }
  void edge() {
    ram.clk = 1;
    ram.eval();
    ++cycles;
  }
  void cycle() {
    settle();
    edge();
  }
  void reset() {
    ram.rstn = 0;
    ram.cfg_bp = 0;
    ram.cfg_lat = 0;
    ram.cfg_reorder = 0;
    ram.cfg_seed = 1;
    for (int i = 0; i < 4; ++i) cycle();
    ram.rstn = 1;
    ram.bready = 1;
    ram.rready = 1;
    cycle();
  }
  void write_bursts() {
    unsigned aw = 0, w = 0, b = 0;
    while (b < kBursts) {
      ram.awvalid = aw < kBursts;
      ram.awaddr = aw * 2048ull;
      ram.awlen = 255;
      ram.awsize = 3;
      ram.awburst = 1;
      ram.wvalid = w < kBursts * 256 && w / 256 <= aw;
      ram.wdata = w;
      ram.wstrb = 0xff;
      ram.wlast = w % 256 == 255;
      settle();
      const bool aw_fire = ram.awvalid && ram.awready, w_fire = ram.wvalid && ram.wready, b_fire = ram.bvalid;
      edge();
      aw += aw_fire;
      w += w_fire;
      b += b_fire;
    }
    ram.awvalid = 0;
    ram.wvalid = 0;
  }
  void read_bursts() {
    unsigned ar = 0, lasts = 0;
    while (lasts < kBursts) {
      ram.arvalid = ar < kBursts;
      ram.araddr = ar * 2048ull;
      ram.arlen = 255;
      ram.arsize = 3;
      ram.arburst = 1;
      settle();
      const bool ar_fire = ram.arvalid && ram.arready, last = ram.rvalid && ram.rlast;
      edge();
      ar += ar_fire;
      lasts += last;
    }
    ram.arvalid = 0;
  }
};

void BM_cycles(benchmark::State& state) {
  auto bench = std::make_unique<Bench>();
  bench->reset();
  const uint64_t c0 = bench->cycles;
  for (auto _ : state) {
    bench->write_bursts();
    bench->read_bursts();
  }
  const double cycles = double(bench->cycles - c0);
  state.counters["sim_cycles_per_second"] = benchmark::Counter(cycles, benchmark::Counter::kIsRate);
  state.counters["cycles_per_iteration"] = cycles / double(state.iterations());
  bench->ram.final();
}

}  // namespace

BENCHMARK(BM_cycles)->Name("axi4/cycles/pins_only_without_systemc")->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
