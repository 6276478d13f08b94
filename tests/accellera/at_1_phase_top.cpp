// The Accellera "at_1_phase" example (libsystemc-doc: examples/tlm/at_1_phase)
// through a tlmmap address space: see at_example_top.hpp.
#include "at_example_top.hpp"
#include "at_target_1_phase.h"

int sc_main(int argc, char* argv[]) {
  return tlmmap::accellera::run_at_example<at_target_1_phase>("at_1_phase", argc, argv);
}
