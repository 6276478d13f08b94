#include "memmap_document.hpp"

#include <cctype>
#include <set>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace tlmmap::detail {

using nlohmann::json;

namespace {

// A SAX pass that only watches keys: nlohmann's DOM parser keeps the last
// of duplicated keys silently, and its callback parser is quadratic on long
// arrays. The path names where a duplicate sits ("regions[3].subregions[1]").
class DuplicateKeyFinder : public json::json_sax_t {
 public:
  bool null() override { return element(); }
  bool boolean(bool) override { return element(); }
  bool number_integer(json::number_integer_t) override { return element(); }
  bool number_unsigned(json::number_unsigned_t) override { return element(); }
  bool number_float(json::number_float_t, const json::string_t&) override { return element(); }
  bool string(json::string_t&) override { return element(); }
  bool binary(json::binary_t&) override { return element(); }
  bool start_object(std::size_t) override {
    element();
    frames_.push_back({false, 0, "", {}});
    return true;
  }
  bool key(json::string_t& k) override {
    Frame& f = frames_.back();
    f.key = k;
    if (!f.keys.insert(k).second) throw MemmapError(path() + ": duplicated key \"" + k + "\"");
    return true;
  }
  bool end_object() override {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    element();
    frames_.push_back({true, 0, "", {}});
    return true;
  }
  bool end_array() override {
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    std::string message = e.what();
    const auto bracket = message.find("] ");
    if (bracket != std::string::npos) message = message.substr(bracket + 2);
    throw MemmapError("not valid JSON: " + message);
  }

 private:
  struct Frame {
    bool array;
    std::size_t count;  // elements begun so far (arrays)
    std::string key;    // current key (objects)
    std::set<std::string> keys;
  };

  bool element() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().count;
    return true;
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
  if (s.rfind("0x", 0) == 0 && all_of(s, 2, [](int c) { return std::isxdigit(c); })) return s;
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
  DuplicateKeyFinder finder;
  json::sax_parse(text, &finder);
  return json::parse(text);
}

json parse_memmap_yaml(const std::string& text) {
  try {
    return from_yaml(YAML::Load(text), "");
  } catch (const YAML::Exception& e) {
    throw MemmapError(std::string("not valid YAML: ") + e.what());
  }
}

}  // namespace tlmmap::detail
