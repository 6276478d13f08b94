// The reference IOMMU: context table, two-level page tables walked through
// the target space, a direct-mapped IOTLB, registers and the fault interrupt.
#include "tlmmap/tlm/reference_iommu.hpp"

#include <string>

#include "tlmmap/tlm/detail/register_bank.hpp"

namespace tlmmap {

namespace {

constexpr uint64_t kSmall = (uint64_t(1) << 12) - 1;  // 4 KiB page mask
constexpr uint64_t kLarge = (uint64_t(1) << 21) - 1;  // 2 MiB page mask
constexpr uint64_t kWhole = (uint64_t(1) << ReferenceIommu::kInputBits) - 1;
constexpr uint64_t kAddressBits = ~kSmall;  // bits 63:12 of an entry

IommuAccess rights_of(uint64_t pte) {
  return (pte & ReferenceIommu::kRead ? IommuAccess::read : IommuAccess::none) |
         (pte & ReferenceIommu::kWrite ? IommuAccess::write : IommuAccess::none);
}

}  // namespace

class ReferenceIommu::Translator : public IommuRegion {
 public:
  Translator(ReferenceIommu& owner, std::string name) : IommuRegion(std::move(name), u128(1) << kInputBits), owner_(owner) {}
  ~Translator() override { unmap(); }

  IommuTlbEntry translate(uint64_t address, IommuAccess flags, int index) override {
    return owner_.translate(address, flags, index);
  }
  // The context is the requester id; unspecified attributes use context 0.
  int attrs_to_index(const MemTxAttrs& attrs) const override { return attrs.unspecified ? 0 : attrs.requester_id; }
  int num_indexes() const override { return 1 << 16; }
  uint64_t min_page_size() const override { return kSmall + 1; }
  void fault(const IommuFault& f) override {
    owner_.record_fault(f);
    if (has_fault_handler()) IommuRegion::fault(f);
  }
  // Walks the context's tables (debug reads) instead of 2^18 translations.
  void replay(IommuNotifier& n) override {
    auto tell = [&](uint64_t first, uint64_t mask) {
      const IommuTlbEntry e = owner_.walk(first, n.index, false);
      if (e.perm != IommuAccess::none && first <= n.end && (first | mask) >= n.start) {
        n.notify(IommuTlbEvent{IommuNotifierFlag::map, e});
      }
    };
    if ((owner_.reg(kCtrl) & kCtrlEnable) == 0) return tell(0, kWhole);
    for (uint64_t l1 = 0; l1 < 512; ++l1) {
      const uint64_t first = l1 << 21;
      const IommuTlbEntry e = owner_.walk(first, n.index, false);
      if (e.addr_mask == kLarge) {
        tell(first, kLarge);
        continue;
      }
      for (uint64_t l0 = 0; l0 < 512; ++l0) tell(first | (l0 << 12), kSmall);
    }
  }

 private:
  ReferenceIommu& owner_;
};

ReferenceIommu::ReferenceIommu(sc_core::sc_module_name name, AddressSpace& target)
    : sc_core::sc_module(name),
      irq("irq"),
      fault_event("fault_event"),
      target_(target),
      region_(std::make_unique<Translator>(*this, basename())),
      registers_(std::string(basename()) + "-regs", 0x40) {
  registers_.set_ops(detail::register_bank_ops(regs_.data(), [this](uint64_t offset, uint64_t value) {
    write_register(offset, value);
  }));
}

ReferenceIommu::~ReferenceIommu() = default;

IommuRegion& ReferenceIommu::region() noexcept { return *region_; }

bool ReferenceIommu::interrupt_pending() const noexcept {
  return (regs_[kFaultStatus / 8] & 1) != 0 && (regs_[kCtrl / 8] & kCtrlFaultIrq) != 0;
}

std::size_t ReferenceIommu::set_of(uint16_t context, uint64_t page, bool large) noexcept {
  const uint64_t key = (page * 0x9e3779b97f4a7c15ull) ^ (uint64_t(context) << 7) ^ (large ? 0x55 : 0);
  return static_cast<std::size_t>((key >> 32) ^ key) % kIotlbSets;
}

IommuTlbEntry ReferenceIommu::entry_of(const TlbEntry& t, uint64_t address) const {
  IommuTlbEntry e;
  e.target = &target_;
  e.addr_mask = t.large ? kLarge : kSmall;
  e.iova = address & ~e.addr_mask;
  e.translated_addr = t.translated;
  e.perm = t.perm;
  return e;
}

IommuTlbEntry ReferenceIommu::translate(uint64_t address, IommuAccess flags, int index) {
  if ((regs_[kCtrl / 8] & kCtrlEnable) == 0) {
    // Off: untranslated, one "page" of the whole input space.
    return IommuTlbEntry{&target_, 0, 0, kWhole, IommuAccess::read_write};
  }
  const auto context = static_cast<uint16_t>(index);
  for (bool large : {false, true}) {
    const uint64_t page = address >> (large ? 21 : 12);
    const TlbEntry& t = iotlb_[set_of(context, page, large)];
    if (t.valid && t.large == large && t.context == context && t.iova_page == page) {
      if (flags != IommuAccess::none) ++hits_;
      return entry_of(t, address);
    }
  }
  const bool access = flags != IommuAccess::none;
  const IommuTlbEntry e = walk(address, index, access);
  if (access) {
    ++misses_;
    if (e.perm != IommuAccess::none) {
      const bool large = e.addr_mask == kLarge;
      const uint64_t page = address >> (large ? 21 : 12);
      iotlb_[set_of(context, page, large)] = TlbEntry{true, large, context, page, e.translated_addr, e.perm};
    }
  }
  return e;
}

bool ReferenceIommu::read_entry(uint64_t address, uint64_t& value, bool side_effects) {
  uint8_t bytes[8] = {};
  const bool ok = side_effects ? target_.read(address, bytes, 8) == MemTxResult::ok : target_.debug_read(address, bytes, 8) == 8;
  value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];  // little-endian in memory
  return ok;
}

IommuTlbEntry ReferenceIommu::walk(uint64_t address, int index, bool side_effects) {
  IommuTlbEntry e;
  e.addr_mask = kSmall;
  e.iova = address & ~kSmall;
  uint64_t context = 0, l1 = 0, l0 = 0;
  if (uint64_t(index) >= regs_[kContextCount / 8] ||
      !read_entry(regs_[kContextBase / 8] + 8 * uint64_t(index), context, side_effects) || (context & kValid) == 0) {
    return e;
  }
  if (!read_entry((context & kAddressBits) + 8 * ((address >> 21) & 511), l1, side_effects) || (l1 & kValid) == 0) {
    return e;
  }
  if ((l1 & kLeaf) != 0) {
    e.addr_mask = kLarge;
    e.iova = address & ~kLarge;
    e.translated_addr = l1 & ~kLarge;
    e.perm = rights_of(l1);
  } else {
    if (!read_entry((l1 & kAddressBits) + 8 * ((address >> 12) & 511), l0, side_effects) || (l0 & kValid) == 0) {
      return e;
    }
    e.translated_addr = l0 & kAddressBits;
    e.perm = rights_of(l0);
  }
  if (e.perm != IommuAccess::none) e.target = &target_;
  return e;
}

void ReferenceIommu::record_fault(const IommuFault& f) {
  uint64_t& status = regs_[kFaultStatus / 8];
  if ((status & 1) != 0) {
    status |= 2;  // overflow: the first fault stays
  } else {
    const uint64_t reason = f.reason == IommuFaultReason::permission ? 2 : 1;
    status = 1 | (f.is_write ? 4 : 0) | (reason << 8) | (uint64_t(f.attrs.requester_id) << 32);
    regs_[kFaultAddr / 8] = f.address;
  }
  update_irq();
  fault_event.notify(sc_core::SC_ZERO_TIME);
}

void ReferenceIommu::update_irq() { irq.write(interrupt_pending()); }

void ReferenceIommu::write_register(uint64_t offset, uint64_t value) {
  switch (offset) {
    case kCtrl:
    case kContextBase:
    case kContextCount:
      regs_[offset / 8] = value;
      invalidate(kInvEverything);
      update_irq();
      break;
    case kInvCmd:
      invalidate(value);
      break;
    case kFaultStatus:
      regs_[offset / 8] &= ~(value & 3);
      if ((regs_[offset / 8] & 1) == 0) regs_[offset / 8] = 0;
      update_irq();
      break;
    case kFaultAddr:
      break;  // read-only
    default:
      regs_[offset / 8] = value;
      break;
  }
}

void ReferenceIommu::unmap_event(const int* index, uint64_t first, uint64_t mask) {
  IommuTlbEntry e;
  e.iova = first;
  e.addr_mask = mask;
  const IommuTlbEvent event{IommuNotifierFlag::unmap, e};
  if (index != nullptr) {
    region_->notify(*index, event);
  } else {
    region_->notify_every_index(event);
  }
}

void ReferenceIommu::invalidate(uint64_t command) {
  const auto context = static_cast<uint16_t>(regs_[kInvContext / 8]);
  const int index = context;
  if (command == kInvEverything) {
    for (TlbEntry& t : iotlb_) t.valid = false;
    unmap_event(nullptr, 0, kWhole);
  } else if (command == kInvContextAll) {
    for (TlbEntry& t : iotlb_) {
      if (t.context == context) t.valid = false;
    }
    unmap_event(&index, 0, kWhole);
  } else if (command == kInvPage) {
    const uint64_t inv = regs_[kInvAddr / 8];
    uint64_t mask = (inv & kInvRange2M) != 0 ? kLarge : kSmall;
    const uint64_t first = inv & ~mask & kWhole;
    for (TlbEntry& t : iotlb_) {
      if (!t.valid || t.context != context) continue;
      const uint64_t t_first = t.iova_page << (t.large ? 21 : 12);
      const uint64_t t_mask = t.large ? kLarge : kSmall;
      if (t_first <= (first | mask) && first <= (t_first | t_mask)) {
        t.valid = false;
        if (t_mask > mask) mask = t_mask;  // a cached 2 MiB page goes whole
      }
    }
    const uint64_t from = first & ~mask;
    unmap_event(&index, from, mask);
    if (wants(region_->notifier_flags(), IommuNotifierFlag::map)) {
      for (uint64_t at = from; at <= (from | mask);) {
        const IommuTlbEntry e = walk(at, index, false);
        if (e.perm != IommuAccess::none) region_->notify(index, IommuTlbEvent{IommuNotifierFlag::map, e});
        at = (at | e.addr_mask) + 1;
      }
    }
  }
}

}  // namespace tlmmap
