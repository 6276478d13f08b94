// An EventNotifier (tlmmap/core/event_notifier.hpp) that notifies an
// sc_event: what a process waits on for an ioeventfd.
//
//   tlmmap::ScEventNotifier doorbell;             // or doorbell{true}: also a Linux eventfd
//   queue_regs.add_eventfd(0x10, 4, false, 0, doorbell);
//   ... in a thread: wait(doorbell.event); process_queue();
#pragma once

#include <systemc>

#include "tlmmap/core/event_notifier.hpp"

namespace tlmmap {

class ScEventNotifier : public EventNotifier {
 public:
  explicit ScEventNotifier(bool with_eventfd = false)
      : EventNotifier(with_eventfd), event(sc_core::sc_gen_unique_name("ioeventfd")) {}

  // Notified in the next delta cycle of the write that matched.
  sc_core::sc_event event;

 protected:
  void notified() override { event.notify(sc_core::SC_ZERO_TIME); }
};

}  // namespace tlmmap
