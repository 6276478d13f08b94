// The ns16550A UART as its drivers (OpenSBI, U-Boot, Linux 8250) use it.
#include <gtest/gtest.h>

#include "device_bench.hpp"
#include "tlmmap/devices/uart_16550.hpp"

namespace {

using tlmmap::test::DeviceBench;
using tlmmap::test::settle;

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

struct Uart {
  tlmmap::Uart16550 uart{"uart"};
  sc_core::sc_signal<bool> irq{"irq_line"};
  DeviceBench bus{"serial", 8, uart.ops()};
  std::string printed;
  Uart() {
    uart.irq.bind(irq);
    uart.set_output([this](char c) { printed.push_back(c); });
    settle();
  }
  uint64_t r(unsigned reg) { return bus.read(reg, 1); }
  void w(unsigned reg, uint8_t value) { ASSERT_TRUE(bus.write(reg, value, 1)); }
};

TEST(Uart16550, TransmitsEveryByteWrittenToThrAndIsAlwaysReadyForMore) {
  Uart u;
  EXPECT_EQ(u.r(LSR) & 0x60, 0x60u);  // THRE and TEMT
  for (char c : std::string("OpenSBI\n")) u.w(THR, static_cast<uint8_t>(c));
  EXPECT_EQ(u.printed, "OpenSBI\n");
  EXPECT_EQ(u.r(LSR) & 0x60, 0x60u);
}

TEST(Uart16550, DivisorLatchSharesOffsetsZeroAndOneWhileDlabIsSet) {
  Uart u;
  u.w(LCR, 0x83);  // DLAB, 8N1
  u.w(DLL, 0x01);
  u.w(DLM, 0x02);
  EXPECT_EQ(u.r(DLL), 0x01u);
  EXPECT_EQ(u.r(DLM), 0x02u);
  EXPECT_EQ(u.printed, "");  // a divisor write transmits nothing
  u.w(LCR, 0x03);
  EXPECT_EQ(u.r(IER), 0x00u);
  EXPECT_EQ(u.r(LCR), 0x03u);
}

TEST(Uart16550, ReceivedBytesAreReadFromRbrWithDataReadyInLsr) {
  Uart u;
  EXPECT_EQ(u.r(LSR) & 0x01, 0u);
  u.uart.receive("ab");
  EXPECT_EQ(u.r(LSR) & 0x01, 1u);
  EXPECT_EQ(u.r(RBR), uint64_t{'a'});
  EXPECT_EQ(u.r(RBR), uint64_t{'b'});
  EXPECT_EQ(u.r(LSR) & 0x01, 0u);
  EXPECT_EQ(u.uart.pending_input(), 0u);
}

TEST(Uart16550, ReceiveInterruptFollowsIerAndTheFifoTriggerLevel) {
  Uart u;
  u.w(FCR, 0x81);  // FIFO on, trigger level 8
  EXPECT_EQ(u.r(IIR), 0xc1u);  // FIFOs enabled, nothing pending
  u.uart.receive("x");
  settle();
  EXPECT_FALSE(u.irq.read());  // receive interrupt not enabled
  u.w(IER, 0x01);
  settle();
  EXPECT_TRUE(u.irq.read());
  EXPECT_EQ(u.r(IIR), 0xccu);  // below the trigger level: character timeout
  u.uart.receive("1234567");
  EXPECT_EQ(u.r(IIR), 0xc4u);  // 8 bytes: received data available
  for (int i = 0; i < 8; ++i) u.r(RBR);
  settle();
  EXPECT_FALSE(u.irq.read());
  EXPECT_EQ(u.r(IIR), 0xc1u);
}

TEST(Uart16550, ThrEmptyInterruptIsRaisedByEnablingAndAcknowledgedByReadingIir) {
  Uart u;
  u.w(IER, 0x02);
  settle();
  EXPECT_TRUE(u.irq.read());
  EXPECT_EQ(u.r(IIR), 0x02u);
  settle();
  EXPECT_FALSE(u.irq.read());  // the read acknowledged it
  EXPECT_EQ(u.r(IIR), 0x01u);
  u.w(THR, 'z');  // transmitted at once: THR empty again
  settle();
  EXPECT_TRUE(u.irq.read());
  u.w(IER, 0x00);
  settle();
  EXPECT_FALSE(u.irq.read());
}

TEST(Uart16550, ReceivedDataTakesPriorityOverThrEmpty) {
  Uart u;
  u.w(IER, 0x03);
  u.uart.receive("k");
  EXPECT_EQ(u.r(IIR), 0x04u);
  u.r(RBR);
  EXPECT_EQ(u.r(IIR), 0x02u);
}

TEST(Uart16550, FifoHoldsSixteenBytesAndTheRestWaitsOnTheHostSide) {
  Uart u;
  u.w(FCR, 0x01);
  u.uart.receive(std::string(20, 'q') + "!");
  EXPECT_EQ(u.uart.pending_input(), 21u);
  std::string got;
  while (u.r(LSR) & 0x01) got.push_back(static_cast<char>(u.r(RBR)));
  EXPECT_EQ(got, std::string(20, 'q') + "!");
  u.uart.receive("abc");
  u.w(FCR, 0x03);  // RX FIFO reset drops what it holds
  EXPECT_EQ(u.r(LSR) & 0x01, 0u);
}

TEST(Uart16550, LoopbackReturnsTransmittedBytesAndModemOutputs) {
  Uart u;
  EXPECT_EQ(u.r(MSR), 0xb0u);  // DCD, DSR, CTS
  u.w(MCR, 0x1f);              // loop with DTR, RTS, OUT1, OUT2
  EXPECT_EQ(u.r(MSR), 0xf0u);
  u.w(THR, 0x5a);
  EXPECT_EQ(u.printed, "");
  EXPECT_EQ(u.r(RBR), 0x5au);
  u.w(MCR, 0x00);
  EXPECT_EQ(u.r(MSR), 0xb0u);
}

TEST(Uart16550, ScratchRegisterKeepsItsValueAndDebugReadsHaveNoSideEffects) {
  Uart u;
  u.w(SCR, 0xa5);
  EXPECT_EQ(u.r(SCR), 0xa5u);
  u.uart.receive("d");
  EXPECT_EQ(u.uart.peek(RBR), uint64_t{'d'});
  EXPECT_EQ(u.uart.peek(RBR), uint64_t{'d'});
  EXPECT_EQ(u.r(RBR), uint64_t{'d'});
  EXPECT_EQ(u.uart.pending_input(), 0u);
}

TEST(Uart16550, WideAlignedAccessesReachTheRegisterAtTheirOffset) {
  Uart u;
  EXPECT_EQ(u.bus.read(MSR, 2), 0xb0u);  // the register's value only
  EXPECT_EQ(u.bus.read(LSR, 4), DeviceBench::refused);  // unaligned
  EXPECT_TRUE(u.bus.write(THR, 'W', 4));
  EXPECT_EQ(u.printed, "W");
}

// Bytes received but not read yet (in the FIFO and on the host side) are
// in a checkpoint: the guest reads them after the restore.
TEST(Uart16550, ACheckpointKeepsTheBytesTheGuestHasNotRead) {
  Uart u;
  u.uart.receive("boot\n");
  EXPECT_EQ(u.r(RBR), uint64_t{'b'});
  tlmmap::DeviceState state;
  u.uart.save_state(state, "uart.");
  EXPECT_EQ(tlmmap::bytes_value(state, "uart.rx"), "oot\n");
  while (u.r(LSR) & 0x01) u.r(RBR);  // read after the checkpoint
  EXPECT_EQ(u.uart.pending_input(), 0u);
  u.uart.restore_state(state, "uart.");
  std::string read;
  while (u.r(LSR) & 0x01) read.push_back(static_cast<char>(u.r(RBR)));
  EXPECT_EQ(read, "oot\n");
}

}  // namespace
