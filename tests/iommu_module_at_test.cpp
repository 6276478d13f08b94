// nb_transport through the IOMMU module: the base protocol on both hops
// (the protocol checker on each), from an AT initiator driven by an
// SC_METHOD and one driven by an SC_THREAD at the same time, each answering
// responses in 2- and 4-phase styles; downstream an AT memory that answers
// in every style too. Translation, refusals and page crossings are those
// of b_transport, compared with a direct model of the IOMMU's pages.
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "support/at_memory.hpp"
#include "support/map_iommu.hpp"
#include "support/protocol_checker.hpp"
#include "support/random_access_at.hpp"
#include "support/test_env.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using test::AccessSpec;
using test::Outcome;

constexpr uint64_t kPage = 0x1000;
constexpr uint64_t kInputPages = 12;  // per index
constexpr uint64_t kMemory = 0x20000;  // the AT memory: frames of index 0 below 0x10000, of index 1 above

// method port -> checker -> module -> checker -> downstream; the same for
// the thread port (requester id 1: the IOMMU's index 1). Downstream is the
// AT memory, or an AddressSpaceTarget of "memory" (RAM at 0), which answers
// every BEGIN_REQ at once.
struct AtPlatform {
  ContainerRegion root{"root", k64BitSpace};
  RamRegion ram{"ram", kMemory};
  AddressSpace memory{root, "memory"};  // where the IOMMU says translations go
  test::MapIommu iommu{"iommu", 0x100000, kPage, 2};
  IommuModule<64> module{"module", iommu};
  std::unique_ptr<test::AtMemory<64>> at_memory;
  std::unique_ptr<AddressSpaceTarget<64>> target;
  test::ProtocolChecker<64> up_method{"up_method"};
  test::ProtocolChecker<64> up_thread{"up_thread"};
  test::ProtocolChecker<64> down{"down"};
  test::AtPort method_port{"method_port"};
  test::AtPort thread_port{"thread_port"};
  test::AtDriver driver{"driver"};
  uint8_t* bytes;

  AtPlatform(uint64_t seed, bool at_downstream) {
    root.add_subregion(0, ram);
    method_port.socket.bind(up_method.target_socket);
    up_method.initiator_socket.bind(module.target_socket);
    thread_port.socket.bind(up_thread.target_socket);
    up_thread.initiator_socket.bind(module.target_socket);
    module.initiator_socket.bind(down.target_socket);
    if (at_downstream) {
      at_memory = std::make_unique<test::AtMemory<64>>("at_memory", kMemory, seed);
      down.initiator_socket.bind(at_memory->socket);
      bytes = at_memory->bytes.data();
    } else {
      target = std::make_unique<AddressSpaceTarget<64>>("target", memory);
      down.initiator_socket.bind(target->target_socket);
      bytes = ram.host_ptr();
    }
    for (std::size_t i = 0; i < kMemory; ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 3);
  }
  void expect_no_violations() {
    for (auto* c : {&up_method, &up_thread, &down}) EXPECT_TRUE(c->violations().empty()) << c->name();
  }
};

struct Page {
  uint64_t frame;
  IommuAccess perm;
};

class RandomAt {
 public:
  RandomAt(uint64_t seed, bool at_downstream) : rng_(seed), p_(seed, at_downstream) {
    // Violations are recorded and shown; the test fails on them at the end
    // rather than the simulation stopping mid-transaction.
    sc_core::sc_report_handler::set_actions(test::ProtocolChecker<64>::kMsgType, sc_core::SC_DISPLAY);
    const std::vector<IommuAccess> perms{IommuAccess::read, IommuAccess::write, IommuAccess::read_write,
                                         IommuAccess::read_write};
    for (int index = 0; index < 2; ++index) {
      for (uint64_t page = 0; page < kInputPages; ++page) {
        if (below(5) == 0) continue;  // unmapped
        const Page pg{index * 0x10000 + below(16) * kPage, perms[below(perms.size())]};
        p_.iommu.map_page(page * kPage, p_.memory, pg.frame, pg.perm, index);
        pages_[{index, page * kPage}] = pg;
      }
    }
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // the end of elaboration binds the multi-sockets
  }

  void run(unsigned per_initiator) {
    p_.driver.run_from_method(p_.method_port, job(per_initiator, false));
    p_.driver.run_from_thread(p_.thread_port, job(per_initiator, true));
    sc_core::sc_start();
    EXPECT_TRUE(p_.driver.idle()) << p_.driver.method_sequencer.state() << "; " << p_.driver.thread_sequencer.state();
    EXPECT_EQ(p_.module.transactions_in_flight(), 0u);
    p_.expect_no_violations();
    EXPECT_EQ(p_.iommu.faults.size(), refused_pages_);
    // Every style on every hop was taken.
    for (const test::AtSequencer* s : {&p_.driver.method_sequencer, &p_.driver.thread_sequencer}) {
      EXPECT_EQ(s->transactions, per_initiator);
      EXPECT_GT(s->completed_at_once, 0u);
      EXPECT_GT(s->four_phase, 0u);
      EXPECT_GT(s->updated_end_req + s->accepted, 0u);
    }
    const uint64_t* styles = p_.at_memory != nullptr ? p_.at_memory->styles : nullptr;
    for (int i = 0; styles != nullptr && i < 4; ++i) EXPECT_GT(styles[i], 0u);
    const auto& m = p_.driver.method_sequencer;
    const auto& t = p_.driver.thread_sequencer;
    std::cout << "initiators (method/thread): completed at once " << m.completed_at_once << "/" << t.completed_at_once
              << ", END_REQ updated " << m.updated_end_req << "/" << t.updated_end_req << ", accepted " << m.accepted
              << "/" << t.accepted << ", BEGIN_RESP updated " << m.updated_begin_resp << "/" << t.updated_begin_resp
              << ", 4-phase " << m.four_phase << "/" << t.four_phase << "; faults " << refused_pages_;
    if (styles != nullptr) {
      std::cout << "; memory styles " << styles[0] << " " << styles[1] << " " << styles[2] << " " << styles[3]
                << ", pieces by b_transport " << p_.at_memory->blocking;
    }
    std::cout << "\n";
  }

 private:
  uint64_t below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  test::AtJob job(unsigned count, bool thread) {
    test::AtJob job;
    job.seed = rng_();
    for (unsigned i = 0; i < count; ++i) {
      AccessSpec a;
      a.command = below(2) == 0 ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND;
      // Near page boundaries often, so that many cross them.
      const uint64_t page = below(kInputPages + 1);
      a.address = below(3) == 0 ? page * kPage - std::min<uint64_t>(page * kPage, below(8)) : page * kPage + below(kPage);
      a.length = static_cast<unsigned>(1 + below(16));
      if (a.address + a.length > (kInputPages + 1) * kPage) a.address = (kInputPages + 1) * kPage - a.length;
      a.data.resize(a.length);
      for (auto& b : a.data) b = static_cast<uint8_t>(below(256));
      if (thread) {
        a.has_attrs = true;
        a.attrs = MemTxAttrs::specified();
        a.attrs.requester_id = 1;
      }
      job.accesses.push_back(a);
    }
    const int index = thread ? 1 : 0;
    job.expect = [this, index](const AccessSpec& a) { return expect(index, a); };
    job.check = [this, index](const AccessSpec& a, const Outcome& want, const Outcome& got, bool) {
      check(index, a, want, got);
    };
    job.fail = [](const std::string& what) { ADD_FAILURE() << what; };
    return job;
  }

  // The direct model: the translated address of input byte `at`, or a refusal.
  MemTxResult translate(int index, uint64_t at, IommuAccess wanted, uint64_t* out) const {
    auto it = pages_.find({index, at & ~(kPage - 1)});
    if (it == pages_.end()) return MemTxResult::decode_error;
    if (!allows(it->second.perm, wanted)) return MemTxResult::access_error;
    *out = it->second.frame + (at & (kPage - 1));
    return MemTxResult::ok;
  }

  Outcome expect(int index, const AccessSpec& a) {
    const IommuAccess wanted = a.command == tlm::TLM_READ_COMMAND ? IommuAccess::read : IommuAccess::write;
    Outcome want;
    MemTxResult result = MemTxResult::ok;
    // Per page, as the module refuses and faults.
    for (uint64_t page = a.address & ~(kPage - 1); page < a.address + a.length; page += kPage) {
      uint64_t unused = 0;
      const MemTxResult r = translate(index, page, wanted, &unused);
      if (r != MemTxResult::ok) ++refused_pages_;
      result |= r;
    }
    want.status = to_tlm_response(result);
    want.data = a.data;
    for (unsigned i = 0; i < a.length && result == MemTxResult::ok && a.command == tlm::TLM_READ_COMMAND; ++i) {
      uint64_t at = 0;
      translate(index, a.address + i, wanted, &at);
      want.data[i] = p_.bytes[at];
    }
    return want;
  }

  void check(int index, const AccessSpec& a, const Outcome& want, const Outcome& got) {
    const std::string what = "index " + std::to_string(index) + ": " + test::describe(a);
    EXPECT_EQ(got.status, want.status) << what;
    if (want.status != tlm::TLM_OK_RESPONSE) return;
    if (a.command == tlm::TLM_READ_COMMAND) {
      EXPECT_EQ(got.data, want.data) << what;
      return;
    }
    for (unsigned i = 0; i < a.length; ++i) {
      uint64_t at = 0;
      translate(index, a.address + i, IommuAccess::write, &at);
      EXPECT_EQ(p_.bytes[at], a.data[i]) << what << " byte " << i;
    }
  }

  std::mt19937_64 rng_;
  AtPlatform p_;
  std::map<std::pair<int, uint64_t>, Page> pages_;
  std::size_t refused_pages_ = 0;
};

uint64_t seed() { return test::env_number("TLMMAP_IOMMU_AT_SEED", 0xa7a7); }

TEST(IommuModuleAt, MethodAndThreadInitiatorsGetB_transportsTranslationOverTheBaseProtocol) {
  SCOPED_TRACE("seed " + std::to_string(seed()) + " (replay with TLMMAP_IOMMU_AT_SEED)");
  RandomAt(seed(), true).run(test::kSanitized ? 300 : 1500);
}

TEST(IommuModuleAt, AnAddressSpaceTargetDownstreamThatCompletesAtOnce) {
  SCOPED_TRACE("seed " + std::to_string(seed()) + " (replay with TLMMAP_IOMMU_AT_SEED)");
  RandomAt(seed(), false).run(test::kSanitized ? 300 : 1500);
}

}  // namespace
}  // namespace tlmmap
