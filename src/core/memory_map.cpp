#include "tlmmap/core/memory_map.hpp"

#include "report.hpp"
#include "tlmmap/core/transaction.hpp"

namespace tlmmap {

MemoryMap::~MemoryMap() {
  Transaction transaction;
  spaces_.clear();
  // Containers before their contents is not required; reverse order keeps
  // aliases (usually listed after their targets) from being re-pointed first.
  while (!regions_.empty()) regions_.pop_back();
}

void MemoryMap::adopt(std::string id, std::unique_ptr<Region> region) {
  Region* raw = region.get();
  regions_.push_back(std::move(region));
  if (id.empty() || by_id_.count(id) != 0) {
    detail::report_error(kMemmapMsg, "memory map: region id '" + id + "' (region '" +
                                                 raw->name() + "') is " +
                                                 (id.empty() ? "empty" : "already taken"));
    return;
  }
  auto entry = by_id_.emplace(std::move(id), raw).first;
  id_by_region_[raw] = &entry->first;
}

AddressSpace& MemoryMap::make_address_space(Region& root, std::string name) {
  spaces_.push_back(std::make_unique<AddressSpace>(root, std::move(name)));
  return *spaces_.back();
}

Region* MemoryMap::region(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : it->second;
}

AddressSpace* MemoryMap::address_space(std::string_view name) const {
  for (const auto& space : spaces_) {
    if (space->name() == name) return space.get();
  }
  return nullptr;
}

const std::string& MemoryMap::id_of(const Region& region) const {
  static const std::string none;
  auto it = id_by_region_.find(&region);
  return it == id_by_region_.end() ? none : *it->second;
}

std::vector<Region*> MemoryMap::regions() const {
  std::vector<Region*> out;
  out.reserve(regions_.size());
  for (const auto& region : regions_) out.push_back(region.get());
  return out;
}

std::vector<AddressSpace*> MemoryMap::address_spaces() const {
  std::vector<AddressSpace*> out;
  for (const auto& space : spaces_) out.push_back(space.get());
  return out;
}

}  // namespace tlmmap
