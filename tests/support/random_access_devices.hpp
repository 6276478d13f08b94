// The devices of the randomized access test: MmioOps that answer as their
// MmioConfig says and record every callback, and a TLM memory that records
// every transaction it sees (support/random_access_model.hpp predicts both).
#pragma once

#include <cstring>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "support/random_access_model.hpp"
#include "tlmmap/core/mmio_ops.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::test {

// Where the devices record what they see, in order.
struct EventLog {
  std::vector<Event> events;
};

inline MmioOps make_recording_ops(const MmioConfig& c, int region, EventLog& log) {
  MmioOps ops;
  ops.endianness = c.endianness;
  ops.valid.min_access_size = c.valid_min;
  ops.valid.max_access_size = c.valid_max;
  ops.valid.unaligned = c.valid_unaligned;
  if (c.has_accepts) {
    ops.valid.accepts = [c](uint64_t offset, unsigned size, bool is_write, const MemTxAttrs&) {
      return mmio_accepts(c, offset, size, is_write);
    };
  }
  ops.impl.min_access_size = c.impl_min;
  ops.impl.max_access_size = c.impl_max;
  ops.impl.unaligned = c.impl_unaligned;
  auto record = [region, &log](Event::Kind kind, uint64_t offset, unsigned size, uint64_t value,
                               const MemTxAttrs* attrs) {
    Event e;
    e.kind = kind;
    e.region = region;
    e.offset = offset;
    e.size = size;
    e.value = value;
    if (attrs != nullptr) {
      e.has_attrs = true;
      e.attrs = *attrs;
    }
    log.events.push_back(e);
  };
  if (c.read == CallbackKind::plain) {
    ops.read = [c, record](uint64_t offset, unsigned size) {
      const uint64_t v = mmio_read_value(c, offset, size);
      record(Event::Kind::read, offset, size, v, nullptr);
      return v;
    };
  } else if (c.read == CallbackKind::with_attrs) {
    ops.read_with_attrs = [c, record](uint64_t offset, uint64_t& value, unsigned size, const MemTxAttrs& attrs) {
      value = mmio_read_value(c, offset, size);
      record(Event::Kind::read, offset, size, value, &attrs);
      return mmio_read_result(c, offset, size);
    };
  }
  if (c.write == CallbackKind::plain) {
    ops.write = [record](uint64_t offset, uint64_t value, unsigned size) {
      record(Event::Kind::write, offset, size, value, nullptr);
    };
  } else if (c.write == CallbackKind::with_attrs) {
    ops.write_with_attrs = [c, record](uint64_t offset, uint64_t value, unsigned size, const MemTxAttrs& attrs) {
      record(Event::Kind::write, offset, size, value, &attrs);
      return mmio_write_result(c, offset, size);
    };
  }
  if (c.debug_read) {
    ops.debug_read = [c, record](uint64_t offset, unsigned size) {
      const uint64_t v = mmio_debug_value(c, offset, size);
      record(Event::Kind::debug_read, offset, size, v, nullptr);
      return v;
    };
  }
  if (c.debug_write) {
    ops.debug_write = [record](uint64_t offset, uint64_t value, unsigned size) {
      record(Event::Kind::debug_write, offset, size, value, nullptr);
    };
  }
  return ops;
}

// A TLM memory that answers as its TlmDeviceConfig says and records every
// b_transport and transport_dbg (region-relative addresses, as it sees them).
template <unsigned int BUSWIDTH = 32>
class RecordingMemory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<RecordingMemory, BUSWIDTH> socket;
  std::vector<uint8_t> bytes;
  TlmDeviceConfig config;
  int region = -1;  // the index its events carry
  EventLog* log = nullptr;

  RecordingMemory(sc_core::sc_module_name name, std::size_t size)
      : sc_core::sc_module(name), socket("socket"), bytes(size) {
    socket.register_b_transport(this, &RecordingMemory::b_transport);
    socket.register_transport_dbg(this, &RecordingMemory::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &RecordingMemory::get_direct_mem_ptr);
  }

  void invalidate(uint64_t start, uint64_t end) { socket->invalidate_direct_mem_ptr(start, end); }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const uint64_t address = gp.get_address();
    const unsigned length = gp.get_data_length();
    const unsigned streaming = gp.get_streaming_width();
    const bool is_write = gp.is_write();
    if (log != nullptr) {
      Event e;
      e.kind = Event::Kind::tlm;
      e.region = region;
      e.offset = address;
      e.size = length;
      e.command = gp.get_command();
      e.streaming = streaming;
      if (gp.get_byte_enable_ptr() != nullptr) {
        e.enables.assign(gp.get_byte_enable_ptr(), gp.get_byte_enable_ptr() + gp.get_byte_enable_length());
      }
      if (is_write) e.data.assign(gp.get_data_ptr(), gp.get_data_ptr() + length);
      const TxAttributes* ext = gp.get_extension<TxAttributes>();
      if (ext != nullptr) {
        e.has_attrs = true;
        e.attrs = ext->attrs;
      }
      log->events.push_back(e);
    }
    delay += config.latency;
    const unsigned span = std::min(length, streaming);
    const tlm::tlm_response_status status =
        streaming == 0 ? tlm::TLM_GENERIC_ERROR_RESPONSE
                       : tlm_device_status(config, bytes.size(), address, span, is_write);
    if (status != tlm::TLM_ADDRESS_ERROR_RESPONSE && streaming != 0) {
      for (unsigned i = 0; i < length; ++i) {
        if (gp.get_byte_enable_ptr() != nullptr &&
            gp.get_byte_enable_ptr()[i % gp.get_byte_enable_length()] != TLM_BYTE_ENABLED) {
          continue;
        }
        uint8_t& cell = bytes[address + i % streaming];
        if (is_write) {
          if (status == tlm::TLM_OK_RESPONSE) cell = gp.get_data_ptr()[i];
        } else if (gp.is_read()) {
          gp.get_data_ptr()[i] = cell;
        }
      }
    }
    gp.set_dmi_allowed(config.grant_dmi);
    gp.set_response_status(status);
  }

  unsigned transport_dbg(tlm::tlm_generic_payload& gp) {
    const uint64_t address = gp.get_address();
    const unsigned length = gp.get_data_length();
    if (log != nullptr) {
      Event e;
      e.kind = Event::Kind::tlm_debug;
      e.region = region;
      e.offset = address;
      e.size = length;
      e.command = gp.get_command();
      if (gp.is_write()) e.data.assign(gp.get_data_ptr(), gp.get_data_ptr() + length);
      log->events.push_back(e);
    }
    if (address >= bytes.size()) return 0;
    const unsigned n = static_cast<unsigned>(std::min<uint64_t>(length, bytes.size() - address));
    if (gp.is_write()) {
      std::memcpy(&bytes[address], gp.get_data_ptr(), n);
    } else if (gp.is_read()) {
      std::memcpy(gp.get_data_ptr(), &bytes[address], n);
    }
    return n;
  }

  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    if (!config.grant_dmi) {
      dmi.set_start_address(0);
      dmi.set_end_address(bytes.size() - 1);
      dmi.allow_none();
      return false;
    }
    // Outside its window: a denial of just that address (the answer's
    // range always holds the address asked for).
    const uint64_t address = gp.get_address();
    if (address < config.dmi_first || address > config.dmi_last) {
      dmi.set_start_address(address);
      dmi.set_end_address(address);
      dmi.allow_none();
      return false;
    }
    dmi.set_start_address(config.dmi_first);
    dmi.set_end_address(config.dmi_last);
    dmi.set_dmi_ptr(bytes.data() + config.dmi_first);
    dmi.allow_read_write();
    dmi.set_read_latency(config.latency);
    dmi.set_write_latency(config.latency);
    return true;
  }
};

}  // namespace tlmmap::test
