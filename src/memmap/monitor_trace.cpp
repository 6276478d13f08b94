#include "monitor_trace.hpp"

#include <ostream>

#include "monitor_syntax.hpp"
#include "tlmmap/core/address_space.hpp"

namespace tlmmap::detail {

std::string describe_section(const Section& s) {
  const u128 last = u128(s.offset_within_address_space) + s.size - 1;
  std::string text = quote(s.space != nullptr ? s.space->name() : std::string()) + " " +
                     hex(s.offset_within_address_space) + "-" + hex(s.size == 0 ? last + 1 : last) + " " +
                     quote(s.range != nullptr ? s.range->region_name() : std::string()) + " @" +
                     hex(s.offset_within_region);
  if (s.readonly) text += " ro";
  if (s.nonvolatile) text += " nv";
  return text;
}

TraceListener::TraceListener(std::ostream& out) : out_(out) {
  MemoryListener& l = listener_;
  l.begin = [this] { line("begin"); };
  l.commit = [this] { line("commit"); };
  l.region_add = [this](const Section& s) { line("region_add " + describe_section(s)); };
  l.region_del = [this](const Section& s) { line("region_del " + describe_section(s)); };
  l.region_nop = [this](const Section& s) { line("region_nop " + describe_section(s)); };
  const auto log_change = [this](const char* what) {
    return [this, what](const Section& s, uint8_t old_mask, uint8_t new_mask) {
      line(std::string(what) + " " + describe_section(s) + " clients=" + clients_text(old_mask) + "->" +
           clients_text(new_mask));
    };
  };
  l.log_start = log_change("log_start");
  l.log_stop = log_change("log_stop");
  l.log_sync = [this](const Section& s) { line("log_sync " + describe_section(s)); };
  l.log_global_start = [this] { line("log_global_start"); };
  l.log_global_stop = [this] { line("log_global_stop"); };
  const auto eventfd = [this](const char* what) {
    return [this, what](const Section& s, bool match_data, uint64_t data, EventNotifier&) {
      line(std::string(what) + " " + describe_section(s) + " data=" + (match_data ? hex(data) : "any"));
    };
  };
  l.eventfd_add = eventfd("eventfd_add");
  l.eventfd_del = eventfd("eventfd_del");
  const auto coalesced = [this](const char* what) {
    return [this, what](const Section& s, uint64_t address, uint64_t length) {
      line(std::string(what) + " " + describe_section(s) + " coalesced=" + hex(address) + "-" +
           hex(u128(address) + length - 1));
    };
  };
  l.coalesced_io_add = coalesced("coalesced_io_add");
  l.coalesced_io_del = coalesced("coalesced_io_del");
}

void TraceListener::start(const AddressSpace* space) { memory_listener_register(listener_, space); }

void TraceListener::stop(bool quiet) {
  quiet_ = quiet;
  memory_listener_unregister(listener_);
  quiet_ = false;
}

void TraceListener::line(const std::string& text) {
  if (!quiet_) out_ << "trace " << text << "\n";
}

}  // namespace tlmmap::detail
