// address_space_map()/unmap(): RAM in place, anything else through the one
// bounce buffer.
#include "tlmmap/core/mapping.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

#include "iommu_node.hpp"
#include "map_state.hpp"
#include "region_node.hpp"
#include "space_node.hpp"
#include "tlmmap/core/address_space.hpp"

namespace tlmmap {

using detail::MapState;
using detail::NodeAccess;

namespace {

// QEMU keeps one bounce buffer for the whole machine; so do we.
struct BounceBuffer {
  std::atomic<bool> in_use{false};
  alignas(64) uint8_t bytes[kBounceBufferSize] = {};
  std::mutex clients_lock;
  std::vector<std::pair<MapClientId, std::function<void()>>> clients;
  MapClientId next_id = 1;

  static BounceBuffer& get() {
    static BounceBuffer bounce;
    return bounce;
  }

  // Every waiting client hears once that the buffer is free.
  void notify_clients() {
    std::vector<std::pair<MapClientId, std::function<void()>>> waiting;
    {
      std::lock_guard<std::mutex> guard(clients_lock);
      waiting.swap(clients);
    }
    for (auto& client : waiting) client.second();
  }
};

MemTxResult access_through(detail::SpaceNode& space, uint64_t address, uint8_t* data, uint64_t length,
                           bool is_write, const MemTxAttrs& attrs) {
  Access a;
  a.address = address;
  a.data = data;
  a.length = length;
  a.is_write = is_write;
  a.attrs = attrs;
  return space.access(a);
}

}  // namespace

MapClientId register_map_client(std::function<void()> notify) {
  BounceBuffer& bounce = BounceBuffer::get();
  if (!bounce.in_use.load()) {
    notify();
    return 0;
  }
  std::lock_guard<std::mutex> guard(bounce.clients_lock);
  const MapClientId id = bounce.next_id++;
  bounce.clients.emplace_back(id, std::move(notify));
  return id;
}

void unregister_map_client(MapClientId id) {
  BounceBuffer& bounce = BounceBuffer::get();
  std::lock_guard<std::mutex> guard(bounce.clients_lock);
  bounce.clients.erase(std::remove_if(bounce.clients.begin(), bounce.clients.end(),
                                      [id](const auto& client) { return client.first == id; }),
                       bounce.clients.end());
}

Mapping::Mapping(Mapping&& other) noexcept { *this = std::move(other); }

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this == &other) return *this;
  release();
  data_ = std::exchange(other.data_, nullptr);
  length_ = std::exchange(other.length_, 0);
  address_ = other.address_;
  is_write_ = other.is_write_;
  bounced_ = std::exchange(other.bounced_, false);
  attrs_ = other.attrs_;
  section_ = std::move(other.section_);
  space_ = std::move(other.space_);
  return *this;
}

Mapping::~Mapping() { release(); }

void Mapping::release() noexcept {
  if (data_ != nullptr) AddressSpace::unmap(*this, length_);
}

MemTxResult AddressSpace::rw(uint64_t address, void* data, uint64_t length, bool is_write, const MemTxAttrs& attrs,
                             Duration* latency) {
  return is_write ? write(address, data, length, attrs, latency) : read(address, data, length, attrs, latency);
}

Mapping AddressSpace::map(uint64_t address, uint64_t length, bool is_write, const MemTxAttrs& attrs) {
  Mapping m;
  if (length == 0) return m;
  m.address_ = address;
  m.is_write_ = is_write;
  m.attrs_ = attrs;
  m.space_ = node_;
  std::shared_ptr<const FlatView> view = node_->view;
  const auto& ranges = view->ranges();
  std::size_t i = view->first_ending_at_or_after(address);
  if (i < ranges.size() && ranges[i].first <= address && NodeAccess::of(ranges[i])->kind == RegionKind::iommu) {
    // QEMU's address_space_map() through an IOMMU: at most the rest of the
    // translated page, mapped in the target space (where it is unmapped too).
    const detail::RegionNode& iommu = *NodeAccess::of(ranges[i]);
    detail::IommuNesting nesting(iommu.name);
    if (!nesting.ok()) return Mapping{};
    const uint64_t offset = ranges[i].region_offset(address);
    const IommuTlbEntry e = detail::translate_for_map(iommu, offset, is_write, attrs);
    if (e.target == nullptr) return Mapping{};
    const u128 page_end = std::min(u128(offset | e.addr_mask), u128(offset) + (ranges[i].last - address)) + 1;
    return e.target->map(e.translate(offset), static_cast<uint64_t>(std::min<u128>(length, page_end - offset)),
                         is_write, attrs);
  }
  if (i < ranges.size() && ranges[i].first <= address) {
    const Route route = ranges[i].route(is_write);
    if (route.kind == RouteKind::memory) {
      // In place, over every following range that continues the same memory.
      uint8_t* const start = route.host + (address - ranges[i].first);
      u128 mapped = u128(ranges[i].last) - address + 1;
      while (mapped < length && i + 1 < ranges.size() && ranges[i + 1].first == ranges[i].last + 1) {
        const Route next = ranges[i + 1].route(is_write);
        if (next.kind != RouteKind::memory || next.host != start + mapped) break;
        mapped += ranges[++i].size();
      }
      m.data_ = start;
      m.length_ = static_cast<uint64_t>(std::min<u128>(mapped, length));
      m.section_ = find(address, m.length_);
      return m;
    }
  }
  BounceBuffer& bounce = BounceBuffer::get();
  if (bounce.in_use.exchange(true)) return Mapping{};  // taken: wait with register_map_client()
  m.bounced_ = true;
  m.data_ = bounce.bytes;
  m.length_ = std::min(length, kBounceBufferSize);
  if (!is_write) access_through(*node_, address, m.data_, m.length_, false, attrs);
  return m;
}

MemTxResult AddressSpace::unmap(Mapping& m, uint64_t access_length) {
  if (m.data_ == nullptr) return MemTxResult::ok;
  access_length = std::min(access_length, m.length_);
  MemTxResult result = MemTxResult::ok;
  if (m.bounced_) {
    if (m.is_write_ && access_length > 0) result = access_through(*m.space_, m.address_, m.data_, access_length, true, m.attrs_);
  } else if (m.is_write_ && access_length > 0) {
    // Written in place: every logging client hears of it, as from any write.
    detail::RegionNode& node = const_cast<detail::RegionNode&>(*NodeAccess::of(*m.section_.range));
    const uint8_t mask = node.dirty_log_mask(MapState::get().global_dirty_tracking());
    if (mask != 0) {
      node.dirty_bitmaps(true)->mark(m.section_.offset_within_region, access_length, mask);
    }
  }
  const bool bounced = m.bounced_;
  m.data_ = nullptr;
  m.length_ = 0;
  m.bounced_ = false;
  m.section_ = Section{};
  m.space_.reset();
  if (bounced) {
    BounceBuffer& bounce = BounceBuffer::get();
    bounce.in_use.store(false);
    bounce.notify_clients();
  }
  return result;
}

}  // namespace tlmmap
