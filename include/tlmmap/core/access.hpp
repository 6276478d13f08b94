// One access through the model's access path (AddressSpace::access()): what
// every face turns its requests into when it cannot take the short way a
// cached Route allows.
#pragma once

#include <cstdint>

#include "tlmmap/core/duration.hpp"
#include "tlmmap/core/mem_tx_attrs.hpp"

namespace tlmmap {

struct Access {
  uint64_t address = 0;
  uint8_t* data = nullptr;  // memory order; written for reads, only read for writes
  uint64_t length = 0;
  bool is_write = false;
  // One access of 1, 2, 4 or 8 bytes as a CPU makes it (QEMU's ld/st): an
  // MMIO region sees it whole or refuses it. Otherwise a buffer access (QEMU's
  // address_space_rw()), split into the sizes each device takes.
  bool single = false;
  // TLM-style byte enables (nullptr: every byte): byte i moves when
  // byte_enables[i % byte_enable_length] is non-zero. Decoding and rights
  // are judged on the whole address span either way; enables only choose
  // the bytes that move.
  const uint8_t* byte_enables = nullptr;
  unsigned byte_enable_length = 0;
  // The index in byte_enables of data[0] (a beat of a streaming transaction
  // starts inside the pattern).
  unsigned byte_enable_offset = 0;
  MemTxAttrs attrs;
  // The latencies of the regions that answered are added here.
  Duration latency{};
};

}  // namespace tlmmap
