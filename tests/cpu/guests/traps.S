// Synchronous traps entered by the model: ecall from M, S and U, with
// delegation of U's ecall to S; an MMIO write from U-mode.
#include "bench.h"
.globl _start
_start:
  li s0, REPORT
  csrr t1, mhartid
  report t1
  la t0, mtrap
  csrw mtvec, t0
  la t0, strap
  csrw stvec, t0
  li t0, 1 << 8          // ecall from U goes to S
  csrw medeleg, t0
  la t1, ecall_m
  report t1
ecall_m:
  ecall                  // cause 11 to M
  li t0, 3 << 11         // MPP = S, then mret
  csrc mstatus, t0
  li t0, 1 << 11
  csrs mstatus, t0
  la t0, in_s
  csrw mepc, t0
  mret
in_s:
  la t1, ecall_s
  report t1
ecall_s:
  ecall                  // cause 9 to M
  li t0, 1 << 8          // SPP = U, then sret
  csrc sstatus, t0
  la t0, in_u
  csrw sepc, t0
  sret
in_u:
  li t1, 0x55            // an MMIO write as a user
  report t1
  la t1, ecall_u
  report t1
ecall_u:
  ecall                  // cause 8 to S
1: j 1b
.balign 4
mtrap:
  csrr t1, mcause
  report t1
  csrr t1, mepc
  report t1
  csrr t1, mstatus       // MPP: where the trap came from
  srli t1, t1, 11
  andi t1, t1, 3
  report t1
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  mret
.balign 4
strap:
  csrr t1, scause
  report t1
  csrr t1, sepc
  report t1
  csrr t1, sstatus       // SPP
  srli t1, t1, 8
  andi t1, t1, 1
  report t1
  exit
