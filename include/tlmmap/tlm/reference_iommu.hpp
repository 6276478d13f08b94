// A reference IOMMU for platforms: per-device contexts chosen by requester
// id, two-level page tables in guest memory walked through the target
// address space, an IOTLB with invalidation commands, MMIO control
// registers and an interrupt for faults. docs/iommu.md describes it for
// driver writers; in short:
//
// Registers (64-bit, little-endian; 4- and 8-byte accesses):
//   0x00 CTRL           bit 0 ENABLE (off: every access passes untranslated),
//                       bit 1 FAULT_IRQ_ENABLE
//   0x08 CONTEXT_BASE   address of the context table: one 8-byte entry per
//                       requester id: bit 0 valid, bits 63:12 the page-table
//                       base (the level-1 table) of that device
//   0x10 CONTEXT_COUNT  entries in the context table (larger ids fault)
//   0x18 INV_ADDR       input address for INV_CMD 1; bit 0 set: the 2 MiB
//                       range that holds it, else its 4 KiB page
//   0x20 INV_CONTEXT    requester id for INV_CMD 1 and 2
//   0x28 INV_CMD        write 1: invalidate INV_ADDR of INV_CONTEXT;
//                       2: all of INV_CONTEXT; 3: everything. Reads 0.
//   0x30 FAULT_STATUS   bit 0 pending, bit 1 overflow (a fault while one was
//                       pending), bit 2 write, bits 15:8 reason (1 no
//                       translation, 2 permission), bits 47:32 requester id;
//                       write 1s to bits 0-1 to clear
//   0x38 FAULT_ADDR     input address of the pending fault
// Writing CTRL or CONTEXT_BASE or CONTEXT_COUNT is an invalidation of everything.
//
// Page tables: 30-bit input addresses (1 GiB per device). Level 1: 512
// entries of 8 bytes indexed by address bits 29:21; level 0: 512 entries
// indexed by bits 20:12. An entry: bit 0 valid, bit 1 read, bit 2 write,
// bit 3 leaf (level 1 only: a 2 MiB page), bits 63:12 the next table or the
// page (2 MiB-aligned for a level-1 leaf). A level-1 entry without the leaf
// bit points to a level-0 table (its rights bits are ignored).
//
// The IOTLB caches the translations of accesses (not of debug accesses,
// replay or DMI look-ups, which walk or look without filling). Changing a
// page-table entry takes effect for accesses once it is invalidated, as on
// hardware; each invalidation command tells the region's notifiers UNMAP
// (and MAP for the page of INV_CMD 1 when someone wants MAPs) before the
// register write returns, so IOMMU modules withdraw their DMI grants then.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include <systemc>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/iommu_region.hpp"
#include "tlmmap/core/mmio_region.hpp"

namespace tlmmap {

class ReferenceIommu : public sc_core::sc_module {
 public:
  // Register offsets.
  static constexpr uint64_t kCtrl = 0x00, kContextBase = 0x08, kContextCount = 0x10, kInvAddr = 0x18,
                            kInvContext = 0x20, kInvCmd = 0x28, kFaultStatus = 0x30, kFaultAddr = 0x38;
  static constexpr uint64_t kCtrlEnable = 1, kCtrlFaultIrq = 2;
  static constexpr uint64_t kInvPage = 1, kInvContextAll = 2, kInvEverything = 3;
  static constexpr uint64_t kInvRange2M = 1;
  // Page-table entry bits.
  static constexpr uint64_t kValid = 1, kRead = 2, kWrite = 4, kLeaf = 8;
  static constexpr unsigned kInputBits = 30;
  static constexpr unsigned kIotlbSets = 256;

  // Translated accesses go to `target`, where the tables live too.
  ReferenceIommu(sc_core::sc_module_name name, AddressSpace& target);
  ~ReferenceIommu() override;

  // The translating region (1 GiB): place it in an address space, or give
  // it to an IommuModule.
  IommuRegion& region() noexcept;
  // The control registers (0x40 bytes): place them in the CPU's map.
  MmioRegion& registers() noexcept { return registers_; }
  // High while a fault is pending and CTRL.FAULT_IRQ_ENABLE is set.
  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> irq;
  // Notified (delta) at each fault recorded.
  sc_core::sc_event fault_event;

  uint64_t reg(uint64_t offset) const noexcept { return regs_[offset / 8]; }
  bool interrupt_pending() const noexcept;
  uint64_t iotlb_hits() const noexcept { return hits_; }
  uint64_t iotlb_misses() const noexcept { return misses_; }

 private:
  class Translator;
  struct TlbEntry {
    bool valid = false;
    bool large = false;
    uint16_t context = 0;
    uint64_t iova_page = 0;  // input address >> 12 (or >> 21 when large)
    uint64_t translated = 0;
    IommuAccess perm = IommuAccess::none;
  };

  IommuTlbEntry translate(uint64_t address, IommuAccess flags, int index);
  IommuTlbEntry walk(uint64_t address, int index, bool side_effects);
  bool read_entry(uint64_t address, uint64_t& value, bool side_effects);
  void record_fault(const IommuFault& fault);
  void write_register(uint64_t offset, uint64_t value);
  void invalidate(uint64_t command);
  void unmap_event(const int* index, uint64_t first, uint64_t mask);
  void update_irq();
  IommuTlbEntry entry_of(const TlbEntry& t, uint64_t address) const;
  static std::size_t set_of(uint16_t context, uint64_t page, bool large) noexcept;

  AddressSpace& target_;
  std::unique_ptr<Translator> region_;
  MmioRegion registers_;
  std::array<uint64_t, 8> regs_{};
  std::array<TlbEntry, kIotlbSets> iotlb_{};
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace tlmmap
