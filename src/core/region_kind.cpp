#include "tlmmap/core/region_kind.hpp"

#include <array>
#include <utility>

namespace tlmmap {

namespace {
constexpr std::array<std::pair<RegionKind, std::string_view>, 8> kNames{{
    {RegionKind::ram, "ram"},
    {RegionKind::rom, "rom"},
    {RegionKind::rom_device, "rom_device"},
    {RegionKind::mmio, "mmio"},
    {RegionKind::container, "container"},
    {RegionKind::alias, "alias"},
    {RegionKind::iommu, "iommu"},
    {RegionKind::reservation, "reservation"},
}};
}  // namespace

std::string_view to_string(RegionKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "?";
}

std::optional<RegionKind> region_kind_from_string(std::string_view text) {
  for (const auto& [k, name] : kNames) {
    if (name == text) return k;
  }
  return std::nullopt;
}

}  // namespace tlmmap
