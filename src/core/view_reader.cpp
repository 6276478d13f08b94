#include "tlmmap/core/view_reader.hpp"

#include "rcu.hpp"
#include "space_node.hpp"

namespace tlmmap {

ViewReader::ViewReader(const AddressSpace& space)
    : space_(detail::NodeAccess::shared(space)), slot_(detail::Rcu::get().acquire_slot()) {}

ViewReader::~ViewReader() { detail::Rcu::get().release_slot(slot_); }

ViewReader::Pin ViewReader::pin() {
  detail::Rcu::get().enter(*slot_);
  // Loaded after the announcement: see rcu.hpp.
  return Pin(slot_, space_->published());
}

ViewReader::Pin::~Pin() {
  if (slot_ != nullptr) detail::Rcu::get().leave(*slot_);
}

}  // namespace tlmmap
