// The RTL APB timer of riscv-virt (platforms/riscv-virt/devices/apb_timer.cpp:
// tests/rtl/apb_timer.sv behind the TLM-to-APB bridge, 32.768 kHz, PLIC source
// 14): its ID, a register written by halves (PSTRB), then a one-shot count
// of LOAD clocks whose interrupt is taken through the PLIC, claimed,
// cleared at the block and completed; then a periodic one, twice.
// riscv-virt only: QEMU's virt has no such device.
#include "firmware.h"

#define APB_TIMER_BASE 0x10020000UL
#define APB_TIMER_IRQ 14
#define TIMER_CTRL 0x00  // [0] run, [1] interrupt enable, [2] periodic
#define TIMER_LOAD 0x04
#define TIMER_COUNT 0x08  // read-only
#define TIMER_STATUS 0x0c // [0] expired, write 1 to clear
#define TIMER_SCRATCH 0x10
#define TIMER_ID 0x14
#define CTRL_RUN 1u
#define CTRL_IE 2u
#define CTRL_PERIODIC 4u
#define LOAD 100  // timer clocks
#define TIMER_HZ 32768

static volatile unsigned interrupts;
static volatile unsigned spurious;
static volatile uint64_t irq_at;

static uint32_t timer_read(unsigned reg) { return mmio_read32(APB_TIMER_BASE + reg); }
static void timer_write(unsigned reg, uint32_t v) { mmio_write32(APB_TIMER_BASE + reg, v); }

// A claim of 0 is a spurious interrupt (the PLIC allows it): the CPU model
// applies its interrupt lines between runs of instructions, so MEIP can
// still look high for a moment after a completion.
static void on_trap(uint64_t mcause, uint64_t mepc) {
  (void)mepc;
  if (mcause != (MCAUSE_INTERRUPT | 11)) firmware_fail(1, "not a machine external interrupt");
  const uint32_t source = plic_claim(PLIC_CONTEXT_M);
  if (source == 0) {
    ++spurious;
    return;
  }
  if (source != APB_TIMER_IRQ) firmware_fail(2, "the PLIC claimed another source");
  if (timer_read(TIMER_STATUS) & 1) {
    irq_at = clint_mtime();
    ++interrupts;
    timer_write(TIMER_STATUS, 1);
    (void)timer_read(TIMER_STATUS);  // the write has reached the block: its line is low
  }
  plic_complete(PLIC_CONTEXT_M, source);
}

int main(void) {
  set_trap_handler(on_trap);
  CHECK(timer_read(TIMER_ID) == 0x41504254);  // "APBT"
  printf("apb-timer: id %08lx\n", (unsigned long)timer_read(TIMER_ID));

  timer_write(TIMER_SCRATCH, 0x11223344);
  *(volatile uint16_t*)(APB_TIMER_BASE + TIMER_SCRATCH + 1) = 0xbbaa;  // PSTRB 0b0110
  CHECK(timer_read(TIMER_SCRATCH) == 0x11bbaa44);
  printf("apb-timer: registers and strobes as expected\n");

  plic_set_priority(APB_TIMER_IRQ, 1);
  plic_set_threshold(PLIC_CONTEXT_M, 0);
  plic_enable(PLIC_CONTEXT_M, APB_TIMER_IRQ, 1);
  csr_set(mie, MIP_MEIP);
  csr_set(mstatus, MSTATUS_MIE);

  // One shot: LOAD clocks, then the interrupt.
  timer_write(TIMER_LOAD, LOAD);
  const uint64_t start = clint_mtime();
  timer_write(TIMER_CTRL, CTRL_RUN | CTRL_IE);
  while (interrupts < 1) wfi();
  const uint64_t ticks = irq_at - start;  // of mtime, 10 MHz
  const uint64_t expected = (uint64_t)LOAD * VIRT_TIMEBASE_HZ / TIMER_HZ;
  CHECK(ticks >= expected);
  CHECK(ticks < 2 * expected);
  CHECK((timer_read(TIMER_STATUS) & 1) == 0);
  CHECK(!plic_pending(APB_TIMER_IRQ));
  printf("apb-timer: interrupt after %lu us (LOAD %u clocks at %u Hz: %lu us)\n", (unsigned long)(ticks / 10), LOAD,
         TIMER_HZ, (unsigned long)(expected / 10));

  // Periodic: two more interrupts, then stop it.
  timer_write(TIMER_CTRL, CTRL_RUN | CTRL_IE | CTRL_PERIODIC);
  while (interrupts < 3) wfi();
  timer_write(TIMER_CTRL, 0);
  CHECK(interrupts == 3);
  printf("apb-timer: %u interrupts taken through the PLIC (%u spurious claims)\n", interrupts, spurious);
  return 0;
}
