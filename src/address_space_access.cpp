// The access path of the model: QEMU's address_space_rw() and ld/st,
// resolved against the flat view.
#include <algorithm>
#include <cstring>

#include "access_helpers.hpp"
#include "byte_order.hpp"
#include "report.hpp"
#include "tlmmap/address_space.hpp"
#include "tlmmap/mmio_region.hpp"
#include "tlmmap/ram_region.hpp"
#include "tlmmap/rom_device_region.hpp"

namespace tlmmap {

namespace {

constexpr const char* kAccessMsg = "tlmmap/access";

std::string describe(bool is_write, uint64_t length, uint64_t address, const AddressSpace& space) {
  return std::string(is_write ? "write" : "read") + " of " + std::to_string(length) + " bytes at " + hex(address) +
         " in address space '" + space.name() + "'";
}

}  // namespace

namespace detail {

MemTxResult unmapped_access(const AddressSpace& space, uint64_t address, bool is_write, uint8_t* data,
                            uint64_t n) {
  if (!is_write) std::memset(data, 0, n);
  const UnmappedPolicy policy = space.unmapped_policy();
  if (policy == UnmappedPolicy::error_with_warning || policy == UnmappedPolicy::read_zero_write_ignore_with_warning) {
    report_warning(kAccessMsg, describe(is_write, n, address, space) + ": nothing is mapped there");
  }
  return policy == UnmappedPolicy::error || policy == UnmappedPolicy::error_with_warning ? MemTxResult::decode_error
                                                                                          : MemTxResult::ok;
}

}  // namespace detail

namespace {

class Access {
 public:
  Access(AddressSpace& space, bool is_write, const MemTxAttrs& attrs, sc_core::sc_time* delay)
      : space_(space), view_(space.flat_view()), is_write_(is_write), attrs_(attrs), delay_(delay) {}

  // A buffer access; `single` asks for one MMIO dispatch of `length` bytes
  // when the access lies in one range.
  MemTxResult run(uint64_t address, uint8_t* data, uint64_t length, bool single) {
    MemTxResult result = MemTxResult::ok;
    const uint64_t total = length;
    const auto& ranges = view_->ranges();
    while (length > 0) {
      const std::size_t i = view_->first_ending_at_or_after(address);
      uint64_t n;
      if (i == ranges.size() || ranges[i].start > address) {
        // A hole up to the next range (or the end of the space).
        const u128 next = i == ranges.size() ? k64BitSpace : u128(ranges[i].start);
        n = static_cast<uint64_t>(std::min<u128>(length, next - address));
        result |= unmapped(address, data, n);
      } else {
        const FlatRange& fr = ranges[i];
        n = static_cast<uint64_t>(std::min<u128>(length, u128(fr.last) - address + 1));
        // One dispatch only for an access wholly inside this range.
        result |= piece(fr, address, data, n, single && n == total);
      }
      if (u128(address) + n >= k64BitSpace) {
        // The access runs past the top of the address space: the rest is unmapped.
        if (n < length) result |= unmapped(0, data + n, length - n);
        break;
      }
      address += n;
      data += n;
      length -= n;
    }
    return result;
  }

 private:
  MemTxResult unmapped(uint64_t address, uint8_t* data, uint64_t n) {
    return detail::unmapped_access(space_, address, is_write_, data, n);
  }

  MemTxResult piece(const FlatRange& fr, uint64_t address, uint8_t* data, uint64_t n, bool single) {
    Region& r = *fr.region;
    const uint64_t offset = fr.region_offset(address);
    if (delay_ != nullptr) *delay_ += is_write_ ? r.write_latency() : r.read_latency();
    // Reservations and IOMMUs first: every access to them is reported.
    if (r.kind() == RegionKind::reservation || r.kind() == RegionKind::iommu) {
      const bool reservation = r.kind() == RegionKind::reservation;
      detail::report_warning(kAccessMsg, describe(is_write_, n, address, space_) + " hits " +
                                             (reservation ? "reservation '" : "IOMMU region '") + r.name() +
                                             "' (offset " + hex(offset) + ")" +
                                             (reservation ? ": the simulator must not handle it"
                                                          : ", which does not translate accesses yet"));
      if (!is_write_) std::memset(data, 0, n);
      return attrs_.memory ? MemTxResult::access_error : MemTxResult::decode_error;
    }
    if (is_write_ && fr.readonly) return MemTxResult::access_error;
    switch (r.kind()) {
      case RegionKind::ram:
      case RegionKind::rom:
        return direct(r, offset, data, n);
      case RegionKind::rom_device:
        if (!is_write_ && fr.romd_mode) return direct(r, offset, data, n);
        return device(static_cast<MmioRegion&>(r), offset, data, n, single);
      default:
        return device(static_cast<MmioRegion&>(r), offset, data, n, single);
    }
  }

  MemTxResult direct(Region& r, uint64_t offset, uint8_t* data, uint64_t n) {
    uint8_t* host = detail::host_memory(r);
    if (host == nullptr) return MemTxResult::error;
    if (is_write_) {
      std::memcpy(host + offset, data, n);
    } else {
      std::memcpy(data, host + offset, n);
    }
    return MemTxResult::ok;
  }

  MemTxResult device(MmioRegion& r, uint64_t offset, uint8_t* data, uint64_t n, bool single) {
    if (attrs_.memory) {
      if (!is_write_) std::memset(data, 0, n);
      return MemTxResult::access_error;
    }
    if (!single) return r.transfer(offset, data, n, is_write_, attrs_, delay_);
    const unsigned size = static_cast<unsigned>(n);
    if (is_write_) return r.dispatch_write(offset, detail::load_host(data, size), size, attrs_, delay_);
    uint64_t value = 0;
    const MemTxResult result = r.dispatch_read(offset, value, size, attrs_, delay_);
    detail::store_host(data, size, value);
    return result;
  }

  AddressSpace& space_;
  std::shared_ptr<const FlatView> view_;  // kept alive if a callback remaps the map
  bool is_write_;
  const MemTxAttrs& attrs_;
  sc_core::sc_time* delay_;
};

bool valid_single_size(unsigned size) { return size == 1 || size == 2 || size == 4 || size == 8; }

}  // namespace

MemTxResult AddressSpace::read(uint64_t address, void* data, uint64_t length, const MemTxAttrs& attrs,
                               sc_core::sc_time* delay) {
  return Access(*this, false, attrs, delay).run(address, static_cast<uint8_t*>(data), length, false);
}

MemTxResult AddressSpace::write(uint64_t address, const void* data, uint64_t length, const MemTxAttrs& attrs,
                                sc_core::sc_time* delay) {
  // Written data is only read, whatever the signature of the pieces.
  return Access(*this, true, attrs, delay)
      .run(address, static_cast<uint8_t*>(const_cast<void*>(data)), length, false);
}

MemTxResult AddressSpace::load(uint64_t address, unsigned size, uint64_t& value, const MemTxAttrs& attrs,
                               sc_core::sc_time* delay) {
  value = 0;
  if (!valid_single_size(size)) return MemTxResult::decode_error;
  uint8_t bytes[8] = {};
  const MemTxResult result = Access(*this, false, attrs, delay).run(address, bytes, size, true);
  value = detail::load_host(bytes, size);
  return result;
}

MemTxResult AddressSpace::store(uint64_t address, unsigned size, uint64_t value, const MemTxAttrs& attrs,
                                sc_core::sc_time* delay) {
  if (!valid_single_size(size)) return MemTxResult::decode_error;
  uint8_t bytes[8];
  detail::store_host(bytes, size, value);
  return Access(*this, true, attrs, delay).run(address, bytes, size, true);
}

namespace {

uint64_t debug_access(AddressSpace& space, uint64_t address, uint8_t* data, uint64_t length, bool is_write) {
  const auto view = space.flat_view();
  uint64_t done = 0;
  while (done < length) {
    const FlatRange* fr = view->lookup(address + done);
    if (fr == nullptr) break;
    const uint64_t n = static_cast<uint64_t>(std::min<u128>(length - done, u128(fr->last) - (address + done) + 1));
    const uint64_t offset = fr->region_offset(address + done);
    Region& r = *fr->region;
    uint64_t moved = 0;
    if (uint8_t* host = detail::host_memory(r)) {
      // Debug writes reach ROM too (a debugger loading an image).
      if (is_write) {
        std::memcpy(host + offset, data + done, n);
      } else {
        std::memcpy(data + done, host + offset, n);
      }
      moved = n;
    } else if (r.kind() == RegionKind::mmio || r.kind() == RegionKind::rom_device) {
      moved = static_cast<MmioRegion&>(r).debug_transfer(offset, data + done, n, is_write);
    }
    done += moved;
    if (moved < n || u128(address) + done >= k64BitSpace) break;
  }
  return done;
}

}  // namespace

uint64_t AddressSpace::debug_read(uint64_t address, void* data, uint64_t length) {
  return debug_access(*this, address, static_cast<uint8_t*>(data), length, false);
}

uint64_t AddressSpace::debug_write(uint64_t address, const void* data, uint64_t length) {
  return debug_access(*this, address, static_cast<uint8_t*>(const_cast<void*>(data)), length, true);
}

}  // namespace tlmmap
