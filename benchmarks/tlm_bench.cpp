// The TLM face against the floor: the same initiator bound directly to a
// plain simple_target_socket memory. All in one run, so the ratios
// (counter `x_floor`) compare like with like on the same machine state.
//
//   transport/<pattern>/floor/N   the floor: an initiator bound straight to one memory of N x 4 KiB
//   transport/<pattern>/map/N     through an AddressSpaceTarget over N RAM regions of 4 KiB (8 KiB apart)
//                                 pattern `repeat`: one address; `random`: uniform over all regions
//   mmio/...                      MMIO callbacks: a 4-byte register, an 8-byte access split into
//                                 byte callbacks (impl.max 1), a 1-byte access widened (impl.min 4)
//   dmi/...                       64-byte copies: plain memcpy, through a granted DMI pointer,
//                                 through DmiInitiator::read()
//   commit/toggle_one_of_10k      one region enabled/disabled on a 10k-region map, commit and DMI
//                                 invalidation of the initiators holding grants included
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "median_times.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "tlmmap/tlm/dmi_initiator.hpp"
#include "tlmmap/tlmmap.hpp"

namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

constexpr uint64_t kRegionSize = 0x1000;
constexpr uint64_t kStride = 0x2000;
const std::vector<int> kRegionCounts{1, 16, 256, 4096, 65536};

// The floor's memory: a plain loosely-timed target, as the Accellera
// examples and most models write it.
struct Memory : sc_core::sc_module {
  tlm_utils::simple_target_socket<Memory, 32> socket{"socket"};
  std::vector<uint8_t> bytes;
  sc_time latency{1, SC_NS};
  Memory(sc_core::sc_module_name name, std::size_t size) : sc_core::sc_module(name), bytes(size) {
    socket.register_b_transport(this, &Memory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    const uint64_t address = gp.get_address();
    const unsigned length = gp.get_data_length();
    if (address + length > bytes.size()) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (gp.is_read()) {
      std::memcpy(gp.get_data_ptr(), &bytes[address], length);
    } else {
      std::memcpy(&bytes[address], gp.get_data_ptr(), length);
    }
    delay += latency;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator, 32> socket{"socket"};
  explicit Initiator(sc_core::sc_module_name name) : sc_core::sc_module(name) {}
};

// N RAM regions of 4 KiB, 8 KiB apart, behind an address space target.
struct Mapped {
  tlmmap::ContainerRegion root{"root", tlmmap::k64BitSpace};
  std::vector<std::unique_ptr<tlmmap::RamRegion>> rams;
  std::unique_ptr<tlmmap::AddressSpace> space;
  std::unique_ptr<tlmmap::AddressSpaceTarget<32>> bus;
  std::unique_ptr<Initiator> cpu;
  Mapped(int n, const std::string& name) {
    {
      tlmmap::Transaction build;
      for (int i = 0; i < n; ++i) {
        rams.push_back(std::make_unique<tlmmap::RamRegion>(name + "_ram" + std::to_string(i), kRegionSize));
        rams.back()->set_latency(std::chrono::nanoseconds(1), std::chrono::nanoseconds(1));
        root.add_subregion(static_cast<uint64_t>(i) * kStride, *rams.back());
      }
    }
    space = std::make_unique<tlmmap::AddressSpace>(root, name);
    bus = std::make_unique<tlmmap::AddressSpaceTarget<32>>((name + "_bus").c_str(), *space);
    cpu = std::make_unique<Initiator>((name + "_cpu").c_str());
    cpu->socket.bind(bus->target_socket);
  }
};

struct Floor {
  std::unique_ptr<Memory> memory;
  std::unique_ptr<Initiator> cpu;
  explicit Floor(int n) {
    memory = std::make_unique<Memory>(("memory_floor" + std::to_string(n)).c_str(), n * kRegionSize);
    cpu = std::make_unique<Initiator>(("cpu_floor" + std::to_string(n)).c_str());
    cpu->socket.bind(memory->socket);
  }
};

struct Mmio {
  tlmmap::ContainerRegion root{"mmio_root", tlmmap::k64BitSpace};
  uint64_t registers[64] = {};
  tlmmap::MmioRegion plain{"plain", 0x100, ops(0, 0, 0)};
  tlmmap::MmioRegion split{"split", 0x100, ops(8, 1, 1)};
  tlmmap::MmioRegion widened{"widened", 0x100, ops(4, 4, 4)};
  tlmmap::AddressSpace space{root, "mmio"};
  tlmmap::AddressSpaceTarget<32> bus{"mmio_bus", space};
  Initiator cpu{"mmio_cpu"};
  tlmmap::MmioOps ops(unsigned valid_max, unsigned impl_min, unsigned impl_max) {
    tlmmap::MmioOps o;
    o.valid.max_access_size = valid_max;
    o.impl.min_access_size = impl_min;
    o.impl.max_access_size = impl_max;
    o.read = [this](uint64_t offset, unsigned) { return registers[(offset / 8) % 64]; };
    o.write = [this](uint64_t offset, uint64_t value, unsigned) { registers[(offset / 8) % 64] = value; };
    return o;
  }
  Mmio() {
    root.add_subregion(0x0, plain);
    root.add_subregion(0x1000, split);
    root.add_subregion(0x2000, widened);
    cpu.socket.bind(bus.target_socket);
  }
};

// 10k regions: 2,500 devices of 4 RAM/MMIO regions each in containers.
struct Big {
  tlmmap::MemoryMap map;
  tlmmap::ContainerRegion* root = nullptr;
  std::vector<tlmmap::Region*> toggles;
  std::unique_ptr<tlmmap::AddressSpace> space;
  std::unique_ptr<tlmmap::AddressSpaceTarget<32>> bus;
  std::vector<std::unique_ptr<tlmmap::DmiInitiator<32>>> cpus;
  Big() {
    tlmmap::Transaction build;
    root = &map.make<tlmmap::ContainerRegion>("root", "root", tlmmap::k64BitSpace);
    for (int d = 0; d < 2000; ++d) {
      const std::string n = "dev" + std::to_string(d);
      auto& c = map.make<tlmmap::ContainerRegion>(n, n, 0x10000);
      auto& ram = map.make<tlmmap::RamRegion>(n + ".ram", n + ".ram", 0x4000);
      auto& regs = map.make<tlmmap::MmioRegion>(n + ".regs", n + ".regs", 0x100);
      auto& fifo = map.make<tlmmap::MmioRegion>(n + ".fifo", n + ".fifo", 0x100);
      auto& bar = map.make<tlmmap::AliasRegion>(n + ".bar", n + ".bar", ram, 0, 0x1000);
      c.add_subregion(0x0, ram);
      c.add_subregion(0x8000, regs);
      c.add_subregion(0x9000, fifo);
      c.add_subregion(0xa000, bar);
      root->add_subregion(0x100000000 + static_cast<uint64_t>(d) * 0x10000, c);
      toggles.push_back(&c);
    }
    space = std::make_unique<tlmmap::AddressSpace>(*root, "big");
    bus = std::make_unique<tlmmap::AddressSpaceTarget<32>>("big_bus", *space);
    for (int i = 0; i < 4; ++i) {
      cpus.push_back(std::make_unique<tlmmap::DmiInitiator<32>>(("big_cpu" + std::to_string(i)).c_str()));
      cpus.back()->socket.bind(bus->target_socket);
    }
  }
};

struct Platform {
  std::map<int, std::unique_ptr<Mapped>> mapped;
  std::map<int, std::unique_ptr<Floor>> floors;
  std::unique_ptr<Mmio> mmio;
  std::unique_ptr<Big> big;
  std::unique_ptr<Floor> dmi_floor;
  std::unique_ptr<Mapped> dmi_mapped;
  std::unique_ptr<tlmmap::DmiInitiator<32>> dmi_cpu;
};

Platform& platform() {
  static Platform* p = new Platform();
  return *p;
}

void transport(benchmark::State& state, bool through_map, bool random) {
  const int n = static_cast<int>(state.range(0));
  Platform& p = platform();
  Initiator& cpu = through_map ? *p.mapped.at(n)->cpu : *p.floors.at(n)->cpu;
  std::mt19937_64 rng(42);
  std::vector<uint64_t> addresses(random ? 1 << 16 : 1);
  for (auto& a : addresses) {
    const uint64_t region = rng() % static_cast<uint64_t>(n);
    const uint64_t offset = (rng() % (kRegionSize / 4)) * 4;
    a = (through_map ? region * kStride : region * kRegionSize) + offset;
  }
  if (!random) addresses[0] = (static_cast<uint64_t>(n) / 2) * (through_map ? kStride : kRegionSize) + 0x40;
  const std::size_t mask = addresses.size() - 1;
  tlm::tlm_generic_payload gp;
  uint32_t word = 0;
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&word));
  gp.set_data_length(4);
  gp.set_streaming_width(4);
  sc_time delay = sc_core::SC_ZERO_TIME;
  std::size_t i = 0;
  for (auto _ : state) {
    gp.set_address(addresses[i & mask]);
    gp.set_command((i & 1) != 0 ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    cpu.socket->b_transport(gp, delay);
    benchmark::DoNotOptimize(word);
    ++i;
  }
  if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) state.SkipWithError("access failed");
}

void BM_floor(benchmark::State& state, bool random) { transport(state, false, random); }
void BM_map(benchmark::State& state, bool random) { transport(state, true, random); }

void BM_mmio(benchmark::State& state, int which) {
  Mmio& m = *platform().mmio;
  uint64_t value = 0;
  tlm::tlm_generic_payload gp;
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  const uint64_t address = which == 0 ? 0x8 : which == 1 ? 0x1008 : 0x2009;
  const unsigned length = which == 0 ? 4 : which == 1 ? 8 : 1;
  gp.set_data_length(length);
  gp.set_streaming_width(length);
  sc_time delay = sc_core::SC_ZERO_TIME;
  for (auto _ : state) {
    gp.set_address(address);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    m.cpu.socket->b_transport(gp, delay);
    benchmark::DoNotOptimize(value);
  }
  if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) state.SkipWithError("access failed");
}

void BM_dmi(benchmark::State& state, int how) {
  Platform& p = platform();
  static std::vector<uint8_t> source(kRegionSize, 0x5a);
  alignas(64) uint8_t buffer[64];
  tlm::tlm_dmi grant;
  if (how == 1) {
    tlm::tlm_generic_payload gp;
    gp.set_address(0x100);
    gp.set_command(tlm::TLM_READ_COMMAND);
    if (!p.dmi_mapped->cpu->socket->get_direct_mem_ptr(gp, grant)) state.SkipWithError("no DMI");
  }
  sc_time delay = sc_core::SC_ZERO_TIME;
  std::size_t i = 0;
  for (auto _ : state) {
    const uint64_t offset = (i++ & 31) * 64;
    switch (how) {
      case 0:
        std::memcpy(buffer, source.data() + offset, 64);
        break;
      case 1:
        std::memcpy(buffer, grant.get_dmi_ptr() + offset, 64);
        break;
      default:
        p.dmi_cpu->read(offset, buffer, 64, delay);
        break;
    }
    benchmark::DoNotOptimize(buffer);
    benchmark::ClobberMemory();
  }
}

void BM_commit(benchmark::State& state) {
  Big& b = *platform().big;
  // Every initiator holds grants over the RAMs of every 97th device, the
  // toggled one among them, so each commit invalidates some.
  auto grab = [&] {
    sc_time t;
    for (auto& cpu : b.cpus) {
      for (int d = 0; d < 2000; d += 97) cpu->template read<uint32_t>(0x100000000 + d * 0x10000ULL, t);
    }
  };
  grab();
  tlmmap::Region* target = b.toggles[970];  // a device grab() takes grants on
  auto invalidations = [&] {
    uint64_t n = 0;
    for (auto& cpu : b.cpus) n += cpu->dmi_cache().invalidations();  // counts since each cache was made
    return n;
  };
  const uint64_t before = invalidations();
  for (auto _ : state) {
    target->set_enabled(!target->enabled());
    state.PauseTiming();
    grab();  // take the grants again for the next round
    state.ResumeTiming();
  }
  state.counters["invalidations/iter"] =
      benchmark::Counter(static_cast<double>(invalidations() - before), benchmark::Counter::kAvgIterations);
}

void register_all() {
  for (bool random : {false, true}) {
    const std::string pattern = random ? "random" : "repeat";
    for (int n : kRegionCounts) {
      benchmark::RegisterBenchmark(("transport/" + pattern + "/floor/" + std::to_string(n)).c_str(), BM_floor, random)
          ->Arg(n);
      benchmark::RegisterBenchmark(("transport/" + pattern + "/map/" + std::to_string(n)).c_str(), BM_map, random)
          ->Arg(n);
    }
  }
  benchmark::RegisterBenchmark("mmio/register_4_bytes", BM_mmio, 0);
  benchmark::RegisterBenchmark("mmio/split_8_bytes_into_1", BM_mmio, 1);
  benchmark::RegisterBenchmark("mmio/widened_1_byte_to_4", BM_mmio, 2);
  benchmark::RegisterBenchmark("dmi/memcpy_64", BM_dmi, 0);
  benchmark::RegisterBenchmark("dmi/pointer_64", BM_dmi, 1);
  benchmark::RegisterBenchmark("dmi/dmi_initiator_64", BM_dmi, 2);
  benchmark::RegisterBenchmark("commit/toggle_one_of_10k", BM_commit)->Unit(benchmark::kMicrosecond);
}

void elaborate() {
  Platform& p = platform();
  for (int n : kRegionCounts) {
    p.floors[n] = std::make_unique<Floor>(n);
    p.mapped[n] = std::make_unique<Mapped>(n, "map" + std::to_string(n));
  }
  p.mmio = std::make_unique<Mmio>();
  p.big = std::make_unique<Big>();
  p.dmi_mapped = std::make_unique<Mapped>(1, "dmi_map");
  p.dmi_cpu = std::make_unique<tlmmap::DmiInitiator<32>>("dmi_cpu");
  // A second initiator on the 1-region map for DmiInitiator.
  p.dmi_cpu->socket.bind(p.dmi_mapped->bus->target_socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // end of elaboration: sockets bound
}

// After the usual table, a summary: each map benchmark over its floor (same
// pattern and size) and the DMI copies over memcpy, from the medians when
// repetitions are asked for (works with --benchmark_enable_random_interleaving).
class RatioReporter : public tlmmap::bench::MedianTimes {
 public:
  void Finalize() override {
    ConsoleReporter::Finalize();
    auto& out = GetOutputStream();
    out << "\nsummary (CPU time per operation; target: map <= 1.5x floor, DMI >= 0.9x memcpy)\n";
    for (const char* pattern : {"repeat", "random"}) {
      for (int n : kRegionCounts) {
        const std::string floor = std::string("transport/") + pattern + "/floor/" + std::to_string(n);
        const std::string map = std::string("transport/") + pattern + "/map/" + std::to_string(n);
        if (!ran(floor) || !ran(map)) continue;
        out << "  " << pattern << " " << n << " regions: floor " << time(floor) << " ns, map " << time(map) << " ns, x"
            << time(map) / time(floor) << "\n";
      }
    }
    if (ran("dmi/memcpy_64")) {
      for (const char* how : {"dmi/pointer_64", "dmi/dmi_initiator_64"}) {
        if (ran(how)) {
          out << "  " << how << ": " << time(how) << " ns, " << time("dmi/memcpy_64") / time(how)
              << "x the speed of memcpy (" << time("dmi/memcpy_64") << " ns)\n";
        }
      }
    }
    if (ran("commit/toggle_one_of_10k")) {
      out << "  commit toggling one region of 10k, DMI invalidation included: " << time("commit/toggle_one_of_10k")
          << " us (target < 1000 us)\n";
    }
  }
};

}  // namespace

int sc_main(int, char*[]) { return 0; }

int main(int argc, char** argv) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  benchmark::Initialize(&argc, argv);
  elaborate();
  register_all();
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
