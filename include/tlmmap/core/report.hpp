// How tlmmap reports refusals and warnings.
//
// The core has no SystemC dependency, so its reports go through a
// process-wide handler. The TLM layer installs one that routes them through
// SystemC's sc_report machinery (SC_REPORT_ERROR / SC_REPORT_WARNING with the
// message type given here), so users route tlmmap's messages with
// sc_report_handler like any other; see tlmmap/tlm/systemc_reports.hpp.
// Without it, an error throws tlmmap::Error and a warning is printed to
// stderr.
//
// Every refusal leaves the map exactly as it was before the report, so a
// handler that does not throw sees the same refusal.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

namespace tlmmap {

enum class Severity { info, warning, error };

// Message types, in SystemC's "library/area" style.
inline constexpr const char* kRegionMsg = "tlmmap/region";
inline constexpr const char* kRenderMsg = "tlmmap/render";
inline constexpr const char* kMemoryMsg = "tlmmap/memory";
inline constexpr const char* kAccessMsg = "tlmmap/access";
inline constexpr const char* kMemmapMsg = "tlmmap/memmap";
inline constexpr const char* kCheckpointMsg = "tlmmap/checkpoint";

// What the default handler throws for an error.
class Error : public std::runtime_error {
 public:
  Error(std::string type, const std::string& message)
      : std::runtime_error(message), type_(std::move(type)) {}
  const std::string& type() const noexcept { return type_; }

 private:
  std::string type_;
};

using ReportHandler = std::function<void(Severity, const char* type, const std::string& message)>;

// Replaces the process-wide handler; an empty one restores the default.
void set_report_handler(ReportHandler handler);
// The handler in place now.
ReportHandler report_handler();
void report(Severity severity, const char* type, const std::string& message);

// Installs a handler for the lifetime of the object, then restores the one
// before (loaders use it to turn the map's refusals into refusals of a file).
class ScopedReportHandler {
 public:
  explicit ScopedReportHandler(ReportHandler handler);
  ~ScopedReportHandler();
  ScopedReportHandler(const ScopedReportHandler&) = delete;
  ScopedReportHandler& operator=(const ScopedReportHandler&) = delete;

 private:
  ReportHandler previous_;
};

}  // namespace tlmmap
