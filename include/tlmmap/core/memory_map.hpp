// A memory map that owns its regions and address spaces: what the memmap
// loader returns, and a convenient owner for maps built in C++.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/region.hpp"

namespace tlmmap {

class MemoryMap {
 public:
  MemoryMap() = default;
  MemoryMap(const MemoryMap&) = delete;
  MemoryMap& operator=(const MemoryMap&) = delete;
  // Address spaces go first, then the regions, in one transaction: the map
  // disappears in a single change.
  ~MemoryMap();

  // Creates a region owned by the map under a unique id, e.g.
  // map.make<RamRegion>("ram", "pc.ram", 0x100000000). A taken or empty id
  // is reported; the region is still made (and owned), without an id.
  template <typename R, typename... Args>
  R& make(std::string id, Args&&... args) {
    auto region = std::make_unique<R>(std::forward<Args>(args)...);
    R& ref = *region;
    adopt(std::move(id), std::move(region));
    return ref;
  }
  AddressSpace& make_address_space(Region& root, std::string name);

  // nullptr if there is no such id.
  Region* region(std::string_view id) const;
  // The first address space of that name (names may repeat), or nullptr.
  AddressSpace* address_space(std::string_view name) const;
  // The id a region of this map was made under ("" for a foreign region).
  const std::string& id_of(const Region& region) const;

  // In creation order.
  std::vector<Region*> regions() const;
  std::vector<AddressSpace*> address_spaces() const;

 private:
  void adopt(std::string id, std::unique_ptr<Region> region);

  std::vector<std::unique_ptr<Region>> regions_;
  std::unordered_map<std::string, Region*> by_id_;  // node-based: keys never move
  std::unordered_map<const Region*, const std::string*> id_by_region_;
  std::vector<std::unique_ptr<AddressSpace>> spaces_;
};

}  // namespace tlmmap
