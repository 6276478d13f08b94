#include "tlmmap/core/endianness.hpp"

namespace tlmmap {

namespace {
Endianness native = Endianness::little;
}

void set_native_endianness(Endianness endianness) {
  native = endianness == Endianness::native ? Endianness::little : endianness;
}

Endianness native_endianness() { return native; }

bool is_big_endian(Endianness endianness) {
  return (endianness == Endianness::native ? native : endianness) == Endianness::big;
}

}  // namespace tlmmap
