// Routing to existing TLM models: an address space with N TLM devices bound
// into it (Bus::bind, TlmDeviceRegion) against the same devices bound
// straight to the initiator (the floor) and behind a textbook router (a
// linear scan over multi-passthrough sockets, as most hand-written buses
// are). Everything in one run, with identical devices and initiators, so the
// ratios compare like with like.
//
//   <op>/<pattern>/floor/N      the initiator bound straight to one device (the same device every time)
//   <op>/<pattern>/textbook/N   a linear-scan router over N devices
//   <op>/<pattern>/hop/N        the cheapest router there is: one socket hop whose decode is an index
//                               (address / stride), each device's interfaces resolved once; what
//                               "the device bound directly plus one socket hop" costs
//   <op>/<pattern>/tlmmap/N     a tlmmap Bus over N devices
//   debug/<pattern>/forwarded/N the same over devices that deny DMI: transport_dbg reaches the device
//                               (where a device granted DMI, tlmmap copies through its grant)
//   <op>/<pattern>/ram/N        a tlmmap Bus over N RAM regions at the same addresses (the 1.2x reference)
// op: transport (4-byte b_transport, reads and writes alternating), debug
// (4-byte transport_dbg reads), dmi (get_direct_mem_ptr); pattern: `repeat`
// (one address) or `random` (uniform over the N devices). Devices are 4 KiB,
// 8 KiB apart.
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <systemc>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "median_times.hpp"
#include "tlmmap/tlmmap.hpp"

namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

constexpr uint64_t kDeviceSize = 0x1000;
constexpr uint64_t kStride = 0x2000;
const std::vector<int> kCounts{1, 16, 256, 4096};

// The device every setup uses: a plain loosely-timed memory, as the
// Accellera examples and most models write it.
struct Memory : sc_core::sc_module {
  tlm_utils::simple_target_socket<Memory, 32> socket{"socket"};
  uint8_t bytes[kDeviceSize] = {};
  const sc_time latency{1, SC_NS};
  bool grants_dmi = true;
  explicit Memory(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    socket.register_b_transport(this, &Memory::b_transport);
    socket.register_transport_dbg(this, &Memory::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &Memory::get_direct_mem_ptr);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    const uint64_t address = gp.get_address();
    const unsigned length = gp.get_data_length();
    if (address + length > kDeviceSize) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (gp.is_read()) {
      std::memcpy(gp.get_data_ptr(), &bytes[address], length);
    } else {
      std::memcpy(&bytes[address], gp.get_data_ptr(), length);
    }
    delay += latency;
    gp.set_dmi_allowed(true);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) {
    const uint64_t address = gp.get_address();
    const unsigned length = gp.get_data_length();
    if (address + length > kDeviceSize) return 0;
    if (gp.is_read()) {
      std::memcpy(gp.get_data_ptr(), &bytes[address], length);
    } else {
      std::memcpy(&bytes[address], gp.get_data_ptr(), length);
    }
    return length;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.set_start_address(0);
    dmi.set_end_address(kDeviceSize - 1);
    if (!grants_dmi) {
      dmi.allow_none();
      return false;
    }
    dmi.set_dmi_ptr(bytes);
    dmi.allow_read_write();
    dmi.set_read_latency(latency);
    dmi.set_write_latency(latency);
    return true;
  }
};

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator, 32> socket{"socket"};
  explicit Initiator(sc_core::sc_module_name name) : sc_core::sc_module(name) {}
};

// The textbook router: a linear scan over the targets' windows, the address
// made relative to the window, DMI grants translated back.
struct TextbookRouter : sc_core::sc_module {
  tlm_utils::multi_passthrough_target_socket<TextbookRouter, 32> target_socket{"target_socket"};
  tlm_utils::multi_passthrough_initiator_socket<TextbookRouter, 32> initiator_socket{"initiator_socket"};
  struct Window {
    uint64_t base;
    uint64_t size;
  };
  std::vector<Window> windows;  // in the order of initiator_socket's bindings

  explicit TextbookRouter(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    target_socket.register_b_transport(this, &TextbookRouter::b_transport);
    target_socket.register_transport_dbg(this, &TextbookRouter::transport_dbg);
    target_socket.register_get_direct_mem_ptr(this, &TextbookRouter::get_direct_mem_ptr);
  }
  int decode(uint64_t address) const {
    for (std::size_t i = 0; i < windows.size(); ++i) {
      if (address - windows[i].base < windows[i].size) return static_cast<int>(i);
    }
    return -1;
  }
  void b_transport(int, tlm::tlm_generic_payload& gp, sc_time& delay) {
    const uint64_t address = gp.get_address();
    const int port = decode(address);
    if (port < 0) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    gp.set_address(address - windows[port].base);
    initiator_socket[port]->b_transport(gp, delay);
    gp.set_address(address);
  }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& gp) {
    const uint64_t address = gp.get_address();
    const int port = decode(address);
    if (port < 0) return 0;
    gp.set_address(address - windows[port].base);
    const unsigned n = initiator_socket[port]->transport_dbg(gp);
    gp.set_address(address);
    return n;
  }
  bool get_direct_mem_ptr(int, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    const uint64_t address = gp.get_address();
    const int port = decode(address);
    if (port < 0) return false;
    gp.set_address(address - windows[port].base);
    const bool granted = initiator_socket[port]->get_direct_mem_ptr(gp, dmi);
    gp.set_address(address);
    dmi.set_start_address(dmi.get_start_address() + windows[port].base);
    dmi.set_end_address(dmi.get_end_address() + windows[port].base);
    return granted;
  }
};

// The bound for any router: an interface of its own for the initiator (one
// virtual call, as tlmmap's target socket), a decode that is an index, the
// address rebased, the device called through its interfaces resolved once.
// No checks: it knows every address it is given is inside a device.
struct HopRouter : sc_core::sc_module,
                   tlm::tlm_fw_transport_if<>,
                   tlm::tlm_bw_transport_if<> {
  tlm::tlm_target_socket<32> target_socket{"target_socket"};
  std::vector<std::unique_ptr<tlm::tlm_initiator_socket<32>>> initiator_sockets;
  struct Device {
    tlm::tlm_blocking_transport_if<>* transport;
    tlm::tlm_transport_dbg_if<>* debug;
    tlm::tlm_fw_direct_mem_if<>* dmi;
  };
  std::vector<Device> devices;

  HopRouter(sc_core::sc_module_name name, std::vector<std::unique_ptr<Memory>>& memories) : sc_core::sc_module(name) {
    target_socket.bind(static_cast<tlm::tlm_fw_transport_if<>&>(*this));
    for (auto& memory : memories) {
      initiator_sockets.push_back(std::make_unique<tlm::tlm_initiator_socket<32>>(
          ("to_" + std::to_string(initiator_sockets.size())).c_str()));
      initiator_sockets.back()->bind(static_cast<tlm::tlm_bw_transport_if<>&>(*this));
      initiator_sockets.back()->bind(memory->socket);
    }
  }
  void end_of_elaboration() override {
    for (auto& socket : initiator_sockets) {
      tlm::tlm_fw_transport_if<>* device = (*socket).operator->();
      devices.push_back({device, device, device});
    }
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) override {
    const uint64_t address = gp.get_address();
    gp.set_address(address % kStride);
    devices[address / kStride].transport->b_transport(gp, delay);
    gp.set_address(address);
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override {
    const uint64_t address = gp.get_address();
    gp.set_address(address % kStride);
    const unsigned n = devices[address / kStride].debug->transport_dbg(gp);
    gp.set_address(address);
    return n;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) override {
    const uint64_t address = gp.get_address();
    const uint64_t base = address - address % kStride;
    gp.set_address(address - base);
    const bool granted = devices[address / kStride].dmi->get_direct_mem_ptr(gp, dmi);
    gp.set_address(address);
    dmi.set_start_address(dmi.get_start_address() + base);
    dmi.set_end_address(dmi.get_end_address() + base);
    return granted;
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
};

struct FloorSetup {
  Memory memory;
  Initiator cpu;
  explicit FloorSetup(int n)
      : memory(("floor_memory" + std::to_string(n)).c_str()), cpu(("floor_cpu" + std::to_string(n)).c_str()) {
    cpu.socket.bind(memory.socket);
  }
};

struct TextbookSetup {
  std::vector<std::unique_ptr<Memory>> memories;
  TextbookRouter router;
  Initiator cpu;
  explicit TextbookSetup(int n)
      : router(("textbook" + std::to_string(n)).c_str()), cpu(("textbook_cpu" + std::to_string(n)).c_str()) {
    for (int i = 0; i < n; ++i) {
      memories.push_back(std::make_unique<Memory>(("textbook" + std::to_string(n) + "_dev" + std::to_string(i)).c_str()));
      router.initiator_socket.bind(memories.back()->socket);
      router.windows.push_back({static_cast<uint64_t>(i) * kStride, kDeviceSize});
    }
    cpu.socket.bind(router.target_socket);
  }
};

std::vector<std::unique_ptr<Memory>> make_memories(const std::string& prefix, int n) {
  std::vector<std::unique_ptr<Memory>> memories;
  for (int i = 0; i < n; ++i) memories.push_back(std::make_unique<Memory>((prefix + std::to_string(i)).c_str()));
  return memories;
}

struct HopSetup {
  std::vector<std::unique_ptr<Memory>> memories;
  HopRouter router;
  Initiator cpu;
  explicit HopSetup(int n)
      : memories(make_memories("hop" + std::to_string(n) + "_dev", n)),
        router(("hop" + std::to_string(n)).c_str(), memories),
        cpu(("hop_cpu" + std::to_string(n)).c_str()) {
    cpu.socket.bind(router.target_socket);
  }
};

struct TlmmapSetup {
  std::vector<std::unique_ptr<Memory>> memories;
  tlmmap::Bus<32> bus;
  Initiator cpu;
  TlmmapSetup(const std::string& name, int n, bool grants_dmi)
      : bus((name + std::to_string(n)).c_str()), cpu((name + "_cpu" + std::to_string(n)).c_str()) {
    tlmmap::Transaction build;
    for (int i = 0; i < n; ++i) {
      memories.push_back(std::make_unique<Memory>((name + std::to_string(n) + "_dev" + std::to_string(i)).c_str()));
      memories.back()->grants_dmi = grants_dmi;
      bus.bind(memories.back()->socket, static_cast<uint64_t>(i) * kStride, kDeviceSize);
    }
    cpu.socket.bind(bus.target_socket);
  }
};

struct RamSetup {
  std::vector<std::unique_ptr<tlmmap::RamRegion>> rams;
  tlmmap::Bus<32> bus;
  Initiator cpu;
  explicit RamSetup(int n) : bus(("ram" + std::to_string(n)).c_str()), cpu(("ram_cpu" + std::to_string(n)).c_str()) {
    tlmmap::Transaction build;
    for (int i = 0; i < n; ++i) {
      rams.push_back(std::make_unique<tlmmap::RamRegion>("ram" + std::to_string(n) + "_" + std::to_string(i), kDeviceSize));
      rams.back()->set_latency(std::chrono::nanoseconds(1), std::chrono::nanoseconds(1));
      bus.map(static_cast<uint64_t>(i) * kStride, *rams.back());
    }
    cpu.socket.bind(bus.target_socket);
  }
};

// The devices' own cost: the initiator calls the right device itself, as a
// router that cost nothing would.
struct DirectSetup {
  std::vector<std::unique_ptr<Memory>> memories;
  std::vector<std::unique_ptr<Initiator>> ports;
  explicit DirectSetup(int n) {
    for (int i = 0; i < n; ++i) {
      memories.push_back(std::make_unique<Memory>(("direct" + std::to_string(n) + "_dev" + std::to_string(i)).c_str()));
      ports.push_back(std::make_unique<Initiator>(("direct" + std::to_string(n) + "_port" + std::to_string(i)).c_str()));
      ports.back()->socket.bind(memories.back()->socket);
    }
  }
};

struct Setups {
  std::map<int, std::unique_ptr<DirectSetup>> direct;
  std::map<int, std::unique_ptr<FloorSetup>> floor;
  std::map<int, std::unique_ptr<TextbookSetup>> textbook;
  std::map<int, std::unique_ptr<HopSetup>> hop;
  std::map<int, std::unique_ptr<TlmmapSetup>> tlmmap;
  std::map<int, std::unique_ptr<TlmmapSetup>> forwarded;
  std::map<int, std::unique_ptr<RamSetup>> ram;
};

Setups& setups() {
  static Setups* s = new Setups();
  return *s;
}

enum class Op { transport, debug, dmi };
enum class Via { floor, direct, textbook, hop, tlmmap, forwarded, ram };

Initiator& initiator_of(Via via, int n) {
  Setups& s = setups();
  switch (via) {
    case Via::floor: return s.floor.at(n)->cpu;
    case Via::direct: return *s.direct.at(n)->ports.front();
    case Via::textbook: return s.textbook.at(n)->cpu;
    case Via::hop: return s.hop.at(n)->cpu;
    case Via::tlmmap: return s.tlmmap.at(n)->cpu;
    case Via::forwarded: return s.forwarded.at(n)->cpu;
    default: return s.ram.at(n)->cpu;
  }
}

void run(benchmark::State& state, Op op, Via via, bool random) {
  const int n = static_cast<int>(state.range(0));
  std::mt19937_64 rng(42);
  std::vector<uint64_t> addresses(random ? 1 << 16 : 1);
  std::vector<Initiator*> ports(addresses.size());
  for (std::size_t k = 0; k < addresses.size(); ++k) {
    const uint64_t device = random ? rng() % static_cast<uint64_t>(n) : static_cast<uint64_t>(n) / 2;
    const uint64_t offset = random ? (rng() % (kDeviceSize / 4)) * 4 : 0x40;
    // The floor and the direct calls address the device itself.
    const bool relative = via == Via::floor || via == Via::direct;
    addresses[k] = (relative ? 0 : device * kStride) + offset;
    ports[k] = via == Via::direct ? setups().direct.at(n)->ports[device].get() : &initiator_of(via, n);
  }
  const std::size_t mask = addresses.size() - 1;
  tlm::tlm_generic_payload gp;
  uint32_t word = 0;
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&word));
  gp.set_data_length(4);
  gp.set_streaming_width(4);
  sc_time delay = sc_core::SC_ZERO_TIME;
  tlm::tlm_dmi dmi;
  std::size_t i = 0;
  bool ok = true;
  for (auto _ : state) {
    gp.set_address(addresses[i & mask]);
    Initiator& cpu = *ports[i & mask];
    switch (op) {
      case Op::transport:
        gp.set_command((i & 1) != 0 ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        cpu.socket->b_transport(gp, delay);
        break;
      case Op::debug:
        gp.set_command(tlm::TLM_READ_COMMAND);
        ok &= cpu.socket->transport_dbg(gp) == 4;
        break;
      case Op::dmi:
        gp.set_command(tlm::TLM_READ_COMMAND);
        ok &= cpu.socket->get_direct_mem_ptr(gp, dmi);
        benchmark::DoNotOptimize(dmi);
        break;
    }
    benchmark::DoNotOptimize(word);
    ++i;
  }
  if (op == Op::transport && gp.get_response_status() != tlm::TLM_OK_RESPONSE) ok = false;
  if (!ok) state.SkipWithError("access failed");
}

const char* name_of(Op op) { return op == Op::transport ? "transport" : op == Op::debug ? "debug" : "dmi"; }
const char* name_of(Via via) {
  switch (via) {
    case Via::floor: return "floor";
    case Via::direct: return "direct";
    case Via::textbook: return "textbook";
    case Via::hop: return "hop";
    case Via::tlmmap: return "tlmmap";
    case Via::forwarded: return "forwarded";
    default: return "ram";
  }
}

void register_all() {
  for (Op op : {Op::transport, Op::debug, Op::dmi}) {
    for (bool random : {false, true}) {
      for (int n : kCounts) {
        for (Via via : {Via::floor, Via::direct, Via::textbook, Via::hop, Via::tlmmap, Via::forwarded, Via::ram}) {
          if (via == Via::floor && n != 1) continue;  // one device
          if (via == Via::forwarded && op != Op::debug) continue;
          if (via == Via::direct && !random) continue;
          const std::string name = std::string(name_of(op)) + "/" + (random ? "random" : "repeat") + "/" +
                                   name_of(via) + "/" + std::to_string(n);
          benchmark::RegisterBenchmark(name.c_str(), [op, via, random](benchmark::State& s) { run(s, op, via, random); })
              ->Arg(n);
        }
      }
    }
  }
}

void elaborate() {
  Setups& s = setups();
  s.floor[1] = std::make_unique<FloorSetup>(1);
  for (int n : kCounts) {
    s.direct[n] = std::make_unique<DirectSetup>(n);
    s.textbook[n] = std::make_unique<TextbookSetup>(n);
    s.hop[n] = std::make_unique<HopSetup>(n);
    s.tlmmap[n] = std::make_unique<TlmmapSetup>("tlmmap", n, true);
    s.forwarded[n] = std::make_unique<TlmmapSetup>("forwarded", n, false);
    s.ram[n] = std::make_unique<RamSetup>(n);
  }
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // the end of elaboration: sockets bound
}

// After the table: each setup over the floor, the textbook router and the
// one-hop bound, and tlmmap's devices over its own RAM map, from the medians.
class RatioReporter : public tlmmap::bench::MedianTimes {
 public:
  void Finalize() override {
    MedianTimes::Finalize();
    auto& out = GetOutputStream();
    out << "\nsummary (CPU time per operation, ns; floor: one device bound straight; direct: the right device "
           "called straight, the devices' own cost; x: tlmmap over the floor, the textbook router, the one hop)\n";
    for (Op op : {Op::transport, Op::debug, Op::dmi}) {
      for (const char* pattern : {"repeat", "random"}) {
        for (int n : kCounts) {
          const std::string prefix = std::string(name_of(op)) + "/" + pattern + "/";
          const std::string size = std::to_string(n);
          const double f = time(prefix + "floor/1"), tb = time(prefix + "textbook/" + size),
                       tm = time(prefix + "tlmmap/" + size), hop = time(prefix + "hop/" + size),
                       ram = time(prefix + "ram/" + size), direct = time(prefix + "direct/" + size);
          if (tm == 0) continue;
          out << "  " << prefix << n << ": floor " << f << (direct > 0 ? ", direct " + std::to_string(direct) : "")
              << ", textbook " << tb << ", one hop " << hop << ", tlmmap " << tm << " (x" << tm / f << " floor, x"
              << tm / tb << " textbook, x" << tm / hop << " one hop), RAM map " << ram;
          if (direct > 0) out << " (devices: tlmmap - direct = " << tm - direct << " vs RAM map x1.2 = " << 1.2 * ram << ")";
          out << "\n";
        }
      }
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
