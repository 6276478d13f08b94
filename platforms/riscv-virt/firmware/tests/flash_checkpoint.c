// Flash command sequences cut by a checkpoint: riscv-virt's test
// (tests/platforms/riscv-virt/flash_checkpoint_test.sh) stops this program
// at an instruction limit inside one of the two waits below, saves a
// checkpoint, and a second process restores it and runs to the end. A CFI
// query mode, and a word program waiting for its data cycle, must go on
// there as if nothing happened.
#include "cfi_flash.h"

// About 2.5 M instructions: where the checkpoints land.
static void linger(void) {
  for (volatile unsigned i = 0; i < 400000; ++i) {
  }
}

int main(void) {
  command(FLASH + 0x55, 0x98);
  printf("flash_checkpoint: in CFI query mode\n");
  linger();
  CHECK(FLASH[0x10] == BOTH('Q') && FLASH[0x11] == BOTH('R') && FLASH[0x12] == BOTH('Y'));
  command(FLASH, 0xff);

  volatile uint32_t* at = block(3);
  erase(at);
  command(at, 0x40);
  printf("flash_checkpoint: a word program waits for its data\n");
  linger();
  *at = 0x600df00d;  // the data cycle: stored, not taken as a command
  CHECK(wait_ready(at) == READY);
  command(at, 0xff);
  CHECK(at[0] == 0x600df00d && at[1] == 0xffffffffu);
  printf("flash_checkpoint: both sequences went on\n");
  return 0;
}
