// Random sequences of map changes, dirty-log switches, writes (the model's
// path and TLM) and teardowns, against an independent model of which
// listener calls each commit owes and which pages must be dirty.
//
// The model of the flat view is the naive resolver (one address at a time,
// written from QEMU's documentation, sharing no code with the renderer),
// merged into ranges; the calls a commit owes are the differences between
// the model's views before and after it (QEMU's flatrange_equal), and a
// page is dirty for a client when a write reached it while the client
// logged its region.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>

#include "support/naive_resolver.hpp"
#include "support/tlm_devices.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

constexpr uint64_t kSpaceSize = 0x40000;
constexpr uint64_t kBlock = 0x100;  // every address and size is a multiple of it
constexpr uint64_t kPage = 0x1000;
constexpr unsigned kClients = 2;  // vga and code
const DirtyClient kClient[kClients] = {DirtyClient::vga, DirtyClient::code};

// One range of a view, as listeners see it.
struct ModelRange {
  uint64_t first;
  uint64_t last;
  const Region* region;
  uint64_t offset;
  bool readonly;
  bool nonvolatile;
  bool romd;
  uint8_t mask;
  std::string name;  // the region's, kept: it may be destroyed since
  auto key() const { return std::tie(first, last, region, offset, readonly, nonvolatile, romd); }
  bool maps_like(const ModelRange& o) const { return key() == o.key(); }
};

// What a listener was told, one line per call: "add 0x1000-0x1fff 'r0'@0x0".
std::string line(const char* what, uint64_t first, uint64_t last, const std::string& region, uint64_t offset,
                 int masks = -1) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, "%s 0x%llx-0x%llx '%s'@0x%llx", what, static_cast<unsigned long long>(first),
                static_cast<unsigned long long>(last), region.c_str(), static_cast<unsigned long long>(offset));
  std::string out = buffer;
  if (masks >= 0) out += " mask " + std::to_string(masks >> 8) + "->" + std::to_string(masks & 0xff);
  return out;
}

// Deliberate mistakes of the model, to show the harness finds them.
enum class ModelMistake { none, ties_go_the_wrong_way, tlm_writes_forgotten };

struct Stats {
  uint64_t commits = 0;         // commits whose calls were compared
  uint64_t told_commits = 0;    // of which the listener was told something
  uint64_t calls = 0;           // listener calls compared
  uint64_t dirty_pages = 0;     // dirty pages the model expected, over all checks
  uint64_t writes = 0;
};

class Harness {
 public:
  Harness(uint64_t seed, ModelMistake mistake, Stats& stats)
      : rng_(seed), seed_(seed), mistake_(mistake), stats_(stats) {}

  // Makes the map and the TLM parts (before the simulation starts).
  void prepare() {
    build();
    expected_view_ = model_view();
  }

  // Returns "" or the first disagreement with the sequence that led to it.
  std::string run(int steps) {
    for (int step = 0; step < steps && failure_.empty(); ++step) {
      const int depth = transaction_depth();
      if (depth == 0 && one_in(6)) {
        log("begin");
        transaction_begin();
      }
      // Outside a transaction, one operation is one commit (placing a
      // region may take two changes).
      if (transaction_depth() == 0) {
        transaction_begin();
        random_op();
        transaction_commit();
      } else {
        random_op();
      }
      if (transaction_depth() > 0 && one_in(3)) {
        log("commit");
        transaction_commit();
      }
      if (transaction_depth() == 0) check_commit();
      check_dirty();
    }
    while (transaction_depth() > 0) transaction_commit();
    if (failure_.empty()) check_commit();
    return failure_.empty() ? "" : failure_ + "\n  seed " + std::to_string(seed_) + ", ops:\n" + history_;
  }

 private:
  bool one_in(unsigned n) { return rng_() % n == 0; }
  uint64_t below(uint64_t n) { return rng_() % n; }
  void log(const std::string& s) { history_ += "    " + s + "\n"; }

  void build() {
    root_ = std::make_unique<ContainerRegion>("root", kSpaceSize);
    for (int i = 0; i < 4; ++i) {
      rams_.push_back(std::make_unique<RamRegion>("r" + std::to_string(i) + "_" + std::to_string(seed_),
                                                  (1 + below(4)) * kPage));
    }
    for (int i = 0; i < 2; ++i) {
      auto m = std::make_unique<MmioRegion>("m" + std::to_string(i), (1 + below(16)) * kBlock);
      MmioOps ops;
      ops.read = [](uint64_t, unsigned) { return 0; };
      ops.write = [](uint64_t, uint64_t, unsigned) {};
      m->set_ops(ops);
      others_.push_back(std::move(m));
    }
    for (int i = 0; i < 2; ++i) {
      RamRegion& target = *rams_[below(rams_.size())];
      const uint64_t size = (1 + below(target.size() / kBlock)) * kBlock;
      const uint64_t offset = below((static_cast<uint64_t>(target.size()) - size) / kBlock + 1) * kBlock;
      others_.push_back(std::make_unique<AliasRegion>("a" + std::to_string(i), target, offset, size));
      alias_targets_.push_back(&target);
    }
    others_.push_back(std::make_unique<ContainerRegion>("c0", 0x8000));
    space_ = std::make_unique<AddressSpace>(*root_, "memory");
    listener_.region_add = [&](const Section& s) { record("add", s); };
    listener_.region_del = [&](const Section& s) { record("del", s); };
    listener_.region_nop = [&](const Section& s) { record("nop", s); };
    listener_.log_start = [&](const Section& s, uint8_t from, uint8_t to) { record("log_start", s, from, to); };
    listener_.log_stop = [&](const Section& s, uint8_t from, uint8_t to) { record("log_stop", s, from, to); };
    listener_.begin = [&] { told_.push_back("begin"); };
    listener_.commit = [&] { told_.push_back("commit"); };
    memory_listener_register(listener_, space_.get());
    told_.clear();
    target_ = std::make_unique<AddressSpaceTarget<64>>(("bus_" + std::to_string(seed_)).c_str(), *space_);
    cpu_ = std::make_unique<test::RecordingInitiator<64>>(("cpu_" + std::to_string(seed_)).c_str());
    cpu_->socket.bind(target_->target_socket);
    dirty_.assign(rams_.size(), std::vector<std::set<uint64_t>>(kClients));
    logging_.assign(rams_.size(), std::vector<bool>(kClients, false));
  }

  void record(const char* what, const Section& s, int from = -1, int to = -1) {
    told_.push_back(line(what, s.offset_within_address_space,
                         s.offset_within_address_space + static_cast<uint64_t>(s.size) - 1,
                         s.region() != nullptr ? s.region()->name() : std::string("(destroyed)"),
                         s.offset_within_region, from < 0 ? -1 : (from << 8) | to));
  }

  std::vector<Region*> live() {
    std::vector<Region*> out;
    for (auto& r : rams_) {
      if (r) out.push_back(r.get());
    }
    for (auto& r : others_) {
      if (r) out.push_back(r.get());
    }
    return out;
  }
  Region* container_for(Region& r) {
    ContainerRegion* c = static_cast<ContainerRegion*>(others_.back().get());
    return (c != nullptr && &r != c && !one_in(3)) ? static_cast<Region*>(c) : static_cast<Region*>(root_.get());
  }

  void random_op() {
    std::vector<Region*> regions = live();
    Region& r = *regions[below(regions.size())];
    const unsigned op = static_cast<unsigned>(below(20));
    std::ostringstream what;
    if (op < 4) {
      // Place (or re-place) it somewhere, maybe overlapping.
      if (r.container() != nullptr) r.container()->del_subregion(r);
      Region* c = container_for(r);
      const uint64_t room = static_cast<uint64_t>(c->size()) / kBlock;
      const uint64_t at = below(room) * kBlock;
      const int priority = static_cast<int>(below(3));
      c->add_subregion_overlap(at, r, priority);
      what << c->name() << ".add_subregion_overlap(0x" << std::hex << at << ", " << r.name() << ", " << std::dec
           << priority << ")";
    } else if (op < 6) {
      if (r.container() == nullptr) return;
      what << r.container()->name() << ".del_subregion(" << r.name() << ")";
      r.container()->del_subregion(r);
    } else if (op < 8) {
      r.set_enabled(!r.enabled());
      what << r.name() << ".set_enabled(" << r.enabled() << ")";
    } else if (op < 9) {
      r.set_readonly(!r.readonly());
      what << r.name() << ".set_readonly(" << r.readonly() << ")";
    } else if (op < 10) {
      if (r.container() == nullptr) return;
      const uint64_t at = below(static_cast<uint64_t>(r.container()->size()) / kBlock) * kBlock;
      r.set_address(at);
      what << r.name() << ".set_address(0x" << std::hex << at << ")";
    } else if (op < 12) {
      const std::size_t k = below(rams_.size());
      if (!rams_[k]) return;
      const unsigned c = static_cast<unsigned>(below(kClients));
      logging_[k][c] = !logging_[k][c];
      rams_[k]->set_log(logging_[k][c], kClient[c]);
      what << rams_[k]->name() << ".set_log(" << logging_[k][c] << ", client " << c << ")";
    } else if (op < 17) {
      write(op < 14);
      return;
    } else if (op < 18) {
      r.set_latency(std::chrono::nanoseconds(below(5)), std::chrono::nanoseconds(below(5)));
      what << r.name() << ".set_latency(...)";
    } else if (op < 19) {
      // Dirty pages are read and cleared.
      const std::size_t k = below(rams_.size());
      if (!rams_[k]) return;
      const unsigned c = static_cast<unsigned>(below(kClients));
      const uint64_t page = below(static_cast<uint64_t>(rams_[k]->size()) / kPage);
      const bool was = rams_[k]->test_and_clear_dirty(page * kPage, kPage, kClient[c]);
      const bool expected = dirty_[k][c].erase(page) != 0;
      if (was != expected) fail("test_and_clear_dirty of page " + std::to_string(page) + " of " + rams_[k]->name());
      what << rams_[k]->name() << ".test_and_clear_dirty(page " << page << ", client " << c << ")";
    } else {
      // Teardown: a region that no alias needs goes for good.
      if (std::find(alias_targets_.begin(), alias_targets_.end(), &r) != alias_targets_.end()) return;
      if (&r == others_.back().get() || r.name()[0] == 'c') return;  // the container keeps its place in the game
      what << "destroy " << r.name();
      destroyed_.insert(&r);
      for (auto& p : rams_) {
        if (p.get() == &r) p.reset();
      }
      for (auto& p : others_) {
        if (p.get() == &r) p.reset();
      }
    }
    log(what.str());
  }

  // A write through the model or through TLM; the model marks pages.
  void write(bool through_tlm) {
    const uint64_t address = below(kSpaceSize / 4) * 4;
    const unsigned length = 4u << below(3);
    uint8_t data[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    bool ok = false;
    if (through_tlm) {
      ok = cpu_->transport(tlm::TLM_WRITE_COMMAND, address, data, length) == tlm::TLM_OK_RESPONSE;
    } else {
      ok = space_->write(address, data, length) == MemTxResult::ok;
    }
    std::ostringstream what;
    what << (through_tlm ? "tlm " : "") << "write 0x" << std::hex << address << " +" << std::dec << length
         << (ok ? "" : " (refused)");
    log(what.str());
    // Whatever the write did, the pages it reached in writable RAM are dirty
    // for the clients logging there (a refused piece of a split write leaves
    // the others written). Inside a transaction accesses resolve against the
    // view of before it: the model's last committed view.
    ++stats_.writes;
    if (through_tlm && mistake_ == ModelMistake::tlm_writes_forgotten) return;
    for (uint64_t a = address; a < address + length; ++a) {
      for (const ModelRange& r : expected_view_) {
        if (a < r.first || a > r.last || r.readonly || r.mask == 0) continue;
        for (std::size_t k = 0; k < rams_.size(); ++k) {
          if (rams_[k].get() != r.region) continue;
          for (unsigned c = 0; c < kClients; ++c) {
            if ((r.mask & dirty_bit(kClient[c])) != 0) dirty_[k][c].insert((r.offset + (a - r.first)) / kPage);
          }
        }
      }
    }
  }

  // The model's flat view, merged as QEMU simplifies (same region, offsets
  // that continue, same attributes).
  std::vector<ModelRange> model_view() {
    test::NaiveOptions options;
    if (mistake_ == ModelMistake::ties_go_the_wrong_way) options.bug = test::NaiveBug::earlier_added_wins;
    test::NaiveResolver resolver(*space_, options);
    std::vector<ModelRange> out;
    for (uint64_t a = 0; a < kSpaceSize; a += kBlock) {
      const test::NaiveAnswer n = resolver.resolve(a);
      if (!n.mapped()) continue;
      ModelRange r{a,           a + kBlock - 1,   n.region, n.offset, n.readonly, n.nonvolatile, n.romd_mode,
                   mask_of(n.region), n.region->name()};
      if (!out.empty()) {
        ModelRange& p = out.back();
        if (p.last + 1 == a && p.region == r.region && p.offset + (a - p.first) == r.offset &&
            p.readonly == r.readonly && p.nonvolatile == r.nonvolatile && p.romd == r.romd && p.mask == r.mask) {
          p.last = r.last;
          continue;
        }
      }
      out.push_back(r);
    }
    return out;
  }
  uint8_t mask_of(const Region* region) {
    uint8_t mask = 0;
    for (std::size_t k = 0; k < rams_.size(); ++k) {
      if (rams_[k].get() != region) continue;
      for (unsigned c = 0; c < kClients; ++c) {
        if (logging_[k][c]) mask |= dirty_bit(kClient[c]);
      }
    }
    return mask;
  }

  // The calls the last commit owed, QEMU's way: ranges gone (or changed) are
  // deleted, ranges kept are nops (with log_start/log_stop where logging
  // changed), new ones added.
  void check_commit() {
    const std::vector<ModelRange> after = model_view();
    std::multiset<std::string> expected;
    bool changed = false;
    for (const ModelRange& o : expected_view_) {
      const auto kept = std::find_if(after.begin(), after.end(), [&](const ModelRange& n) { return n.maps_like(o); });
      if (kept == after.end()) {
        // A destroyed region's ranges go with its name gone (Section::region() is null).
        const bool gone = destroyed_.count(o.region) != 0;
        expected.insert(line("del", o.first, o.last, gone ? "(destroyed)" : o.name, o.offset));
        changed = true;
      }
    }
    for (const ModelRange& n : after) {
      const auto kept =
          std::find_if(expected_view_.begin(), expected_view_.end(), [&](const ModelRange& o) { return n.maps_like(o); });
      if (kept == expected_view_.end()) {
        expected.insert(line("add", n.first, n.last, n.name, n.offset));
        changed = true;
        continue;
      }
      expected.insert(line("nop", n.first, n.last, n.name, n.offset));
      if ((n.mask & ~kept->mask) != 0) {
        expected.insert(line("log_start", n.first, n.last, n.name, n.offset, (kept->mask << 8) | n.mask));
      }
      if ((kept->mask & ~n.mask) != 0) {
        expected.insert(line("log_stop", n.first, n.last, n.name, n.offset, (kept->mask << 8) | n.mask));
      }
      changed |= kept->mask != n.mask;
    }
    std::multiset<std::string> told;
    bool deletes_done = false;
    for (const std::string& t : told_) {
      if (t == "begin" || t == "commit") continue;
      if (t.rfind("del ", 0) != 0) deletes_done = true;
      if (t.rfind("del ", 0) == 0 && deletes_done) fail("a deletion came after an addition: " + t);
      told.insert(t);
    }
    // A commit that changed nothing the listener can see may still be told
    // (as nops); one that changed something must be.
    if (!changed && told.empty()) {
      ++stats_.commits;
      expected_view_ = after;
      return;
    }
    if (told != expected) {
      std::string message = "the commit's listener calls differ from the model's\n  expected:";
      for (const auto& e : expected) {
        if (!told.count(e)) message += "\n    missing " + e;
      }
      for (const auto& t : told) {
        if (!expected.count(t)) message += "\n    unexpected " + t;
      }
      fail(message);
    } else if (told_.front() != "begin" || told_.back() != "commit") {
      fail("calls outside begin/commit");
    }
    ++stats_.commits;
    stats_.told_commits += told.empty() ? 0 : 1;
    stats_.calls += told.size();
    told_.clear();
    expected_view_ = after;
  }

  void check_dirty() {
    for (std::size_t k = 0; k < rams_.size() && failure_.empty(); ++k) {
      if (!rams_[k]) continue;
      for (unsigned c = 0; c < kClients; ++c) {
        for (uint64_t p = 0; p * kPage < rams_[k]->size(); ++p) {
          const bool is = rams_[k]->get_dirty(p * kPage, kPage, kClient[c]);
          stats_.dirty_pages += dirty_[k][c].count(p);
          if (is != (dirty_[k][c].count(p) != 0)) {
            fail(rams_[k]->name() + " page " + std::to_string(p) + " client " + std::to_string(c) + " is " +
                 (is ? "dirty" : "clean") + ", the model says otherwise");
            return;
          }
        }
      }
    }
  }

  void fail(const std::string& message) {
    if (failure_.empty()) failure_ = message;
  }

  std::mt19937_64 rng_;
  uint64_t seed_;
  ModelMistake mistake_;
  Stats& stats_;
  std::unique_ptr<ContainerRegion> root_;
  std::vector<std::unique_ptr<RamRegion>> rams_;
  std::vector<std::unique_ptr<Region>> others_;
  std::vector<const Region*> alias_targets_;
  std::set<const Region*> destroyed_;
  std::unique_ptr<AddressSpace> space_;
  MemoryListener listener_{"random"};
  std::unique_ptr<AddressSpaceTarget<64>> target_;
  std::unique_ptr<test::RecordingInitiator<64>> cpu_;
  std::vector<std::string> told_;
  std::vector<ModelRange> expected_view_;
  std::vector<std::vector<std::set<uint64_t>>> dirty_;  // [ram][client] -> pages
  std::vector<std::vector<bool>> logging_;
  std::string failure_;
  std::string history_;
};

// Runs `maps` random maps of `steps` operations each; the first failure.
std::string run_maps(int maps, int steps, ModelMistake mistake, Stats& stats, uint64_t base) {
  // Every harness makes its TLM parts before the one elaboration.
  std::vector<std::unique_ptr<Harness>> harnesses;
  for (int i = 0; i < maps; ++i) {
    harnesses.push_back(std::make_unique<Harness>(base + static_cast<uint64_t>(i), mistake, stats));
    harnesses.back()->prepare();
  }
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  for (auto& h : harnesses) {
    const std::string failure = h->run(steps);
    if (!failure.empty()) return failure;
  }
  return "";
}

TEST(RandomListeners, CallsAndDirtyPagesFollowTheModel) {
  Stats stats;
  const std::string failure = run_maps(60, 300, ModelMistake::none, stats, 0x115730);
  EXPECT_EQ(failure, "") << failure;
  std::printf("%llu commits compared, %llu told something (%llu listener calls), %llu writes, %llu dirty pages "
              "expected over the checks\n",
              static_cast<unsigned long long>(stats.commits), static_cast<unsigned long long>(stats.told_commits),
              static_cast<unsigned long long>(stats.calls),
              static_cast<unsigned long long>(stats.writes), static_cast<unsigned long long>(stats.dirty_pages));
  // The sequences reach what they are meant to.
  EXPECT_GT(stats.commits, 8000u);
  EXPECT_GT(stats.told_commits, 2000u);
  EXPECT_GT(stats.calls, 5000u);
  EXPECT_GT(stats.dirty_pages, 1000u);
}

// Tests of the test: a model with a mistake disagrees with the library.
TEST(RandomListeners, AModelThatBreaksTiesTheWrongWayIsCaught) {
  Stats stats;
  const std::string failure = run_maps(60, 300, ModelMistake::ties_go_the_wrong_way, stats, 0x115730);
  EXPECT_NE(failure.find("listener calls differ"), std::string::npos) << failure;
}

TEST(RandomListeners, AModelThatForgetsTlmWritesIsCaught) {
  Stats stats;
  const std::string failure = run_maps(60, 300, ModelMistake::tlm_writes_forgotten, stats, 0x115730);
  EXPECT_NE(failure.find("the model says otherwise"), std::string::npos) << failure;
}

}  // namespace
}  // namespace tlmmap
