// QEMU's MemoryListener: callbacks on every change of the flat views.
//
// Each callback is optional (leave it empty). Sections passed to them are
// valid during the call (they hold their view). The sequences are QEMU's
// (address_space_update_topology_pass()): at each outermost commit that
// changed anything, `begin` on every listener, then for each address space
// the ranges deleted (region_del, and coalesced_io_del first), then in
// address order the ranges kept (region_nop, with log_start/log_stop where
// dirty logging changed) and added (region_add, then coalesced_io_add), then
// the ioeventfds that went (eventfd_del) and came (eventfd_add), then
// `commit` on every listener. Listeners are ordered by priority: lower
// first for additions (Forward), last for deletions (Reverse), equal
// priorities in registration order.
//
// Registering replays the current map to the new listener (begin,
// log_global_start if global dirty tracking is on, region_add and log_start
// for every range, commit); unregistering takes it back (begin, log_stop and
// region_del for every range, commit). A listener may unregister, itself
// included, from inside a callback; a listener destroyed while registered
// unregisters silently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tlmmap/core/event_notifier.hpp"
#include "tlmmap/core/section.hpp"

namespace tlmmap {

class AddressSpace;
namespace detail {
class ListenerRegistry;
}

class MemoryListener {
 public:
  explicit MemoryListener(std::string name = "", int priority = 0)
      : name(std::move(name)), priority(priority) {}
  MemoryListener(const MemoryListener&) = delete;
  MemoryListener& operator=(const MemoryListener&) = delete;
  virtual ~MemoryListener();

  std::function<void()> begin;
  std::function<void()> commit;
  std::function<void(const Section&)> region_add;
  std::function<void(const Section&)> region_del;
  std::function<void(const Section&)> region_nop;
  // Dirty-log clients (DirtyClient bits) before and after.
  std::function<void(const Section&, uint8_t old_mask, uint8_t new_mask)> log_start;
  std::function<void(const Section&, uint8_t old_mask, uint8_t new_mask)> log_stop;
  std::function<void(const Section&)> log_sync;
  std::function<void()> log_global_start;
  std::function<void()> log_global_stop;
  // The section is the ioeventfd's address range in the address space.
  std::function<void(const Section&, bool match_data, uint64_t data, EventNotifier&)> eventfd_add;
  std::function<void(const Section&, bool match_data, uint64_t data, EventNotifier&)> eventfd_del;
  // [address, address + length) of the address space is coalesced.
  std::function<void(const Section&, uint64_t address, uint64_t length)> coalesced_io_add;
  std::function<void(const Section&, uint64_t address, uint64_t length)> coalesced_io_del;

  std::string name;
  int priority;

  bool registered() const noexcept { return registered_; }
  // The one address space it listens to, or nullptr for every one.
  const AddressSpace* address_space() const noexcept { return space_; }

 private:
  friend class detail::ListenerRegistry;
  bool registered_ = false;
  const AddressSpace* space_ = nullptr;
  uint64_t sequence_ = 0;  // registration order among equal priorities
};

// QEMU's memory_listener_register(): to one address space, or to every
// address space (present and future) with nullptr.
void memory_listener_register(MemoryListener& listener, const AddressSpace* space = nullptr);
void memory_listener_unregister(MemoryListener& listener);

}  // namespace tlmmap
