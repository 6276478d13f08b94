// An address space: memory as seen from an initiator's viewpoint, the flat
// view of a root region. Several address spaces may share a root; those whose
// roots render the same way share one flat view (as QEMU's).
#pragma once

#include <memory>
#include <utility>
#include <string>
#include <vector>

#include <sysc/kernel/sc_time.h>

#include "tlmmap/flat_view.hpp"
#include "tlmmap/mem_tx_attrs.hpp"
#include "tlmmap/mem_tx_result.hpp"
#include "tlmmap/section.hpp"

namespace tlmmap {

class Region;
namespace detail {
class MapState;
}

// Told after a commit changed the flat view of an address space.
class FlatViewObserver {
 public:
  virtual ~FlatViewObserver() = default;
  virtual void flat_view_changed(const class AddressSpace& space, const FlatView& before,
                                 const FlatView& after) = 0;
};

// What an access to an address where nothing is mapped gets.
enum class UnmappedPolicy {
  error,                                // decode error (TLM_ADDRESS_ERROR_RESPONSE): the default
  error_with_warning,                   // the same, and an SC_REPORT_WARNING naming the address
  read_zero_write_ignore,               // reads as zero, writes ignored, no error
  read_zero_write_ignore_with_warning,  // the same, with a warning
};

class AddressSpace {
 public:
  AddressSpace(Region& root, std::string name);
  // A view of one region with its byte 0 at address 0, rendered from the
  // region itself (not QEMU's flatview root); what a target socket that
  // exposes a single region serves. Not listed by address_spaces() (so not
  // in `info mtree`).
  struct RegionRelative {};
  static constexpr RegionRelative region_relative{};
  AddressSpace(Region& root, std::string name, RegionRelative);
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;
  ~AddressSpace();

  const std::string& name() const noexcept { return name_; }
  bool is_region_relative() const noexcept { return region_relative_; }
  // nullptr once the root region has been destroyed.
  Region* root() const noexcept { return root_; }

  // The current flat view; inside a transaction, the view of before it.
  std::shared_ptr<const FlatView> flat_view() const noexcept { return view_; }
  const FlatView& view() const noexcept { return *view_; }

  // The range that holds `address`, or nullptr.
  const FlatRange* lookup(uint64_t address) const noexcept { return view_->lookup(address); }
  // QEMU's memory_region_find() on the root: the section of the first flat
  // range that meets [address, address + size); empty if none does.
  Section find(uint64_t address, u128 size) const;

  // Accesses resolve against the flat view (the view of before a
  // transaction while it is open). Data is in memory order. Latencies of the
  // regions met are added to *delay when given.
  //
  // QEMU's address_space_read()/write(): a buffer access, split across flat
  // ranges and, inside MMIO, into the sizes the device takes
  // (MmioRegion::transfer()). Every piece is done; the results are OR-ed.
  MemTxResult read(uint64_t address, void* data, uint64_t length, const MemTxAttrs& attrs = {},
                   sc_core::sc_time* delay = nullptr);
  MemTxResult write(uint64_t address, const void* data, uint64_t length, const MemTxAttrs& attrs = {},
                    sc_core::sc_time* delay = nullptr);
  // QEMU's address_space_ld*/st*: one access of 1, 2, 4 or 8 bytes, as a CPU
  // makes it: an MMIO region sees it whole, or refuses it if it is not valid
  // there. `value` holds the bytes of memory as a host integer. An access
  // that crosses flat ranges is done as a buffer access.
  MemTxResult load(uint64_t address, unsigned size, uint64_t& value, const MemTxAttrs& attrs = {},
                   sc_core::sc_time* delay = nullptr);
  MemTxResult store(uint64_t address, unsigned size, uint64_t value, const MemTxAttrs& attrs = {},
                    sc_core::sc_time* delay = nullptr);
  // Debug accesses: no side effects. RAM, ROM and ROM devices directly, MMIO
  // through its debug callbacks only. Returns the bytes moved, stopping at
  // the first byte that cannot be (unmapped, or MMIO without a debug callback).
  uint64_t debug_read(uint64_t address, void* data, uint64_t length);
  uint64_t debug_write(uint64_t address, const void* data, uint64_t length);

  void set_unmapped_policy(UnmappedPolicy policy) noexcept { unmapped_policy_ = policy; }
  UnmappedPolicy unmapped_policy() const noexcept { return unmapped_policy_; }

  void add_observer(FlatViewObserver& observer);
  void remove_observer(FlatViewObserver& observer);

 private:
  friend class detail::MapState;
  friend class Region;

  Region* root_;
  std::string name_;
  std::shared_ptr<const FlatView> view_;
  std::vector<FlatViewObserver*> observers_;
  UnmappedPolicy unmapped_policy_ = UnmappedPolicy::error;
  bool region_relative_ = false;
  // Waiting for a render: only inside `dirty_windows_` (address ranges of
  // this space), or everywhere.
  bool pending_ = false;
  bool dirty_everywhere_ = false;
  std::vector<std::pair<u128, u128>> dirty_windows_;
};

// Every live address space, in creation order (region-relative views of
// target sockets left out).
const std::vector<AddressSpace*>& address_spaces();

// QEMU's memory_region_find(): climbs from `region` to the top of its
// container chain (adding offsets), takes an address space rooted there and
// finds [address, address + size) in it. Empty if no address space is rooted
// at the top.
Section find(const Region& region, uint64_t address, u128 size);

}  // namespace tlmmap
