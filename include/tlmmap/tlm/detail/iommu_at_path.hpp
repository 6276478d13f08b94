// Library-internal: the IOMMU module's approximately-timed path
// (nb_transport_fw/bw, base protocol). The module is an interconnect on it:
//
//  * A request is translated when it goes downstream (IommuBridge::route(),
//    the same decision b_transport takes, with the fault hook):
//      - inside one page: the payload itself goes on with nb_transport_fw,
//        its address translated; the address is restored before the
//        response reaches the initiator;
//      - refused: answered here with the response status b_transport gives
//        (TLM_COMPLETED when that answers the BEGIN_REQ call itself, else a
//        BEGIN_RESP);
//      - crossing pages: the request ends at once (END_REQ) and a process of
//        the module's own does what b_transport does (a payload per page),
//        then responds with BEGIN_RESP.
//  * Requests of several initiators share the downstream hop: one request
//    phase is open there at a time (request exclusion), the others wait in
//    order with their own request phase still open.
//  * Each initiator's hop has one response phase open at a time (response
//    exclusion): a response that finds it busy waits (downstream's own
//    response phase stays open until the initiator ends ours).
// Every phase on either hop keeps its effective time (now + delay) moving
// forward; nothing here waits inside an nb_transport call, so SC_METHOD
// initiators can use it.
#pragma once

#include <deque>
#include <functional>
#include <unordered_map>
#include <vector>

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <systemc>
#include <tlm>

#include "tlmmap/tlm/detail/iommu_bridge.hpp"

namespace tlmmap::detail {

class IommuAtPath : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(IommuAtPath);
  using Upstream = tlm::tlm_bw_transport_if<tlm::tlm_base_protocol_types>;
  // `upstream(id)`: the backward path of initiator `id`; `downstream()`: the
  // forward path below the module.
  IommuAtPath(sc_core::sc_module_name name, IommuBridge& bridge, std::function<Upstream&(int)> upstream,
              std::function<IommuBridge::Downstream&()> downstream);
  ~IommuAtPath() override;

  tlm::tlm_sync_enum forward(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  tlm::tlm_sync_enum backward(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);

  // Transactions in flight through the module now.
  std::size_t in_flight() const noexcept { return txns_.size(); }

 private:
  struct Txn {
    int id;
    uint64_t address;             // the initiator's
    bool down_response = false;   // downstream's response phase is open until we end it
  };
  struct Queued {
    tlm::tlm_generic_payload* gp;
    sc_core::sc_time due;  // effective time of its BEGIN_REQ
  };
  struct Channel {  // towards one initiator
    tlm::tlm_generic_payload* open = nullptr;  // its response phase is open
    sc_core::sc_time free_at;                  // effective end of the last response
    std::deque<Queued> waiting;
  };

  // Sends the request downstream or answers it here. `in_call`: inside the
  // initiator's BEGIN_REQ call, whose return value it gives.
  tlm::tlm_sync_enum start(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay,
                           bool in_call);
  // The response of `gp` is ready (status set): to the initiator now, or
  // after the responses before it.
  void respond(tlm::tlm_generic_payload& gp, sc_core::sc_time delay);
  // BEGIN_RESP on the backward path of the initiator.
  void send_response(tlm::tlm_generic_payload& gp, sc_core::sc_time delay);
  // The initiator ended the response of `gp` at now + delay.
  void response_ended(tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay);
  void end_request_upstream(tlm::tlm_generic_payload& gp, sc_core::sc_time delay);
  void finish(tlm::tlm_generic_payload& gp);
  Channel& channel(int id);
  sc_core::sc_time after(const sc_core::sc_time& at, const sc_core::sc_time& delay) const;

  void next_requests();   // method: the queued requests, when downstream's request channel is free
  void next_responses();  // method: the waiting responses, when their channel is free
  void splitter();        // thread: requests that cross pages

  IommuBridge& bridge_;
  std::function<Upstream&(int)> upstream_;
  std::function<IommuBridge::Downstream&()> downstream_;
  std::unordered_map<tlm::tlm_generic_payload*, Txn> txns_;
  std::deque<Queued> requests_;
  tlm::tlm_generic_payload* request_open_ = nullptr;  // downstream
  sc_core::sc_time request_free_at_;                  // effective end of the last downstream request
  std::vector<Channel> channels_;
  std::deque<Queued> splits_;
  sc_core::sc_event request_kick_, response_kick_, split_kick_;
};

}  // namespace tlmmap::detail
