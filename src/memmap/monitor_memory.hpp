// The monitor's memory commands: `x`/`xp` dumps and `w`/`wp` writes through
// an address space (docs/monitor.md, "Memory").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tlmmap/core/address_space.hpp"

namespace tlmmap::detail {

// QEMU's /NFU: a count, a format (x, d, u) and a unit size (b, h, w, g), in
// any order, each optional.
struct UnitFormat {
  uint64_t count = 1;
  char format = 'x';
  unsigned size = 4;
};
UnitFormat parse_unit_format(std::string_view text, bool allow_count);

// `count` units at `address`: loads as a CPU makes them (MMIO callbacks
// answer), or one debug read. Returns QEMU's dump lines; a unit that is not
// answered refuses the whole dump.
std::string dump_memory(AddressSpace& space, uint64_t address, const UnitFormat& unit, bool debug);

// Stores `values` as consecutive units (or one debug write). Every unit is
// checked against the flat view first (mapped, writable), so a refused
// write changes nothing; only a device that refuses an access it was given
// can stop the stores part-way, which the refusal then says.
void write_memory(AddressSpace& space, uint64_t address, unsigned size, const std::vector<uint64_t>& values,
                  bool debug);

}  // namespace tlmmap::detail
