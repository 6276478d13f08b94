// The AMBA bridges against verilated RTL (tests/rtl), in one run:
//
//   axi4/throughput/{write,read}_64KiB  one b_transport of 64 KiB through TlmToAxi<64> into the
//                                       RTL RAM with no backpressure; counter beats_per_clock
//                                       (W or R handshakes from the first beat to the last
//                                       over the clocks between them: 1 means no bubble)
//   axi4/cycles/bridge                  64 KiB written then read through TlmToAxi<64> + RTL RAM
//   axi4/cycles/pins_only               the same bursts (32 x 256 beats each way) played on
//                                       the same RTL RAM's pins by a plain C++ testbench
//                                       (an SC_METHOD, no TLM, no bridge)
//   apb/b_transport_read                4-byte b_transport reads through TlmToApb<32> of the
//                                       RTL timer's SCRATCH register, 1000 per iteration:
//                                       items_per_second is accesses per second of host time
//
// The cycles/... benchmarks carry a counter sim_cycles_per_second; after the
// table the program prints the bridge's rate as a fraction of the pin
// testbench's. Each part has its own clock that runs only while its
// benchmark does, so one elaboration serves them all and an idle part
// costs nothing.
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "Vapb_timer.h"
#include "Vaxi_ram64.h"
#include "tlmmap/adapters.hpp"

namespace {

using namespace sc_core;
using namespace tlmmap::adapters;

constexpr unsigned kBytes = 0x10000;   // one transfer: 64 KiB = 8192 beats of 64 bits
constexpr double kPeriodNs = 10;

// A clock that ticks only between start() and stop().
struct GatedClock : sc_module {
  sc_signal<bool> clk{"clk", false};
  SC_HAS_PROCESS(GatedClock);
  explicit GatedClock(sc_module_name name) : sc_module(name) { SC_THREAD(tick); }
  void start() {
    running_ = true;
    go_.notify(SC_ZERO_TIME);
  }
  void stop() { running_ = false; }
  uint64_t cycles() const { return cycles_; }

 private:
  void tick() {
    for (;;) {
      if (!running_) wait(go_);
      clk = true;
      ++cycles_;
      wait(kPeriodNs / 2, SC_NS);
      clk = false;
      wait(kPeriodNs / 2, SC_NS);
    }
  }
  bool running_ = false;
  uint64_t cycles_ = 0;
  sc_event go_;
};

// A TLM initiator whose thread runs one job per sc_start(), then pauses.
template <unsigned W>
struct Driver : sc_module {
  tlm_utils::simple_initiator_socket<Driver, W> socket{"socket"};
  std::function<void()> job;
  SC_HAS_PROCESS(Driver);
  explicit Driver(sc_module_name name) : sc_module(name) { SC_THREAD(run); }
  void start(std::function<void()> j) {
    job = std::move(j);
    go_.notify(SC_ZERO_TIME);
  }
  tlm::tlm_response_status transport(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned length) {
    gp_.set_command(cmd);
    gp_.set_address(addr);
    gp_.set_data_ptr(data);
    gp_.set_data_length(length);
    gp_.set_streaming_width(length);
    gp_.set_byte_enable_ptr(nullptr);
    gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    socket->b_transport(gp_, delay);
    return gp_.get_response_status();
  }

 private:
  void run() {
    for (;;) {
      wait(go_);
      job();
      sc_pause();
    }
  }
  sc_event go_;
  tlm::tlm_generic_payload gp_;
};

// Counts the handshakes of one channel and the clocks from the first to
// the last. Switched off, it sleeps until switched on again, so it costs
// the other benchmarks nothing.
struct BeatCounter : sc_module {
  sc_in<bool> clk{"clk"};
  sc_in<bool> valid{"valid"}, ready{"ready"};
  uint64_t beats = 0, first = 0, last = 0, cycle = 0;
  SC_HAS_PROCESS(BeatCounter);
  explicit BeatCounter(sc_module_name name) : sc_module(name) {
    SC_METHOD(edge);
    sensitive << clk.pos();
    dont_initialize();
  }
  void switch_on() {
    beats = first = last = 0;
    on_ = true;
    on_event_.notify(SC_ZERO_TIME);
  }
  void switch_off() { on_ = false; }
  double per_clock() const { return beats == 0 ? 0 : double(beats) / double(last - first + 1); }

 private:
  void edge() {
    if (!on_) {
      next_trigger(on_event_);
      return;
    }
    if (!clk.posedge()) return;  // woken by switch_on()
    ++cycle;
    if (!(valid.read() && ready.read())) return;
    if (beats++ == 0) first = cycle;
    last = cycle;
  }
  bool on_ = false;
  sc_event on_event_;
};

// TlmToAxi<64> -> RTL RAM without backpressure.
struct AxiBridgeTop {
  GatedClock clock{"axi_clock"};
  sc_signal<bool> rstn{"axi_rstn", false};
  sc_signal<uint32_t> zero{"axi_zero", 0}, seed{"axi_seed", 1};
  sc_signal<bool> no{"axi_no", false};
  Axi4Signals<64, 64, 4> wires;
  TlmToAxi<64, 64, 4> bridge{"axi_bridge"};
  Vaxi_ram64 ram{"axi_ram"};
  Driver<64> cpu{"axi_cpu"};
  BeatCounter w{"w_beats"}, r{"r_beats"};
  std::vector<uint8_t> data = std::vector<uint8_t>(kBytes, 0x5a);
  AxiBridgeTop() {
    bridge.clk(clock.clk);
    bridge.rst(rstn);
    bridge.connect(wires);
    ram.clk(clock.clk);
    ram.rstn(rstn);
    ram.cfg_bp(zero);
    ram.cfg_lat(zero);
    ram.cfg_reorder(no);
    ram.cfg_seed(seed);
    TLMMAP_BIND_AXI4(ram, , wires);
    cpu.socket.bind(bridge.target_socket);
    w.clk(clock.clk);
    w.valid(wires.wvalid);
    w.ready(wires.wready);
    r.clk(clock.clk);
    r.valid(wires.rvalid);
    r.ready(wires.rready);
  }
};

// The same RTL RAM, its pins played by a C++ state machine: 32 write bursts
// of 256 beats (AW issued ahead, W streaming, B counted), then 32 reads.
struct AxiPinsTop : sc_module {
  GatedClock clock{"pins_clock"};
  sc_signal<bool> rstn{"pins_rstn", false};
  sc_signal<uint32_t> zero{"pins_zero", 0}, seed{"pins_seed", 1};
  sc_signal<bool> no{"pins_no", false};
  Axi4Signals<64, 64, 4> wires;
  Vaxi_ram64 ram{"pins_ram"};
  static constexpr unsigned kBursts = kBytes / (256 * 8);
  bool writing = false, reading = false;
  unsigned aw_sent = 0, w_beats = 0, b_seen = 0, ar_sent = 0, r_lasts = 0;

  SC_HAS_PROCESS(AxiPinsTop);
  explicit AxiPinsTop(sc_module_name name) : sc_module(name) {
    ram.clk(clock.clk);
    ram.rstn(rstn);
    ram.cfg_bp(zero);
    ram.cfg_lat(zero);
    ram.cfg_reorder(no);
    ram.cfg_seed(seed);
    TLMMAP_BIND_AXI4(ram, , wires);
    SC_METHOD(edge);
    sensitive << clock.clk.posedge_event();
    dont_initialize();
  }
  void start_write() {
    writing = true;
    aw_sent = w_beats = b_seen = 0;
  }
  void start_read() {
    reading = true;
    ar_sent = r_lasts = 0;
  }

 private:
  void edge() {
    auto& p = wires;
    p.bready = true;
    p.rready = true;
    if (writing) {
      if (p.awvalid.read() && p.awready.read()) ++aw_sent;
      if (p.wvalid.read() && p.wready.read()) ++w_beats;
      if (p.bvalid.read()) ++b_seen;
      p.awvalid = aw_sent < kBursts;
      p.awaddr = aw_sent * 2048;
      p.awlen = 255;
      p.awsize = 3;
      p.awburst = 1;
      // W of burst n once its AW is valid or taken.
      const bool w_ok = w_beats < kBursts * 256 && w_beats / 256 <= aw_sent;
      p.wvalid = w_ok;
      p.wdata = w_beats;
      p.wstrb = 0xff;
      p.wlast = w_beats % 256 == 255;
      if (b_seen == kBursts) {
        writing = false;
        p.awvalid = p.wvalid = false;
        sc_pause();
      }
    } else if (reading) {
      if (p.arvalid.read() && p.arready.read()) ++ar_sent;
      if (p.rvalid.read() && p.rlast.read()) ++r_lasts;
      p.arvalid = ar_sent < kBursts;
      p.araddr = ar_sent * 2048;
      p.arlen = 255;
      p.arsize = 3;
      p.arburst = 1;
      if (r_lasts == kBursts) {
        reading = false;
        p.arvalid = false;
        sc_pause();
      }
    }
  }
};

// TlmToApb<32> -> RTL timer block.
struct ApbTop {
  GatedClock clock{"apb_clock"};
  sc_signal<bool> rstn{"apb_rstn", false}, irq{"apb_irq"};
  Apb4Signals<32, 12> wires;
  TlmToApb<32, 12> bridge{"apb_bridge"};
  Vapb_timer timer{"apb_timer"};
  Driver<32> cpu{"apb_cpu"};
  ApbTop() {
    bridge.clk(clock.clk);
    bridge.rst(rstn);
    bridge.connect(wires);
    timer.clk(clock.clk);
    timer.rstn(rstn);
    timer.irq(irq);
    TLMMAP_BIND_APB4(timer, , wires);
    cpu.socket.bind(bridge.target_socket);
  }
};

AxiBridgeTop* g_axi;
AxiPinsTop* g_pins;
ApbTop* g_apb;
std::map<std::string, double> g_rates;

// Runs the simulation until a driver pauses it.
void run_until_pause(GatedClock& clock) {
  clock.start();
  sc_start();
  clock.stop();
}

void release_reset(GatedClock& clock, sc_signal<bool>& rstn) {
  clock.start();
  sc_start(35, SC_NS);
  rstn = true;
  sc_start(20, SC_NS);
  clock.stop();
  sc_start(20, SC_NS);  // the clock parks
}

void BM_axi_throughput(benchmark::State& state, bool write) {
  AxiBridgeTop& t = *g_axi;
  BeatCounter& counter = write ? t.w : t.r;
  double worst = 1e9;
  for (auto _ : state) {
    counter.switch_on();
    t.cpu.start([&] {
      t.cpu.transport(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, 0, t.data.data(), kBytes);
    });
    run_until_pause(t.clock);
    counter.switch_off();
    worst = std::min(worst, counter.per_clock());
    if (counter.beats != kBytes / 8) state.SkipWithError("beat count");
  }
  state.counters["beats_per_clock"] = worst;
}

void BM_axi_cycles_bridge(benchmark::State& state) {
  AxiBridgeTop& t = *g_axi;
  const uint64_t c0 = t.clock.cycles();
  for (auto _ : state) {
    t.cpu.start([&] {
      t.cpu.transport(tlm::TLM_WRITE_COMMAND, 0, t.data.data(), kBytes);
      t.cpu.transport(tlm::TLM_READ_COMMAND, 0, t.data.data(), kBytes);
    });
    run_until_pause(t.clock);
  }
  const double cycles = double(t.clock.cycles() - c0);
  state.counters["sim_cycles_per_second"] = benchmark::Counter(cycles, benchmark::Counter::kIsRate);
  state.counters["cycles_per_iteration"] = cycles / double(state.iterations());
}

void BM_axi_cycles_pins(benchmark::State& state) {
  AxiPinsTop& t = *g_pins;
  const uint64_t c0 = t.clock.cycles();
  for (auto _ : state) {
    t.start_write();
    run_until_pause(t.clock);
    t.start_read();
    run_until_pause(t.clock);
  }
  const double cycles = double(t.clock.cycles() - c0);
  state.counters["sim_cycles_per_second"] = benchmark::Counter(cycles, benchmark::Counter::kIsRate);
  state.counters["cycles_per_iteration"] = cycles / double(state.iterations());
}

void BM_apb_read(benchmark::State& state) {
  ApbTop& t = *g_apb;
  uint32_t value = 0;
  const uint64_t c0 = t.clock.cycles();
  // Accesses in batches of 1000 per sc_start, so that starting and pausing
  // the kernel is not what is measured.
  constexpr int kBatch = 1000;
  for (auto _ : state) {
    t.cpu.start([&] {
      for (int i = 0; i < kBatch; ++i) {
        t.cpu.transport(tlm::TLM_READ_COMMAND, 0x10, reinterpret_cast<uint8_t*>(&value), 4);
      }
    });
    run_until_pause(t.clock);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);  // accesses per second
  state.counters["cycles_per_access"] = double(t.clock.cycles() - c0) / double(state.iterations() * kBatch);
}

// Keeps each benchmark's sim_cycles_per_second for the ratio printed at the end.
class Reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      auto it = r.counters.find("sim_cycles_per_second");
      if (it != r.counters.end() && (r.run_type != Run::RT_Aggregate || r.aggregate_name == "median")) {
        rates_[r.run_name.function_name] = it->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void print_ratio() {
    const auto bridge = rates_.find("axi4/cycles/bridge"), pins = rates_.find("axi4/cycles/pins_only");
    if (bridge == rates_.end() || pins == rates_.end()) return;
    GetOutputStream() << "  bridge + RTL: " << bridge->second << " cycles/s, RTL driven by a C++ testbench: "
                      << pins->second << " cycles/s, ratio " << bridge->second / pins->second << "\n";
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int sc_main(int, char*[]) { return 0; }

int main(int argc, char** argv) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", true);
  benchmark::Initialize(&argc, argv);
  AxiBridgeTop axi;
  AxiPinsTop pins{"pins"};
  ApbTop apb;
  g_axi = &axi;
  g_pins = &pins;
  g_apb = &apb;
  release_reset(axi.clock, axi.rstn);
  release_reset(pins.clock, pins.rstn);
  release_reset(apb.clock, apb.rstn);
  benchmark::RegisterBenchmark("axi4/throughput/write_64KiB", BM_axi_throughput, true)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("axi4/throughput/read_64KiB", BM_axi_throughput, false)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("axi4/cycles/bridge", BM_axi_cycles_bridge)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("axi4/cycles/pins_only", BM_axi_cycles_pins)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("apb/b_transport_read", BM_apb_read)->Unit(benchmark::kMicrosecond);
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratio();
  axi.ram.final();
  pins.ram.final();
  apb.timer.final();
  benchmark::Shutdown();
  return 0;
}
