// The riscv-virt benchmark's guest (benchmarks/virt_bench.cpp): an endless
// loop of batches; the word at MODE (offset 0x100 of the image) chooses
// each batch's kind, and the benchmark changes it between runs.
//   MODE = 0  compute-bound: 1000 rounds of 5 ALU instructions and a branch
//   MODE = 1  MMIO-bound: 1000 polls of the UART's LSR (lbu, andi, addi, bnez)
#define UART 0x10000000
#define LSR 5
.globl _start
_start:
  lui s1, %hi(UART)
  la s0, mode
batch:
  ld t0, 0(s0)
  bnez t0, mmio
  li t1, 1000
compute:
  add a0, a0, t1
  xor a1, a1, a0
  slli a2, a1, 3
  sub a3, a2, a0
  addi t1, t1, -1
  bnez t1, compute
  j batch
mmio:
  li t1, 1000
poll:
  lbu t2, LSR(s1)
  andi t2, t2, 0x20
  addi t1, t1, -1
  bnez t1, poll
  j batch
.org 0x100
mode: .dword 0
