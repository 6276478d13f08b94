// The eight kinds of memory region of QEMU's memory API.
#pragma once

#include <optional>
#include <string_view>

namespace tlmmap {

enum class RegionKind {
  ram,          // host memory, read and written directly
  rom,          // host memory, reads direct, writes refused
  rom_device,   // reads direct in romd mode, else callbacks; writes through callbacks
  mmio,         // every access goes to callbacks or a bound TLM device
  container,    // groups subregions, renders nothing itself
  alias,        // a window onto part of another region
  iommu,        // translates and forwards into another address space
  reservation,  // claims space the simulator must not handle
};

// The memmap file spelling: "ram", "rom", "rom_device", ...
std::string_view to_string(RegionKind kind);
std::optional<RegionKind> region_kind_from_string(std::string_view text);

}  // namespace tlmmap
