#include "monitor_memory.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "monitor_syntax.hpp"
#include "tlmmap/core/iommu_region.hpp"
#include "tlmmap/core/mmio_region.hpp"

namespace tlmmap::detail {

namespace {

enum class Use { read, write, debug_read, debug_write };

const char* use_text(Use use) {
  switch (use) {
    case Use::read: return "read";
    case Use::write: return "written";
    case Use::debug_read: return "read by a debug access";
    case Use::debug_write: return "written by a debug access";
  }
  return "";
}

// Why `range` cannot take the access, or nullptr.
const char* obstacle(const FlatRange& range, Use use) {
  const Region& region = *range.region();
  const bool debug = use == Use::debug_read || use == Use::debug_write;
  switch (region.kind()) {
    case RegionKind::reservation: return "is a reservation";
    case RegionKind::iommu: return nullptr;  // translated (through_iommus())
    case RegionKind::rom:
      return use == Use::write ? "is a ROM" : nullptr;
    case RegionKind::ram:
      return use == Use::write && range.readonly ? "is read-only there" : nullptr;
    case RegionKind::mmio:
    case RegionKind::rom_device: {
      if (use == Use::write && range.readonly) return "is read-only there";
      if (!debug || region.kind() == RegionKind::rom_device) return nullptr;
      // Debug accesses reach a device only through its debug path.
      if (range.route(use == Use::debug_write).kind == RouteKind::device) return nullptr;
      const MmioOps& ops = static_cast<const MmioRegion&>(region).ops();
      const bool has_debug = use == Use::debug_read ? bool(ops.debug_read) : bool(ops.debug_write);
      return has_debug ? nullptr : "has no debug callback";
    }
    case RegionKind::container:
    case RegionKind::alias: return "cannot be accessed";
  }
  return nullptr;
}

bool writes(Use use) { return use == Use::write || use == Use::debug_write; }

// Where `address` of `space` (in an IOMMU range there) ends up, translated
// as a debug access is (IommuRegion::resolve(): unspecified attributes, no
// IOTLB fill, no fault recorded), with the bytes left in the translated page.
struct Translated {
  AddressSpace* space;
  uint64_t address;
  uint64_t page_rest;
};
Translated through_iommus(const AddressSpace& space, const FlatRange& range, uint64_t address, Use use) {
  auto& iommu = static_cast<IommuRegion&>(*range.region());
  IommuFaultReason reason = IommuFaultReason::no_translation;
  const IommuTlbEntry e = iommu.resolve(range.region_offset(address), MemTxAttrs{},
                                        writes(use) ? IommuAccess::write : IommuAccess::read, &reason);
  if (e.target == nullptr) {
    throw CommandError(hex(address) + " in address space " + quote(space.name()) + " cannot be " + use_text(use) +
                       ": IOMMU region " + quote(range.region_name()) + " refuses it (" + to_string(reason) + ")");
  }
  const uint64_t offset = range.region_offset(address);
  return {e.target, e.translate(offset), (e.addr_mask - (offset & e.addr_mask)) + 1};
}

// Every byte of [address, address + length) must be mapped and take `use`;
// IOMMU ranges must translate it, page by page, to bytes that take it.
void check_span(const AddressSpace& space, const FlatView& view, uint64_t address, u128 length, Use use) {
  const u128 end = u128(address) + length;
  if (end > k64BitSpace) throw CommandError(hex(address) + "+" + hex(length) + " runs beyond 2^64");
  for (u128 at = address; at < end;) {
    const FlatRange* range = view.lookup(static_cast<uint64_t>(at));
    if (range == nullptr || range->region() == nullptr) {
      throw CommandError("nothing is mapped at " + hex(at) + " in address space " + quote(space.name()));
    }
    if (range->region()->kind() == RegionKind::iommu) {
      const Translated t = through_iommus(space, *range, static_cast<uint64_t>(at), use);
      const u128 n = std::min<u128>({end - at, u128(range->last) + 1 - at, t.page_rest});
      check_span(*t.space, *t.space->flat_view(), t.address, n, use);
      at += n;
      continue;
    }
    if (const char* why = obstacle(*range, use)) {
      throw CommandError(hex(at) + " in address space " + quote(space.name()) + " cannot be " + use_text(use) +
                         ": region " + quote(range->region_name()) + " " + why);
    }
    at = u128(range->last) + 1;
  }
}

// `what` at `address` answered `result`: names the region that answered.
CommandError refusal(const char* what, const FlatView& view, uint64_t address, MemTxResult result) {
  const FlatRange* range = view.lookup(address);
  const std::string answer = has(result, MemTxResult::decode_error)   ? "a decode error"
                             : has(result, MemTxResult::access_error) ? "an access error"
                                                                      : "a device error";
  return CommandError(std::string("the ") + what + " at " + hex(address) +
                      (range != nullptr ? " (region " + quote(range->region_name()) + ")" : std::string()) +
                      " answered " + answer);
}


std::string unit_text(uint64_t value, const UnitFormat& unit) {
  static const char* digits = "0123456789abcdef";
  if (unit.format == 'x') {
    std::string text(unit.size * 2, '0');
    for (std::size_t i = text.size(); i-- > 0; value >>= 4) text[i] = digits[value & 15];
    return "0x" + text;
  }
  if (unit.format == 'd' && unit.size < 8) {
    const unsigned bits = unit.size * 8;
    if ((value >> (bits - 1)) & 1) return std::to_string(static_cast<int64_t>(value | (~uint64_t(0) << bits)));
  }
  return unit.format == 'd' ? std::to_string(static_cast<int64_t>(value)) : std::to_string(value);
}

// One unit as a CPU makes it, at its final address when `address` is in an
// IOMMU range (translated without side effects, checked by check_span()).
MemTxResult unit_access(AddressSpace& space, const FlatView& view, uint64_t address, unsigned size, uint64_t& value,
                        bool is_write) {
  const FlatRange* range = view.lookup(address);
  if (range == nullptr || range->region() == nullptr || range->region()->kind() != RegionKind::iommu) {
    return is_write ? space.store(address, size, value) : space.load(address, size, value);
  }
  const Translated t = through_iommus(space, *range, address, is_write ? Use::write : Use::read);
  if (t.page_rest < size) {
    throw CommandError("the unit at " + hex(address) + " in address space " + quote(space.name()) +
                       " crosses a page of IOMMU region " + quote(range->region_name()));
  }
  return unit_access(*t.space, *t.space->flat_view(), t.address, size, value, is_write);
}

}  // namespace

UnitFormat parse_unit_format(std::string_view text, bool allow_count) {
  UnitFormat unit;
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i > 0) {
    if (!allow_count) throw CommandError("/" + std::string(text) + ": a write takes a unit size (b h w g), no count");
    unit.count = static_cast<uint64_t>(parse_number(std::string(text.substr(0, i)), "count", 1u << 20));
    if (unit.count == 0) throw CommandError("count 0");
  }
  bool have_size = false;
  bool have_format = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    const char* sizes = "bhwg";
    if (const char* s = std::strchr(sizes, c); s != nullptr && c != '\0' && !have_size) {
      unit.size = 1u << (s - sizes);
      have_size = true;
    } else if ((c == 'x' || c == 'd' || c == 'u') && allow_count && !have_format) {
      unit.format = c;
      have_format = true;
    } else {
      throw CommandError("bad format /" + std::string(text) +
                         (allow_count ? " (count, then x d u and one of b h w g)" : " (one of b h w g)"));
    }
  }
  return unit;
}

std::string dump_memory(AddressSpace& space, uint64_t address, const UnitFormat& unit, bool debug) {
  const u128 length = u128(unit.count) * unit.size;
  const std::shared_ptr<const FlatView> view = space.flat_view();
  check_span(space, *view, address, length, debug ? Use::debug_read : Use::read);
  std::vector<uint64_t> values(unit.count);
  if (debug) {
    std::vector<uint8_t> bytes(static_cast<std::size_t>(length));
    const uint64_t moved = space.debug_read(address, bytes.data(), bytes.size());
    if (moved != bytes.size()) throw CommandError("the debug read stopped at " + hex(u128(address) + moved));
    for (uint64_t i = 0; i < unit.count; ++i) std::memcpy(&values[i], &bytes[i * unit.size], unit.size);
  } else {
    for (uint64_t i = 0; i < unit.count; ++i) {
      const uint64_t at = address + i * unit.size;
      const MemTxResult r = unit_access(space, *view, at, unit.size, values[i], false);
      if (r != MemTxResult::ok) throw refusal("load", *view, at, r);
    }
  }
  const uint64_t per_line = unit.size == 1 ? 8 : 16 / unit.size;
  std::string text;
  for (uint64_t i = 0; i < unit.count; ++i) {
    if (i % per_line == 0) text += (i == 0 ? "" : "\n") + hex16(address + i * unit.size) + ":";
    text += " " + unit_text(values[i], unit);
  }
  return text + "\n";
}

void write_memory(AddressSpace& space, uint64_t address, unsigned size, const std::vector<uint64_t>& values,
                  bool debug) {
  const u128 length = u128(values.size()) * size;
  const std::shared_ptr<const FlatView> view = space.flat_view();
  check_span(space, *view, address, length, debug ? Use::debug_write : Use::write);
  if (debug) {
    std::vector<uint8_t> bytes(static_cast<std::size_t>(length));
    for (std::size_t i = 0; i < values.size(); ++i) std::memcpy(&bytes[i * size], &values[i], size);
    const uint64_t moved = space.debug_write(address, bytes.data(), bytes.size());
    if (moved != bytes.size()) throw CommandError("the debug write stopped at " + hex(u128(address) + moved));
    return;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const uint64_t at = address + i * size;
    uint64_t value = values[i];
    const MemTxResult r = unit_access(space, *view, at, size, value, true);
    if (r != MemTxResult::ok) {
      const CommandError e = refusal("store", *view, at, r);
      if (i == 0) throw e;
      throw CommandError(e.what() + std::string("; the ") + std::to_string(i) + " units before it were written");
    }
  }
}

}  // namespace tlmmap::detail
