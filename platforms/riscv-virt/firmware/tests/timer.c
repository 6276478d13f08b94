// Machine timer interrupts: mtimecmp in the ACLINT, WFI until the
// interrupt, mcause and the time it came at.
#include "firmware.h"

#define TICKS 10000  // 1 ms at 10 MHz
#define ROUNDS 3

static volatile unsigned interrupts;
static volatile uint64_t deadline;
static volatile uint64_t seen_at;

static void on_trap(uint64_t mcause, uint64_t mepc) {
  (void)mepc;
  if (mcause != (MCAUSE_INTERRUPT | 7)) firmware_fail(1, "not a machine timer interrupt");
  seen_at = clint_mtime();
  ++interrupts;
  clint_set_mtimecmp(UINT64_MAX);  // lowers MTIP
}

int main(void) {
  set_trap_handler(on_trap);
  clint_set_mtimecmp(UINT64_MAX);
  csr_set(mie, MIP_MTIP);
  csr_set(mstatus, MSTATUS_MIE);
  for (unsigned round = 1; round <= ROUNDS; ++round) {
    deadline = clint_mtime() + TICKS;
    clint_set_mtimecmp(deadline);
    while (interrupts < round) wfi();
    CHECK(seen_at >= deadline);
    CHECK((csr_read(mip) & MIP_MTIP) == 0);
    printf("timer: interrupt %u at mtime %lu (deadline %lu)\n", round, (unsigned long)seen_at,
           (unsigned long)deadline);
  }
  // Masked by mie, the timer still shows in mip.
  csr_clear(mie, MIP_MTIP);
  clint_set_mtimecmp(clint_mtime());
  uint64_t spins = 0;
  while ((csr_read(mip) & MIP_MTIP) == 0 && ++spins < 100000000) {
  }
  CHECK(csr_read(mip) & MIP_MTIP);
  CHECK(interrupts == ROUNDS);
  return 0;
}
