// A generic payload set up for a new transaction, as an initiator sends it:
// command, address, data, length, streaming width (0: the data length, no
// streaming), byte enables (none by default), DMI hint cleared and the
// response status back to TLM_INCOMPLETE_RESPONSE.
#pragma once

#include <cstdint>

#include <tlm>

namespace tlmmap::test {

inline void prepare_payload(tlm::tlm_generic_payload& gp, tlm::tlm_command command, uint64_t address, void* data,
                            unsigned length, unsigned streaming_width = 0, const unsigned char* enables = nullptr,
                            unsigned enable_length = 0) {
  gp.set_command(command);
  gp.set_address(address);
  gp.set_data_ptr(static_cast<unsigned char*>(data));
  gp.set_data_length(length);
  gp.set_streaming_width(streaming_width != 0 ? streaming_width : length);
  gp.set_byte_enable_ptr(const_cast<unsigned char*>(enables));
  gp.set_byte_enable_length(enable_length);
  gp.set_dmi_allowed(false);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

}  // namespace tlmmap::test
