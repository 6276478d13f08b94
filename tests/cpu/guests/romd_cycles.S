// A ROM device at 0x20000000 goes through 20 command cycles: a command
// write takes it out of romd mode, a read answers from its callback, 0xff
// puts it back in romd mode; then 1000 reads of its memory, which must come
// from its DMI grant again (the test counts b_transport calls).
#include "bench.h"
.globl _start
_start:
  li s0, REPORT
  li s2, 0x20000000
  li s3, 20              // rounds
  li s4, 0               // the callback's answers, summed
  li s5, 0               // the memory's words, summed
1:
  li t1, 0x98
  sw t1, 0(s2)           // a command: the device leaves romd mode
  lw t1, 0(s2)
  add s4, s4, t1         // from the callback
  li t1, 0xff
  sw t1, 0(s2)           // read array: romd mode again
  li t2, 1000
2: ld t1, 8(s2)
  add s5, s5, t1
  addi t2, t2, -1
  bnez t2, 2b
  addi s3, s3, -1
  bnez s3, 1b
  report s4
  report s5
  exit
