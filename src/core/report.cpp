#include "tlmmap/core/report.hpp"

#include <iostream>
#include <mutex>

namespace tlmmap {

namespace {

void default_handler(Severity severity, const char* type, const std::string& message) {
  if (severity == Severity::error) throw Error(type, message);
  std::cerr << (severity == Severity::warning ? "Warning: " : "Info: ") << type << ": " << message << "\n";
}

// Reports come from the thread that owns the map; the lock only keeps a
// handler being replaced from being called half-made.
std::mutex& handler_mutex() {
  static std::mutex* m = new std::mutex();
  return *m;
}

ReportHandler& handler() {
  static ReportHandler* h = new ReportHandler(default_handler);
  return *h;
}

}  // namespace

void set_report_handler(ReportHandler h) {
  std::lock_guard<std::mutex> lock(handler_mutex());
  handler() = h ? std::move(h) : ReportHandler(default_handler);
}

ReportHandler report_handler() {
  std::lock_guard<std::mutex> lock(handler_mutex());
  return handler();
}

void report(Severity severity, const char* type, const std::string& message) {
  ReportHandler h;
  {
    std::lock_guard<std::mutex> lock(handler_mutex());
    h = handler();
  }
  h(severity, type, message);
}

ScopedReportHandler::ScopedReportHandler(ReportHandler h) {
  std::lock_guard<std::mutex> lock(handler_mutex());
  previous_ = handler();
  handler() = h ? std::move(h) : ReportHandler(default_handler);
}

ScopedReportHandler::~ScopedReportHandler() {
  std::lock_guard<std::mutex> lock(handler_mutex());
  handler() = std::move(previous_);
}

}  // namespace tlmmap
