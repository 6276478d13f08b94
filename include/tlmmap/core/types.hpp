// Integer types and helpers shared by the whole library.
#pragma once

#include <cstdint>
#include <string>

namespace tlmmap {

// Sizes and range ends reach 2^64 (a region spanning the whole 64-bit space),
// so they are 128-bit everywhere. Render bases may go negative (an alias with
// an offset shifts its target below the alias start), hence the signed type.
__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

// 2^64: the size of a region that covers the whole 64-bit address space.
inline constexpr u128 k64BitSpace = u128(1) << 64;

// "0x" followed by at least `digits` lower-case hex digits.
std::string hex(u128 value, int digits = 1);

// QEMU's %016" PRIx64 "; the value is truncated to 64 bits as QEMU does.
std::string hex16(uint64_t value);

// Parses "0x..." hexadecimal or plain decimal into a value up to 2^64;
// false on anything else (signs, spaces, suffixes, overflow).
bool parse_u128(const std::string& text, u128& out);

}  // namespace tlmmap
