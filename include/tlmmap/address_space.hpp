// An address space: memory as seen from an initiator's viewpoint, the flat
// view of a root region. Several address spaces may share a root; those whose
// roots render the same way share one flat view (as QEMU's).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tlmmap/flat_view.hpp"
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

class AddressSpace {
 public:
  AddressSpace(Region& root, std::string name);
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;
  ~AddressSpace();

  const std::string& name() const noexcept { return name_; }
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

  void add_observer(FlatViewObserver& observer);
  void remove_observer(FlatViewObserver& observer);

 private:
  friend class detail::MapState;
  friend class Region;

  Region* root_;
  std::string name_;
  std::shared_ptr<const FlatView> view_;
  std::vector<FlatViewObserver*> observers_;
  bool pending_ = false;
};

// Every live address space, in creation order.
const std::vector<AddressSpace*>& address_spaces();

// QEMU's memory_region_find(): climbs from `region` to the top of its
// container chain (adding offsets), takes an address space rooted there and
// finds [address, address + size) in it. Empty if no address space is rooted
// at the top.
Section find(const Region& region, uint64_t address, u128 size);

}  // namespace tlmmap
