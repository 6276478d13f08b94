// MMIO: every access is handled by the device behind the region, through
// QEMU-style callbacks (MmioOps) or, for TlmDeviceRegion, a bound TLM target.
#pragma once

#include "tlmmap/mmio_ops.hpp"
#include "tlmmap/region.hpp"

namespace tlmmap {

class MmioRegion : public Region {
 public:
  MmioRegion(std::string name, u128 size, MmioOps ops = {});

  const MmioOps& ops() const noexcept { return ops_; }
  void set_ops(MmioOps ops) { ops_ = std::move(ops); }

  // QEMU's memory_region_dispatch_read()/write(): one access of 1, 2, 4 or 8
  // bytes whose value is in host byte order (the bytes of memory as a host
  // integer). Refused with decode_error (value 0) unless valid; split or
  // widened to the implemented sizes; byte-swapped for a device of the other
  // endianness.
  // `delay` (may be null) is the caller's timing annotation; callbacks do not
  // use it, a region forwarding to a TLM target passes it on.
  virtual MemTxResult dispatch_read(uint64_t offset, uint64_t& value, unsigned size, const MemTxAttrs& attrs,
                                    sc_core::sc_time* delay = nullptr);
  virtual MemTxResult dispatch_write(uint64_t offset, uint64_t value, unsigned size, const MemTxAttrs& attrs,
                                     sc_core::sc_time* delay = nullptr);

  // A buffer access (QEMU's address_space_rw() inside this region): split
  // into dispatches of the sizes memory_access_size() allows.
  virtual MemTxResult transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write,
                               const MemTxAttrs& attrs, sc_core::sc_time* delay = nullptr);
  // A debug access: through the debug callbacks only. Returns the bytes moved.
  virtual uint64_t debug_transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write);

  // QEMU's memory_region_access_valid().
  bool access_valid(uint64_t offset, unsigned size, bool is_write, const MemTxAttrs& attrs) const;
  // QEMU's memory_access_size(): the size of the next dispatch of a buffer
  // access with `remaining` bytes at `offset`.
  unsigned buffer_access_size(uint64_t offset, uint64_t remaining) const;

 protected:
  MmioRegion(std::string name, RegionKind kind, u128 size, MmioOps ops);

 private:
  MmioOps ops_;
};

}  // namespace tlmmap
