// Each protocol's two bridges back to back, on 64-bit data and 64-bit
// addresses: a CPU -> TlmToX -> pins (protocol assertions) -> XToTlm -> a
// map with RAM high in the 64-bit space, an error target above it and a
// hole above that. The same tests run for APB4, AXI4-Lite and AXI4; the
// base-protocol checker is on both TLM hops.
#include <gtest/gtest.h>

#include <tlm_utils/simple_target_socket.h>

#include "Vapb_checker64.h"
#include "Vaxi_checker64.h"
#include "Vaxil_checker64.h"
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

constexpr uint64_t kBase = 0xfedc'ba98'7650'0000;  // every address bit above 31 in use
constexpr uint64_t kRamBytes = 0x4000;
constexpr uint64_t kErrorAt = kBase + kRamBytes;        // a target that answers TLM_GENERIC_ERROR_RESPONSE
constexpr uint64_t kHoleAt = kErrorAt + 0x1000;         // nothing mapped: TLM_ADDRESS_ERROR_RESPONSE

struct Apb4 {
  static constexpr unsigned width = 64;
  using Wires = Apb4Signals<64, 64>;
  using Out = TlmToApb<64, 64>;
  using In = ApbToTlm<64, 64>;
  using Checker = Vapb_checker64;
  static void bind(Checker& c, Wires& w) { TLMMAP_BIND_APB4(c, , w); }
  static constexpr unsigned max_length = 64;  // APB moves one word per transfer
  static constexpr unsigned longest = 256;
  // PSLVERR is APB's only error.
  static constexpr tlm::tlm_response_status hole_error = tlm::TLM_GENERIC_ERROR_RESPONSE;
};
struct AxiLite {
  static constexpr unsigned width = 64;
  using Wires = AxiLiteSignals<64, 64>;
  using Out = TlmToAxiLite<64, 64>;
  using In = AxiLiteToTlm<64, 64>;
  using Checker = Vaxil_checker64;
  static void bind(Checker& c, Wires& w) { TLMMAP_BIND_AXI_LITE(c, , w); }
  static constexpr unsigned max_length = 100;
  static constexpr unsigned longest = 1024;
  static constexpr tlm::tlm_response_status hole_error = tlm::TLM_ADDRESS_ERROR_RESPONSE;  // DECERR
};
struct Axi4 {
  static constexpr unsigned width = 64;
  using Wires = Axi4Signals<64, 64, 4>;
  using Out = TlmToAxi<64, 64, 4>;
  using In = AxiToTlm<64, 64, 4>;
  using Checker = Vaxi_checker64;
  static void bind(Checker& c, Wires& w) { TLMMAP_BIND_AXI4(c, , w); }
  static constexpr unsigned max_length = 300;
  static constexpr unsigned longest = 8192;  // bursts up to 256 beats, across 4 KiB
  static constexpr tlm::tlm_response_status hole_error = tlm::TLM_ADDRESS_ERROR_RESPONSE;  // DECERR
};

// Wider AXI4 data paths (sc_bv pins), back to back without an RTL checker
// on the pins (each verilated width costs build time; 512 bits run against
// RTL with the checker in axi_bridge_test.cpp).
struct NoPinChecker : sc_module {
  sc_in<bool> clk{"clk"}, rstn{"rstn"};
  explicit NoPinChecker(sc_module_name name) : sc_module(name) {}
};
template <unsigned DW>
struct Axi4Wide : Axi4 {
  static constexpr unsigned width = DW;
  using Wires = Axi4Signals<DW, 64, 4>;
  using Out = TlmToAxi<DW, 64, 4>;
  using In = AxiToTlm<DW, 64, 4>;
  using Checker = NoPinChecker;
  static void bind(Checker&, Wires&) {}
};
using Axi4By128 = Axi4Wide<128>;
using Axi4By256 = Axi4Wide<256>;

// Answers every access with TLM_GENERIC_ERROR_RESPONSE (SLVERR on AXI).
struct ErrorTarget : sc_module {
  tlm_utils::simple_target_socket<ErrorTarget, 64> socket{"socket"};
  explicit ErrorTarget(sc_module_name name) : sc_module(name) {
    socket.register_b_transport(this, &ErrorTarget::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time&) { gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE); }
};

// A far-side memory with an exclusive monitor of one reservation: an
// exclusive read reserves its bytes and succeeds; an exclusive write
// succeeds (and writes) only while its bytes are reserved; any write to
// them ends the reservation.
struct ExclusiveMemory : sc_module {
  tlm_utils::simple_target_socket<ExclusiveMemory, 64> socket{"socket"};
  std::vector<uint8_t> bytes = std::vector<uint8_t>(0x1000);
  uint64_t reserved_at = 0, reserved_length = 0;
  unsigned exclusives_seen = 0;
  explicit ExclusiveMemory(sc_module_name name) : sc_module(name) {
    socket.register_b_transport(this, &ExclusiveMemory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time&) {
    AmbaExtension* ext = gp.get_extension<AmbaExtension>();
    const bool exclusive = ext != nullptr && ext->exclusive;
    const uint64_t at = gp.get_address(), length = gp.get_data_length();
    exclusives_seen += exclusive;
    bool okay = true;
    if (gp.is_read()) {
      std::memcpy(gp.get_data_ptr(), &bytes[at], length);
      if (exclusive) reserved_at = at, reserved_length = length;
    } else {
      okay = !exclusive || (reserved_length == length && reserved_at == at);
      if (okay) std::memcpy(&bytes[at], gp.get_data_ptr(), length);
      if (at < reserved_at + reserved_length && reserved_at < at + length) reserved_length = 0;
    }
    if (ext != nullptr) ext->exclusive_okay = exclusive && okay;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

template <class P>
struct PairTop {
  const ResetPolarity polarity;
  sc_clock clk{"clk", 10, SC_NS};
  sc_signal<bool> rst{"rst"};    // the bridges' reset, of `polarity`
  sc_signal<bool> rstn{"rstn"};  // the checker's, active low
  typename P::Wires wires;
  typename P::Out out;
  typename P::In in;
  typename P::Checker pins{"pins"};
  Bus<P::width> far{"far"};
  RamRegion ram{"ram", kRamBytes};
  ErrorTarget error{"error"};
  ProtocolChecker<P::width> cpu_hop{"cpu_hop"}, in_hop{"in_hop"};
  test::TestInitiator<P::width> cpu{"cpu"};

  explicit PairTop(ResetPolarity p = ResetPolarity::active_low)
      : polarity(p), out("out", BridgeOptions{p}), in("in", BridgeOptions{p}) {
    set_reset(true);
    out.clk(clk);
    out.rst(rst);
    out.connect(wires);
    in.clk(clk);
    in.rst(rst);
    in.connect(wires);
    pins.clk(clk);
    pins.rstn(rstn);
    P::bind(pins, wires);
    // No bus before `out`: the CPU's 64-bit addresses reach the pins whole.
    cpu.socket.bind(cpu_hop.target_socket);
    cpu_hop.initiator_socket.bind(out.target_socket);
    in.initiator_socket.bind(in_hop.target_socket);
    in_hop.initiator_socket.bind(far.target_socket);
    far.map(kBase, ram);
    far.bind(error.socket, kErrorAt, 0x1000);
  }
  // Call from one process only (each signal has one writer).
  void set_reset(bool asserted) {
    rst = asserted == (polarity == ResetPolarity::active_high);
    rstn = !asserted;
  }
  void release_reset() {
    wait(35, SC_NS);
    set_reset(false);
  }
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, std::vector<uint8_t>& bytes) {
    OwnedTxn t;
    t.set(cmd, addr, bytes);
    const auto status = cpu.transport(t.gp);
    bytes = t.data;
    return status;
  }
  void expect_clean() {
    EXPECT_TRUE(cpu_hop.violations().empty());
    EXPECT_TRUE(in_hop.violations().empty());
  }
};


// Random addresses, lengths, alignments, byte enables and streaming widths
// through both bridges, checked against a reference memory.
template <class TypeParam>
void RandomTrafficWith64BitAddresses() {
  PairTop<TypeParam> top;
  test::ReferenceMemory ref(kBase, kRamBytes);
  test::RandomTraffic traffic(test::env_number("TLMMAP_SEED", 51), kBase, kRamBytes, TypeParam::max_length);
  const unsigned count =
      static_cast<unsigned>(test::env_number("TLMMAP_ADAPTER_TXNS", test::kSanitized ? 1000 : 10000));
  unsigned done = 0;
  top.cpu.body = [&] {
    top.release_reset();
    OwnedTxn t;
    for (; done < count; ++done) {
      traffic.next(t);
      if (t.gp.get_data_length() > TypeParam::longest) {  // the rare long ones, shortened on the slow buses
        t.gp.set_data_length(TypeParam::longest);
        t.gp.set_streaming_width(TypeParam::longest);
      }
      ASSERT_EQ(top.cpu.transport(t.gp), tlm::TLM_OK_RESPONSE) << "transaction " << done;
      if (t.gp.is_write()) {
        ref.apply(t.gp);
      } else {
        ASSERT_EQ(ref.mismatch(t.gp), "") << "transaction " << done;
      }
    }
  };
  sc_start();
  EXPECT_EQ(done, count);
  EXPECT_GE(top.in.transactions_issued(), count);
  top.expect_clean();
}

// A target's error crosses both bridges (AXI: SLVERR), and so does a hole
// in the far map (AXI: DECERR; APB has only PSLVERR).
template <class TypeParam>
void ErrorsCrossBothBridges() {
  PairTop<TypeParam> top;
  std::vector<tlm::tlm_response_status> got;
  top.cpu.body = [&] {
    top.release_reset();
    std::vector<uint8_t> bytes(8, 1);
    got.push_back(top.access(tlm::TLM_WRITE_COMMAND, kErrorAt, bytes));
    got.push_back(top.access(tlm::TLM_READ_COMMAND, kErrorAt + 8, bytes));
    got.push_back(top.access(tlm::TLM_WRITE_COMMAND, kHoleAt, bytes));
    got.push_back(top.access(tlm::TLM_READ_COMMAND, kHoleAt + 0x100, bytes));
    got.push_back(top.access(tlm::TLM_READ_COMMAND, kBase, bytes));
  };
  sc_start();
  const auto hole = TypeParam::hole_error;
  EXPECT_EQ(got, (std::vector<tlm::tlm_response_status>{tlm::TLM_GENERIC_ERROR_RESPONSE,
                                                         tlm::TLM_GENERIC_ERROR_RESPONSE, hole, hole,
                                                         tlm::TLM_OK_RESPONSE}));
  top.expect_clean();
}

// Reset held at start: a transaction issued during reset waits for its end
// with every VALID and PSEL low (the checker asserts it), then completes.
template <class TypeParam>
void TransactionDuringResetWaitsForItsEnd() {
  PairTop<TypeParam> top;
  sc_time finished;
  std::vector<uint8_t> back(16);
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  top.cpu.body = [&] {
    sc_spawn([&] {
      wait(400, SC_NS);
      top.set_reset(false);
    });
    std::vector<uint8_t> bytes(16, 0x3c);
    status = top.access(tlm::TLM_WRITE_COMMAND, kBase + 0x40, bytes);
    finished = sc_time_stamp();
    top.access(tlm::TLM_READ_COMMAND, kBase + 0x40, back);
  };
  sc_start();
  EXPECT_EQ(status, tlm::TLM_OK_RESPONSE);
  EXPECT_GT(finished, sc_time(400, SC_NS));
  EXPECT_EQ(back, std::vector<uint8_t>(16, 0x3c));
  top.expect_clean();
}

// A reset in the middle of a long transaction fails it (the RTL side has
// forgotten it); traffic after the reset works and reads what it wrote.
template <class TypeParam>
void ResetInTheMiddleOfTrafficFailsTheCutTransactionAndRecovers() {
  PairTop<TypeParam> top;
  tlm::tlm_response_status cut = tlm::TLM_INCOMPLETE_RESPONSE, after = cut;
  std::vector<uint8_t> back(32);
  top.cpu.body = [&] {
    sc_spawn([&] {  // the one writer of the resets
      top.release_reset();
      wait(300, SC_NS);
      top.set_reset(true);
      wait(100, SC_NS);
      top.set_reset(false);
    });
    wait(40, SC_NS);
    std::vector<uint8_t> bytes(2048, 0x11);
    cut = top.access(tlm::TLM_WRITE_COMMAND, kBase, bytes);
    bytes.assign(32, 0x77);
    after = top.access(tlm::TLM_WRITE_COMMAND, kBase + 0x1000, bytes);
    top.access(tlm::TLM_READ_COMMAND, kBase + 0x1000, back);
  };
  sc_start();
  EXPECT_EQ(cut, tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(after, tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(back, std::vector<uint8_t>(32, 0x77));
  top.expect_clean();
}

// The reset polarity is the user's: the same traffic with an active-high reset.
template <class TypeParam>
void ActiveHighResetWorksTheSame() {
  PairTop<TypeParam> top(ResetPolarity::active_high);
  std::vector<uint8_t> back(24);
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  sc_time finished;
  top.cpu.body = [&] {
    sc_spawn([&] { top.release_reset(); });
    std::vector<uint8_t> bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
    status = top.access(tlm::TLM_WRITE_COMMAND, kBase + 0x123, bytes);
    finished = sc_time_stamp();
    top.access(tlm::TLM_READ_COMMAND, kBase + 0x123, back);
  };
  sc_start();
  EXPECT_TRUE(top.rst.read() == false);
  EXPECT_EQ(status, tlm::TLM_OK_RESPONSE);
  EXPECT_GT(finished, sc_time(35, SC_NS));
  EXPECT_EQ(back[0], 1);
  EXPECT_EQ(back[23], 24);
  top.expect_clean();
}

// An idle bridge costs nothing: across 10,000 clocks without traffic
// neither bridge wakes up once (they did during the traffic before).
template <class TypeParam>
void IdleBridgesDoNotWakeUpOnTheClock() {
  PairTop<TypeParam> top;
  uint64_t out_busy = 0, in_busy = 0, out_idle = 0, in_idle = 0;
  std::vector<uint8_t> back(8);
  top.cpu.body = [&] {
    top.release_reset();
    std::vector<uint8_t> bytes(64, 9);
    top.access(tlm::TLM_WRITE_COMMAND, kBase, bytes);
    top.access(tlm::TLM_READ_COMMAND, kBase, bytes);
    wait(50, SC_NS);  // the last handshakes settle
    out_busy = top.out.clock_edges();
    in_busy = top.in.clock_edges();
    wait(10000 * 10, SC_NS);
    out_idle = top.out.clock_edges() - out_busy;
    in_idle = top.in.clock_edges() - in_busy;
    top.access(tlm::TLM_READ_COMMAND, kBase + 8, back);  // and they wake up on demand
  };
  sc_start();
  EXPECT_GT(out_busy, 0u);
  EXPECT_GT(in_busy, 0u);
  EXPECT_EQ(out_idle, 0u);
  EXPECT_EQ(in_idle, 0u);
  EXPECT_EQ(back, std::vector<uint8_t>(8, 9));
  top.expect_clean();
}

// RTL has no host pointer: DMI is refused; transport_dbg moves nothing
// unless a backdoor is registered, then what the backdoor moves.
template <class TypeParam>
void DmiRefusedAndDebugMovesNothingWithoutABackdoor() {
  PairTop<TypeParam> top;
  bool granted = true;
  unsigned without = 1, with = 0;
  std::vector<uint8_t> seen;
  top.cpu.body = [&] {
    top.release_reset();
    OwnedTxn t;
    t.set(tlm::TLM_READ_COMMAND, kBase, std::vector<uint8_t>(4, 0xee));
    tlm::tlm_dmi dmi;
    granted = top.cpu.socket->get_direct_mem_ptr(t.gp, dmi);
    without = top.cpu.socket->transport_dbg(t.gp);
    seen = t.data;
    top.out.set_backdoor([](tlm::tlm_generic_payload& gp) {
      std::memset(gp.get_data_ptr(), 0x42, gp.get_data_length());
      return gp.get_data_length();
    });
    with = top.cpu.socket->transport_dbg(t.gp);
  };
  sc_start();
  EXPECT_FALSE(granted);
  EXPECT_EQ(without, 0u);
  EXPECT_EQ(seen, std::vector<uint8_t>(4, 0xee));  // untouched
  EXPECT_EQ(with, 4u);
  EXPECT_EQ(top.in.transactions_issued(), 0u);  // no pin activity for either
  top.expect_clean();
}

// Every rule above, for each protocol: Apb4Pair.*, AxiLitePair.*, Axi4Pair.*
#define TLMMAP_PAIR_TESTS(P) \
  TEST(P##Pair, RandomTrafficWith64BitAddresses) { \
    RandomTrafficWith64BitAddresses<P>(); \
  } \
  TEST(P##Pair, ErrorsCrossBothBridges) { \
    ErrorsCrossBothBridges<P>(); \
  } \
  TEST(P##Pair, TransactionDuringResetWaitsForItsEnd) { \
    TransactionDuringResetWaitsForItsEnd<P>(); \
  } \
  TEST(P##Pair, ResetInTheMiddleOfTrafficFailsTheCutTransactionAndRecovers) { \
    ResetInTheMiddleOfTrafficFailsTheCutTransactionAndRecovers<P>(); \
  } \
  TEST(P##Pair, ActiveHighResetWorksTheSame) { \
    ActiveHighResetWorksTheSame<P>(); \
  } \
  TEST(P##Pair, IdleBridgesDoNotWakeUpOnTheClock) { \
    IdleBridgesDoNotWakeUpOnTheClock<P>(); \
  } \
  TEST(P##Pair, DmiRefusedAndDebugMovesNothingWithoutABackdoor) { \
    DmiRefusedAndDebugMovesNothingWithoutABackdoor<P>(); \
  }

// AxLOCK and EXOKAY carry the exclusive attribute across both AXI4 bridges:
// the far target's monitor decides, the near initiator hears.
TEST(Axi4Pair, ExclusiveAccessCrossesBothBridges) {
  PairTop<Axi4> top;
  ExclusiveMemory monitor{"monitor"};
  constexpr uint64_t kAt = kBase + 0x10000;
  top.far.bind(monitor.socket, kAt, 0x1000);
  std::vector<bool> okay;
  std::vector<uint8_t> after;
  top.cpu.body = [&] {
    top.release_reset();
    OwnedTxn t;
    auto* ext = new AmbaExtension;
    t.gp.set_extension(ext);
    ext->exclusive = true;
    t.set(tlm::TLM_READ_COMMAND, kAt + 0x40, std::vector<uint8_t>(8));
    top.cpu.transport(t.gp);
    okay.push_back(ext->exclusive_okay);  // reserved: EXOKAY
    t.set(tlm::TLM_WRITE_COMMAND, kAt + 0x40, std::vector<uint8_t>(8, 0xa5));
    top.cpu.transport(t.gp);
    okay.push_back(ext->exclusive_okay);  // still reserved: EXOKAY, written
    t.set(tlm::TLM_WRITE_COMMAND, kAt + 0x40, std::vector<uint8_t>(8, 0x5a));
    top.cpu.transport(t.gp);
    okay.push_back(ext->exclusive_okay);  // the reservation is gone: OKAY, not written
    ext->exclusive = false;
    t.set(tlm::TLM_READ_COMMAND, kAt + 0x40, std::vector<uint8_t>(8));
    top.cpu.transport(t.gp);
    after = t.data;
  };
  sc_start();
  EXPECT_EQ(okay, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(after, std::vector<uint8_t>(8, 0xa5));
  EXPECT_EQ(monitor.exclusives_seen, 3u);
  top.expect_clean();
}

// The subordinate bridge keeps up too: 64 KiB through both AXI4 bridges
// move one beat per clock on W and on R, across bursts.
TEST(Axi4Pair, OneBeatPerClockThroughBothBridges) {
  PairTop<Axi4> top;
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
    std::vector<uint8_t> bytes(kRamBytes, 3);
    top.access(tlm::TLM_WRITE_COMMAND, kBase, bytes);
    top.access(tlm::TLM_READ_COMMAND, kBase, bytes);
  };
  sc_start();
  EXPECT_EQ(w.beats, kRamBytes / 8);
  EXPECT_EQ(r.beats, kRamBytes / 8);
  EXPECT_EQ(w.clocks(), w.beats) << "write beats per clock: " << w.per_clock();
  EXPECT_EQ(r.clocks(), r.beats) << "read beats per clock: " << r.per_clock();
  top.expect_clean();
}

TLMMAP_PAIR_TESTS(Apb4)
TLMMAP_PAIR_TESTS(AxiLite)
TLMMAP_PAIR_TESTS(Axi4)
TEST(Axi4By128Pair, RandomTrafficWith64BitAddresses) { RandomTrafficWith64BitAddresses<Axi4By128>(); }
TEST(Axi4By256Pair, RandomTrafficWith64BitAddresses) { RandomTrafficWith64BitAddresses<Axi4By256>(); }
TEST(Axi4By256Pair, ErrorsCrossBothBridges) { ErrorsCrossBothBridges<Axi4By256>(); }

}  // namespace
