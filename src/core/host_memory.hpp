// Host memory behind RAM, ROM and ROM-device regions.
//
// Maps of many GiB must load and print without committing host memory, so the
// block is reserved on first use (anonymous mmap, MAP_NORESERVE: pages are
// committed by the OS when first touched). The first use may come from a
// reader on another thread, so reserving is a compare-and-swap.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "tlmmap/core/types.hpp"

namespace tlmmap::detail {

class HostMemory {
 public:
  // Reserved lazily, zero-filled.
  explicit HostMemory(u128 size) : size_(size) {}
  // Caller-owned memory of at least `size` bytes (QEMU's init_ram_ptr).
  HostMemory(u128 size, uint8_t* external) : size_(size), data_(external), owned_(false) {}
  // A file mapped now, made or grown to `size` (reported if it cannot be;
  // data() is nullptr then).
  HostMemory(u128 size, const std::string& path, bool shared, const std::string& owner);
  HostMemory(const HostMemory&) = delete;
  HostMemory& operator=(const HostMemory&) = delete;
  ~HostMemory();

  u128 size() const noexcept { return size_; }
  bool reserved() const noexcept { return data_.load(std::memory_order_acquire) != nullptr; }
  // The block if it exists (never reserves).
  uint8_t* existing() const noexcept { return data_.load(std::memory_order_acquire); }
  // Anonymous memory this object reserved: a page the host never made
  // resident (mincore()) was never written and reads as zero.
  bool anonymous() const noexcept { return anonymous_; }
  // The block becomes the file's, at the same address (reserved first if it
  // is not yet): shared, a MAP_FIXED mapping of the file over it; private,
  // the file's content copied in. Refused (false, reported naming `owner`)
  // for caller-owned or file memory.
  bool back_with_file(const std::string& path, bool shared, const std::string& owner);
  // The block, reserved on the first call; nullptr if the host cannot
  // reserve it (reported, naming `owner`).
  uint8_t* data(const std::string& owner) {
    uint8_t* p = data_.load(std::memory_order_acquire);
    return p != nullptr || from_file_ ? p : reserve(owner);
  }

 private:
  uint8_t* reserve(const std::string& owner);

  u128 size_;
  std::atomic<uint8_t*> data_{nullptr};
  bool owned_ = true;
  bool from_file_ = false;
  std::atomic<bool> anonymous_{false};
};

}  // namespace tlmmap::detail
