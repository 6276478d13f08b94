// The CFI flash at 0x20000000 (two x16 chips on a 32-bit bank) for the
// firmware programs: commands, and the sequences that wait for ready.
#pragma once

#include "firmware.h"

#define FLASH ((volatile uint32_t*)VIRT_FLASH_BASE)
#define BLOCK_WORDS (256 * 1024 / 4)
#define BOTH(x) ((uint32_t)(x) | ((uint32_t)(x) << 16))  // one answer per chip
#define READY BOTH(0x80)

static inline volatile uint32_t* block(unsigned n) { return FLASH + n * BLOCK_WORDS; }

static inline void command(volatile uint32_t* at, uint8_t cmd) { *at = BOTH(cmd); }

static inline uint32_t wait_ready(volatile uint32_t* at) {
  uint32_t status;
  unsigned spins = 0;
  while (((status = *at) & READY) != READY) {
    if (++spins > 1000000) firmware_fail(90, "the flash never became ready");
  }
  return status;
}

static inline void erase(volatile uint32_t* blk) {
  command(blk, 0x20);
  command(blk, 0xd0);
  CHECK(wait_ready(blk) == READY);
  command(blk, 0xff);
}

static inline void program_word(volatile uint32_t* at, uint32_t value) {
  command(at, 0x40);
  *at = value;
  CHECK(wait_ready(at) == READY);
  command(at, 0xff);
}
