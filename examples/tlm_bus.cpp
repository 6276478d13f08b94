// A tlmmap address space as a TLM-2.0 bus: a CPU (DmiInitiator) runs
// against RAM through DMI, talks to a UART modelled with QEMU-style MMIO
// callbacks and to a timer that is an ordinary TLM target bound as a region;
// then the memory controller remaps RAM and the CPU's DMI pointer is
// invalidated exactly where the map changed.
#include <iostream>

#include <systemc>
#include <tlm_utils/simple_target_socket.h>

#include "tlmmap/tlmmap.hpp"

using sc_core::SC_NS;
using sc_core::sc_time;

// An existing TLM device: a free-running timer whose counter register reads
// the simulated time in nanoseconds.
struct Timer : sc_core::sc_module {
  tlm_utils::simple_target_socket<Timer, 32> socket{"socket"};
  explicit Timer(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    socket.register_b_transport(this, &Timer::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    const uint32_t now = static_cast<uint32_t>((sc_core::sc_time_stamp() + delay).to_seconds() * 1e9);
    if (gp.is_read() && gp.get_address() == 0 && gp.get_data_length() == 4) {
      std::memcpy(gp.get_data_ptr(), &now, 4);
      gp.set_response_status(tlm::TLM_OK_RESPONSE);
    } else {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
  }
};

struct Cpu : sc_core::sc_module {
  tlmmap::DmiInitiator<32> port{"port"};
  std::function<void()> remap;
  SC_HAS_PROCESS(Cpu);
  explicit Cpu(sc_core::sc_module_name name) : sc_core::sc_module(name) { SC_THREAD(run); }

  void run() {
    sc_time t = sc_core::SC_ZERO_TIME;
    for (uint32_t i = 0; i < 1024; ++i) port.write<uint32_t>(0x80000000 + 4 * i, i * i, t);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < 1024; ++i) sum += port.read<uint32_t>(0x80000000 + 4 * i, t);
    std::cout << "sum of squares " << sum << " (" << port.dmi_accesses() << " of 2048 accesses through DMI)\n";
    for (char c : std::string("hello from the CPU\n")) port.write<uint8_t>(0x10000000, c, t);
    wait(t);
    t = sc_core::SC_ZERO_TIME;
    std::cout << "timer reads " << port.read<uint32_t>(0x10001000, t) << " ns at " << sc_core::sc_time_stamp() << "\n";
    std::cout << "DMI grants held: " << port.dmi_cache().grants().size() << "\n";
    remap();
    std::cout << "after the remap: " << port.dmi_cache().grants().size() << " grants held, "
              << port.dmi_cache().invalidations() << " invalidation(s) received\n";
    std::cout << "RAM now at 0x40000000: word 3 = " << port.read<uint32_t>(0x4000000c, t) << "\n";
  }
};

int sc_main(int, char*[]) {
  using namespace std::chrono_literals;
  tlmmap::Bus<32> bus{"memory"};  // a root container, its address space and a target socket

  tlmmap::RamRegion ram{"ram", 0x100000};
  ram.set_latency(1ns, 1ns);
  tlmmap::MmioOps uart_ops;
  uart_ops.valid.max_access_size = 4;
  uart_ops.write = [](uint64_t offset, uint64_t value, unsigned) {
    if (offset == 0) std::cout << static_cast<char>(value);
  };
  uart_ops.read = [](uint64_t, unsigned) -> uint64_t { return 0; };
  tlmmap::MmioRegion uart{"uart", 0x100, uart_ops};
  uart.set_latency(20ns, 20ns);
  Timer timer{"timer"};
  {
    tlmmap::Transaction build;
    bus.map(0x80000000, ram);
    bus.map(0x10000000, uart);
    bus.bind(timer.socket, 0x10001000, 0x1000);  // an existing TLM target, in one call
  }
  Cpu cpu{"cpu"};
  cpu.port.socket.bind(bus.target_socket);
  cpu.remap = [&] { ram.set_address(0x40000000); };

  std::cout << tlmmap::mtree_text({&bus.space()}, {true, false});
  sc_core::sc_start();
  std::cout << tlmmap::mtree_text({&bus.space()}, {true, false});
  return 0;
}
