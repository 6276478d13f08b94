#include "tlmmap/devices/aclint_mswi.hpp"

namespace tlmmap {

AclintMswi::AclintMswi(sc_core::sc_module_name name, unsigned harts)
    : sc_core::sc_module(name), msip("msip", harts), msip_(harts, 0) {}

void AclintMswi::reset() {
  for (std::size_t hart = 0; hart < msip_.size(); ++hart) {
    msip_[hart] = 0;
    msip[hart].write(false);
  }
}

void AclintMswi::save_state(DeviceState& state, const std::string& prefix) const {
  for (std::size_t hart = 0; hart < msip_.size(); ++hart) state[prefix + "msip." + std::to_string(hart)] = msip_[hart];
}

void AclintMswi::restore_state(const DeviceState& state, const std::string& prefix) {
  for (std::size_t hart = 0; hart < msip_.size(); ++hart) {
    msip_[hart] = static_cast<uint32_t>(state_value(state, prefix + "msip." + std::to_string(hart)) & 1);
    msip[hart].write(msip_[hart] != 0);
  }
}

MmioOps AclintMswi::ops() {
  MmioOps ops;
  ops.endianness = Endianness::little;
  ops.valid.min_access_size = 4;
  ops.valid.max_access_size = 4;
  ops.impl.min_access_size = 4;
  ops.impl.max_access_size = 4;
  auto value_at = [this](uint64_t offset) -> uint64_t {
    const uint64_t hart = offset / 4;
    return hart < msip_.size() ? msip_[hart] : 0;
  };
  ops.read = [value_at](uint64_t offset, unsigned) { return value_at(offset); };
  ops.debug_read = ops.read;
  ops.write = [this](uint64_t offset, uint64_t value, unsigned) {
    const uint64_t hart = offset / 4;
    if (hart >= msip_.size()) return;
    msip_[hart] = static_cast<uint32_t>(value & 1);
    msip[hart].write(msip_[hart] != 0);
  };
  return ops;
}

}  // namespace tlmmap
