// A MemoryListener that writes every callback as one line of text, for
// tests that compare call sequences:
//   "<name> begin", "<name> commit",
//   "<name> add|del|nop <space> <first>-<last> <region>[@<offset>][ ro]",
//   "<name> log_start|log_stop <space> <first>-<last> <region> <old>-><new>",
//   "<name> log_sync <space> <first>-<last> <region>",
//   "<name> log_global_start|log_global_stop",
//   "<name> eventfd_add|eventfd_del <space> <address>+<size>[ =<data>]",
//   "<name> coalesced_add|coalesced_del <space> <address>+<length>".
#pragma once

#include <string>
#include <vector>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/memory_listener.hpp"

namespace tlmmap::test {

class ListenerLog {
 public:
  // Every line of every listener attached to this log, in call order.
  std::vector<std::string> lines;
  std::vector<std::string> take() {
    std::vector<std::string> out;
    out.swap(lines);
    return out;
  }

  // Attaches a recording listener (the caller keeps it and registers it).
  void attach(MemoryListener& l, bool with_nop = true) {
    const std::string n = l.name;
    l.begin = [this, n] { lines.push_back(n + " begin"); };
    l.commit = [this, n] { lines.push_back(n + " commit"); };
    l.region_add = [this, n](const Section& s) { lines.push_back(n + " add " + where(s)); };
    l.region_del = [this, n](const Section& s) { lines.push_back(n + " del " + where(s)); };
    if (with_nop) l.region_nop = [this, n](const Section& s) { lines.push_back(n + " nop " + where(s)); };
    l.log_start = [this, n](const Section& s, uint8_t o, uint8_t w) {
      lines.push_back(n + " log_start " + where(s) + " " + std::to_string(o) + "->" + std::to_string(w));
    };
    l.log_stop = [this, n](const Section& s, uint8_t o, uint8_t w) {
      lines.push_back(n + " log_stop " + where(s) + " " + std::to_string(o) + "->" + std::to_string(w));
    };
    l.log_sync = [this, n](const Section& s) { lines.push_back(n + " log_sync " + where(s)); };
    l.log_global_start = [this, n] { lines.push_back(n + " log_global_start"); };
    l.log_global_stop = [this, n] { lines.push_back(n + " log_global_stop"); };
    l.eventfd_add = [this, n](const Section& s, bool match, uint64_t data, EventNotifier&) {
      lines.push_back(n + " eventfd_add " + span(s) + (match ? " =" + hex(data) : ""));
    };
    l.eventfd_del = [this, n](const Section& s, bool match, uint64_t data, EventNotifier&) {
      lines.push_back(n + " eventfd_del " + span(s) + (match ? " =" + hex(data) : ""));
    };
    l.coalesced_io_add = [this, n](const Section& s, uint64_t a, uint64_t len) {
      lines.push_back(n + " coalesced_add " + space_name(s) + " " + hex(a) + "+" + hex(len));
    };
    l.coalesced_io_del = [this, n](const Section& s, uint64_t a, uint64_t len) {
      lines.push_back(n + " coalesced_del " + space_name(s) + " " + hex(a) + "+" + hex(len));
    };
  }

  static std::string space_name(const Section& s) { return s.space != nullptr ? s.space->name() : "?"; }
  static std::string where(const Section& s) {
    const u128 last = u128(s.offset_within_address_space) + s.size - 1;
    std::string text = space_name(s) + " " + hex(s.offset_within_address_space) + "-" + hex(last) + " " +
                       s.range->region_name();
    if (s.offset_within_region != 0) text += "@" + hex(s.offset_within_region);
    if (s.readonly) text += " ro";
    return text;
  }
  static std::string span(const Section& s) {
    return space_name(s) + " " + hex(s.offset_within_address_space) + "+" + hex(s.size);
  }
};

}  // namespace tlmmap::test
