#include "tlmmap/devices/plic.hpp"

#include <string>


namespace tlmmap {

Plic::Plic(sc_core::sc_module_name name, unsigned sources, unsigned contexts, unsigned priority_bits)
    : sc_core::sc_module(name),
      eip("eip", contexts),
      lines_("source", sources),
      priority_mask_((1u << priority_bits) - 1),
      priority_(sources, 0),
      pending_((sources + 31) / 32, 0),
      in_service_((sources + 31) / 32, 0),
      enable_(contexts, std::vector<uint32_t>((sources + 31) / 32, 0)),
      threshold_(contexts, 0) {
  SC_METHOD(sample_lines);
  for (auto& line : lines_) sensitive << line.value_changed_event();
  sensitive << resample_;
  dont_initialize();
}

IrqLine& Plic::source(unsigned s) {
  if (s == 0 || s >= sources()) {
    const std::string message = std::string(name()) + ": no interrupt source " + std::to_string(s) +
                                " (sources are 1.." + std::to_string(sources() - 1) + ")";
    SC_REPORT_ERROR("tlmmap/devices", message.c_str());
    return lines_[0];  // when the report handler does not throw: a line nothing samples
  }
  return lines_[s];
}

MmioOps Plic::ops() {
  MmioOps ops;
  ops.endianness = Endianness::little;
  ops.valid.min_access_size = 4;
  ops.valid.max_access_size = 4;
  ops.impl.min_access_size = 4;
  ops.impl.max_access_size = 4;
  ops.read = [this](uint64_t offset, unsigned) { return read(offset); };
  ops.debug_read = [this](uint64_t offset, unsigned) { return peek(offset); };
  ops.write = [this](uint64_t offset, uint64_t value, unsigned) { write(offset, value); };
  return ops;
}

uint64_t Plic::peek(uint64_t offset) const {
  const uint64_t words = pending_.size();
  if (offset < kPendingBase) {
    return offset / 4 < priority_.size() ? priority_[offset / 4] : 0;
  }
  if (offset < kPendingBase + 4 * words) return pending_[(offset - kPendingBase) / 4];
  if (offset >= kEnableBase && offset < kEnableBase + kEnableStride * contexts()) {
    const uint64_t context = (offset - kEnableBase) / kEnableStride;
    const uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
    return word < words ? enable_[context][word] : 0;
  }
  if (offset >= kContextBase && offset < kContextBase + kContextStride * contexts()) {
    const uint64_t context = (offset - kContextBase) / kContextStride;
    switch ((offset - kContextBase) % kContextStride) {
      case 0: return threshold_[context];
      case 4: return best(static_cast<unsigned>(context));
      default: return 0;
    }
  }
  return 0;
}

uint64_t Plic::read(uint64_t offset) {
  const uint64_t value = peek(offset);
  if (offset >= kContextBase && (offset - kContextBase) % kContextStride == 4 && value != 0) {
    // A claim: the source goes into service.
    const unsigned s = static_cast<unsigned>(value);
    set_bit(pending_, s, false);
    set_bit(in_service_, s, true);
    update();
  }
  return value;
}

void Plic::write(uint64_t offset, uint64_t value) {
  const uint64_t words = pending_.size();
  const uint32_t v = static_cast<uint32_t>(value);
  if (offset < kPendingBase) {
    const uint64_t s = offset / 4;
    if (s != 0 && s < priority_.size()) priority_[s] = v & priority_mask_;
  } else if (offset >= kEnableBase && offset < kEnableBase + kEnableStride * contexts()) {
    const uint64_t context = (offset - kEnableBase) / kEnableStride;
    const uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
    if (word >= words) return;
    uint32_t bits = v;
    if (word == 0) bits &= ~1u;  // source 0 does not exist
    if (word == words - 1 && sources() % 32 != 0) bits &= (1u << (sources() % 32)) - 1;
    enable_[context][word] = bits;
  } else if (offset >= kContextBase && offset < kContextBase + kContextStride * contexts()) {
    const uint64_t context = (offset - kContextBase) / kContextStride;
    const uint64_t reg = (offset - kContextBase) % kContextStride;
    if (reg == 0) {
      threshold_[context] = v & priority_mask_;
    } else if (reg == 4 && v != 0 && v < sources()) {
      // Completion: service ends; a line still high is pending again. The
      // line is looked at in the next delta cycle: a device the handler
      // just quieted (in this same delta) has lowered it by then.
      set_bit(in_service_, v, false);
      resample_.notify(sc_core::SC_ZERO_TIME);
    }
  } else {
    return;  // pending bits are read only
  }
  update();
}

void Plic::sample_lines() {
  for (unsigned s = 1; s < sources(); ++s) {
    const bool in_service = (in_service_[s / 32] >> (s % 32)) & 1;
    if (lines_[s].read() && !in_service) set_bit(pending_, s, true);
    if (!lines_[s].read() && !in_service) set_bit(pending_, s, false);
  }
  update();
}

unsigned Plic::best(unsigned context) const {
  unsigned best_source = 0;
  uint32_t best_priority = threshold_[context];
  for (unsigned w = 0; w < pending_.size(); ++w) {
    uint32_t candidates = pending_[w] & enable_[context][w];
    while (candidates != 0) {
      const unsigned bit = static_cast<unsigned>(__builtin_ctz(candidates));
      candidates &= candidates - 1;
      const unsigned s = w * 32 + bit;
      if (priority_[s] > best_priority) {
        best_priority = priority_[s];
        best_source = s;
      }
    }
  }
  return best_source;
}

void Plic::reset() {
  std::fill(priority_.begin(), priority_.end(), 0);
  std::fill(pending_.begin(), pending_.end(), 0);
  std::fill(in_service_.begin(), in_service_.end(), 0);
  for (auto& enable : enable_) std::fill(enable.begin(), enable.end(), 0);
  std::fill(threshold_.begin(), threshold_.end(), 0);
  resample_.notify(sc_core::SC_ZERO_TIME);  // a line still high is pending again
  update();
}

void Plic::save_state(DeviceState& state, const std::string& prefix) const {
  const std::size_t words = pending_.size();
  for (std::size_t s = 1; s < priority_.size(); ++s) state[prefix + "priority." + std::to_string(s)] = priority_[s];
  for (std::size_t w = 0; w < words; ++w) {
    state[prefix + "pending." + std::to_string(w)] = pending_[w];
    state[prefix + "in_service." + std::to_string(w)] = in_service_[w];
    for (std::size_t c = 0; c < enable_.size(); ++c) {
      state[prefix + "enable." + std::to_string(c) + "." + std::to_string(w)] = enable_[c][w];
    }
  }
  for (std::size_t c = 0; c < threshold_.size(); ++c) state[prefix + "threshold." + std::to_string(c)] = threshold_[c];
}

void Plic::restore_state(const DeviceState& state, const std::string& prefix) {
  const std::size_t words = pending_.size();
  for (std::size_t s = 1; s < priority_.size(); ++s) {
    priority_[s] = static_cast<uint32_t>(state_value(state, prefix + "priority." + std::to_string(s)));
  }
  for (std::size_t w = 0; w < words; ++w) {
    pending_[w] = static_cast<uint32_t>(state_value(state, prefix + "pending." + std::to_string(w)));
    in_service_[w] = static_cast<uint32_t>(state_value(state, prefix + "in_service." + std::to_string(w)));
    for (std::size_t c = 0; c < enable_.size(); ++c) {
      enable_[c][w] =
          static_cast<uint32_t>(state_value(state, prefix + "enable." + std::to_string(c) + "." + std::to_string(w)));
    }
  }
  for (std::size_t c = 0; c < threshold_.size(); ++c) {
    threshold_[c] = static_cast<uint32_t>(state_value(state, prefix + "threshold." + std::to_string(c)));
  }
  update();
}

void Plic::update() {
  for (unsigned c = 0; c < contexts(); ++c) {
    eip[c].write(best(c) != 0);  // always: read() lags within a delta cycle
  }
}

}  // namespace tlmmap
