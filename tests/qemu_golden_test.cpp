// Golden tests: maps of real QEMU 7.2 machines (tests/qemu-cases/*), loaded
// from their memmap.json, must print what QEMU printed for them.
#include <dirent.h>

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/golden.hpp"
#include "tlmmap/memmap/memmap_loader.hpp"
#include "tlmmap/memmap/mtree.hpp"

namespace {

using tlmmap::test::flat_blocks;
using tlmmap::test::read_file;

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  if (DIR* dir = opendir(TLMMAP_QEMU_CASES_DIR)) {
    while (const dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name[0] == '.') continue;
      const std::string base = std::string(TLMMAP_QEMU_CASES_DIR) + "/" + name;
      if (!read_file(base + "/memmap.json").empty() && !read_file(base + "/flat.txt").empty()) {
        names.push_back(name);
      }
    }
    closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

class QemuCase : public ::testing::TestWithParam<std::string> {
 protected:
  std::string path(const std::string& file) const {
    return std::string(TLMMAP_QEMU_CASES_DIR) + "/" + GetParam() + "/" + file;
  }
  std::string print(bool flat, bool disabled) {
    auto map = tlmmap::load_memmap_file(path("memmap.json"));
    EXPECT_NE(map, nullptr);
    if (!map) return "";
    tlmmap::MtreeOptions options;
    options.flat_view = flat;
    options.show_disabled = disabled;
    return tlmmap::mtree_text(map->address_spaces(), options);
  }
};

TEST_P(QemuCase, FlatViewsMatchQemu) {
  EXPECT_EQ(flat_blocks(print(true, false)), flat_blocks(read_file(path("flat.txt"))));
}

// memmap files list address spaces in QEMU's printing order, so the trees
// (with the memory-region sections whose order follows from it) match byte for byte.
TEST_P(QemuCase, TreeWithDisabledMatchesQemu) {
  EXPECT_EQ(print(false, true), read_file(path("tree-D.txt")));
}

TEST_P(QemuCase, TreeMatchesQemu) { EXPECT_EQ(print(false, false), read_file(path("tree.txt"))); }

INSTANTIATE_TEST_SUITE_P(Machines, QemuCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
