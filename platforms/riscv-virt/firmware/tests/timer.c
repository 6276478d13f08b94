// Machine timer interrupts: mtimecmp in the ACLINT, WFI until the
// interrupt, mcause and the time it came at.
//
// As an OS's handler does, it ignores an interrupt taken while no deadline
// is armed: on a loosely-timed platform the CPU may see MTIP still high
// until its next synchronisation after the handler's mtimecmp write (QEMU
// lowers it at once; there such echoes never come).
#include "firmware.h"

#define TICKS 10000  // 1 ms at 10 MHz
#define ROUNDS 3

static volatile unsigned interrupts;
static volatile unsigned echoes;
static volatile int armed;
static volatile uint64_t deadline;
static volatile uint64_t seen_at;

static void on_trap(uint64_t mcause, uint64_t mepc) {
  (void)mepc;
  if (mcause != (MCAUSE_INTERRUPT | 7)) firmware_fail(1, "not a machine timer interrupt");
  if (!armed) {
    ++echoes;
    return;
  }
  armed = 0;
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
    armed = 1;
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
  printf("timer: %u late echoes ignored\n", echoes);
  return 0;
}
