#include "example_check.hpp"

#include "support/protocol_checker.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <iostream>
#include <map>
#include <sstream>

namespace tlmmap::accellera {

namespace {

std::vector<std::string>& captured() {
  static std::vector<std::string> records;
  return records;
}

// Shows the report as usual and keeps what was shown.
void capturing_handler(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
  sc_core::sc_report_handler::default_handler(report, actions);
  if ((actions & sc_core::SC_DISPLAY) != 0) captured().push_back(sc_core::sc_report_compose_message(report));
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool is_record_start(const std::string& line) {
  return starts_with(line, "Info: ") || starts_with(line, "Warning: ") || starts_with(line, "Error: ") ||
         starts_with(line, "Fatal: ");
}

// Trailing blanks of each line and trailing empty lines do not count.
std::string normalized(const std::string& record) {
  std::vector<std::string> lines;
  std::istringstream in(record);
  std::string line;
  while (std::getline(in, line)) {
    line.erase(line.find_last_not_of(" \t\r") + 1);
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? "" : "\n") + lines[i];
  return out;
}

// The reports of a log as the default handler prints them: each starts with
// its severity ("Info: ...") and runs to the next one.
std::vector<std::string> read_log(const std::string& path, bool& ok) {
  std::ifstream in(path);
  ok = static_cast<bool>(in);
  std::vector<std::string> records;
  std::string line;
  std::string current;
  bool open = false;
  while (std::getline(in, line)) {
    if (is_record_start(line)) {
      if (open) records.push_back(normalized(current));
      current = line;
      open = true;
    } else if (open) {
      current += "\n" + line;
    }
  }
  if (open) records.push_back(normalized(current));
  return records;
}

// "Info: memory.cpp: 120 ns - print\n..." -> "Info: memory.cpp: print\n...".
std::string without_time(const std::string& record) {
  const std::size_t type_end = record.find(": ", record.find(": ") + 2);
  const std::size_t dash = record.find(" - ", type_end);
  const std::size_t eol = record.find('\n');
  if (type_end == std::string::npos || dash == std::string::npos || dash > eol) return record;
  return record.substr(0, type_end + 2) + record.substr(dash + 3);
}

std::vector<std::string> memory_operations(const std::vector<std::string>& records) {
  std::vector<std::string> ops;
  for (const auto& r : records) {
    if (starts_with(r, "Info: memory.cpp: ")) ops.push_back(without_time(r));
  }
  std::sort(ops.begin(), ops.end());
  return ops;
}

std::size_t count_containing(const std::vector<std::string>& records, const char* text) {
  return static_cast<std::size_t>(std::count_if(
      records.begin(), records.end(), [text](const std::string& r) { return r.find(text) != std::string::npos; }));
}

std::string indent(const std::string& text) {
  std::string out = "    ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out;
}

}  // namespace

ExampleRun::ExampleRun(std::string name) : name_(std::move(name)) {
  captured().clear();
  sc_core::sc_report_handler::set_handler(&capturing_handler);
}

void ExampleRun::watch(AddressSpaceBus& bus, std::size_t responses_per_initiator) {
  for (int i = 0; i < bus.initiators(); ++i) watch_initiator(bus.initiator_checker(i), responses_per_initiator);
  for (int t = 0; t < bus.targets(); ++t) checkers_.push_back(&bus.target_checker(t));
}

void ExampleRun::watch_initiator(test::ProtocolChecker<32>& checker, std::size_t responses) {
  checkers_.push_back(&checker);
  const std::size_t index = initiators_.size();
  initiators_.push_back(Initiator{&checker, responses});
  checker.on_response([this, index](const tlm::tlm_generic_payload& gp) {
    Initiator& initiator = initiators_[index];
    ++initiator.responses;
    std::ostringstream where;
    where << initiator.checker->name() << ": " << (gp.is_read() ? "read" : "write") << " at 0x" << std::hex
          << gp.get_address();
    if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) {
      fail(where.str() + " answered " + gp.get_response_string());
      return;
    }
    if (!gp.is_read() || gp.get_data_length() != 4) return;
    // Written by the traffic generators: A in target 0's window, ~A in target 1's.
    const uint32_t address = static_cast<uint32_t>(gp.get_address());
    const uint32_t expected = gp.get_address() < kTargetWindow ? address : ~address;
    uint32_t value;
    std::memcpy(&value, gp.get_data_ptr(), 4);
    if (value != expected) {
      std::ostringstream msg;
      msg << where.str() << " returned 0x" << std::hex << value << ", expected 0x" << expected;
      fail(msg.str());
    }
  });
}

void ExampleRun::fail(const std::string& why) { failures_.push_back(why); }

void ExampleRun::simulate() {
  try {
    sc_core::sc_start();
  } catch (const sc_core::sc_report& report) {
    aborted_ = true;
    fail("the simulation ended with " + std::string(report.what()));
  } catch (const std::exception& e) {
    aborted_ = true;
    fail("the simulation ended with an exception: " + std::string(e.what()));
  }
}

int ExampleRun::finish(const std::string& expected_log, Comparison how) {
  sc_core::sc_report_handler::set_handler(&sc_core::sc_report_handler::default_handler);
  const std::vector<std::string> got = [] {
    std::vector<std::string> records;
    for (const auto& r : captured()) records.push_back(normalized(r));
    return records;
  }();

  for (const auto* c : checkers_) {
    if (!c->violations().empty()) {
      fail(std::string(c->name()) + ": " + std::to_string(c->violations().size()) + " protocol violation(s)");
    }
    if (c->in_flight() != 0) {
      fail(std::string(c->name()) + ": " + std::to_string(c->in_flight()) + " transaction(s) never completed");
    }
  }
  for (const auto& i : initiators_) {
    if (i.expected_responses != 0 && i.responses != i.expected_responses) {
      fail(std::string(i.checker->name()) + ": " + std::to_string(i.responses) + " responses, expected " +
           std::to_string(i.expected_responses));
    }
  }
  const auto warnings = sc_core::sc_report_handler::get_count(sc_core::SC_WARNING);
  const auto errors = sc_core::sc_report_handler::get_count(sc_core::SC_ERROR) +
                      sc_core::sc_report_handler::get_count(sc_core::SC_FATAL);
  if (warnings != 0 || errors != 0) {
    fail(std::to_string(warnings) + " warning(s) and " + std::to_string(errors) + " error(s) reported");
  }

  bool log_found = false;
  const std::vector<std::string> expected = read_log(expected_log, log_found);
  if (!log_found || expected.empty()) {
    fail("cannot read " + expected_log);
  } else if (how == Comparison::same_log) {
    const std::size_t n = std::min(got.size(), expected.size());
    std::size_t i = 0;
    while (i < n && got[i] == expected[i]) ++i;
    if (i < n || got.size() != expected.size()) {
      std::string why = "the log differs from " + expected_log + " at report " + std::to_string(i + 1) + " of " +
                        std::to_string(expected.size()) + " (got " + std::to_string(got.size()) + ")";
      if (i < expected.size()) why += "\n  expected:\n" + indent(expected[i]);
      if (i < got.size()) why += "\n  got:\n" + indent(got[i]);
      fail(why);
    }
  } else {
    const auto want_ops = memory_operations(expected);
    const auto got_ops = memory_operations(got);
    if (want_ops != got_ops) {
      std::vector<std::string> missing;
      std::vector<std::string> extra;
      std::set_difference(want_ops.begin(), want_ops.end(), got_ops.begin(), got_ops.end(),
                          std::back_inserter(missing));
      std::set_difference(got_ops.begin(), got_ops.end(), want_ops.begin(), want_ops.end(), std::back_inserter(extra));
      std::string why = "memory operations differ from " + expected_log + ": " + std::to_string(got_ops.size()) +
                        " instead of " + std::to_string(want_ops.size()) + ", " + std::to_string(missing.size()) +
                        " missing, " + std::to_string(extra.size()) + " unexpected";
      if (!missing.empty()) why += "\n  first missing:\n" + indent(missing.front());
      if (!extra.empty()) why += "\n  first unexpected:\n" + indent(extra.front());
      fail(why);
    }
    for (const char* text : {"Starting Traffic", "Traffic Generator Complete"}) {
      if (count_containing(got, text) != count_containing(expected, text)) {
        fail(std::string("\"") + text + "\" reported " + std::to_string(count_containing(got, text)) + " times, " +
             std::to_string(count_containing(expected, text)) + " expected");
      }
    }
    for (const auto& r : got) {
      if (!starts_with(r, "Info: ")) {
        fail("not an info report:\n" + indent(r));
        break;
      }
    }
  }

  std::ostringstream summary;
  summary << "\n" << name_ << ": " << got.size() << " reports (" << expected.size() << " expected), "
          << memory_operations(got).size() << " memory operations, simulation ended at " << sc_core::sc_time_stamp();
  for (const auto& i : initiators_) summary << ", " << i.checker->name() << ": " << i.responses << " responses";
  std::cout << summary.str() << "\n";
  for (const auto& f : failures_) std::cout << name_ << ": FAIL: " << f << "\n";
  if (failures_.empty()) std::cout << name_ << ": PASS\n";
  std::cout << std::flush;

  // The top is torn down when sc_main returns, initiators before the bus (in
  // the examples' member order), and removing the target windows from the map
  // makes the address space invalidate DMI on its initiators unless the
  // simulation has ended: end it, as the examples that stop by starvation
  // never do. After an error thrown out of sc_start() the kernel cannot be
  // stopped any more: leave at once, the verdict is out.
  if (aborted_) std::_Exit(1);
  if (!sc_core::sc_end_of_simulation_invoked()) {
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_core::sc_stop();
  }
  return failures_.empty() ? 0 : 1;
}

}  // namespace tlmmap::accellera
