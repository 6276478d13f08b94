// Randomized test of IOMMU translation: random page tables of the reference
// IOMMU (maps, remaps, unmaps interleaved with traffic), random accesses
// through the model's path and through the IOMMU module (a DMI-caching CPU
// port, and a port that only uses b_transport, which the module answers
// from its per-initiator translation cache and downstream's DMI), and
// random DMA copies, each compared with a direct model of the
// translation (a table of pages per requester id). After every change of
// the tables it hunts for stale DMI: every grant an initiator still holds
// must agree with the direct model (mapped, the rights it grants, the
// pointer of the translated page). A DMA copy must leave every byte of
// DRAM outside its destination's translated pages untouched.
//
// The IOMMU region's own translation cache (the model's path and the
// AddressSpaceTarget of the device space) is hunted too: accesses through
// that target (b_transport, transport_dbg, and nb_transport from an
// SC_THREAD and from an SC_METHOD, through a protocol checker) check data,
// status and latency against the direct model while the downstream map
// changes under the cached translations (a RAM page laid over a frame,
// removed, or destroyed while mapped) and DRAM's latency changes.
//
// TLMMAP_RANDOM_IOMMU_SEED replays one seed; TLMMAP_RANDOM_IOMMU_OPS sets
// the operations per seed.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "support/iommu_platform.hpp"
#include "support/test_env.hpp"

namespace tlmmap {
namespace {

using test::kDram;

constexpr uint16_t kDmaRid = 5;
constexpr uint16_t kCpuRid = 7;
constexpr uint64_t kPages = 48;       // input pages in use per requester
constexpr uint64_t kFrames = 64;      // DRAM pages translations reach
constexpr uint64_t kFrameBase = kDram + 0x100000;

struct Page {
  uint64_t frame;  // DRAM address of the page
  IommuAccess perm;
};

// An initiator of the device space's target: b_transport and transport_dbg
// from the test, nb_transport (base protocol) from an SC_THREAD or an
// SC_METHOD, each with the requester id on the payload (none for requester
// 0: unspecified attributes, the payloads whose last page the target keeps).
struct TargetPort : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<TargetPort, 32> socket{"socket"};
  tlm::tlm_generic_payload gp;
  sc_core::sc_event go_thread;
  sc_core::sc_event go_method;
  sc_core::sc_time free_at_;
  bool done = false;
  bool at_once = false;  // nb_transport completed in the BEGIN_REQ call, its latency in `delay`
  sc_core::sc_time delay;
  std::unique_ptr<TxAttributes> attributes = std::make_unique<TxAttributes>(MemTxAttrs::specified());

  SC_HAS_PROCESS(TargetPort);
  explicit TargetPort(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    socket.register_nb_transport_bw(this, &TargetPort::nb_transport_bw);
    SC_THREAD(thread_process);
    SC_METHOD(method_process);
    sensitive << go_method;
    dont_initialize();
  }
  ~TargetPort() override { gp.clear_extension(attributes.get()); }
  void prepare(uint16_t rid, bool is_write, uint64_t address, uint8_t* data, unsigned length) {
    if (rid == 0) {
      gp.clear_extension(attributes.get());
    } else {
      attributes->attrs.requester_id = rid;
      gp.set_extension(attributes.get());
    }
    gp.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(address);
    gp.set_data_ptr(data);
    gp.set_data_length(length);
    gp.set_streaming_width(length);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    delay = sc_core::SC_ZERO_TIME;
    done = false;
    at_once = false;
  }
  void thread_process() {
    for (;;) {
      sc_core::wait(go_thread);
      begin();
    }
  }
  void method_process() { begin(); }
  // A request never starts (in effective time) before the previous transaction ended.
  void begin() {
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    sc_core::sc_time t = free_at_ > now ? free_at_ - now : sc_core::SC_ZERO_TIME;
    const sc_core::sc_time start = t;
    const tlm::tlm_sync_enum s = socket->nb_transport_fw(gp, phase, t);
    if (s == tlm::TLM_COMPLETED) {
      delay = t - start;
      free_at_ = now + t;
      done = true;
      at_once = true;
    } else if (s == tlm::TLM_UPDATED && phase == tlm::BEGIN_RESP) {
      phase = tlm::END_RESP;
      socket->nb_transport_fw(gp, phase, t);
      free_at_ = now + t;
      done = true;
    }
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase& phase, sc_core::sc_time& t) {
    if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
    free_at_ = sc_core::sc_time_stamp() + t;
    done = true;
    phase = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
  }
};

class RandomIommu {
 public:
  // `extended`: the translation cache's mix (the device space's target,
  // downstream changes, latency changes, requester 0).
  RandomIommu(uint64_t seed, bool extended) : rng_(seed), extended_(extended) {
    cpu_.socket.bind(checker_.target_socket);
    checker_.initiator_socket.bind(p_.module.target_socket);
    cpu_.set_attributes(test::Platform::requester(kCpuRid));
    bt_.socket.bind(bt_checker_.target_socket);
    bt_checker_.initiator_socket.bind(p_.module.target_socket);
    bt_.set_dmi_enabled(false);
    port_.socket.bind(port_checker_.target_socket);
    port_checker_.initiator_socket.bind(device_target_.target_socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }

  void run(unsigned ops) {
    for (unsigned op = 0; op < ops && !::testing::Test::HasFailure(); ++op) {
      context_ = "op #" + std::to_string(op);
      const unsigned what = below(100);
      if (!extended_) {
        // The original mix: tables, the model's path, the module, DMA.
        if (what < 20) {
          map_random();
        } else if (what < 32) {
          unmap_random();
        } else if (what < 55) {
          model_access();
        } else if (what < 70) {
          cpu_access();
        } else if (what < 85) {
          transport_access();
        } else {
          dma_copy();
        }
        continue;
      }
      if (what < 16) {
        map_random();
      } else if (what < 26) {
        unmap_random();
      } else if (what < 30) {
        change_downstream();
      } else if (what < 32) {
        change_latency();
      } else if (what < 50) {
        model_access();
      } else if (what < 60) {
        cpu_access();
      } else if (what < 70) {
        transport_access();
      } else if (what < 88) {
        target_access();
      } else {
        dma_copy();
      }
    }
    shadow_.reset();  // torn down while mapped
    hunt_stale_dmi();
    EXPECT_TRUE(port_checker_.violations().empty());
    EXPECT_TRUE(p_.up.violations().empty());
    EXPECT_TRUE(p_.down.violations().empty());
    EXPECT_TRUE(checker_.violations().empty());
    EXPECT_TRUE(bt_checker_.violations().empty());
  }

 private:
  uint64_t below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  // Requester 0 is what unspecified attributes (debug accesses) use.
  uint16_t rid() {
    const uint64_t which = extended_ ? below(5) : below(4);
    if (!extended_) return which < 2 ? kDmaRid : kCpuRid;
    return which < 2 ? kDmaRid : which < 4 ? kCpuRid : 0;
  }

  void map_random() {
    const uint16_t r = rid();
    const uint64_t iova = below(kPages) << 12;
    const Page page{kFrameBase + (below(kFrames) << 12),
                    std::vector<IommuAccess>{IommuAccess::read, IommuAccess::write, IommuAccess::read_write}[below(3)]};
    p_.driver.map(r, iova, page.frame, page.perm);
    pages_[{r, iova}] = page;
    hunt_stale_dmi();
  }

  void unmap_random() {
    const uint16_t r = rid();
    const uint64_t iova = below(kPages) << 12;
    p_.driver.unmap(r, iova);
    pages_.erase({r, iova});
    hunt_stale_dmi();
  }

  // The host byte of DRAM address `where`: a laid-over page's if there is one.
  uint8_t* mem(uint64_t where) {
    if (shadow_ != nullptr && where - shadow_at_ < 0x1000) return shadow_->host_ptr() + (where - shadow_at_);
    return p_.at(where);
  }

  // The downstream map changes under the translations: a RAM page laid over
  // a frame, moved, removed, or destroyed while mapped.
  void change_downstream() {
    const unsigned what = static_cast<unsigned>(below(3));
    if (what == 0 || shadow_ == nullptr) {
      shadow_.reset();
      shadow_ = std::make_unique<RamRegion>("shadow", 0x1000);
      for (unsigned i = 0; i < 0x1000; ++i) shadow_->host_ptr()[i] = static_cast<uint8_t>(below(256));
      shadow_at_ = kFrameBase + (below(kFrames) << 12);
      p_.mem_root.add_subregion_overlap(shadow_at_, *shadow_, 1);
    } else if (what == 1) {
      p_.mem_root.del_subregion(*shadow_);
      shadow_.reset();
    } else {
      shadow_.reset();  // its destruction takes it out of the map
    }
    hunt_stale_dmi();
  }

  void change_latency() {
    dram_latency_ = Duration(static_cast<int64_t>(below(4)) * 1000);
    p_.dram.set_latency(dram_latency_, dram_latency_);
  }

  // The direct model: where byte `iova` of requester `r` goes, or 0.
  uint64_t translate(uint16_t r, uint64_t iova, IommuAccess wanted, MemTxResult* fault) const {
    auto it = pages_.find({r, iova & ~uint64_t(0xfff)});
    if (it == pages_.end()) {
      *fault |= MemTxResult::decode_error;
      return 0;
    }
    if (!allows(it->second.perm, wanted)) {
      *fault |= MemTxResult::access_error;
      return 0;
    }
    return it->second.frame + (iova & 0xfff);
  }

  void model_access() {
    const uint16_t r = rid();
    const uint64_t address = below(kPages << 12);
    const uint64_t length = 1 + below(64);
    const bool is_write = below(2) == 0;
    std::vector<uint8_t> data(length);
    for (auto& b : data) b = static_cast<uint8_t>(below(256));
    const std::vector<uint8_t> before(p_.at(kFrameBase), p_.at(kFrameBase + (kFrames << 12)));
    MemTxResult expected = MemTxResult::ok;
    std::vector<uint64_t> where(length);
    for (uint64_t i = 0; i < length; ++i) {
      where[i] = translate(r, address + i, is_write ? IommuAccess::write : IommuAccess::read, &expected);
    }
    const MemTxResult got = is_write ? p_.device.write(address, data.data(), length, test::Platform::requester(r))
                                     : p_.device.read(address, data.data(), length, test::Platform::requester(r));
    ASSERT_EQ(static_cast<int>(got), static_cast<int>(expected)) << context_ << " model access at " << address;
    for (uint64_t i = 0; i < length; ++i) {
      if (where[i] == 0) continue;
      if (is_write) {
        ASSERT_EQ(*mem(where[i]), data[i]) << context_ << " byte " << i;
      } else {
        ASSERT_EQ(data[i], *mem(where[i])) << context_ << " byte " << i;
      }
    }
    if (!is_write) {
      ASSERT_EQ(0, std::memcmp(before.data(), p_.at(kFrameBase), before.size())) << context_ << " a read wrote";
    }
  }

  void cpu_access() {
    const uint64_t address = below(kPages << 12) & ~uint64_t(3);
    const bool is_write = below(2) == 0;
    MemTxResult expected = MemTxResult::ok;
    const uint64_t where = translate(kCpuRid, address, is_write ? IommuAccess::write : IommuAccess::read, &expected);
    sc_core::sc_time delay;
    tlm::tlm_response_status status;
    const uint32_t value = static_cast<uint32_t>(rng_());
    uint32_t got = 0;
    if (is_write) {
      status = cpu_.write<uint32_t>(address, value, delay);
    } else {
      got = cpu_.read<uint32_t>(address, delay, &status);
    }
    ASSERT_EQ(status, to_tlm_response(expected)) << context_ << " cpu access at " << address;
    if (where == 0) return;
    uint32_t memory;
    std::memcpy(&memory, mem(where), 4);
    ASSERT_EQ(memory, is_write ? value : got) << context_ << " cpu access at " << address;
  }

  // b_transport only, either requester, inside a page or across pages: the
  // module's cached translations must follow every change at once.
  void transport_access() {
    const uint16_t r = rid();
    const uint64_t address = below(kPages << 12);
    const unsigned length = static_cast<unsigned>(1 + below(below(4) == 0 ? 64 : 8));
    const bool is_write = below(2) == 0;
    std::vector<uint8_t> data(length);
    for (auto& b : data) b = static_cast<uint8_t>(below(256));
    MemTxResult expected = MemTxResult::ok;
    std::vector<uint64_t> where(length);
    for (unsigned i = 0; i < length; ++i) {
      where[i] = translate(r, address + i, is_write ? IommuAccess::write : IommuAccess::read, &expected);
    }
    bt_.set_attributes(test::Platform::requester(r));
    sc_core::sc_time delay;
    const tlm::tlm_response_status status =
        is_write ? bt_.write(address, data.data(), length, delay) : bt_.read(address, data.data(), length, delay);
    ASSERT_EQ(status, to_tlm_response(expected)) << context_ << " b_transport at " << address << " length " << length;
    for (unsigned i = 0; i < length; ++i) {
      if (where[i] == 0) continue;
      ASSERT_EQ(*mem(where[i]), data[i]) << context_ << " b_transport at " << address << " byte " << i;
    }
  }

  // Through the device space's AddressSpaceTarget (the IOMMU region's
  // translation cache): b_transport, transport_dbg, or nb_transport from a
  // thread or a method.
  void target_access() {
    const uint16_t r = rid();
    // Requester 0 comes back to its last page half the time: the target's
    // kept page then answers, unless a change since ended it.
    const uint64_t address = r == 0 && below(2) == 0 ? (last_plain_page_ | below(0x1000)) : below(kPages << 12);
    if (r == 0) last_plain_page_ = address & ~uint64_t(0xfff);
    const unsigned length = static_cast<unsigned>(1 + below(below(4) == 0 ? 64 : 8));
    const unsigned how = static_cast<unsigned>(below(4));  // b_transport, dbg, nb (thread), nb (method)
    const bool is_write = below(2) == 0;
    std::vector<uint8_t> data(length);
    for (auto& b : data) b = static_cast<uint8_t>(below(256));
    const IommuAccess wanted = is_write ? IommuAccess::write : IommuAccess::read;
    MemTxResult expected = MemTxResult::ok;
    std::vector<uint64_t> where(length);
    for (unsigned i = 0; i < length; ++i) where[i] = translate(r, address + i, wanted, &expected);
    const std::string what = context_ + " target " + std::to_string(how) + (is_write ? " write" : " read") + " at " +
                             std::to_string(address) + " length " + std::to_string(length);
    port_.prepare(r, is_write, address, data.data(), length);
    if (how == 1) {
      // Debug: unspecified attributes (requester 0); up to the first refused
      // page; no fault recorded.
      unsigned expected_moved = 0;
      MemTxResult refused = MemTxResult::ok;
      while (expected_moved < length && translate(0, address + expected_moved, wanted, &refused) != 0) ++expected_moved;
      const uint64_t fault_status = p_.smmu.reg(ReferenceIommu::kFaultStatus);
      ASSERT_EQ(port_.socket->transport_dbg(port_.gp), expected_moved) << what;
      ASSERT_EQ(p_.smmu.reg(ReferenceIommu::kFaultStatus), fault_status) << what;
      for (unsigned i = 0; i < expected_moved; ++i) {
        ASSERT_EQ(*mem(translate(0, address + i, wanted, &refused)), data[i]) << what << " byte " << i;
      }
      return;
    }
    if (how == 0) {
      port_.socket->b_transport(port_.gp, port_.delay);
    } else {
      (how == 2 ? port_.go_thread : port_.go_method).notify(sc_core::SC_ZERO_TIME);
      sc_core::sc_start();
      ASSERT_TRUE(port_.done) << what;
    }
    ASSERT_EQ(port_.gp.get_response_status(), to_tlm_response(expected)) << what;
    for (unsigned i = 0; i < length; ++i) {
      if (where[i] != 0) {
        ASSERT_EQ(*mem(where[i]), data[i]) << what << " byte " << i;
      }
    }
    // One page of DRAM: DRAM's latency, whatever was cached before a change.
    const bool one_dram_page = (address >> 12) == ((address + length - 1) >> 12) && shadow_ == nullptr;
    if ((how == 0 || port_.at_once) && expected == MemTxResult::ok && one_dram_page) {
      ASSERT_EQ(port_.delay, sc_core::sc_time(static_cast<double>(dram_latency_.count()), sc_core::SC_PS)) << what;
    }
  }

  void dma_copy() {
    const uint64_t src = below(kPages << 12);
    const uint64_t dst = below(kPages << 12);
    const uint64_t length = 1 + below(3 * 0x1000);
    const std::vector<uint8_t> before(p_.dram.host_ptr(), p_.dram.host_ptr() + 0x200000);
    MemTxResult fault = MemTxResult::ok;
    std::vector<uint64_t> from(length), to(length);
    for (uint64_t i = 0; i < length; ++i) {
      from[i] = translate(kDmaRid, src + i, IommuAccess::read, &fault);
      to[i] = translate(kDmaRid, dst + i, IommuAccess::write, &fault);
    }
    p_.dma.registers().dispatch_write(DmaEngine::kStatus, DmaEngine::kDone | DmaEngine::kError, 8, {});
    p_.run_dma(src, dst, length);
    const bool ok = fault == MemTxResult::ok;
    ASSERT_EQ(p_.dma.reg(DmaEngine::kStatus), ok ? DmaEngine::kDone : DmaEngine::kError)
        << context_ << " dma " << src << " -> " << dst << " length " << length;
    // Bytes only change in the destination's translated pages (write-mapped for the DMA).
    std::vector<bool> writable(0x200000);
    for (const auto& [key, page] : pages_) {
      if (key.first == kDmaRid && allows(page.perm, IommuAccess::write)) {
        for (uint64_t i = 0; i < 0x1000; ++i) writable[page.frame - kDram + i] = true;
      }
    }
    for (uint64_t i = 0; i < before.size(); ++i) {
      ASSERT_TRUE(writable[i] || before[i] == p_.dram.host_ptr()[i]) << context_ << " dma wrote DRAM +" << i;
    }
    if (!ok || shadow_ != nullptr) return;
    // With no overlap between what it read and wrote, the copy is exact.
    // (and no two destination pages on one frame: the last write wins).
    std::vector<bool> written(0x200000);
    for (uint64_t i = 0; i < length; ++i) {
      if (written[to[i] - kDram]) return;
      written[to[i] - kDram] = true;
    }
    for (uint64_t i = 0; i < length; ++i) {
      if (written[from[i] - kDram]) return;
    }
    for (uint64_t i = 0; i < length; ++i) {
      ASSERT_EQ(*p_.at(to[i]), before[from[i] - kDram]) << context_ << " dma byte " << i;
    }
  }

  // Every grant the CPU port holds agrees with the direct model.
  void hunt_stale_dmi() {
    for (const tlm::tlm_dmi& g : cpu_.dmi_cache().grants()) {
      for (uint64_t a = g.get_start_address(); a <= g.get_end_address(); a += 0x100) {
        MemTxResult fault = MemTxResult::ok;
        const IommuAccess rights = g.is_read_write_allowed() ? IommuAccess::read_write
                                   : g.is_read_allowed()     ? IommuAccess::read
                                                             : IommuAccess::write;
        const uint64_t where = translate(kCpuRid, a, rights, &fault);
        ASSERT_EQ(fault, MemTxResult::ok) << context_ << " stale grant at " << a;
        ASSERT_EQ(g.get_dmi_ptr() + (a - g.get_start_address()), mem(where)) << context_ << " stale pointer at " << a;
      }
    }
  }

  std::mt19937_64 rng_;
  test::Platform p_;
  DmiInitiator<32> cpu_{"cpu"};
  test::ProtocolChecker<32> checker_{"checker"};
  DmiInitiator<32> bt_{"bt"};
  test::ProtocolChecker<32> bt_checker_{"bt_checker"};
  AddressSpaceTarget<32> device_target_{"device_target", p_.device};
  TargetPort port_{"port"};
  test::ProtocolChecker<32> port_checker_{"port_checker"};
  std::unique_ptr<RamRegion> shadow_;  // a page laid over a frame, or none
  uint64_t shadow_at_ = 0;
  Duration dram_latency_{};
  std::map<std::pair<uint16_t, uint64_t>, Page> pages_;
  std::string context_;
  uint64_t last_plain_page_ = 0;  // target_access(): requester 0's last page
  bool extended_;
};

TEST(RandomIommu, TranslationDmaAndDmiAgreeWithADirectModel) {
  const uint64_t seed = test::env_number("TLMMAP_RANDOM_IOMMU_SEED", 0x10a1a5eed);
  const unsigned ops = static_cast<unsigned>(test::env_number("TLMMAP_RANDOM_IOMMU_OPS", test::kSanitized ? 800 : 4000));
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay with TLMMAP_RANDOM_IOMMU_SEED)");
  RandomIommu(seed, false).run(ops);
}

// The translation cache under every path (the device space's target with
// b_transport, debug and nb from a thread and a method, the model's path,
// the module with DMI and without, DMA) with downstream map and latency
// changes and teardown. (This mix found grants of the module left stale
// after a downstream change: downstream discards a DMI grant whole on an
// invalidation that meets it, and the module kept the rest.)
TEST(RandomIommu, TheTranslationCacheFollowsEveryChange) {
  const uint64_t seed = test::env_number("TLMMAP_RANDOM_IOMMU_SEED", 0x10a1a5eed);
  const unsigned ops = static_cast<unsigned>(test::env_number("TLMMAP_RANDOM_IOMMU_OPS", test::kSanitized ? 800 : 4000));
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay with TLMMAP_RANDOM_IOMMU_SEED)");
  RandomIommu(seed, true).run(ops);
}

}  // namespace
}  // namespace tlmmap
