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
  struct Typed {
    sc_core::sc_time arrival;
    std::string bytes;
  };
  std::deque<Typed> in_flight;  // sent by the script, not yet arrived

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
      script.set_sender([this](const std::string& bytes) { type(bytes, kTypingDelay); });
      sc_core::sc_spawn_options arrival;
      arrival.spawn_method();
      arrival.set_sensitivity(&typed);
      arrival.dont_initialize();
      sc_core::sc_spawn(
          [this] {
            uart.receive(in_flight.front().bytes);
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

  void type(const std::string& bytes, const sc_core::sc_time& delay) {
    in_flight.push_back({sc_core::sc_time_stamp() + delay, bytes});
    typed.notify(delay);
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
  // With a script: where it is, and what it typed that has not arrived yet
  // (with the time left until it does). A checkpoint made without a script
  // restores with one from its start; one made with a script restores
  // without one as stdin input.
  void save_state(tlmmap::DeviceState& state) const override {
    uart.save_state(state, "uart.");
    if (!scripted()) return;
    script.save_state(state, "uart.script.");
    state["uart.script.in_flight"] = in_flight.size();
    for (std::size_t i = 0; i < in_flight.size(); ++i) {
      const std::string key = "uart.script.in_flight." + std::to_string(i);
      state[key + ".delay_ps"] = static_cast<uint64_t>((in_flight[i].arrival - sc_core::sc_time_stamp()).value());
      tlmmap::save_bytes(state, key, in_flight[i].bytes);
    }
  }
  void restore_state(const tlmmap::DeviceState& state) override {
    uart.restore_state(state, "uart.");
    if (!scripted() || state.count("uart.script.next") == 0) return;
    script.restore_state(state, "uart.script.");
    typed.cancel_all();  // what start() typed belongs to the script's beginning
    in_flight.clear();
    const uint64_t n = tlmmap::state_value(state, "uart.script.in_flight");
    for (uint64_t i = 0; i < n; ++i) {
      const std::string key = "uart.script.in_flight." + std::to_string(i);
      type(tlmmap::bytes_value(state, key),
           sc_core::sc_time::from_value(tlmmap::state_value(state, key + ".delay_ps")));
    }
  }
  bool scripted() const { return !script.steps().empty(); }

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
