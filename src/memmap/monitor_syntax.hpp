// The monitor's line syntax (docs/monitor.md): tokens, quoting, numbers and
// the refusal of one command.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tlmmap/core/dirty_memory.hpp"
#include "tlmmap/core/types.hpp"

namespace tlmmap::detail {

// A command refused before it changed anything; the message names what
// (region, address) and why, without the "error: line N: COMMAND: " prefix.
struct CommandError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Splits a line into tokens at blanks. "..." groups a token (backslash
// escapes " and itself); an unquoted # starts a comment. An unterminated
// quote is refused.
std::vector<std::string> tokenize(const std::string& line);

// "..." with \" \\ and \xNN for control bytes: how the monitor prints
// names, so that a name with blanks stays one token.
std::string quote(std::string_view text);

// A number as the memmap format writes them: "0x" and hex digits, or
// decimal digits. `what` names it in the refusal.
u128 parse_number(const std::string& token, const char* what, u128 max);
inline uint64_t parse_address(const std::string& token, const char* what) {
  return static_cast<uint64_t>(parse_number(token, what, UINT64_MAX));
}
int parse_priority(const std::string& token);
// on/off (also true/false, 1/0).
bool parse_switch(const std::string& token, const char* what);
// vga, code, migration.
DirtyClient parse_client(const std::string& token);
std::string_view client_name(DirtyClient client);
// The clients of a mask joined by '+' ("vga+migration"), or "none".
std::string clients_text(uint8_t mask);

}  // namespace tlmmap::detail
