// Moving values between TLM byte arrays (memory order) and device values.
#pragma once

#include <cstdint>
#include <cstring>

namespace tlmmap::detail {

// The first n bytes at p as a host integer (QEMU's ldn_he_p).
// Access sizes as fixed-size copies (a copy of a variable size is a call).
inline uint64_t load_host(const uint8_t* p, unsigned n) {
  uint64_t v = 0;  // little-endian host: the low bytes
  switch (n) {
    case 1: v = *p; break;
    case 2: std::memcpy(&v, p, 2); break;
    case 4: std::memcpy(&v, p, 4); break;
    case 8: std::memcpy(&v, p, 8); break;
    default: std::memcpy(&v, p, n);
  }
  return v;
}

inline void store_host(uint8_t* p, unsigned n, uint64_t v) {
  switch (n) {
    case 1: *p = static_cast<uint8_t>(v); break;
    case 2: std::memcpy(p, &v, 2); break;
    case 4: std::memcpy(p, &v, 4); break;
    case 8: std::memcpy(p, &v, 8); break;
    default: std::memcpy(p, &v, n);
  }
}

inline uint64_t swap_bytes(uint64_t v, unsigned n) {
  switch (n) {
    case 2:
      return __builtin_bswap16(static_cast<uint16_t>(v));
    case 4:
      return __builtin_bswap32(static_cast<uint32_t>(v));
    case 8:
      return __builtin_bswap64(v);
    default:
      return v;
  }
}

// A host-order value of n bytes to the device's order (and back: the same
// swap). Only big-endian devices differ on a little-endian host.
inline uint64_t device_to_host(uint64_t v, unsigned n, bool device_big_endian) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "tlmmap assumes a little-endian host");
  return device_big_endian ? swap_bytes(v, n) : v;
}

}  // namespace tlmmap::detail
