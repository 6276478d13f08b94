// A flattened device tree built node by node with libfdt's read-write API.
// Nodes and properties are named by path ("/soc/serial@10000000"), so the
// order in which parts of the machine describe themselves does not matter.
// libfdt failures are reported (SC_REPORT_ERROR "tlmmap/virt") naming the
// node and property.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tlmmap::virt {

class DeviceTree {
 public:
  DeviceTree();

  // Adds `path` (its parent must exist); an existing node is kept.
  void add_node(const std::string& path);
  bool has_node(const std::string& path) const;

  void set_cells(const std::string& path, const std::string& name, const std::vector<uint32_t>& cells);
  void set_u32(const std::string& path, const std::string& name, uint32_t value) { set_cells(path, name, {value}); }
  void set_string(const std::string& path, const std::string& name, const std::string& value) {
    set_strings(path, name, {value});
  }
  void set_strings(const std::string& path, const std::string& name, const std::vector<std::string>& values);
  void set_empty(const std::string& path, const std::string& name);
  // `reg` with 2 address and 2 size cells per (base, size) pair.
  void set_reg(const std::string& path, const std::vector<std::pair<uint64_t, uint64_t>>& ranges);

  // The node's phandle, given one (and a `phandle` property) on first use.
  uint32_t phandle(const std::string& path);

  // The tree, packed; with free space at its end up to `at_least` bytes
  // (its header's totalsize) if it is smaller.
  std::vector<uint8_t> blob(std::size_t at_least = 0) const;

 private:
  int offset_of(const std::string& path) const;
  void check(int err, const std::string& what) const;
  // Runs a libfdt change, growing the buffer while it lacks space.
  void edit(const std::function<int()>& change, const std::string& what);

  std::vector<uint8_t> fdt_;
  uint32_t next_phandle_ = 1;
};

// Hex without leading zeros, as node unit addresses are written.
std::string unit_address(uint64_t address);

}  // namespace tlmmap::virt
