// An RTL timer in a tlmmap map: the APB4 register block of
// tests/rtl/apb_timer.sv, verilated, sits behind a TLM-to-APB bridge at
// 0x10000000. A TLM initiator programs it through the map, sleeps until its
// interrupt line rises, and acknowledges it.
#include <cstdio>
#include <cstring>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "Vapb_timer.h"
#include "tlmmap/adapters.hpp"
#include "tlmmap/tlm.hpp"

using namespace sc_core;

struct Cpu : sc_module {
  tlm_utils::simple_initiator_socket<Cpu, 32> socket{"socket"};
  sc_in<bool> irq{"irq"};
  bool passed = false;
  SC_HAS_PROCESS(Cpu);
  explicit Cpu(sc_module_name name) : sc_module(name) { SC_THREAD(run); }

  uint32_t access(tlm::tlm_command cmd, uint64_t addr, uint32_t value = 0) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    if (!gp.is_response_ok()) std::printf("access to 0x%llx: %s\n", (unsigned long long)addr, gp.get_response_string().c_str());
    return value;
  }

  void run() {
    wait(50, SC_NS);  // reset
    const uint64_t timer = 0x10000000;
    std::printf("timer ID register: 0x%08x\n", access(tlm::TLM_READ_COMMAND, timer + 0x14));
    access(tlm::TLM_WRITE_COMMAND, timer + 0x04, 1000);  // LOAD: 1000 cycles
    access(tlm::TLM_WRITE_COMMAND, timer + 0x00, 3);     // run, interrupt enable
    const sc_time started = sc_time_stamp();
    wait(irq.posedge_event());
    std::printf("interrupt after %s (count now %u)\n", (sc_time_stamp() - started).to_string().c_str(),
                access(tlm::TLM_READ_COMMAND, timer + 0x08));
    access(tlm::TLM_WRITE_COMMAND, timer + 0x0c, 1);  // acknowledge
    wait(20, SC_NS);
    passed = !irq.read() && sc_time_stamp() - started > sc_time(9990, SC_NS);
    std::printf("interrupt line after acknowledge: %d\n%s\n", irq.read() ? 1 : 0, passed ? "PASS" : "FAIL");
    sc_stop();
  }
};

int sc_main(int, char*[]) {
  sc_clock clk{"clk", 10, SC_NS};
  sc_signal<bool> rstn{"rstn", false}, irq{"irq"};
  tlmmap::adapters::Apb4Signals<32, 12> apb;
  tlmmap::adapters::TlmToApb<32, 12> bridge{"bridge"};
  Vapb_timer timer{"timer"};  // the RTL
  tlmmap::Bus<32> bus{"memory"};
  Cpu cpu{"cpu"};

  bridge.clk(clk);
  bridge.rst(rstn);
  bridge.connect(apb);
  timer.clk(clk);
  timer.rstn(rstn);
  timer.irq(irq);
  TLMMAP_BIND_APB4(timer, , apb);
  bus.bind(bridge.target_socket, 0x10000000, 0x1000);  // the RTL block is an MMIO region
  cpu.socket.bind(bus.target_socket);
  cpu.irq(irq);

  sc_start(45, SC_NS);
  rstn = true;
  sc_start();
  timer.final();
  return cpu.passed ? 0 : 1;
}
