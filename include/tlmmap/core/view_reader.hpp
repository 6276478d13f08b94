// Reading an address space's flat view from another host thread (a CPU
// model running on its own std::thread) without locks.
//
// Publishing a new view is one atomic pointer swap; a view a reader has
// pinned is reclaimed only after every reader that could have seen it has
// let go (epoch-based reclamation, as RCU). A pin costs two atomic stores and
// a load; the thread that changes the map (SystemC's) never waits for readers.
//
//   // SystemC thread, during elaboration:
//   tlmmap::ViewReader reader(memory);
//   // CPU thread:
//   {
//     auto pin = reader.pin();
//     if (const tlmmap::FlatRange* r = pin.view().lookup(pc)) {
//       const tlmmap::Route route = r->route(false);
//       if (route.kind == tlmmap::RouteKind::memory) std::memcpy(&insn, route.host + (pc - r->first), 4);
//       else ...  // hand the access to the SystemC thread (MMIO callbacks run there)
//     }
//   }
//
// What a pinned view shows stays valid (host memory included) while pinned,
// even if the map changes or regions are destroyed meanwhile. Only reading is
// thread-safe: callbacks, device forwarding and map changes belong to the
// thread that owns the map. A reader is used by one thread at a time.
#pragma once

#include <memory>

#include "tlmmap/core/address_space.hpp"

namespace tlmmap {

namespace detail {
struct ReaderSlot;
}

class ViewReader {
 public:
  // Made on the thread that owns the map; the address space may be
  // destroyed before the reader (a reader of it then sees an empty view).
  explicit ViewReader(const AddressSpace& space);
  ~ViewReader();
  ViewReader(const ViewReader&) = delete;
  ViewReader& operator=(const ViewReader&) = delete;

  class Pin {
   public:
    Pin(Pin&& other) noexcept : slot_(other.slot_), view_(other.view_) { other.slot_ = nullptr; }
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;
    ~Pin();
    const FlatView& view() const noexcept { return *view_; }

   private:
    friend class ViewReader;
    Pin(detail::ReaderSlot* slot, const FlatView* view) noexcept : slot_(slot), view_(view) {}
    detail::ReaderSlot* slot_;
    const FlatView* view_;
  };

  // The current view, valid until the pin is released. One pin at a time.
  Pin pin();

 private:
  std::shared_ptr<detail::SpaceNode> space_;
  detail::ReaderSlot* slot_;
};

}  // namespace tlmmap
