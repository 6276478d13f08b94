// A device model's state for a checkpoint: named values, each device under
// its own prefix ("plic.priority.11", "mtimer.mtime").
//
//   tlmmap::DeviceState state;
//   plic.save_state(state, "plic.");
//   ...
//   plic.restore_state(state, "plic.");   // a missing name is reported
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace tlmmap {

using DeviceState = std::map<std::string, uint64_t>;

// state.at(key); a missing key is reported (SC_REPORT_ERROR "tlmmap/devices",
// naming it) and reads 0 when the report handler does not throw.
uint64_t state_value(const DeviceState& state, const std::string& key);

// Bytes (a FIFO's, a script's output seen so far) as values: `key.length`
// and `key.0`, `key.1`, ... eight bytes each, little-endian.
void save_bytes(DeviceState& state, const std::string& key, const std::string& bytes);
// A missing value is reported as state_value() does.
std::string bytes_value(const DeviceState& state, const std::string& key);

}  // namespace tlmmap
