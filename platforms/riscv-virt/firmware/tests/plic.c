// The PLIC with the RTC alarm as the interrupt source (source 11 on virt):
// an M-mode external interrupt taken, claimed and completed; the threshold
// masking a source of lower or equal priority; the S-mode context. Lines
// follow the PLIC at once, as on QEMU: a claim lowers MEIP before the next
// instruction (so the interrupt is never taken again: no spurious claim of
// 0), and raising the priority above the threshold raises it as promptly.
#include "firmware.h"

static volatile unsigned claimed;
static volatile uint32_t last_claim;

static void on_trap(uint64_t mcause, uint64_t mepc) {
  (void)mepc;
  if (mcause != (MCAUSE_INTERRUPT | 11)) firmware_fail(1, "not a machine external interrupt");
  const uint32_t id = plic_claim(PLIC_CONTEXT_M);
  if (id == 0) firmware_fail(2, "spurious claim: MEIP was still seen after the last completion");
  last_claim = id;
  mmio_write32(VIRT_RTC_BASE + RTC_CLEAR_INTERRUPT, 1);  // the source's line goes low first
  plic_complete(PLIC_CONTEXT_M, id);
  ++claimed;
}

// The RTC's interrupt line up: an alarm now, with its interrupt enabled.
static void rtc_raise(void) {
  mmio_write32(VIRT_RTC_BASE + RTC_IRQ_ENABLED, 1);
  rtc_set_alarm(rtc_time_ns() + 100000);  // 100 us
}

// Spins until `bit` of mip is set (or not), for at most ~1 s of machine time.
static int wait_mip(uint64_t bit, int set) {
  const uint64_t start = clint_mtime();
  while (((csr_read(mip) & bit) != 0) != set) {
    if (clint_mtime() - start > VIRT_TIMEBASE_HZ) return 0;
  }
  return 1;
}

static int wait_pending(unsigned irq) {
  const uint64_t start = clint_mtime();
  while (!plic_pending(irq)) {
    if (clint_mtime() - start > VIRT_TIMEBASE_HZ) return 0;
  }
  return 1;
}

int main(void) {
  set_trap_handler(on_trap);
  plic_set_priority(VIRT_IRQ_RTC, 1);
  plic_set_threshold(PLIC_CONTEXT_M, 0);
  plic_set_threshold(PLIC_CONTEXT_S, 0);
  plic_enable(PLIC_CONTEXT_S, VIRT_IRQ_RTC, 0);
  plic_enable(PLIC_CONTEXT_M, VIRT_IRQ_RTC, 1);

  // 1. Taken in M-mode: claim gives the source, complete ends it.
  csr_set(mie, MIP_MEIP);
  csr_set(mstatus, MSTATUS_MIE);
  rtc_raise();
  while (claimed == 0) wfi();
  CHECK(last_claim == VIRT_IRQ_RTC);
  CHECK(!plic_pending(VIRT_IRQ_RTC));
  CHECK(plic_claim(PLIC_CONTEXT_M) == 0);  // nothing left to claim
  CHECK((csr_read(mip) & MIP_MEIP) == 0);
  printf("plic: M-mode interrupt from source %u claimed and completed\n", (unsigned)last_claim);
  csr_clear(mstatus, MSTATUS_MIE);

  // 2. Threshold: priority 1 at threshold 1 is pending but masked.
  plic_set_threshold(PLIC_CONTEXT_M, 1);
  rtc_raise();
  CHECK(wait_pending(VIRT_IRQ_RTC));
  CHECK((csr_read(mip) & MIP_MEIP) == 0);
  CHECK(plic_claim(PLIC_CONTEXT_M) == 0);
  plic_set_priority(VIRT_IRQ_RTC, 2);  // above the threshold now
  CHECK((csr_read(mip) & MIP_MEIP) != 0);  // at once
  const uint32_t id = plic_claim(PLIC_CONTEXT_M);
  CHECK(id == VIRT_IRQ_RTC);
  CHECK((csr_read(mip) & MIP_MEIP) == 0);  // claimed: lowered at once
  mmio_write32(VIRT_RTC_BASE + RTC_CLEAR_INTERRUPT, 1);
  plic_complete(PLIC_CONTEXT_M, id);
  printf("plic: threshold masks priority <= threshold\n");

  // 3. S-mode context: the source enabled there only raises SEIP.
  plic_enable(PLIC_CONTEXT_M, VIRT_IRQ_RTC, 0);
  plic_enable(PLIC_CONTEXT_S, VIRT_IRQ_RTC, 1);
  rtc_raise();
  CHECK(wait_mip(MIP_SEIP, 1));
  CHECK((csr_read(mip) & MIP_MEIP) == 0);
  CHECK(plic_claim(PLIC_CONTEXT_M) == 0);
  CHECK(plic_claim(PLIC_CONTEXT_S) == VIRT_IRQ_RTC);
  mmio_write32(VIRT_RTC_BASE + RTC_CLEAR_INTERRUPT, 1);
  plic_complete(PLIC_CONTEXT_S, VIRT_IRQ_RTC);
  CHECK((csr_read(mip) & MIP_SEIP) == 0);
  printf("plic: S-mode context\n");
  return 0;
}
