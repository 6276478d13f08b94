// The Accellera "at_1_phase" example (libsystemc-doc: examples/tlm/at_1_phase)
// with a tlmmap address space in place of SimpleBusAT<2, 2>: their two
// approximately-timed initiators (2 transactions in flight each) and two
// at_target_1_phase targets, configured and bound as in their
// src/at_1_phase_top.cpp; their sc_main, plus the checks of example_check.hpp.
// Timing and interleaving depend on the interconnect (SimpleBusAT serialises
// everything through two threads), so the log is compared by its memory
// operations, not line by line.
#include "address_space_bus.hpp"
#include "at_target_1_phase.h"
#include "example_check.hpp"
#include "initiator_top.h"
#include "reporting.h"

namespace {

class example_system_top : public sc_core::sc_module {
 public:
  explicit example_system_top(sc_core::sc_module_name name)
      : sc_core::sc_module(name),
        m_bus("m_bus", 2, 2),
        m_at_target_1_phase_1("m_at_target_1_phase_1", 201, "memory_socket_1", 4 * 1024, 4,
                               sc_core::sc_time(10, sc_core::SC_NS), sc_core::sc_time(50, sc_core::SC_NS),
                               sc_core::sc_time(30, sc_core::SC_NS)),
        m_at_target_1_phase_2("m_at_target_1_phase_2", 202, "memory_socket_1", 4 * 1024, 4,
                               sc_core::sc_time(10, sc_core::SC_NS), sc_core::sc_time(50, sc_core::SC_NS),
                               sc_core::sc_time(30, sc_core::SC_NS)),
        m_initiator_1("m_initiator_1", 101, 0x0000000000000100, 0x0000000010000100, 2),
        m_initiator_2("m_initiator_2", 102, 0x0000000000000200, 0x0000000010000200, 2) {
    m_initiator_1.initiator_socket(m_bus.target_socket(0));
    m_initiator_2.initiator_socket(m_bus.target_socket(1));
    m_bus.initiator_socket(0)(m_at_target_1_phase_1.m_memory_socket);
    m_bus.initiator_socket(1)(m_at_target_1_phase_2.m_memory_socket);
  }

  tlmmap::accellera::AddressSpaceBus m_bus;

 private:
  at_target_1_phase m_at_target_1_phase_1;
  at_target_1_phase m_at_target_1_phase_2;
  initiator_top m_initiator_1;
  initiator_top m_initiator_2;
};

}  // namespace

// An argument names another expected log (the tests that show a wrong log is caught).
int sc_main(int argc, char* argv[]) {
  REPORT_ENABLE_ALL_REPORTING();
  tlmmap::accellera::ExampleRun run("at_1_phase");
  example_system_top top("top");
  run.watch(top.m_bus, 64);
  run.simulate();
  return run.finish(argc > 1 ? argv[1] : ACCELLERA_EXPECTED_LOG, tlmmap::accellera::Comparison::same_operations);
}
