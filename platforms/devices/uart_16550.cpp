#include "tlmmap/devices/uart_16550.hpp"

namespace tlmmap {

namespace {
enum : unsigned { kRbr = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7 };
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kIerRda = 0x01, kIerThre = 0x02;
constexpr uint8_t kLsrDr = 0x01, kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr uint8_t kMcrLoop = 0x10;
constexpr uint8_t kIirNone = 0x01, kIirThre = 0x02, kIirRda = 0x04, kIirTimeout = 0x0c, kIirFifo = 0xc0;
// What MSR shows of a connected line outside loopback: DCD, DSR and CTS.
constexpr uint8_t kMsrLinesUp = 0xb0;
}  // namespace

Uart16550::Uart16550(sc_core::sc_module_name name) : sc_core::sc_module(name) {}

MmioOps Uart16550::ops() {
  MmioOps ops;
  ops.endianness = Endianness::little;
  ops.valid.min_access_size = 1;
  ops.valid.max_access_size = 8;
  ops.impl.min_access_size = 1;
  ops.impl.max_access_size = 8;
  ops.read = [this](uint64_t offset, unsigned) -> uint64_t { return read(static_cast<unsigned>(offset & 7)); };
  ops.write = [this](uint64_t offset, uint64_t value, unsigned) {
    write(static_cast<unsigned>(offset & 7), static_cast<uint8_t>(value));
  };
  ops.debug_read = [this](uint64_t offset, unsigned) -> uint64_t { return peek(static_cast<unsigned>(offset & 7)); };
  return ops;
}

void Uart16550::reset() {
  fifo_.clear();
  ier_ = fcr_ = lcr_ = mcr_ = scr_ = dll_ = dlm_ = 0;
  thr_interrupt_ = false;
  refill();
  update_irq();
}

void Uart16550::save_state(DeviceState& state, const std::string& prefix) const {
  const std::pair<const char*, uint8_t> registers[] = {{"ier", ier_}, {"fcr", fcr_}, {"lcr", lcr_}, {"mcr", mcr_},
                                                       {"scr", scr_}, {"dll", dll_}, {"dlm", dlm_}};
  for (const auto& [name, value] : registers) state[prefix + name] = value;
  state[prefix + "thr_interrupt"] = thr_interrupt_;
  std::string received(fifo_.begin(), fifo_.end());
  received.append(input_.begin(), input_.end());
  save_bytes(state, prefix + "rx", received);
}

void Uart16550::restore_state(const DeviceState& state, const std::string& prefix) {
  uint8_t* registers[] = {&ier_, &fcr_, &lcr_, &mcr_, &scr_, &dll_, &dlm_};
  const char* names[] = {"ier", "fcr", "lcr", "mcr", "scr", "dll", "dlm"};
  for (std::size_t i = 0; i < 7; ++i) *registers[i] = static_cast<uint8_t>(state_value(state, prefix + names[i]));
  thr_interrupt_ = state_value(state, prefix + "thr_interrupt") != 0;
  const std::string received = bytes_value(state, prefix + "rx");
  fifo_.clear();
  input_.assign(received.begin(), received.end());
  refill();
  update_irq();
}

void Uart16550::receive(const std::string& bytes) {
  input_.insert(input_.end(), bytes.begin(), bytes.end());
  refill();
  update_irq();
}

uint8_t Uart16550::peek(unsigned offset) const {
  const bool dlab = (lcr_ & kLcrDlab) != 0;
  switch (offset) {
    case kRbr: return dlab ? dll_ : (fifo_.empty() ? 0 : fifo_.front());
    case kIer: return dlab ? dlm_ : ier_;
    case kIir: return iir();
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return lsr();
    case kMsr: return msr();
    default: return scr_;
  }
}

uint8_t Uart16550::read(unsigned offset) {
  const uint8_t value = peek(offset);
  if (offset == kRbr && (lcr_ & kLcrDlab) == 0 && !fifo_.empty()) {
    fifo_.pop_front();
    refill();
    update_irq();
  } else if (offset == kIir && (value & 0x0f) == kIirThre) {
    // Reading IIR while it reports THR empty acknowledges that cause.
    thr_interrupt_ = false;
    update_irq();
  }
  return value;
}

void Uart16550::write(unsigned offset, uint8_t value) {
  const bool dlab = (lcr_ & kLcrDlab) != 0;
  switch (offset) {
    case kRbr:
      if (dlab) {
        dll_ = value;
      } else {
        transmit(value);
      }
      break;
    case kIer:
      if (dlab) {
        dlm_ = value;
      } else {
        // Enabling the THR-empty cause while THR is empty raises it at once.
        if ((value & kIerThre) != 0 && (ier_ & kIerThre) == 0) thr_interrupt_ = true;
        ier_ = value & 0x0f;
      }
      break;
    case kIir:  // FCR
      if ((value & 0x02) != 0) fifo_.clear();  // RX FIFO reset
      fcr_ = value & 0xc9;
      if ((fcr_ & 0x01) == 0) fcr_ = 0;  // the other bits need FIFO enable
      refill();
      break;
    case kLcr: lcr_ = value; break;
    case kMcr: mcr_ = value & 0x1f; break;
    case kScr: scr_ = value; break;
    default: break;  // LSR and MSR are read-only
  }
  update_irq();
}

void Uart16550::transmit(uint8_t byte) {
  if ((mcr_ & kMcrLoop) != 0) {
    input_.push_front(byte);  // looped back ahead of host input
    refill();
  } else if (output_) {
    output_(static_cast<char>(byte));
  }
  // The byte is gone at once: THR is empty again.
  thr_interrupt_ = true;
}

void Uart16550::refill() {
  while (!input_.empty() && fifo_.size() < fifo_depth()) {
    fifo_.push_back(input_.front());
    input_.pop_front();
  }
}

unsigned Uart16550::trigger_level() const {
  if ((fcr_ & 0x01) == 0) return 1;
  static constexpr unsigned kLevels[4] = {1, 4, 8, 14};
  return kLevels[(fcr_ >> 6) & 3];
}

uint8_t Uart16550::iir() const {
  const uint8_t fifo_bits = (fcr_ & 0x01) != 0 ? kIirFifo : 0;
  if ((ier_ & kIerRda) != 0 && !fifo_.empty()) {
    return fifo_bits | (fifo_.size() >= trigger_level() ? kIirRda : kIirTimeout);
  }
  if ((ier_ & kIerThre) != 0 && thr_interrupt_) return fifo_bits | kIirThre;
  return fifo_bits | kIirNone;
}

uint8_t Uart16550::lsr() const { return kLsrThre | kLsrTemt | (fifo_.empty() ? 0 : kLsrDr); }

uint8_t Uart16550::msr() const {
  if ((mcr_ & kMcrLoop) == 0) return kMsrLinesUp;
  // Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
  return static_cast<uint8_t>(((mcr_ & 0x01) << 5) | ((mcr_ & 0x02) << 3) | ((mcr_ & 0x04) << 4) |
                              ((mcr_ & 0x08) << 4));
}

void Uart16550::update_irq() {
  if (sc_core::sc_get_status() & (sc_core::SC_ELABORATION | sc_core::SC_BEFORE_END_OF_ELABORATION)) return;
  // Always written: within one delta cycle read() still shows the old value.
  irq.write((iir() & kIirNone) == 0);
}

}  // namespace tlmmap
