// Library-internal: the device side of a TlmDeviceRegion. It forwards
// transactions to the bound TLM target with region-relative addresses,
// routes the approximately-timed phases back to the initiators (one request
// at a time towards the device, as the base protocol's request exclusion
// rule wants when several initiators share it), and translates the device's
// DMI grants and invalidations back through every window where the region
// is visible.
//
// Towards the initiators (as SimpleBusAT does, and so that initiators that
// do not honour annotations on the backward path keep working): a BEGIN_REQ
// for a TLM device is answered TLM_COMPLETED when the device completes it at
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
// BEGIN_REQ's effective time), without annotation (targets are not all good
// at honouring the annotation of BEGIN_REQ either).
#pragma once

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <deque>
#include <functional>
#include <unordered_map>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>

#include "tlmmap/mmio_region.hpp"

namespace tlmmap::detail {

class TargetEngine;
class DeviceLink;

// The region a TlmDeviceRegion puts in the map: model-level accesses
// (AddressSpace::read/write, split TLM accesses) become TLM transactions.
class ForwardingRegion final : public MmioRegion {
 public:
  ForwardingRegion(std::string name, u128 size, DeviceLink& link);

  MemTxResult dispatch_read(uint64_t offset, uint64_t& value, unsigned size, const MemTxAttrs& attrs,
                            sc_core::sc_time* delay) override;
  MemTxResult dispatch_write(uint64_t offset, uint64_t value, unsigned size, const MemTxAttrs& attrs,
                             sc_core::sc_time* delay) override;
  MemTxResult transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write, const MemTxAttrs& attrs,
                       sc_core::sc_time* delay) override;
  uint64_t debug_transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) override;

  DeviceLink& link() noexcept { return link_; }

 private:
  DeviceLink& link_;
};

class DeviceLink {
 public:
  using FwInterface = tlm::tlm_fw_transport_if<tlm::tlm_base_protocol_types>;

  DeviceLink(std::string region_name, u128 size, std::function<FwInterface*()> device);
  ~DeviceLink();

  ForwardingRegion& region() noexcept { return region_; }

  // The payload's address is region-relative (`offset`) while the device
  // holds it and is restored before it returns to the caller.
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, uint64_t offset, bool add_region_latency);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp, uint64_t offset);
  // `window` is the flat range [first, last] of the caller's view through
  // which the device is reached at `offset_of_first`: the grant is
  // translated back into it and clipped to it.
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi, uint64_t offset, uint64_t first,
                          uint64_t last, uint64_t offset_of_first);

  // BEGIN_REQ from initiator `initiator` of `engine`, for `offset` in the device.
  tlm::tlm_sync_enum begin_request(TargetEngine& engine, int initiator, tlm::tlm_generic_payload& gp,
                                   tlm::tlm_phase& phase, sc_core::sc_time& delay, uint64_t offset);
  // The initiator ended the response: END_RESP goes on to the device when
  // `tell_device` (unless the device completed already); the route is closed.
  void finish(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, bool tell_device);
  bool routes(const tlm::tlm_generic_payload& gp) const { return routes_.count(&gp) != 0; }

  // The backward path of the bound device.
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

 private:
  struct Route {
    TargetEngine* engine;
    int initiator;
    uint64_t original_address;
    uint64_t device_address;
    sc_core::sc_time requested_at;  // effective time of the initiator's BEGIN_REQ
    bool device_done = false;       // the device completed: no END_RESP to send it
    bool end_request_pending = false;  // our END_REQ to the initiator is scheduled, not sent
  };

  // `caller_phase`: the initiator's phase when inside its nb_transport_fw
  // call (the outcome is returned), null when the request waited its turn.
  tlm::tlm_sync_enum send_request(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                  tlm::tlm_phase* caller_phase);
  void request_ended(const sc_core::sc_time& delay);
  // The first waiting request goes out when the device is free for it.
  void schedule_waiting();
  void on_deferred(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase);
  FwInterface& device();

  ForwardingRegion region_;
  std::function<FwInterface*()> device_;
  std::unordered_map<const tlm::tlm_generic_payload*, Route> routes_;
  tlm::tlm_generic_payload* request_in_progress_ = nullptr;
  sc_core::sc_time request_free_at_;  // when the device's last request phase ended
  std::deque<tlm::tlm_generic_payload*> waiting_requests_;
  tlm_utils::peq_with_cb_and_phase<DeviceLink> deferred_;
};

}  // namespace tlmmap::detail
