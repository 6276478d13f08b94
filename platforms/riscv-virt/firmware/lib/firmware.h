// What every test program gets from the firmware library (lib/): stdio on
// the UART, exit codes through sifive_test, a machine-mode trap handler.
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "virt.h"

// main()'s return value (or exit()'s) goes to sifive_test: 0 is a pass
// (0x5555), anything else a failure with that code ((code << 16) | 0x3333).
// Both QEMU and riscv-virt end the simulation there.
void firmware_fail(int code, const char* why) __attribute__((noreturn));

// CHECK(cond): on failure prints the condition and its line, exits with the line as the code.
#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) firmware_fail(__LINE__, "CHECK(" #cond ") failed"); \
  } while (0)

// Interrupts and exceptions taken in M-mode call this handler with mcause
// (the interrupt bit set for interrupts) and mepc. Installing one points
// mtvec at the library's vector; without one, any trap fails the program.
typedef void (*trap_handler_t)(uint64_t mcause, uint64_t mepc);
void set_trap_handler(trap_handler_t handler);

// Reads one byte from the UART, waiting for it.
int uart_getc(void);
