#include "tlmmap/core/types.hpp"

#include <cstdio>

namespace tlmmap {

std::string hex(u128 value, int digits) {
  char buffer[40];
  int n = 0;
  do {
    buffer[n++] = "0123456789abcdef"[static_cast<unsigned>(value & 0xf)];
    value >>= 4;
  } while (value != 0 || n < digits);
  std::string text = "0x";
  while (n > 0) text += buffer[--n];
  return text;
}

std::string hex16(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

bool parse_u128(const std::string& text, u128& out) {
  const bool is_hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const unsigned radix = is_hex ? 16 : 10;
  const std::size_t first = is_hex ? 2 : 0;
  if (text.size() <= first) return false;
  const u128 limit = k64BitSpace;
  u128 value = 0;
  for (std::size_t i = first; i < text.size(); ++i) {
    const char c = text[i];
    unsigned digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (is_hex && c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a' + 10);
    } else if (is_hex && c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return false;
    }
    value = value * radix + digit;
    // Anything beyond 2^64 is refused; checking per digit keeps 128 bits from wrapping.
    if (value > limit) return false;
  }
  out = value;
  return true;
}

}  // namespace tlmmap
