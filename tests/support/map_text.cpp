#include "support/map_text.hpp"

namespace tlmmap::test {

std::vector<std::string> ranges(const FlatView& view) {
  std::vector<std::string> out;
  for (const FlatRange& r : view.ranges()) {
    std::string line = hex(r.first) + "-" + hex(r.last) + " " + r.region()->name();
    if (r.offset_within_region != 0) line += "@" + hex(r.offset_within_region);
    if (r.readonly) line += " ro";
    if (!r.romd_mode) line += " !romd";
    out.push_back(line);
  }
  return out;
}

}  // namespace tlmmap::test
