#include "tlmmap/tlm/detail/device_link.hpp"

#include <algorithm>
#include <vector>

#include "tlmmap/core/report.hpp"
#include "tlmmap/tlm/time.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::detail {

namespace {

constexpr const char* kDeviceMsg = "tlmmap/device";

// A payload for a model-level access to the device, carrying the attributes
// and the byte enables of the piece (rotated so that they start at its first byte).
class LocalPayload {
 public:
  LocalPayload(const Access& a, uint64_t offset, uint8_t* data, unsigned length) : attributes_(a.attrs) {
    gp_.set_command(a.is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp_.set_address(offset);
    gp_.set_data_ptr(data);
    gp_.set_data_length(length);
    gp_.set_streaming_width(length);
    if (a.byte_enables != nullptr) {
      const unsigned start = static_cast<unsigned>((a.byte_enable_offset + (data - a.data)) % a.byte_enable_length);
      enables_.resize(a.byte_enable_length);
      for (unsigned i = 0; i < a.byte_enable_length; ++i) {
        enables_[i] = a.byte_enables[(start + i) % a.byte_enable_length];
      }
      gp_.set_byte_enable_ptr(enables_.data());
      gp_.set_byte_enable_length(a.byte_enable_length);
    }
    gp_.set_dmi_allowed(false);
    gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (!a.attrs.unspecified) gp_.set_extension(&attributes_);
  }
  ~LocalPayload() { gp_.clear_extension(&attributes_); }
  tlm::tlm_generic_payload& gp() { return gp_; }

 private:
  tlm::tlm_generic_payload gp_;
  TxAttributes attributes_;
  std::vector<uint8_t> enables_;
};

const char kFace = 0;

}  // namespace

const void* DeviceLink::face() noexcept { return &kFace; }

DeviceLink::DeviceLink(std::function<FwInterface*()> device)
    : DevicePort(&kFace), device_(std::move(device)), deferred_(this, &DeviceLink::on_deferred) {}

DeviceLink::~DeviceLink() = default;

const std::string& DeviceLink::name() const {
  static const std::string unnamed = "(unnamed)";
  return region_ != nullptr ? region_->name() : unnamed;
}

MemTxResult DeviceLink::transfer(Access& a) {
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  MemTxResult result = MemTxResult::ok;
  // TLM data lengths are 32-bit.
  for (uint64_t done = 0; done < a.length;) {
    const unsigned n = static_cast<unsigned>(std::min<uint64_t>(a.length - done, 1u << 30));
    LocalPayload payload(a, a.address + done, a.data + done, n);
    device().b_transport(payload.gp(), delay);
    result |= from_tlm_response(payload.gp().get_response_status());
    done += n;
  }
  a.latency += to_duration(delay);
  return result;
}

uint64_t DeviceLink::debug_transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) {
  Access a;
  a.is_write = is_write;
  a.data = data;
  uint64_t done = 0;
  while (done < length) {
    const unsigned n = static_cast<unsigned>(std::min<uint64_t>(length - done, 1u << 30));
    LocalPayload payload(a, offset + done, data + done, n);
    const unsigned moved = device().transport_dbg(payload.gp());
    done += moved;
    if (moved < n) break;
  }
  return done;
}

void DeviceLink::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  if (region_ != nullptr) region_->invalidate_direct_access(start, end);
}

// --- approximately-timed transactions ---------------------------------------

tlm::tlm_sync_enum DeviceLink::begin_request(TargetEngine& engine, int initiator, tlm::tlm_generic_payload& gp,
                                             tlm::tlm_phase& phase, sc_core::sc_time& delay, uint64_t offset) {
  const sc_core::sc_time requested_at = sc_core::sc_time_stamp() + delay;
  routes_[&gp] = Route{&engine, initiator, gp.get_address(), offset, requested_at};
  // The device holds region-relative addresses until its response.
  gp.set_address(offset);
  if (request_in_progress_ != nullptr || !waiting_requests_.empty() || requested_at < request_free_at_) {
    // One request at a time towards the device, in time too: this one waits
    // for the end of the one before (and the initiator for END_REQ of its own).
    waiting_requests_.push_back(&gp);
    if (request_in_progress_ == nullptr && waiting_requests_.size() == 1) schedule_waiting();
    return tlm::TLM_ACCEPTED;
  }
  return send_request(gp, delay, &phase);
}

tlm::tlm_sync_enum DeviceLink::send_request(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                            tlm::tlm_phase* caller_phase) {
  request_in_progress_ = &gp;
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time device_delay = delay;
  gp.set_address(routes_.at(&gp).device_address);
  const tlm::tlm_sync_enum status = device().nb_transport_fw(gp, phase, device_delay);
  auto it = routes_.find(&gp);
  // Completed by nested backward calls: the initiator has its response.
  if (it == routes_.end()) return tlm::TLM_ACCEPTED;
  Route& route = it->second;
  // END_REQ and BEGIN_RESP reach the initiator on the backward path, in a
  // call of ours made at their effective time without annotation; the
  // initiator's BEGIN_REQ was TLM_ACCEPTED. Only a completion at once goes
  // back in the return value of the initiator's own call.
  if (status == tlm::TLM_ACCEPTED) return tlm::TLM_ACCEPTED;
  if (status == tlm::TLM_UPDATED && phase == tlm::END_REQ) {
    request_ended(device_delay);
    route.end_request_pending = true;
    deferred_.notify(gp, tlm::END_REQ, device_delay);
    return tlm::TLM_ACCEPTED;
  }
  if (status == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP) {
    request_ended(device_delay);
    gp.set_address(route.original_address);
    deferred_.notify(gp, tlm::BEGIN_RESP, device_delay);
    return tlm::TLM_ACCEPTED;
  }
  if (status == tlm::TLM_COMPLETED) {
    request_ended(device_delay);
    route.device_done = true;
    gp.set_address(route.original_address);
    if (caller_phase != nullptr) {
      routes_.erase(it);
      *caller_phase = tlm::END_RESP;
      delay = device_delay;
      return tlm::TLM_COMPLETED;
    }
    deferred_.notify(gp, tlm::BEGIN_RESP, device_delay);
    return tlm::TLM_ACCEPTED;
  }
  report(Severity::error, kDeviceMsg, "region '" + name() + "': the device answered BEGIN_REQ with phase " +
                                           phase.get_name());
  return status;
}

void DeviceLink::request_ended(const sc_core::sc_time& delay) {
  request_in_progress_ = nullptr;
  request_free_at_ = std::max(request_free_at_, sc_core::sc_time_stamp() + delay);
  schedule_waiting();
}

void DeviceLink::schedule_waiting() {
  if (waiting_requests_.empty()) return;
  tlm::tlm_generic_payload& next = *waiting_requests_.front();
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const sc_core::sc_time at = std::max({now, request_free_at_, routes_.at(&next).requested_at});
  deferred_.notify(next, tlm::BEGIN_REQ, at - now);
}

void DeviceLink::on_deferred(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase) {
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  if (phase == tlm::BEGIN_REQ) {
    // A notification that is no longer current (the request went out, or
    // another one is first now) is dropped; the current one was scheduled too.
    if (request_in_progress_ != nullptr || waiting_requests_.empty() || waiting_requests_.front() != &gp) return;
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (now < request_free_at_ || now < routes_.at(&gp).requested_at) return;
    waiting_requests_.pop_front();
    send_request(gp, delay, nullptr);
    return;
  }
  auto it = routes_.find(&gp);
  if (it == routes_.end()) return;
  Route& route = it->second;
  if (phase == tlm::END_REQ) {
    if (!route.end_request_pending) return;  // a BEGIN_RESP came first and ended the request
    route.end_request_pending = false;
    route.engine->end_request(route.initiator, gp, delay);
    return;
  }
  // The response (the initiator got TLM_ACCEPTED for its BEGIN_REQ, and no END_REQ yet).
  route.engine->response(route.initiator, gp, delay, *this, false, false);
}

tlm::tlm_sync_enum DeviceLink::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                               sc_core::sc_time& delay) {
  auto it = routes_.find(&gp);
  if (it == routes_.end()) {
    report(Severity::error, kDeviceMsg, "region '" + name() + "': the device sent " + phase.get_name() +
                                             " for a transaction that is not in flight");
    return tlm::TLM_COMPLETED;
  }
  Route& route = it->second;
  TargetEngine& engine = *route.engine;
  const int initiator = route.initiator;
  if (phase == tlm::END_REQ) {
    if (request_in_progress_ == &gp) request_ended(delay);
    return engine.end_request(initiator, gp, delay);
  }
  if (phase == tlm::BEGIN_RESP) {
    // BEGIN_RESP ends the request phase too.
    const bool request_was_open = request_in_progress_ == &gp;
    if (request_was_open) request_ended(delay);
    // The initiator saw END_REQ unless the request was still open or our
    // END_REQ to it is still on its way (which this response replaces).
    const bool initiator_saw_end_request = !request_was_open && !route.end_request_pending;
    route.end_request_pending = false;
    gp.set_address(route.original_address);
    const tlm::tlm_sync_enum status = engine.response(initiator, gp, delay, *this, true, initiator_saw_end_request);
    if (status == tlm::TLM_COMPLETED) phase = tlm::END_RESP;
    return status;
  }
  report(Severity::error, kDeviceMsg, "region '" + name() + "': the device sent phase " + phase.get_name() +
                                           " on the backward path");
  return tlm::TLM_ACCEPTED;
}

void DeviceLink::response_ended(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, bool tell_device) {
  auto it = routes_.find(&gp);
  if (it == routes_.end()) return;
  const Route route = it->second;
  routes_.erase(it);
  if (!tell_device || route.device_done) return;
  const uint64_t original = gp.get_address();
  gp.set_address(route.device_address);
  tlm::tlm_phase phase = tlm::END_RESP;
  device().nb_transport_fw(gp, phase, delay);
  gp.set_address(original);
}

}  // namespace tlmmap::detail
