#include "tlmmap/tlm/systemc_reports.hpp"

#include <systemc>

#include "tlmmap/core/report.hpp"

namespace tlmmap {

void report_through_systemc() {
  set_report_handler([](Severity severity, const char* type, const std::string& message) {
    switch (severity) {
      case Severity::error:
        SC_REPORT_ERROR(type, message.c_str());
        break;
      case Severity::warning:
        SC_REPORT_WARNING(type, message.c_str());
        break;
      case Severity::info:
        SC_REPORT_INFO(type, message.c_str());
        break;
    }
  });
}

namespace {
// Installed when the library is loaded.
const bool installed = (report_through_systemc(), true);
}  // namespace

}  // namespace tlmmap
