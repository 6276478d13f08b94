// What the bridge tests share: a TLM initiator that runs a test body in a
// thread (b_transport, or nb_transport with many transactions in flight), a
// reference memory, and random transactions of every length, alignment,
// byte-enable pattern and streaming width.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::test {

// A payload with its own storage.
struct OwnedTxn {
  tlm::tlm_generic_payload gp;
  std::vector<uint8_t> data, byte_enables;
  OwnedTxn() = default;
  OwnedTxn(const OwnedTxn&) = delete;
  void set(tlm::tlm_command cmd, uint64_t addr, std::vector<uint8_t> bytes, std::vector<uint8_t> be = {},
           unsigned width = 0) {
    data = std::move(bytes);
    byte_enables = std::move(be);
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(data.data());
    gp.set_data_length(static_cast<unsigned>(data.size()));
    gp.set_streaming_width(width == 0 ? static_cast<unsigned>(data.size()) : width);
    gp.set_byte_enable_ptr(byte_enables.empty() ? nullptr : byte_enables.data());
    gp.set_byte_enable_length(static_cast<unsigned>(byte_enables.size()));
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  }
  void set_requester(uint16_t id) {
    MemTxAttrs a = MemTxAttrs::specified();
    a.requester_id = id;
    if (auto* ext = gp.get_extension<TxAttributes>()) {
      ext->attrs = a;
    } else {
      gp.set_extension(new TxAttributes(a));
    }
  }
};

// The memory a correct system must hold, `base` being its address 0.
class ReferenceMemory {
 public:
  ReferenceMemory(uint64_t base, size_t size, uint8_t fill = 0) : base_(base), bytes_(size, fill) {}
  void apply(const tlm::tlm_generic_payload& gp) {
    for (unsigned i = 0; i < gp.get_data_length(); ++i) {
      if (enabled(gp, i)) bytes_.at(address_of(gp, i) - base_) = gp.get_data_ptr()[i];
    }
  }
  // Empty when every enabled byte read matches.
  std::string mismatch(const tlm::tlm_generic_payload& gp) const {
    for (unsigned i = 0; i < gp.get_data_length(); ++i) {
      if (!enabled(gp, i)) continue;
      const uint64_t a = address_of(gp, i);
      if (gp.get_data_ptr()[i] != bytes_.at(a - base_)) {
        std::ostringstream s;
        s << "byte " << i << " at 0x" << std::hex << a << " read 0x" << int(gp.get_data_ptr()[i]) << ", expected 0x"
          << int(bytes_.at(a - base_)) << std::dec << " (txn at 0x" << std::hex << gp.get_address() << std::dec
          << ", " << gp.get_data_length() << " bytes, streaming " << gp.get_streaming_width() << ")";
        return s.str();
      }
    }
    return {};
  }
  uint8_t at(uint64_t address) const { return bytes_.at(address - base_); }
  void set(uint64_t address, uint8_t value) { bytes_.at(address - base_) = value; }

 private:
  static bool enabled(const tlm::tlm_generic_payload& gp, unsigned i) {
    return gp.get_byte_enable_ptr() == nullptr ||
           gp.get_byte_enable_ptr()[i % gp.get_byte_enable_length()] != TLM_BYTE_DISABLED;
  }
  static uint64_t address_of(const tlm::tlm_generic_payload& gp, unsigned i) {
    return gp.get_address() + i % gp.get_streaming_width();
  }
  uint64_t base_;
  std::vector<uint8_t> bytes_;
};

// Random transactions inside [base, base + size): lengths 1..max_length (a
// few long ones crossing 4 KiB), any alignment, byte enables in some,
// streaming in some (widths 1..8 on aligned addresses, FIXED bursts on AXI).
class RandomTraffic {
 public:
  RandomTraffic(uint64_t seed, uint64_t base, uint64_t size, unsigned max_length = 160)
      : rng_(seed), base_(base), size_(size), max_length_(max_length) {}
  void next(OwnedTxn& t) {
    const bool write = coin(2);
    unsigned length = coin(20) ? 1 + pick(6000) : 1 + pick(max_length_);
    if (length > size_) length = static_cast<unsigned>(size_);
    unsigned width = 0;
    uint64_t addr = base_ + pick(static_cast<unsigned>(size_ - length + 1));
    if (coin(10)) {
      width = 1u << pick(4);
      addr &= ~uint64_t{width - 1};
      length = width * (1 + pick(20));
      addr = std::min(addr, base_ + size_ - width);
      addr &= ~uint64_t{width - 1};
    }
    std::vector<uint8_t> data(length);
    for (auto& b : data) b = static_cast<uint8_t>(rng_());
    std::vector<uint8_t> be;
    if (coin(5)) {
      be.resize(1 + pick(12));
      for (auto& b : be) b = coin(3) ? TLM_BYTE_DISABLED : TLM_BYTE_ENABLED;
    }
    t.set(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, addr, std::move(data), std::move(be), width);
    t.set_requester(static_cast<uint16_t>(pick(16)));
  }
  unsigned pick(unsigned n) { return static_cast<unsigned>(rng_() % n); }
  bool coin(unsigned one_in) { return pick(one_in) == 0; }

 private:
  std::mt19937_64 rng_;
  uint64_t base_, size_;
  unsigned max_length_;
};

// The handshakes of one channel, by clock number: one beat per clock (no
// bubble) when clocks() == beats.
struct BeatSpan {
  uint64_t beats = 0, first = 0, last = 0;
  void beat(uint64_t cycle) {
    if (beats++ == 0) first = cycle;
    last = cycle;
  }
  uint64_t clocks() const { return beats == 0 ? 0 : last - first + 1; }
  double per_clock() const { return beats == 0 ? 0 : double(beats) / double(clocks()); }
};

// A TLM initiator that runs `body` in a thread, then stops the simulation.
template <unsigned W>
class TestInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TestInitiator, W> socket{"socket"};
  std::function<void()> body;

  SC_HAS_PROCESS(TestInitiator);
  explicit TestInitiator(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    socket.register_nb_transport_bw(this, &TestInitiator::nb_transport_bw);
    SC_THREAD(run);
  }

  tlm::tlm_response_status transport(tlm::tlm_generic_payload& gp) {
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(gp, delay);
    sc_core::wait(delay);
    return gp.get_response_status();
  }

  // nb_transport: sends every payload (one BEGIN_REQ after each END_REQ)
  // and returns once all responses are in; `order` gets them in the order
  // they came.
  void transport_all(const std::vector<tlm::tlm_generic_payload*>& all,
                     std::vector<tlm::tlm_generic_payload*>& order) {
    order.clear();
    order_ = &order;
    for (tlm::tlm_generic_payload* gp : all) {
      gp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      open_ = gp;
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      const tlm::tlm_sync_enum s = socket->nb_transport_fw(*gp, phase, delay);
      if (s == tlm::TLM_COMPLETED) {
        order.push_back(gp);
        open_ = nullptr;
      } else if (s == tlm::TLM_UPDATED && phase == tlm::END_REQ) {
        open_ = nullptr;
      }
      while (open_ != nullptr) sc_core::wait(changed_);
    }
    while (order.size() < all.size()) sc_core::wait(changed_);
    order_ = nullptr;
  }

 private:
  void run() {
    body();
    sc_core::sc_stop();
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time&) {
    if (&gp == open_) open_ = nullptr;  // END_REQ, or BEGIN_RESP implying it
    if (phase == tlm::END_REQ) {
      changed_.notify(sc_core::SC_ZERO_TIME);
      return tlm::TLM_ACCEPTED;
    }
    if (order_ != nullptr) order_->push_back(&gp);
    changed_.notify(sc_core::SC_ZERO_TIME);
    phase = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
  }
  tlm::tlm_generic_payload* open_ = nullptr;
  std::vector<tlm::tlm_generic_payload*>* order_ = nullptr;
  sc_core::sc_event changed_;
};

}  // namespace tlmmap::test
