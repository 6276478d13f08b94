// The IOMMU module's approximately-timed path (nb_transport).
#include "tlmmap/tlm/detail/iommu_at_path.hpp"

#include <string>

namespace tlmmap::detail {

namespace {

const char* const kMsgType = "tlmmap/iommu_module";

}  // namespace

IommuAtPath::IommuAtPath(sc_core::sc_module_name name, IommuBridge& bridge, std::function<Upstream&(int)> upstream,
                         std::function<IommuBridge::Downstream&()> downstream)
    : sc_core::sc_module(name), bridge_(bridge), upstream_(std::move(upstream)), downstream_(std::move(downstream)) {
  SC_METHOD(next_requests);
  sensitive << request_kick_;
  dont_initialize();
  SC_METHOD(next_responses);
  sensitive << response_kick_;
  dont_initialize();
  SC_THREAD(splitter);
}

IommuAtPath::~IommuAtPath() = default;

IommuAtPath::Channel& IommuAtPath::channel(int id) {
  if (static_cast<std::size_t>(id) >= channels_.size()) channels_.resize(static_cast<std::size_t>(id) + 1);
  return channels_[static_cast<std::size_t>(id)];
}

sc_core::sc_time IommuAtPath::after(const sc_core::sc_time& at, const sc_core::sc_time& delay) const {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  return at > now + delay ? at - now : delay;
}

tlm::tlm_sync_enum IommuAtPath::forward(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                        sc_core::sc_time& delay) {
  if (phase == tlm::BEGIN_REQ) {
    // Ours from here to the end of its response: the queues hold it.
    if (gp.has_mm()) gp.acquire();
    txns_[&gp] = Txn{id, gp.get_address()};
    channel(id);
    if (request_open_ != nullptr || !requests_.empty()) {
      requests_.push_back(Queued{&gp, sc_core::sc_time_stamp() + delay});
      request_kick_.notify(sc_core::SC_ZERO_TIME);
      return tlm::TLM_ACCEPTED;
    }
    return start(gp, phase, delay, true);
  }
  if (phase == tlm::END_RESP) {
    auto it = txns_.find(&gp);
    if (it == txns_.end() || channel(id).open != &gp) {
      SC_REPORT_ERROR(kMsgType, (std::string(this->name()) + ": END_RESP for a transaction without an open response")
                                    .c_str());
      return tlm::TLM_COMPLETED;
    }
    response_ended(gp, delay);
    return tlm::TLM_COMPLETED;
  }
  SC_REPORT_ERROR(kMsgType, (std::string(this->name()) + ": nb_transport_fw with phase " + phase.get_name() +
                             " (the base protocol sends BEGIN_REQ and END_RESP forward)")
                                .c_str());
  return tlm::TLM_COMPLETED;
}

tlm::tlm_sync_enum IommuAtPath::start(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay,
                                      bool in_call) {
  Txn& t = txns_.at(&gp);
  const IommuBridge::Route r = bridge_.route(t.id, gp);
  if (r.kind == IommuBridge::Route::Kind::refuse) {
    if (!in_call) {
      respond(gp, delay);
      return tlm::TLM_ACCEPTED;
    }
    finish(gp);
    return tlm::TLM_COMPLETED;
  }
  if (r.kind == IommuBridge::Route::Kind::split) {
    splits_.push_back(Queued{&gp, sc_core::sc_time_stamp() + delay});
    split_kick_.notify(sc_core::SC_ZERO_TIME);
    if (!in_call) {
      end_request_upstream(gp, delay);
      return tlm::TLM_ACCEPTED;
    }
    phase = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
  gp.set_address(r.address);
  request_open_ = &gp;
  tlm::tlm_phase down_phase = tlm::BEGIN_REQ;
  // Not before the previous request downstream ended (request exclusion in time).
  sc_core::sc_time d = after(request_free_at_, delay);
  const tlm::tlm_sync_enum s = downstream_().nb_transport_fw(gp, down_phase, d);
  if (s == tlm::TLM_ACCEPTED) return tlm::TLM_ACCEPTED;  // END_REQ or BEGIN_RESP comes backward
  // The downstream request phase ended with the call.
  request_open_ = nullptr;
  request_free_at_ = sc_core::sc_time_stamp() + d;
  request_kick_.notify(sc_core::SC_ZERO_TIME);
  if (s == tlm::TLM_UPDATED && down_phase == tlm::END_REQ) {
    if (!in_call) {
      end_request_upstream(gp, d);
      return tlm::TLM_ACCEPTED;
    }
    phase = tlm::END_REQ;
    delay = d;
    return tlm::TLM_UPDATED;
  }
  if (s == tlm::TLM_UPDATED && down_phase != tlm::BEGIN_RESP) {
    SC_REPORT_ERROR(kMsgType, (std::string(this->name()) + ": downstream answered BEGIN_REQ with TLM_UPDATED and " +
                               down_phase.get_name())
                                  .c_str());
  }
  t.down_response = s == tlm::TLM_UPDATED;  // BEGIN_RESP: downstream waits for our END_RESP
  if (in_call && s == tlm::TLM_COMPLETED) {
    // Completed within the call: no response phase, so no turn to wait for.
    gp.set_address(t.address);
    delay = d;
    finish(gp);
    return tlm::TLM_COMPLETED;
  }
  if (in_call) {
    Channel& ch = channel(t.id);
    if (ch.open == nullptr && ch.waiting.empty()) {
      gp.set_address(t.address);
      delay = after(ch.free_at, d);
      ch.open = &gp;
      phase = tlm::BEGIN_RESP;
      return tlm::TLM_UPDATED;
    }
    // The initiator's response channel is busy: its request ends now, the
    // response waits for its turn.
    respond(gp, d);
    phase = tlm::END_REQ;
    delay = d;
    return tlm::TLM_UPDATED;
  }
  respond(gp, d);
  return tlm::TLM_ACCEPTED;
}

void IommuAtPath::end_request_upstream(tlm::tlm_generic_payload& gp, sc_core::sc_time delay) {
  tlm::tlm_phase phase = tlm::END_REQ;
  upstream_(txns_.at(&gp).id).nb_transport_bw(gp, phase, delay);
}

void IommuAtPath::respond(tlm::tlm_generic_payload& gp, sc_core::sc_time delay) {
  Channel& ch = channel(txns_.at(&gp).id);
  if (ch.open != nullptr || !ch.waiting.empty()) {
    ch.waiting.push_back(Queued{&gp, sc_core::sc_time_stamp() + delay});
    return;
  }
  send_response(gp, delay);
}

void IommuAtPath::send_response(tlm::tlm_generic_payload& gp, sc_core::sc_time delay) {
  const Txn& t = txns_.at(&gp);
  Channel& ch = channel(t.id);
  gp.set_address(t.address);
  tlm::tlm_phase phase = tlm::BEGIN_RESP;
  sc_core::sc_time d = after(ch.free_at, delay);
  ch.open = &gp;
  const tlm::tlm_sync_enum s = upstream_(t.id).nb_transport_bw(gp, phase, d);
  if (s == tlm::TLM_ACCEPTED) return;  // END_RESP comes forward
  response_ended(gp, d);
}

void IommuAtPath::response_ended(tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay) {
  const Txn t = txns_.at(&gp);
  Channel& ch = channel(t.id);
  ch.open = nullptr;
  const sc_core::sc_time end = sc_core::sc_time_stamp() + delay;
  if (ch.free_at < end) ch.free_at = end;
  if (!ch.waiting.empty()) response_kick_.notify(sc_core::SC_ZERO_TIME);
  if (t.down_response) {
    tlm::tlm_phase phase = tlm::END_RESP;
    sc_core::sc_time d = delay;
    downstream_().nb_transport_fw(gp, phase, d);
  }
  finish(gp);
}

tlm::tlm_sync_enum IommuAtPath::backward(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
  auto it = txns_.find(&gp);
  if (it == txns_.end() || (phase != tlm::END_REQ && phase != tlm::BEGIN_RESP)) {
    SC_REPORT_ERROR(kMsgType, (std::string(this->name()) + ": nb_transport_bw with " + phase.get_name() +
                               (it == txns_.end() ? " for a transaction not in flight here" : ""))
                                  .c_str());
    return tlm::TLM_COMPLETED;
  }
  Txn& t = it->second;
  if (request_open_ == &gp) {  // END_REQ, or BEGIN_RESP that implies it
    request_open_ = nullptr;
    request_free_at_ = sc_core::sc_time_stamp() + delay;
    request_kick_.notify(sc_core::SC_ZERO_TIME);
  }
  if (phase == tlm::END_REQ) {
    end_request_upstream(gp, delay);
    return tlm::TLM_ACCEPTED;
  }
  Channel& ch = channel(t.id);
  t.down_response = true;
  if (ch.open != nullptr || !ch.waiting.empty()) {
    ch.waiting.push_back(Queued{&gp, sc_core::sc_time_stamp() + delay});
    return tlm::TLM_ACCEPTED;
  }
  gp.set_address(t.address);
  tlm::tlm_phase up = tlm::BEGIN_RESP;
  sc_core::sc_time d = after(ch.free_at, delay);
  ch.open = &gp;
  const tlm::tlm_sync_enum s = upstream_(t.id).nb_transport_bw(gp, up, d);
  if (s == tlm::TLM_ACCEPTED) return tlm::TLM_ACCEPTED;
  // The initiator ended it with the call: so does downstream's response.
  t.down_response = false;
  response_ended(gp, d);
  delay = d;
  return tlm::TLM_COMPLETED;
}

void IommuAtPath::finish(tlm::tlm_generic_payload& gp) {
  txns_.erase(&gp);
  if (gp.has_mm()) gp.release();
}

void IommuAtPath::next_requests() {
  while (request_open_ == nullptr && !requests_.empty()) {
    const Queued q = requests_.front();
    requests_.pop_front();
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const sc_core::sc_time at = q.due > request_free_at_ ? q.due : request_free_at_;
    sc_core::sc_time delay = at > now ? at - now : sc_core::SC_ZERO_TIME;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    start(*q.gp, phase, delay, false);
  }
}

void IommuAtPath::next_responses() {
  for (std::size_t id = 0; id < channels_.size(); ++id) {
    while (channels_[id].open == nullptr && !channels_[id].waiting.empty()) {
      const Queued q = channels_[id].waiting.front();
      channels_[id].waiting.pop_front();
      const sc_core::sc_time now = sc_core::sc_time_stamp();
      send_response(*q.gp, q.due > now ? q.due - now : sc_core::SC_ZERO_TIME);
    }
  }
}

void IommuAtPath::splitter() {
  for (;;) {
    while (splits_.empty()) wait(split_kick_);
    const Queued q = splits_.front();
    splits_.pop_front();
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (q.due > now) wait(q.due - now);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    bridge_.split(*q.gp, delay, downstream_());
    respond(*q.gp, delay);
  }
}

}  // namespace tlmmap::detail
