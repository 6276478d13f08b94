// QEMU's MemTxAttrs: the attributes of a memory transaction, given to the
// with-attributes MMIO callbacks. In TLM they travel as a TxAttributes
// extension (tx_attributes.hpp); a payload without one is "unspecified".
#pragma once

#include <cstdint>

namespace tlmmap {

struct MemTxAttrs {
  // The initiator said nothing (QEMU's MEMTXATTRS_UNSPECIFIED); false as
  // soon as an initiator gives attributes, even all clear.
  bool unspecified = true;
  // Arm TrustZone Secure access; x86 System Management Mode access.
  bool secure = false;
  // User-mode (unprivileged) access; false means privileged.
  bool user = false;
  // Restricted to normal memory (AMBA): an access that reaches a device
  // (MMIO, ROM device callbacks, reservation) is refused with
  // MemTxResult::access_error. An IOMMU passes it on: the region its
  // translation reaches decides.
  bool memory = false;
  // Requester id, e.g. a PCI bus/device/function for MSI.
  uint16_t requester_id = 0;
  // Invert the endianness of this access to a device.
  bool byte_swap = false;
  // Target-specific page-table bits of QEMU's TLB (target_tlb_bit0..2);
  // carried, never interpreted.
  uint8_t target_tlb_bits = 0;

  static MemTxAttrs specified() {
    MemTxAttrs a;
    a.unspecified = false;
    return a;
  }
  bool operator==(const MemTxAttrs& o) const noexcept {
    return unspecified == o.unspecified && secure == o.secure && user == o.user && memory == o.memory &&
           requester_id == o.requester_id && byte_swap == o.byte_swap && target_tlb_bits == o.target_tlb_bits;
  }
};

}  // namespace tlmmap
