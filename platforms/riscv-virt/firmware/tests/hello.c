// The smallest program: printf on the UART, then a pass through sifive_test.
#include "firmware.h"

int main(void) {
  printf("hello from riscv-virt firmware\n");
  return 0;
}
