// The TLM side of every TLM-to-pins bridge: a target socket that turns
// b_transport and nb_transport_fw into Jobs for the bridge's pin engine.
//
//   b_transport       waits out the annotated delay (pins run on the clock),
//                     then waits until the RTL has answered.
//   nb_transport_fw   BEGIN_REQ is taken at its annotated time; END_REQ goes
//                     back when the RTL has accepted every address (or APB
//                     setup) phase of the transaction, BEGIN_RESP when its
//                     last response is in. Many transactions may be in
//                     flight; responses come in the order the RTL gives
//                     them, one at a time (response exclusion rule).
//   get_direct_mem_ptr  refused: RTL has no host pointer.
//   transport_dbg     0 bytes, unless a backdoor is registered.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <utility>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>
#include <tlm_utils/simple_target_socket.h>

#include "tlmmap/adapters/job.hpp"

namespace tlmmap::adapters {

// transport_dbg for a bridge: what the RTL would answer, without clocks
// (typically a peek into the verilated model's memory). Returns the bytes moved.
using DebugBackdoor = std::function<unsigned(tlm::tlm_generic_payload&)>;

template <unsigned BUSWIDTH>
class TargetFront : public JobOwner {
 public:
  // `submit` hands a job to the engine (false: malformed); `wake` is
  // notified after each submission.
  TargetFront(const char* socket_name, std::function<bool(Job&)> submit, sc_core::sc_event& wake)
      : socket(socket_name), submit_(std::move(submit)), wake_(wake), peq_(this, &TargetFront::peq_callback) {
    socket.register_b_transport(this, &TargetFront::b_transport);
    socket.register_nb_transport_fw(this, &TargetFront::nb_transport_fw);
    socket.register_get_direct_mem_ptr(this, &TargetFront::get_direct_mem_ptr);
    socket.register_transport_dbg(this, &TargetFront::transport_dbg);
  }

  void set_backdoor(DebugBackdoor backdoor) { backdoor_ = std::move(backdoor); }

  tlm_utils::simple_target_socket<TargetFront, BUSWIDTH> socket;

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (delay != sc_core::SC_ZERO_TIME) {
      sc_core::wait(delay);
      delay = sc_core::SC_ZERO_TIME;
    }
    sc_core::sc_event done;
    Job job;
    job.gp = &gp;
    job.owner = this;
    job.blocking = true;
    job.done = &done;
    if (!submit_(job)) {
      gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      return;
    }
    wake_.notify(sc_core::SC_ZERO_TIME);
    sc_core::wait(done);
  }

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    if (phase == tlm::BEGIN_REQ) {
      peq_.notify(gp, phase, delay);
      return tlm::TLM_ACCEPTED;
    }
    if (phase == tlm::END_RESP) {
      peq_.notify(gp, phase, delay);
      return tlm::TLM_COMPLETED;
    }
    SC_REPORT_ERROR("tlmmap/adapters", "nb_transport_fw: only BEGIN_REQ and END_RESP go forward");
    return tlm::TLM_COMPLETED;
  }

  void peq_callback(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase) {
    if (phase == tlm::END_RESP) {
      jobs_.erase(&gp);
      responding_ = nullptr;
      send_responses();
      return;
    }
    auto job = std::make_unique<Job>();
    job->gp = &gp;
    job->owner = this;
    Job& made = *job;
    jobs_[&gp] = std::move(job);
    if (!submit_(made)) {
      gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
      responses_.push_back(&gp);  // BEGIN_RESP implies END_REQ
      send_responses();
      return;
    }
    wake_.notify(sc_core::SC_ZERO_TIME);
  }

  void job_accepted(Job& job) override {
    if (job.blocking) return;
    tlm::tlm_phase phase = tlm::END_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->nb_transport_bw(*job.gp, phase, delay);
  }

  void job_done(Job& job) override {
    if (job.blocking) {
      job.done->notify();
      return;
    }
    responses_.push_back(job.gp);
    send_responses();
  }

  // One BEGIN_RESP at a time; the next after END_RESP.
  void send_responses() {
    while (responding_ == nullptr && !responses_.empty()) {
      tlm::tlm_generic_payload* gp = responses_.front();
      responses_.pop_front();
      tlm::tlm_phase phase = tlm::BEGIN_RESP;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      responding_ = gp;
      const tlm::tlm_sync_enum status = socket->nb_transport_bw(*gp, phase, delay);
      if (status == tlm::TLM_COMPLETED || (status == tlm::TLM_UPDATED && phase == tlm::END_RESP)) {
        if (delay != sc_core::SC_ZERO_TIME) {
          // The response ends later: the next one no earlier than that.
          const tlm::tlm_phase end = tlm::END_RESP;
          peq_.notify(*gp, end, delay);
          return;
        }
        jobs_.erase(gp);
        responding_ = nullptr;
      }
    }
  }

  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.allow_none();
    return false;
  }

  unsigned transport_dbg(tlm::tlm_generic_payload& gp) { return backdoor_ ? backdoor_(gp) : 0; }

  std::function<bool(Job&)> submit_;
  sc_core::sc_event& wake_;
  tlm_utils::peq_with_cb_and_phase<TargetFront> peq_;
  std::unordered_map<tlm::tlm_generic_payload*, std::unique_ptr<Job>> jobs_;
  std::deque<tlm::tlm_generic_payload*> responses_;
  tlm::tlm_generic_payload* responding_ = nullptr;
  DebugBackdoor backdoor_;
};

}  // namespace tlmmap::adapters
