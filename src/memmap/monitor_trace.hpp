// The monitor's `trace`: a memory listener that prints every callback as
// one line (docs/monitor.md, "Trace lines").
#pragma once

#include <iosfwd>
#include <string>

#include "tlmmap/core/memory_listener.hpp"

namespace tlmmap::detail {

// `"<space>" <first>-<last> "<region>" @<offset>[ ro][ nv]`
std::string describe_section(const Section& section);

class TraceListener {
 public:
  explicit TraceListener(std::ostream& out);
  // Registers (to one address space, or every one with nullptr): the
  // current map is replayed, and printed, at once.
  void start(const AddressSpace* space);
  // Unregisters: the take-back is printed, unless `quiet`.
  void stop(bool quiet = false);
  bool on() const noexcept { return listener_.registered(); }
  const AddressSpace* space() const noexcept { return listener_.address_space(); }

 private:
  void line(const std::string& text);

  std::ostream& out_;
  bool quiet_ = false;
  MemoryListener listener_{"tlmmap monitor trace"};
};

}  // namespace tlmmap::detail
