#include "tlmmap/mmio_region.hpp"

#include <algorithm>
#include <cstring>

#include "byte_order.hpp"
#include "tlmmap/rom_device_region.hpp"

namespace tlmmap {

MmioRegion::MmioRegion(std::string name, u128 size, MmioOps ops)
    : MmioRegion(std::move(name), RegionKind::mmio, size, std::move(ops)) {}

MmioRegion::MmioRegion(std::string name, RegionKind kind, u128 size, MmioOps ops)
    : Region(std::move(name), kind, size), ops_(std::move(ops)) {}

RomDeviceRegion::RomDeviceRegion(std::string name, u128 size, MmioOps ops)
    : MmioRegion(std::move(name), RegionKind::rom_device, size, std::move(ops)), memory_(this->size()) {}

bool MmioRegion::access_valid(uint64_t offset, unsigned size, bool is_write, const MemTxAttrs& attrs) const {
  const bool has_callback = is_write ? (ops_.write || ops_.write_with_attrs) : (ops_.read || ops_.read_with_attrs);
  if (!has_callback) return false;  // nothing behind the region: like unassigned memory
  if (ops_.valid.accepts && !ops_.valid.accepts(offset, size, is_write, attrs)) return false;
  if (!ops_.valid.unaligned && (offset & (size - 1)) != 0) return false;
  if (ops_.valid.max_access_size == 0) return true;  // zero: every size is valid
  return size <= ops_.valid.max_access_size && size >= ops_.valid.min_access_size;
}

unsigned MmioRegion::buffer_access_size(uint64_t offset, uint64_t remaining) const {
  unsigned max = ops_.valid.max_access_size != 0 ? ops_.valid.max_access_size : 4;
  if (!ops_.impl.unaligned) {
    // Bound by the alignment of the offset (its lowest set bit).
    const uint64_t alignment = offset & (~offset + 1);
    if (alignment != 0 && alignment < max) max = static_cast<unsigned>(alignment);
  }
  uint64_t size = std::min<uint64_t>(remaining, max);
  // Round down to a power of two.
  while ((size & (size - 1)) != 0) size &= size - 1;
  return static_cast<unsigned>(size);
}

namespace {

uint64_t low_mask(unsigned bytes) { return bytes >= 8 ? ~uint64_t(0) : (uint64_t(1) << (bytes * 8)) - 1; }

// QEMU's access_with_adjusted_size(): `size` bytes done as accesses of the
// implemented size, each placed into (or taken from) the value by shift.
template <typename Access>
MemTxResult with_adjusted_size(uint64_t offset, unsigned size, unsigned impl_min, unsigned impl_max,
                               bool big_endian, Access&& access) {
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

}  // namespace

MemTxResult MmioRegion::dispatch_read(uint64_t offset, uint64_t& value, unsigned size, const MemTxAttrs& attrs,
                                      sc_core::sc_time*) {
  value = 0;
  if (!access_valid(offset, size, false, attrs)) return MemTxResult::decode_error;
  const bool big = is_big_endian(ops_.endianness);
  const MemTxResult result = with_adjusted_size(
      offset, size, ops_.impl.min_access_size, ops_.impl.max_access_size, big,
      [&](uint64_t at, unsigned n, int shift, uint64_t mask) {
        uint64_t part = 0;
        MemTxResult r = MemTxResult::ok;
        if (ops_.read) {
          part = ops_.read(at, n);
        } else {
          r = ops_.read_with_attrs(at, part, n, attrs);
        }
        value |= shift >= 0 ? (part & mask) << shift : (part & mask) >> -shift;
        return r;
      });
  value = detail::device_to_host(value, size, big != attrs.byte_swap);
  return result;
}

MemTxResult MmioRegion::dispatch_write(uint64_t offset, uint64_t value, unsigned size, const MemTxAttrs& attrs,
                                       sc_core::sc_time*) {
  if (!access_valid(offset, size, true, attrs)) return MemTxResult::decode_error;
  const bool big = is_big_endian(ops_.endianness);
  value = detail::device_to_host(value, size, big != attrs.byte_swap);
  return with_adjusted_size(offset, size, ops_.impl.min_access_size, ops_.impl.max_access_size, big,
                            [&](uint64_t at, unsigned n, int shift, uint64_t mask) {
                              const uint64_t part = (shift >= 0 ? value >> shift : value << -shift) & mask;
                              if (ops_.write) {
                                ops_.write(at, part, n);
                                return MemTxResult::ok;
                              }
                              return ops_.write_with_attrs(at, part, n, attrs);
                            });
}

MemTxResult MmioRegion::transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write,
                                 const MemTxAttrs& attrs, sc_core::sc_time* delay) {
  MemTxResult result = MemTxResult::ok;
  while (length > 0) {
    const unsigned n = buffer_access_size(offset, length);
    if (is_write) {
      result |= dispatch_write(offset, detail::load_host(data, n), n, attrs, delay);
    } else {
      uint64_t value = 0;
      result |= dispatch_read(offset, value, n, attrs, delay);
      detail::store_host(data, n, value);
    }
    offset += n;
    data += n;
    length -= n;
  }
  return result;
}

uint64_t MmioRegion::debug_transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) {
  const auto& callback_read = ops_.debug_read;
  const auto& callback_write = ops_.debug_write;
  if (is_write ? !callback_write : !callback_read) return 0;
  const bool big = is_big_endian(ops_.endianness);
  uint64_t done = 0;
  while (done < length) {
    const unsigned n = buffer_access_size(offset + done, length - done);
    if (is_write) {
      callback_write(offset + done, detail::device_to_host(detail::load_host(data + done, n), n, big), n);
    } else {
      detail::store_host(data + done, n, detail::device_to_host(callback_read(offset + done, n), n, big));
    }
    done += n;
  }
  return done;
}

}  // namespace tlmmap
