// A test IOMMU whose translations are a table set by the test: pages per
// index, each with a target space, a translated page and rights. It counts
// how it is called, records faults, and tells its notifiers of every change.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tlmmap/core/iommu_region.hpp"

namespace tlmmap::test {

class MapIommu : public IommuRegion {
 public:
  struct Page {
    AddressSpace* target;
    uint64_t translated;
    IommuAccess perm;
  };

  MapIommu(std::string name, u128 size, uint64_t page_size = 0x1000, int indexes = 1)
      : IommuRegion(std::move(name), size), page_size_(page_size), indexes_(indexes) {}
  ~MapIommu() override { unmap(); }

  // Maps the page at `iova` (an unmap first if it was mapped: a change is an
  // UNMAP then a MAP, as QEMU's IOMMUs tell it).
  void map_page(uint64_t iova, AddressSpace& target, uint64_t translated, IommuAccess perm, int index = 0) {
    const uint64_t page = iova & ~(page_size_ - 1);
    if (pages_.count({index, page}) != 0) unmap_page(page, index);
    pages_[{index, page}] = Page{&target, translated & ~(page_size_ - 1), perm};
    notify(index, IommuTlbEvent{IommuNotifierFlag::map, entry(page, index)});
  }
  void unmap_page(uint64_t iova, int index = 0) {
    const uint64_t page = iova & ~(page_size_ - 1);
    IommuTlbEntry e = entry(page, index);
    pages_.erase({index, page});
    e.perm = IommuAccess::none;
    notify(index, IommuTlbEvent{IommuNotifierFlag::unmap, e});
  }

  IommuTlbEntry translate(uint64_t address, IommuAccess flags, int index) override {
    ++translations;
    flags_seen.push_back(flags);
    return entry(address & ~(page_size_ - 1), index);
  }
  // Index = requester id (unspecified attributes: 0).
  int attrs_to_index(const MemTxAttrs& attrs) const override { return attrs.unspecified ? 0 : attrs.requester_id; }
  int num_indexes() const override { return indexes_; }
  uint64_t min_page_size() const override { return page_size_; }
  void fault(const IommuFault& f) override { faults.push_back(f); }
  void notify_flag_changed(IommuNotifierFlag before, IommuNotifierFlag now) override {
    flag_changes.emplace_back(before, now);
  }

  unsigned translations = 0;
  std::vector<IommuAccess> flags_seen;
  std::vector<IommuFault> faults;
  std::vector<std::pair<IommuNotifierFlag, IommuNotifierFlag>> flag_changes;

 private:
  IommuTlbEntry entry(uint64_t page, int index) const {
    IommuTlbEntry e;
    e.iova = page;
    e.addr_mask = page_size_ - 1;
    auto it = pages_.find({index, page});
    if (it != pages_.end()) {
      e.target = it->second.target;
      e.translated_addr = it->second.translated;
      e.perm = it->second.perm;
    }
    return e;
  }

  uint64_t page_size_;
  int indexes_;
  std::map<std::pair<int, uint64_t>, Page> pages_;
};

}  // namespace tlmmap::test
