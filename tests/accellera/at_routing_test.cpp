// Approximately-timed routing through an address space (TargetEngine +
// DeviceLink): initiators and AT targets of every base-protocol style, a
// protocol checker on every hop (initiator -> address space, window ->
// target), and a check of every transaction's outcome. One elaboration per
// test process.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>

#include "support/protocol_checker.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "tlmmap/tlm/tlm_device_region.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;
using test::ProtocolChecker;

const sc_time kZero = sc_core::SC_ZERO_TIME;
sc_time ns(double t) { return sc_time(t, SC_NS); }

// How a target answers BEGIN_REQ.
enum class TargetStyle {
  four_phase,          // TLM_ACCEPTED; END_REQ and BEGIN_RESP on the backward path
  end_req_updated,     // TLM_UPDATED/END_REQ; BEGIN_RESP on the backward path
  begin_resp_updated,  // TLM_UPDATED/BEGIN_RESP (TLM_UPDATED/END_REQ while a response is open)
  completed,           // TLM_COMPLETED
};
// How an initiator answers BEGIN_RESP.
enum class InitiatorStyle {
  end_resp_later,           // TLM_ACCEPTED, END_RESP on the forward path later
  end_resp_updated,         // TLM_UPDATED/END_RESP
  completed_on_begin_resp,  // TLM_COMPLETED
};

const char* name_of(TargetStyle s) {
  switch (s) {
    case TargetStyle::four_phase: return "FourPhase";
    case TargetStyle::end_req_updated: return "UpdatedEndReq";
    case TargetStyle::begin_resp_updated: return "UpdatedBeginResp";
    case TargetStyle::completed: return "Completed";
  }
  return "?";
}
const char* name_of(InitiatorStyle s) {
  switch (s) {
    case InitiatorStyle::end_resp_later: return "EndRespLater";
    case InitiatorStyle::end_resp_updated: return "UpdatedEndResp";
    case InitiatorStyle::completed_on_begin_resp: return "CompletedOnBeginResp";
  }
  return "?";
}

// A 4 KiB memory behind an AT target socket, answering in one style; it
// keeps the base protocol itself (one response open at a time, honouring
// annotations) and records the addresses it sees.
class AtMemory : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<32> socket{"socket"};
  std::vector<uint8_t> bytes = std::vector<uint8_t>(0x1000);
  std::vector<uint64_t> seen;  // the address of every BEGIN_REQ
  // A BEGIN_RESP sent on the backward path carries this annotation (the
  // response is sent that much before its time).
  sc_time begin_resp_annotation = kZero;

  SC_HAS_PROCESS(AtMemory);
  AtMemory(sc_core::sc_module_name name, TargetStyle style, sc_time accept, sc_time latency)
      : sc_core::sc_module(name), style_(style), accept_(accept), latency_(latency), peq_(this, &AtMemory::on_peq) {
    socket.bind(*this);
    SC_METHOD(respond);
    sensitive << retry_;
    dont_initialize();
  }

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_time& delay) override {
    if (phase == tlm::END_RESP) {
      EXPECT_EQ(&gp, open_response_) << name();
      close_response(delay);
      return tlm::TLM_COMPLETED;
    }
    EXPECT_EQ(phase, tlm::BEGIN_REQ) << name();
    seen.push_back(gp.get_address());
    switch (style_) {
      case TargetStyle::four_phase:
        ++unexecuted_;
        peq_.notify(gp, tlm::END_REQ, delay + accept_);
        return tlm::TLM_ACCEPTED;
      case TargetStyle::begin_resp_updated:
        if (open_response_ == nullptr && unexecuted_ == 0 && sc_core::sc_time_stamp() + delay >= response_free_at_) {
          execute(gp);
          delay += accept_ + latency_;
          open_response_ = &gp;
          phase = tlm::BEGIN_RESP;
          return tlm::TLM_UPDATED;
        }
        [[fallthrough]];
      case TargetStyle::end_req_updated:
        ++unexecuted_;
        delay += accept_;
        peq_.notify(gp, tlm::BEGIN_RESP, delay + latency_ - begin_resp_annotation);
        phase = tlm::END_REQ;
        return tlm::TLM_UPDATED;
      case TargetStyle::completed:
        execute(gp);
        delay += accept_ + latency_;
        return tlm::TLM_COMPLETED;
    }
    return tlm::TLM_COMPLETED;
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) override {
    execute(gp);
    delay += accept_ + latency_;
  }
  unsigned transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }

 private:
  void execute(tlm::tlm_generic_payload& gp) {
    const uint64_t address = gp.get_address();
    const unsigned length = gp.get_data_length();
    if (address + length > bytes.size()) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (gp.is_write()) std::memcpy(&bytes[address], gp.get_data_ptr(), length);
    if (gp.is_read()) std::memcpy(gp.get_data_ptr(), &bytes[address], length);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  void on_peq(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase) {
    if (phase == tlm::END_REQ) {
      tlm::tlm_phase p = tlm::END_REQ;
      sc_time d = kZero;
      EXPECT_EQ(socket->nb_transport_bw(gp, p, d), tlm::TLM_ACCEPTED) << name();
      peq_.notify(gp, tlm::BEGIN_RESP, latency_ - begin_resp_annotation);
      return;
    }
    pending_.push_back(&gp);
    respond();
  }

  // Sends the responses that are due, one at a time.
  void respond() {
    while (open_response_ == nullptr && !pending_.empty()) {
      const sc_time now = sc_core::sc_time_stamp();
      if (now < response_free_at_) {
        retry_.notify(response_free_at_ - now);
        return;
      }
      tlm::tlm_generic_payload& gp = *pending_.front();
      pending_.pop_front();
      --unexecuted_;
      execute(gp);
      open_response_ = &gp;
      tlm::tlm_phase phase = tlm::BEGIN_RESP;
      sc_time delay = begin_resp_annotation;
      const tlm::tlm_sync_enum status = socket->nb_transport_bw(gp, phase, delay);
      if (status == tlm::TLM_COMPLETED || (status == tlm::TLM_UPDATED && phase == tlm::END_RESP)) {
        close_response(delay);
      } else {
        EXPECT_EQ(status, tlm::TLM_ACCEPTED) << name();
      }
    }
  }

  void close_response(const sc_time& delay) {
    open_response_ = nullptr;
    response_free_at_ = sc_core::sc_time_stamp() + delay;
    if (!pending_.empty()) retry_.notify(delay);
  }

  TargetStyle style_;
  sc_time accept_;
  sc_time latency_;
  tlm_utils::peq_with_cb_and_phase<AtMemory> peq_;
  tlm::tlm_generic_payload* open_response_ = nullptr;
  sc_time response_free_at_;
  std::deque<tlm::tlm_generic_payload*> pending_;
  unsigned unexecuted_ = 0;  // accepted, not executed yet (executions keep the order of requests)
  sc_core::sc_event retry_;
};

// An AT initiator: runs its operations with up to `max_outstanding`
// transactions in flight, keeping the base protocol itself (request
// exclusion, annotations honoured), and records every outcome.
class AtInitiator : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  struct Op {
    bool write;
    uint64_t address;
    uint32_t value;         // to write
    sc_time request_delay;  // BEGIN_REQ's annotation
    bool drain_first;       // wait for everything outstanding first
  };
  struct Outcome {
    bool done = false;
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    uint32_t value = 0;  // read
    uint64_t address = 0;
    sc_time responded_at;  // effective time of the response
    bool checkable = false;  // a read after the completion of every write of ours to its address
    uint32_t expected = 0;   // what the read must return then
  };

  tlm::tlm_initiator_socket<32> socket{"socket"};
  std::vector<Op> ops;
  std::vector<Outcome> outcomes;
  bool finished = false;

  SC_HAS_PROCESS(AtInitiator);
  AtInitiator(sc_core::sc_module_name name, InitiatorStyle style, unsigned max_outstanding, sc_time end_resp_delay)
      : sc_core::sc_module(name),
        style_(style),
        max_outstanding_(max_outstanding),
        end_resp_delay_(end_resp_delay),
        peq_(this, &AtInitiator::on_peq) {
    socket.bind(*this);
    SC_THREAD(run);
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_time& delay) override {
    const sc_time at = sc_core::sc_time_stamp() + delay;
    if (phase == tlm::END_REQ) {
      EXPECT_EQ(&gp, open_request_) << name();
      end_request(at);
      return tlm::TLM_ACCEPTED;
    }
    EXPECT_EQ(phase, tlm::BEGIN_RESP) << name();
    if (open_request_ == &gp) end_request(at);  // BEGIN_RESP ends the request too
    record(gp, at);
    switch (style_) {
      case InitiatorStyle::end_resp_later:
        peq_.notify(gp, tlm::END_RESP, delay + end_resp_delay_);
        return tlm::TLM_ACCEPTED;
      case InitiatorStyle::end_resp_updated:
        delay += end_resp_delay_;
        complete(gp);
        phase = tlm::END_RESP;
        return tlm::TLM_UPDATED;
      case InitiatorStyle::completed_on_begin_resp:
        delay += end_resp_delay_;
        complete(gp);
        return tlm::TLM_COMPLETED;
    }
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 private:
  struct Transaction {
    tlm::tlm_generic_payload gp;
    uint32_t data = 0;
  };

  void run() {
    outcomes.assign(ops.size(), Outcome{});
    for (std::size_t i = 0; i < ops.size(); ++i) transactions_.push_back(std::make_unique<Transaction>());
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const Op& op = ops[i];
      while (outstanding_ >= max_outstanding_ || open_request_ != nullptr || (op.drain_first && outstanding_ != 0)) {
        wait(changed_);
      }
      if (sc_core::sc_time_stamp() < request_free_at_) wait(request_free_at_ - sc_core::sc_time_stamp());
      Transaction& t = *transactions_[i];
      t.data = op.value;
      if (op.write) {
        ++writes_in_flight_[op.address];
      } else {
        outcomes[i].checkable = writes_in_flight_[op.address] == 0 && memory_.count(op.address) != 0;
        outcomes[i].expected = outcomes[i].checkable ? memory_[op.address] : 0;
      }
      t.gp.set_command(op.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      t.gp.set_address(op.address);
      t.gp.set_data_ptr(reinterpret_cast<unsigned char*>(&t.data));
      t.gp.set_data_length(4);
      t.gp.set_streaming_width(4);
      t.gp.set_byte_enable_ptr(nullptr);
      t.gp.set_dmi_allowed(false);
      t.gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      index_[&t.gp] = i;
      ++outstanding_;
      open_request_ = &t.gp;
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      sc_time delay = op.request_delay;
      const tlm::tlm_sync_enum status = socket->nb_transport_fw(t.gp, phase, delay);
      const sc_time at = sc_core::sc_time_stamp() + delay;
      if (status == tlm::TLM_UPDATED && phase == tlm::END_REQ) {
        end_request(at);
      } else if (status == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP) {
        end_request(at);
        record(t.gp, at);
        peq_.notify(t.gp, tlm::END_RESP, delay + end_resp_delay_);
      } else if (status == tlm::TLM_COMPLETED) {
        end_request(at);
        record(t.gp, at);
        complete(t.gp);
      } else {
        EXPECT_EQ(status, tlm::TLM_ACCEPTED) << name();
      }
    }
    while (outstanding_ != 0) wait(changed_);
    finished = true;
  }

  void end_request(const sc_time& at) {
    open_request_ = nullptr;
    if (request_free_at_ < at) request_free_at_ = at;
    changed_.notify(sc_core::SC_ZERO_TIME);
  }
  void record(tlm::tlm_generic_payload& gp, const sc_time& at) {
    const std::size_t i = index_.at(&gp);
    Outcome& o = outcomes[i];
    o.status = gp.get_response_status();
    o.address = gp.get_address();
    o.responded_at = at;
    std::memcpy(&o.value, gp.get_data_ptr(), 4);
    if (ops[i].write) {
      --writes_in_flight_[ops[i].address];
      memory_[ops[i].address] = ops[i].value;
    }
  }
  void complete(tlm::tlm_generic_payload& gp) {
    Outcome& o = outcomes[index_.at(&gp)];
    EXPECT_FALSE(o.done) << name();
    o.done = true;
    --outstanding_;
    changed_.notify(sc_core::SC_ZERO_TIME);
  }
  void on_peq(tlm::tlm_generic_payload& gp, const tlm::tlm_phase&) {
    tlm::tlm_phase phase = tlm::END_RESP;
    sc_time delay = kZero;
    const tlm::tlm_sync_enum status = socket->nb_transport_fw(gp, phase, delay);
    EXPECT_TRUE(status == tlm::TLM_COMPLETED || status == tlm::TLM_ACCEPTED) << name();
    complete(gp);
  }

  InitiatorStyle style_;
  unsigned max_outstanding_;
  sc_time end_resp_delay_;
  tlm_utils::peq_with_cb_and_phase<AtInitiator> peq_;
  std::vector<std::unique_ptr<Transaction>> transactions_;
  std::map<uint64_t, uint32_t> memory_;        // what our completed writes left
  std::map<uint64_t, int> writes_in_flight_;
  std::map<const tlm::tlm_generic_payload*, std::size_t> index_;
  unsigned outstanding_ = 0;
  tlm::tlm_generic_payload* open_request_ = nullptr;
  sc_time request_free_at_;
  sc_core::sc_event changed_;
};

// Initiators -> checker -> address space target; window -> checker -> memory.
struct Platform {
  static constexpr uint64_t kWindow = 0x1000;

  ContainerRegion system{"system", k64BitSpace};
  AddressSpace space{system, "memory"};
  AddressSpaceTarget<32> bus{"bus", space};
  std::vector<std::unique_ptr<AtInitiator>> initiators;
  std::vector<std::unique_ptr<ProtocolChecker<32>>> checkers;
  std::vector<std::unique_ptr<TlmDeviceRegion<32>>> windows;
  std::vector<std::unique_ptr<AtMemory>> targets;
  std::vector<uint64_t> bases;
  std::size_t reads_checked = 0;

  Platform() {
    // Violations are shown and collected, and the test looks at them.
    sc_core::sc_report_handler::set_actions(ProtocolChecker<32>::kMsgType, sc_core::SC_ERROR, sc_core::SC_DISPLAY);
  }

  AtInitiator& add_initiator(InitiatorStyle style, unsigned max_outstanding, sc_time end_resp_delay) {
    const std::string n = std::to_string(initiators.size());
    initiators.push_back(
        std::make_unique<AtInitiator>(("initiator" + n).c_str(), style, max_outstanding, end_resp_delay));
    checkers.push_back(std::make_unique<ProtocolChecker<32>>(("initiator" + n + "_checker").c_str()));
    initiators.back()->socket.bind(checkers.back()->target_socket);
    checkers.back()->initiator_socket.bind(bus.target_socket);
    return *initiators.back();
  }
  AtMemory& add_target(TargetStyle style, sc_time accept, sc_time latency) {
    const std::string n = std::to_string(targets.size());
    const uint64_t base = 0x10000 * (targets.size() + 1);
    windows.push_back(std::make_unique<TlmDeviceRegion<32>>(("window" + n).c_str(), kWindow));
    checkers.push_back(std::make_unique<ProtocolChecker<32>>(("window" + n + "_checker").c_str()));
    targets.push_back(std::make_unique<AtMemory>(("target" + n).c_str(), style, accept, latency));
    windows.back()->socket.bind(checkers.back()->target_socket);
    checkers.back()->initiator_socket.bind(targets.back()->socket);
    system.add_subregion(base, *windows.back());
    bases.push_back(base);
    return *targets.back();
  }

  // Writes `count` words to each of `targets` (interleaved), then reads them back.
  static std::vector<AtInitiator::Op> write_then_read(const std::vector<uint64_t>& addresses, uint32_t seed,
                                                      sc_time request_delay = kZero) {
    std::vector<AtInitiator::Op> ops;
    for (std::size_t k = 0; k < addresses.size(); ++k) {
      ops.push_back({true, addresses[k], seed + static_cast<uint32_t>(k) * 0x01010101u,
                     k % 3 == 2 ? request_delay : kZero, false});
    }
    for (std::size_t k = 0; k < addresses.size(); ++k) {
      ops.push_back({false, addresses[k], 0, k % 3 == 1 ? request_delay : kZero, k == 0});
    }
    return ops;
  }

  void run() {
    sc_core::sc_start();
    // The simulation ended by starvation: end it, so that tearing the map
    // down does not invalidate DMI on initiators (see accellera/README.md).
    sc_core::sc_stop();
  }

  // Every transaction done, OK, at its address; reads return what the same
  // initiator wrote; no violation on any hop, nothing left in flight.
  void expect_all_good() {
    for (auto& c : checkers) {
      EXPECT_THAT(c->violations(), ::testing::IsEmpty()) << c->name();
      EXPECT_EQ(c->in_flight(), 0u) << c->name();
    }
    for (auto& init : initiators) {
      EXPECT_TRUE(init->finished) << init->name();
      ASSERT_EQ(init->outcomes.size(), init->ops.size());
      std::size_t checked = 0;
      for (std::size_t i = 0; i < init->ops.size(); ++i) {
        const AtInitiator::Op& op = init->ops[i];
        const AtInitiator::Outcome& o = init->outcomes[i];
        EXPECT_TRUE(o.done) << init->name() << " op " << i;
        EXPECT_EQ(o.status, tlm::TLM_OK_RESPONSE) << init->name() << " op " << i;
        EXPECT_EQ(o.address, op.address) << init->name() << " op " << i;
        if (!op.write && o.checkable) {
          ++checked;
          EXPECT_EQ(o.value, o.expected) << init->name() << " op " << i << " at 0x" << std::hex << op.address;
        }
      }
      reads_checked += checked;
    }
    for (auto& t : targets) {
      for (uint64_t a : t->seen) EXPECT_LT(a, kWindow) << t->name() << " saw an address that is not window-relative";
    }
  }
};

std::vector<uint64_t> words(uint64_t base, unsigned count) {
  std::vector<uint64_t> out;
  for (unsigned k = 0; k < count; ++k) out.push_back(base + 4 * k);
  return out;
}
std::vector<uint64_t> interleave(const std::vector<std::vector<uint64_t>>& lists) {
  std::vector<uint64_t> out;
  for (std::size_t k = 0; k < lists.front().size(); ++k) {
    for (const auto& l : lists) out.push_back(l[k]);
  }
  return out;
}

// Request exclusion towards a target two initiators share: the window's
// checker sees one request at a time, in call order and in time.
TEST(AtRouting, TwoInitiatorsShareOneTarget) {
  Platform p;
  AtMemory& target = p.add_target(TargetStyle::four_phase, ns(10), ns(20));
  AtInitiator& a = p.add_initiator(InitiatorStyle::end_resp_later, 2, ns(5));
  AtInitiator& b = p.add_initiator(InitiatorStyle::end_resp_later, 2, ns(5));
  a.ops = Platform::write_then_read(words(p.bases[0], 16), 0x11000000);
  b.ops = Platform::write_then_read(words(p.bases[0] + 0x800, 16), 0x22000000);
  p.run();
  p.expect_all_good();
  EXPECT_EQ(p.reads_checked, 32u);
  EXPECT_EQ(target.seen.size(), 64u);
  EXPECT_EQ(p.checkers.front()->requests(), 64u);  // the window's
}

// Response exclusion towards an initiator two targets answer at the same
// time: its checker sees one response at a time.
TEST(AtRouting, OneInitiatorTwoTargetsAnswerTogether) {
  Platform p;
  p.add_target(TargetStyle::four_phase, ns(10), ns(20));
  p.add_target(TargetStyle::four_phase, ns(10), ns(20));
  AtInitiator& a = p.add_initiator(InitiatorStyle::end_resp_later, 4, ns(15));
  a.ops = Platform::write_then_read(interleave({words(p.bases[0], 16), words(p.bases[1], 16)}), 0x33000000);
  p.run();
  p.expect_all_good();
  EXPECT_EQ(p.reads_checked, 32u);
}

// An initiator that ends a response in its return value does it without
// annotation here (ResponseChannelBusyUntilTheAnnotatedEnd covers the
// annotated end on its own).
sc_time end_resp_delay(InitiatorStyle style, sc_time delay) {
  return style == InitiatorStyle::end_resp_later ? delay : kZero;
}

// Every target style against every initiator style: two initiators, two
// targets, requests pipelined and sometimes annotated.
class AtRoutingStyles : public ::testing::TestWithParam<std::tuple<TargetStyle, InitiatorStyle>> {};

TEST_P(AtRoutingStyles, EveryTransactionCompletesCorrectly) {
  const auto [target_style, initiator_style] = GetParam();
  Platform p;
  p.add_target(target_style, ns(10), ns(20));
  p.add_target(target_style, ns(5), ns(40));
  AtInitiator& a = p.add_initiator(initiator_style, 3, end_resp_delay(initiator_style, ns(3)));
  AtInitiator& b = p.add_initiator(initiator_style, 3, end_resp_delay(initiator_style, ns(7)));
  a.ops = Platform::write_then_read(interleave({words(p.bases[0], 12), words(p.bases[1], 12)}), 0x44000000, ns(4));
  b.ops = Platform::write_then_read(interleave({words(p.bases[1] + 0x400, 12), words(p.bases[0] + 0x400, 12)}),
                                    0x55000000, ns(12));
  p.run();
  p.expect_all_good();
  EXPECT_EQ(p.reads_checked, 48u);
}

INSTANTIATE_TEST_SUITE_P(
    AllStyles, AtRoutingStyles,
    ::testing::Combine(::testing::Values(TargetStyle::four_phase, TargetStyle::end_req_updated,
                                         TargetStyle::begin_resp_updated, TargetStyle::completed),
                       ::testing::Values(InitiatorStyle::end_resp_later, InitiatorStyle::end_resp_updated,
                                         InitiatorStyle::completed_on_begin_resp)),
    [](const auto& info) {
      return std::string(name_of(std::get<0>(info.param))) + "_" + name_of(std::get<1>(info.param));
    });

// Three initiators of the three styles, four targets of the four styles,
// random traffic with random annotations.
TEST(AtRouting, MixedStylesRandomTraffic) {
  Platform p;
  std::mt19937 random(20261122);
  auto any = [&random](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };
  for (TargetStyle s : {TargetStyle::four_phase, TargetStyle::end_req_updated, TargetStyle::begin_resp_updated,
                        TargetStyle::completed}) {
    p.add_target(s, ns(any(0, 12)), ns(any(1, 30)));
  }
  unsigned n = 0;
  for (InitiatorStyle s :
       {InitiatorStyle::end_resp_later, InitiatorStyle::end_resp_updated, InitiatorStyle::completed_on_begin_resp}) {
    AtInitiator& init = p.add_initiator(s, static_cast<unsigned>(any(1, 4)), end_resp_delay(s, ns(any(0, 9))));
    // Each initiator owns a slice of every target.
    std::vector<uint64_t> addresses;
    for (int k = 0; k < 150; ++k) {
      addresses.push_back(p.bases[static_cast<std::size_t>(any(0, 3))] + 0x400 * n +
                          4 * static_cast<uint64_t>(any(0, 15)));
    }
    for (std::size_t k = 0; k < addresses.size(); ++k) {
      const bool write = any(0, 1) == 0;
      init.ops.push_back({write, addresses[k], static_cast<uint32_t>(random()), ns(any(0, 3) == 0 ? any(1, 25) : 0),
                          false});
    }
    ++n;
  }
  p.run();
  p.expect_all_good();
  EXPECT_GT(p.reads_checked, 50u);
}

// A response that has to wait for the initiator (busy with another
// target's response) must not reach it before its own time (the target
// annotated it for 70 ns; the initiator is free at 40 ns).
TEST(AtRouting, QueuedResponseKeepsItsTime) {
  Platform p;
  p.add_target(TargetStyle::four_phase, ns(10), ns(10));
  AtMemory& late = p.add_target(TargetStyle::four_phase, ns(10), ns(50));
  late.begin_resp_annotation = ns(40);  // BEGIN_RESP sent at 30 ns for 70 ns
  AtInitiator& a = p.add_initiator(InitiatorStyle::end_resp_later, 2, ns(20));
  a.ops = {{true, p.bases[0], 1, kZero, false}, {true, p.bases[1], 2, kZero, false}};
  p.run();
  p.expect_all_good();
  EXPECT_GE(a.outcomes[1].responded_at, ns(70));
}

// An initiator that ends a response with an annotated TLM_COMPLETED keeps
// its response channel busy until then: the next response (due at 40 ns)
// waits for the end of the previous one (20 + 30 ns), or the initiator's
// checker reports a response exclusion in time.
TEST(AtRouting, ResponseChannelBusyUntilTheAnnotatedEnd) {
  Platform p;
  p.add_target(TargetStyle::four_phase, ns(10), ns(10));
  p.add_target(TargetStyle::four_phase, ns(10), ns(20));
  AtInitiator& a = p.add_initiator(InitiatorStyle::completed_on_begin_resp, 2, ns(30));
  a.ops = {{true, p.bases[0], 1, kZero, false}, {true, p.bases[1], 2, kZero, false}};
  p.run();
  p.expect_all_good();
}

}  // namespace
}  // namespace tlmmap
