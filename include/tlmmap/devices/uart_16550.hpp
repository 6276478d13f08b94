// An ns16550A UART (8 byte-wide registers at offsets 0-7, little endian),
// as OpenSBI, U-Boot and Linux's 8250 driver program it:
//   0 RBR (read) / THR (write) / DLL (LCR.DLAB)   4 MCR
//   1 IER / DLM (LCR.DLAB)                         5 LSR (read only)
//   2 IIR (read) / FCR (write)                     6 MSR (read only)
//   3 LCR                                          7 SCR
//
//   tlmmap::Uart16550 uart{"uart"};
//   region.set_ops(uart.ops());              // any MMIO region of 8 bytes or more
//   uart.irq.bind(line);                     // level: an enabled cause is pending
//   uart.set_output([](char c) { std::cout << c; });
//   uart.receive("version\n");               // host -> guest bytes
//
// Transmission is instantaneous (THR is always empty again, LSR.THRE and
// LSR.TEMT stay set). Received bytes wait in a host queue and enter the RX
// FIFO (16 bytes with FCR.FE, else 1) as room appears, so nothing is ever
// overrun and the line status never shows errors. The divisor latch is kept
// but timing does not depend on it. MCR.LOOP loops THR back into the RX path
// and MCR's outputs into MSR, as the 8250 driver's probe expects.
// Interrupt causes by priority: received data (IIR 0x4 at or above the FIFO
// trigger level, 0xc "character timeout" below it), THR empty (0x2, cleared
// by reading IIR or writing THR). The modem lines never change, so there is
// no modem-status cause; there are no line-status errors either.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include <systemc>

#include "tlmmap/core/mmio_ops.hpp"
#include "tlmmap/devices/device_state.hpp"

namespace tlmmap {

class Uart16550 : public sc_core::sc_module {
 public:
  sc_core::sc_out<bool> irq{"irq"};

  explicit Uart16550(sc_core::sc_module_name name);

  // Byte-wide registers; 1 to 8-byte accesses reach the register at the
  // access's offset (QEMU's serial_mm). Debug reads have no side effect.
  MmioOps ops();

  // Where transmitted bytes go (nothing by default).
  void set_output(std::function<void(char)> output) { output_ = std::move(output); }
  // Bytes for the guest to receive, in order.
  void receive(const std::string& bytes);
  // Bytes received but not yet read by the guest.
  std::size_t pending_input() const noexcept { return input_.size() + fifo_.size(); }

  // The registers as a driver sees them (no side effects).
  uint8_t peek(unsigned offset) const;

  // Machine reset: registers and the RX FIFO as at power-on; host input
  // not yet in the FIFO stays queued.
  void reset();
  // Checkpoints: the registers and the received bytes the guest has not
  // read yet (FIFO and host side), under `prefix` (device_state.hpp).
  void save_state(DeviceState& state, const std::string& prefix) const;
  void restore_state(const DeviceState& state, const std::string& prefix);

 private:
  uint8_t read(unsigned offset);
  void write(unsigned offset, uint8_t value);
  void transmit(uint8_t byte);
  void refill();
  uint8_t iir() const;
  uint8_t lsr() const;
  uint8_t msr() const;
  unsigned fifo_depth() const { return (fcr_ & 0x01) != 0 ? 16 : 1; }
  unsigned trigger_level() const;
  void update_irq();

  std::function<void(char)> output_;
  std::deque<uint8_t> input_;  // host side, not yet in the FIFO
  std::deque<uint8_t> fifo_;   // the RX FIFO
  uint8_t ier_ = 0, fcr_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, dll_ = 0, dlm_ = 0;
  bool thr_interrupt_ = false;  // THR-empty cause latched until IIR read / THR write
};

}  // namespace tlmmap
