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

}  // namespace tlmmap
