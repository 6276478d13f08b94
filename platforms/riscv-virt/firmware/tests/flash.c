// The CFI flash at 0x20000000 (two x16 chips on a 32-bit bank): CFI query,
// identifier, block erase, word and buffered program, each answer read
// back in read-array mode, and program cycles each followed by a read of a
// whole block. The last block is left holding a pattern that a
// host-side test finds in the image file.
#include "cfi_flash.h"

int main(void) {
  // CFI query: "QRY" at word 0x10, one byte per word, in each chip's lane.
  command(FLASH + 0x55, 0x98);
  CHECK(FLASH[0x10] == BOTH('Q') && FLASH[0x11] == BOTH('R') && FLASH[0x12] == BOTH('Y'));
  CHECK((FLASH[0x13] & 0xff) == 0x01);  // Intel/Sharp command set
  const unsigned chip_size_log2 = FLASH[0x27] & 0xff;
  const unsigned blocks = ((FLASH[0x2d] & 0xff) | (FLASH[0x2e] & 0xff) << 8) + 1;
  const unsigned block_bytes = ((FLASH[0x2f] & 0xff) | (FLASH[0x30] & 0xff) << 8) * 256 * 2;
  printf("flash: CFI: 2 chips of 2^%u bytes, %u blocks of %u KiB\n", chip_size_log2, blocks, block_bytes / 1024);
  CHECK(chip_size_log2 == 24 && blocks == 128 && block_bytes == 256 * 1024);
  command(FLASH, 0xff);

  // Identifier: Intel (0x89), device 0x18.
  command(FLASH, 0x90);
  CHECK(FLASH[0] == BOTH(0x89) && FLASH[1] == BOTH(0x18));
  command(FLASH, 0xff);

  // Erase block 1, program words, read them back in read-array mode.
  volatile uint32_t* b1 = block(1);
  erase(b1);
  for (unsigned i = 0; i < BLOCK_WORDS; i += 1024) CHECK(b1[i] == 0xffffffffu);
  program_word(b1 + 0, 0xdeadbeef);
  program_word(b1 + 7, 0x01234567);
  CHECK(b1[0] == 0xdeadbeef && b1[7] == 0x01234567 && b1[1] == 0xffffffffu);

  // Buffered program: 8 words.
  volatile uint32_t* dst = b1 + 64;
  command(dst, 0xe8);
  CHECK((*dst & READY) == READY);  // the buffer is free
  *dst = BOTH(8 - 1);
  for (unsigned i = 0; i < 8; ++i) dst[i] = 0xa5000000u + i;
  command(dst, 0xd0);
  CHECK(wait_ready(dst) == READY);
  command(dst, 0xff);
  for (unsigned i = 0; i < 8; ++i) CHECK(dst[i] == 0xa5000000u + i);

  // Erasing again leaves nothing behind.
  erase(b1);
  CHECK(b1[0] == 0xffffffffu && b1[7] == 0xffffffffu && dst[3] == 0xffffffffu);

  // Program cycles, each followed by a read of the whole block in
  // read-array mode: after every cycle the reads are direct again (the test
  // bounds riscv-virt's b_transport count, --stats: 8 x 64 Ki reads).
  volatile uint32_t* b2 = block(2);
  erase(b2);
  for (unsigned round = 0; round < 8; ++round) {
    program_word(b2 + round * 1000, 0x5a5a0000u + round);
    uint32_t expected = (uint32_t)(BLOCK_WORDS - (round + 1)) * 0xffffffffu;
    for (unsigned k = 0; k <= round; ++k) expected += 0x5a5a0000u + k;
    uint32_t sum = 0;
    for (unsigned i = 0; i < BLOCK_WORDS; ++i) sum += b2[i];
    CHECK(sum == expected);
  }

  // A pattern in the last block, for the image file.
  volatile uint32_t* last = block(blocks - 1);
  erase(last);
  program_word(last + 0, 0x746c6d6d);  // "mmlt"
  program_word(last + 1, 0x666c6173);  // "salf"
  CHECK(last[0] == 0x746c6d6d && last[1] == 0x666c6173);
  printf("flash: erase, program and buffered program read back\n");
  return 0;
}
