// Library-internal: the node of an IOMMU region. Its accesses are translated
// page by page by the IommuRegion handle and continue in the entry's target
// address space (iommu_region.cpp).
#pragma once

#include <string>

#include "region_node.hpp"
#include "tlmmap/core/iommu_region.hpp"

namespace tlmmap::detail {

class IommuNode : public RegionNode {
 public:
  IommuNode(std::string name, u128 size) : RegionNode(std::move(name), RegionKind::iommu, size) {}
  MemTxResult access(const Piece& piece) override;
  // Translated with the `none` flag and unspecified attributes: no side effects.
  uint64_t debug_access(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) override;
  // The handle, nullptr once destroyed.
  IommuRegion* region() const noexcept { return static_cast<IommuRegion*>(handle_of(this)); }
};

// One level of nested translation on this thread for the duration of the
// scope; ok() is false past kMaxIommuNesting levels (a loop of IOMMUs), and
// chain() then names the IOMMUs met.
class IommuNesting {
 public:
  explicit IommuNesting(const std::string& name);
  ~IommuNesting();
  IommuNesting(const IommuNesting&) = delete;
  IommuNesting& operator=(const IommuNesting&) = delete;
  bool ok() const noexcept;
  std::string chain() const;
};

// AddressSpace::map() at an IOMMU range: translates `offset` of `node` for
// an access with `attrs` (a real access: faults are reported to the region).
// Returns the entry, or one with no target when refused.
IommuTlbEntry translate_for_map(const RegionNode& node, uint64_t offset, bool is_write, const MemTxAttrs& attrs);

}  // namespace tlmmap::detail
