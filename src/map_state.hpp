// The process-wide state of the memory API, as QEMU's: the list of address
// spaces, the transaction depth and the address spaces waiting for a render.
// SystemC is single-threaded; the map must be changed from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tlmmap/address_space.hpp"
#include "tlmmap/flat_view.hpp"
#include "tlmmap/region.hpp"

namespace tlmmap::detail {

class MapState {
 public:
  static MapState& get();

  void begin() { ++depth_; }
  void commit();
  // Ends a transaction like commit() but returns a render that stopped at a
  // limit instead of reporting it (loaders refuse such maps).
  std::string commit_quietly() {
    if (depth_ > 0) --depth_;
    return depth_ == 0 && pending_ ? render_pending() : std::string();
  }
  int depth() const noexcept { return depth_; }

  // Marks the address spaces whose root reaches `region` (up through
  // containers and aliases) for a full render.
  void mark_reaching(const Region& region);
  // A change confined to [lo, hi) of `region`'s content (a subregion's
  // window in its container, or the region itself): the address spaces that
  // reach it re-render only the windows it maps to, found by walking up
  // containers and aliases. Renders at once outside a transaction.
  void window_changed(const Region& region, u128 lo, u128 hi) {
    note_window(region, lo, hi);
    render_if_idle();
  }
  // The same without the render (several windows of one change).
  void note_window(const Region& region, u128 lo, u128 hi);
  // `region`'s own address changed: address spaces rendered from it see
  // their whole view shift.
  void region_moved(const Region& region);
  // Outside a transaction, renders what is pending and reports a render that
  // stopped at a limit.
  void render_if_idle();
  void space_created(AddressSpace& space);
  void space_destroyed(AddressSpace& space);
  // The root of `space` is going away.
  void root_destroyed(AddressSpace& space);

  const std::vector<AddressSpace*>& spaces() const noexcept { return spaces_; }
  // The address spaces QEMU would list (no region-relative views).
  const std::vector<AddressSpace*>& listed_spaces() const noexcept { return listed_spaces_; }
  uint64_t next_add_sequence() noexcept { return ++add_sequence_; }
  uint64_t next_walk_stamp() noexcept { return ++walk_stamp_; }
  const std::shared_ptr<const FlatView>& empty_view() const noexcept { return empty_view_; }

  // Renders the pending address spaces; returns a description of a render
  // that stopped at a limit ("" if none). Used by commit() and by loaders that
  // refuse such a map instead of reporting it.
  std::string render_pending();

 private:
  MapState();
  void mark_space(AddressSpace& space, u128 lo, u128 hi);
  void mark_space_everywhere(AddressSpace& space);
  std::shared_ptr<const FlatView> rerender(AddressSpace& space, Region* root, std::string& overflow);

  int depth_ = 0;
  bool pending_ = false;
  bool rendering_ = false;
  uint64_t add_sequence_ = 0;
  uint64_t walk_stamp_ = 0;
  std::vector<AddressSpace*> spaces_;
  std::vector<AddressSpace*> listed_spaces_;
  std::shared_ptr<const FlatView> empty_view_;
};

}  // namespace tlmmap::detail
