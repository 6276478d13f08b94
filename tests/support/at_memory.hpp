// An approximately-timed memory target for interconnect tests: it answers
// each BEGIN_REQ in one of the base protocol's styles, chosen at random
// (TLM_COMPLETED at once; TLM_UPDATED with END_REQ, BEGIN_RESP later;
// TLM_ACCEPTED, END_REQ and BEGIN_RESP later on the backward path;
// TLM_UPDATED with BEGIN_RESP), with random annotations, one response phase
// open at a time (in effective time too). b_transport and transport_dbg
// work as well; it grants no DMI. Bytes live at addresses [0, size).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>

namespace tlmmap::test {

template <unsigned int BUSWIDTH = 64>
class AtMemory : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<BUSWIDTH> socket;
  std::vector<uint8_t> bytes;
  // How BEGIN_REQs were answered: completed, updated END_REQ, accepted, updated BEGIN_RESP.
  uint64_t styles[4] = {};
  uint64_t blocking = 0;

  SC_HAS_PROCESS(AtMemory);
  AtMemory(sc_core::sc_module_name name, std::size_t size, uint64_t seed)
      : sc_core::sc_module(name), socket("socket"), bytes(size), state_(seed), peq_(this, &AtMemory::on_phase) {
    socket.bind(*this);
    SC_METHOD(send_responses);
    sensitive << kick_;
    dont_initialize();
  }

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (phase == tlm::END_RESP) {
      if (open_ == &gp) {
        open_ = nullptr;
        free_at_ = std::max(free_at_, now + delay);
        kick_.notify(free_at_ - now);
      }
      return tlm::TLM_COMPLETED;
    }
    if (phase != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    unsigned style = static_cast<unsigned>(below(4));
    // The shortcut to BEGIN_RESP only when the response channel is free in time.
    if (style == 3 && (open_ != nullptr || !ready_.empty() || now + delay + ns(2) < free_at_)) style = 1;
    ++styles[style];
    switch (style) {
      case 0:
        execute(gp);
        delay += ns(below(3));
        return tlm::TLM_COMPLETED;
      case 1:
        delay += ns(below(2));
        peq_.notify(gp, tlm::BEGIN_RESP, delay + ns(below(4)));
        phase = tlm::END_REQ;
        return tlm::TLM_UPDATED;
      case 2:
        peq_.notify(gp, tlm::END_REQ, delay + ns(below(3)));
        return tlm::TLM_ACCEPTED;
      default:
        execute(gp);
        delay += ns(2);
        open_ = &gp;
        phase = tlm::BEGIN_RESP;
        return tlm::TLM_UPDATED;
    }
  }

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override {
    ++blocking;
    execute(gp);
    delay += ns(1);
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) override {
    dmi.allow_none();
    dmi.set_start_address(gp.get_address());
    dmi.set_end_address(gp.get_address());
    return false;
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override {
    const uint64_t a = gp.get_address();
    if (a >= bytes.size()) return 0;
    const unsigned n = static_cast<unsigned>(std::min<uint64_t>(gp.get_data_length(), bytes.size() - a));
    if (gp.is_read()) std::copy_n(bytes.data() + a, n, gp.get_data_ptr());
    if (gp.is_write()) std::copy_n(gp.get_data_ptr(), n, bytes.data() + a);
    return n;
  }

 private:
  static sc_core::sc_time ns(uint64_t n) { return sc_core::sc_time(static_cast<double>(n), sc_core::SC_NS); }
  uint64_t below(uint64_t n) {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  }

  // Streaming windows and byte enables as 1666 defines them.
  void execute(tlm::tlm_generic_payload& gp) {
    const unsigned length = gp.get_data_length();
    const unsigned width = gp.get_streaming_width();
    const unsigned char* enables = gp.get_byte_enable_ptr();
    const uint64_t address = gp.get_address();
    if (address >= bytes.size() || address + std::min(length, width) > bytes.size()) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    for (unsigned i = 0; i < length; ++i) {
      if (enables != nullptr && enables[i % gp.get_byte_enable_length()] == 0) continue;
      uint8_t& b = bytes[address + i % width];
      if (gp.is_write()) {
        b = gp.get_data_ptr()[i];
      } else {
        gp.get_data_ptr()[i] = b;
      }
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  void on_phase(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase) {
    if (phase == tlm::END_REQ) {
      tlm::tlm_phase p = tlm::END_REQ;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      socket->nb_transport_bw(gp, p, d);
      peq_.notify(gp, tlm::BEGIN_RESP, ns(below(4)));
      return;
    }
    execute(gp);
    ready_.push_back(&gp);
    kick_.notify(sc_core::SC_ZERO_TIME);
  }

  void send_responses() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    while (open_ == nullptr && !ready_.empty()) {
      if (now < free_at_) {
        kick_.notify(free_at_ - now);
        return;
      }
      tlm::tlm_generic_payload* gp = ready_.front();
      ready_.pop_front();
      open_ = gp;
      tlm::tlm_phase p = tlm::BEGIN_RESP;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      const tlm::tlm_sync_enum s = socket->nb_transport_bw(*gp, p, d);
      if (s == tlm::TLM_ACCEPTED) return;  // END_RESP comes forward
      open_ = nullptr;
      free_at_ = std::max(free_at_, now + d);
    }
  }

  uint64_t state_;
  tlm_utils::peq_with_cb_and_phase<AtMemory> peq_;
  sc_core::sc_event kick_;
  std::deque<tlm::tlm_generic_payload*> ready_;
  tlm::tlm_generic_payload* open_ = nullptr;
  sc_core::sc_time free_at_;
};

}  // namespace tlmmap::test
