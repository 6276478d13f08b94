// Library-internal: the copy of a payload's data on the targets' fast paths.
#pragma once

#include <cstdint>
#include <cstring>

namespace tlmmap::detail {

// 1, 2, 4 or 8 bytes: a CPU-sized access, which copy_word() takes.
constexpr bool word_sized(unsigned length) { return length - 1 < 8 && (length & (length - 1)) == 0; }

// A CPU-sized copy (word_sized(length)), inline: no call, so a fast path
// made of it saves no register.
[[gnu::always_inline]] inline void copy_word(uint8_t* to, const uint8_t* from, unsigned length) {
  switch (length) {
    case 8: std::memcpy(to, from, 8); return;
    case 4: std::memcpy(to, from, 4); return;
    case 2: std::memcpy(to, from, 2); return;
    default: *to = *from;
  }
}

// CPU-sized copies inline, the rest through the C library (always inline
// itself: with several callers in a file the compiler would keep it a call).
[[gnu::always_inline]] inline void copy_bytes(uint8_t* to, const uint8_t* from, unsigned length) {
  if (word_sized(length)) {
    copy_word(to, from, length);
  } else {
    std::memcpy(to, from, length);
  }
}

}  // namespace tlmmap::detail
