// The Accellera "at_4_phase" example (libsystemc-doc: examples/tlm/at_4_phase)
// through a tlmmap address space: see at_example_top.hpp.
#include "at_example_top.hpp"
#include "at_target_4_phase.h"

int sc_main(int argc, char* argv[]) {
  return tlmmap::accellera::run_at_example<at_target_4_phase>("at_4_phase", argc, argv);
}
