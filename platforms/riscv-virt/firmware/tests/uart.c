// The ns16550a UART: printf through the transmitter, the registers a
// driver probes (scratch, divisor latch, line status), and a line received
// from the input script echoed back.
#include <string.h>

#include "firmware.h"

#define UART_IER 1
#define UART_LCR 3
#define UART_LSR 5
#define UART_SCR 7
#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static uint8_t reg(unsigned r) { return mmio_read8(VIRT_UART_BASE + r); }
static void set_reg(unsigned r, uint8_t v) { mmio_write8(VIRT_UART_BASE + r, v); }

int main(void) {
  printf("uart: transmitter works\n");
  CHECK((reg(UART_LSR) & (LSR_THRE | LSR_TEMT)) == (LSR_THRE | LSR_TEMT));

  set_reg(UART_SCR, 0xa5);
  CHECK(reg(UART_SCR) == 0xa5);

  // The divisor latch shares offsets 0 and 1 with RBR/THR and IER.
  const uint8_t lcr = reg(UART_LCR);
  set_reg(UART_IER, 0x00);
  set_reg(UART_LCR, lcr | LCR_DLAB);
  set_reg(0, 0x01);
  set_reg(1, 0x00);
  CHECK(reg(0) == 0x01 && reg(1) == 0x00);
  set_reg(UART_LCR, lcr);
  CHECK(reg(UART_LCR) == lcr && reg(UART_IER) == 0x00);

  printf("uart: type a line\n");
  char line[64];
  unsigned n = 0;
  for (;;) {
    const int c = uart_getc();
    if (c == '\n' || c == '\r') break;
    if (n + 1 < sizeof line) line[n++] = (char)c;
  }
  line[n] = 0;
  printf("uart: echo '%s'\n", line);
  CHECK(strcmp(line, "ping tlmmap") == 0);
  return 0;
}
