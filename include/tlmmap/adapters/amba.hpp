// What the AMBA bridges share: burst types, responses, reset polarity, and
// the translation between TLM payload attributes and AMBA signals.
//
//   TLM                                      AMBA
//   TxAttributes::user == false              AxPROT[0] / PPROT[0] privileged
//   TxAttributes::secure == false            AxPROT[1] / PPROT[1] non-secure
//   AmbaExtension::instruction               AxPROT[2] / PPROT[2] instruction
//   TxAttributes::requester_id               AxID (low ID-width bits)
//   AmbaExtension::exclusive                 AxLOCK
//   AmbaExtension::exclusive_okay (response) EXOKAY
//   TLM_OK_RESPONSE                          OKAY (EXOKAY for a successful exclusive)
//   TLM_ADDRESS_ERROR_RESPONSE               DECERR (APB: PSLVERR)
//   any other error                          SLVERR (APB: PSLVERR)
// and back: OKAY and EXOKAY are TLM_OK_RESPONSE, SLVERR and PSLVERR
// TLM_GENERIC_ERROR_RESPONSE, DECERR TLM_ADDRESS_ERROR_RESPONSE.
#pragma once

#include <cstdint>

#include <tlm>

#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::adapters {

inline constexpr const char* kAdapterMsg = "tlmmap/adapters";

enum class AxiBurst : uint8_t { fixed = 0, incr = 1, wrap = 2 };
enum class AxiResp : uint8_t { okay = 0, exokay = 1, slverr = 2, decerr = 3 };

// Which level of the reset pin means "in reset".
enum class ResetPolarity { active_low, active_high };

// AMBA attributes that MemTxAttrs has no field for. A payload without one is
// a plain data access, not exclusive.
class AmbaExtension : public tlm::tlm_extension<AmbaExtension> {
 public:
  tlm::tlm_extension_base* clone() const override { return new AmbaExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const AmbaExtension&>(other);
  }

  bool exclusive = false;       // AxLOCK: an exclusive access
  bool exclusive_okay = false;  // response: the exclusive access succeeded (EXOKAY)
  bool instruction = false;     // AxPROT[2] / PPROT[2]
  uint8_t cache = 0;            // AxCACHE, carried
  uint8_t qos = 0;              // AxQOS, carried
};

inline AxiResp to_axi_resp(tlm::tlm_response_status status, bool exclusive_okay) {
  switch (status) {
    case tlm::TLM_OK_RESPONSE:
      return exclusive_okay ? AxiResp::exokay : AxiResp::okay;
    case tlm::TLM_ADDRESS_ERROR_RESPONSE:
      return AxiResp::decerr;
    default:
      return AxiResp::slverr;
  }
}

inline tlm::tlm_response_status to_tlm_status(AxiResp resp) {
  switch (resp) {
    case AxiResp::okay:
    case AxiResp::exokay:
      return tlm::TLM_OK_RESPONSE;
    case AxiResp::decerr:
      return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    default:
      return tlm::TLM_GENERIC_ERROR_RESPONSE;
  }
}

// The worse of two statuses: the first error of a transaction cut into
// several bursts or accesses stands for all of it.
inline tlm::tlm_response_status worse(tlm::tlm_response_status a, tlm::tlm_response_status b) {
  return a == tlm::TLM_OK_RESPONSE || a == tlm::TLM_INCOMPLETE_RESPONSE ? b : a;
}

// AxPROT / PPROT of a payload. A payload without TxAttributes drives 0b000
// (unprivileged, secure, data), the value AMBA asks of a manager that has
// no such information.
inline uint8_t prot_of(const tlm::tlm_generic_payload& gp) {
  const MemTxAttrs a = attributes_of(gp);
  const AmbaExtension* ext = gp.get_extension<AmbaExtension>();
  uint8_t prot = 0;
  if (!a.unspecified) {
    if (!a.user) prot |= 1;
    if (!a.secure) prot |= 2;
  }
  if (ext != nullptr && ext->instruction) prot |= 4;
  return prot;
}

// AxID of a payload: the requester id's low bits.
inline uint32_t id_of(const tlm::tlm_generic_payload& gp, unsigned id_bits) {
  const MemTxAttrs a = attributes_of(gp);
  return id_bits >= 32 ? a.requester_id : (a.requester_id & ((1u << id_bits) - 1));
}

// The attributes a request from the pins carries.
inline MemTxAttrs attrs_from_pins(uint8_t prot, uint32_t id) {
  MemTxAttrs a = MemTxAttrs::specified();
  a.user = (prot & 1) == 0;
  a.secure = (prot & 2) == 0;
  a.requester_id = static_cast<uint16_t>(id);
  return a;
}

}  // namespace tlmmap::adapters
