// The model's access path: QEMU's address_space_rw() and ld/st, resolved
// against the flat view. The one place where an access is decided; the
// region kinds do their part (region_node.hpp).
#include <algorithm>
#include <cstring>

#include "byte_order.hpp"
#include "report.hpp"
#include "space_node.hpp"

namespace tlmmap {

namespace detail {

namespace {

std::string describe(bool is_write, uint64_t length, uint64_t address, const std::string& space) {
  return std::string(is_write ? "write" : "read") + " of " + std::to_string(length) + " bytes at " + hex(address) +
         " in address space '" + space + "'";
}

bool valid_single_size(uint64_t size) { return size == 1 || size == 2 || size == 4 || size == 8; }

}  // namespace

std::string Piece::describe() const { return detail::describe(is_write, length, address, space.name); }

MemTxResult SpaceNode::unmapped(uint64_t address, bool is_write, uint8_t* data, uint64_t n,
                                const ByteEnables& enables) const {
  if (!is_write) enables.for_each_run(n, [&](uint64_t at, uint64_t count) { std::memset(data + at, 0, count); });
  if (policy == UnmappedPolicy::error_with_warning || policy == UnmappedPolicy::read_zero_write_ignore_with_warning) {
    report_warning(kAccessMsg, describe(is_write, n, address, name) + ": nothing is mapped there");
  }
  return policy == UnmappedPolicy::error || policy == UnmappedPolicy::error_with_warning ? MemTxResult::decode_error
                                                                                          : MemTxResult::ok;
}

MemTxResult SpaceNode::access(Access& a) {
  if (a.single && !valid_single_size(a.length)) return MemTxResult::decode_error;
  // Kept alive here: a callback may change the map (or destroy a region).
  const std::shared_ptr<const FlatView> held = view;
  const auto& ranges = held->ranges();
  const bool single = a.single && a.byte_enables == nullptr;
  const ByteEnables enables{a.byte_enables, a.byte_enables != nullptr ? a.byte_enable_length : 0,
                            a.byte_enables != nullptr ? a.byte_enable_offset % a.byte_enable_length : 0};
  MemTxResult result = MemTxResult::ok;
  uint64_t address = a.address;
  uint64_t done = 0;
  while (done < a.length) {
    const uint64_t remaining = a.length - done;
    uint8_t* data = a.data + done;
    const std::size_t i = held->first_ending_at_or_after(address);
    const bool hole = i == ranges.size() || ranges[i].first > address;
    uint64_t n;
    if (hole) {
      // Up to the next range (or the end of the space).
      const u128 next = i == ranges.size() ? k64BitSpace : u128(ranges[i].first);
      n = static_cast<uint64_t>(std::min<u128>(remaining, next - address));
    } else {
      n = static_cast<uint64_t>(std::min<u128>(remaining, u128(ranges[i].last) - address + 1));
    }
    static const FlatRange kHole;
    const FlatRange& fr = hole ? kHole : ranges[i];
    const RegionNode* node = hole ? nullptr : NodeAccess::of(fr);
    const uint64_t offset = hole ? 0 : fr.region_offset(address);
    // One dispatch only for an access wholly inside this range.
    const Piece piece{fr, *this, address, offset, data, n, a.is_write, single && n == a.length, enables.from(done),
                      a.attrs, a.latency};
    if (hole) {
      result |= unmapped(address, a.is_write, data, n, piece.enables);
    } else {
      a.latency += node->latency(a.is_write);
      result |= const_cast<RegionNode*>(node)->access(piece);
    }
    done += n;
    if (u128(address) + n >= k64BitSpace) {
      // The access runs past the top of the address space: nothing is mapped there (no wrap to 0).
      if (done < a.length) {
        result |= unmapped(~uint64_t(0), a.is_write, a.data + done, a.length - done, enables.from(done));
      }
      break;
    }
    address += n;
  }
  return result;
}

MemTxResult SpaceNode::access_within(const FlatRange& fr, Access& a) {
  if (a.single && !valid_single_size(a.length)) return MemTxResult::decode_error;
  const ByteEnables enables{a.byte_enables, a.byte_enables != nullptr ? a.byte_enable_length : 0,
                            a.byte_enables != nullptr ? a.byte_enable_offset % a.byte_enable_length : 0};
  const RegionNode* node = NodeAccess::of(fr);
  const Piece piece{fr,     *this,   a.address, fr.region_offset(a.address), a.data, a.length, a.is_write,
                    a.single && a.byte_enables == nullptr, enables, a.attrs, a.latency};
  a.latency += node->latency(a.is_write);
  return const_cast<RegionNode*>(node)->access(piece);
}

uint64_t SpaceNode::debug_access(uint64_t address, uint8_t* data, uint64_t length, bool is_write) {
  const std::shared_ptr<const FlatView> held = view;
  uint64_t done = 0;
  while (done < length) {
    const FlatRange* fr = held->lookup(address + done);
    if (fr == nullptr) break;
    const uint64_t n =
        static_cast<uint64_t>(std::min<u128>(length - done, u128(fr->last) - (address + done) + 1));
    RegionNode* node = const_cast<RegionNode*>(NodeAccess::of(*fr));
    const uint64_t moved = node->debug_access(fr->region_offset(address + done), data + done, n, is_write);
    done += moved;
    if (moved < n || u128(address) + done >= k64BitSpace) break;
  }
  return done;
}

}  // namespace detail

MemTxResult AddressSpace::access(Access& a) { return node_->access(a); }
MemTxResult AddressSpace::access_within(const FlatRange& range, Access& a) { return node_->access_within(range, a); }

MemTxResult AddressSpace::read(uint64_t address, void* data, uint64_t length, const MemTxAttrs& attrs,
                               Duration* latency) {
  Access a;
  a.address = address;
  a.data = static_cast<uint8_t*>(data);
  a.length = length;
  a.attrs = attrs;
  const MemTxResult result = node_->access(a);
  if (latency != nullptr) *latency += a.latency;
  return result;
}

MemTxResult AddressSpace::write(uint64_t address, const void* data, uint64_t length, const MemTxAttrs& attrs,
                                Duration* latency) {
  Access a;
  a.address = address;
  // Written data is only read.
  a.data = static_cast<uint8_t*>(const_cast<void*>(data));
  a.length = length;
  a.is_write = true;
  a.attrs = attrs;
  const MemTxResult result = node_->access(a);
  if (latency != nullptr) *latency += a.latency;
  return result;
}

MemTxResult AddressSpace::load(uint64_t address, unsigned size, uint64_t& value, const MemTxAttrs& attrs,
                               Duration* latency) {
  uint8_t bytes[8] = {};
  Access a;
  a.address = address;
  a.data = bytes;
  a.length = size;
  a.single = true;
  a.attrs = attrs;
  const MemTxResult result = size <= 8 ? node_->access(a) : MemTxResult::decode_error;
  value = detail::load_host(bytes, size <= 8 ? size : 0);
  if (latency != nullptr) *latency += a.latency;
  return result;
}

MemTxResult AddressSpace::store(uint64_t address, unsigned size, uint64_t value, const MemTxAttrs& attrs,
                                Duration* latency) {
  uint8_t bytes[8];
  detail::store_host(bytes, size <= 8 ? size : 0, value);
  Access a;
  a.address = address;
  a.data = bytes;
  a.length = size;
  a.single = true;
  a.is_write = true;
  a.attrs = attrs;
  const MemTxResult result = size <= 8 ? node_->access(a) : MemTxResult::decode_error;
  if (latency != nullptr) *latency += a.latency;
  return result;
}

uint64_t AddressSpace::debug_read(uint64_t address, void* data, uint64_t length) {
  return node_->debug_access(address, static_cast<uint8_t*>(data), length, false);
}

uint64_t AddressSpace::debug_write(uint64_t address, const void* data, uint64_t length) {
  return node_->debug_access(address, static_cast<uint8_t*>(const_cast<void*>(data)), length, true);
}

}  // namespace tlmmap
