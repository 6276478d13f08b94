// Library-internal: the translation cache of an IOMMU region's access path.
//
// Keeps, per (input page, IOMMU index, direction), the entry an access's
// translate() gave when it allowed the access: the target address space, the
// translated page, the mask and the rights, and, where the translated page
// lands on host memory for that direction in the target space's current view
// (RouteKind::memory, writes not logged), that memory. A hit continues the
// access without calling translate(): straight into host memory, or with one
// more access in the target space (which may hold further IOMMUs: each keeps
// its own cache, so an outer entry never depends on an inner translation).
//
// Refusals are never kept (each one faults and calls the fault hook).
// Entries are dropped exactly, before the change returns:
//   * by the IOMMU's MAP and UNMAP events (IommuRegion::notify()), over the
//     pages of their index the event meets (every change of a translation
//     is told so, by the contract of translate());
//   * by a change of a target space's view (or a direct-access
//     invalidation) over the translated pages it meets;
//   * entirely when the IOMMU region or a target space is destroyed.
//
// Faces that keep a hit of their own (the AddressSpaceTarget's last
// translated pages, tlm/detail/iommu_target_path.hpp) hold the cache's
// epoch: every invalidation above, whatever it drops, and the cache's
// destruction end it before they return, so such a copy is never used past
// a change of what it was made from.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/duration.hpp"
#include "tlmmap/core/iommu_region.hpp"

namespace tlmmap::detail {

class TranslationCache final : private ViewObserver {
 public:
  static constexpr uint64_t kNoFaceLatency = ~uint64_t(0);
  struct Entry {
    AddressSpace* target = nullptr;  // nullptr: an empty slot
    uint64_t iova = 0;               // the input page's first address
    uint64_t mask = 0;               // page size - 1
    uint64_t translated = 0;         // the page's first address in `target`
    // Host memory of input addresses [direct_first, direct_last] (part of
    // the page), for this entry's direction; nullptr if none.
    uint8_t* host = nullptr;
    uint64_t direct_first = 1;
    uint64_t direct_last = 0;
    Duration latency{};  // the target range's latency, with `host`
    // A face's own form of `latency`, made by the face on first use
    // (the TLM target keeps an sc_time value there); kNoFaceLatency until then.
    mutable uint64_t face_latency = kNoFaceLatency;
    int index = -1;
    bool is_write = false;
    IommuAccess perm = IommuAccess::none;

    uint64_t target_address(uint64_t address) const noexcept { return translated | (address & mask); }
    // Host memory of [address, address + length - 1], or nullptr.
    uint8_t* direct(uint64_t address, uint64_t length) const noexcept {
      if (host == nullptr || address < direct_first || length == 0 || length - 1 > direct_last - address ||
          address > direct_last) {
        return nullptr;
      }
      return host + (address - direct_first);
    }
  };

  // Moves on at every invalidation (and at the cache's destruction): a copy
  // of an entry made while epoch() read `n` is valid while it still reads `n`.
  using Epoch = std::shared_ptr<const uint64_t>;

  TranslationCache() : slots_(kSlots), epoch_(std::make_shared<uint64_t>(0)) {}
  ~TranslationCache() override { ++*epoch_; }
  TranslationCache(const TranslationCache&) = delete;
  TranslationCache& operator=(const TranslationCache&) = delete;

  // Shared: it outlives the cache (and the region) in whoever holds it.
  Epoch epoch() const { return epoch_; }

  // The kept translation of `address` (an input address) for `index` and
  // the direction, or nullptr.
  const Entry* find(uint64_t address, int index, bool is_write) const noexcept {
    const Entry& e = slots_[slot(address, index, is_write)];
    if (e.target != nullptr && address - e.iova <= e.mask && e.index == index && e.is_write == is_write) return &e;
    return nullptr;
  }
  // Keeps `translation` (which allows the access) of `address`.
  const Entry& fill(uint64_t address, int index, bool is_write, const IommuTlbEntry& translation);

  // Drops the entries of `index` (every index if nullptr) whose input page
  // meets [first, last].
  void invalidate(const int* index, uint64_t first, uint64_t last) noexcept;
  void clear() noexcept;
  // How many entries are kept.
  std::size_t size() const noexcept;

 private:
  static constexpr unsigned kSlotBits = 9;
  static constexpr std::size_t kSlots = std::size_t(1) << kSlotBits;
  static std::size_t slot(uint64_t address, int index, bool is_write) noexcept {
    // Hashed by 4 KiB page: a larger page fills one slot per 4 KiB touched.
    // (The index is added, not shifted in from a wider load: a spilled
    // int read back as 8 bytes stalls on store forwarding.)
    const uint64_t key = ((address >> 12) << 1 | static_cast<uint64_t>(is_write)) +
                         static_cast<uint64_t>(static_cast<int64_t>(index)) * 0x10000000001ULL;
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - kSlotBits));
  }
  void drop_target_pages(const AddressSpace& space, uint64_t first, uint64_t last) noexcept;

  void view_changed(const AddressSpace& space, const ViewChange& change) override;
  void direct_access_invalidated(const AddressSpace& space, uint64_t first, uint64_t last) override;
  void space_destroyed(const AddressSpace& space) override;

  std::vector<Entry> slots_;
  std::shared_ptr<uint64_t> epoch_;
  std::vector<const AddressSpace*> observed_;  // the target spaces this cache observes
};

}  // namespace tlmmap::detail
