// Lifetimes: regions, address spaces, targets, observers and initiators torn
// down in hostile orders, before, during and after the simulation. Nothing
// may dangle (the ASan pass of CI runs these), and what stays observable
// follows the documented rules (region.hpp, address_space_target.hpp).
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <systemc>

#include "support/tlm_devices.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::MemoryDevice;
using test::RecordingInitiator;

// Collects the map's warnings instead of printing them.
struct Warnings {
  Warnings() {
    set_report_handler([this](Severity severity, const char* type, const std::string& message) {
      if (severity == Severity::error) throw Error(type, message);
      seen.push_back(message);
    });
  }
  ~Warnings() { report_through_systemc(); }
  std::vector<std::string> seen;
};

TEST(Lifetime, RamDestroyedInsideATransactionStaysReadableUntilTheCommit) {
  ContainerRegion root("root", 0x10000);
  auto ram = std::make_unique<RamRegion>("ram", 0x1000);
  root.add_subregion(0x1000, *ram);
  AddressSpace space(root, "as");
  const uint32_t pattern = 0x11223344;
  ASSERT_EQ(space.write(0x1010, &pattern, 4), MemTxResult::ok);
  transaction_begin();
  ram.reset();
  // The view of before the transaction still shows it, with its memory.
  uint32_t value = 0;
  EXPECT_EQ(space.read(0x1010, &value, 4), MemTxResult::ok);
  EXPECT_EQ(value, pattern);
  ASSERT_NE(space.lookup(0x1010), nullptr);
  EXPECT_EQ(space.lookup(0x1010)->region(), nullptr);  // its object is gone
  EXPECT_EQ(space.lookup(0x1010)->region_name(), "ram");
  transaction_commit();
  EXPECT_EQ(space.read(0x1010, &value, 4), MemTxResult::decode_error);
  EXPECT_TRUE(space.view().empty());
}

TEST(Lifetime, DestroyedDeviceIsNeverCalledThroughAnOldView) {
  Warnings warnings;
  ContainerRegion root("root", 0x10000);
  int calls = 0;
  MmioOps ops;
  ops.read = [&calls](uint64_t, unsigned) { return ++calls; };
  auto dev = std::make_unique<MmioRegion>("dev", 0x100, ops);
  root.add_subregion(0x2000, *dev);
  AddressSpace space(root, "as");
  uint64_t value = 0;
  ASSERT_EQ(space.load(0x2000, 4, value), MemTxResult::ok);
  EXPECT_EQ(calls, 1);
  {
    Transaction t;
    dev.reset();
    EXPECT_EQ(space.load(0x2000, 4, value), MemTxResult::decode_error);
    EXPECT_EQ(value, 0u);
  }
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(warnings.seen.size(), 1u);
  EXPECT_THAT(warnings.seen[0], HasSubstr("'dev', which has been destroyed"));
}

// Through TLM the same holds: the target forgets its cached route to the
// device (and the DMI grants into it) at once, not at the commit.
TEST(Lifetime, ATlmDeviceDestroyedInsideATransactionIsNeverCalledAgain) {
  Bus<64> bus{"bus"};
  RecordingInitiator<64> cpu{"cpu"};
  MemoryDevice<32> device{"device", 0x100};
  auto window = std::make_unique<TlmDeviceRegion<32>>("window", 0x100);
  cpu.socket.bind(bus.target_socket);
  window->socket.bind(device.socket);
  bus.map(0x1000, *window);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  Warnings warnings;  // after elaboration, which installs the SystemC report handler
  uint8_t data[4] = {};
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x1010, data, 4), tlm::TLM_OK_RESPONSE);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(cpu.dmi(0x1010, dmi));
  ASSERT_EQ(device.seen_addresses.size(), 1u);
  {
    Transaction t;
    window.reset();
    EXPECT_THAT(cpu.invalidations, ElementsAre(std::make_pair(0x1000ull, 0x10ffull)));
    EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x1010, data, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(device.seen_addresses.size(), 1u) << "the device of the destroyed window was called";
  }
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x1010, data, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(device.seen_addresses.size(), 1u);
  ASSERT_EQ(warnings.seen.size(), 1u);
  EXPECT_THAT(warnings.seen[0], HasSubstr("'window', which has been destroyed"));
}

TEST(Lifetime, SectionOutlivesItsRegionAndTheMap) {
  Section section;
  {
    ContainerRegion root("root", 0x10000);
    RamRegion ram("ram", 0x1000);
    root.add_subregion(0x3000, ram);
    AddressSpace space(root, "as");
    section = space.find(0x3100, 0x10);
    ASSERT_TRUE(section);
    EXPECT_EQ(section.region(), &ram);
  }
  EXPECT_TRUE(section);
  EXPECT_EQ(section.region(), nullptr);
  EXPECT_EQ(section.range->region_name(), "ram");
  EXPECT_EQ(section.range->route(false).kind, RouteKind::memory);
  // Its memory is still there for whoever holds the section.
  uint8_t* host = section.range->route(false).host;
  host[0x100] = 0x5a;
  EXPECT_EQ(host[0x100], 0x5a);
}

TEST(Lifetime, ViewKeepsEveryRegionItNamesAlive) {
  std::shared_ptr<const FlatView> view;
  {
    ContainerRegion root("root", 0x10000);
    std::vector<std::unique_ptr<RamRegion>> rams;
    for (int i = 0; i < 8; ++i) {
      rams.push_back(std::make_unique<RamRegion>("ram" + std::to_string(i), 0x100));
      root.add_subregion(static_cast<uint64_t>(i) * 0x1000, *rams.back());
    }
    AddressSpace space(root, "as");
    view = space.flat_view();
    // Destroyed one by one: every change renders a new view, the old one is ours.
    while (!rams.empty()) rams.pop_back();
    EXPECT_TRUE(space.view().empty());
  }
  ASSERT_EQ(view->ranges().size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(view->ranges()[i].region(), nullptr);
    EXPECT_EQ(view->ranges()[i].region_name(), "ram" + std::to_string(i));
    EXPECT_NE(view->ranges()[i].route(true).host, nullptr);
  }
}

TEST(Lifetime, AliasAndSpaceOfADestroyedTargetShowNothing) {
  ContainerRegion root("root", 0x10000);
  auto ram = std::make_unique<RamRegion>("ram", 0x1000);
  AliasRegion alias("alias", *ram, 0, 0x1000);
  root.add_subregion(0x0, *ram);
  root.add_subregion(0x4000, alias);
  AddressSpace space(root, "as");
  AddressSpace rooted(*ram, "rooted");
  EXPECT_EQ(space.view().ranges().size(), 2u);
  ram.reset();
  EXPECT_EQ(alias.alias_target(), nullptr);
  EXPECT_TRUE(space.view().empty());
  EXPECT_EQ(rooted.root(), nullptr);
  EXPECT_TRUE(rooted.view().empty());
}

TEST(Lifetime, RegionDestroyedFromItsOwnCallback) {
  ContainerRegion root("root", 0x10000);
  std::unique_ptr<MmioRegion> dev;
  MmioOps ops;
  ops.write = [&dev](uint64_t, uint64_t, unsigned) { dev.reset(); };
  dev = std::make_unique<MmioRegion>("dev", 0x100, ops);
  root.add_subregion(0x100, *dev);
  AddressSpace space(root, "as");
  EXPECT_EQ(space.store(0x100, 4, 1), MemTxResult::ok);
  EXPECT_EQ(dev, nullptr);
  EXPECT_TRUE(space.view().empty());
}

TEST(Lifetime, OpsReplacedFromTheirOwnCallback) {
  ContainerRegion root("root", 0x10000);
  MmioRegion dev("dev", 0x100);
  int second = 0;
  MmioOps first_ops;
  first_ops.write = [&](uint64_t, uint64_t, unsigned) {
    MmioOps next;
    next.write = [&second](uint64_t, uint64_t, unsigned) { ++second; };
    dev.set_ops(next);  // destroys nothing that runs now
  };
  dev.set_ops(first_ops);
  root.add_subregion(0x100, dev);
  AddressSpace space(root, "as");
  EXPECT_EQ(space.store(0x100, 4, 1), MemTxResult::ok);
  EXPECT_EQ(space.store(0x100, 4, 1), MemTxResult::ok);
  EXPECT_EQ(second, 1);
}

struct CountingObserver : ViewObserver {
  void view_changed(const AddressSpace&, const ViewChange&) override { ++changes; }
  void space_destroyed(const AddressSpace&) override { ++destroyed; }
  int changes = 0;
  int destroyed = 0;
};

TEST(Lifetime, ObserversAndSpacesGoInAnyOrder) {
  ContainerRegion root("root", 0x10000);
  RamRegion ram("ram", 0x100);
  auto space = std::make_unique<AddressSpace>(root, "as");
  auto early = std::make_unique<CountingObserver>();
  CountingObserver late;
  space->add_observer(*early);
  space->add_observer(late);
  early.reset();  // forgotten by the space
  root.add_subregion(0, ram);
  EXPECT_EQ(late.changes, 1);
  space.reset();  // the view goes empty, then the space goes
  EXPECT_EQ(late.changes, 2);
  EXPECT_EQ(late.destroyed, 1);
}

struct SelfRemovingObserver : ViewObserver {
  explicit SelfRemovingObserver(AddressSpace& s) : space(s) { space.add_observer(*this); }
  void view_changed(const AddressSpace&, const ViewChange&) override {
    ++changes;
    space.remove_observer(*this);
    other.reset();  // and destroys another observer while being told
  }
  AddressSpace& space;
  std::unique_ptr<CountingObserver> other;
  int changes = 0;
};

TEST(Lifetime, ObserverLeavesAndDestroysAnotherFromACallback) {
  ContainerRegion root("root", 0x10000);
  RamRegion ram("ram", 0x100);
  AddressSpace space(root, "as");
  SelfRemovingObserver first(space);
  first.other = std::make_unique<CountingObserver>();
  space.add_observer(*first.other);
  root.add_subregion(0, ram);
  root.del_subregion(ram);
  EXPECT_EQ(first.changes, 1);
  EXPECT_EQ(first.other, nullptr);
}

// --- the TLM face ----------------------------------------------------------

// A platform whose parts are all owned separately, to be torn down in any order.
struct Parts {
  std::unique_ptr<ContainerRegion> root = std::make_unique<ContainerRegion>("root", k64BitSpace);
  std::unique_ptr<RamRegion> ram = std::make_unique<RamRegion>("ram", 0x1000);
  std::unique_ptr<AddressSpace> space = std::make_unique<AddressSpace>(*root, "memory");
  std::unique_ptr<AddressSpaceTarget<64>> bus = std::make_unique<AddressSpaceTarget<64>>("bus", *space);
  std::unique_ptr<RecordingInitiator<64>> cpu = std::make_unique<RecordingInitiator<64>>("cpu");
  std::unique_ptr<RecordingInitiator<64>> dma = std::make_unique<RecordingInitiator<64>>("dma");
  std::unique_ptr<MemoryDevice<32>> device = std::make_unique<MemoryDevice<32>>("device", 0x1000);
  std::unique_ptr<TlmDeviceRegion<32>> window = std::make_unique<TlmDeviceRegion<32>>("window", 0x1000);

  Parts() {
    cpu->socket.bind(bus->target_socket);
    dma->socket.bind(bus->target_socket);
    window->socket.bind(device->socket);
    root->add_subregion(0x1000, *ram);
    root->add_subregion(0x10000, *window);
  }
  // Both initiators take DMI over the RAM and the device.
  void grab() {
    tlm::tlm_dmi dmi;
    for (auto* initiator : {cpu.get(), dma.get()}) {
      if (initiator == nullptr) continue;
      EXPECT_TRUE(initiator->dmi(0x1000, dmi));
      EXPECT_TRUE(initiator->dmi(0x10000, dmi));
    }
  }
};

TEST(Lifetime, TeardownAfterStarvationWithAnInitiatorGone) {
  Parts p;
  sc_core::sc_start();  // returns by starvation: the end of simulation is not invoked
  p.grab();
  p.cpu.reset();
  p.window.reset();  // the view changes: only the live initiator is told
  EXPECT_THAT(p.dma->invalidations, ElementsAre(std::make_pair(0x10000ull, 0x10fffull)));
  p.ram.reset();
  EXPECT_THAT(p.dma->invalidations,
              ElementsAre(std::make_pair(0x10000ull, 0x10fffull), std::make_pair(0x1000ull, 0x1fffull)));
  p.bus.reset();
  p.space.reset();
}

TEST(Lifetime, TargetOutlivesItsAddressSpace) {
  Parts p;
  sc_core::sc_start();
  p.grab();
  p.space.reset();  // the view goes empty: every grant is withdrawn
  EXPECT_FALSE(p.cpu->invalidations.empty());
  uint32_t value = 0;
  EXPECT_EQ(p.cpu->transport(tlm::TLM_READ_COMMAND, 0x1000, &value, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(p.cpu->transport(tlm::TLM_READ_COMMAND, 0x10000, &value, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(p.cpu->debug(tlm::TLM_READ_COMMAND, 0x1000, &value, 4), 0u);
  tlm::tlm_dmi dmi;
  EXPECT_FALSE(p.cpu->dmi(0x1000, dmi));
  EXPECT_EQ(p.bus->space(), nullptr);
  // The regions are destroyed after their address space and its target.
  p.ram.reset();
  p.window.reset();
}

TEST(Lifetime, TargetGoesFirstAndWithdrawsItsGrants) {
  Parts p;
  sc_core::sc_start();
  p.grab();
  p.bus.reset();
  // Nobody could tell them about later changes: they dropped what it gave.
  EXPECT_THAT(p.cpu->invalidations, ElementsAre(std::make_pair(0ull, ~0ull)));
  EXPECT_THAT(p.dma->invalidations, ElementsAre(std::make_pair(0ull, ~0ull)));
  p.ram.reset();
  p.window.reset();
  EXPECT_EQ(p.cpu->invalidations.size(), 1u);
}

TEST(Lifetime, InitiatorsGoFirstThenTheTarget) {
  Parts p;
  sc_core::sc_start();
  p.grab();
  p.cpu.reset();
  p.dma.reset();
  p.bus.reset();  // its withdrawal reaches no dead initiator
  p.device.reset();
  p.window.reset();
}

TEST(Lifetime, DeviceDestroyedBeforeItsWindowDuringSimulation) {
  Parts p;
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  p.grab();
  // The window goes while the simulation can still run: every initiator is told.
  p.window.reset();
  EXPECT_THAT(p.cpu->invalidations, ElementsAre(std::make_pair(0x10000ull, 0x10fffull)));
  p.device.reset();
  uint32_t value = 0;
  EXPECT_EQ(p.cpu->transport(tlm::TLM_READ_COMMAND, 0x10000, &value, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

// Every part destroyed in a random order after the simulation, with map
// changes in between: nothing may be used after it died (the ASan pass).
class RandomTeardown : public ::testing::TestWithParam<int> {};

TEST_P(RandomTeardown, AnyOrderIsSafe) {
  std::mt19937 rng(static_cast<unsigned>(GetParam()));
  Parts p;
  auto extra = std::make_unique<RamRegion>("extra", 0x100);
  auto alias = std::make_unique<AliasRegion>("alias", *p.ram, 0x100, 0x100);
  p.root->add_subregion(0x20000, *extra);
  p.root->add_subregion(0x30000, *alias);
  if (rng() % 2 == 0) {
    sc_core::sc_start();
  } else {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  p.grab();
  tlm::tlm_dmi dmi;
  if (p.cpu) p.cpu->dmi(0x30000, dmi);
  std::vector<std::function<void()>> steps = {
      [&] { p.root.reset(); },   [&] { p.ram.reset(); },    [&] { p.space.reset(); },
      [&] { p.bus.reset(); },    [&] { p.cpu.reset(); },    [&] { p.dma.reset(); },
      [&] { p.device.reset(); }, [&] { p.window.reset(); }, [&] { extra.reset(); },
      [&] { alias.reset(); },
  };
  std::shuffle(steps.begin(), steps.end(), rng);
  for (auto& step : steps) {
    step();
    // Whatever is left keeps working.
    if (p.dma && p.bus) {
      uint32_t value = 0;
      p.dma->transport(tlm::TLM_READ_COMMAND, 0x1000, &value, 4);
      p.dma->dmi(0x1000, dmi);
    }
    if (extra && p.root && extra->container() == nullptr) p.root->add_subregion(0x20000, *extra);
    if (alias) alias->set_enabled(!alias->enabled());
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomTeardown, ::testing::Range(1, 13));

}  // namespace
}  // namespace tlmmap
