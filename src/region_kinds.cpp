// Constructors of the leaf and container kinds.
#include "tlmmap/container_region.hpp"
#include "tlmmap/iommu_region.hpp"
#include "tlmmap/ram_region.hpp"
#include "tlmmap/reservation_region.hpp"
#include "tlmmap/rom_region.hpp"

namespace tlmmap {

ContainerRegion::ContainerRegion(std::string name, u128 size)
    : Region(std::move(name), RegionKind::container, size) {}

RamRegion::RamRegion(std::string name, u128 size) : RamRegion(std::move(name), RegionKind::ram, size) {}

RamRegion::RamRegion(std::string name, u128 size, uint8_t* host)
    : Region(std::move(name), RegionKind::ram, size), memory_(this->size(), host) {}

RamRegion::RamRegion(std::string name, RegionKind kind, u128 size)
    : Region(std::move(name), kind, size), memory_(this->size()) {}

RomRegion::RomRegion(std::string name, u128 size) : RamRegion(std::move(name), RegionKind::rom, size) {}

IommuRegion::IommuRegion(std::string name, u128 size)
    : Region(std::move(name), RegionKind::iommu, size) {}

ReservationRegion::ReservationRegion(std::string name, u128 size)
    : Region(std::move(name), RegionKind::reservation, size) {}

}  // namespace tlmmap
