// Reading a memmap document (JSON, or YAML of the same structure) into a
// JSON value, refusing what the format forbids at the syntax level:
// duplicated keys in an object.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace tlmmap::detail {

// A refusal of a memmap document; the message names the entry.
struct MemmapError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

nlohmann::json parse_memmap_json(const std::string& text);
nlohmann::json parse_memmap_yaml(const std::string& text);

}  // namespace tlmmap::detail
