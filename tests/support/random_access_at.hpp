// Approximately-timed initiators of the randomized access test
// (tests/random_access_test.cpp): an AtPort is an initiator socket of one
// platform; an AtSequencer runs a list of accesses through a port with the
// base protocol (nb_transport_fw/bw, BEGIN_REQ, END_REQ, BEGIN_RESP,
// END_RESP), answering each response in one of three styles chosen at
// random: TLM_COMPLETED, TLM_UPDATED/END_RESP (both 2-phase on the backward
// path) or TLM_ACCEPTED and END_RESP on the forward path later (4-phase);
// it honours TLM_UPDATED, TLM_COMPLETED and every timing annotation. The
// AtDriver drives one sequencer from an SC_METHOD (next_trigger only, no
// wait) and one from an SC_THREAD, and runs other work inside its thread
// (a teardown during the simulation).
//
// One transaction is in flight at a time, so the model's answer, computed
// when the request is sent, is the state the library answers from: map
// changes happen only while the simulation is paused, between bursts.
#pragma once

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "support/random_access_model.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::test {

class AtSequencer;

// An AT initiator socket of one platform; its backward path goes to the
// sequencer driving it.
class AtPort : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_initiator_socket<64> socket;
  AtSequencer* sequencer = nullptr;

  explicit AtPort(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") { socket.bind(*this); }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
};

// One AT burst: the accesses, and the runner's side of each.
struct AtJob {
  std::vector<AccessSpec> accesses;
  uint64_t seed = 0;  // styles and annotations
  // A mistake, to test the test: the first BEGIN_REQ goes out with a
  // response status already set (the protocol checker must see it).
  bool break_protocol = false;
  // When the request is sent: the model's outcome.
  std::function<Outcome(const AccessSpec&)> expect;
  // When the transaction is complete: `at_once` if the target answered the
  // BEGIN_REQ with TLM_COMPLETED (got.delay is then the annotation it added).
  std::function<void(const AccessSpec&, const Outcome& want, const Outcome& got, bool at_once)> check;
  // Something the initiator itself saw wrong (a phase it did not expect).
  std::function<void(const std::string&)> fail;
};

class AtSequencer {
 public:
  // What the driving process waits for next.
  struct Wait {
    bool done = false;
    bool on_event = false;
    sc_core::sc_time time;
  };

  // Statistics, over all jobs.
  uint64_t transactions = 0, completed_at_once = 0, four_phase = 0, updated_end_req = 0, accepted = 0,
           updated_begin_resp = 0;

  void start(AtPort& port, AtJob job) {
    port_ = &port;
    port.sequencer = this;
    job_ = std::move(job);
    index_ = 0;
    stage_ = Stage::next;
    state_ = job_.seed;
    running_ = true;
  }
  bool running() const { return running_; }
  std::string state() const {
    static const char* stages[] = {"before its next request", "waiting for a response", "before END_RESP"};
    return "transaction " + std::to_string(index_) + " of " + std::to_string(job_.accesses.size()) + ", " +
           stages[static_cast<int>(stage_)] + (responded_ ? ", responded" : "");
  }
  sc_core::sc_event& event() { return event_; }

  Wait step() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    for (;;) {
      switch (stage_) {
        case Stage::next:
          if (index_ >= job_.accesses.size()) {
            running_ = false;
            if (port_ != nullptr) port_->sequencer = nullptr;
            return Wait{true, false, {}};
          }
          if (now < free_at_) return Wait{false, false, free_at_ - now};
          send();
          continue;
        case Stage::waiting_response:
          if (!responded_) return Wait{false, true, {}};
          stage_ = end_resp_at_ ? Stage::end_response : Stage::next;
          if (stage_ == Stage::next) finish(false);
          continue;
        case Stage::end_response:
          if (now < *end_resp_at_) return Wait{false, false, *end_resp_at_ - now};
          send_end_response();
          continue;
      }
    }
  }

  tlm::tlm_sync_enum backward(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    const sc_core::sc_time at = sc_core::sc_time_stamp() + delay;
    if (&gp != &gp_ || stage_ != Stage::waiting_response || responded_) {
      job_.fail(std::string("nb_transport_bw with ") + phase.get_name() + " for a transaction not waiting for it");
      return tlm::TLM_COMPLETED;
    }
    if (phase == tlm::END_REQ) {
      later(at);
      event_.notify(delay);
      return tlm::TLM_ACCEPTED;
    }
    if (phase != tlm::BEGIN_RESP) {
      job_.fail(std::string("nb_transport_bw with phase ") + phase.get_name());
      return tlm::TLM_COMPLETED;
    }
    record(at);
    const sc_core::sc_time end = at + annotation(3);
    switch (below(3)) {
      case 0:  // 2-phase: the response ends here
        delay = end - sc_core::sc_time_stamp();
        later(end);
        event_.notify(delay);
        return tlm::TLM_COMPLETED;
      case 1:
        delay = end - sc_core::sc_time_stamp();
        later(end);
        phase = tlm::END_RESP;
        event_.notify(delay);
        return tlm::TLM_UPDATED;
      default:  // 4-phase: END_RESP on the forward path, later
        end_resp_at_ = end;
        ++four_phase;
        event_.notify(delay);
        return tlm::TLM_ACCEPTED;
    }
  }

 private:
  enum class Stage { next, waiting_response, end_response };

  uint64_t below(uint64_t n) {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  }
  sc_core::sc_time annotation(unsigned max_ns) {
    return sc_core::sc_time(static_cast<double>(below(max_ns + 1)), sc_core::SC_NS);
  }
  void later(const sc_core::sc_time& t) {
    if (free_at_ < t) free_at_ = t;
  }

  void send() {
    const AccessSpec& a = job_.accesses[index_];
    data_ = a.data;
    if (data_.empty()) data_.resize(1);
    enables_ = a.enables;
    gp_.set_command(a.command);
    gp_.set_address(a.address);
    gp_.set_data_ptr(data_.data());
    gp_.set_data_length(a.length);
    gp_.set_streaming_width(a.streaming != 0 ? a.streaming : a.length);
    gp_.set_byte_enable_ptr(enables_.empty() ? nullptr : enables_.data());
    gp_.set_byte_enable_length(static_cast<unsigned>(enables_.size()));
    gp_.set_dmi_allowed(false);
    gp_.set_response_status(job_.break_protocol && index_ == 0 ? tlm::TLM_OK_RESPONSE : tlm::TLM_INCOMPLETE_RESPONSE);
    if (a.has_attrs) {
      extension_.attrs = a.attrs;
      gp_.set_extension(&extension_);
    }
    want_ = job_.expect(a);
    responded_ = false;
    end_resp_at_.reset();
    got_ = Outcome{};
    ++transactions;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    const sc_core::sc_time sent = annotation(2);
    sc_core::sc_time delay = sent;
    stage_ = Stage::waiting_response;
    const tlm::tlm_sync_enum status = port_->socket->nb_transport_fw(gp_, phase, delay);
    const sc_core::sc_time at = sc_core::sc_time_stamp() + delay;
    if (status == tlm::TLM_COMPLETED) {
      ++completed_at_once;
      record(at);
      got_.delay = delay - sent;
      later(at);
      finish(true);
    } else if (status == tlm::TLM_UPDATED && phase == tlm::END_REQ) {
      ++updated_end_req;
      later(at);
    } else if (status == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP) {
      ++updated_begin_resp;
      record(at);
      end_resp_at_ = at + annotation(3);
      ++four_phase;
    } else if (status == tlm::TLM_ACCEPTED) {
      ++accepted;
    } else {
      job_.fail(std::string("nb_transport_fw answered BEGIN_REQ with phase ") + phase.get_name());
      finish(false);
    }
  }

  void send_end_response() {
    tlm::tlm_phase phase = tlm::END_RESP;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    const tlm::tlm_sync_enum status = port_->socket->nb_transport_fw(gp_, phase, delay);
    if (status != tlm::TLM_COMPLETED && status != tlm::TLM_ACCEPTED) {
      job_.fail("nb_transport_fw answered END_RESP with TLM_UPDATED");
    }
    later(sc_core::sc_time_stamp() + delay);
    finish(false);
  }

  void record(const sc_core::sc_time& at) {
    responded_ = true;
    later(at);
    got_.status = gp_.get_response_status();
    got_.data = data_;
    got_.data.resize(job_.accesses[index_].data.size());
  }

  void finish(bool at_once) {
    const AccessSpec& a = job_.accesses[index_];
    if (a.has_attrs) gp_.clear_extension(&extension_);
    if (!responded_) got_.status = tlm::TLM_INCOMPLETE_RESPONSE;
    job_.check(a, want_, got_, at_once);
    ++index_;
    stage_ = Stage::next;
  }

  AtPort* port_ = nullptr;
  AtJob job_;
  std::size_t index_ = 0;
  Stage stage_ = Stage::next;
  uint64_t state_ = 0;
  bool running_ = false;
  bool responded_ = false;
  std::optional<sc_core::sc_time> end_resp_at_;
  sc_core::sc_time free_at_;  // effective time the last phase of the last transaction ends
  sc_core::sc_event event_;
  tlm::tlm_generic_payload gp_;
  TxAttributes extension_;
  std::vector<uint8_t> data_;
  std::vector<uint8_t> enables_;
  Outcome want_;
  Outcome got_;
};

inline tlm::tlm_sync_enum AtPort::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                                  sc_core::sc_time& delay) {
  if (sequencer == nullptr) return tlm::TLM_COMPLETED;
  return sequencer->backward(gp, phase, delay);
}

// Runs AtSequencers from an SC_METHOD and from an SC_THREAD, and tasks inside
// the thread.
class AtDriver : public sc_core::sc_module {
 public:
  AtSequencer method_sequencer;
  AtSequencer thread_sequencer;

  SC_HAS_PROCESS(AtDriver);
  explicit AtDriver(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    SC_METHOD(method_body);
    sensitive << method_kick_;
    dont_initialize();
    SC_THREAD(thread_body);
  }

  void run_from_method(AtPort& port, AtJob job) {
    method_sequencer.start(port, std::move(job));
    method_kick_.notify(sc_core::SC_ZERO_TIME);
  }
  void run_from_thread(AtPort& port, AtJob job) {
    thread_sequencer.start(port, std::move(job));
    thread_kick_.notify(sc_core::SC_ZERO_TIME);
  }
  // `task` runs inside the thread process (during the simulation).
  void run_in_thread(std::function<void()> task) {
    task_ = std::move(task);
    thread_kick_.notify(sc_core::SC_ZERO_TIME);
  }
  bool idle() const { return !method_sequencer.running() && !thread_sequencer.running() && !task_; }

 private:
  void method_body() {
    if (!method_sequencer.running()) return;
    const AtSequencer::Wait w = method_sequencer.step();
    if (w.done) return;  // back to the static sensitivity
    if (w.on_event) {
      next_trigger(method_sequencer.event());
    } else {
      next_trigger(w.time);
    }
  }

  void thread_body() {
    for (;;) {
      wait(thread_kick_);
      if (task_) {
        task_();
        task_ = nullptr;
        continue;
      }
      while (thread_sequencer.running()) {
        const AtSequencer::Wait w = thread_sequencer.step();
        if (w.done) break;
        if (w.on_event) {
          wait(thread_sequencer.event());
        } else {
          wait(w.time);
        }
      }
    }
  }

  sc_core::sc_event method_kick_;
  sc_core::sc_event thread_kick_;
  std::function<void()> task_;
};

}  // namespace tlmmap::test
