// Library-internal: the device side of a TlmDeviceRegion, the DevicePort
// through which the model reaches a bound TLM target.
//
// It forwards the model's accesses as TLM transactions with region-relative
// addresses, routes the approximately-timed phases of transactions that
// target engines hand it (one request at a time towards the device, as the
// base protocol's request exclusion rule wants when several initiators share
// it), translates the device's DMI grants into the window they are asked
// through, and turns the device's own invalidations into the region's
// (Region::invalidate_direct_access()), which every address space showing
// the region passes on.
//
// Towards the initiators (as SimpleBusAT does, and so that initiators that
// do not honour annotations on the backward path keep working): a BEGIN_REQ
// for the device is answered TLM_COMPLETED when the device completes it at
// once, else TLM_ACCEPTED. END_REQ and BEGIN_RESP then come on the backward
// path: those the device sends on its own backward path within its call
// (with its annotation); those it returns (TLM_UPDATED), and the response to
// a TLM_COMPLETED from our own process, in a call of ours made at their
// effective time (sc_time_stamp() + the device's delay), without annotation.
//
// Towards the device, request exclusion holds in time as well as in call
// order: the previous request ends at the effective time of its END_REQ,
// BEGIN_RESP or TLM_COMPLETED, and a request that has to wait for that goes
// out from our own process at max(end of the previous request, its own
// BEGIN_REQ's effective time), without annotation.
#pragma once

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <deque>
#include <functional>
#include <unordered_map>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>

#include "tlmmap/core/device_port.hpp"
#include "tlmmap/core/region.hpp"
#include "tlmmap/tlm/detail/target_engine.hpp"

namespace tlmmap::detail {

class DeviceLink final : public DevicePort, public ResponseSource {
 public:
  using FwInterface = tlm::tlm_fw_transport_if<tlm::tlm_base_protocol_types>;

  // `device` gives the bound target's interface (valid once bound).
  explicit DeviceLink(std::function<FwInterface*()> device);
  ~DeviceLink() override;

  // Tells faces a DeviceLink from other ports.
  static const void* face() noexcept;

  // The region this link is the port of (set once it exists).
  void attach(Region& region) noexcept { region_ = &region; }
  FwInterface* target() { return device_(); }

  // DevicePort: the model's accesses.
  MemTxResult transfer(Access& access) override;
  uint64_t debug_transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) override;

  // BEGIN_REQ from initiator `initiator` of `engine`, for `offset` in the device.
  tlm::tlm_sync_enum begin_request(TargetEngine& engine, int initiator, tlm::tlm_generic_payload& gp,
                                   tlm::tlm_phase& phase, sc_core::sc_time& delay, uint64_t offset);
  // ResponseSource: the initiator ended the response; END_RESP goes on to
  // the device when `tell_source` (unless the device completed already).
  void response_ended(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, bool tell_source) override;

  // The backward path of the bound device.
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

 private:
  struct Route {
    TargetEngine* engine;
    int initiator;
    uint64_t original_address;
    uint64_t device_address;
    sc_core::sc_time requested_at;     // effective time of the initiator's BEGIN_REQ
    bool device_done = false;          // the device completed: no END_RESP to send it
    bool end_request_pending = false;  // our END_REQ to the initiator is scheduled, not sent
  };

  const std::string& name() const;
  // `caller_phase`: the initiator's phase when inside its nb_transport_fw
  // call (the outcome is returned), null when the request waited its turn.
  tlm::tlm_sync_enum send_request(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                  tlm::tlm_phase* caller_phase);
  void request_ended(const sc_core::sc_time& delay);
  // The first waiting request goes out when the device is free for it.
  void schedule_waiting();
  void on_deferred(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase);
  FwInterface& device() { return *device_(); }

  Region* region_ = nullptr;
  std::function<FwInterface*()> device_;
  std::unordered_map<const tlm::tlm_generic_payload*, Route> routes_;
  tlm::tlm_generic_payload* request_in_progress_ = nullptr;
  sc_core::sc_time request_free_at_;  // when the device's last request phase ended
  std::deque<tlm::tlm_generic_payload*> waiting_requests_;
  tlm_utils::peq_with_cb_and_phase<DeviceLink> deferred_;
};

}  // namespace tlmmap::detail
