// The Accellera "lt_temporal_decouple" example (libsystemc-doc:
// examples/tlm/lt_temporal_decouple) with a tlmmap address space in place of
// SimpleBusLT<2, 2>: their initiators (one temporally decoupled) and targets
// (one forcing synchronisation with wait() in b_transport), configured and
// bound as in their src/lt_temporal_decouple_top.cpp; their sc_main, plus the
// checks of example_check.hpp (the same log as results/expected.log).
#include "address_space_bus.hpp"
#include "example_check.hpp"
#include "initiator_top.h"
#include "lt_synch_target.h"
#include "lt_target.h"
#include "reporting.h"
#include "td_initiator_top.h"

namespace {

class lt_temporal_decouple_top : public sc_core::sc_module {
 public:
  explicit lt_temporal_decouple_top(sc_core::sc_module_name name)
      : sc_core::sc_module(name),
        m_bus("m_bus", 2, 2),
        m_lt_synch_target_1("m_lt_synch_target_1", 201, "memory_socket_1", 4 * 1024, 4,
                            sc_core::sc_time(20, sc_core::SC_NS), sc_core::sc_time(100, sc_core::SC_NS),
                            sc_core::sc_time(60, sc_core::SC_NS)),
        m_lt_target_2("m_lt_target_2", 202, "memory_socket_1", 4 * 1024, 4, sc_core::sc_time(10, sc_core::SC_NS),
                      sc_core::sc_time(50, sc_core::SC_NS), sc_core::sc_time(30, sc_core::SC_NS)),
        m_td_initiator_1("m_td_initiator_1", 101, 0x0000000000000000, 0x0000000010000000),
        m_initiator_2("m_initiator_2", 102, 0x0000000000000000, 0x0000000010000000) {
    m_td_initiator_1.top_initiator_socket(m_bus.target_socket(0));
    m_initiator_2.top_initiator_socket(m_bus.target_socket(1));
    m_bus.initiator_socket(0)(m_lt_synch_target_1.m_memory_socket);
    m_bus.initiator_socket(1)(m_lt_target_2.m_memory_socket);
  }

  tlmmap::accellera::AddressSpaceBus m_bus;

 private:
  lt_synch_target m_lt_synch_target_1;
  lt_target m_lt_target_2;
  td_initiator_top m_td_initiator_1;
  initiator_top m_initiator_2;
};

}  // namespace

// An argument names another expected log (the tests that show a wrong log is caught).
int sc_main(int argc, char* argv[]) {
  REPORT_ENABLE_ALL_REPORTING();
  tlmmap::accellera::ExampleRun run("lt_temporal_decouple");
  lt_temporal_decouple_top top("top");
  run.watch(top.m_bus, 64);
  run.simulate();
  return run.finish(argc > 1 ? argv[1] : ACCELLERA_EXPECTED_LOG, tlmmap::accellera::Comparison::same_log);
}
