// Comparing `info mtree` text with QEMU's, up to what QEMU leaves to a hash
// table: the order of address-space groups / flat-view blocks, the numbers
// of the blocks, and (for flat views) the order of the AS lines in a block,
// since memmap files list address spaces in tree order, not creation order.
#pragma once

#include <string>
#include <vector>

namespace tlmmap::test {

std::string read_file(const std::string& path);

// Blank-line separated blocks, each normalised; sorted.
std::vector<std::string> flat_blocks(const std::string& text);
std::vector<std::string> tree_blocks(const std::string& text);

}  // namespace tlmmap::test
