// Between the model's time (tlmmap::Duration, picoseconds) and SystemC's.
#pragma once

#include <systemc>

#include "tlmmap/core/duration.hpp"

namespace tlmmap {

inline sc_core::sc_time to_sc_time(Duration d) {
  return sc_core::sc_time(static_cast<double>(d.count()), sc_core::SC_PS);
}

inline Duration to_duration(const sc_core::sc_time& t) {
  // In whole units of the time resolution, so long times stay exact.
  const double resolution_ps = sc_core::sc_get_time_resolution().to_seconds() * 1e12;
  if (resolution_ps >= 1) return Duration(static_cast<int64_t>(t.value()) * static_cast<int64_t>(resolution_ps + 0.5));
  return Duration(static_cast<int64_t>(static_cast<double>(t.value()) * resolution_ps + 0.5));
}

}  // namespace tlmmap
