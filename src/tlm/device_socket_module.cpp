#include "tlmmap/tlm/tlm_device_region.hpp"

namespace tlmmap::detail {

std::string module_name_for(const std::string& region_name) {
  std::string out;
  for (char c : region_name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += plain ? c : '_';
  }
  return out.empty() ? "device" : out;
}

}  // namespace tlmmap::detail
