// Accesses where nothing answers raise the RISC-V access faults, as on QEMU
// (also in a page a device shares, past the device's registers):
// a load from a hole of the map (0x8000000) is a load access fault (mcause
// 5), a store a store/AMO access fault (7), a jump there an instruction
// access fault (1); mepc is the faulting instruction, mtval the address.
// The handler skips the access (or returns from the call) and the program
// checks what it recorded.
#include "firmware.h"

#define HOLE 0x8000000UL

static volatile uint64_t cause, epc, tval;
static volatile uint64_t causes[8], epcs[8], tvals[8];  // every fault, in order
static volatile unsigned faults;
static volatile uintptr_t return_to;

static void on_trap(uint64_t mcause, uint64_t mepc) {
  cause = mcause;
  epc = mepc;
  tval = csr_read(mtval);
  if (faults < 8) {
    causes[faults] = mcause;
    epcs[faults] = mepc;
    tvals[faults] = tval;
  }
  ++faults;
  if (mcause == 1) {
    csr_write(mepc, return_to);  // the call into the hole: back to its caller
    return;
  }
  const uint16_t low = *(const volatile uint16_t*)mepc;
  csr_write(mepc, mepc + ((low & 3) == 3 ? 4 : 2));  // skip the access
}

// The faulting accesses, at labels the checks compare mepc with.
extern char load_here[], store_here[], c_load_here[], c_store_here[], shared_load_here[], shared_store_here[];
static uint64_t load_from_hole(void) {
  uint64_t value = 0x1234;
  __asm__ volatile(
      "  li t0, %1\n"
      "  addi %0, %0, 1\n"  // an instruction of the same block before the access runs once
      "load_here:\n"
      "  .option push\n  .option norvc\n"
      "  ld %0, 8(t0)\n"
      "  .option pop\n"
      : "+r"(value)
      : "i"(HOLE)
      : "t0", "memory");
  return value;
}
static void store_to_hole(void) {
  __asm__ volatile(
      "  li t0, %0\n"
      "store_here:\n"
      "  .option push\n  .option norvc\n"
      "  sw zero, 0x10(t0)\n"
      "  .option pop\n" ::"i"(HOLE)
      : "t0", "memory");
}

// Compressed forms (c.ld, c.sw) with a register base.
static void compressed_accesses(void) {
  __asm__ volatile(
      "  li a1, %0\n"
      "  .option push\n  .option rvc\n"
      "c_load_here:\n"
      "  c.ld a0, 16(a1)\n"
      "c_store_here:\n"
      "  c.sw a0, 4(a1)\n"
      "  .option pop\n" ::"i"(HOLE)
      : "a0", "a1", "memory");
}

// A hole in a page a device shares: the UART's page past its 0x100 bytes.
#define SHARED_HOLE (VIRT_UART_BASE + 0x200)
static uint64_t device_page_accesses(void) {
  uint64_t value = 0x55;
  __asm__ volatile(
      "  li t0, %1\n"
      "  addi %0, %0, 1\n"  // runs once, before the faulting load
      "shared_load_here:\n"
      "  .option push\n  .option norvc\n"
      "  lw %0, 0(t0)\n"
      "shared_store_here:\n"
      "  sw %0, 8(t0)\n"
      "  .option pop\n"
      : "+r"(value)
      : "i"(SHARED_HOLE)
      : "t0", "memory");
  return value;
}

int main(void) {
  set_trap_handler(on_trap);

  const uint64_t value = load_from_hole();
  CHECK(faults == 1);
  CHECK(cause == 5);
  CHECK(epc == (uintptr_t)load_here);
  CHECK(tval == HOLE + 8);
  CHECK(value == 0x1235);  // the addi ran once, the load wrote nothing
  printf("access_fault: load from %#lx: mcause 5, mtval %#lx\n", HOLE + 8, (unsigned long)tval);

  store_to_hole();
  CHECK(faults == 2);
  CHECK(cause == 7);
  CHECK(epc == (uintptr_t)store_here);
  CHECK(tval == HOLE + 0x10);
  printf("access_fault: store to %#lx: mcause 7\n", HOLE + 0x10);

  compressed_accesses();
  CHECK(faults == 4);
  CHECK(causes[2] == 5 && epcs[2] == (uintptr_t)c_load_here && tvals[2] == HOLE + 16);
  CHECK(causes[3] == 7 && epcs[3] == (uintptr_t)c_store_here && tvals[3] == HOLE + 4);
  printf("access_fault: c.ld and c.sw: mcause 5 then 7\n");

  __asm__ volatile("la %0, 1f" : "=r"(return_to));
  __asm__ volatile("jalr %0\n1:" ::"r"(HOLE + 0x20) : "ra", "memory");
  CHECK(faults == 5);
  CHECK(cause == 1);
  CHECK(epc == HOLE + 0x20);
  CHECK(tval == HOLE + 0x20);
  printf("access_fault: jump to %#lx: mcause 1\n", HOLE + 0x20);

  // Within the UART's page the device answers nothing past 0x100: faults
  // too (MMIO there, no hole page), and the load writes nothing.
  const uint64_t shared = device_page_accesses();
  CHECK(faults == 7);
  CHECK(causes[5] == 5 && epcs[5] == (uintptr_t)shared_load_here && tvals[5] == SHARED_HOLE);
  CHECK(causes[6] == 7 && epcs[6] == (uintptr_t)shared_store_here && tvals[6] == SHARED_HOLE + 8);
  CHECK(shared == 0x56);
  printf("access_fault: load and store at %#lx, in the UART's page: mcause 5 then 7\n", SHARED_HOLE);

  // A store to the boot ROM is dropped without a fault, as QEMU does.
  volatile uint32_t* rom = (volatile uint32_t*)0x1000;
  const uint32_t first = rom[0];
  rom[0] = ~first;
  CHECK(faults == 7 && rom[0] == first);
  printf("access_fault: a store to the boot ROM is dropped, no fault\n");
  return 0;
}
