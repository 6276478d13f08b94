// The Accellera "at_2_phase" example (libsystemc-doc: examples/tlm/at_2_phase)
// through a tlmmap address space: see at_example_top.hpp.
#include "at_example_top.hpp"
#include "at_target_2_phase.h"

int sc_main(int argc, char* argv[]) {
  return tlmmap::accellera::run_at_example<at_target_2_phase>("at_2_phase", argc, argv);
}
