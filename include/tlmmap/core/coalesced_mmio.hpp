// Coalesced MMIO, as QEMU does it under KVM: writes to the coalesced ranges
// of an MMIO region (MmioRegion::add_coalescing()) are buffered in a ring
// instead of reaching the device, and delivered in order, through the
// region's normal write path, at each flush point:
//  * an access to a region marked flush-coalesced (add_coalescing() marks
//    the region itself, so its reads and its other writes see every write
//    buffered before them);
//  * flush_coalesced_mmio();
//  * the start of a transaction, and the destruction of a region with
//    buffered writes (QEMU flushes at memory_region_transaction_begin());
//  * a full ring (256 writes, about a KVM ring's page).
// A buffered write answers OK at once, as a KVM guest sees it; only writes
// of at most 8 bytes without byte enables that lie wholly in a coalesced
// range are buffered.
#pragma once

#include <cstddef>

namespace tlmmap {

// QEMU's qemu_flush_coalesced_mmio_buffer().
void flush_coalesced_mmio();
// Writes buffered now.
std::size_t coalesced_mmio_pending() noexcept;

}  // namespace tlmmap
