// QEMU's address_space_map()/unmap(): a device reaching guest memory with a
// host pointer. RAM is mapped in place; anything else through one bounce
// buffer, which only one mapping holds at a time (map clients hear when it
// is free again).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "tlmmap/core/mem_tx_attrs.hpp"
#include "tlmmap/core/mem_tx_result.hpp"
#include "tlmmap/core/section.hpp"

namespace tlmmap {

namespace detail {
class SpaceNode;
}

// What AddressSpace::map() gave. It keeps the mapped memory alive (its
// flat view holds the region) until it is unmapped; destroying a mapping
// that is still mapped unmaps it with its whole length accessed.
class Mapping {
 public:
  Mapping() = default;
  Mapping(Mapping&& other) noexcept;
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();

  // nullptr if nothing could be mapped (unmapped address, a device refusing
  // direct access while the bounce buffer is taken, length 0).
  uint8_t* data() const noexcept { return data_; }
  // May be shorter than asked: a mapping never crosses out of one region's
  // contiguous memory, and the bounce buffer holds one page.
  uint64_t length() const noexcept { return length_; }
  bool bounced() const noexcept { return bounced_; }
  explicit operator bool() const noexcept { return data_ != nullptr; }

 private:
  friend class AddressSpace;
  void release() noexcept;

  uint8_t* data_ = nullptr;
  uint64_t length_ = 0;
  uint64_t address_ = 0;
  bool is_write_ = false;
  bool bounced_ = false;
  MemTxAttrs attrs_;
  Section section_;  // direct mappings: keeps the region's memory alive
  std::shared_ptr<detail::SpaceNode> space_;
};

// QEMU's cpu_register_map_client(): `notify` is called once, when the bounce
// buffer is free (at once if it is free now); then the client is forgotten.
using MapClientId = std::size_t;
MapClientId register_map_client(std::function<void()> notify);
// Forgets a client that has not been notified yet (no-op otherwise).
void unregister_map_client(MapClientId id);

// The bounce buffer's size: the most one bounced mapping holds.
inline constexpr uint64_t kBounceBufferSize = 4096;

}  // namespace tlmmap
