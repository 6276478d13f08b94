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

void save_bytes(DeviceState& state, const std::string& key, const std::string& bytes) {
  state[key + ".length"] = bytes.size();
  for (std::size_t at = 0; at < bytes.size(); at += 8) {
    uint64_t word = 0;
    for (std::size_t i = 0; i < 8 && at + i < bytes.size(); ++i) {
      word |= uint64_t(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
    }
    state[key + "." + std::to_string(at / 8)] = word;
  }
}

std::string bytes_value(const DeviceState& state, const std::string& key) {
  const uint64_t length = state_value(state, key + ".length");
  std::string bytes;
  for (uint64_t at = 0; at < length; at += 8) {
    const uint64_t word = state_value(state, key + "." + std::to_string(at / 8));
    for (uint64_t i = 0; i < 8 && at + i < length; ++i) bytes.push_back(static_cast<char>(word >> (8 * i)));
  }
  return bytes;
}

}  // namespace tlmmap
