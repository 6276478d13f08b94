// Time in the model: region latencies and the latency an access collects.
// The model needs no SystemC kernel, so it counts picoseconds; the TLM layer
// turns them into sc_time once per cached decision.
#pragma once

#include <chrono>
#include <cstdint>
#include <ratio>

namespace tlmmap {

// Any std::chrono duration converts to it: ram.set_latency(10ns, 20ns).
using Duration = std::chrono::duration<int64_t, std::pico>;

}  // namespace tlmmap
