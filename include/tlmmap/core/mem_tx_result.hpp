// QEMU's MemTxResult: the outcome of a memory transaction. Results of the
// pieces of one transaction are OR-ed together.
//
//   result                      TLM response status (tlm_response_status)
//   ok                          TLM_OK_RESPONSE
//   decode_error                TLM_ADDRESS_ERROR_RESPONSE   nothing answers there (unmapped, reservation,
//                                                            an access the device does not take: valid sizes,
//                                                            alignment, accepts())
//   access_error                TLM_COMMAND_ERROR_RESPONSE   the command is refused: a write to ROM or a
//                                                            read-only range, `memory` attribute to a device
//   error                       TLM_GENERIC_ERROR_RESPONSE   the device reported an error
// When several bits are set the first row of the table that applies wins.
#pragma once

#include <cstdint>

namespace tlmmap {

enum class MemTxResult : uint8_t {
  ok = 0,
  error = 1 << 0,
  decode_error = 1 << 1,
  access_error = 1 << 2,
};

constexpr MemTxResult operator|(MemTxResult a, MemTxResult b) {
  return static_cast<MemTxResult>(static_cast<uint8_t>(a) | static_cast<uint8_t>(b));
}
constexpr MemTxResult& operator|=(MemTxResult& a, MemTxResult b) { return a = a | b; }
constexpr bool has(MemTxResult result, MemTxResult bit) {
  return (static_cast<uint8_t>(result) & static_cast<uint8_t>(bit)) != 0;
}

}  // namespace tlmmap
