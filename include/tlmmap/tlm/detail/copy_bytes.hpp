// Library-internal: the copy of a payload's data on the targets' fast paths.
#pragma once

#include <cstdint>
#include <cstring>

namespace tlmmap::detail {

// CPU-sized copies inline, without a call into the C library (nor one to
// this function: with several callers in a file the compiler would keep it
// out of line).
[[gnu::always_inline]] inline void copy_bytes(uint8_t* to, const uint8_t* from, unsigned length) {
  switch (length) {
    case 4: std::memcpy(to, from, 4); break;
    case 8: std::memcpy(to, from, 8); break;
    case 2: std::memcpy(to, from, 2); break;
    case 1: *to = *from; break;
    default: std::memcpy(to, from, length);
  }
}

}  // namespace tlmmap::detail
