// One TLM transaction on its way to the pins of a TLM-to-pins bridge. The
// bridge's TLM front (target_front.hpp) makes a Job for each transaction,
// b_transport or nb_transport alike; the bridge's pin engine performs it
// and says when the RTL has taken the whole request (the END_REQ of
// nb_transport) and when the response is complete.
#pragma once

#include <tlm>

namespace tlmmap::adapters {

struct Job;

class JobOwner {
 public:
  // Every address (or APB setup) phase of the job has been accepted.
  virtual void job_accepted(Job& job) = 0;
  // The response status is set and read data is in the payload.
  virtual void job_done(Job& job) = 0;

 protected:
  ~JobOwner() = default;
};

struct Job {
  tlm::tlm_generic_payload* gp = nullptr;
  JobOwner* owner = nullptr;
  bool blocking = false;      // b_transport waits on `done`
  sc_core::sc_event* done = nullptr;
  // The engine's bookkeeping.
  unsigned parts_unaccepted = 0;  // address phases still to be accepted
  unsigned parts_open = 0;        // responses still to come
  bool started = false;           // a handshake of it has happened on the pins
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  bool exclusive_okay = true;     // every burst of an exclusive access answered EXOKAY
};

}  // namespace tlmmap::adapters
