#include <cstdlib>

#include <gtest/gtest.h>
#include <systemc>

#include "tlmmap/tlm/systemc_reports.hpp"

// libsystemc's main() prints a banner before sc_main; ours keeps test
// listings (gtest_discover_tests) and outputs clean.
int main(int argc, char* argv[]) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  // The tests expect the map's refusals as sc_report exceptions.
  tlmmap::report_through_systemc();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
