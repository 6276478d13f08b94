// Routes tlmmap's reports (tlmmap/core/report.hpp) through SystemC's
// sc_report machinery: SC_REPORT_ERROR / SC_REPORT_WARNING / SC_REPORT_INFO
// with tlmmap's message types ("tlmmap/region", "tlmmap/access", ...), so
// sc_report_handler decides what they do (by default an error throws
// sc_core::sc_report).
//
// The TLM library installs it when it is loaded and again whenever one of
// its modules is made; a program that uses only the core calls it itself.
#pragma once

namespace tlmmap {

void report_through_systemc();

}  // namespace tlmmap
