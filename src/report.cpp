#include "report.hpp"

#include <systemc>

namespace tlmmap::detail {

void report_error(const char* type, const std::string& message) {
  SC_REPORT_ERROR(type, message.c_str());
}

void report_warning(const char* type, const std::string& message) {
  SC_REPORT_WARNING(type, message.c_str());
}

std::string quoted(const Region& region) { return "'" + region.name() + "'"; }

}  // namespace tlmmap::detail
