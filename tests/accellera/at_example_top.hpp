// The Accellera approximately-timed examples (at_1_phase, at_2_phase,
// at_4_phase) with a tlmmap address space in place of SimpleBusAT<2, 2>:
// their two approximately-timed initiators (2 transactions in flight each)
// and two targets of the example's kind, configured and bound as in their
// src/at_N_phase_top.cpp; their sc_main, plus the checks of
// example_check.hpp. Timing and interleaving depend on the interconnect
// (SimpleBusAT serialises everything through two threads), so the log is
// compared by its memory operations, not line by line.
#pragma once

#include <string>

#include "address_space_bus.hpp"
#include "example_check.hpp"
#include "initiator_top.h"
#include "reporting.h"

namespace tlmmap::accellera {

template <typename Target>
class AtExampleTop : public sc_core::sc_module {
 public:
  // `target` names the targets as their top does ("m_at_target_1_phase").
  AtExampleTop(sc_core::sc_module_name name, const std::string& target)
      : sc_core::sc_module(name),
        m_bus("m_bus", 2, 2),
        m_target_1((target + "_1").c_str(), 201, "memory_socket_1", 4 * 1024, 4, sc_core::sc_time(10, sc_core::SC_NS),
                   sc_core::sc_time(50, sc_core::SC_NS), sc_core::sc_time(30, sc_core::SC_NS)),
        m_target_2((target + "_2").c_str(), 202, "memory_socket_1", 4 * 1024, 4, sc_core::sc_time(10, sc_core::SC_NS),
                   sc_core::sc_time(50, sc_core::SC_NS), sc_core::sc_time(30, sc_core::SC_NS)),
        m_initiator_1("m_initiator_1", 101, 0x0000000000000100, 0x0000000010000100, 2),
        m_initiator_2("m_initiator_2", 102, 0x0000000000000200, 0x0000000010000200, 2) {
    m_initiator_1.initiator_socket(m_bus.target_socket(0));
    m_initiator_2.initiator_socket(m_bus.target_socket(1));
    m_bus.initiator_socket(0)(m_target_1.m_memory_socket);
    m_bus.initiator_socket(1)(m_target_2.m_memory_socket);
  }

  AddressSpaceBus m_bus;

 private:
  Target m_target_1;
  Target m_target_2;
  initiator_top m_initiator_1;
  initiator_top m_initiator_2;
};

// Their sc_main; an argument names another expected log (the tests that
// show a wrong log is caught).
template <typename Target>
int run_at_example(const char* example, int argc, char* argv[]) {
  REPORT_ENABLE_ALL_REPORTING();
  ExampleRun run(example);
  AtExampleTop<Target> top("top", std::string("m_at_target_") + (example + 3));
  run.watch(top.m_bus, 64);
  run.simulate();
  return run.finish(argc > 1 ? argv[1] : ACCELLERA_EXPECTED_LOG, Comparison::same_operations);
}

}  // namespace tlmmap::accellera
