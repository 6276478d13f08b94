// `tlmmap monitor` against the C++ API, in the same run:
//
//   changes/10k/cpp          10,000 map changes made by C++ calls on regions held by reference
//   changes/10k/monitor      the same changes as monitor command lines (parsed, names looked up)
//   changes/10k/cpp/batched       the same, all inside one transaction
//   changes/10k/monitor/batched   (begin ... commit through the monitor)
//
// The changes are a guest's remap sequence over 100 windows of a 1 MiB RAM
// (aliases in a container, as PCI BARs and PAM windows are): moves, disables,
// read-only toggles, alias offsets and priorities, ten kinds in turn, so the
// map is back where it started after the 10,000. Each one outside a
// transaction renders the view at once; batched, one render at the end.
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "median_times.hpp"

#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/transaction.hpp"
#include "tlmmap/memmap/memmap_loader.hpp"
#include "tlmmap/memmap/monitor.hpp"

namespace {

constexpr int kWindows = 100;
constexpr int kChanges = 10000;

std::string board() {
  std::string subs;
  std::string windows;
  for (int w = 0; w < kWindows; ++w) {
    const std::string id = "bar" + std::to_string(w);
    subs += std::string(w == 0 ? "" : ", ") + R"({"region": ")" + id + R"(", "offset": ")" +
            tlmmap::hex(uint64_t(w) * 0x10000) + R"("})";
    windows += R"(, {"id": ")" + id + R"(", "kind": "alias", "size": "0x1000", "target": "ram", "target_offset": ")" +
               tlmmap::hex(uint64_t(w) * 0x1000) + R"("})";
  }
  return R"({"memmap": 1, "regions": [{"id": "pci", "kind": "container", "size": "0x10000000", "subregions": [)" +
         subs + R"(]}, {"id": "ram", "kind": "ram", "size": "0x100000"})" + windows +
         R"(], "address_spaces": [{"name": "memory", "root": "pci"}]})";
}

struct Change {
  int window;
  int kind;  // 0..9: the ten kinds below
};

std::vector<Change> changes() {
  std::vector<Change> list;
  for (int i = 0; i < kChanges; ++i) list.push_back({i % kWindows, (i / kWindows) % 10});
  return list;
}

uint64_t home(int w) { return uint64_t(w) * 0x10000; }

std::string line(const Change& c) {
  const std::string id = "bar" + std::to_string(c.window);
  switch (c.kind) {
    case 0: return "move " + id + " " + tlmmap::hex(home(c.window) + 0x8000);
    case 1: return "move " + id + " " + tlmmap::hex(home(c.window));
    case 2: return "disable " + id;
    case 3: return "enable " + id;
    case 4: return "readonly " + id + " on";
    case 5: return "readonly " + id + " off";
    case 6: return "alias_offset " + id + " 0x80000";
    case 7: return "alias_offset " + id + " " + tlmmap::hex(uint64_t(c.window) * 0x1000);
    case 8: return "priority " + id + " 1";
    default: return "priority " + id + " 0";
  }
}

void apply(tlmmap::AliasRegion& r, const Change& c) {
  switch (c.kind) {
    case 0: r.set_address(home(c.window) + 0x8000); break;
    case 1: r.set_address(home(c.window)); break;
    case 2: r.set_enabled(false); break;
    case 3: r.set_enabled(true); break;
    case 4: r.set_readonly(true); break;
    case 5: r.set_readonly(false); break;
    case 6: r.set_alias_offset(0x80000); break;
    case 7: r.set_alias_offset(uint64_t(c.window) * 0x1000); break;
    case 8:
    case 9: {
      // What the monitor's `priority` does: re-add at the same offset.
      tlmmap::Region& container = *r.container();
      tlmmap::Transaction t;
      container.del_subregion(r);
      container.add_subregion_placed(r.address(), r, c.kind == 8 ? 1 : 0, r.may_overlap());
      break;
    }
  }
}

std::unique_ptr<tlmmap::MemoryMap>& map() {
  static auto* m = new std::unique_ptr<tlmmap::MemoryMap>();
  return *m;
}

void BM_cpp(benchmark::State& state, bool batched) {
  const std::vector<Change> list = changes();
  std::vector<tlmmap::AliasRegion*> windows;
  for (int w = 0; w < kWindows; ++w) {
    windows.push_back(static_cast<tlmmap::AliasRegion*>(map()->region("bar" + std::to_string(w))));
  }
  for (auto _ : state) {
    if (batched) tlmmap::transaction_begin();
    for (const Change& c : list) apply(*windows[c.window], c);
    if (batched) tlmmap::transaction_commit();
  }
  state.SetItemsProcessed(state.iterations() * kChanges);
}

void BM_monitor(benchmark::State& state, bool batched) {
  std::vector<std::string> lines;
  for (const Change& c : changes()) lines.push_back(line(c));
  std::ostringstream out;
  tlmmap::Monitor monitor(*map(), out);
  bool ok = true;
  for (auto _ : state) {
    if (batched) ok &= monitor.execute("begin");
    for (const std::string& l : lines) ok &= monitor.execute(l);
    if (batched) ok &= monitor.execute("commit");
  }
  state.SetItemsProcessed(state.iterations() * kChanges);
  if (!ok || !out.str().empty()) state.SkipWithError(("a command was refused: " + out.str().substr(0, 200)).c_str());
}

class RatioReporter : public tlmmap::bench::MedianTimes {
 public:
  void Finalize() override {
    ConsoleReporter::Finalize();
    GetOutputStream() << "\nsummary (CPU time of 10,000 changes through the monitor against the same C++ calls, ms)\n";
    print_ratio("changes/10k/monitor", "changes/10k/cpp");
    print_ratio("changes/10k/monitor/batched", "changes/10k/cpp/batched");
  }
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  map() = tlmmap::load_memmap_json(board(), "monitor_bench");
  for (bool batched : {false, true}) {
    const std::string suffix = batched ? "/batched" : "";
    benchmark::RegisterBenchmark(("changes/10k/cpp" + suffix).c_str(), BM_cpp, batched)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("changes/10k/monitor" + suffix).c_str(), BM_monitor, batched)
        ->Unit(benchmark::kMillisecond);
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  map().reset();
  return 0;
}
