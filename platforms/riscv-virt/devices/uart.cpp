// The console: an ns16550A at the map's "uart" region, PLIC source 10
// (QEMU virt's UART0_IRQ). TX goes to stdout or --uart-output; RX comes from
// the --uart-input script, or else from the host's stdin (polled every
// millisecond of simulated time until it ends). What the script sends
// reaches the UART kTypingDelay of simulated time later, as keys typed into
// QEMU arrive while the guest runs on: a key typed at U-Boot's countdown
// then arrives during the countdown, as on QEMU, not before it starts.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <deque>

#include "tlmmap/devices/uart_16550.hpp"
#include "tlmmap/devices/uart_script.hpp"
#include "virt_device.hpp"
#include "virt_machine.hpp"

namespace {

constexpr unsigned kIrq = 10;
constexpr uint32_t kClockHz = 3686400;  // what QEMU's tree tells drivers
const sc_core::sc_time kTypingDelay{1, sc_core::SC_MS};

struct Console : tlmmap::virt::VirtDevice {
  tlmmap::Uart16550 uart{"uart"};
  tlmmap::MmioRegion& region;
  std::FILE* out = stdout;
  bool flush_each = false;
  tlmmap::UartScript script;
  sc_core::sc_event_queue typed{"typed"};
  std::deque<std::string> in_flight;  // sent by the script, not yet arrived

  explicit Console(tlmmap::virt::VirtContext& machine) : region(machine.region<tlmmap::MmioRegion>("uart")) {
    region.set_ops(uart.ops());
    uart.irq.bind(machine.irq(kIrq));
    const auto& config = machine.config();
    if (!config.uart_output.empty()) {
      out = std::fopen(config.uart_output.c_str(), "wb");
      if (out == nullptr) {
        const std::string message = "riscv-virt: cannot write the UART output '" + config.uart_output + "'";
        SC_REPORT_ERROR("tlmmap/virt", message.c_str());
      }
    }
    flush_each = isatty(fileno(out)) != 0;
    if (!config.uart_input.empty()) {
      script = tlmmap::UartScript::load_file(config.uart_input);
      script.set_sender([this](const std::string& bytes) {
        in_flight.push_back(bytes);
        typed.notify(kTypingDelay);
      });
      sc_core::sc_spawn_options arrival;
      arrival.spawn_method();
      arrival.set_sensitivity(&typed);
      arrival.dont_initialize();
      sc_core::sc_spawn(
          [this] {
            uart.receive(in_flight.front());
            in_flight.pop_front();
          },
          "uart_typed", &arrival);
      script.start();
      uart.set_output([this](char c) {
        put(c);
        script.output(c);
      });
    } else {
      uart.set_output([this](char c) { put(c); });
      sc_core::sc_spawn([this] { poll_stdin(); }, "uart_stdin");
    }
  }
  ~Console() override {
    if (out != stdout) {
      std::fclose(out);
    } else {
      std::fflush(out);
    }
  }

  void put(char c) {
    std::fputc(c, out);
    if (flush_each || c == '\n') std::fflush(out);
  }

  void poll_stdin() {
    for (;;) {
      sc_core::wait(1, sc_core::SC_MS);
      pollfd fd{0, POLLIN, 0};
      if (::poll(&fd, 1, 0) <= 0) continue;
      char buffer[256];
      const ssize_t n = ::read(0, buffer, sizeof buffer);
      if (n <= 0) return;  // end of input
      uart.receive(std::string(buffer, static_cast<std::size_t>(n)));
    }
  }

  void reset() override { uart.reset(); }
  void save_state(tlmmap::DeviceState& state) const override { uart.save_state(state, "uart."); }
  void restore_state(const tlmmap::DeviceState& state) override { uart.restore_state(state, "uart."); }

  void describe(tlmmap::virt::VirtTree& tree) const override {
    // QEMU's node spans 0x100 bytes (its 8 registers repeat no further).
    const std::string node = tree.soc_node("serial", region, {"ns16550a"}, 0x100);
    tree.dt.set_u32(node, "clock-frequency", kClockHz);
    tree.interrupts(node, kIrq);
    tree.dt.set_string("/chosen", "stdout-path", node);
  }
};

}  // namespace

TLMMAP_VIRT_DEVICE(uart) { return std::make_unique<Console>(machine); }
