// What a driver does with the reference IOMMU, for platforms, tests and
// examples: tables allocated from a pool of guest memory, entries written
// through the memory's address space as a CPU would, each change followed
// by its invalidation command.
//
//   tlmmap::ReferenceIommuDriver driver{iommu, memory, 0x80000000, 0x100000};
//   driver.map(/*requester id*/ 3, 0x10000, 0x80200000, tlmmap::IommuAccess::read_write);
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "tlmmap/tlm/reference_iommu.hpp"

namespace tlmmap {

class ReferenceIommuDriver {
 public:
  // The context table (`contexts` entries) and every page table come from
  // [pool, pool + pool_size) of `memory`; translation is enabled with the
  // fault interrupt.
  ReferenceIommuDriver(ReferenceIommu& iommu, AddressSpace& memory, uint64_t pool, uint64_t pool_size,
                       unsigned contexts = 16)
      : iommu_(iommu), memory_(memory), next_(pool), end_(pool + pool_size) {
    const uint64_t table = allocate((contexts * 8 + 0xfff) & ~uint64_t(0xfff));
    write_reg(ReferenceIommu::kContextBase, table);
    write_reg(ReferenceIommu::kContextCount, contexts);
    write_reg(ReferenceIommu::kCtrl, ReferenceIommu::kCtrlEnable | ReferenceIommu::kCtrlFaultIrq);
  }

  // Maps the 4 KiB page at `iova` of device `rid` to `address` (replacing
  // what was there), then invalidates it.
  void map(uint16_t rid, uint64_t iova, uint64_t address, IommuAccess perm) {
    write_entry(level0(rid, iova) + 8 * ((iova >> 12) & 511), (address & ~uint64_t(0xfff)) | bits(perm));
    invalidate(rid, iova, false);
  }
  // A 2 MiB page (iova and address 2 MiB-aligned) in place of a level-0 table.
  void map_large(uint16_t rid, uint64_t iova, uint64_t address, IommuAccess perm) {
    write_entry(level1(rid) + 8 * ((iova >> 21) & 511),
                (address & ~uint64_t(0x1fffff)) | bits(perm) | ReferenceIommu::kLeaf);
    level0_.erase({rid, iova >> 21});
    invalidate(rid, iova, true);
  }
  // Unmaps the 4 KiB page (or the 2 MiB page) that holds `iova`, then invalidates it.
  void unmap(uint16_t rid, uint64_t iova) {
    auto it = level0_.find({rid, iova >> 21});
    if (it != level0_.end()) {
      write_entry(it->second + 8 * ((iova >> 12) & 511), 0);
      invalidate(rid, iova, false);
    } else {
      write_entry(level1(rid) + 8 * ((iova >> 21) & 511), 0);
      invalidate(rid, iova, true);
    }
  }

  uint64_t read_reg(uint64_t offset) {
    uint64_t v = 0;
    iommu_.registers().dispatch_read(offset, v, 8, MemTxAttrs{});
    return v;
  }
  void write_reg(uint64_t offset, uint64_t value) { iommu_.registers().dispatch_write(offset, value, 8, MemTxAttrs{}); }

 private:
  static uint64_t bits(IommuAccess perm) {
    return ReferenceIommu::kValid | (allows(perm, IommuAccess::read) ? ReferenceIommu::kRead : 0) |
           (allows(perm, IommuAccess::write) ? ReferenceIommu::kWrite : 0);
  }
  uint64_t allocate(uint64_t size) {
    const uint64_t at = next_;
    if (end_ - next_ < size) report(Severity::error, kAccessMsg, "ReferenceIommuDriver: the table pool is full");
    next_ += size;
    static const uint8_t zeros[0x1000] = {};
    for (uint64_t i = 0; i < size; i += sizeof zeros) memory_.write(at + i, zeros, sizeof zeros);
    return at;
  }
  void write_entry(uint64_t address, uint64_t value) {
    uint8_t bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
    memory_.write(address, bytes, 8);
  }
  uint64_t level1(uint16_t rid) {
    auto it = level1_.find(rid);
    if (it != level1_.end()) return it->second;
    const uint64_t table = allocate(0x1000);
    write_entry(read_reg(ReferenceIommu::kContextBase) + 8 * uint64_t(rid), table | ReferenceIommu::kValid);
    return level1_[rid] = table;
  }
  uint64_t level0(uint16_t rid, uint64_t iova) {
    auto it = level0_.find({rid, iova >> 21});
    if (it != level0_.end()) return it->second;
    const uint64_t table = allocate(0x1000);
    write_entry(level1(rid) + 8 * ((iova >> 21) & 511), table | ReferenceIommu::kValid);
    return level0_[{rid, iova >> 21}] = table;
  }
  void invalidate(uint16_t rid, uint64_t iova, bool large) {
    write_reg(ReferenceIommu::kInvContext, rid);
    write_reg(ReferenceIommu::kInvAddr, iova | (large ? ReferenceIommu::kInvRange2M : 0));
    write_reg(ReferenceIommu::kInvCmd, ReferenceIommu::kInvPage);
  }

  ReferenceIommu& iommu_;
  AddressSpace& memory_;
  uint64_t next_;
  uint64_t end_;
  std::map<uint16_t, uint64_t> level1_;
  std::map<std::pair<uint16_t, uint64_t>, uint64_t> level0_;
};

}  // namespace tlmmap
