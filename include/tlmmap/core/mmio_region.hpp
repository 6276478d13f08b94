// MMIO: every access is handled by the device behind the region, through
// QEMU-style callbacks (MmioOps) or a DevicePort (a device that lives
// outside the model, such as a TLM target bound through TlmDeviceRegion).
#pragma once

#include "tlmmap/core/device_port.hpp"
#include "tlmmap/core/mmio_ops.hpp"
#include "tlmmap/core/region.hpp"

namespace tlmmap {

class MmioRegion : public Region {
 public:
  MmioRegion(std::string name, u128 size, MmioOps ops = {});

  const MmioOps& ops() const noexcept;
  // A map change: what faces cached of the old ops is dropped. Safe from
  // inside one of this region's own callbacks (the old ops live until it returns).
  void set_ops(MmioOps ops);

  // QEMU's memory_region_dispatch_read()/write(): one access of 1, 2, 4 or 8
  // bytes whose value is in host byte order (the bytes of memory as a host
  // integer). Refused with decode_error (value 0) unless valid; split or
  // widened to the implemented sizes; byte-swapped for a device of the other
  // endianness.
  MemTxResult dispatch_read(uint64_t offset, uint64_t& value, unsigned size, const MemTxAttrs& attrs);
  MemTxResult dispatch_write(uint64_t offset, uint64_t value, unsigned size, const MemTxAttrs& attrs);

  // QEMU's memory_region_access_valid().
  bool access_valid(uint64_t offset, unsigned size, bool is_write, const MemTxAttrs& attrs) const;
  // QEMU's memory_access_size(): the size of the next dispatch of a buffer
  // access with `remaining` bytes at `offset`.
  unsigned buffer_access_size(uint64_t offset, uint64_t remaining) const;

 protected:
  // Every access goes to `port`, which must outlive the region's place in
  // the map (call unmap() before destroying it).
  MmioRegion(std::string name, u128 size, DevicePort& port);
  explicit MmioRegion(std::unique_ptr<detail::RegionNode> node);
};

}  // namespace tlmmap
