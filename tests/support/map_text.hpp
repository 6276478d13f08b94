// Compact text of flat views and reports for assertions.
#pragma once

#include <string>
#include <vector>

#include <systemc>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/region.hpp"

namespace tlmmap::test {

// One line per flat range: "0x2000-0x2fff D", "0x3000-0x3fff C@0x3000",
// with " ro" for a read-only range and " !romd" for a ROM device out of romd mode.
std::vector<std::string> ranges(const FlatView& view);
inline std::vector<std::string> ranges(const AddressSpace& space) { return ranges(space.view()); }

// Runs `action`, expects an SC_REPORT_ERROR; returns its message ("" if none).
template <typename Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const sc_core::sc_report& report) {
    if (report.get_severity() == sc_core::SC_ERROR) return report.get_msg();
    return std::string("unexpected severity: ") + report.get_msg();
  }
  return "";
}

}  // namespace tlmmap::test
