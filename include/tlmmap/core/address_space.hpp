// An address space: memory as seen from an initiator's viewpoint, the flat
// view of a root region. Several address spaces may share a root; those whose
// roots render the same way share one flat view (as QEMU's).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tlmmap/core/access.hpp"
#include "tlmmap/core/flat_view.hpp"
#include "tlmmap/core/mapping.hpp"
#include "tlmmap/core/mem_tx_result.hpp"
#include "tlmmap/core/section.hpp"

namespace tlmmap {

class AddressSpace;
namespace detail {
class SpaceNode;
class MapState;
}

// A commit changed an address space's view: both views, alive during the
// call, and where they can differ.
struct ViewChange {
  const FlatView& before;
  const FlatView& after;
  // The windows the commit rendered again (merged, ascending), nullptr if
  // the views may differ anywhere. Outside them they map every address alike.
  const std::vector<AddressRange>* windows;

  // The address ranges where they do not map an address alike (changed_ranges()).
  std::vector<AddressRange> changed_ranges() const { return tlmmap::changed_ranges(before, after, windows); }
};

// Told about an address space's flat view: faces that cache decisions (the
// TLM target) and anything that mirrors the map. Called on the thread that
// changes the map, after the new view is published. An observer and the
// spaces it observes may be destroyed in any order: a destroyed observer is
// forgotten by every space it was added to.
class ViewObserver {
 public:
  ViewObserver() = default;
  ViewObserver(const ViewObserver&) = delete;
  ViewObserver& operator=(const ViewObserver&) = delete;
  virtual ~ViewObserver();
  // A commit changed the view.
  virtual void view_changed(const AddressSpace& space, const ViewChange& change) = 0;
  // [first, last] of the space's addresses changed behind the map
  // (Region::invalidate_direct_access()): drop direct pointers there.
  virtual void direct_access_invalidated(const AddressSpace& /*space*/, uint64_t /*first*/, uint64_t /*last*/) {}
  // The space is being destroyed; its view went empty just before (and
  // view_changed said so). The observer is forgotten after this call.
  virtual void space_destroyed(const AddressSpace& /*space*/) {}

 private:
  friend class AddressSpace;
  friend class detail::MapState;
  std::vector<std::weak_ptr<detail::SpaceNode>> observed_;
};

// What an access to an address where nothing is mapped gets.
enum class UnmappedPolicy {
  error,                                // decode error (TLM_ADDRESS_ERROR_RESPONSE): the default
  error_with_warning,                   // the same, and a warning naming the address
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
  // The view goes empty (observers are told), then observers hear
  // space_destroyed(). Readers on other threads keep what they pinned.
  ~AddressSpace();

  const std::string& name() const noexcept;
  bool is_region_relative() const noexcept;
  // nullptr once the root region has been destroyed.
  Region* root() const noexcept;

  // The current flat view; inside a transaction, the view of before it.
  std::shared_ptr<const FlatView> flat_view() const noexcept;
  const FlatView& view() const noexcept;

  // The range that holds `address`, or nullptr. Remembers the ranges found
  // last (by 4 KiB page), so local lookups cost a few loads.
  const FlatRange* lookup(uint64_t address) const noexcept;
  // QEMU's memory_region_find() on the root: the section of the first flat
  // range that meets [address, address + size); empty if none does.
  Section find(uint64_t address, u128 size) const;

  // The model's access path: every decision about an access is made here
  // (rights, latency, splitting, MMIO access sizes, device forwarding,
  // reservations), resolved against the flat view (the view of before a
  // transaction while it is open). Pieces in different ranges are all done
  // and their results OR-ed.
  MemTxResult access(Access& access);
  // The same for an access wholly inside `range`, a range of flat_view()
  // the caller found already (a face's cached decision): decided there,
  // without looking the address up again. The caller keeps the view alive.
  MemTxResult access_within(const FlatRange& range, Access& access);
  // QEMU's address_space_read()/write(): buffer accesses. Latencies of the
  // regions met are added to *latency when given.
  MemTxResult read(uint64_t address, void* data, uint64_t length, const MemTxAttrs& attrs = {},
                   Duration* latency = nullptr);
  MemTxResult write(uint64_t address, const void* data, uint64_t length, const MemTxAttrs& attrs = {},
                    Duration* latency = nullptr);
  // QEMU's address_space_ld*/st*: one access of 1, 2, 4 or 8 bytes, as a CPU
  // makes it. `value` holds the bytes of memory as a host integer.
  MemTxResult load(uint64_t address, unsigned size, uint64_t& value, const MemTxAttrs& attrs = {},
                   Duration* latency = nullptr);
  MemTxResult store(uint64_t address, unsigned size, uint64_t value, const MemTxAttrs& attrs = {},
                    Duration* latency = nullptr);
  // QEMU's address_space_rw().
  MemTxResult rw(uint64_t address, void* data, uint64_t length, bool is_write, const MemTxAttrs& attrs = {},
                 Duration* latency = nullptr);

  // QEMU's address_space_map(): up to `length` bytes at `address` (see
  // mapping.hpp). RAM (readable RAM, ROM and ROM devices in romd mode for
  // reads; writable RAM for writes) is mapped in place; anything else is
  // read into the bounce buffer if it is free. `length` 0, or nothing
  // mapped at `address`, gives an empty mapping.
  Mapping map(uint64_t address, uint64_t length, bool is_write, const MemTxAttrs& attrs = {});
  // QEMU's address_space_unmap(): `access_length` bytes from the start were
  // used. A direct write mapping marks them dirty; a bounced write mapping
  // writes them back through the map. The mapping is empty afterwards.
  // Returns how the write-back went (ok for everything else).
  static MemTxResult unmap(Mapping& mapping, uint64_t access_length);

  // Debug accesses: no side effects. RAM, ROM and ROM devices directly, MMIO
  // through its debug callbacks only, external devices through their debug
  // path. Returns the bytes moved, stopping at the first byte that cannot be.
  uint64_t debug_read(uint64_t address, void* data, uint64_t length);
  uint64_t debug_write(uint64_t address, const void* data, uint64_t length);

  void set_unmapped_policy(UnmappedPolicy policy) noexcept;
  UnmappedPolicy unmapped_policy() const noexcept;

  void add_observer(ViewObserver& observer);
  // Safe from inside the observer's own callbacks.
  void remove_observer(ViewObserver& observer);

 private:
  friend struct detail::NodeAccess;
  std::shared_ptr<detail::SpaceNode> node_;
};

// Every live address space, in creation order (region-relative views of
// target sockets left out).
std::vector<AddressSpace*> address_spaces();

// QEMU's memory_region_find(): climbs from `region` to the top of its
// container chain (adding offsets), takes an address space rooted there and
// finds [address, address + size) in it. Empty if no address space is rooted
// at the top.
Section find(const Region& region, uint64_t address, u128 size);

}  // namespace tlmmap
