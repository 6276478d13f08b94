// tlmmap: show, check and convert memmap files.
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <systemc>

#include "tlmmap/memmap_loader.hpp"
#include "tlmmap/mtree.hpp"

namespace {

std::unique_ptr<tlmmap::MemoryMap> load_or_exit(const std::string& path) {
  try {
    auto map = tlmmap::load_memmap_file(path);
    if (map) return map;
  } catch (const sc_core::sc_report& report) {
    std::cerr << "tlmmap: " << report.get_msg() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "tlmmap: " << path << ": " << e.what() << "\n";
  }
  std::exit(2);
}

}  // namespace

// libsystemc links in a main() that prints SystemC's banner on stdout before
// calling sc_main(); the tool elaborates nothing and has its own main().
int sc_main(int, char*[]) { return 0; }

int main(int argc, char* argv[]) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  CLI::App app{"tlmmap: show, check and convert memory maps (memmap v1 files)"};
  app.require_subcommand(1);

  std::string file;
  bool flat = false;
  bool disabled = false;
  auto* mtree = app.add_subcommand("mtree", "print QEMU's `info mtree` for the map");
  mtree->add_flag("-f", flat, "flat views (`info mtree -f`)");
  mtree->add_flag("-D", disabled, "also disabled regions (`info mtree -D`)");
  mtree->add_option("FILE", file, "memmap file (.json, .yaml)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (mtree->parsed()) {
    auto map = load_or_exit(file);
    tlmmap::MtreeOptions options;
    options.flat_view = flat;
    options.show_disabled = disabled;
    std::cout << tlmmap::mtree_text(map->address_spaces(), options);
    return 0;
  }
  return 0;
}
