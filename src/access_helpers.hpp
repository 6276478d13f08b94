// Library-internal pieces of the access path shared by the model and the
// TLM engine.
#pragma once

#include <cstdint>

#include "tlmmap/address_space.hpp"

namespace tlmmap::detail {

// `n` bytes at `address` where nothing is mapped: the address space's
// UnmappedPolicy (reads as zero either way; warning and result per policy).
MemTxResult unmapped_access(const AddressSpace& space, uint64_t address, bool is_write, uint8_t* data,
                            uint64_t n);

}  // namespace tlmmap::detail
