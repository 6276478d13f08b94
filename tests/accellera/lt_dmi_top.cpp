// The Accellera "lt_dmi" example (libsystemc-doc: examples/tlm/lt_dmi) with a
// tlmmap address space in place of SimpleBusLT<2, 2>: their initiators and
// targets, configured and bound as in their src/lt_dmi_top.cpp, with its
// 1 ms simulation limit; their sc_main, plus the checks of example_check.hpp
// (the same log as results/expected.log). The targets' DMI grants and
// invalidations travel through the address space (translated to and from
// the target windows).
#include "address_space_bus.hpp"
#include "example_check.hpp"
#include "initiator_top.h"
#include "lt_dmi_target.h"
#include "reporting.h"

namespace {

class lt_dmi_top : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(lt_dmi_top);
  explicit lt_dmi_top(sc_core::sc_module_name name)
      : sc_core::sc_module(name),
        m_bus("m_bus", 2, 2),
        m_simulation_limit(1000000, sc_core::SC_NS),
        m_lt_dmi_target_1("m_lt_dmi_target_1", 201, "memory_socket_1", 4 * 1024, 4,
                          sc_core::sc_time(20, sc_core::SC_NS), sc_core::sc_time(20, sc_core::SC_NS),
                          sc_core::sc_time(15, sc_core::SC_NS)),
        m_lt_dmi_target_2("m_lt_dmi_target_2", 202, "memory_socket_2", 4 * 1024, 4,
                          sc_core::sc_time(20, sc_core::SC_NS), sc_core::sc_time(50, sc_core::SC_NS),
                          sc_core::sc_time(30, sc_core::SC_NS)),
        m_initiator_1("m_initiator_1", 101, 0x0000000000000000, 0x0000000010000000),
        m_initiator_2("m_initiator_2", 102, 0x0000000000000000, 0x0000000010000000) {
    SC_THREAD(limit_thread);
    m_initiator_1.top_initiator_socket(m_bus.target_socket(0));
    m_initiator_2.top_initiator_socket(m_bus.target_socket(1));
    m_bus.initiator_socket(0)(m_lt_dmi_target_1.m_memory_socket);
    m_bus.initiator_socket(1)(m_lt_dmi_target_2.m_memory_socket);
  }

  void limit_thread() {
    sc_core::wait(sc_core::SC_ZERO_TIME);
    sc_core::wait(m_simulation_limit);
    sc_core::sc_stop();
  }

  tlmmap::accellera::AddressSpaceBus m_bus;

 private:
  sc_core::sc_time m_simulation_limit;
  lt_dmi_target m_lt_dmi_target_1;
  lt_dmi_target m_lt_dmi_target_2;
  initiator_top m_initiator_1;
  initiator_top m_initiator_2;
};

}  // namespace

// An argument names another expected log (the tests that show a wrong log is caught).
int sc_main(int argc, char* argv[]) {
  REPORT_ENABLE_ALL_REPORTING();
  tlmmap::accellera::ExampleRun run("lt_dmi");
  lt_dmi_top top("top");
  run.watch(top.m_bus, 0);  // accesses through DMI bypass the bus: no count
  run.simulate();
  return run.finish(argc > 1 ? argv[1] : ACCELLERA_EXPECTED_LOG, tlmmap::accellera::Comparison::same_log);
}
