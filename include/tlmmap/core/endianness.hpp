// Device endianness of MMIO callbacks (QEMU's enum device_endian).
#pragma once

namespace tlmmap {

enum class Endianness {
  native,  // the target's endianness (set_native_endianness(); little by default)
  little,
  big,
};

// QEMU fixes the target's endianness at build time; a platform sets it once
// before accesses are made.
void set_native_endianness(Endianness endianness);
Endianness native_endianness();
// native resolved to little or big.
bool is_big_endian(Endianness endianness);

}  // namespace tlmmap
