// The DMA engine: registers, its thread, and copies through DMI or b_transport.
#include "tlmmap/tlm/dma_engine.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "tlmmap/core/types.hpp"
#include "tlmmap/tlm/detail/register_bank.hpp"

namespace tlmmap {

DmaEngine::DmaEngine(sc_core::sc_module_name name, uint16_t requester_id)
    : sc_core::sc_module(name),
      socket("socket"),
      irq("irq"),
      finished("finished"),
      registers_(std::string(basename()) + "-regs", 0x30),
      bounce_(kChunk) {
  socket.register_invalidate_direct_mem_ptr(this, &DmaEngine::invalidate_direct_mem_ptr);
  attributes_.attrs = MemTxAttrs::specified();
  attributes_.attrs.requester_id = requester_id;
  payload_.set_extension(&attributes_);
  registers_.set_ops(detail::register_bank_ops(regs_.data(), [this](uint64_t offset, uint64_t value) {
    write_register(offset, value);
  }));
  SC_HAS_PROCESS(DmaEngine);
  SC_THREAD(run);
}

DmaEngine::~DmaEngine() { payload_.clear_extension(&attributes_); }

void DmaEngine::write_register(uint64_t offset, uint64_t value) {
  uint64_t& status = regs_[kStatus / 8];
  switch (offset) {
    case kCtrl:
      regs_[kCtrl / 8] = value & kIrqEnable;
      if ((value & kStart) != 0 && (status & kBusy) == 0) {
        status = kBusy;
        start_.notify(sc_core::SC_ZERO_TIME);
      }
      update_irq();
      break;
    case kStatus:
      status &= ~(value & (kDone | kError));
      update_irq();
      break;
    case kErrorAddr:
      break;  // read-only
    default:
      regs_[offset / 8] = value;
      break;
  }
}

void DmaEngine::update_irq() {
  irq.write((regs_[kStatus / 8] & (kDone | kError)) != 0 && (regs_[kCtrl / 8] & kIrqEnable) != 0);
}

void DmaEngine::run() {
  for (;;) {
    // A start written before this thread first ran is not missed.
    if ((regs_[kStatus / 8] & kBusy) == 0) wait(start_);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    const bool ok = copy(regs_[kSrc / 8], regs_[kDst / 8], regs_[kLen / 8], delay);
    wait(delay);
    regs_[kStatus / 8] = ok ? kDone : kError;
    update_irq();
    finished.notify(sc_core::SC_ZERO_TIME);
  }
}

const tlm::tlm_dmi* DmaEngine::grant(uint64_t address, int dir) {
  if (!dmi_enabled_) return nullptr;
  Grant& g = grants_[dir];
  const bool covers = g.known && g.dmi.get_start_address() <= address && address <= g.dmi.get_end_address();
  if (!covers) {
    // Ask once per range: the answer (grant or denial) stands until invalidated.
    payload_.set_command(dir == 0 ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    payload_.set_address(address);
    payload_.set_data_ptr(bounce_.data());
    payload_.set_data_length(1);
    payload_.set_streaming_width(1);
    payload_.set_byte_enable_ptr(nullptr);
    payload_.set_byte_enable_length(0);
    g.dmi.init();
    const bool granted = socket->get_direct_mem_ptr(payload_, g.dmi);
    g.known = g.dmi.get_start_address() <= address && address <= g.dmi.get_end_address();
    if (!granted) g.dmi.allow_none();
    if (!g.known) return nullptr;
  }
  const bool allowed = dir == 0 ? g.dmi.is_read_allowed() : g.dmi.is_write_allowed();
  return allowed && g.dmi.get_dmi_ptr() != nullptr ? &g.dmi : nullptr;
}

bool DmaEngine::transport(tlm::tlm_command command, uint64_t address, uint8_t* data, unsigned length,
                          sc_core::sc_time& delay) {
  payload_.set_command(command);
  payload_.set_address(address);
  payload_.set_data_ptr(data);
  payload_.set_data_length(length);
  payload_.set_streaming_width(length);
  payload_.set_byte_enable_ptr(nullptr);
  payload_.set_byte_enable_length(0);
  payload_.set_dmi_allowed(false);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  socket->b_transport(payload_, delay);
  transport_bytes_ += length;
  return payload_.is_response_ok();
}

bool DmaEngine::copy(uint64_t src, uint64_t dst, uint64_t length, sc_core::sc_time& delay) {
  uint64_t done = 0;
  while (done < length) {
    const uint64_t s = src + done;
    const uint64_t d = dst + done;
    uint64_t n = std::min<uint64_t>(length - done, kChunk);
    const tlm::tlm_dmi* from = grant(s, 0);
    const tlm::tlm_dmi* to = grant(d, 1);
    if (from != nullptr) n = std::min<uint64_t>(n, from->get_end_address() - s + 1);
    if (to != nullptr) n = std::min<uint64_t>(n, to->get_end_address() - d + 1);
    const unsigned chunk = static_cast<unsigned>(n);
    if (from != nullptr && to != nullptr) {
      std::memmove(to->get_dmi_ptr() + (d - to->get_start_address()),
                   from->get_dmi_ptr() + (s - from->get_start_address()), chunk);
      delay += from->get_read_latency() + to->get_write_latency();
      dmi_bytes_ += chunk;
    } else {
      uint8_t* buffer = bounce_.data();
      if (from != nullptr) {
        std::memcpy(buffer, from->get_dmi_ptr() + (s - from->get_start_address()), chunk);
        delay += from->get_read_latency();
      } else if (!transport(tlm::TLM_READ_COMMAND, s, buffer, chunk, delay)) {
        regs_[kErrorAddr / 8] = s;
        return false;
      }
      // The read may have withdrawn the write grant (an invalidation in between).
      to = grant(d, 1);
      if (to != nullptr && u128(to->get_end_address()) - d + 1 >= chunk) {
        std::memcpy(to->get_dmi_ptr() + (d - to->get_start_address()), buffer, chunk);
        delay += to->get_write_latency();
      } else if (!transport(tlm::TLM_WRITE_COMMAND, d, buffer, chunk, delay)) {
        regs_[kErrorAddr / 8] = d;
        return false;
      }
    }
    done += n;
  }
  return true;
}

void DmaEngine::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  for (Grant& g : grants_) {
    if (g.known && g.dmi.get_start_address() <= end && start <= g.dmi.get_end_address()) g.known = false;
  }
}

}  // namespace tlmmap
