// The CPU test bench's map (tests/cpu/riscv_cpu_test.cpp).
#define REPORT 0x10000000  /* sd: the test records the value; +8: a command to the bench */
#define EXIT 0x100000      /* sw: ends the simulation */
.option arch, +zicsr
.macro report reg
  sd \reg, 0(s0)
.endm
.macro exit
  li t5, EXIT
  li t6, 0x5555
  sw t6, 0(t5)
1: j 1b
.endm
