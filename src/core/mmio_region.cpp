#include "tlmmap/core/mmio_region.hpp"

#include "tlmmap/core/coalesced_mmio.hpp"

#include <algorithm>
#include <cstring>

#include "byte_order.hpp"
#include "coalesced_ring.hpp"
#include "map_state.hpp"
#include "region_node.hpp"
#include "report.hpp"

namespace tlmmap {

namespace detail {

namespace {

uint64_t low_mask(unsigned bytes) { return bytes >= 8 ? ~uint64_t(0) : (uint64_t(1) << (bytes * 8)) - 1; }

// QEMU's access_with_adjusted_size(): `size` bytes done as accesses of the
// implemented size, each placed into (or taken from) the value by shift.
template <typename Access>
MemTxResult with_adjusted_size(uint64_t offset, unsigned size, unsigned impl_min, unsigned impl_max, bool big_endian,
                               Access&& access) {
  if (impl_min == 0) impl_min = 1;
  if (impl_max == 0) impl_max = 4;
  const unsigned access_size = std::max(std::min(size, impl_max), impl_min);
  const uint64_t mask = low_mask(access_size);
  MemTxResult result = MemTxResult::ok;
  for (unsigned i = 0; i < size; i += access_size) {
    // Shift in bits; negative when a narrow access was widened (big endian).
    const int shift = big_endian ? static_cast<int>(size - access_size - i) * 8 : static_cast<int>(i) * 8;
    result |= access(offset + i, access_size, shift, mask);
  }
  return result;
}

MemTxResult refuse(const Piece& p, MemTxResult result) {
  if (!p.is_write) std::memset(p.data, 0, p.length);
  return result;
}

}  // namespace

// Ops replaced while a callback runs stay alive until the outermost one returns.
struct MmioNode::DispatchScope {
  explicit DispatchScope(MmioNode& n) : node(n) { ++node.dispatch_depth_; }
  ~DispatchScope() {
    if (--node.dispatch_depth_ == 0) node.retired_ops_.clear();
  }
  MmioNode& node;
};

MmioNode::MmioNode(std::string name, u128 size, MmioOps ops, RegionKind kind)
    : RegionNode(std::move(name), kind, size), ops_(std::make_unique<MmioOps>(std::move(ops))) {}

MmioNode::MmioNode(std::string name, u128 size, DevicePort& port)
    : RegionNode(std::move(name), RegionKind::mmio, size), ops_(std::make_unique<MmioOps>()), port_(&port) {}

void MmioNode::set_ops(MmioOps ops) {
  auto fresh = std::make_unique<MmioOps>(std::move(ops));
  if (dispatch_depth_ > 0) retired_ops_.push_back(std::move(ops_));
  ops_ = std::move(fresh);
}

void MmioNode::orphan() {
  // The device may be gone with the handle: nothing of it is called again.
  port_ = nullptr;
  set_ops({});
}

Route MmioNode::route(const FlatRange& range, bool is_write) const noexcept {
  if (port_ != nullptr && !(is_write && range.readonly)) {
    return Route{RouteKind::device, nullptr, port_, latency(is_write)};
  }
  return model_route(is_write);
}

bool MmioNode::access_valid(uint64_t offset, unsigned size, bool is_write, const MemTxAttrs& attrs) const {
  const MmioOps& ops = *ops_;
  const bool has_callback = is_write ? (ops.write || ops.write_with_attrs) : (ops.read || ops.read_with_attrs);
  if (!has_callback) return false;  // nothing behind the region: like unassigned memory
  if (ops.valid.accepts && !ops.valid.accepts(offset, size, is_write, attrs)) return false;
  if (!ops.valid.unaligned && (offset & (size - 1)) != 0) return false;
  if (ops.valid.max_access_size == 0) return true;  // zero: every size is valid
  return size <= ops.valid.max_access_size && size >= ops.valid.min_access_size;
}

unsigned MmioNode::buffer_access_size(uint64_t offset, uint64_t remaining) const {
  const MmioOps& ops = *ops_;
  unsigned max = ops.valid.max_access_size != 0 ? ops.valid.max_access_size : 4;
  if (!ops.impl.unaligned) {
    // Bound by the alignment of the offset (its lowest set bit).
    const uint64_t alignment = offset & (~offset + 1);
    if (alignment != 0 && alignment < max) max = static_cast<unsigned>(alignment);
  }
  uint64_t size = std::min<uint64_t>(remaining, max);
  // Round down to a power of two.
  while ((size & (size - 1)) != 0) size &= size - 1;
  return static_cast<unsigned>(size);
}

MemTxResult MmioNode::dispatch_read(uint64_t offset, uint64_t& value, unsigned size, const MemTxAttrs& attrs) {
  value = 0;
  if (!access_valid(offset, size, false, attrs)) return MemTxResult::decode_error;
  DispatchScope scope(*this);
  const MmioOps& ops = *ops_;
  const bool big = is_big_endian(ops.endianness);
  const MemTxResult result = with_adjusted_size(
      offset, size, ops.impl.min_access_size, ops.impl.max_access_size, big,
      [&](uint64_t at, unsigned n, int shift, uint64_t mask) {
        uint64_t part = 0;
        MemTxResult r = MemTxResult::ok;
        if (ops.read) {
          part = ops.read(at, n);
        } else {
          r = ops.read_with_attrs(at, part, n, attrs);
        }
        value |= shift >= 0 ? (part & mask) << shift : (part & mask) >> -shift;
        return r;
      });
  value = device_to_host(value, size, big != attrs.byte_swap);
  return result;
}

MemTxResult MmioNode::dispatch_write(uint64_t offset, uint64_t value, unsigned size, const MemTxAttrs& attrs) {
  if (!access_valid(offset, size, true, attrs)) return MemTxResult::decode_error;
  DispatchScope scope(*this);
  const MmioOps& ops = *ops_;
  const bool big = is_big_endian(ops.endianness);
  value = device_to_host(value, size, big != attrs.byte_swap);
  // A write an ioeventfd matches notifies it instead (QEMU's
  // memory_region_dispatch_write_eventfds(), on the device's value).
  for (const Ioeventfd& fd : ioeventfds) {
    if (fd.offset == offset && fd.size == size && (!fd.match_data || fd.data == value)) {
      fd.notifier->notify();
      return MemTxResult::ok;
    }
  }
  return with_adjusted_size(offset, size, ops.impl.min_access_size, ops.impl.max_access_size, big,
                            [&](uint64_t at, unsigned n, int shift, uint64_t mask) {
                              const uint64_t part = (shift >= 0 ? value >> shift : value << -shift) & mask;
                              if (ops.write) {
                                ops.write(at, part, n);
                                return MemTxResult::ok;
                              }
                              return ops.write_with_attrs(at, part, n, attrs);
                            });
}

MemTxResult MmioNode::transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write,
                               const MemTxAttrs& attrs) {
  MemTxResult result = MemTxResult::ok;
  while (length > 0) {
    const unsigned n = buffer_access_size(offset, length);
    if (is_write) {
      result |= dispatch_write(offset, load_host(data, n), n, attrs);
    } else {
      uint64_t value = 0;
      result |= dispatch_read(offset, value, n, attrs);
      store_host(data, n, value);
    }
    offset += n;
    data += n;
    length -= n;
  }
  return result;
}

bool MmioNode::coalesces(uint64_t offset, uint64_t length) const noexcept {
  for (const Span& span : coalesced) {
    if (offset >= span.offset && u128(offset) + length <= u128(span.offset) + span.size) return true;
  }
  return false;
}

void MmioNode::deliver_coalesced(uint64_t offset, const uint8_t* data, unsigned size, const MemTxAttrs& attrs) {
  if (orphaned()) return;
  transfer(offset, const_cast<uint8_t*>(data), size, true, attrs);
}

MemTxResult MmioNode::access(const Piece& p) {
  if (p.is_write && p.range.readonly) return MemTxResult::access_error;
  if (p.attrs.memory) return refuse(p, MemTxResult::access_error);
  if (orphaned()) {
    report_warning(kAccessMsg, p.describe() + " reaches '" + name + "', which has been destroyed");
    return refuse(p, MemTxResult::decode_error);
  }
  if (!coalesced.empty() && p.is_write && p.enables.pattern == nullptr && p.length <= 8 &&
      coalesces(p.offset, p.length)) {
    CoalescedRing::get().push(*this, p.offset, p.data, static_cast<unsigned>(p.length), p.attrs);
    return MemTxResult::ok;
  }
  if (flush_coalesced) CoalescedRing::get().flush();
  if (port_ != nullptr) {
    Access a;
    a.address = p.offset;
    a.data = p.data;
    a.length = p.length;
    a.is_write = p.is_write;
    a.single = p.single;
    a.byte_enables = p.enables.pattern;
    a.byte_enable_length = p.enables.length;
    a.byte_enable_offset = p.enables.index;
    a.attrs = p.attrs;
    const MemTxResult result = port_->transfer(a);
    p.latency += a.latency;
    return result;
  }
  if (p.single) {
    const unsigned size = static_cast<unsigned>(p.length);
    if (p.is_write) return dispatch_write(p.offset, load_host(p.data, size), size, p.attrs);
    uint64_t value = 0;
    const MemTxResult result = dispatch_read(p.offset, value, size, p.attrs);
    store_host(p.data, size, value);
    return result;
  }
  MemTxResult result = MemTxResult::ok;
  p.for_each_enabled_run([&](uint64_t at, uint64_t n) {
    result |= transfer(p.offset + at, p.data + at, n, p.is_write, p.attrs);
  });
  return result;
}

uint64_t MmioNode::debug_access(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) {
  if (port_ != nullptr) return port_->debug_transfer(offset, data, length, is_write);
  const MmioOps& ops = *ops_;
  if (is_write ? !ops.debug_write : !ops.debug_read) return 0;
  DispatchScope scope(*this);
  const bool big = is_big_endian(ops.endianness);
  uint64_t done = 0;
  while (done < length) {
    const unsigned n = buffer_access_size(offset + done, length - done);
    if (is_write) {
      ops.debug_write(offset + done, device_to_host(load_host(data + done, n), n, big), n);
    } else {
      store_host(data + done, n, device_to_host(ops.debug_read(offset + done, n), n, big));
    }
    done += n;
  }
  return done;
}

}  // namespace detail

using detail::MmioNode;

MmioRegion::MmioRegion(std::string name, u128 size, MmioOps ops)
    : Region(std::make_unique<MmioNode>(std::move(name), size, std::move(ops))) {}

MmioRegion::MmioRegion(std::string name, u128 size, DevicePort& port)
    : Region(std::make_unique<MmioNode>(std::move(name), size, port)) {}

MmioRegion::MmioRegion(std::unique_ptr<detail::RegionNode> node) : Region(std::move(node)) {}

namespace {
MmioNode& mmio(detail::RegionNode& node) { return static_cast<MmioNode&>(node); }
}  // namespace

const MmioOps& MmioRegion::ops() const noexcept { return mmio(node()).ops(); }

void MmioRegion::set_coalescing() { add_coalescing(0, size()); }

void MmioRegion::add_coalescing(uint64_t offset, u128 size) {
  MmioNode& n = mmio(node());
  if (size == 0 || u128(offset) + size > n.size) {
    detail::report_error(kRegionMsg, "coalescing " + hex(offset) + "+" + hex(size) + " of region '" + n.name +
                                         "': empty or beyond its size " + hex(n.size));
    return;
  }
  n.coalesced.push_back({offset, size});
  detail::MapState::get().coalesced_changed(n);
  n.flush_coalesced = true;
}

void MmioRegion::clear_coalescing() {
  MmioNode& n = mmio(node());
  flush_coalesced_mmio();
  n.flush_coalesced = false;
  if (n.coalesced.empty()) return;
  n.coalesced.clear();
  detail::MapState::get().coalesced_changed(n);
}

void MmioRegion::set_flush_coalesced() { mmio(node()).flush_coalesced = true; }

void MmioRegion::clear_flush_coalesced() {
  MmioNode& n = mmio(node());
  n.flush_coalesced = false;
  if (!n.coalesced.empty()) n.flush_coalesced = true;  // as QEMU: a coalescing region keeps flushing
}

bool MmioRegion::flush_coalesced() const noexcept { return mmio(node()).flush_coalesced; }

void MmioRegion::add_eventfd(uint64_t offset, unsigned size, bool match_data, uint64_t data, EventNotifier& notifier) {
  MmioNode& n = mmio(node());
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    detail::report_error(kRegionMsg, "ioeventfd at " + hex(offset) + " of region '" + n.name + "': size " +
                                         std::to_string(size) + " (1, 2, 4 or 8)");
    return;
  }
  // The data as the CPU writes it, in the device's byte order as dispatch sees it.
  const bool big = is_big_endian(n.ops().endianness);
  const detail::RegionNode::Ioeventfd fd{offset, size, match_data, match_data ? detail::device_to_host(data, size, big) : 0,
                                 &notifier};
  auto at = std::upper_bound(n.ioeventfds.begin(), n.ioeventfds.end(), fd, [](const auto& a, const auto& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.size < b.size;
  });
  n.ioeventfds.insert(at, fd);
  detail::MapState::get().ioeventfds_changed();
}

void MmioRegion::del_eventfd(uint64_t offset, unsigned size, bool match_data, uint64_t data, EventNotifier& notifier) {
  MmioNode& n = mmio(node());
  const bool big = is_big_endian(n.ops().endianness);
  const detail::RegionNode::Ioeventfd fd{offset, size, match_data, match_data ? detail::device_to_host(data, size, big) : 0,
                                 &notifier};
  auto it = std::find(n.ioeventfds.begin(), n.ioeventfds.end(), fd);
  if (it == n.ioeventfds.end()) {
    detail::report_error(kRegionMsg, "deleting the ioeventfd at " + hex(offset) + " (size " + std::to_string(size) +
                                         ") of region '" + n.name + "': there is none like it");
    return;
  }
  n.ioeventfds.erase(it);
  detail::MapState::get().ioeventfds_changed();
}

void MmioRegion::set_ops(MmioOps ops) {
  MmioNode& n = mmio(node());
  n.set_ops(std::move(ops));
  ++n.version;
  changed();
}

MemTxResult MmioRegion::dispatch_read(uint64_t offset, uint64_t& value, unsigned size, const MemTxAttrs& attrs) {
  return mmio(node()).dispatch_read(offset, value, size, attrs);
}

MemTxResult MmioRegion::dispatch_write(uint64_t offset, uint64_t value, unsigned size, const MemTxAttrs& attrs) {
  return mmio(node()).dispatch_write(offset, value, size, attrs);
}

bool MmioRegion::access_valid(uint64_t offset, unsigned size, bool is_write, const MemTxAttrs& attrs) const {
  return mmio(node()).access_valid(offset, size, is_write, attrs);
}

unsigned MmioRegion::buffer_access_size(uint64_t offset, uint64_t remaining) const {
  return mmio(node()).buffer_access_size(offset, remaining);
}

}  // namespace tlmmap
