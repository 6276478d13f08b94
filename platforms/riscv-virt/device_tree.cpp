#include "device_tree.hpp"

#include <cstdio>

#include <systemc>

extern "C" {
#include <libfdt.h>
}

namespace tlmmap::virt {

namespace {
constexpr std::size_t kInitialSize = 64 * 1024;
}

DeviceTree::DeviceTree() : fdt_(kInitialSize) {
  check(fdt_create_empty_tree(fdt_.data(), static_cast<int>(fdt_.size())), "creating the tree");
}

void DeviceTree::edit(const std::function<int()>& change, const std::string& what) {
  int err;
  while ((err = change()) == -FDT_ERR_NOSPACE) {
    fdt_.resize(fdt_.size() * 2);
    check(fdt_open_into(fdt_.data(), fdt_.data(), static_cast<int>(fdt_.size())), "growing the tree");
  }
  check(err, what);
}

void DeviceTree::check(int err, const std::string& what) const {
  if (err >= 0) return;
  const std::string message = "device tree: " + what + ": " + fdt_strerror(err);
  SC_REPORT_ERROR("tlmmap/virt", message.c_str());
}

int DeviceTree::offset_of(const std::string& path) const {
  const int offset = fdt_path_offset(fdt_.data(), path.c_str());
  check(offset, "no node " + path);
  return offset;
}

bool DeviceTree::has_node(const std::string& path) const { return fdt_path_offset(fdt_.data(), path.c_str()) >= 0; }

void DeviceTree::add_node(const std::string& path) {
  if (has_node(path)) return;
  const std::size_t slash = path.rfind('/');
  const std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  const std::string name = path.substr(slash + 1);
  edit([&] { return fdt_add_subnode(fdt_.data(), offset_of(parent), name.c_str()); }, "adding " + path);
}

void DeviceTree::set_cells(const std::string& path, const std::string& name, const std::vector<uint32_t>& cells) {
  std::vector<fdt32_t> big(cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) big[i] = cpu_to_fdt32(cells[i]);
  edit([&] { return fdt_setprop(fdt_.data(), offset_of(path), name.c_str(), big.data(), static_cast<int>(big.size() * sizeof(fdt32_t))); }, path + " property " + name);
}

void DeviceTree::set_strings(const std::string& path, const std::string& name, const std::vector<std::string>& values) {
  std::string joined;
  for (const auto& v : values) joined.append(v).push_back('\0');
  edit([&] { return fdt_setprop(fdt_.data(), offset_of(path), name.c_str(), joined.data(), static_cast<int>(joined.size())); }, path + " property " + name);
}

void DeviceTree::set_empty(const std::string& path, const std::string& name) {
  edit([&] { return fdt_setprop(fdt_.data(), offset_of(path), name.c_str(), nullptr, 0); }, path + " property " + name);
}

void DeviceTree::set_reg(const std::string& path, const std::vector<std::pair<uint64_t, uint64_t>>& ranges) {
  std::vector<uint32_t> cells;
  for (const auto& [base, size] : ranges) {
    cells.insert(cells.end(), {static_cast<uint32_t>(base >> 32), static_cast<uint32_t>(base),
                               static_cast<uint32_t>(size >> 32), static_cast<uint32_t>(size)});
  }
  set_cells(path, "reg", cells);
}

uint32_t DeviceTree::phandle(const std::string& path) {
  const uint32_t existing = fdt_get_phandle(fdt_.data(), offset_of(path));
  if (existing != 0) return existing;
  const uint32_t made = next_phandle_++;
  set_u32(path, "phandle", made);
  return made;
}

std::vector<uint8_t> DeviceTree::blob(std::size_t at_least) const {
  std::vector<uint8_t> packed = fdt_;
  check(fdt_pack(packed.data()), "packing");
  packed.resize(fdt_totalsize(packed.data()));
  if (packed.size() < at_least) {
    std::vector<uint8_t> padded(at_least, 0);
    check(fdt_open_into(packed.data(), padded.data(), static_cast<int>(at_least)), "padding");
    return padded;
  }
  return packed;
}

std::string unit_address(uint64_t address) {
  char text[24];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(address));
  return text;
}

}  // namespace tlmmap::virt
