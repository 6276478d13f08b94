#include "tlmmap/devices/device_state.hpp"

#include <systemc>

namespace tlmmap {

uint64_t state_value(const DeviceState& state, const std::string& key) {
  const auto it = state.find(key);
  if (it != state.end()) return it->second;
  const std::string message = "device state: no value '" + key + "' to restore";
  SC_REPORT_ERROR("tlmmap/devices", message.c_str());
  return 0;
}

}  // namespace tlmmap
