// Bare-metal M-mode firmware for riscv-virt (virt_machine_test.cpp): the
// UART's receive interrupt through the PLIC (source 10, context 0 -> MEIP)
// and a machine timer interrupt from the CLINT's MTIMECMP (MTIP). Ends
// through sifive_test: pass, or fail with a code saying what went wrong:
//   1 a synchronous exception   2 an unexpected interrupt cause
//   3 the claim was not source 10   4 the byte read was not 'x'
//   5 a second claim was not 0 (nothing pending after completion)
// A claim of 0 in the handler is a spurious interrupt (the hart samples its
// lines once per quantum, so MEIP may still look high): it just returns.
//   6 the timer interrupt came before MTIME reached MTIMECMP
.option arch, +zicsr
#define UART 0x10000000
#define PLIC 0x0c000000
#define PLIC_ENABLE0 0x0c002000
#define PLIC_CONTEXT0 0x0c200000
#define MTIMECMP 0x02004000
#define MTIME 0x0200bff8
#define TEST 0x100000

.macro fail code
  li a0, (\code << 16) | 0x3333
  j finish
.endm

.globl _start
_start:
  la t0, trap
  csrw mtvec, t0
  li t0, PLIC
  li t1, 1
  sw t1, 4*10(t0)           // priority of source 10
  li t0, PLIC_ENABLE0
  li t1, 1 << 10
  sw t1, 0(t0)              // enabled for context 0 (hart 0, M)
  li t0, PLIC_CONTEXT0
  sw zero, 0(t0)            // threshold 0
  li t0, UART
  li t1, 1
  sb t1, 1(t0)              // IER: received data available
  li t1, 1 << 11
  csrs mie, t1              // MEIE
  csrsi mstatus, 8          // MIE
  li s2, 0
1: wfi
  beqz s2, 1b               // the trap sets s2 (claimed source), s3 (byte)
  li t1, 10
  bne s2, t1, bad_claim
  li t1, 'x'
  bne s3, t1, bad_byte
  li t0, PLIC_CONTEXT0
  lw t1, 4(t0)
  bnez t1, bad_second_claim

  li t0, MTIME
  ld s6, 0(t0)
  addi s6, s6, 100          // 10 us at 10 MHz
  li t0, MTIMECMP
  sd s6, 0(t0)
  li t1, 1 << 7
  csrs mie, t1              // MTIE
  li s4, 0
2: wfi
  beqz s4, 2b
  bltu s5, s6, early_timer  // s5: MTIME seen in the handler
  li a0, 0x5555
finish:
  li t0, TEST
  sw a0, 0(t0)
3: j 3b

bad_claim: fail 3
bad_byte: fail 4
bad_second_claim: fail 5
early_timer: fail 6

.align 4
trap:
  csrr t0, mcause
  bgez t0, synchronous
  slli t0, t0, 1
  srli t0, t0, 1
  li t1, 11
  beq t0, t1, external
  li t1, 7
  beq t0, t1, timer
  fail 2
synchronous:
  fail 1
external:
  li t0, PLIC_CONTEXT0
  lw t1, 4(t0)              // claim
  beqz t1, spurious         // MEIP seen before it fell: nothing to claim
  mv s2, t1
  li t1, UART
  lbu s3, 0(t1)             // RBR: the line goes low
  sw s2, 4(t0)              // complete
spurious:
  mret
timer:
  li t0, MTIME
  ld s5, 0(t0)
  li t0, MTIMECMP
  li t1, -1
  sd t1, 0(t0)              // MTIP goes low
  li s4, 1
  mret
