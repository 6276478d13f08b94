// The region kinds: their handles' constructors and their nodes' behaviour
// on the model's access path.
#include <cstring>

#include "byte_order.hpp"
#include "map_state.hpp"
#include "region_node.hpp"
#include "report.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/reservation_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/rom_region.hpp"

namespace tlmmap {

namespace detail {

namespace {

// Nothing may exceed 2^64; regions backed by host memory must have bytes.
u128 checked_size(const std::string& name, RegionKind kind, u128 size) {
  if (size > k64BitSpace) {
    report_error(kRegionMsg,
                 "region '" + name + "': size " + hex(size) + " exceeds the 64-bit address space (at most 2^64)");
    return 0;
  }
  const bool needs_bytes = kind == RegionKind::ram || kind == RegionKind::rom || kind == RegionKind::rom_device;
  if (needs_bytes && size == 0) {
    report_error(kRegionMsg, std::string(to_string(kind)) + " region '" + name +
                                 "': size 0 (RAM, ROM and ROM devices need at least one byte)");
  }
  return size;
}

// Copies the enabled bytes of a piece between host memory and the access's
// data; writes are marked in `dirty` for the clients logging the range.
void copy_piece(uint8_t* host, const Piece& p, DirtyBitmaps* dirty) {
  p.for_each_enabled_run([&](uint64_t at, uint64_t n) {
    if (p.is_write) {
      std::memcpy(host + at, p.data + at, n);
      if (p.range.dirty_log_mask != 0) dirty->mark(p.offset + at, n, p.range.dirty_log_mask);
    } else {
      std::memcpy(p.data + at, host + at, n);
    }
  });
}

// A debugger's copy between host memory and its buffer: no access rules,
// so writes reach ROM too (a debugger loading an image); they are logged.
uint64_t debug_copy(const RegionNode& node, uint8_t* base, DirtyBitmaps* dirty, uint64_t offset, uint8_t* data,
                    uint64_t length, bool is_write) {
  if (base == nullptr) return 0;
  if (is_write) {
    std::memcpy(base + offset, data, length);
    if (dirty) dirty->mark(offset, length, node.dirty_log_mask(MapState::get().global_dirty_tracking()));
  } else {
    std::memcpy(data, base + offset, length);
  }
  return length;
}

// Reads answered with an error still return defined data: zeros.
MemTxResult refuse(const Piece& p, MemTxResult result) {
  if (!p.is_write) std::memset(p.data, 0, p.length);
  return result;
}

}  // namespace

RegionNode::RegionNode(std::string node_name, RegionKind node_kind, u128 node_size)
    : kind(node_kind),
      readonly(node_kind == RegionKind::rom),
      is_alias(node_kind == RegionKind::alias),
      terminates(node_kind != RegionKind::alias && node_kind != RegionKind::container),
      size(checked_size(node_name, node_kind, node_size)),
      name(std::move(node_name)),
      migratable(node_kind == RegionKind::ram || node_kind == RegionKind::rom ||
                 node_kind == RegionKind::rom_device) {}

MemTxResult RegionNode::access(const Piece& p) { return refuse(p, MemTxResult::decode_error); }

void RegionNode::claim_name() {
  if (name.empty()) return;
  if (!MapState::get().ram_names().emplace(name, this).second) {
    report_error(kRegionMsg, std::string(to_string(kind)) + " region '" + name +
                                 "': another live RAM, ROM or ROM device has this name; memory is found by its name "
                                 "(QEMU's RAM block ids), so names must be unique");
    return;
  }
  named_ = true;
}

void RegionNode::release_name() noexcept {
  if (!named_) return;
  MapState::get().ram_names().erase(name);
  named_ = false;
}

Route RamNode::route(const FlatRange& range, bool is_write) const noexcept {
  if (is_write && range.readonly) return model_route(true);
  uint8_t* base = const_cast<RamNode*>(this)->memory_.data(name);
  if (base == nullptr) return model_route(is_write);
  Route route{RouteKind::memory, base + range.offset_within_region, nullptr, latency(is_write)};
  route.region_offset = range.offset_within_region;
  if (is_write && range.dirty_log_mask != 0) {
    route.dirty = dirty_.get();
    route.dirty_mask = range.dirty_log_mask;
  }
  return route;
}

MemTxResult RamNode::access(const Piece& p) {
  if (p.is_write && p.range.readonly) return MemTxResult::access_error;
  uint8_t* base = host();
  if (base == nullptr) return refuse(p, MemTxResult::error);
  copy_piece(base + p.offset, p, dirty_.get());
  return MemTxResult::ok;
}

uint64_t RamNode::debug_access(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) {
  return debug_copy(*this, host(), dirty_.get(), offset, data, length, is_write);
}

Route RomDeviceNode::route(const FlatRange& range, bool is_write) const noexcept {
  if (!is_write && range.romd_mode && !orphaned()) {
    uint8_t* base = const_cast<RomDeviceNode*>(this)->memory_.data(name);
    if (base != nullptr) {
      Route route{RouteKind::memory, base + range.offset_within_region, nullptr, latency(false)};
      route.region_offset = range.offset_within_region;
      return route;
    }
  }
  return MmioNode::route(range, is_write);
}

MemTxResult RomDeviceNode::access(const Piece& p) {
  if (p.is_write || !p.range.romd_mode) return MmioNode::access(p);
  uint8_t* base = host();
  if (base == nullptr) return refuse(p, MemTxResult::error);
  copy_piece(base + p.offset, p, nullptr);
  return MemTxResult::ok;
}

uint64_t RomDeviceNode::debug_access(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) {
  return debug_copy(*this, host(), dirty_.get(), offset, data, length, is_write);
}

MemTxResult RefusingNode::access(const Piece& p) {
  report_warning(kAccessMsg, p.describe() + " hits " + label_ + " '" + name + "' (offset " +
                                 hex(p.offset) + ")" + why_);
  return refuse(p, p.attrs.memory ? MemTxResult::access_error : MemTxResult::decode_error);
}

}  // namespace detail

using detail::RegionNode;
using detail::report_error;

ContainerRegion::ContainerRegion(std::string name, u128 size)
    : Region(std::make_unique<RegionNode>(std::move(name), RegionKind::container, size)) {}

RamRegion::RamRegion(std::string name, u128 size)
    : Region(std::make_unique<detail::RamNode>(std::move(name), RegionKind::ram, size)) {}

RamRegion::RamRegion(std::string name, u128 size, uint8_t* host)
    : Region(std::make_unique<detail::RamNode>(std::move(name), size, host)) {}

RamRegion::RamRegion(std::string name, u128 size, const RamFile& file)
    : Region(std::make_unique<detail::RamNode>(std::move(name), RegionKind::ram, size, file)) {}

RamRegion::RamRegion(std::string name, const ResizeableRam& resizeable)
    : Region(std::make_unique<detail::RamNode>(std::move(name), resizeable)) {
  if (resizeable.used > resizeable.max) {
    report_error(kRegionMsg, "resizeable RAM '" + this->name() + "': used length " + hex(resizeable.used) +
                                 " beyond its maximum " + hex(resizeable.max));
  }
}

RamRegion::RamRegion(std::unique_ptr<RegionNode> node) : Region(std::move(node)) {}

u128 RamRegion::max_size() const noexcept {
  const auto& n = static_cast<const detail::RamNode&>(node());
  return n.max_size != 0 ? n.max_size : n.size;
}

void RamRegion::resize(u128 used) {
  auto& n = static_cast<detail::RamNode&>(node());
  if (n.max_size == 0 || used == 0 || used > n.max_size) {
    report_error(kRegionMsg, "resizing RAM '" + n.name + "' to " + hex(used) + ": " +
                                 (n.max_size == 0 ? std::string("it is not resizeable")
                                                  : "beyond its maximum " + hex(n.max_size) + " (or empty)"));
    return;
  }
  if (used == n.size) return;
  set_size(used);
  if (n.resized) n.resized(*this, used);
}

uint8_t* RamRegion::host_ptr() { return static_cast<detail::RamNode&>(node()).host(); }
bool RamRegion::memory_reserved() const noexcept { return static_cast<detail::RamNode&>(node()).reserved(); }

RomRegion::RomRegion(std::string name, u128 size)
    : RamRegion(std::make_unique<detail::RamNode>(std::move(name), RegionKind::rom, size)) {}

RomRegion::RomRegion(std::string name, u128 size, const RamFile& file)
    : RamRegion(std::make_unique<detail::RamNode>(std::move(name), RegionKind::rom, size, file)) {}

RomDeviceRegion::RomDeviceRegion(std::string name, u128 size, MmioOps ops)
    : MmioRegion(std::make_unique<detail::RomDeviceNode>(std::move(name), size, std::move(ops))) {}

void RomDeviceRegion::set_romd(bool romd) {
  if (romd == node().romd_mode) return;
  node().romd_mode = romd;
  changed();
}

uint8_t* RomDeviceRegion::host_ptr() { return static_cast<detail::RomDeviceNode&>(node()).host(); }
bool RomDeviceRegion::back_with_file(const RamFile& file) {
  return static_cast<detail::RomDeviceNode&>(node()).back_with_file(file);
}

ReservationRegion::ReservationRegion(std::string name, u128 size)
    : Region(std::make_unique<detail::RefusingNode>(std::move(name), RegionKind::reservation, size, "reservation",
                                                    ": the simulator must not handle it")) {}

}  // namespace tlmmap
