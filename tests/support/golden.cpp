#include "support/golden.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace tlmmap::test {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

std::vector<std::vector<std::string>> split_blocks(const std::string& text) {
  std::vector<std::vector<std::string>> blocks(1);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
    } else {
      blocks.back().push_back(line);
    }
  }
  if (blocks.back().empty()) blocks.pop_back();
  return blocks;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

std::vector<std::string> flat_blocks(const std::string& text) {
  std::vector<std::string> out;
  for (auto block : split_blocks(text)) {
    if (!block.empty() && block[0].rfind("FlatView #", 0) == 0) block[0] = "FlatView #";
    auto first_as = std::find_if(block.begin(), block.end(), [](const std::string& l) { return l.rfind(" AS ", 0) == 0; });
    auto end_as = std::find_if(first_as, block.end(), [](const std::string& l) { return l.rfind(" AS ", 0) != 0; });
    std::sort(first_as, end_as);
    out.push_back(join(block));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> tree_blocks(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& block : split_blocks(text)) out.push_back(join(block));
  // memory-region sections keep their order relative to each other; only the
  // address-space groups are compared as a set.
  std::vector<std::string> groups;
  std::vector<std::string> sections;
  for (auto& b : out) (b.rfind("memory-region: ", 0) == 0 ? sections : groups).push_back(b);
  std::sort(groups.begin(), groups.end());
  groups.insert(groups.end(), sections.begin(), sections.end());
  return groups;
}

}  // namespace tlmmap::test
