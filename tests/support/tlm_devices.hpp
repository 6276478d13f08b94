// Small TLM models for tests: a memory device (a plain TLM target with DMI)
// and an initiator that records what it is told.
#pragma once

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "support/payload.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::test {

// A memory with a plain TLM target socket: byte enables, streaming width,
// DMI over all of it, debug transport; records the addresses it sees.
template <unsigned int BUSWIDTH = 32>
class MemoryDevice : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<MemoryDevice, BUSWIDTH> socket;
  std::vector<uint8_t> bytes;
  std::vector<uint64_t> seen_addresses;
  std::vector<MemTxAttrs> seen_attributes;
  bool grant_dmi = true;
  bool grant_write = true;
  unsigned dmi_requests = 0;
  unsigned debug_calls = 0;
  sc_core::sc_time latency{5, sc_core::SC_NS};

  MemoryDevice(sc_core::sc_module_name name, std::size_t size) : sc_core::sc_module(name), socket("socket"), bytes(size) {
    socket.register_b_transport(this, &MemoryDevice::b_transport);
    socket.register_transport_dbg(this, &MemoryDevice::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &MemoryDevice::get_direct_mem_ptr);
  }

  void invalidate(uint64_t start, uint64_t end) { socket->invalidate_direct_mem_ptr(start, end); }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    seen_addresses.push_back(gp.get_address());
    seen_attributes.push_back(attributes_of(gp));
    const uint64_t address = gp.get_address();
    const unsigned length = gp.get_data_length();
    const unsigned streaming = gp.get_streaming_width();
    if (address + std::min(length, streaming) > bytes.size()) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    for (unsigned i = 0; i < length; ++i) {
      if (gp.get_byte_enable_ptr() != nullptr &&
          gp.get_byte_enable_ptr()[i % gp.get_byte_enable_length()] != TLM_BYTE_ENABLED) {
        continue;
      }
      uint8_t& cell = bytes[address + i % streaming];
      if (gp.is_write()) {
        cell = gp.get_data_ptr()[i];
      } else if (gp.is_read()) {
        gp.get_data_ptr()[i] = cell;
      }
    }
    delay += latency;
    gp.set_dmi_allowed(grant_dmi);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  unsigned transport_dbg(tlm::tlm_generic_payload& gp) {
    ++debug_calls;
    const uint64_t address = gp.get_address();
    if (address >= bytes.size()) return 0;
    const unsigned n = static_cast<unsigned>(std::min<uint64_t>(gp.get_data_length(), bytes.size() - address));
    if (gp.is_write()) {
      std::memcpy(&bytes[address], gp.get_data_ptr(), n);
    } else {
      std::memcpy(gp.get_data_ptr(), &bytes[address], n);
    }
    return n;
  }

  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    ++dmi_requests;
    dmi.set_start_address(0);
    dmi.set_end_address(bytes.size() - 1);
    if (!grant_dmi) {
      dmi.allow_none();
      return false;
    }
    dmi.set_dmi_ptr(bytes.data());
    if (grant_write) {
      dmi.allow_read_write();
    } else {
      dmi.allow_read();
    }
    dmi.set_read_latency(latency);
    dmi.set_write_latency(latency);
    return true;
  }
};

// An initiator that records every invalidation and offers one-line accesses.
template <unsigned int BUSWIDTH = 64>
class RecordingInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<RecordingInitiator, BUSWIDTH> socket;
  std::vector<std::pair<uint64_t, uint64_t>> invalidations;
  tlm::tlm_generic_payload gp;
  sc_core::sc_time delay;

  explicit RecordingInitiator(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
    socket.register_invalidate_direct_mem_ptr(this, &RecordingInitiator::invalidate);
  }

  tlm::tlm_response_status transport(tlm::tlm_command command, uint64_t address, void* data, unsigned length,
                                     const unsigned char* enables = nullptr, unsigned enable_length = 0,
                                     unsigned streaming = 0) {
    prepare(command, address, data, length, enables, enable_length, streaming);
    socket->b_transport(gp, delay);
    return gp.get_response_status();
  }
  unsigned debug(tlm::tlm_command command, uint64_t address, void* data, unsigned length) {
    prepare(command, address, data, length, nullptr, 0, 0);
    return socket->transport_dbg(gp);
  }
  bool dmi(uint64_t address, tlm::tlm_dmi& out, tlm::tlm_command command = tlm::TLM_READ_COMMAND) {
    uint8_t dummy[8];
    prepare(command, address, dummy, 1, nullptr, 0, 0);
    return socket->get_direct_mem_ptr(gp, out);
  }

 private:
  void prepare(tlm::tlm_command command, uint64_t address, void* data, unsigned length,
               const unsigned char* enables, unsigned enable_length, unsigned streaming) {
    prepare_payload(gp, command, address, data, length, streaming, enables, enable_length);
  }
  void invalidate(sc_dt::uint64 start, sc_dt::uint64 end) { invalidations.emplace_back(start, end); }
};

}  // namespace tlmmap::test
