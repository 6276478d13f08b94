// The base-protocol checker (tests/support/protocol_checker.hpp) itself: a
// scripted initiator and a scripted target around one checker; each test
// plays a few calls, legal or deliberately not, and looks at what the checker
// found. One elaboration per test process.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include <systemc>
#include <tlm>

#include "support/protocol_checker.hpp"

namespace tlmmap::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using sc_core::SC_NS;
using sc_core::sc_time;
using Sync = tlm::tlm_sync_enum;
using Rule = ProtocolRule;

const sc_time kZero = sc_core::SC_ZERO_TIME;

DECLARE_EXTENDED_PHASE(PROBE_PHASE);

struct Payload {
  tlm::tlm_generic_payload gp;
  uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  explicit Payload(uint64_t address = 0x100, tlm::tlm_command command = tlm::TLM_READ_COMMAND, unsigned length = 4) {
    gp.set_command(command);
    gp.set_address(address);
    gp.set_data_ptr(data);
    gp.set_data_length(length);
    gp.set_streaming_width(length);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  }
  operator tlm::tlm_generic_payload&() { return gp; }
};

// A target whose every answer the test decides.
struct ScriptedTarget : sc_core::sc_module, tlm::tlm_fw_transport_if<> {
  tlm::tlm_target_socket<32> socket{"socket"};
  std::function<Sync(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&)> fw = [](auto&, auto&, auto&) {
    return tlm::TLM_ACCEPTED;
  };
  std::function<void(tlm::tlm_generic_payload&, sc_time&)> blocking = [](tlm::tlm_generic_payload& gp, sc_time&) {
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  };
  std::function<unsigned(tlm::tlm_generic_payload&)> debug = [](tlm::tlm_generic_payload& gp) {
    return gp.get_data_length();
  };
  std::function<bool(tlm::tlm_generic_payload&, tlm::tlm_dmi&)> dmi = [](auto&, auto&) { return false; };

  explicit ScriptedTarget(sc_core::sc_module_name name) : sc_core::sc_module(name) { socket.bind(*this); }
  Sync nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_time& delay) override {
    return fw(gp, phase, delay);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) override { blocking(gp, delay); }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override { return debug(gp); }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& d) override { return dmi(gp, d); }
};

// An initiator whose every answer on the backward path the test decides.
struct ScriptedInitiator : sc_core::sc_module, tlm::tlm_bw_transport_if<> {
  tlm::tlm_initiator_socket<32> socket{"socket"};
  std::function<Sync(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&)> bw = [](auto&, auto&, auto&) {
    return tlm::TLM_ACCEPTED;
  };
  std::vector<std::pair<uint64_t, uint64_t>> invalidations;

  explicit ScriptedInitiator(sc_core::sc_module_name name) : sc_core::sc_module(name) { socket.bind(*this); }
  Sync nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_time& delay) override {
    return bw(gp, phase, delay);
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override {
    invalidations.emplace_back(start, end);
  }
};

// initiator -> checker -> target; violations are displayed, not thrown, so
// that a test can play on after one.
struct Bench {
  ScriptedInitiator initiator{"initiator"};
  ProtocolChecker<32> checker;
  ScriptedTarget target{"target"};

  explicit Bench(ProtocolChecker<32>::Options options = {}, bool throw_errors = false)
      : checker("checker", options) {
    if (!throw_errors) {
      sc_core::sc_report_handler::set_actions(ProtocolChecker<32>::kMsgType, sc_core::SC_ERROR, sc_core::SC_DISPLAY);
    }
    initiator.socket.bind(checker.target_socket);
    checker.initiator_socket.bind(target.socket);
    sc_core::sc_start(kZero);
  }

  Sync fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase phase, sc_time delay = kZero) {
    return initiator.socket->nb_transport_fw(gp, phase, delay);
  }
  Sync bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase phase, sc_time delay = kZero) {
    return target.socket->nb_transport_bw(gp, phase, delay);
  }
  std::vector<Rule> rules() const {
    std::vector<Rule> out;
    for (const auto& v : checker.violations()) out.push_back(v.rule);
    return out;
  }
};

// Target answers for one call.
auto answer(Sync status, tlm::tlm_phase phase = tlm::UNINITIALIZED_PHASE, sc_time delay = kZero,
            tlm::tlm_response_status response = tlm::TLM_OK_RESPONSE) {
  return [=](tlm::tlm_generic_payload& gp, tlm::tlm_phase& p, sc_time& d) {
    if (phase != tlm::UNINITIALIZED_PHASE) p = phase;
    d += delay;
    if (status != tlm::TLM_ACCEPTED && (p == tlm::BEGIN_RESP || status == tlm::TLM_COMPLETED)) {
      gp.set_response_status(response);
    }
    return status;
  };
}

TEST(ProtocolChecker, LegalSequencesAndShortcutsPass) {
  Bench b;
  auto ns = [](double t) { return sc_time(t, SC_NS); };
  Payload t1, t2, t3, t4, t5, t6(0x200, tlm::TLM_WRITE_COMMAND), t7;
  // The full four phases.
  EXPECT_EQ(b.fw(t1, tlm::BEGIN_REQ), tlm::TLM_ACCEPTED);
  EXPECT_EQ(b.bw(t1, tlm::END_REQ, ns(5)), tlm::TLM_ACCEPTED);
  t1.gp.set_response_status(tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.bw(t1, tlm::BEGIN_RESP, ns(10)), tlm::TLM_ACCEPTED);
  b.target.fw = answer(tlm::TLM_COMPLETED);
  EXPECT_EQ(b.fw(t1, tlm::END_RESP, ns(12)), tlm::TLM_COMPLETED);
  // TLM_UPDATED/END_REQ (at 32 ns); the initiator ends the response with TLM_UPDATED/END_RESP.
  b.target.fw = answer(tlm::TLM_UPDATED, tlm::END_REQ, ns(20));
  EXPECT_EQ(b.fw(t2, tlm::BEGIN_REQ, ns(12)), tlm::TLM_UPDATED);
  b.initiator.bw = [](auto&, tlm::tlm_phase& p, sc_time&) {
    p = tlm::END_RESP;
    return tlm::TLM_UPDATED;
  };
  t2.gp.set_response_status(tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.bw(t2, tlm::BEGIN_RESP, ns(40)), tlm::TLM_UPDATED);
  // TLM_UPDATED/BEGIN_RESP (at 90 ns), END_RESP answered TLM_ACCEPTED.
  b.target.fw = answer(tlm::TLM_UPDATED, tlm::BEGIN_RESP, ns(50));
  EXPECT_EQ(b.fw(t3, tlm::BEGIN_REQ, ns(40)), tlm::TLM_UPDATED);
  b.target.fw = answer(tlm::TLM_ACCEPTED);
  EXPECT_EQ(b.fw(t3, tlm::END_RESP, ns(95)), tlm::TLM_ACCEPTED);
  // TLM_COMPLETED at once (at 110 ns).
  b.target.fw = answer(tlm::TLM_COMPLETED, tlm::END_RESP, ns(10));
  EXPECT_EQ(b.fw(t4, tlm::BEGIN_REQ, ns(100)), tlm::TLM_COMPLETED);
  // BEGIN_RESP without END_REQ, completed by the initiator.
  b.target.fw = answer(tlm::TLM_ACCEPTED);
  EXPECT_EQ(b.fw(t5, tlm::BEGIN_REQ, ns(110)), tlm::TLM_ACCEPTED);
  b.initiator.bw = [](auto&, auto&, auto&) { return tlm::TLM_COMPLETED; };
  t5.gp.set_response_status(tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.bw(t5, tlm::BEGIN_RESP, ns(120)), tlm::TLM_COMPLETED);
  // One transaction's request while another one's response is open.
  b.initiator.bw = [](auto&, auto&, auto&) { return tlm::TLM_ACCEPTED; };
  EXPECT_EQ(b.fw(t6, tlm::BEGIN_REQ, ns(130)), tlm::TLM_ACCEPTED);
  b.bw(t6, tlm::END_REQ, ns(131));
  EXPECT_EQ(b.fw(t7, tlm::BEGIN_REQ, ns(132)), tlm::TLM_ACCEPTED);
  t6.gp.set_response_status(tlm::TLM_OK_RESPONSE);
  b.bw(t6, tlm::BEGIN_RESP, ns(133));
  b.bw(t7, tlm::END_REQ, ns(134));
  b.target.fw = answer(tlm::TLM_COMPLETED);
  b.fw(t6, tlm::END_RESP, ns(135));
  t7.gp.set_response_status(tlm::TLM_OK_RESPONSE);
  b.bw(t7, tlm::BEGIN_RESP, ns(135));
  b.fw(t7, tlm::END_RESP, ns(140));
  // Blocking, debug, DMI.
  Payload t8(0x300, tlm::TLM_WRITE_COMMAND);
  sc_time delay = kZero;
  b.initiator.socket->b_transport(t8, delay);
  Payload dbg;
  EXPECT_EQ(b.initiator.socket->transport_dbg(dbg), 4u);
  std::vector<uint8_t> memory(0x1000);
  b.target.dmi = [&memory](tlm::tlm_generic_payload&, tlm::tlm_dmi& d) {
    d.set_start_address(0);
    d.set_end_address(0xfff);
    d.set_dmi_ptr(memory.data());
    d.allow_read_write();
    return true;
  };
  tlm::tlm_dmi dmi;
  EXPECT_TRUE(b.initiator.socket->get_direct_mem_ptr(dbg, dmi));
  b.target.socket->invalidate_direct_mem_ptr(0, 0xfff);
  EXPECT_EQ(b.initiator.invalidations.size(), 1u);

  EXPECT_THAT(b.rules(), IsEmpty());
  EXPECT_EQ(b.checker.in_flight(), 0u);
  EXPECT_EQ(b.checker.requests(), 8u);
  EXPECT_EQ(b.checker.responses(), 8u);
}

TEST(ProtocolChecker, RequestExclusionInCallOrderAndInTime) {
  Bench b;
  Payload t1, t2, t3;
  EXPECT_EQ(b.fw(t1, tlm::BEGIN_REQ), tlm::TLM_ACCEPTED);
  b.fw(t2, tlm::BEGIN_REQ);  // t1's request has not ended
  EXPECT_THAT(b.rules(), ElementsAre(Rule::request_exclusion));
  // t2 ends, then t1 (the checker follows both); a request annotated before
  // the end of the previous one violates the rule in time.
  b.bw(t2, tlm::END_REQ);
  b.bw(t1, tlm::END_REQ, sc_time(10, SC_NS));
  b.fw(t3, tlm::BEGIN_REQ, sc_time(5, SC_NS));
  EXPECT_THAT(b.rules(), ElementsAre(Rule::request_exclusion, Rule::request_exclusion));
  b.bw(t3, tlm::END_REQ, sc_time(20, SC_NS));
  EXPECT_EQ(b.rules().size(), 2u);
}

TEST(ProtocolChecker, RequestExclusionInTimeCanBeLeftOut) {
  ProtocolChecker<32>::Options options;
  options.exclusion_in_time = false;
  Bench b(options);
  Payload t1, t2;
  b.target.fw = answer(tlm::TLM_UPDATED, tlm::END_REQ, sc_time(10, SC_NS));
  b.fw(t1, tlm::BEGIN_REQ);
  b.fw(t2, tlm::BEGIN_REQ);
  EXPECT_THAT(b.rules(), IsEmpty());
}

TEST(ProtocolChecker, ResponseExclusion) {
  Bench b;
  Payload t1, t2, t3;
  b.target.fw = answer(tlm::TLM_UPDATED, tlm::END_REQ);
  b.fw(t1, tlm::BEGIN_REQ);
  b.fw(t2, tlm::BEGIN_REQ);
  t1.gp.set_response_status(tlm::TLM_OK_RESPONSE);
  t2.gp.set_response_status(tlm::TLM_OK_RESPONSE);
  b.bw(t1, tlm::BEGIN_RESP);
  b.bw(t2, tlm::BEGIN_RESP);  // t1's response has not ended
  EXPECT_THAT(b.rules(), ElementsAre(Rule::response_exclusion));
  // END_RESP at 10 ns: a response annotated earlier is too early.
  b.target.fw = answer(tlm::TLM_COMPLETED);
  b.fw(t1, tlm::END_RESP);
  b.fw(t2, tlm::END_RESP, sc_time(10, SC_NS));
  b.target.fw = answer(tlm::TLM_UPDATED, tlm::END_REQ, sc_time(1, SC_NS));
  b.fw(t3, tlm::BEGIN_REQ);
  t3.gp.set_response_status(tlm::TLM_OK_RESPONSE);
  b.bw(t3, tlm::BEGIN_RESP, sc_time(5, SC_NS));
  EXPECT_THAT(b.rules(), ElementsAre(Rule::response_exclusion, Rule::response_exclusion));
  // A target that completes at once is not subject to the rule.
  Payload t4;
  b.target.fw = answer(tlm::TLM_COMPLETED, tlm::END_RESP, sc_time(20, SC_NS));
  b.fw(t4, tlm::BEGIN_REQ, sc_time(1, SC_NS));
  EXPECT_EQ(b.rules().size(), 2u);
}

TEST(ProtocolChecker, PhaseSequences) {
  Bench b;
  Payload stranger, t1, t2, t3;
  b.bw(stranger, tlm::BEGIN_RESP);  // not in flight
  EXPECT_THAT(b.rules(), ElementsAre(Rule::phase_sequence));
  b.fw(t1, tlm::BEGIN_REQ);
  b.fw(t1, tlm::END_RESP);  // no BEGIN_RESP yet
  EXPECT_EQ(b.rules().back(), Rule::phase_sequence);
  b.target.fw = answer(tlm::TLM_UPDATED, tlm::BEGIN_REQ);  // not a next phase
  b.fw(t2, tlm::BEGIN_REQ);
  EXPECT_EQ(b.rules().back(), Rule::phase_sequence);
  b.bw(t2, tlm::END_REQ);
  b.target.fw = answer(tlm::TLM_ACCEPTED);
  b.fw(t3, tlm::BEGIN_REQ);
  b.bw(t3, tlm::END_REQ);
  b.bw(t3, tlm::END_REQ);  // twice
  EXPECT_EQ(b.rules().back(), Rule::phase_sequence);
  // The initiator may not answer END_REQ with TLM_UPDATED.
  Payload t4;
  b.fw(t4, tlm::BEGIN_REQ);
  b.initiator.bw = [](auto&, tlm::tlm_phase& p, auto&) {
    p = tlm::BEGIN_RESP;
    return tlm::TLM_UPDATED;
  };
  b.bw(t4, tlm::END_REQ);
  EXPECT_EQ(b.rules().back(), Rule::phase_sequence);
  EXPECT_EQ(b.rules().size(), 5u);
}

TEST(ProtocolChecker, PhasesOnTheWrongPathAndUnknownPhases) {
  Bench b;
  Payload t1;
  b.fw(t1, tlm::END_REQ);
  b.fw(t1, tlm::BEGIN_RESP);
  b.fw(t1, PROBE_PHASE);
  Payload t2;
  b.fw(t2, tlm::BEGIN_REQ);
  b.bw(t2, tlm::BEGIN_REQ);
  b.bw(t2, tlm::END_RESP);
  b.bw(t2, PROBE_PHASE);
  EXPECT_THAT(b.rules(), ElementsAre(Rule::wrong_path, Rule::wrong_path, Rule::unknown_phase, Rule::wrong_path,
                                     Rule::wrong_path, Rule::unknown_phase));
}

TEST(ProtocolChecker, AcceptedLeavesPhaseAndDelayAlone) {
  Bench b;
  Payload t1, t2;
  b.target.fw = [](auto&, tlm::tlm_phase& p, auto&) {
    p = tlm::END_REQ;
    return tlm::TLM_ACCEPTED;
  };
  b.fw(t1, tlm::BEGIN_REQ);
  b.bw(t1, tlm::END_REQ);
  b.target.fw = [](auto&, auto&, sc_time& d) {
    d += sc_time(1, SC_NS);
    return tlm::TLM_ACCEPTED;
  };
  b.fw(t2, tlm::BEGIN_REQ, sc_time(2, SC_NS));
  EXPECT_THAT(b.rules(), ElementsAre(Rule::accepted_modified, Rule::accepted_modified));
}

TEST(ProtocolChecker, ResponseStatusAtRequestAndResponse) {
  Bench b;
  Payload t1, t2, t3, t4;
  t1.gp.set_response_status(tlm::TLM_OK_RESPONSE);  // the initiator must send it incomplete
  b.target.fw = answer(tlm::TLM_COMPLETED, tlm::END_RESP, kZero, tlm::TLM_OK_RESPONSE);
  b.fw(t1, tlm::BEGIN_REQ);
  EXPECT_THAT(b.rules(), ElementsAre(Rule::response_status));
  b.target.fw = answer(tlm::TLM_COMPLETED, tlm::END_RESP, kZero, tlm::TLM_INCOMPLETE_RESPONSE);
  b.fw(t2, tlm::BEGIN_REQ);
  b.target.fw = answer(tlm::TLM_ACCEPTED);
  b.fw(t3, tlm::BEGIN_REQ);
  b.bw(t3, tlm::BEGIN_RESP);  // status never set
  b.target.blocking = [](auto&, auto&) {};
  sc_time delay = kZero;
  b.initiator.socket->b_transport(t4, delay);
  EXPECT_THAT(b.rules(), ElementsAre(Rule::response_status, Rule::response_status, Rule::response_status,
                                     Rule::response_status));
}

TEST(ProtocolChecker, AttributesUnchangedAtResponseTime) {
  Bench b;
  Payload t1(0x100, tlm::TLM_WRITE_COMMAND), t2, t3(0x100, tlm::TLM_WRITE_COMMAND), t4;
  sc_time delay = kZero;
  b.target.blocking = [](tlm::tlm_generic_payload& gp, sc_time&) {
    gp.set_data_length(2);
    gp.get_data_ptr()[0] = 0xee;  // a write's data
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  };
  b.initiator.socket->b_transport(t1, delay);
  ASSERT_EQ(b.checker.violations().size(), 1u);
  EXPECT_THAT(b.checker.violations()[0].message, ::testing::HasSubstr("data length, write data"));
  // An address not restored when the response reaches the initiator.
  b.target.fw = [](tlm::tlm_generic_payload& gp, tlm::tlm_phase& p, sc_time&) {
    gp.set_address(gp.get_address() & 0xff);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    p = tlm::BEGIN_RESP;
    return tlm::TLM_UPDATED;
  };
  b.fw(t2, tlm::BEGIN_REQ);
  b.target.fw = answer(tlm::TLM_COMPLETED);
  b.fw(t2, tlm::END_RESP);
  // Streaming width and byte enables.
  uint8_t enables[4] = {0xff, 0, 0xff, 0};
  t3.gp.set_byte_enable_ptr(enables);
  t3.gp.set_byte_enable_length(4);
  b.target.blocking = [](tlm::tlm_generic_payload& gp, sc_time&) {
    gp.get_byte_enable_ptr()[1] = 0xff;
    gp.set_streaming_width(2);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  };
  b.initiator.socket->b_transport(t3, delay);
  EXPECT_THAT(b.rules(), ElementsAre(Rule::attribute_modified, Rule::address_not_restored, Rule::attribute_modified));
  EXPECT_THAT(b.checker.violations()[2].message, ::testing::HasSubstr("streaming width, byte-enable array"));
  // The debug transport restores the address too.
  b.target.debug = [](tlm::tlm_generic_payload& gp) {
    gp.set_address(0);
    return 4u;
  };
  b.initiator.socket->transport_dbg(t4);
  EXPECT_EQ(b.rules().back(), Rule::address_not_restored);
}

TEST(ProtocolChecker, AddressRestorationCanBeLeftOut) {
  ProtocolChecker<32>::Options options;
  options.address_restored = false;
  Bench b(options);
  Payload t1;
  b.target.blocking = [](tlm::tlm_generic_payload& gp, sc_time&) {
    gp.set_address(0);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  };
  sc_time delay = kZero;
  b.initiator.socket->b_transport(t1, delay);
  EXPECT_THAT(b.rules(), IsEmpty());
}

TEST(ProtocolChecker, PayloadSanity) {
  Bench b;
  Payload empty(0x100, tlm::TLM_READ_COMMAND, 0), no_width, no_data, no_enables;
  empty.gp.set_streaming_width(4);
  no_width.gp.set_streaming_width(0);
  no_data.gp.set_data_ptr(nullptr);
  uint8_t enables[1] = {0xff};
  no_enables.gp.set_byte_enable_ptr(enables);
  no_enables.gp.set_byte_enable_length(0);
  sc_time delay = kZero;
  b.initiator.socket->b_transport(empty, delay);
  b.initiator.socket->b_transport(no_width, delay);
  b.initiator.socket->b_transport(no_data, delay);
  b.target.fw = answer(tlm::TLM_COMPLETED);
  b.fw(no_enables, tlm::BEGIN_REQ);
  EXPECT_THAT(b.rules(), ElementsAre(Rule::payload, Rule::payload, Rule::payload, Rule::payload));
}

TEST(ProtocolChecker, TimingAnnotationsNeverGoBackwards) {
  Bench b;
  Payload t1, t2, t3;
  // END_REQ annotated before BEGIN_REQ.
  b.target.fw = [](tlm::tlm_generic_payload&, tlm::tlm_phase& p, sc_time& d) {
    d = sc_time(5, SC_NS);
    p = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  };
  b.fw(t1, tlm::BEGIN_REQ, sc_time(20, SC_NS));
  // BEGIN_RESP annotated before END_REQ.
  b.target.fw = answer(tlm::TLM_UPDATED, tlm::END_REQ, sc_time(10, SC_NS));
  b.fw(t2, tlm::BEGIN_REQ, sc_time(30, SC_NS));
  t2.gp.set_response_status(tlm::TLM_OK_RESPONSE);
  b.bw(t2, tlm::BEGIN_RESP, sc_time(35, SC_NS));
  // b_transport returning earlier than it was called.
  b.target.blocking = [](tlm::tlm_generic_payload& gp, sc_time& d) {
    d = kZero;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  };
  sc_time delay(7, SC_NS);
  b.initiator.socket->b_transport(t3, delay);
  EXPECT_THAT(b.rules(), ElementsAre(Rule::timing, Rule::timing, Rule::timing));
}

// A target that waits where it must not, and b_transport from a method.
TEST(ProtocolChecker, NoWaitInNonBlockingCallsNoBlockingCallFromAMethod) {
  Bench b;
  Payload t1, t2, t3;
  b.target.fw = [](tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_time&) {
    sc_core::wait(1, SC_NS);
    return tlm::TLM_ACCEPTED;
  };
  b.target.dmi = [](tlm::tlm_generic_payload&, tlm::tlm_dmi&) {
    sc_core::wait(1, SC_NS);
    return false;
  };
  sc_core::sc_spawn([&] {
    b.fw(t1, tlm::BEGIN_REQ);
    tlm::tlm_dmi dmi;
    b.initiator.socket->get_direct_mem_ptr(t2, dmi);
  });
  sc_core::sc_spawn_options method;
  method.spawn_method();
  sc_core::sc_spawn(
      [&] {
        sc_time delay = kZero;
        b.initiator.socket->b_transport(t3, delay);
      },
      "method", &method);
  sc_core::sc_start();
  EXPECT_THAT(b.rules(), ::testing::UnorderedElementsAre(Rule::blocking_from_method, Rule::wait_in_nonblocking,
                                                          Rule::wait_in_nonblocking));
}

TEST(ProtocolChecker, ObjectsNotSentAgainWhileInFlight) {
  Bench b;
  Payload t1;
  b.fw(t1, tlm::BEGIN_REQ);
  b.bw(t1, tlm::END_REQ);
  b.fw(t1, tlm::BEGIN_REQ);  // again
  sc_time delay = kZero;
  b.initiator.socket->b_transport(t1, delay);
  EXPECT_THAT(b.rules(), ElementsAre(Rule::object_in_flight, Rule::object_in_flight));
}

TEST(ProtocolChecker, DirectMemoryInterface) {
  Bench b;
  std::vector<uint8_t> memory(0x2000);
  struct Grant {
    bool granted;
    uint64_t start, end;
    uint8_t* ptr;
    tlm::tlm_dmi::dmi_access_e access;
  } grant{true, 0x1000, 0x1fff, memory.data(), tlm::tlm_dmi::DMI_ACCESS_READ_WRITE};
  b.target.dmi = [&grant](tlm::tlm_generic_payload&, tlm::tlm_dmi& d) {
    d.set_start_address(grant.start);
    d.set_end_address(grant.end);
    d.set_dmi_ptr(grant.ptr);
    d.set_granted_access(grant.access);
    return grant.granted;
  };
  auto ask = [&b](uint64_t address) {
    Payload p(address);
    tlm::tlm_dmi dmi;
    return b.initiator.socket->get_direct_mem_ptr(p, dmi);
  };
  EXPECT_TRUE(ask(0x1800));
  EXPECT_THAT(b.rules(), IsEmpty());
  ask(0x800);  // outside the range
  grant = {false, 0x1800, 0x17ff, nullptr, tlm::tlm_dmi::DMI_ACCESS_NONE};
  ask(0x1800);  // start > end
  grant = {true, 0x1000, 0x1fff, nullptr, tlm::tlm_dmi::DMI_ACCESS_READ};
  ask(0x1800);  // no pointer
  grant = {true, 0x1000, 0x1fff, memory.data(), tlm::tlm_dmi::DMI_ACCESS_NONE};
  ask(0x1800);  // no access
  EXPECT_THAT(b.rules(), ElementsAre(Rule::dmi, Rule::dmi, Rule::dmi, Rule::dmi));
  // The same range mapped elsewhere while the first grant stands.
  grant = {true, 0x1800, 0x27ff, memory.data(), tlm::tlm_dmi::DMI_ACCESS_READ};
  ask(0x1900);
  EXPECT_EQ(b.rules().size(), 5u);
  EXPECT_THAT(b.checker.violations().back().message, ::testing::HasSubstr("other host memory"));
  // After an invalidation, a new mapping is fine; a consistent one always is.
  b.checker.invalidate_direct_mem_ptr(0, 0x3fff);
  EXPECT_TRUE(ask(0x1900));
  grant = {true, 0x2000, 0x27ff, memory.data() + 0x800, tlm::tlm_dmi::DMI_ACCESS_READ};
  EXPECT_TRUE(ask(0x2000));
  EXPECT_EQ(b.rules().size(), 5u);
  b.checker.invalidate_direct_mem_ptr(0x2000, 0x1000);
  EXPECT_EQ(b.rules().back(), Rule::invalidate);
}

TEST(ProtocolChecker, DebugTransportReturnsAtMostTheDataLength) {
  Bench b;
  Payload t1;
  b.target.debug = [](tlm::tlm_generic_payload&) { return 8u; };
  EXPECT_EQ(b.initiator.socket->transport_dbg(t1), 8u);
  EXPECT_THAT(b.rules(), ElementsAre(Rule::debug));
}

TEST(ProtocolChecker, ViolationsAreErrorReports) {
  Bench b({}, true);
  Payload t1, t2;
  b.fw(t1, tlm::BEGIN_REQ);
  try {
    b.fw(t2, tlm::BEGIN_REQ);
    ADD_FAILURE() << "no error report";
  } catch (const sc_core::sc_report& report) {
    EXPECT_EQ(report.get_severity(), sc_core::SC_ERROR);
    EXPECT_STREQ(report.get_msg_type(), ProtocolChecker<32>::kMsgType);
    EXPECT_THAT(report.get_msg(), ::testing::HasSubstr("checker: [request-exclusion] BEGIN_REQ"));
  }
}

}  // namespace
}  // namespace tlmmap::test
