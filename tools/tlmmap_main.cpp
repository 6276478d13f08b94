// tlmmap: show, check and convert memmap files.
//
//   tlmmap mtree [-f] [-D] FILE   QEMU's `info mtree` for the map
//   tlmmap check FILE             findings; exit 0 clean, 1 findings, 2 refused file
//   tlmmap dot FILE               the region graph as Graphviz DOT
//   tlmmap export FILE            the map as a normalised memmap JSON document
//   tlmmap monitor FILE [SCRIPT]  commands over the map (docs/monitor.md), from SCRIPT or stdin
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "tlmmap/core/report.hpp"
#include "tlmmap/memmap/dot_writer.hpp"
#include "tlmmap/memmap/map_check.hpp"
#include "tlmmap/memmap/memmap_loader.hpp"
#include "tlmmap/memmap/memmap_writer.hpp"
#include "tlmmap/memmap/monitor.hpp"
#include "tlmmap/memmap/mtree.hpp"

namespace {

constexpr int kRefused = 2;

// One line on stderr for a file the loader refuses, never a stack trace.
std::unique_ptr<tlmmap::MemoryMap> load(const std::string& path) {
  try {
    return tlmmap::load_memmap_file(path);
  } catch (const tlmmap::Error& refusal) {
    std::cerr << "tlmmap: " << refusal.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "tlmmap: " << path << ": " << e.what() << "\n";
  }
  return nullptr;
}

int run_check(const tlmmap::MemoryMap& map, const std::string& path) {
  const auto findings = tlmmap::check_map(map);
  for (const auto& f : findings) std::cout << to_string(f.kind) << ": " << f.message << "\n";
  const auto count = [](std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  std::cout << path << ": " << (findings.empty() ? "no findings" : count(findings.size(), "finding")) << " ("
            << count(map.regions().size(), "region") << ", " << count(map.address_spaces().size(), "address space")
            << ")\n";
  return findings.empty() ? 0 : 1;
}

// Exit 0: every command ran; 1: some were refused; 2: the map or the script
// could not be read.
int run_monitor(tlmmap::MemoryMap& map, const std::string& script, tlmmap::MonitorOptions options) {
  std::ifstream file;
  if (!script.empty() && script != "-") {
    file.open(script);
    if (!file) {
      std::cerr << "tlmmap: " << script << ": cannot open the script\n";
      return kRefused;
    }
  } else {
    options.prompt = isatty(STDIN_FILENO) != 0;
  }
  tlmmap::Monitor monitor(map, std::cout, options);
  return monitor.run(file.is_open() ? static_cast<std::istream&>(file) : std::cin);
}

}  // namespace

// The tool needs no SystemC: it links tlmmap::core and tlmmap::memmap only.
int main(int argc, char* argv[]) {
  CLI::App app{"tlmmap: show, check and convert memory maps (memmap v1 files, JSON or YAML)"};
  app.require_subcommand(1);

  std::string file;
  bool flat = false;
  bool disabled = false;
  auto* mtree = app.add_subcommand("mtree", "print QEMU's `info mtree` for the map");
  mtree->add_flag("-f", flat, "the flat views (`info mtree -f`)");
  mtree->add_flag("-D", disabled, "also disabled regions (`info mtree -D`)");
  auto* check = app.add_subcommand("check", "report overlaps, hidden regions, aliases beyond their target, "
                                            "unreachable regions; exit 0 clean, 1 findings, 2 refused file");
  auto* dot = app.add_subcommand("dot", "write the region graph as Graphviz DOT");
  auto* exporter = app.add_subcommand("export", "write the map as a normalised memmap JSON document");
  auto* monitor = app.add_subcommand("monitor", "run monitor commands over the map (docs/monitor.md), read from "
                                                "SCRIPT or stdin; exit 0 all ran, 1 some refused, 2 refused file");
  for (auto* sub : {mtree, check, dot, exporter, monitor}) {
    sub->add_option("FILE", file, "memmap file (*.yaml/*.yml read as YAML, anything else as JSON)")->required();
  }
  std::string script;
  tlmmap::MonitorOptions monitor_options;
  monitor->add_option("SCRIPT", script, "command file (default, or -: stdin)");
  monitor->add_flag("-e,--echo", monitor_options.echo, "print each command line as \"(tlmmap) LINE\" before its output");
  monitor->add_flag("-s,--stop-on-error", monitor_options.stop_on_error, "stop at the first refused command");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : kRefused;
  }

  const auto map = load(file);
  if (!map) return kRefused;
  if (mtree->parsed()) {
    tlmmap::MtreeOptions options;
    options.flat_view = flat;
    options.show_disabled = disabled;
    std::cout << tlmmap::mtree_text(map->address_spaces(), options);
  } else if (check->parsed()) {
    return run_check(*map, file);
  } else if (dot->parsed()) {
    std::cout << tlmmap::write_dot(*map);
  } else if (exporter->parsed()) {
    std::cout << tlmmap::write_memmap(*map);
  } else if (monitor->parsed()) {
    return run_monitor(*map, script, monitor_options);
  }
  return 0;
}
