#include "monitor_syntax.hpp"

#include <cctype>
#include <climits>

namespace tlmmap::detail {

std::vector<std::string> tokenize(const std::string& line) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i == line.size() || line[i] == '#') break;
    std::string token;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
      if (line[i] != '"') {
        token += line[i++];
        continue;
      }
      const std::size_t open = i++;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        token += line[i++];
      }
      if (i == line.size()) throw CommandError("unterminated quote at column " + std::to_string(open + 1));
      ++i;
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

std::string quote(std::string_view text) {
  static const char* digits = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += digits[byte >> 4];
      out += digits[byte & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

u128 parse_number(const std::string& token, const char* what, u128 max) {
  u128 value = 0;
  if (!parse_u128(token, value)) {
    throw CommandError(std::string(what) + " " + quote(token) + " is not a number (0x and hex digits, or decimal digits)");
  }
  if (value > max) throw CommandError(std::string(what) + " " + token + " is above " + hex(max));
  return value;
}

int parse_priority(const std::string& token) {
  const bool negative = !token.empty() && token[0] == '-';
  const u128 magnitude = parse_number(negative ? token.substr(1) : token, "priority", UINT64_MAX);
  if (magnitude > (negative ? u128(INT_MAX) + 1 : u128(INT_MAX))) {
    throw CommandError("priority " + token + " is outside the signed 32-bit range");
  }
  return negative ? static_cast<int>(-static_cast<long long>(magnitude)) : static_cast<int>(magnitude);
}

bool parse_switch(const std::string& token, const char* what) {
  if (token == "on" || token == "true" || token == "1") return true;
  if (token == "off" || token == "false" || token == "0") return false;
  throw CommandError(std::string(what) + " " + quote(token) + " is not on or off");
}

DirtyClient parse_client(const std::string& token) {
  for (unsigned c = 0; c < kDirtyClientCount; ++c) {
    if (token == client_name(static_cast<DirtyClient>(c))) return static_cast<DirtyClient>(c);
  }
  throw CommandError("dirty-log client " + quote(token) + " is not vga, code or migration");
}

std::string_view client_name(DirtyClient client) {
  switch (client) {
    case DirtyClient::vga: return "vga";
    case DirtyClient::code: return "code";
    case DirtyClient::migration: return "migration";
  }
  return "?";
}

std::string clients_text(uint8_t mask) {
  std::string text;
  for (unsigned c = 0; c < kDirtyClientCount; ++c) {
    if ((mask >> c) & 1) text += (text.empty() ? "" : "+") + std::string(client_name(static_cast<DirtyClient>(c)));
  }
  return text.empty() ? "none" : text;
}

}  // namespace tlmmap::detail
