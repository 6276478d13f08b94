#include "tlmmap/core/event_notifier.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "report.hpp"

namespace tlmmap {

EventNotifier::EventNotifier(bool with_eventfd) {
  if (!with_eventfd) return;
  fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd_ < 0) {
    detail::report_error(kMemoryMsg, std::string("cannot make an eventfd: ") + std::strerror(errno));
  }
}

EventNotifier::~EventNotifier() {
  if (fd_ >= 0) close(fd_);
}

void EventNotifier::notify() {
  ++count_;
  if (fd_ >= 0) {
    const uint64_t one = 1;
    // EAGAIN only when the counter would overflow: the event is pending anyway.
    [[maybe_unused]] const ssize_t n = write(fd_, &one, sizeof one);
  }
  notified();
}

uint64_t EventNotifier::test_and_clear() {
  if (fd_ < 0) return 0;
  uint64_t value = 0;
  return read(fd_, &value, sizeof value) == static_cast<ssize_t>(sizeof value) ? value : 0;
}

}  // namespace tlmmap
