// Reading a memmap document (JSON, or YAML of the same structure) into a
// JSON value, refusing what the format forbids at the syntax level:
// duplicated keys in an object.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace tlmmap::detail {

// How deep objects and lists may nest in a document (a memmap document
// needs 6 levels). Deeper documents are refused before they are parsed: the
// parsers and the conversions after them may recurse per level. YAML is
// checked on an upper bound estimated from the text, which counts a level of
// block indentation twice: it may reach 2 * kMaxDocumentDepth.
inline constexpr std::size_t kMaxDocumentDepth = 64;

// A refusal of a memmap document; the message names the entry.
struct MemmapError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

nlohmann::json parse_memmap_json(const std::string& text);
nlohmann::json parse_memmap_yaml(const std::string& text);

}  // namespace tlmmap::detail
