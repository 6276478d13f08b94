// TLM to AXI4 (TlmToAxi) against an RTL RAM with random backpressure,
// latency and reordering, and AXI4 to TLM (AxiToTlm) driven by an RTL
// manager playing random bursts of every type, size and length. The AXI
// protocol assertions (tests/rtl/axi_checker.sv, and the RAM's strobe check)
// watch the pins; the base-protocol checker watches every TLM hop.
#include <gtest/gtest.h>

#include <map>

#include "Vaxi_checker32.h"
#include "Vaxi_checker512.h"
#include "Vaxi_checker64.h"
#include "Vaxi_ram32.h"
#include "Vaxi_ram512.h"
#include "Vaxi_ram64.h"
#include "Vaxi_traffic64.h"
#include "adapter_test_kit.hpp"
#include "support/protocol_checker.hpp"
#include "support/test_env.hpp"
#include "tlmmap/adapters.hpp"
#include "tlmmap/tlm.hpp"

namespace {

using namespace sc_core;
using namespace tlmmap;
using namespace tlmmap::adapters;
using tlmmap::test::OwnedTxn;
using tlmmap::test::ProtocolChecker;

constexpr uint64_t kWindow = 0x40000000;  // where the RTL RAM sits in the map
constexpr uint64_t kRamBytes = 0x10000;   // then SLVERR up to 0x20000, DECERR above

// A CPU -> map -> TlmToAxi -> RTL RAM, a checker on each TLM hop and on the pins.
// The 64-bit RTL has 64-bit addresses, the others 32 (tests/adapters/CMakeLists.txt).
template <unsigned DW>
constexpr unsigned kAddressBits = DW == 64 ? 64 : 32;

template <unsigned DW, class Ram, class PinChecker>
struct ManagerTop {
  sc_clock clk{"clk", 10, SC_NS};
  sc_signal<bool> rstn{"rstn", false};
  sc_signal<uint32_t> bp{"bp", 0}, lat{"lat", 0}, seed{"seed", 1};
  sc_signal<bool> reorder{"reorder", false};
  Axi4Signals<DW, kAddressBits<DW>, 4> wires;
  TlmToAxi<DW, kAddressBits<DW>, 4> bridge{"bridge"};
  Ram ram{"ram"};
  PinChecker pins{"pins"};
  Bus<DW> bus{"bus"};
  ProtocolChecker<DW> cpu_hop{"cpu_hop"}, bridge_hop{"bridge_hop"};
  test::TestInitiator<DW> cpu{"cpu"};

  ManagerTop() {
    bridge.clk(clk);
    bridge.rst(rstn);
    bridge.connect(wires);
    ram.clk(clk);
    ram.rstn(rstn);
    ram.cfg_bp(bp);
    ram.cfg_lat(lat);
    ram.cfg_reorder(reorder);
    ram.cfg_seed(seed);
    TLMMAP_BIND_AXI4(ram, , wires);
    pins.clk(clk);
    pins.rstn(rstn);
    TLMMAP_BIND_AXI4(pins, , wires);
    bridge_hop.initiator_socket.bind(bridge.target_socket);
    bus.bind(bridge_hop.target_socket, kWindow, 4 * kRamBytes);
    cpu.socket.bind(cpu_hop.target_socket);
    cpu_hop.initiator_socket.bind(bus.target_socket);
  }
  void release_reset() {
    wait(35, SC_NS);
    rstn = true;
  }
  void expect_clean() {
    EXPECT_TRUE(cpu_hop.violations().empty());
    EXPECT_TRUE(bridge_hop.violations().empty());
  }
};

template <unsigned DW, class Ram, class PinChecker>
void random_traffic_b_transport(uint64_t seed, unsigned count) {
  ManagerTop<DW, Ram, PinChecker> top;
  top.bp = 4;
  top.lat = 6;
  top.reorder = true;
  top.seed = static_cast<uint32_t>(seed);
  test::ReferenceMemory ref(kWindow, kRamBytes);
  test::RandomTraffic traffic(seed, kWindow, kRamBytes);
  unsigned done = 0;
  top.cpu.body = [&] {
    top.release_reset();
    OwnedTxn t;
    for (; done < count; ++done) {
      traffic.next(t);
      ASSERT_EQ(top.cpu.transport(t.gp), tlm::TLM_OK_RESPONSE) << "transaction " << done;
      if (t.gp.is_write()) {
        ref.apply(t.gp);
      } else {
        ASSERT_EQ(ref.mismatch(t.gp), "") << "transaction " << done;
      }
    }
  };
  sc_start();
  std::printf("%u transactions in %s\n", done, sc_time_stamp().to_string().c_str());
  EXPECT_EQ(done, count);
  top.expect_clean();
}

unsigned count_of(unsigned normal) {
  return static_cast<unsigned>(test::env_number("TLMMAP_ADAPTER_TXNS", test::kSanitized ? normal / 10 : normal));
}

TEST(TlmToAxi, RandomTrafficAgainstBackpressuredRam32) {
  random_traffic_b_transport<32, Vaxi_ram32, Vaxi_checker32>(test::env_number("TLMMAP_SEED", 11), count_of(10000));
}
TEST(TlmToAxi, RandomTrafficAgainstBackpressuredRam64) {
  random_traffic_b_transport<64, Vaxi_ram64, Vaxi_checker64>(test::env_number("TLMMAP_SEED", 12), count_of(10000));
}
TEST(TlmToAxi, RandomTrafficAgainstBackpressuredRam512) {
  random_traffic_b_transport<512, Vaxi_ram512, Vaxi_checker512>(test::env_number("TLMMAP_SEED", 13), count_of(10000));
}

// nb_transport: 16 transactions in flight at a time, on disjoint addresses,
// with random IDs; the RAM answers out of order across IDs.
TEST(TlmToAxi, NbTransportPipelinesAndCompletesOutOfOrderAcrossIds) {
  ManagerTop<64, Vaxi_ram64, Vaxi_checker64> top;
  top.bp = 2;
  top.lat = 12;
  top.reorder = true;
  test::ReferenceMemory ref(kWindow, kRamBytes);
  std::mt19937 rng(5);
  unsigned batches = 0, reordered = 0;
  top.cpu.body = [&] {
    top.release_reset();
    std::vector<OwnedTxn> txns(16);
    for (; batches < 60; ++batches) {
      std::vector<tlm::tlm_generic_payload*> all, order;
      for (unsigned i = 0; i < txns.size(); ++i) {
        const unsigned length = 1 + rng() % 200;
        const uint64_t addr = kWindow + i * 0x1000 + rng() % (0x1000 - length);
        std::vector<uint8_t> data(length);
        for (auto& b : data) b = static_cast<uint8_t>(rng());
        txns[i].set(rng() % 2 ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, addr, std::move(data));
        txns[i].set_requester(static_cast<uint16_t>(rng() % 16));
        all.push_back(&txns[i].gp);
      }
      top.cpu.transport_all(all, order);
      ASSERT_EQ(order.size(), all.size());
      if (order != all) ++reordered;
      for (auto& t : txns) {
        ASSERT_EQ(t.gp.get_response_status(), tlm::TLM_OK_RESPONSE);
        if (t.gp.is_write()) {
          ref.apply(t.gp);
        } else {
          ASSERT_EQ(ref.mismatch(t.gp), "");
        }
      }
    }
  };
  sc_start();
  EXPECT_EQ(batches, 60u);
  EXPECT_GT(reordered, 0u) << "responses always came in request order";
  top.expect_clean();
}

// Without backpressure a long transaction moves one beat per clock on W
// and on R: no bubble between beats or bursts.
TEST(TlmToAxi, OneBeatPerClockWithoutBackpressure) {
  ManagerTop<64, Vaxi_ram64, Vaxi_checker64> top;
  test::BeatSpan w, r;
  top.cpu.body = [&] {
    top.release_reset();
    sc_spawn([&] {
      for (uint64_t cycle = 0;; ++cycle) {
        wait(top.clk.posedge_event());
        if (top.wires.wvalid.read() && top.wires.wready.read()) w.beat(cycle);
        if (top.wires.rvalid.read() && top.wires.rready.read()) r.beat(cycle);
      }
    });
    OwnedTxn t;
    t.set(tlm::TLM_WRITE_COMMAND, kWindow, std::vector<uint8_t>(kRamBytes, 1));
    top.cpu.transport(t.gp);
    t.set(tlm::TLM_READ_COMMAND, kWindow, std::vector<uint8_t>(kRamBytes));
    top.cpu.transport(t.gp);
  };
  sc_start();
  EXPECT_EQ(w.beats, kRamBytes / 8);
  EXPECT_EQ(r.beats, kRamBytes / 8);
  EXPECT_EQ(w.clocks(), w.beats) << "write beats per clock: " << w.per_clock();
  EXPECT_EQ(r.clocks(), r.beats) << "read beats per clock: " << r.per_clock();
  top.expect_clean();
}

TEST(TlmToAxi, SlverrAndDecerrBecomeTlmErrors) {
  ManagerTop<64, Vaxi_ram64, Vaxi_checker64> top;
  std::vector<tlm::tlm_response_status> got;
  top.cpu.body = [&] {
    top.release_reset();
    OwnedTxn t;
    t.set(tlm::TLM_WRITE_COMMAND, kWindow + kRamBytes + 8, std::vector<uint8_t>(4, 1));
    got.push_back(top.cpu.transport(t.gp));  // SLVERR
    t.set(tlm::TLM_READ_COMMAND, kWindow + 2 * kRamBytes, std::vector<uint8_t>(8));
    got.push_back(top.cpu.transport(t.gp));  // DECERR
    t.set(tlm::TLM_READ_COMMAND, kWindow + kRamBytes - 16, std::vector<uint8_t>(32));
    got.push_back(top.cpu.transport(t.gp));  // OKAY then SLVERR beats
    t.set(tlm::TLM_READ_COMMAND, kWindow, std::vector<uint8_t>(32));
    got.push_back(top.cpu.transport(t.gp));
  };
  sc_start();
  EXPECT_EQ(got, (std::vector<tlm::tlm_response_status>{tlm::TLM_GENERIC_ERROR_RESPONSE,
                                                         tlm::TLM_ADDRESS_ERROR_RESPONSE,
                                                         tlm::TLM_GENERIC_ERROR_RESPONSE, tlm::TLM_OK_RESPONSE}));
  top.expect_clean();
}

TEST(TlmToAxi, ExclusiveAccessIsCarriedAsAnAttribute) {
  ManagerTop<64, Vaxi_ram64, Vaxi_checker64> top;
  std::vector<bool> okay;
  std::vector<uint8_t> after;
  top.cpu.body = [&] {
    top.release_reset();
    OwnedTxn t;
    auto* ext = new AmbaExtension;
    t.gp.set_extension(ext);
    ext->exclusive = true;
    t.set(tlm::TLM_READ_COMMAND, kWindow + 0x100, std::vector<uint8_t>(8));
    top.cpu.transport(t.gp);
    okay.push_back(ext->exclusive_okay);  // exclusive read: EXOKAY
    t.set(tlm::TLM_WRITE_COMMAND, kWindow + 0x100, std::vector<uint8_t>(8, 0xa5));
    top.cpu.transport(t.gp);
    okay.push_back(ext->exclusive_okay);  // the monitor holds: EXOKAY, written
    t.set(tlm::TLM_WRITE_COMMAND, kWindow + 0x100, std::vector<uint8_t>(8, 0x5a));
    top.cpu.transport(t.gp);
    okay.push_back(ext->exclusive_okay);  // the monitor is gone: OKAY, not written
    ext->exclusive = false;
    t.set(tlm::TLM_READ_COMMAND, kWindow + 0x100, std::vector<uint8_t>(8));
    top.cpu.transport(t.gp);
    after = t.data;
  };
  sc_start();
  EXPECT_EQ(okay, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(after, std::vector<uint8_t>(8, 0xa5));
  top.expect_clean();
}

TEST(TlmToAxi, ResetHeldAtStartDelaysTheFirstTransaction) {
  ManagerTop<64, Vaxi_ram64, Vaxi_checker64> top;
  sc_time finished;
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  top.cpu.body = [&] {
    sc_spawn([&] {
      wait(500, SC_NS);
      top.rstn = true;
    });
    OwnedTxn t;
    t.set(tlm::TLM_WRITE_COMMAND, kWindow, std::vector<uint8_t>(64, 7));
    status = top.cpu.transport(t.gp);
    finished = sc_time_stamp();
  };
  sc_start();
  EXPECT_EQ(status, tlm::TLM_OK_RESPONSE);
  EXPECT_GT(finished, sc_time(500, SC_NS));
  top.expect_clean();
}

TEST(TlmToAxi, ResetInTheMiddleFailsWhatTheRtlForgotAndRecovers) {
  ManagerTop<64, Vaxi_ram64, Vaxi_checker64> top;
  top.lat = 15;
  top.bp = 8;
  tlm::tlm_response_status cut = tlm::TLM_INCOMPLETE_RESPONSE, after = cut;
  std::vector<uint8_t> read_back;
  top.cpu.body = [&] {
    sc_spawn([&] {  // the one writer of the reset
      top.release_reset();
      wait(265, SC_NS);
      top.rstn = false;
      wait(100, SC_NS);
      top.rstn = true;
    });
    wait(40, SC_NS);
    OwnedTxn t;
    t.set(tlm::TLM_WRITE_COMMAND, kWindow, std::vector<uint8_t>(4096, 3));
    cut = top.cpu.transport(t.gp);
    t.set(tlm::TLM_WRITE_COMMAND, kWindow + 0x2000, std::vector<uint8_t>(16, 9));
    after = top.cpu.transport(t.gp);
    t.set(tlm::TLM_READ_COMMAND, kWindow + 0x2000, std::vector<uint8_t>(16));
    top.cpu.transport(t.gp);
    read_back = t.data;
  };
  sc_start();
  EXPECT_EQ(cut, tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(after, tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(read_back, std::vector<uint8_t>(16, 9));
  top.expect_clean();
}

TEST(TlmToAxi, DmiIsRefusedAndDebugNeedsABackdoor) {
  ManagerTop<64, Vaxi_ram64, Vaxi_checker64> top;
  bool granted = true;
  unsigned moved_without = 1, moved_with = 0;
  top.cpu.body = [&] {
    top.release_reset();
    OwnedTxn t;
    t.set(tlm::TLM_READ_COMMAND, kWindow, std::vector<uint8_t>(4));
    tlm::tlm_dmi dmi;
    granted = top.cpu.socket->get_direct_mem_ptr(t.gp, dmi);
    moved_without = top.cpu.socket->transport_dbg(t.gp);
    top.bridge.set_backdoor([](tlm::tlm_generic_payload& gp) {
      std::memset(gp.get_data_ptr(), 0x42, gp.get_data_length());
      return gp.get_data_length();
    });
    moved_with = top.cpu.socket->transport_dbg(t.gp);
  };
  sc_start();
  EXPECT_FALSE(granted);
  EXPECT_EQ(moved_without, 0u);
  EXPECT_EQ(moved_with, 4u);
}

// ---- AXI4 to TLM: an RTL manager plays random bursts into the map's RAM.

struct Command {
  bool write, fence, lock;
  uint32_t id;
  uint64_t addr;
  unsigned len, size, burst, prot;
  uint32_t seed;
};

// Beat n's address as the AXI spec writes it (independent of the bridge's code).
uint64_t spec_beat_address(const Command& c, unsigned n) {
  const uint64_t bytes = 1ull << c.size, aligned = c.addr / bytes * bytes;
  if (c.burst == 0) return c.addr;
  if (c.burst == 2) {
    const uint64_t total = bytes * (c.len + 1), lower = c.addr / total * total;
    return lower + (aligned - lower + n * bytes) % total;
  }
  return n == 0 ? c.addr : aligned + n * bytes;
}

struct SubordinateTop : sc_core::sc_module {
  sc_clock clk{"clk", 10, SC_NS};
  sc_signal<bool> rstn{"rstn", false};
  sc_signal<uint32_t> bp{"bp", 3};
  sc_signal<bool> cmd_valid{"cmd_valid"}, cmd_ready{"cmd_ready"}, cmd_write{"cmd_write"}, cmd_fence{"cmd_fence"},
      cmd_lock{"cmd_lock"};
  sc_signal<uint64_t> cmd_addr{"cmd_addr"};
  sc_signal<uint32_t> cmd_id{"cmd_id"}, cmd_len{"cmd_len"}, cmd_size{"cmd_size"},
      cmd_burst{"cmd_burst"}, cmd_prot{"cmd_prot"}, cmd_seed{"cmd_seed"}, writes_done{"writes_done"},
      reads_done{"reads_done"};
  Axi4Signals<64, 64, 4> wires;
  Vaxi_traffic64 manager{"manager"};
  Vaxi_checker64 pins{"pins"};
  AxiToTlm<64, 64, 4> bridge{"bridge"};
  ProtocolChecker<64> hop{"hop"};
  Bus<64> bus{"bus"};
  RamRegion ram{"ram", kRamBytes};
  std::vector<Command> script;
  std::vector<std::string> errors;
  test::ReferenceMemory ref{0, kRamBytes};
  struct Pending {
    Command c;
    unsigned beat = 0;
  };
  std::deque<Command> aw_seen;  // address order = data order
  std::map<uint32_t, std::deque<Pending>> reads_by_id;
  std::deque<Pending> w_bursts;
  unsigned w_beat = 0;
  uint64_t beats_checked = 0;

  SC_HAS_PROCESS(SubordinateTop);
  explicit SubordinateTop(sc_module_name name) : sc_module(name) {
    manager.clk(clk);
    manager.rstn(rstn);
    manager.cfg_bp(bp);
    manager.cmd_valid(cmd_valid);
    manager.cmd_ready(cmd_ready);
    manager.cmd_write(cmd_write);
    manager.cmd_fence(cmd_fence);
    manager.cmd_id(cmd_id);
    manager.cmd_addr(cmd_addr);
    manager.cmd_len(cmd_len);
    manager.cmd_size(cmd_size);
    manager.cmd_burst(cmd_burst);
    manager.cmd_lock(cmd_lock);
    manager.cmd_prot(cmd_prot);
    manager.cmd_seed(cmd_seed);
    manager.writes_done(writes_done);
    manager.reads_done(reads_done);
    TLMMAP_BIND_AXI4(manager, , wires);
    pins.clk(clk);
    pins.rstn(rstn);
    TLMMAP_BIND_AXI4(pins, , wires);
    bridge.clk(clk);
    bridge.rst(rstn);
    bridge.connect(wires);
    bridge.initiator_socket.bind(hop.target_socket);
    hop.initiator_socket.bind(bus.target_socket);
    bus.map(0, ram);
    SC_THREAD(drive);
    SC_METHOD(monitor);
    sensitive << clk.posedge_event();
    dont_initialize();
  }

  void drive() {
    wait(35, SC_NS);
    rstn = true;
    for (const Command& c : script) {
      wait(clk.posedge_event());
      cmd_valid = true;
      cmd_write = c.write;
      cmd_fence = c.fence;
      cmd_lock = c.lock;
      cmd_id = c.id;
      cmd_addr = c.addr;
      cmd_len = c.len;
      cmd_size = c.size;
      cmd_burst = c.burst;
      cmd_prot = c.prot;
      cmd_seed = c.seed;
      do wait(clk.posedge_event());
      while (!cmd_ready.read());
      cmd_valid = false;
    }
    unsigned writes = 0, reads = 0;
    for (const Command& c : script) (c.write ? writes : reads)++;
    while (writes_done.read() != writes || reads_done.read() != reads) wait(clk.posedge_event());
    sc_stop();
  }

  // The reference: applies each W beat as the pins show it, checks each R
  // beat against what the pins wrote before (scripts fence between them).
  void monitor() {
    if (!rstn.read()) return;
    if (wires.awvalid.read() && wires.awready.read()) {
      Command c{true, false, wires.awlock.read(), wires.awid.read(), wires.awaddr.read(), wires.awlen.read(),
                wires.awsize.read(), wires.awburst.read(), wires.awprot.read(), 0};
      w_bursts.push_back(Pending{c, 0});
    }
    if (wires.wvalid.read() && wires.wready.read()) {
      if (w_bursts.empty()) {
        errors.push_back("W before AW: the monitor cannot place it");
      } else {
        Pending& p = w_bursts.front();
        const uint64_t a = spec_beat_address(p.c, p.beat);
        const uint64_t end = a / (1ull << p.c.size) * (1ull << p.c.size) + (1ull << p.c.size);
        const uint64_t data = wires.wdata.read();
        const uint32_t strb = wires.wstrb.read();
        for (uint64_t x = a; x < end; ++x) {
          const unsigned lane = x % 8;
          if ((strb >> lane) & 1 && x < kRamBytes) ref.set(x, static_cast<uint8_t>(data >> (8 * lane)));
        }
        if (++p.beat == p.c.len + 1) w_bursts.pop_front();
      }
    }
    if (wires.arvalid.read() && wires.arready.read()) {
      Command c{false, false, wires.arlock.read(), wires.arid.read(), wires.araddr.read(), wires.arlen.read(),
                wires.arsize.read(), wires.arburst.read(), wires.arprot.read(), 0};
      reads_by_id[c.id].push_back(Pending{c, 0});
    }
    if (wires.bvalid.read() && wires.bready.read() && wires.bresp.read() != 0) {
      errors.push_back("BRESP " + std::to_string(wires.bresp.read()));
    }
    if (wires.rvalid.read() && wires.rready.read()) {
      auto& q = reads_by_id[wires.rid.read()];
      if (q.empty()) {
        errors.push_back("R for an ID without a read");
        return;
      }
      Pending& p = q.front();
      const uint64_t a = spec_beat_address(p.c, p.beat);
      const uint64_t end = a / (1ull << p.c.size) * (1ull << p.c.size) + (1ull << p.c.size);
      const uint64_t data = wires.rdata.read();
      for (uint64_t x = a; x < end && x < kRamBytes; ++x) {
        const uint8_t got = static_cast<uint8_t>(data >> (8 * (x % 8)));
        if (got != ref.at(x) && errors.size() < 10) {
          errors.push_back("read 0x" + std::to_string(got) + " at " + std::to_string(x) + ", expected " +
                           std::to_string(ref.at(x)));
        }
        ++beats_checked;
      }
      if (wires.rresp.read() != (p.c.lock ? 1u : 0u)) errors.push_back("RRESP " + std::to_string(wires.rresp.read()));
      if (++p.beat == p.c.len + 1) q.pop_front();
    }
  }
};

// Bursts of every type, size and length at random places (never crossing
// 4 KiB), reads and writes in phases separated by fences.
std::vector<Command> random_script(uint64_t seed, unsigned count) {
  std::mt19937_64 rng(seed);
  std::vector<Command> script;
  bool writing = true;
  for (unsigned i = 0; i < count; ++i) {
    Command c{};
    if (rng() % 8 == 0) {
      writing = !writing;
      c.fence = true;
    }
    c.write = writing;
    c.id = rng() % 16;
    c.size = rng() % 4;
    c.burst = rng() % 3;
    const uint64_t bytes = 1ull << c.size;
    if (c.burst == 2) {
      c.len = (2u << (rng() % 4)) - 1;
    } else if (c.burst == 0) {
      c.len = rng() % 16;
    } else {
      c.len = rng() % 4 == 0 ? rng() % 256 : rng() % 16;
    }
    const uint64_t span = c.burst == 0 ? bytes : bytes * (c.len + 1);
    uint64_t page = (rng() % (kRamBytes / 4096)) * 4096;
    uint64_t offset = rng() % (4096 - span + 1);
    if (c.burst == 2) offset &= ~(bytes - 1);
    c.addr = page + offset;
    c.prot = rng() % 8;
    c.seed = static_cast<uint32_t>(rng());
    script.push_back(c);
  }
  return script;
}

TEST(AxiToTlm, RandomBurstsOfEveryTypeSizeAndLengthReachTheMap) {
  SubordinateTop top{"top"};
  top.script = random_script(test::env_number("TLMMAP_SEED", 21), count_of(10000));
  sc_start();
  EXPECT_EQ(top.writes_done.read() + top.reads_done.read(), top.script.size());
  EXPECT_TRUE(top.errors.empty()) << top.errors.front();
  EXPECT_GT(top.beats_checked, 0u);
  EXPECT_TRUE(top.hop.violations().empty());
  // INCR bursts are one transaction each; WRAP ones at most two.
  EXPECT_LE(top.bridge.transactions_issued(), 2 * top.script.size());
}

}  // namespace
