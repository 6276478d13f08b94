// An initiator-side helper for CPU models, examples and benchmarks: typed
// reads and writes that go through a DMI pointer when the target grants one
// and fall back to b_transport otherwise. Invalidations drop exactly the
// grants they meet, so a pointer is never used after the target withdrew it.
//
//   tlmmap::DmiInitiator<> cpu{"cpu"};
//   cpu.socket.bind(bus.target_socket);
//   sc_core::sc_time delay;                      // e.g. a quantum keeper's local time
//   uint32_t insn = cpu.read<uint32_t>(pc, delay);
#pragma once

#include <cstring>
#include <type_traits>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlmmap/tlm/dmi_cache.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap {

template <unsigned int BUSWIDTH = 32>
class DmiInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DmiInitiator, BUSWIDTH> socket;

  explicit DmiInitiator(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
    socket.register_invalidate_direct_mem_ptr(this, &DmiInitiator::invalidate_direct_mem_ptr);
    socket.register_nb_transport_bw(this, &DmiInitiator::nb_transport_bw);
  }

  // Memory order: the bytes at `address` as a host integer.
  template <typename T>
  T read(uint64_t address, sc_core::sc_time& delay, tlm::tlm_response_status* status = nullptr) {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    const auto s = access(address, reinterpret_cast<uint8_t*>(&value), sizeof(T), false, delay);
    if (status != nullptr) *status = s;
    return value;
  }
  template <typename T>
  tlm::tlm_response_status write(uint64_t address, const T& value, sc_core::sc_time& delay) {
    static_assert(std::is_trivially_copyable_v<T>);
    T copy = value;
    return access(address, reinterpret_cast<uint8_t*>(&copy), sizeof(T), true, delay);
  }
  tlm::tlm_response_status read(uint64_t address, void* data, unsigned length, sc_core::sc_time& delay) {
    return access(address, static_cast<uint8_t*>(data), length, false, delay);
  }
  tlm::tlm_response_status write(uint64_t address, const void* data, unsigned length, sc_core::sc_time& delay) {
    return access(address, static_cast<uint8_t*>(const_cast<void*>(data)), length, true, delay);
  }
  // Debug access (transport_dbg); returns the bytes moved.
  unsigned debug(uint64_t address, void* data, unsigned length, bool is_write) {
    prepare(address, static_cast<uint8_t*>(data), length, is_write);
    return socket->transport_dbg(payload_);
  }

  // Attributes for every transaction from now on (unspecified by default).
  void set_attributes(const MemTxAttrs& attrs) {
    attributes_.attrs = attrs;
    has_attributes_ = true;
  }
  // With DMI off, every access is a b_transport.
  void set_dmi_enabled(bool enabled) {
    dmi_enabled_ = enabled;
    if (!enabled) cache_.clear();
  }

  DmiCache& dmi_cache() noexcept { return cache_; }
  uint64_t dmi_accesses() const noexcept { return dmi_accesses_; }
  uint64_t transport_calls() const noexcept { return transport_calls_; }
  const tlm::tlm_generic_payload& last_payload() const noexcept { return payload_; }

 private:
  tlm::tlm_response_status access(uint64_t address, uint8_t* data, unsigned length, bool is_write,
                                  sc_core::sc_time& delay) {
    if (dmi_enabled_) {
      if (const tlm::tlm_dmi* d = cache_.find(address, length, is_write)) {
        uint8_t* p = d->get_dmi_ptr() + (address - d->get_start_address());
        if (is_write) {
          copy(p, data, length);
          delay += d->get_write_latency();
        } else {
          copy(data, p, length);
          delay += d->get_read_latency();
        }
        ++dmi_accesses_;
        return tlm::TLM_OK_RESPONSE;
      }
    }
    prepare(address, data, length, is_write);
    ++transport_calls_;
    socket->b_transport(payload_, delay);
    const tlm::tlm_response_status status = payload_.get_response_status();
    if (dmi_enabled_ && payload_.is_dmi_allowed() && !cache_.denied(address)) {
      tlm::tlm_dmi dmi;
      prepare(address, data, length, is_write);
      cache_.record(address, socket->get_direct_mem_ptr(payload_, dmi), dmi);
    }
    return status;
  }

  // Common sizes as fixed-size copies the compiler inlines.
  static void copy(uint8_t* to, const uint8_t* from, unsigned length) {
    switch (length) {
      case 1: std::memcpy(to, from, 1); break;
      case 2: std::memcpy(to, from, 2); break;
      case 4: std::memcpy(to, from, 4); break;
      case 8: std::memcpy(to, from, 8); break;
      case 16: std::memcpy(to, from, 16); break;
      case 32: std::memcpy(to, from, 32); break;
      case 64: std::memcpy(to, from, 64); break;
      default: std::memcpy(to, from, length); break;
    }
  }

  void prepare(uint64_t address, uint8_t* data, unsigned length, bool is_write) {
    payload_.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    payload_.set_address(address);
    payload_.set_data_ptr(data);
    payload_.set_data_length(length);
    payload_.set_streaming_width(length);
    payload_.set_byte_enable_ptr(nullptr);
    payload_.set_byte_enable_length(0);
    payload_.set_dmi_allowed(false);
    payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (has_attributes_ && payload_.get_extension<TxAttributes>() == nullptr) payload_.set_extension(&attributes_);
  }

  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) { cache_.invalidate(start, end); }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) {
    return tlm::TLM_COMPLETED;  // only blocking transport is used
  }

 public:
  ~DmiInitiator() override {
    if (payload_.get_extension<TxAttributes>() == &attributes_) payload_.clear_extension(&attributes_);
  }

 private:
  tlm::tlm_generic_payload payload_;
  TxAttributes attributes_;
  bool has_attributes_ = false;
  DmiCache cache_;
  bool dmi_enabled_ = true;
  uint64_t dmi_accesses_ = 0;
  uint64_t transport_calls_ = 0;
};

}  // namespace tlmmap
