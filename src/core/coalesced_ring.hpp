// Library-internal: the ring of coalesced MMIO writes (coalesced_mmio.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "region_node.hpp"

namespace tlmmap::detail {

class MmioNode;

class CoalescedRing {
 public:
  static CoalescedRing& get();
  static constexpr std::size_t kCapacity = 256;

  // Buffers a write of `size` (<= 8) bytes; flushes first when full.
  void push(MmioNode& node, uint64_t offset, const uint8_t* data, unsigned size, const MemTxAttrs& attrs);
  // Delivers every buffered write, in order.
  void flush();
  // `node` goes away: its writes (and everything before them) go out now.
  void forget(const RegionNode& node);
  std::size_t pending() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    MmioNode* node;
    uint64_t offset;
    uint8_t data[8];
    unsigned size;
    MemTxAttrs attrs;
  };
  std::vector<Entry> entries_;
  bool flushing_ = false;
};

}  // namespace tlmmap::detail
