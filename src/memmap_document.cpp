#include "memmap_document.hpp"

#include <cctype>
#include <set>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace tlmmap::detail {

using nlohmann::json;

namespace {

// Follows the parser's events to name where a duplicated key sits
// ("regions[3].subregions[1]").
class PathTracker {
 public:
  bool on_event(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        element_starts();
        frames_.push_back({false, 0, "", {}});
        break;
      case json::parse_event_t::array_start:
        element_starts();
        frames_.push_back({true, 0, "", {}});
        break;
      case json::parse_event_t::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) {
          throw MemmapError(path() + ": duplicated key \"" + f.key + "\"");
        }
        break;
      }
      case json::parse_event_t::value:
        element_starts();
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool array;
    std::size_t count;  // elements begun so far (arrays)
    std::string key;    // current key (objects)
    std::set<std::string> keys;
  };

  void element_starts() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().count;
  }

  std::string path() const {
    std::string p;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.array) {
        p += "[" + std::to_string(f.count - 1) + "]";
      } else {
        p += (p.empty() ? "" : ".") + f.key;
      }
    }
    return p.empty() ? "top level" : p;
  }

  std::vector<Frame> frames_;
};

bool all_of(const std::string& s, std::size_t from, int (*pred)(int)) {
  if (s.size() <= from) return false;
  for (std::size_t i = from; i < s.size(); ++i) {
    if (!pred(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// A plain YAML scalar resolved as the YAML 1.2 core schema does; quoted
// scalars stay strings. Hex and too-large decimals stay strings, which the
// memmap number rules read like JSON strings.
json plain_scalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  const bool negative = s[0] == '-';
  if (all_of(s, negative ? 1 : 0, [](int c) { return std::isdigit(c); }) && s.size() <= 19) {
    return negative ? json(std::stoll(s)) : json(std::stoull(s));
  }
  if (all_of(s, 0, [](int c) { return std::isdigit(c); })) return s;
  // Anything float-like is a float, which number fields refuse.
  try {
    std::size_t used = 0;
    const double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  return s;
}

json from_yaml(const YAML::Node& node, const std::string& where) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return node.Tag() == "!" ? json(node.Scalar()) : plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      std::size_t i = 0;
      for (const YAML::Node& item : node) {
        out.push_back(from_yaml(item, where + "[" + std::to_string(i++) + "]"));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) throw MemmapError(where + ": a key that is not a plain string");
        const std::string key = it->first.Scalar();
        const std::string path = where.empty() ? key : where + "." + key;
        if (out.contains(key)) throw MemmapError(path + ": duplicated key \"" + key + "\"");
        out[key] = from_yaml(it->second, path);
      }
      return out;
    }
  }
  return nullptr;
}

}  // namespace

json parse_memmap_json(const std::string& text) {
  PathTracker tracker;
  try {
    return json::parse(text, [&](int, json::parse_event_t event, json& parsed) {
      return tracker.on_event(event, parsed);
    });
  } catch (const json::parse_error& e) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    std::string message = e.what();
    const auto bracket = message.find("] ");
    if (bracket != std::string::npos) message = message.substr(bracket + 2);
    throw MemmapError("not valid JSON: " + message);
  }
}

json parse_memmap_yaml(const std::string& text) {
  try {
    return from_yaml(YAML::Load(text), "");
  } catch (const YAML::Exception& e) {
    throw MemmapError(std::string("not valid YAML: ") + e.what());
  }
}

}  // namespace tlmmap::detail
