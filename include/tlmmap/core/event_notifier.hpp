// QEMU's EventNotifier: what an ioeventfd (MmioRegion::add_eventfd())
// signals instead of calling the region's write callback. The model knows
// no simulation kernel, so it calls notified(); the TLM layer's
// ScEventNotifier notifies an sc_event there. On request it also signals a
// real Linux eventfd that another thread or process can poll.
#pragma once

#include <cstdint>

namespace tlmmap {

class EventNotifier {
 public:
  // `with_eventfd`: also a Linux eventfd (reported if it cannot be made).
  explicit EventNotifier(bool with_eventfd = false);
  virtual ~EventNotifier();
  EventNotifier(const EventNotifier&) = delete;
  EventNotifier& operator=(const EventNotifier&) = delete;

  // The eventfd's descriptor, or -1.
  int fd() const noexcept { return fd_; }
  // Signals: the eventfd's counter goes up by one, then notified() runs.
  void notify();
  // Reads and clears the eventfd's counter (0 if it has none or it was 0).
  uint64_t test_and_clear();
  // Times notify() ran.
  uint64_t notifications() const noexcept { return count_; }

 protected:
  virtual void notified() {}

 private:
  int fd_ = -1;
  uint64_t count_ = 0;
};

}  // namespace tlmmap
