// Reporting through SystemC's sc_report machinery, so that users can route
// tlmmap's messages with sc_report_handler like any other.
#pragma once

#include <string>

#include "tlmmap/region.hpp"

namespace tlmmap::detail {

inline constexpr const char* kRegionMsg = "tlmmap/region";
inline constexpr const char* kRenderMsg = "tlmmap/render";
inline constexpr const char* kMemoryMsg = "tlmmap/memory";
inline constexpr const char* kMemmapMsg = "tlmmap/memmap";

// SC_REPORT_ERROR: throws sc_report with the default handler. Callers leave
// the map untouched before calling it and return right after, so a handler
// that does not throw sees the same refusal.
void report_error(const char* type, const std::string& message);
void report_warning(const char* type, const std::string& message);

// "'name'" — how messages name a region.
std::string quoted(const Region& region);

}  // namespace tlmmap::detail
