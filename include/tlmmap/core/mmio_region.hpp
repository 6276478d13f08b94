// MMIO: every access is handled by the device behind the region, through
// QEMU-style callbacks (MmioOps) or a DevicePort (a device that lives
// outside the model, such as a TLM target bound through TlmDeviceRegion).
#pragma once

#include "tlmmap/core/device_port.hpp"
#include "tlmmap/core/event_notifier.hpp"
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

  // Coalesced MMIO (coalesced_mmio.hpp), as QEMU's
  // memory_region_set/add/clear_coalescing(): listeners hear of it at once.
  // Coalescing marks the region flush-coalesced; clearing unmarks it.
  void set_coalescing();
  void add_coalescing(uint64_t offset, u128 size);
  void clear_coalescing();
  // QEMU's memory_region_set/clear_flush_coalesced(): an access to the
  // region first delivers every buffered coalesced write.
  void set_flush_coalesced();
  void clear_flush_coalesced();
  bool flush_coalesced() const noexcept;

  // ioeventfd (QEMU's memory_region_add/del_eventfd()): a write of `size`
  // bytes at `offset` (and of `data` when `match_data`; data as the CPU
  // writes it) notifies `notifier` instead of reaching the write callback.
  // Other writes go on as usual. Listeners hear of it at the commit.
  void add_eventfd(uint64_t offset, unsigned size, bool match_data, uint64_t data, EventNotifier& notifier);
  void del_eventfd(uint64_t offset, unsigned size, bool match_data, uint64_t data, EventNotifier& notifier);

 protected:
  // Every access goes to `port`, which must outlive the region's place in
  // the map (call unmap() before destroying it).
  MmioRegion(std::string name, u128 size, DevicePort& port);
  explicit MmioRegion(std::unique_ptr<detail::RegionNode> node);
};

}  // namespace tlmmap
