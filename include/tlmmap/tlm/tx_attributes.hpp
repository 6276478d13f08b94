// QEMU's transaction attributes (MemTxAttrs) as a TLM-2.0 extension. An
// initiator that wants its accesses to carry attributes (secure, user,
// requester id...) sets one on the payload; MMIO callbacks with attributes
// receive them. A payload without the extension is "unspecified".
#pragma once

#include <atomic>

#include <tlm>

#include "tlmmap/core/mem_tx_attrs.hpp"
#include "tlmmap/core/mem_tx_result.hpp"

namespace tlmmap {

class TxAttributes : public tlm::tlm_extension<TxAttributes> {
 public:
  TxAttributes() : attrs(MemTxAttrs::specified()) { seen.store(true, std::memory_order_relaxed); }
  explicit TxAttributes(const MemTxAttrs& a) : attrs(a) { seen.store(true, std::memory_order_relaxed); }

  // Whether one has ever been made in this process: until then no payload
  // can carry one, and looking for it (an out-of-line call) can be skipped.
  static bool ever_made() noexcept { return seen.load(std::memory_order_relaxed); }

  tlm::tlm_extension_base* clone() const override { return new TxAttributes(attrs); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    attrs = static_cast<const TxAttributes&>(other).attrs;
  }

  MemTxAttrs attrs;

 private:
  static inline std::atomic<bool> seen{false};
};

// The attributes a payload carries, or unspecified ones.
inline MemTxAttrs attributes_of(const tlm::tlm_generic_payload& gp) {
  const TxAttributes* ext = gp.get_extension<TxAttributes>();
  return ext != nullptr ? ext->attrs : MemTxAttrs{};
}

// The TLM response status for a result (the table in mem_tx_result.hpp).
inline tlm::tlm_response_status to_tlm_response(MemTxResult result) {
  if (has(result, MemTxResult::decode_error)) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (has(result, MemTxResult::access_error)) return tlm::TLM_COMMAND_ERROR_RESPONSE;
  if (has(result, MemTxResult::error)) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  return tlm::TLM_OK_RESPONSE;
}

// And back, for what a TLM device answers.
inline MemTxResult from_tlm_response(tlm::tlm_response_status status) {
  switch (status) {
    case tlm::TLM_OK_RESPONSE:
      return MemTxResult::ok;
    case tlm::TLM_ADDRESS_ERROR_RESPONSE:
      return MemTxResult::decode_error;
    case tlm::TLM_COMMAND_ERROR_RESPONSE:
      return MemTxResult::access_error;
    default:
      return MemTxResult::error;
  }
}

}  // namespace tlmmap
