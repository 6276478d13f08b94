// Library-internal: an AddressSpaceTarget's short way through an IOMMU range.
//
// A payload inside one translated page whose translation the IOMMU's
// translation cache keeps over host memory (detail/translation_cache.hpp)
// is copied there at once, as the model's path would copy it after
// translating: the IOMMU's translate() is not called, the range's latency
// and the target range's latency are added, and no DMI hint is given (the
// target grants no DMI over an IOMMU range: the IOMMU module does). Anything
// else (a miss, a refusal, byte enables, streaming, a page that is not host
// memory) is left to the model's path, which translates and fills the cache.
#pragma once

#include <systemc>
#include <tlm>

#include "tlmmap/core/flat_range.hpp"

namespace tlmmap::detail {

// Done through the cache (true), or left to the model's path (false).
// `range` is a range of an IommuRegion (the engine checked when it cached the range).
bool iommu_cached_transport(const FlatRange& range, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                            const sc_core::sc_time& range_latency);
// Would iommu_cached_transport() do `gp` now? (An approximately-timed request
// is then answered at once; one that may reach a TLM device in the target
// space goes to a process.)
bool iommu_cached_memory(const FlatRange& range, const tlm::tlm_generic_payload& gp);

}  // namespace tlmmap::detail
