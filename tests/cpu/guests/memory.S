// DMI: RAM at 0x90000000 is swapped for another by the bench (a map change
// while the CPU holds a grant); a ROM device at 0x20000000 is read directly,
// takes a command (and leaves romd mode), answers from its callback, and
// goes back to romd mode.
#include "bench.h"
.globl _start
_start:
  li s0, REPORT
  li s1, 0x90000000
  li t1, 0x1111
  sd t1, 0(s1)
  ld t1, 0(s1)
  report t1              // 0x1111 from the first RAM
  li t1, 1
  sd t1, 8(s0)           // bench: swap the RAM at 0x90000000
  j 1f                   // a map change counts from the next translated block
1:
  ld t1, 0(s1)
  report t1              // what the second RAM holds
  li s2, 0x20000000
  ld t1, 0(s2)
  report t1              // romd: the device's memory
  li t1, 0x98
  sd t1, 0(s2)           // a command: the device leaves romd mode
  ld t1, 0(s2)
  report t1              // from the device's callback
  li t1, 0xff
  sd t1, 0(s2)           // back to romd mode
  ld t1, 0(s2)
  report t1              // the device's memory again
  li t1, 100000          // a counted loop for the quantum keeper
2: addi t1, t1, -1
  bnez t1, 2b
  exit
