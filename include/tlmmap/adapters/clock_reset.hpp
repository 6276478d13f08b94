// The clock and reset pins every bridge has. Bridges sample their pins on
// the rising edge of `clk` (an sc_clock of the user's) and drive right after
// it, as flip-flops would; `rst` is active low unless the bridge is told
// otherwise. While a bridge has nothing to do it waits on events, not on
// the clock, so an idle bridge costs the simulation nothing.
#pragma once

#include <cstdint>

#include <systemc>

#include "tlmmap/adapters/amba.hpp"

namespace tlmmap::adapters {

struct BridgeOptions {
  ResetPolarity reset = ResetPolarity::active_low;
  unsigned max_outstanding = 16;  // AXI bursts per direction awaiting a response
};

class ClockReset {
 public:
  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_in<bool> rst{"rst"};

  // Rising edges at which the bridge woke up: what it cost the simulation
  // (it does not grow while the bridge is idle).
  uint64_t clock_edges() const noexcept { return edges_; }

 protected:
  explicit ClockReset(ResetPolarity polarity) : polarity_(polarity) {}
  bool in_reset() const { return rst.read() == (polarity_ == ResetPolarity::active_high); }
  void wait_for_reset_end() {
    while (in_reset()) sc_core::wait(rst.value_changed_event());
  }
  // Every wait of a bridge for the clock goes through here.
  void wait_edge() {
    sc_core::wait(clk.posedge_event());
    ++edges_;
  }

  // The clocked process of a manager bridge: it sleeps on `wake` while its
  // engine is idle, holds the engine in reset while `rst` is asserted, and
  // otherwise, at each rising edge, samples the pins into the engine
  // (`step`) and drives the engine's outputs (`drive`).
  template <class Engine, class Step, class Drive>
  [[noreturn]] void run_manager(Engine& engine, sc_core::sc_event& wake, Step step, Drive drive) {
    drive();
    for (;;) {
      if (engine.idle()) sc_core::wait(wake);
      wait_edge();
      if (in_reset()) {
        engine.reset();
        drive();
        wait_for_reset_end();
        continue;
      }
      step();
      drive();
    }
  }

 private:
  ResetPolarity polarity_;
  uint64_t edges_ = 0;
};

}  // namespace tlmmap::adapters
