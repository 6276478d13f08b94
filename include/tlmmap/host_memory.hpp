// Host memory behind RAM, ROM and ROM-device regions.
//
// Maps of many GiB must load and print without committing host memory, so the
// block is reserved on first use (anonymous mmap, MAP_NORESERVE: pages are
// committed by the OS when first touched).
#pragma once

#include <cstdint>

#include "tlmmap/types.hpp"

namespace tlmmap {

class HostMemory {
 public:
  // Reserved lazily, zero-filled.
  explicit HostMemory(u128 size);
  // Caller-owned memory of at least `size` bytes (QEMU's init_ram_ptr).
  HostMemory(u128 size, uint8_t* external);
  HostMemory(const HostMemory&) = delete;
  HostMemory& operator=(const HostMemory&) = delete;
  ~HostMemory();

  u128 size() const noexcept { return size_; }
  bool reserved() const noexcept { return data_ != nullptr; }
  // The block, reserved on the first call; nullptr if the host cannot
  // reserve it (reported through SC_REPORT_ERROR naming `owner`).
  uint8_t* data(const char* owner = "") {
    return data_ ? data_ : reserve(owner);
  }

 private:
  uint8_t* reserve(const char* owner);

  u128 size_;
  uint8_t* data_ = nullptr;
  bool owned_ = true;
};

}  // namespace tlmmap
