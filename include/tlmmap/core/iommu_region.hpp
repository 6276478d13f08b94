// QEMU's IOMMU memory region: translates the address of every access made
// to it and forwards the access into another address space.
//
// A model derives from IommuRegion and overrides translate() (and, as it
// needs, attrs_to_index(), num_indexes(), min_page_size(), replay()); the
// base class translates nothing, so every access to a plain IommuRegion (one
// loaded from a map file, say) is a translation fault.
//
// The model's access path (AddressSpace::access() and everything built on
// it: read/write/load/store, the TLM target's b_transport, map()) translates
// each page of an access and goes on in the entry's target address space,
// which may hold further IOMMUs (at most kMaxIommuNesting deep; deeper is
// reported as a loop). A fault answers:
//   no translation (perm none, or no target space)  MemTxResult::decode_error  (TLM_ADDRESS_ERROR_RESPONSE)
//   translation without the access's permission     MemTxResult::access_error  (TLM_COMMAND_ERROR_RESPONSE)
// and the region's fault() hook hears of it (IommuFault). Debug accesses are
// translated with the `none` flag (below) and never call fault().
//
// The contract of translate(): called with IommuAccess::none it is a pure
// look-up (QEMU's replay() uses it so too): no IOTLB fill, no fault state;
// the entry's perm says what the mapping allows. Debug accesses, replay and
// DMI look-ups use it. With read or write it is an access's translation and
// may cache (an IOTLB).
//
// The IOMMU tells of changes to its translations with notify(): an UNMAP
// event before a translation is withdrawn or changed (a change is an UNMAP,
// then a MAP), a MAP event when one is made. Registered IommuNotifiers with
// a matching index, range and flag hear it before notify() returns; the TLM
// IOMMU module withdraws DMI grants from them.
//
// Rendering and `info mtree` show an IOMMU region as QEMU does: a leaf of
// type "i/o" (translation never enters the rendered view).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tlmmap/core/mem_tx_attrs.hpp"
#include "tlmmap/core/region.hpp"

namespace tlmmap {

class AddressSpace;
class IommuRegion;
namespace detail {
class TranslationCache;
}

// QEMU's IOMMUAccessFlags.
enum class IommuAccess : uint8_t { none = 0, read = 1, write = 2, read_write = 3 };
constexpr IommuAccess operator|(IommuAccess a, IommuAccess b) {
  return static_cast<IommuAccess>(static_cast<uint8_t>(a) | static_cast<uint8_t>(b));
}
constexpr IommuAccess operator&(IommuAccess a, IommuAccess b) {
  return static_cast<IommuAccess>(static_cast<uint8_t>(a) & static_cast<uint8_t>(b));
}
// Does `perm` allow every access in `wanted`?
constexpr bool allows(IommuAccess perm, IommuAccess wanted) { return (perm & wanted) == wanted; }
const char* to_string(IommuAccess access) noexcept;

// QEMU's IOMMUTLBEntry: one page of translation.
struct IommuTlbEntry {
  AddressSpace* target = nullptr;  // where translated accesses go (QEMU's target_as)
  uint64_t iova = 0;               // the page's first input address (an offset in the region)
  uint64_t translated_addr = 0;    // the page's first address in `target`
  uint64_t addr_mask = 0;          // page size - 1 (a power of two minus one)
  IommuAccess perm = IommuAccess::none;

  // The address in `target` that input address `address` (in this page) reaches.
  uint64_t translate(uint64_t address) const noexcept { return (translated_addr & ~addr_mask) | (address & addr_mask); }
  // The page's last input address.
  uint64_t last() const noexcept { return (iova & ~addr_mask) | addr_mask; }
};

// QEMU's IOMMUNotifierFlag: the events a notifier wants.
enum class IommuNotifierFlag : uint8_t { none = 0, map = 1, unmap = 2, map_unmap = 3 };
constexpr bool wants(IommuNotifierFlag flags, IommuNotifierFlag event) {
  return (static_cast<uint8_t>(flags) & static_cast<uint8_t>(event)) != 0;
}

// QEMU's IOMMUTLBEvent: a MAP (entry.perm says the rights) or an UNMAP
// (entry.perm none) of the pages [entry.iova, entry.last()].
struct IommuTlbEvent {
  IommuNotifierFlag type = IommuNotifierFlag::unmap;
  IommuTlbEntry entry;
};

// QEMU's IOMMUNotifier: hears the events of one index over [start, end]
// (offsets in the region). Registered with IommuRegion::register_notifier();
// the notifier and the region may die in either order.
class IommuNotifier {
 public:
  using Callback = std::function<void(const IommuTlbEvent&)>;
  IommuNotifier(Callback notify, IommuNotifierFlag flags, uint64_t start, uint64_t end, int index = 0)
      : notify(std::move(notify)), flags(flags), start(start), end(end), index(index) {}
  IommuNotifier(const IommuNotifier&) = delete;
  IommuNotifier& operator=(const IommuNotifier&) = delete;
  ~IommuNotifier();

  Callback notify;
  IommuNotifierFlag flags;
  uint64_t start;
  uint64_t end;  // inclusive
  int index;
  IommuRegion* region() const noexcept { return region_; }

 private:
  friend class IommuRegion;
  IommuRegion* region_ = nullptr;
};

// Why an access was refused.
enum class IommuFaultReason : uint8_t {
  no_translation,  // nothing mapped for the address (or no target space)
  permission,      // mapped without the access's right
  nesting,         // nested deeper than kMaxIommuNesting: a loop
};
const char* to_string(IommuFaultReason reason) noexcept;

// What the fault hook hears: one refused page of an access.
struct IommuFault {
  uint64_t address = 0;  // the input address (an offset in the region)
  bool is_write = false;
  int index = 0;  // the IOMMU index the attributes chose
  MemTxAttrs attrs;
  IommuFaultReason reason = IommuFaultReason::no_translation;
};

// Nested translation deeper than this is refused (a loop of IOMMUs).
inline constexpr unsigned kMaxIommuNesting = 16;

class IommuRegion : public Region {
 public:
  IommuRegion(std::string name, u128 size);
  // A derived model must call unmap() first in its own destructor, so that
  // no access reaches its translate() while its members die.
  ~IommuRegion() override;

  // QEMU's IOMMUMemoryRegionClass::translate(): the entry for the page that
  // holds `address` (an offset in the region) for `flags` (see the contract
  // above) and IOMMU index `index`. The base class maps nothing.
  virtual IommuTlbEntry translate(uint64_t address, IommuAccess flags, int index);
  // QEMU's attrs_to_index(): the index an access with `attrs` uses (e.g. its
  // requester id or its security state). 0 by default. A function of the
  // attributes alone, as QEMU's are: the IOMMU module keeps translations
  // per initiator with the attributes that asked for them.
  virtual int attrs_to_index(const MemTxAttrs& attrs) const;
  // QEMU's num_indexes(): 1 by default.
  virtual int num_indexes() const;
  // QEMU's get_min_page_size(): the smallest page translate() gives; 4 KiB
  // by default.
  virtual uint64_t min_page_size() const;
  // QEMU's replay(): tells `notifier` a MAP event for every page mapped now
  // in its range and index. The default translates every min_page_size()
  // page of the range with the `none` flag (refused for more than 2^20
  // pages: a model with a large space overrides it, walking its tables).
  virtual void replay(IommuNotifier& notifier);
  // QEMU's notify_flag_changed(): the union of the registered notifiers'
  // flags went from `before` to `now` (a model may skip making MAP events
  // nobody wants).
  virtual void notify_flag_changed(IommuNotifierFlag /*before*/, IommuNotifierFlag /*now*/) {}
  // The access path refused a page (never for debug accesses). The default
  // calls the fault handler, or reports a warning naming the region when
  // there is none. A model that records faults overrides it (and calls this
  // for the platform's handler).
  virtual void fault(const IommuFault& fault);

  // The platform's hook for faults (replaces the default warning).
  void set_fault_handler(std::function<void(const IommuFault&)> handler) { fault_handler_ = std::move(handler); }

  // QEMU's memory_region_register_iommu_notifier(): refused for an index out
  // of range, an empty range, no flags, or a notifier registered already.
  void register_notifier(IommuNotifier& notifier);
  void unregister_notifier(IommuNotifier& notifier);
  // QEMU's memory_region_notify_iommu(): delivers `event` (of index `index`)
  // to every notifier that wants it, before returning.
  void notify(int index, const IommuTlbEvent& event);
  // The same for the notifiers of every index (an invalidation of everything).
  void notify_every_index(const IommuTlbEvent& event);
  // The union of the registered notifiers' flags.
  IommuNotifierFlag notifier_flags() const noexcept;
  // How many notifiers are registered.
  std::size_t notifier_count() const noexcept { return notifiers_.size(); }

  // Translates `address` (an offset in the region) for an access with
  // `attrs` through this and any nested IOMMU, as the access path does but
  // with the `none` flag: no side effects. The final address space and
  // address are in the returned entry (target nullptr if refused);
  // `reason` tells why when refused. `path`, if given, receives each IOMMU
  // translated through, in order (when refused, the last one refused).
  IommuTlbEntry resolve(uint64_t address, const MemTxAttrs& attrs, IommuAccess wanted,
                        IommuFaultReason* reason = nullptr, std::vector<IommuRegion*>* path = nullptr);

  // The translation cache of the access path (detail/translation_cache.hpp):
  // the model's accesses and the AddressSpaceTarget keep each allowed
  // translation of a page, index and direction there, and skip translate()
  // while it is kept. notify() drops what an event meets.
  detail::TranslationCache& translation_cache() {
    detail::TranslationCache* cache = cache_.get();
    return cache != nullptr ? *cache : make_translation_cache();
  }
  // How many translations the cache keeps.
  std::size_t cached_translations() const noexcept;

 protected:
  bool has_fault_handler() const noexcept { return static_cast<bool>(fault_handler_); }

 private:
  void deliver(const int* index, const IommuTlbEvent& event);
  detail::TranslationCache& make_translation_cache();

  std::vector<IommuNotifier*> notifiers_;
  std::function<void(const IommuFault&)> fault_handler_;
  std::unique_ptr<detail::TranslationCache> cache_;  // made on first use
};

}  // namespace tlmmap
