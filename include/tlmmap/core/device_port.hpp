// The way out of the model to a device that lives elsewhere: an MMIO region
// built on a DevicePort forwards every access to it (the TLM layer's
// TlmDeviceRegion is one, towards a bound TLM target).
#pragma once

#include <cstdint>

#include "tlmmap/core/access.hpp"
#include "tlmmap/core/mem_tx_result.hpp"

namespace tlmmap {

class DevicePort {
 public:
  // `face` tells a face its own ports apart from others' (compare with the
  // address of an object of its own), so that it can take a faster way to a
  // device it knows without RTTI.
  explicit DevicePort(const void* face = nullptr) noexcept : face_(face) {}
  virtual ~DevicePort() = default;
  DevicePort(const DevicePort&) = delete;
  DevicePort& operator=(const DevicePort&) = delete;

  const void* face() const noexcept { return face_; }

  // One access, with `access.address` the offset inside the region. The
  // device adds its own latency to `access.latency`.
  virtual MemTxResult transfer(Access& access) = 0;
  // Without side effects; returns the bytes moved.
  virtual uint64_t debug_transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) = 0;

 private:
  const void* face_;
};

}  // namespace tlmmap
