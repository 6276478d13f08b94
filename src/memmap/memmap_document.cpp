#include "memmap_document.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
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
    check_depth();
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
    check_depth();
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

  void check_depth() const {
    if (frames_.size() > kMaxDocumentDepth) {
      throw MemmapError(path() + ": nested deeper than " + std::to_string(kMaxDocumentDepth) + " levels");
    }
  }

  bool element() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().count;
    return true;
  }

  std::string path() const {
    std::string p;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      if (i == 8) {  // a deep path is named by its start
        p += "...";
        break;
      }
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

// An upper bound of the nesting of a YAML text, found without parsing it
// (yaml-cpp 0.7.0 parses nested nodes recursively: it refuses beyond 500
// levels, as "bad file", but 300 levels already overflow a 64 KiB stack such
// as an SC_THREAD's). Block collections nest by indentation: each distinct
// deeper indentation may open two levels (a mapping, and a sequence at its
// key's column), and "- ", "? " and "key:" on one line open one each; flow
// collections count their open brackets. Block scalars and quoted text are
// skipped. Refuses the text, naming the line, when the bound passes the limit.
void check_yaml_depth(const std::string& text) {
  const std::size_t limit = 2 * kMaxDocumentDepth;
  std::vector<std::size_t> columns;  // indentations of the open block levels
  std::size_t flow = 0;              // open [ and {
  char quote = 0;                    // a quoted scalar that continues on the next line
  std::size_t block_scalar = SIZE_MAX;  // indentation of the line that began a block scalar
  std::size_t line_number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_number;
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '\r') continue;
    if (block_scalar != SIZE_MAX) {
      if (indent > block_scalar) continue;
      block_scalar = SIZE_MAX;
    }
    std::size_t i = 0;
    std::size_t on_line = 0;  // levels opened on this line by indicators and a key
    const bool block_line = quote == 0 && flow == 0;
    if (block_line) {
      if (line[indent] == '#') continue;
      while (!columns.empty() && columns.back() > indent) columns.pop_back();
      if (columns.empty() || columns.back() < indent) columns.push_back(indent);
      i = indent;
      const auto indicator = [&](std::size_t at) {
        return at < line.size() && (line[at] == '-' || line[at] == '?' || line[at] == ':') &&
               (at + 1 == line.size() || line[at + 1] == ' ' || line[at + 1] == '\t');
      };
      while (indicator(i)) {
        ++on_line;
        i = line.find_first_not_of(" \t", i + 1);
        if (i == std::string_view::npos) i = line.size();
      }
    }
    bool token_start = true;
    bool key_seen = false;
    std::size_t content_end = line.size();
    std::size_t deepest_flow = flow;
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (quote != 0) {
        if (quote == '"' && c == '\\') {
          ++i;
        } else if (c == quote) {
          if (quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
            ++i;
          } else {
            quote = 0;
          }
        }
        token_start = false;
        continue;
      }
      if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        content_end = i;
        break;
      }
      if ((c == '"' || c == '\'') && token_start) {
        quote = c;
      } else if ((c == '[' || c == '{') && (flow > 0 || token_start)) {
        deepest_flow = std::max(deepest_flow, ++flow);
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      } else if (c == ':' && flow == 0 && block_line && !key_seen &&
                 (i + 1 == line.size() || line[i + 1] == ' ' || line[i + 1] == '\t' || line[i + 1] == '\r')) {
        key_seen = true;
        ++on_line;
      }
      token_start = c == ' ' || c == '\t' || c == ',' || c == '[' || c == '{';
    }
    if (2 * columns.size() + on_line + deepest_flow > limit) {
      throw MemmapError("line " + std::to_string(line_number) + ": nested deeper than " +
                        std::to_string(kMaxDocumentDepth) + " levels (estimated from the text)");
    }
    // A block scalar ("|" or ">", maybe with indicators) ends the line: its
    // more-indented lines that follow are text.
    std::string_view content = line.substr(0, content_end);
    while (!content.empty() && (content.back() == ' ' || content.back() == '\t' || content.back() == '\r')) {
      content.remove_suffix(1);
    }
    std::size_t header = content.size();
    while (header > 0 && (std::isdigit(static_cast<unsigned char>(content[header - 1])) ||
                          content[header - 1] == '+' || content[header - 1] == '-')) {
      --header;
    }
    if (quote == 0 && flow == 0 && header > 0 && (content[header - 1] == '|' || content[header - 1] == '>') &&
        (header == 1 || content[header - 2] == ' ' || content[header - 2] == '\t')) {
      block_scalar = indent;
    }
  }
}

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
  check_yaml_depth(text);
  try {
    return from_yaml(YAML::Load(text), "");
  } catch (const YAML::Exception& e) {
    throw MemmapError(std::string("not valid YAML: ") + e.what());
  }
}

}  // namespace tlmmap::detail
