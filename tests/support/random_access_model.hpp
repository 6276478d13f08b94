// The reference model of the randomized access test
// (tests/random_access_test.cpp): what a TLM access through an
// AddressSpaceTarget must do, written from docs/semantics.md, docs/tlm.md
// and QEMU 7.2's softmmu (address_space_rw, memory_access_size,
// memory_region_dispatch_read/write, access_with_adjusted_size,
// adjust_endianness), independently of the library's access path.
//
// The model never looks at flat views: it asks a resolver, byte by byte,
// which region and offset answer an address (the naive resolver of
// support/naive_resolver.hpp, by region index), and groups bytes into
// "runs" that continue one another (same region, consecutive offsets, same
// flags): exactly the flat ranges of a fully simplified view.
//
// The devices behind the regions are deterministic and described by a
// RegionConfig derived from a seed and the region's tag, so the model and the
// real callbacks (support/random_access_devices.hpp) agree on what a device
// answers without sharing any of the library's logic:
//  * MMIO regions and ROM devices get MmioOps with random valid/impl sizes,
//    unaligned flags, endianness, plain or with-attributes callbacks (the
//    latter answer errors at some offsets), accepts() refusing some accesses,
//    debug callbacks or none; reads answer a hash of (salt, offset, size),
//    including garbage above the access size;
//  * some MMIO regions are TLM device regions bound to a recording memory
//    with a DMI window and error responses outside it;
//  * RAM, ROM and ROM devices are filled with a pattern.
// Every callback and every transaction a device sees is an Event; the model
// predicts the exact sequence.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/endianness.hpp"
#include "tlmmap/core/mem_tx_attrs.hpp"
#include "tlmmap/core/mem_tx_result.hpp"
#include "tlmmap/core/region_kind.hpp"

namespace tlmmap::test {

// --- device configurations ---------------------------------------------------

enum class CallbackKind : uint8_t { none, plain, with_attrs };

struct MmioConfig {
  Endianness endianness = Endianness::little;
  unsigned valid_min = 0;
  unsigned valid_max = 0;
  bool valid_unaligned = false;
  bool has_accepts = false;
  unsigned impl_min = 0;
  unsigned impl_max = 0;
  bool impl_unaligned = false;
  CallbackKind read = CallbackKind::plain;
  CallbackKind write = CallbackKind::plain;
  bool debug_read = false;
  bool debug_write = false;
  uint64_t salt = 0;
};

// The TLM memory device behind a TLM device region.
struct TlmDeviceConfig {
  bool grant_dmi = true;
  uint64_t dmi_first = 0;  // the device's DMI window [dmi_first, dmi_last] (device offsets)
  uint64_t dmi_last = 0;
  bool errors = false;     // error responses at some offsets outside the DMI window
  sc_core::sc_time latency;
  uint64_t salt = 0;
};

struct RegionConfig {
  uint64_t tag = 0;
  sc_core::sc_time read_latency;
  sc_core::sc_time write_latency;
  MmioConfig mmio;           // MMIO regions and ROM devices
  bool wants_tlm = false;    // an MMIO region that would rather be a TLM device region
  unsigned tlm_slot = 0;     // which device of the pool it asks for
  TlmDeviceConfig device;    // if it becomes one
  uint64_t fill_salt = 0;    // RAM, ROM and ROM devices: the initial content
};

RegionConfig region_config(uint64_t seed, uint64_t tag);
std::string describe(const RegionConfig& config, RegionKind kind, bool tlm_device);

// What the devices answer (used by the real callbacks and by the model).
uint64_t mmio_read_value(const MmioConfig& c, uint64_t offset, unsigned size);  // 64 bits, also above `size`
uint64_t mmio_debug_value(const MmioConfig& c, uint64_t offset, unsigned size);
MemTxResult mmio_read_result(const MmioConfig& c, uint64_t offset, unsigned size);   // with_attrs only
MemTxResult mmio_write_result(const MmioConfig& c, uint64_t offset, unsigned size);  // with_attrs only
bool mmio_accepts(const MmioConfig& c, uint64_t offset, unsigned size, bool is_write);
uint8_t fill_byte(uint64_t salt, uint64_t offset);
// The response of the TLM memory device to a transaction starting at `address`.
tlm::tlm_response_status tlm_device_status(const TlmDeviceConfig& c, uint64_t size, uint64_t address,
                                           unsigned span, bool is_write);

// --- events ------------------------------------------------------------------

struct Event {
  enum class Kind : uint8_t { read, write, debug_read, debug_write, tlm, tlm_debug };
  Kind kind = Kind::read;
  int region = -1;         // index in the map spec
  uint64_t offset = 0;     // region offset (MMIO) or device address (TLM)
  unsigned size = 0;       // access size (MMIO) or data length (TLM)
  uint64_t value = 0;      // MMIO: the value returned or written
  bool has_attrs = false;  // with-attributes callback / TLM transaction
  MemTxAttrs attrs;
  // TLM only:
  tlm::tlm_command command = tlm::TLM_IGNORE_COMMAND;
  unsigned streaming = 0;
  std::vector<uint8_t> enables;  // empty: none
  std::vector<uint8_t> data;     // write data

  bool operator==(const Event& o) const;
  bool operator!=(const Event& o) const { return !(*this == o); }
};
std::string describe(const Event& e, const std::vector<std::string>& names);

// --- accesses ----------------------------------------------------------------

// One access from an initiator.
struct AccessSpec {
  // at_*: nb_transport_fw from an AT initiator driven by an SC_METHOD / an SC_THREAD.
  enum class Via : uint8_t { transport, debug, dmi_request, dmi_initiator, at_method, at_thread };
  Via via = Via::transport;
  tlm::tlm_command command = tlm::TLM_READ_COMMAND;
  uint64_t address = 0;
  unsigned length = 0;
  unsigned streaming = 0;          // 0: = length
  std::vector<uint8_t> enables;    // empty: none
  std::vector<uint8_t> data;       // write data, or the read buffer's content before the access
  bool has_attrs = false;          // a TxAttributes extension on the payload
  MemTxAttrs attrs;
};
std::string describe(const AccessSpec& a);

// What one byte address resolves to.
struct ByteMapping {
  enum class Status : uint8_t { unmapped, mapped, beyond_top };  // beyond_top: the access ran past 2^64
  Status status = Status::unmapped;
  int region = -1;
  uint64_t offset = 0;
  bool readonly = false;
  bool romd = true;
  bool nonvolatile = false;

  bool mapped() const noexcept { return status == Status::mapped; }
  // `next` is the byte after this one in the same flat range.
  bool continued_by(const ByteMapping& next) const noexcept;
  bool same(const ByteMapping& o) const noexcept;
};
std::string describe(const ByteMapping& m, const std::vector<std::string>& names);

// The expected (or observed) outcome of an access.
struct Outcome {
  tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
  std::vector<uint8_t> data;           // the initiator's buffer afterwards
  std::vector<bool> data_known;        // false: the model does not predict that byte
  std::vector<Event> events;
  sc_core::sc_time delay;
  std::vector<std::string> warnings;   // each: a word the warning must contain (a region name or "nothing is mapped")
  unsigned debug_moved = 0;
  // transport_dbg: the device granted DMI over every byte, so the target may
  // copy through the grant instead of calling the device (events may be empty).
  bool debug_through_grant = false;
  // DMI requests:
  bool dmi_granted = false;
  uint64_t dmi_start = 0;
  uint64_t dmi_end = 0;
  bool dmi_read = false;
  bool dmi_write = false;
  unsigned char* dmi_ptr = nullptr;
  sc_core::sc_time dmi_read_latency;
  sc_core::sc_time dmi_write_latency;
};

// What the model knows of one region of the map.
struct ModelRegion {
  RegionKind kind = RegionKind::mmio;
  std::string name;
  bool tlm = false;          // a TLM device region
  RegionConfig config;
  uint64_t tlm_size = 0;     // TLM device: the device's size
  std::vector<uint8_t>* memory = nullptr;  // RAM/ROM/ROM device host memory or the TLM device's bytes (expected)
  unsigned char* host = nullptr;           // the real host memory / device bytes (for DMI pointers)
  // Destroyed, but still reached through a view an open transaction holds:
  // its memory answers as before, its device (callbacks, TLM device) is
  // never called again (a decode error with a warning).
  bool destroyed = false;
};

using Resolver = std::function<ByteMapping(uint64_t address)>;

class Model {
 public:
  Model(std::vector<ModelRegion>& regions, UnmappedPolicy policy, bool native_big)
      : regions_(regions), policy_(policy), native_big_(native_big) {}

  void set_policy(UnmappedPolicy policy) { policy_ = policy; }

  // b_transport. `dmi_covered`: the DmiInitiator holds a grant that covers the
  // access and will use it: no device sees the access; `stale` is set if the
  // model says the bytes are not memory that DMI may reach that way.
  Outcome transport(const AccessSpec& a, const Resolver& resolve);
  Outcome through_dmi(const AccessSpec& a, const Resolver& resolve, std::string& stale);
  Outcome debug(const AccessSpec& a, const Resolver& resolve);

  // Checks a DMI answer against the resolver; returns "" or what is wrong.
  std::string check_dmi(const AccessSpec& a, const Resolver& resolve, bool granted, const tlm::tlm_dmi& dmi);

 private:
  struct Run {
    ByteMapping first;
    uint64_t address = 0;  // of the first byte
    unsigned length = 0;
  };
  std::vector<Run> runs(uint64_t address, unsigned length, const Resolver& resolve) const;
  // TLM byte enables from byte `offset` of the pattern on (all bytes when empty).
  struct Enables {
    const std::vector<uint8_t>* pattern = nullptr;
    unsigned offset = 0;
    bool on(unsigned i) const {
      return pattern == nullptr || pattern->empty() || (*pattern)[(offset + i) % pattern->size()] == TLM_BYTE_ENABLED;
    }
    Enables from(unsigned i) const { return {pattern, offset + i}; }
    // The pattern as a device sees it for a piece starting here.
    std::vector<uint8_t> rotated() const;
  };

  MemTxResult buffer(uint64_t address, uint8_t* data, unsigned length, bool is_write, bool single,
                     const MemTxAttrs& attrs, bool has_attrs, const Resolver& resolve, Outcome& out,
                     const Enables& enables);
  MemTxResult piece(const Run& run, uint8_t* data, bool is_write, bool single, const MemTxAttrs& attrs,
                    bool has_attrs, Outcome& out, const Enables& enables);
  MemTxResult dispatch(int region, uint64_t offset, unsigned size, bool is_write, uint64_t& value,
                       const MemTxAttrs& attrs, Outcome& out);
  MemTxResult mmio_buffer(int region, uint64_t offset, uint8_t* data, unsigned length, bool is_write,
                          const MemTxAttrs& attrs, Outcome& out);
  tlm::tlm_response_status device_transport(int region, tlm::tlm_command command, uint64_t address, uint8_t* data,
                                            unsigned length, unsigned streaming, const std::vector<uint8_t>& enables,
                                            const MemTxAttrs& attrs, bool has_attrs, Outcome& out);
  MemTxResult unmapped(uint8_t* data, unsigned length, bool is_write, Outcome& out,
                       const Enables& enables) const;
  bool big_endian(const MmioConfig& c) const;
  unsigned access_size(const MmioConfig& c, uint64_t offset, unsigned remaining) const;

  std::vector<ModelRegion>& regions_;
  UnmappedPolicy policy_;
  bool native_big_;
};

tlm::tlm_response_status response_of(MemTxResult result);
MemTxResult result_of(tlm::tlm_response_status status);
std::string describe(tlm::tlm_response_status status);
std::string bytes_text(const std::vector<uint8_t>& bytes, const std::vector<bool>* known = nullptr);

}  // namespace tlmmap::test
