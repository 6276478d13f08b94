// Readers on other host threads (ViewReader) while SystemC changes the map:
// run under ThreadSanitizer in CI. A CPU model on its own thread reads RAM
// through pinned views this way; MMIO goes back to the SystemC thread.
//
// The SystemC side drives the changes from an SC_METHOD (methods run on the
// kernel's own stack), so ThreadSanitizer sees only the readers' threads and
// the kernel's thread.
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>

#include "support/test_env.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

constexpr uint64_t kSlot = 0x10000;
constexpr int kSlots = 16;
constexpr uint64_t kRamSize = 0x1000;

// Region i is always filled with byte i + 1, and named "ram<i>": a reader
// checks that what a pinned view names and what it reads agree.
std::unique_ptr<RamRegion> make_ram(int i) {
  auto ram = std::make_unique<RamRegion>("ram" + std::to_string(i), kRamSize);
  std::memset(ram->host_ptr(), i + 1, kRamSize);
  return ram;
}

struct Reader {
  explicit Reader(const AddressSpace& space) : view_reader(space) {}

  void run(const std::atomic<bool>& stop, uint64_t seed) {
    uint64_t x = seed;
    while (!stop.load(std::memory_order_relaxed)) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      const int slot = static_cast<int>((x >> 33) % kSlots);
      const uint64_t address = static_cast<uint64_t>(slot) * kSlot + (x >> 50) % kRamSize;
      auto pin = view_reader.pin();
      const FlatView& view = pin.view();
      // The view is whole: sorted, apart, each range inside its region.
      for (std::size_t i = 1; i < view.ranges().size(); ++i) {
        if (view.ranges()[i - 1].last >= view.ranges()[i].first) ++errors;
      }
      const FlatRange* r = view.lookup(address);
      if (r == nullptr) {
        ++misses;
        continue;
      }
      const Route route = r->route(false);
      if (route.kind != RouteKind::memory) {
        ++errors;
        continue;
      }
      const uint8_t byte = route.host[address - r->first];
      const std::string& name = r->region_name();
      if (name != "ram" + std::to_string(byte - 1)) ++errors;
      ++hits;
    }
  }

  ViewReader view_reader;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t errors = 0;
};

// Changes the map from a method: enables, moves, whole new regions and
// destroyed ones, single changes and transactions.
struct Changer : sc_core::sc_module {
  SC_HAS_PROCESS(Changer);
  Changer(sc_core::sc_module_name name, ContainerRegion& r, int changes)
      : sc_core::sc_module(name), root(r), remaining(changes) {
    for (int i = 0; i < kSlots; ++i) {
      rams.push_back(make_ram(i));
      root.add_subregion(static_cast<uint64_t>(i) * kSlot, *rams.back());
    }
    SC_METHOD(step);
  }

  void step() {
    if (remaining-- <= 0) return;
    x = x * 2862933555777619635ULL + 3037000493ULL;
    const int i = static_cast<int>((x >> 40) % kSlots);
    switch ((x >> 20) % 4) {
      case 0:
        rams[i]->set_enabled(!rams[i]->enabled());
        break;
      case 1: {
        // Destroyed and made again while readers may hold it.
        rams[i].reset();
        rams[i] = make_ram(i);
        root.add_subregion(static_cast<uint64_t>(i) * kSlot, *rams[i]);
        break;
      }
      case 2: {
        Transaction t;
        const int j = (i + 1) % kSlots;
        rams[i]->set_address(rams[i]->address() == static_cast<uint64_t>(i) * kSlot ? i * kSlot + 0x8000
                                                                                      : i * kSlot);
        rams[j]->set_enabled(!rams[j]->enabled());
        break;
      }
      default:
        rams[i]->set_latency(std::chrono::nanoseconds(x % 7), std::chrono::nanoseconds(x % 5));
        break;
    }
    ++done;
    next_trigger(1, sc_core::SC_NS);
  }

  ContainerRegion& root;
  std::vector<std::unique_ptr<RamRegion>> rams;
  int remaining;
  int done = 0;
  uint64_t x = 1;
};

TEST(ViewReader, ThreadsReadWhileSystemCChangesTheMap) {
  const int changes = static_cast<int>(test::env_number("TLMMAP_READER_CHANGES", 20000));
  ContainerRegion root("root", k64BitSpace);
  AddressSpace space(root, "memory");
  Changer changer("changer", root, changes);
  std::vector<std::unique_ptr<Reader>> readers;
  for (int i = 0; i < 3; ++i) readers.push_back(std::make_unique<Reader>(space));
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < readers.size(); ++i) {
    threads.emplace_back([&, i] { readers[i]->run(stop, 0x1234 + i); });
  }
  sc_core::sc_start();
  stop.store(true);
  for (auto& t : threads) t.join();
  EXPECT_EQ(changer.done, changes);
  for (const auto& r : readers) {
    EXPECT_EQ(r->errors, 0u);
    EXPECT_GT(r->hits, 0u);
  }
}

TEST(ViewReader, PinnedViewSurvivesTheSpaceAndItsRegions) {
  auto root = std::make_unique<ContainerRegion>("root", k64BitSpace);
  auto ram = make_ram(3);
  root->add_subregion(0x3000, *ram);
  auto space = std::make_unique<AddressSpace>(*root, "memory");
  ViewReader reader(*space);
  std::thread holder([&] {
    auto pin = reader.pin();
    // The map goes away on the other thread meanwhile (joined below).
    const FlatRange* r = pin.view().lookup(0x3010);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->route(false).host[0x10], 4);
  });
  holder.join();
  {
    auto pin = reader.pin();
    space.reset();
    ram.reset();
    root.reset();
    // What was pinned before is still whole.
    const FlatRange* r = pin.view().lookup(0x3010);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->region_name(), "ram3");
    EXPECT_EQ(r->route(false).host[0x10], 4);
  }
  // A new pin sees the space's last view: empty.
  EXPECT_TRUE(reader.pin().view().empty());
}

}  // namespace
}  // namespace tlmmap
