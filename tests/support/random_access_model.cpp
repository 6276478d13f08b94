#include "support/random_access_model.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "tlmmap/core/types.hpp"

namespace tlmmap::test {

namespace {

uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t hash3(uint64_t a, uint64_t b, uint64_t c) { return mix(mix(a, b), c); }

struct Rand {
  uint64_t state;
  uint64_t next() { return state = mix(state, 0x5bd1e995); }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
};

unsigned pick_size(Rand& r, int zero_percent) {
  static const unsigned sizes[] = {1, 2, 4, 8};
  if (r.chance(zero_percent)) return 0;
  return sizes[r.below(4)];
}

uint64_t low_mask(unsigned bytes) { return bytes >= 8 ? ~uint64_t(0) : (uint64_t(1) << (8 * bytes)) - 1; }

uint64_t swap(uint64_t v, unsigned n) {
  uint64_t out = 0;
  for (unsigned i = 0; i < n; ++i) out |= ((v >> (8 * i)) & 0xff) << (8 * (n - 1 - i));
  return out;
}

// Little-endian host: the first n bytes at p as an integer (QEMU's ldn_he_p).
uint64_t load_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}
void store_le(uint8_t* p, unsigned n, uint64_t v) {
  for (unsigned i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

unsigned pow2floor(unsigned n) {
  unsigned p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

const char* kind_letter(Event::Kind k) {
  switch (k) {
    case Event::Kind::read: return "read";
    case Event::Kind::write: return "write";
    case Event::Kind::debug_read: return "debug_read";
    case Event::Kind::debug_write: return "debug_write";
    case Event::Kind::tlm: return "b_transport";
    case Event::Kind::tlm_debug: return "transport_dbg";
  }
  return "?";
}

std::string attrs_text(const MemTxAttrs& a) {
  if (a.unspecified) return "unspecified";
  std::string t = "{";
  if (a.secure) t += "secure ";
  if (a.user) t += "user ";
  if (a.memory) t += "memory ";
  if (a.byte_swap) t += "byte_swap ";
  t += "id=" + hex(a.requester_id) + " tlb=" + std::to_string(a.target_tlb_bits) + "}";
  return t;
}

const char* command_text(tlm::tlm_command c) {
  return c == tlm::TLM_READ_COMMAND ? "read" : c == tlm::TLM_WRITE_COMMAND ? "write" : "ignore";
}

// The device's DMI grant, seen through the window at `m`, covers `length`
// bytes there for the command (a write only where the window is writable).
bool grant_covers(const TlmDeviceConfig& c, const ByteMapping& m, uint64_t length, bool is_write) {
  return c.grant_dmi && m.offset >= c.dmi_first && m.offset + length - 1 <= c.dmi_last && (!is_write || !m.readonly);
}

}  // namespace

// ---------------------------------------------------------------------------
// Configurations and device behaviour

RegionConfig region_config(uint64_t seed, uint64_t tag) {
  Rand r{mix(seed, tag)};
  RegionConfig c;
  c.tag = tag;
  if (r.chance(50)) {
    c.read_latency = sc_core::sc_time(static_cast<double>(r.below(20)), sc_core::SC_NS);
    c.write_latency = sc_core::sc_time(static_cast<double>(r.below(20)), sc_core::SC_NS);
  }
  MmioConfig& m = c.mmio;
  const uint64_t e = r.below(100);
  m.endianness = e < 40 ? Endianness::little : e < 75 ? Endianness::big : Endianness::native;
  m.valid_max = pick_size(r, 30);
  if (m.valid_max != 0 && r.chance(50)) {
    do {
      m.valid_min = pick_size(r, 0);
    } while (m.valid_min > m.valid_max);
  }
  m.valid_unaligned = r.chance(30);
  m.has_accepts = r.chance(25);
  m.impl_min = pick_size(r, 55);
  m.impl_max = pick_size(r, 40);
  const unsigned eff_min = m.impl_min == 0 ? 1 : m.impl_min;
  const unsigned eff_max = m.impl_max == 0 ? 4 : m.impl_max;
  if (eff_min > eff_max) m.impl_max = m.impl_min;
  m.impl_unaligned = r.chance(25);
  const uint64_t rk = r.below(100);
  m.read = rk < 5 ? CallbackKind::none : rk < 35 ? CallbackKind::with_attrs : CallbackKind::plain;
  const uint64_t wk = r.below(100);
  m.write = wk < 5 ? CallbackKind::none : wk < 35 ? CallbackKind::with_attrs : CallbackKind::plain;
  m.debug_read = r.chance(65);
  m.debug_write = r.chance(50);
  m.salt = r.next();
  c.wants_tlm = r.chance(40);
  c.tlm_slot = static_cast<unsigned>(r.below(64));
  TlmDeviceConfig& d = c.device;
  d.grant_dmi = r.chance(75);
  d.dmi_first = r.chance(50) ? 0 : r.next();  // reduced to the device's size when it is placed
  d.dmi_last = r.chance(50) ? ~uint64_t(0) : r.next();
  d.errors = r.chance(50);
  d.latency = sc_core::sc_time(static_cast<double>(r.below(10)), sc_core::SC_NS);
  d.salt = r.next();
  c.fill_salt = r.next();
  return c;
}

std::string describe(const RegionConfig& c, RegionKind kind, bool tlm_device) {
  std::ostringstream out;
  out << "latency r" << c.read_latency << "/w" << c.write_latency;
  auto callback = [](CallbackKind k) {
    return k == CallbackKind::none ? "none" : k == CallbackKind::plain ? "plain" : "with_attrs";
  };
  if (tlm_device) {
    const TlmDeviceConfig& d = c.device;
    out << "; TLM device: latency " << d.latency << ", DMI "
        << (d.grant_dmi ? "[" + hex(d.dmi_first) + ", " + hex(d.dmi_last) + "]" : std::string("denied"))
        << (d.errors ? ", error responses outside the DMI window" : "");
  } else if (kind == RegionKind::mmio || kind == RegionKind::rom_device) {
    const MmioConfig& m = c.mmio;
    out << "; ops: " << (m.endianness == Endianness::little ? "little" : m.endianness == Endianness::big ? "big" : "native")
        << " endian, valid " << m.valid_min << ".." << m.valid_max << (m.valid_unaligned ? " unaligned" : "")
        << (m.has_accepts ? " accepts()" : "") << ", impl " << m.impl_min << ".." << m.impl_max
        << (m.impl_unaligned ? " unaligned" : "") << ", read " << callback(m.read) << ", write " << callback(m.write)
        << ", debug" << (m.debug_read ? " read" : "") << (m.debug_write ? " write" : "")
        << (!m.debug_read && !m.debug_write ? " none" : "");
  }
  return out.str();
}

uint64_t mmio_read_value(const MmioConfig& c, uint64_t offset, unsigned size) { return hash3(c.salt, offset, size); }
uint64_t mmio_debug_value(const MmioConfig& c, uint64_t offset, unsigned size) {
  return hash3(c.salt ^ 0xdeb06deb06ULL, offset, size);
}
MemTxResult mmio_read_result(const MmioConfig& c, uint64_t offset, unsigned size) {
  const uint64_t h = hash3(c.salt ^ 0x7ead, offset, size) % 16;
  return h == 0 ? MemTxResult::error : h == 1 ? MemTxResult::decode_error : MemTxResult::ok;
}
MemTxResult mmio_write_result(const MmioConfig& c, uint64_t offset, unsigned size) {
  const uint64_t h = hash3(c.salt ^ 0x771e, offset, size) % 16;
  return h == 0 ? MemTxResult::error : h == 1 ? MemTxResult::access_error : MemTxResult::ok;
}
bool mmio_accepts(const MmioConfig& c, uint64_t offset, unsigned size, bool is_write) {
  return hash3(c.salt ^ 0xacc, offset, size * 2 + (is_write ? 1 : 0)) % 5 != 0;
}
uint8_t fill_byte(uint64_t salt, uint64_t offset) {
  const uint64_t z = (offset + salt) * 0x9e3779b97f4a7c15ULL;
  return static_cast<uint8_t>(z >> 56);
}

tlm::tlm_response_status tlm_device_status(const TlmDeviceConfig& c, uint64_t size, uint64_t address, unsigned span,
                                           bool is_write) {
  if (address >= size || span > size - address) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  const bool in_window = c.grant_dmi && address >= c.dmi_first && address <= c.dmi_last;
  if (c.errors && !in_window) {
    const uint64_t h = hash3(c.salt, address, is_write) % 8;
    if (h == 0) return tlm::TLM_GENERIC_ERROR_RESPONSE;
    if (h == 1 && is_write) return tlm::TLM_COMMAND_ERROR_RESPONSE;
  }
  return tlm::TLM_OK_RESPONSE;
}

// ---------------------------------------------------------------------------
// Events, accesses, text

bool Event::operator==(const Event& o) const {
  return kind == o.kind && region == o.region && offset == o.offset && size == o.size && value == o.value &&
         has_attrs == o.has_attrs && attrs == o.attrs && command == o.command && streaming == o.streaming &&
         enables == o.enables && data == o.data;
}

std::string describe(const Event& e, const std::vector<std::string>& names) {
  std::ostringstream out;
  const std::string name = e.region >= 0 && e.region < static_cast<int>(names.size()) ? names[e.region] : "?";
  out << name << " " << kind_letter(e.kind);
  if (e.kind == Event::Kind::tlm || e.kind == Event::Kind::tlm_debug) {
    out << " " << command_text(e.command) << " @" << hex(e.offset) << " len " << e.size;
    if (e.kind == Event::Kind::tlm) {
      out << " streaming " << e.streaming;
      if (!e.enables.empty()) out << " enables " << bytes_text(e.enables);
    }
    if (!e.data.empty()) out << " data " << bytes_text(e.data);
  } else {
    out << " @" << hex(e.offset) << "/" << e.size << " = " << hex(e.value);
  }
  if (e.has_attrs) out << " attrs " << attrs_text(e.attrs);
  return out.str();
}

std::string describe(const AccessSpec& a) {
  std::ostringstream out;
  switch (a.via) {
    case AccessSpec::Via::transport: out << "b_transport "; break;
    case AccessSpec::Via::debug: out << "transport_dbg "; break;
    case AccessSpec::Via::dmi_request: out << "get_direct_mem_ptr "; break;
    case AccessSpec::Via::dmi_initiator: out << "DmiInitiator "; break;
    case AccessSpec::Via::at_method: out << "AT (SC_METHOD) nb_transport_fw "; break;
    case AccessSpec::Via::at_thread: out << "AT (SC_THREAD) nb_transport_fw "; break;
  }
  out << command_text(a.command) << " at " << hex(a.address, 16) << " length " << a.length;
  if (a.streaming != 0 && a.streaming != a.length) out << " streaming width " << a.streaming;
  if (!a.enables.empty()) out << " byte enables " << bytes_text(a.enables);
  if (a.has_attrs) out << " attributes " << attrs_text(a.attrs);
  if (a.command == tlm::TLM_WRITE_COMMAND && !a.data.empty()) out << " data " << bytes_text(a.data);
  return out.str();
}

bool ByteMapping::continued_by(const ByteMapping& next) const noexcept {
  if (status != next.status) return false;
  if (status != Status::mapped) return true;
  return region == next.region && offset + 1 == next.offset && readonly == next.readonly && romd == next.romd &&
         nonvolatile == next.nonvolatile;
}

bool ByteMapping::same(const ByteMapping& o) const noexcept {
  if (status != o.status) return false;
  if (status != Status::mapped) return true;
  return region == o.region && offset == o.offset && readonly == o.readonly && romd == o.romd &&
         nonvolatile == o.nonvolatile;
}

std::string describe(const ByteMapping& m, const std::vector<std::string>& names) {
  if (m.status == ByteMapping::Status::unmapped) return "unmapped";
  if (m.status == ByteMapping::Status::beyond_top) return "beyond 2^64";
  std::string t = (m.region >= 0 && m.region < static_cast<int>(names.size()) ? names[m.region] : "?") + " @" +
                  hex(m.offset);
  if (m.readonly) t += " ro";
  if (!m.romd) t += " !romd";
  if (m.nonvolatile) t += " nv";
  return t;
}

std::string describe(tlm::tlm_response_status s) {
  switch (s) {
    case tlm::TLM_OK_RESPONSE: return "TLM_OK_RESPONSE";
    case tlm::TLM_INCOMPLETE_RESPONSE: return "TLM_INCOMPLETE_RESPONSE";
    case tlm::TLM_GENERIC_ERROR_RESPONSE: return "TLM_GENERIC_ERROR_RESPONSE";
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return "TLM_ADDRESS_ERROR_RESPONSE";
    case tlm::TLM_COMMAND_ERROR_RESPONSE: return "TLM_COMMAND_ERROR_RESPONSE";
    case tlm::TLM_BURST_ERROR_RESPONSE: return "TLM_BURST_ERROR_RESPONSE";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE: return "TLM_BYTE_ENABLE_ERROR_RESPONSE";
  }
  return "?";
}

std::string bytes_text(const std::vector<uint8_t>& bytes, const std::vector<bool>* known) {
  static const char* digits = "0123456789abcdef";
  std::string t;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) t += (i % 8 == 0) ? " | " : " ";
    if (known != nullptr && i < known->size() && !(*known)[i]) {
      t += "??";
    } else {
      t += digits[bytes[i] >> 4];
      t += digits[bytes[i] & 15];
    }
  }
  return t.empty() ? "(none)" : t;
}

// The table of docs/tlm.md: first row that applies, address, command, generic.
tlm::tlm_response_status response_of(MemTxResult r) {
  if (has(r, MemTxResult::decode_error)) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (has(r, MemTxResult::access_error)) return tlm::TLM_COMMAND_ERROR_RESPONSE;
  if (has(r, MemTxResult::error)) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  return tlm::TLM_OK_RESPONSE;
}

MemTxResult result_of(tlm::tlm_response_status s) {
  switch (s) {
    case tlm::TLM_OK_RESPONSE: return MemTxResult::ok;
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return MemTxResult::decode_error;
    case tlm::TLM_COMMAND_ERROR_RESPONSE: return MemTxResult::access_error;
    default: return MemTxResult::error;
  }
}

// ---------------------------------------------------------------------------
// The model

bool Model::big_endian(const MmioConfig& c) const {
  return c.endianness == Endianness::big || (c.endianness == Endianness::native && native_big_);
}

// QEMU's memory_access_size(), on the region offset.
unsigned Model::access_size(const MmioConfig& c, uint64_t offset, unsigned remaining) const {
  unsigned max = c.valid_max != 0 ? c.valid_max : 4;
  if (!c.impl_unaligned) {
    const uint64_t align = offset & (~offset + 1);
    if (align != 0 && align < max) max = static_cast<unsigned>(align);
  }
  return pow2floor(std::min(remaining, max));
}

std::vector<Model::Run> Model::runs(uint64_t address, unsigned length, const Resolver& resolve) const {
  std::vector<Run> out;
  ByteMapping previous;
  for (unsigned i = 0; i < length; ++i) {
    const u128 at = u128(address) + i;
    ByteMapping m;
    if (at >= k64BitSpace) {
      m.status = ByteMapping::Status::beyond_top;
    } else {
      m = resolve(static_cast<uint64_t>(at));
    }
    if (i == 0 || !previous.continued_by(m)) {
      Run r;
      r.first = m;
      r.address = static_cast<uint64_t>(at);
      r.length = 1;
      out.push_back(r);
    } else {
      ++out.back().length;
    }
    previous = m;
  }
  return out;
}

std::vector<uint8_t> Model::Enables::rotated() const {
  std::vector<uint8_t> out;
  if (pattern == nullptr || pattern->empty()) return out;
  for (std::size_t i = 0; i < pattern->size(); ++i) out.push_back((*pattern)[(offset + i) % pattern->size()]);
  return out;
}

MemTxResult Model::unmapped(uint8_t* data, unsigned length, bool is_write, Outcome& out,
                            const Enables& enables) const {
  if (!is_write) {
    for (unsigned i = 0; i < length; ++i) {
      if (enables.on(i)) data[i] = 0;
    }
  }
  if (policy_ == UnmappedPolicy::error_with_warning || policy_ == UnmappedPolicy::read_zero_write_ignore_with_warning) {
    out.warnings.push_back("nothing is mapped there");
  }
  return policy_ == UnmappedPolicy::error || policy_ == UnmappedPolicy::error_with_warning ? MemTxResult::decode_error
                                                                                          : MemTxResult::ok;
}

// memory_region_dispatch_read/write: valid, then access_with_adjusted_size,
// with adjust_endianness around it.
MemTxResult Model::dispatch(int region, uint64_t offset, unsigned size, bool is_write, uint64_t& value,
                            const MemTxAttrs& attrs, Outcome& out) {
  const MmioConfig& c = regions_[region].config.mmio;
  const CallbackKind kind = is_write ? c.write : c.read;
  bool valid = kind != CallbackKind::none;
  if (valid && c.has_accepts && !mmio_accepts(c, offset, size, is_write)) valid = false;
  if (valid && !c.valid_unaligned && (offset & (size - 1)) != 0) valid = false;
  if (valid && c.valid_max != 0 && (size > c.valid_max || size < c.valid_min)) valid = false;
  if (!valid) {
    if (!is_write) value = 0;
    return MemTxResult::decode_error;
  }
  const bool big = big_endian(c);
  const bool swapped = big != attrs.byte_swap;
  const unsigned impl_min = c.impl_min != 0 ? c.impl_min : 1;
  const unsigned impl_max = c.impl_max != 0 ? c.impl_max : 4;
  const unsigned access = std::max(std::min(size, impl_max), impl_min);
  const uint64_t mask = low_mask(access);
  MemTxResult result = MemTxResult::ok;
  uint64_t v = value & low_mask(size);
  if (is_write && swapped) v = swap(v, size);
  uint64_t assembled = 0;
  for (unsigned i = 0; i < size; i += access) {
    const int shift = big ? (static_cast<int>(size) - static_cast<int>(access) - static_cast<int>(i)) * 8
                          : static_cast<int>(i) * 8;
    Event e;
    e.region = region;
    e.offset = offset + i;
    e.size = access;
    e.has_attrs = kind == CallbackKind::with_attrs;
    if (e.has_attrs) e.attrs = attrs;
    if (is_write) {
      e.kind = Event::Kind::write;
      e.value = (shift >= 0 ? v >> shift : v << -shift) & mask;
      if (kind == CallbackKind::with_attrs) result |= mmio_write_result(c, e.offset, access);
    } else {
      e.kind = Event::Kind::read;
      const uint64_t tmp = mmio_read_value(c, e.offset, access);
      e.value = tmp;
      if (kind == CallbackKind::with_attrs) result |= mmio_read_result(c, e.offset, access);
      assembled |= shift >= 0 ? (tmp & mask) << shift : (tmp & mask) >> -shift;
    }
    out.events.push_back(e);
  }
  if (!is_write) {
    assembled &= low_mask(size);
    value = swapped ? swap(assembled, size) : assembled;
  }
  return result;
}

MemTxResult Model::mmio_buffer(int region, uint64_t offset, uint8_t* data, unsigned length, bool is_write,
                               const MemTxAttrs& attrs, Outcome& out) {
  const MmioConfig& c = regions_[region].config.mmio;
  MemTxResult result = MemTxResult::ok;
  while (length > 0) {
    const unsigned n = access_size(c, offset, length);
    uint64_t value = is_write ? load_le(data, n) : 0;
    result |= dispatch(region, offset, n, is_write, value, attrs, out);
    if (!is_write) store_le(data, n, value);
    offset += n;
    data += n;
    length -= n;
  }
  return result;
}

tlm::tlm_response_status Model::device_transport(int region, tlm::tlm_command command, uint64_t address,
                                                 uint8_t* data, unsigned length, unsigned streaming,
                                                 const std::vector<uint8_t>& enables, const MemTxAttrs& attrs,
                                                 bool has_attrs, Outcome& out) {
  ModelRegion& r = regions_[region];
  const TlmDeviceConfig& c = r.config.device;
  const bool is_write = command == tlm::TLM_WRITE_COMMAND;
  Event e;
  e.kind = Event::Kind::tlm;
  e.region = region;
  e.offset = address;
  e.size = length;
  e.command = command;
  e.streaming = streaming;
  e.enables = enables;
  if (is_write) e.data.assign(data, data + length);
  e.has_attrs = has_attrs;
  if (has_attrs) e.attrs = attrs;
  out.events.push_back(e);
  out.delay += c.latency;
  const unsigned span = std::min(length, streaming);
  const tlm::tlm_response_status status = tlm_device_status(c, r.tlm_size, address, span, is_write);
  if (status == tlm::TLM_ADDRESS_ERROR_RESPONSE) return status;
  std::vector<uint8_t>& bytes = *r.memory;
  for (unsigned i = 0; i < length; ++i) {
    if (!enables.empty() && enables[i % enables.size()] != TLM_BYTE_ENABLED) continue;
    uint8_t& cell = bytes[address + i % streaming];
    if (is_write) {
      if (status == tlm::TLM_OK_RESPONSE) cell = data[i];
    } else {
      data[i] = cell;
    }
  }
  return status;
}

MemTxResult Model::piece(const Run& run, uint8_t* data, bool is_write, bool single, const MemTxAttrs& attrs,
                         bool has_attrs, Outcome& out, const Enables& enables) {
  const int index = run.first.region;
  ModelRegion& r = regions_[index];
  const uint64_t offset = run.first.offset;
  const unsigned n = run.length;
  out.delay += is_write ? r.config.write_latency : r.config.read_latency;
  const bool ro = run.first.readonly;
  // Rights and decoding are judged on the whole piece; enables choose the bytes that move.
  auto refuse = [&](MemTxResult result) {
    if (!is_write) std::memset(data, 0, n);
    return result;
  };
  auto copy = [&](uint8_t* memory) {
    for (unsigned i = 0; i < n; ++i) {
      if (!enables.on(i)) continue;
      if (is_write) {
        memory[i] = data[i];
      } else {
        data[i] = memory[i];
      }
    }
    return MemTxResult::ok;
  };
  // A destroyed device, reached through a view an open transaction holds:
  // never called; a decode error with a warning naming it.
  auto destroyed = [&]() {
    out.warnings.push_back("'" + r.name + "', which has been destroyed");
    return refuse(MemTxResult::decode_error);
  };
  auto device_access = [&]() {
    if (attrs.memory) return refuse(MemTxResult::access_error);
    if (r.destroyed) return destroyed();
    if (single) {
      uint64_t value = is_write ? load_le(data, n) : 0;
      const MemTxResult result = dispatch(index, offset, n, is_write, value, attrs, out);
      if (!is_write) store_le(data, n, value);
      return result;
    }
    // Each run of enabled bytes is a buffer access of its own.
    MemTxResult result = MemTxResult::ok;
    for (unsigned k = 0; k < n;) {
      if (!enables.on(k)) {
        ++k;
        continue;
      }
      unsigned count = 1;
      while (k + count < n && enables.on(k + count)) ++count;
      result |= mmio_buffer(index, offset + k, data + k, count, is_write, attrs, out);
      k += count;
    }
    return result;
  };
  switch (r.kind) {
    case RegionKind::ram:
      if (is_write && ro) return MemTxResult::access_error;
      return copy(r.memory->data() + offset);
    case RegionKind::rom:
      if (is_write) return MemTxResult::access_error;
      return copy(r.memory->data() + offset);
    case RegionKind::rom_device:
      if (!is_write && run.first.romd) return copy(r.memory->data() + offset);
      if (is_write && ro) return MemTxResult::access_error;
      return device_access();
    case RegionKind::mmio:
      if (is_write && ro) return MemTxResult::access_error;
      if (r.tlm) {
        if (attrs.memory) return refuse(MemTxResult::access_error);
        if (r.destroyed) return destroyed();
        return result_of(device_transport(index, is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, offset,
                                          data, n, n, enables.rotated(), attrs, !attrs.unspecified, out));
      }
      return device_access();
    case RegionKind::reservation:
      out.warnings.push_back("reservation '" + r.name + "'");
      return refuse(attrs.memory ? MemTxResult::access_error : MemTxResult::decode_error);
    case RegionKind::iommu:
      // A plain IommuRegion translates nothing: one fault for the piece,
      // whatever the attributes (the translated target would judge `memory`).
      out.warnings.push_back("IOMMU region '" + r.name + "'");
      return refuse(MemTxResult::decode_error);
    default:
      break;
  }
  (void)has_attrs;
  return MemTxResult::error;  // a container or alias never answers
}

MemTxResult Model::buffer(uint64_t address, uint8_t* data, unsigned length, bool is_write, bool single,
                          const MemTxAttrs& attrs, bool has_attrs, const Resolver& resolve, Outcome& out,
                          const Enables& enables) {
  const std::vector<Run> rs = runs(address, length, resolve);
  MemTxResult result = MemTxResult::ok;
  unsigned at = 0;
  for (const Run& run : rs) {
    if (run.first.mapped()) {
      // A 1/2/4/8-byte access wholly inside one flat range is one dispatch;
      // anything that crosses ranges is a buffer access, piece by piece.
      result |= piece(run, data + at, is_write, single && rs.size() == 1, attrs, has_attrs, out, enables.from(at));
    } else {
      result |= unmapped(data + at, run.length, is_write, out, enables.from(at));
    }
    at += run.length;
  }
  return result;
}

Outcome Model::transport(const AccessSpec& a, const Resolver& resolve) {
  Outcome out;
  out.data = a.data;
  out.data_known.assign(out.data.size(), true);
  const unsigned length = a.length;
  const unsigned streaming = a.streaming != 0 ? a.streaming : a.length;
  if (a.command == tlm::TLM_IGNORE_COMMAND) {
    out.status = tlm::TLM_OK_RESPONSE;
    return out;
  }
  if (length == 0 || streaming == 0) {
    out.status = tlm::TLM_GENERIC_ERROR_RESPONSE;
    return out;
  }
  const bool is_write = a.command == tlm::TLM_WRITE_COMMAND;
  const MemTxAttrs attrs = a.has_attrs ? a.attrs : MemTxAttrs{};
  uint8_t* data = out.data.data();
  // Wholly inside one window of a TLM device: the transaction itself goes
  // to the device, region-relative.
  const unsigned span = std::min(length, streaming);
  {
    const std::vector<Run> rs = runs(a.address, span, resolve);
    if (rs.size() == 1 && rs[0].first.mapped() && regions_[rs[0].first.region].tlm &&
        !regions_[rs[0].first.region].destroyed) {
      const Run& run = rs[0];
      ModelRegion& r = regions_[run.first.region];
      out.delay += is_write ? r.config.write_latency : r.config.read_latency;
      if (is_write && run.first.readonly) {
        out.status = tlm::TLM_COMMAND_ERROR_RESPONSE;
        return out;
      }
      if (attrs.memory) {
        if (!is_write) out.data_known.assign(out.data.size(), false);
        out.status = tlm::TLM_COMMAND_ERROR_RESPONSE;
        return out;
      }
      out.status = device_transport(run.first.region, a.command, run.first.offset, data, length, streaming, a.enables,
                                    attrs, a.has_attrs, out);
      return out;
    }
  }
  const bool single = a.enables.empty() && streaming >= length &&
                      (length == 1 || length == 2 || length == 4 || length == 8);
  MemTxResult result = MemTxResult::ok;
  // Beat by beat; in each, rights and decoding over the whole beat, and only
  // the enabled bytes move.
  for (unsigned beat = 0; beat < length; beat += streaming) {
    const unsigned beat_length = std::min(streaming, length - beat);
    const Enables enables{&a.enables, beat};
    result |= buffer(a.address, data + beat, beat_length, is_write, single, attrs, a.has_attrs, resolve, out, enables);
  }
  out.status = response_of(result);
  return out;
}

Outcome Model::through_dmi(const AccessSpec& a, const Resolver& resolve, std::string& stale) {
  Outcome out;
  out.data = a.data;
  out.data_known.assign(out.data.size(), true);
  out.status = tlm::TLM_OK_RESPONSE;
  const bool is_write = a.command == tlm::TLM_WRITE_COMMAND;
  const std::vector<Run> rs = runs(a.address, a.length, resolve);
  if (rs.size() != 1 || !rs[0].first.mapped()) {
    stale = "the DMI initiator holds a grant covering the access, but the access does not lie in one flat range";
    return out;
  }
  const ByteMapping& m = rs[0].first;
  ModelRegion& r = regions_[m.region];
  bool ok = false;
  switch (r.kind) {
    case RegionKind::ram: ok = !is_write || !m.readonly; break;
    case RegionKind::rom: ok = !is_write; break;
    case RegionKind::rom_device: ok = !is_write && m.romd; break;
    case RegionKind::mmio:
      ok = r.tlm && grant_covers(r.config.device, m, a.length, is_write);
      break;
    default: break;
  }
  if (!ok) {
    stale = "the DMI initiator holds a grant covering the access, but the bytes are " + r.name + " (" +
            std::string(to_string(r.kind)) + (m.readonly ? ", read-only" : "") + (m.romd ? "" : ", not in romd mode") +
            "), which DMI may not reach for a " + (is_write ? "write" : "read");
    return out;
  }
  if (is_write) {
    std::memcpy(r.memory->data() + m.offset, out.data.data(), a.length);
  } else {
    std::memcpy(out.data.data(), r.memory->data() + m.offset, a.length);
  }
  sc_core::sc_time latency = is_write ? r.config.write_latency : r.config.read_latency;
  if (r.tlm) latency += r.config.device.latency;
  out.delay = latency;
  return out;
}

Outcome Model::debug(const AccessSpec& a, const Resolver& resolve) {
  Outcome out;
  out.data = a.data;
  out.data_known.assign(out.data.size(), true);
  out.status = tlm::TLM_OK_RESPONSE;
  const unsigned length = a.length;
  if (a.command == tlm::TLM_IGNORE_COMMAND || length == 0) return out;
  const bool is_write = a.command == tlm::TLM_WRITE_COMMAND;
  uint8_t* data = out.data.data();
  const std::vector<Run> rs = runs(a.address, length, resolve);
  auto device_debug = [&](const Run& run, uint8_t* d, unsigned n) {
    ModelRegion& r = regions_[run.first.region];
    Event e;
    e.kind = Event::Kind::tlm_debug;
    e.region = run.first.region;
    e.offset = run.first.offset;
    e.size = n;
    e.command = a.command;
    if (is_write) e.data.assign(d, d + n);
    out.events.push_back(e);
    if (run.first.offset >= r.tlm_size) return 0u;
    const unsigned moved = static_cast<unsigned>(std::min<uint64_t>(n, r.tlm_size - run.first.offset));
    for (unsigned i = 0; i < moved; ++i) {
      uint8_t& cell = (*r.memory)[run.first.offset + i];
      if (is_write) {
        cell = d[i];
      } else {
        d[i] = cell;
      }
    }
    return moved;
  };
  if (rs.size() == 1 && rs[0].first.mapped() && regions_[rs[0].first.region].tlm &&
      !regions_[rs[0].first.region].destroyed) {
    const ByteMapping& m = rs[0].first;
    out.debug_through_grant = grant_covers(regions_[m.region].config.device, m, length, is_write);
    out.debug_moved = device_debug(rs[0], data, length);
    return out;
  }
  unsigned done = 0;
  for (const Run& run : rs) {
    if (!run.first.mapped()) break;
    ModelRegion& r = regions_[run.first.region];
    uint8_t* d = data + done;
    const unsigned n = run.length;
    const uint64_t offset = run.first.offset;
    if (r.kind == RegionKind::ram || r.kind == RegionKind::rom || r.kind == RegionKind::rom_device) {
      // A debugger may write ROM (loading an image).
      if (is_write) {
        std::memcpy(r.memory->data() + offset, d, n);
      } else {
        std::memcpy(d, r.memory->data() + offset, n);
      }
      done += n;
      continue;
    }
    if (r.kind != RegionKind::mmio || r.destroyed) break;  // a destroyed device has no debug path either
    if (r.tlm) {
      const unsigned moved = device_debug(run, d, n);
      done += moved;
      if (moved < n) break;
      continue;
    }
    const MmioConfig& c = r.config.mmio;
    if (is_write ? !c.debug_write : !c.debug_read) break;
    const bool big = big_endian(c);
    unsigned k = 0;
    while (k < n) {
      const unsigned size = access_size(c, offset + k, n - k);
      Event e;
      e.region = run.first.region;
      e.offset = offset + k;
      e.size = size;
      if (is_write) {
        e.kind = Event::Kind::debug_write;
        const uint64_t v = load_le(d + k, size);
        e.value = big ? swap(v, size) : v;
      } else {
        e.kind = Event::Kind::debug_read;
        e.value = mmio_debug_value(c, offset + k, size);
        const uint64_t v = e.value & low_mask(size);
        store_le(d + k, size, big ? swap(v, size) : v);
      }
      out.events.push_back(e);
      k += size;
    }
    done += n;
  }
  out.debug_moved = done;
  return out;
}

std::string Model::check_dmi(const AccessSpec& a, const Resolver& resolve, bool granted, const tlm::tlm_dmi& dmi) {
  const uint64_t address = a.address;
  const uint64_t s = dmi.get_start_address();
  const uint64_t e = dmi.get_end_address();
  std::ostringstream problem;
  if (!(s <= address && address <= e)) {
    problem << "the answer's range [" << hex(s) << ", " << hex(e) << "] does not hold the address";
    return problem.str();
  }
  const ByteMapping m = resolve(address);
  // The mapping expected at `p` if [s, e] continues the one at the address.
  auto expected_at = [&](uint64_t p) {
    ByteMapping x = m;
    if (x.mapped()) x.offset = m.offset + (p - address);
    return x;
  };
  std::vector<uint64_t> samples{s, e};
  Rand r{mix(s, e)};
  for (int k = 0; k < 6; ++k) samples.push_back(s + static_cast<uint64_t>(u128(r.next()) % (u128(e) - s + 1)));
  for (uint64_t p : samples) {
    const ByteMapping got = resolve(p);
    if (!got.same(expected_at(p))) {
      problem << "the answer's range [" << hex(s) << ", " << hex(e) << "] is not one flat range: at " << hex(p)
              << " the model finds another mapping";
      return problem.str();
    }
  }
  const bool starts_range = s == 0 || !resolve(s - 1).continued_by(resolve(s));
  const bool ends_range = e == ~uint64_t(0) || !resolve(e).continued_by(resolve(e + 1));
  auto whole_range = [&]() -> std::string {
    if (!starts_range) return "the range starts at " + hex(s) + ", after the start of its flat range or hole";
    if (!ends_range) return "the range ends at " + hex(e) + ", before the end of its flat range or hole";
    return "";
  };
  auto expect_denied = [&](const char* why) -> std::string {
    if (granted || dmi.get_granted_access() != tlm::tlm_dmi::DMI_ACCESS_NONE) {
      return std::string("granted (") + (dmi.is_read_allowed() ? "r" : "") + (dmi.is_write_allowed() ? "w" : "") +
             ") where it must be denied: " + why;
    }
    return "";
  };
  if (!m.mapped()) {
    std::string p = expect_denied("a hole");
    return p.empty() ? whole_range() : p;
  }
  ModelRegion& reg = regions_[m.region];
  bool read = false;
  bool write = false;
  sc_core::sc_time read_latency = reg.config.read_latency;
  sc_core::sc_time write_latency = reg.config.write_latency;
  unsigned char* host = nullptr;
  switch (reg.kind) {
    case RegionKind::ram:
      read = true;
      write = !m.readonly;
      host = reg.host;
      break;
    case RegionKind::rom:
      read = true;
      host = reg.host;
      break;
    case RegionKind::rom_device:
      // A ROM device destroyed inside a transaction still reads as memory
      // until the commit (its memory stays valid): whether a target grants
      // DMI on it then is not specified (tlmmap grants it when it had the
      // range's answer cached); either answer must be right in itself.
      read = m.romd && (!reg.destroyed || granted);
      host = reg.host;
      break;
    case RegionKind::mmio:
      if (reg.tlm && reg.destroyed) {
        // Denied; a denial of just the address (as the device once answered) is safe too.
        std::string p = expect_denied("a destroyed TLM device region");
        return p.empty() && !(s == address && e == address) ? whole_range() : p;
      }
      if (reg.tlm) {
        const TlmDeviceConfig& c = reg.config.device;
        if (!c.grant_dmi) {
          std::string p = expect_denied("the TLM device denies DMI");
          return p.empty() ? whole_range() : p;
        }
        if (m.offset < c.dmi_first || m.offset > c.dmi_last) {
          std::string p = expect_denied("outside the TLM device's DMI window");
          if (!p.empty()) return p;
          if (s != address || e != address) {
            return "a denial outside the device's DMI window should cover just the address, not [" + hex(s) + ", " +
                   hex(e) + "]";
          }
          return "";
        }
        read = true;
        write = !m.readonly;
        host = reg.host;
        read_latency += c.latency;
        write_latency += c.latency;
        // Clipped to the device's window and to the flat range.
        const uint64_t offset_s = m.offset - (address - s);
        const uint64_t offset_e = m.offset + (e - address);
        if (offset_s < c.dmi_first || offset_e > c.dmi_last) {
          return "the grant [" + hex(s) + ", " + hex(e) + "] reaches beyond the device's DMI window";
        }
        if (!starts_range && offset_s != c.dmi_first) return "the grant starts at " + hex(s) + ", short of its window";
        if (!ends_range && offset_e != c.dmi_last) return "the grant ends at " + hex(e) + ", short of its window";
        goto granted_checks;
      }
      break;
    default:
      break;
  }
  if (!read) {
    std::string p = expect_denied(reg.kind == RegionKind::rom_device ? "a ROM device out of romd mode"
                                                                        : "no memory behind the range");
    return p.empty() ? whole_range() : p;
  }
  {
    const std::string p = whole_range();
    if (!p.empty()) return p;
  }
granted_checks:
  if (!granted) return "denied where a grant is expected";
  if (dmi.is_read_allowed() != read || dmi.is_write_allowed() != write) {
    problem << "granted " << (dmi.is_read_allowed() ? "r" : "-") << (dmi.is_write_allowed() ? "w" : "-")
            << ", expected " << (read ? "r" : "-") << (write ? "w" : "-");
    return problem.str();
  }
  if (host == nullptr || dmi.get_dmi_ptr() + (address - s) != host + m.offset) {
    return "the pointer does not reach the right host byte";
  }
  if (dmi.get_read_latency() != read_latency || dmi.get_write_latency() != write_latency) {
    problem << "latencies r" << dmi.get_read_latency() << "/w" << dmi.get_write_latency() << ", expected r"
            << read_latency << "/w" << write_latency;
    return problem.str();
  }
  return "";
}

}  // namespace tlmmap::test
