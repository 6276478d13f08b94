// The C++ types of RTL pins as `verilator --sc` makes them, and the
// conversions the bridges need between pin values and bytes.
//
// Verilator gives a 1-bit port `bool`, 2 to 32 bits `uint32_t`, 33 to 64 bits
// `uint64_t` and wider ports `sc_bv<N>`; pin_t<N> is that type, so a bridge's
// ports bind straight to a verilated model's signals.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include <systemc>

namespace tlmmap::adapters {

template <unsigned BITS>
using pin_t = std::conditional_t<
    BITS == 1, bool,
    std::conditional_t<BITS <= 32, uint32_t, std::conditional_t<BITS <= 64, uint64_t, sc_dt::sc_bv<BITS>>>>;

// The largest data bus, in bytes (AXI4 goes up to 1024 bits; we take 512).
inline constexpr unsigned kMaxDataBytes = 64;

// A narrow pin value (up to 64 bits) as an integer, and back.
template <unsigned BITS>
uint64_t pin_to_u64(const pin_t<BITS>& v) {
  static_assert(BITS <= 64, "a field pin is at most 64 bits");
  return static_cast<uint64_t>(v);
}
template <unsigned BITS>
pin_t<BITS> pin_from_u64(uint64_t v) {
  static_assert(BITS <= 64, "a field pin is at most 64 bits");
  if constexpr (BITS == 1) {
    return (v & 1) != 0;
  } else if constexpr (BITS < 64) {
    return static_cast<pin_t<BITS>>(v & ((uint64_t{1} << BITS) - 1));
  } else {
    return v;
  }
}

// A data pin's bytes, byte lane 0 first (AMBA buses are little-endian by
// lane: lane i carries address i modulo the bus width).
template <unsigned BITS>
void pin_to_bytes(const pin_t<BITS>& v, uint8_t* out) {
  static_assert(BITS % 8 == 0 && BITS >= 8, "a data pin is whole bytes");
  if constexpr (BITS <= 64) {
    const uint64_t x = static_cast<uint64_t>(v);
    for (unsigned i = 0; i < BITS / 8; ++i) out[i] = static_cast<uint8_t>(x >> (8 * i));
  } else {
    for (unsigned w = 0; w < BITS / 32; ++w) {
      const uint32_t x = static_cast<uint32_t>(v.get_word(static_cast<int>(w)));
      for (unsigned i = 0; i < 4; ++i) out[4 * w + i] = static_cast<uint8_t>(x >> (8 * i));
    }
  }
}
template <unsigned BITS>
pin_t<BITS> pin_from_bytes(const uint8_t* in) {
  static_assert(BITS % 8 == 0 && BITS >= 8, "a data pin is whole bytes");
  if constexpr (BITS <= 64) {
    uint64_t x = 0;
    for (unsigned i = 0; i < BITS / 8; ++i) x |= uint64_t{in[i]} << (8 * i);
    return static_cast<pin_t<BITS>>(x);
  } else {
    pin_t<BITS> v;
    for (unsigned w = 0; w < BITS / 32; ++w) {
      uint32_t x = 0;
      for (unsigned i = 0; i < 4; ++i) x |= uint32_t{in[4 * w + i]} << (8 * i);
      v.set_word(static_cast<int>(w), x);
    }
    return v;
  }
}

}  // namespace tlmmap::adapters
