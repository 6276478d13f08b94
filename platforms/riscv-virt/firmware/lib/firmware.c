// picolibc's stdio on the ns16550a UART, exit through sifive_test, the
// main() wrapper that makes a return from main() end the program (picolibc's
// crt0 would loop), and the machine-mode trap dispatch.
#include "firmware.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20

static int uart_putc(char c, FILE* file) {
  (void)file;
  while ((mmio_read8(VIRT_UART_BASE + UART_LSR) & UART_LSR_THRE) == 0) {
  }
  mmio_write8(VIRT_UART_BASE + UART_THR, (uint8_t)c);
  return (unsigned char)c;
}

int uart_getc(void) {
  while ((mmio_read8(VIRT_UART_BASE + UART_LSR) & UART_LSR_DR) == 0) {
  }
  return mmio_read8(VIRT_UART_BASE + UART_RBR);
}

static int uart_getc_file(FILE* file) {
  (void)file;
  return uart_getc();
}

static FILE uart_file = FDEV_SETUP_STREAM(uart_putc, uart_getc_file, NULL, _FDEV_SETUP_RW);
FILE* const stdin = &uart_file;
FILE* const stdout = &uart_file;
FILE* const stderr = &uart_file;

void _exit(int code) {
  const uint32_t value = code == 0 ? 0x5555 : (((uint32_t)code & 0xffff) << 16) | 0x3333;
  for (;;) mmio_write32(VIRT_TEST_BASE, value);
}

void firmware_fail(int code, const char* why) {
  printf("FAIL: %s (code %d)\n", why, code);
  exit(code ? code : 1);
}

// crt0 calls main (linked with --wrap=main) and spins when it returns.
int __real_main(void);
int __wrap_main(void) {
  exit(__real_main());
}

static trap_handler_t trap_handler;
extern void firmware_trap_vector(void);

void set_trap_handler(trap_handler_t handler) {
  trap_handler = handler;
  csr_write(mtvec, (uintptr_t)firmware_trap_vector);
}

// Called by the vector (trap.S) with the registers saved.
void firmware_trap(uint64_t mcause, uint64_t mepc) {
  if (trap_handler == NULL) {
    printf("unexpected trap: mcause %#lx mepc %#lx mtval %#lx\n", (unsigned long)mcause, (unsigned long)mepc,
           (unsigned long)csr_read(mtval));
    _exit(0xff);
  }
  trap_handler(mcause, mepc);
}
