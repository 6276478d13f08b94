// Library-internal helpers for messages.
#pragma once

#include <string>

#include "tlmmap/core/report.hpp"

namespace tlmmap::detail {

inline void report_error(const char* type, const std::string& message) { report(Severity::error, type, message); }
inline void report_warning(const char* type, const std::string& message) {
  report(Severity::warning, type, message);
}

// "'name'": how messages name a region.
inline std::string quoted(const std::string& name) { return "'" + name + "'"; }

}  // namespace tlmmap::detail
