// Coalesced MMIO (writes buffered and delivered in order at each flush
// point) and ioeventfds (a matching write notifies an sc_event and a real
// eventfd instead of reaching the callback).
#include <poll.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <systemc>

#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A device whose callbacks log "w <offset>=<value>" and "r <offset>".
struct LoggedDevice {
  std::vector<std::string> log;
  MmioRegion region{"dev", 0x100, ops()};
  MmioOps ops() {
    MmioOps o;
    o.write = [this](uint64_t offset, uint64_t value, unsigned) {
      log.push_back("w " + hex(offset) + "=" + hex(value));
    };
    o.read = [this](uint64_t offset, unsigned) {
      log.push_back("r " + hex(offset));
      return uint64_t(0);
    };
    return o;
  }
};

struct Map {
  ContainerRegion root{"root", k64BitSpace};
  LoggedDevice dev;
  LoggedDevice other;
  AddressSpace space{root, "memory"};
  Map() {
    Transaction t;
    root.add_subregion(0x1000, dev.region);
    root.add_subregion(0x2000, other.region);
  }
};

TEST(Coalesced, WritesAreBufferedAndDeliveredInOrderAtAFlush) {
  Map m;
  m.dev.region.add_coalescing(0x0, 0x80);
  EXPECT_TRUE(m.dev.region.flush_coalesced());
  m.space.store(0x1000, 4, 1);
  m.space.store(0x1004, 4, 2);
  m.space.store(0x1000, 4, 3);
  EXPECT_THAT(m.dev.log, IsEmpty());
  EXPECT_EQ(coalesced_mmio_pending(), 3u);
  flush_coalesced_mmio();
  EXPECT_THAT(m.dev.log, ElementsAre("w 0x0=0x1", "w 0x4=0x2", "w 0x0=0x3"));
  EXPECT_EQ(coalesced_mmio_pending(), 0u);
}

TEST(Coalesced, AnAccessToAFlushingRegionFlushesFirst) {
  Map m;
  m.dev.region.add_coalescing(0x0, 0x80);
  m.space.store(0x1010, 4, 0x10);
  // A read of the same device sees the write before it.
  uint64_t v = 0;
  m.space.load(0x1008, 4, v);
  EXPECT_THAT(m.dev.log, ElementsAre("w 0x10=0x10", "r 0x8"));
  // A write outside the coalesced range flushes and goes straight through.
  m.space.store(0x1020, 4, 0x20);
  m.space.store(0x10f0, 4, 0xf0);
  EXPECT_THAT(m.dev.log, ElementsAre("w 0x10=0x10", "r 0x8", "w 0x20=0x20", "w 0xf0=0xf0"));
  // Another device marked flush-coalesced flushes everything buffered.
  m.space.store(0x1030, 4, 0x30);
  m.other.region.set_flush_coalesced();
  m.space.load(0x2000, 4, v);
  EXPECT_THAT(m.dev.log.back(), "w 0x30=0x30");
  EXPECT_THAT(m.other.log, ElementsAre("r 0x0"));
}

TEST(Coalesced, TransactionsFullRingsAndDestructionFlush) {
  Map m;
  m.dev.region.add_coalescing(0x0, 0x80);
  m.space.store(0x1000, 1, 0xaa);
  { Transaction t; }
  EXPECT_THAT(m.dev.log, ElementsAre("w 0x0=0xaa"));
  m.dev.log.clear();
  for (int i = 0; i < 300; ++i) m.space.store(0x1000, 1, static_cast<uint64_t>(i & 0xff));
  EXPECT_EQ(m.dev.log.size(), 256u);  // one full ring delivered
  EXPECT_EQ(coalesced_mmio_pending(), 300u - 256u);
  auto doomed = std::make_unique<LoggedDevice>();
  std::vector<std::string>* doomed_log = &doomed->log;
  doomed->region.add_coalescing(0x0, 0x100);
  m.root.add_subregion(0x3000, doomed->region);
  m.space.store(0x3000, 4, 0x33);
  std::vector<std::string> before_destruction;
  doomed->region.set_ops([&] {
    MmioOps o;
    o.write = [&](uint64_t offset, uint64_t value, unsigned) {
      before_destruction.push_back("w " + hex(offset) + "=" + hex(value));
    };
    return o;
  }());
  (void)doomed_log;
  doomed.reset();  // its write goes out before it dies
  EXPECT_THAT(before_destruction, ElementsAre("w 0x0=0x33"));
  EXPECT_EQ(coalesced_mmio_pending(), 0u);
}

TEST(Coalesced, ClearingDeliversAndStops) {
  Map m;
  m.dev.region.set_coalescing();
  m.space.store(0x1040, 2, 0x4040);
  m.dev.region.clear_coalescing();
  EXPECT_THAT(m.dev.log, ElementsAre("w 0x40=0x4040"));
  EXPECT_FALSE(m.dev.region.flush_coalesced());
  m.space.store(0x1040, 2, 0x4141);
  EXPECT_THAT(m.dev.log, ElementsAre("w 0x40=0x4040", "w 0x40=0x4141"));
}

// --- ioeventfd ---------------------------------------------------------------

struct Kicker : sc_core::sc_module {
  SC_HAS_PROCESS(Kicker);
  Map& map;
  ScEventNotifier& doorbell;
  std::vector<std::string> seen;
  Kicker(sc_core::sc_module_name name, Map& m, ScEventNotifier& d)
      : sc_core::sc_module(name), map(m), doorbell(d) {
    SC_THREAD(kick);
    SC_THREAD(serve);
  }
  void kick() {
    wait(10, sc_core::SC_NS);
    map.space.store(0x1010, 4, 0x1);  // matches: no callback
    wait(10, sc_core::SC_NS);
    map.space.store(0x1010, 4, 0x2);  // other data: the callback
    map.space.store(0x1010, 2, 0x1);  // other size: the callback
  }
  void serve() {
    wait(doorbell.event);
    seen.push_back("doorbell at " + sc_core::sc_time_stamp().to_string());
  }
};

TEST(Ioeventfd, MatchingWriteNotifiesInsteadOfTheCallback) {
  Map m;
  ScEventNotifier doorbell;
  m.dev.region.add_eventfd(0x10, 4, true, 0x1, doorbell);
  Kicker k("kicker", m, doorbell);
  sc_core::sc_start();
  EXPECT_THAT(k.seen, ElementsAre("doorbell at 10 ns"));
  EXPECT_THAT(m.dev.log, ElementsAre("w 0x10=0x2", "w 0x10=0x1"));
  EXPECT_EQ(doorbell.notifications(), 1u);
}

TEST(Ioeventfd, ARealEventfdWakesAnotherThread) {
  Map m;
  EventNotifier notifier(true);
  ASSERT_GE(notifier.fd(), 0);
  m.dev.region.add_eventfd(0x20, 4, false, 0, notifier);  // any data
  std::atomic<uint64_t> woken{0};
  std::thread poller([&] {
    pollfd p{notifier.fd(), POLLIN, 0};
    while (woken.load() < 3) {
      if (poll(&p, 1, 5000) <= 0) break;  // 5 s without an event: give up, the test fails
      woken += notifier.test_and_clear();
    }
  });
  for (uint64_t i = 0; i < 3; ++i) {
    m.space.store(0x1020, 4, i);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  poller.join();
  EXPECT_EQ(woken.load(), 3u);
  EXPECT_THAT(m.dev.log, IsEmpty());
  m.dev.region.del_eventfd(0x20, 4, false, 0, notifier);
  m.space.store(0x1020, 4, 9);
  EXPECT_THAT(m.dev.log, ElementsAre("w 0x20=0x9"));
  EXPECT_THROW(m.dev.region.del_eventfd(0x20, 4, false, 0, notifier), sc_core::sc_report);
}

TEST(Ioeventfd, DataIsComparedInTheCpusByteOrder) {
  Map m;
  MmioOps big = m.dev.region.ops();
  big.endianness = Endianness::big;
  m.dev.region.set_ops(big);
  EventNotifier notifier;
  m.dev.region.add_eventfd(0x0, 4, true, 0x11223344, notifier);
  m.space.store(0x1000, 4, 0x11223344);
  EXPECT_EQ(notifier.notifications(), 1u);
  EXPECT_THAT(m.dev.log, IsEmpty());
}

}  // namespace
}  // namespace tlmmap
