// WFI until the machine timer line rises; the interrupt handler reads the
// time (rdtime, emulated from the bench's mtime) and a load's count.
#include "bench.h"
.globl _start
_start:
  li s0, REPORT
  la t0, mtrap
  csrw mtvec, t0
  li t0, 1 << 7          // MTIE
  csrs mie, t0
  csrsi mstatus, 8       // MIE
1: wfi
  j 1b
.balign 4
mtrap:
  csrr t1, mcause
  report t1
  rdtime t1
  report t1
  exit
