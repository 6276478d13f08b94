// The translation cache of IOMMU regions (tlmmap/core/detail/translation_cache.hpp):
// the model's path and the AddressSpaceTarget keep each allowed translation
// of a page, index and direction, skip translate() while it is kept, and drop
// it exactly when a MAP/UNMAP event or a change of the target space meets it.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <cstring>
#include <vector>

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "support/iommu_board.hpp"
#include "support/map_iommu.hpp"
#include "support/payload.hpp"
#include "support/tlm_devices.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

using test::MapIommu;
using namespace std::chrono_literals;

struct Board : test::IommuBoard {
  uint32_t read(uint64_t address, MemTxResult* result = nullptr, const MemTxAttrs& attrs = MemTxAttrs{}) {
    uint32_t v = 0;
    const MemTxResult r = bus.read(address, &v, 4, attrs);
    if (result != nullptr) *result = r;
    return v;
  }
};

MemTxAttrs requester(uint16_t id) {
  MemTxAttrs a = MemTxAttrs::specified();
  a.requester_id = id;
  return a;
}

TEST(IommuTranslationCache, AHitDoesNotCallTranslate) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  EXPECT_EQ(b.read(0x102010), b.ram_word(0x6010));
  EXPECT_EQ(b.iommu.translations, 1u);
  EXPECT_EQ(b.iommu.cached_translations(), 1u);
  // Anywhere in the page, any size: kept.
  for (uint64_t at = 0x102000; at < 0x103000; at += 0x124) EXPECT_EQ(b.read(at), b.ram_word(at - 0x102000 + 0x6000));
  uint64_t v = 0;
  ASSERT_EQ(b.bus.load(0x102ff8, 8, v), MemTxResult::ok);
  EXPECT_EQ(b.iommu.translations, 1u);
  // Writes are kept on their own (the IOMMU may treat them differently).
  const uint32_t w = 0xfeedf00d;
  ASSERT_EQ(b.bus.write(0x102020, &w, 4), MemTxResult::ok);
  ASSERT_EQ(b.bus.write(0x102024, &w, 4), MemTxResult::ok);
  EXPECT_EQ(b.ram_word(0x6024), w);
  EXPECT_EQ(b.iommu.translations, 2u);
  EXPECT_EQ(b.iommu.cached_translations(), 2u);
  EXPECT_EQ(b.iommu.flags_seen, (std::vector<IommuAccess>{IommuAccess::read, IommuAccess::write}));
}

TEST(IommuTranslationCache, HitsAddTheTargetRangesLatency) {
  Board b;
  b.ram.set_latency(Duration(7000), Duration(9000));
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  Duration cold{};
  Duration warm{};
  uint32_t v = 0;
  ASSERT_EQ(b.bus.read(0x102010, &v, 4, MemTxAttrs{}, &cold), MemTxResult::ok);
  ASSERT_EQ(b.bus.read(0x102010, &v, 4, MemTxAttrs{}, &warm), MemTxResult::ok);
  EXPECT_EQ(cold, Duration(7000));
  EXPECT_EQ(warm, cold);
  // A latency change is a change of the target space's view: it drops the page.
  b.ram.set_latency(Duration(1000), Duration(1000));
  Duration changed{};
  ASSERT_EQ(b.bus.read(0x102010, &v, 4, MemTxAttrs{}, &changed), MemTxResult::ok);
  EXPECT_EQ(changed, Duration(1000));
  EXPECT_EQ(b.iommu.translations, 2u);
}

TEST(IommuTranslationCache, AnUnmapDropsExactlyItsPage) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  b.iommu.map_page(0x3000, b.memory, 0x8000, IommuAccess::read_write);
  b.read(0x102000);
  b.read(0x103000);
  EXPECT_EQ(b.iommu.cached_translations(), 2u);
  b.iommu.unmap_page(0x2000);
  EXPECT_EQ(b.iommu.cached_translations(), 1u);
  // The other page still hits; the unmapped one faults (and is not kept).
  const unsigned before = b.iommu.translations;
  EXPECT_EQ(b.read(0x103004), b.ram_word(0x8004));
  EXPECT_EQ(b.iommu.translations, before);
  MemTxResult r;
  EXPECT_EQ(b.read(0x102004, &r), 0u);
  EXPECT_EQ(r, MemTxResult::decode_error);
  EXPECT_EQ(b.read(0x102004, &r), 0u);
  EXPECT_EQ(b.iommu.translations, before + 2);
  ASSERT_EQ(b.iommu.faults.size(), 2u);
  EXPECT_EQ(b.iommu.faults[0].reason, IommuFaultReason::no_translation);
  // A remap (UNMAP then MAP) is seen at once.
  b.iommu.map_page(0x3000, b.memory, 0x9000, IommuAccess::read);
  EXPECT_EQ(b.read(0x103004), b.ram_word(0x9004));
}

TEST(IommuTranslationCache, AChangeOfTheTargetSpaceDropsThePagesItMeets) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  b.iommu.map_page(0x3000, b.memory, 0x8000, IommuAccess::read_write);
  b.read(0x102000);
  b.read(0x103000);
  // A ROM over the first translated page only.
  RomRegion rom{"rom", 0x1000};
  std::memset(rom.host_ptr(), 0xab, 0x1000);
  b.mem_root.add_subregion_overlap(0x6000, rom, 1);
  EXPECT_EQ(b.iommu.cached_translations(), 1u);
  EXPECT_EQ(b.read(0x102010), 0xabababab);
  // Writes to the ROM are refused by the target space, not by the IOMMU.
  const uint32_t w = 1;
  EXPECT_EQ(b.bus.write(0x102010, &w, 4), MemTxResult::access_error);
  EXPECT_TRUE(b.iommu.faults.empty());
  EXPECT_EQ(b.read(0x102010), 0xabababab);
  const unsigned before = b.iommu.translations;
  EXPECT_EQ(b.read(0x103010), b.ram_word(0x8010));
  EXPECT_EQ(b.iommu.translations, before);
  b.mem_root.del_subregion(rom);
  EXPECT_EQ(b.read(0x102010), b.ram_word(0x6010));
}

TEST(IommuTranslationCache, ARegionMovedOverAKeptPageDropsIt) {
  Board b;
  RamRegion shadow{"shadow", 0x1000};
  std::memset(shadow.host_ptr(), 0x5a, 0x1000);
  b.mem_root.add_subregion_overlap(0x8000, shadow, 1);
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  EXPECT_EQ(b.read(0x102010), b.ram_word(0x6010));
  b.mem_root.del_subregion(shadow);
  b.mem_root.add_subregion_overlap(0x6000, shadow, 1);
  EXPECT_EQ(b.read(0x102010), 0x5a5a5a5au);
}

TEST(IommuTranslationCache, TheTargetSpaceGoingDropsItsPages) {
  Board b;
  auto other_root = std::make_unique<ContainerRegion>("other_root", k64BitSpace);
  RamRegion other_ram{"other_ram", 0x1000};
  other_root->add_subregion(0, other_ram);
  auto other = std::make_unique<AddressSpace>(*other_root, "other");
  b.iommu.map_page(0x2000, *other, 0, IommuAccess::read_write);
  b.iommu.map_page(0x3000, b.memory, 0x8000, IommuAccess::read_write);
  b.read(0x102000);
  b.read(0x103000);
  EXPECT_EQ(b.iommu.cached_translations(), 2u);
  other.reset();
  EXPECT_EQ(b.iommu.cached_translations(), 1u);
}

TEST(IommuTranslationCache, IndexesAreKeptApart) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write, 0);
  b.iommu.map_page(0x2000, b.memory, 0x7000, IommuAccess::read_write, 1);
  EXPECT_EQ(b.read(0x102010, nullptr, requester(0)), b.ram_word(0x6010));
  EXPECT_EQ(b.read(0x102010, nullptr, requester(1)), b.ram_word(0x7010));
  EXPECT_EQ(b.read(0x102010, nullptr, requester(0)), b.ram_word(0x6010));
  EXPECT_EQ(b.read(0x102010, nullptr, requester(1)), b.ram_word(0x7010));
  EXPECT_EQ(b.iommu.translations, 2u);
  // An event of index 1 leaves index 0 kept.
  b.iommu.unmap_page(0x2000, 1);
  EXPECT_EQ(b.iommu.cached_translations(), 1u);
  MemTxResult r;
  b.read(0x102010, &r, requester(1));
  EXPECT_EQ(r, MemTxResult::decode_error);
  EXPECT_EQ(b.read(0x102010, nullptr, requester(0)), b.ram_word(0x6010));
  EXPECT_EQ(b.iommu.translations, 3u);
}

TEST(IommuTranslationCache, AWriteToAReadOnlyKeptPageFaults) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read, 2);
  EXPECT_EQ(b.read(0x102010, nullptr, requester(2)), b.ram_word(0x6010));
  const uint32_t before = b.ram_word(0x6010);
  uint32_t w = 0x12345678;
  EXPECT_EQ(b.bus.write(0x102010, &w, 4, requester(2)), MemTxResult::access_error);
  EXPECT_EQ(b.bus.write(0x102010, &w, 4, requester(2)), MemTxResult::access_error);
  EXPECT_EQ(b.ram_word(0x6010), before);
  ASSERT_EQ(b.iommu.faults.size(), 2u);
  EXPECT_EQ(b.iommu.faults[1].address, 0x2010u);
  EXPECT_TRUE(b.iommu.faults[1].is_write);
  EXPECT_EQ(b.iommu.faults[1].index, 2);
  EXPECT_EQ(b.iommu.faults[1].reason, IommuFaultReason::permission);
  EXPECT_EQ(b.iommu.cached_translations(), 1u);  // the read only

  // The same through the TLM target: the right status and a fault each time.
  AddressSpaceTarget<32> target{"target", b.bus};
  test::RecordingInitiator<32> cpu{"cpu"};
  cpu.socket.bind(target.target_socket);
  uint32_t v = 0;
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // index 0
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read, 0);
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(cpu.transport(tlm::TLM_WRITE_COMMAND, 0x102010, &w, 4), tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(b.iommu.faults.size(), 4u);
  EXPECT_EQ(b.iommu.faults.back().reason, IommuFaultReason::permission);
  EXPECT_EQ(b.ram_word(0x6010), before);
}

TEST(IommuTranslationCache, DebugAccessesReadTheCacheButNeverFillIt) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  uint32_t v = 0;
  EXPECT_EQ(b.bus.debug_read(0x102010, &v, 4), 4u);
  EXPECT_EQ(v, b.ram_word(0x6010));
  EXPECT_EQ(b.iommu.cached_translations(), 0u);
  EXPECT_EQ(b.iommu.flags_seen, std::vector<IommuAccess>{IommuAccess::none});
  b.read(0x102000);
  EXPECT_EQ(b.bus.debug_read(0x102010, &v, 4), 4u);
  EXPECT_EQ(b.iommu.translations, 2u);  // the debug read used the kept translation
  EXPECT_TRUE(b.iommu.faults.empty());
}

TEST(IommuTranslationCache, ANestedIommusChangeIsSeenThroughTheOuterKeptTranslation) {
  // bus --outer--> mid (holds inner at 0) --inner--> memory
  Board b;
  ContainerRegion mid_root{"mid_root", k64BitSpace};
  MapIommu inner{"inner", 0x100000};
  mid_root.add_subregion(0, inner);
  AddressSpace mid{mid_root, "mid"};
  b.iommu.map_page(0x2000, mid, 0x5000, IommuAccess::read_write);
  inner.map_page(0x5000, b.memory, 0x6000, IommuAccess::read_write);
  EXPECT_EQ(b.read(0x102010), b.ram_word(0x6010));
  EXPECT_EQ(b.read(0x102010), b.ram_word(0x6010));
  EXPECT_EQ(b.iommu.translations, 1u);
  EXPECT_EQ(inner.translations, 1u);
  // The outer entry keeps only its own level (its page lands on an IOMMU,
  // not on memory): the inner IOMMU's change drops the inner entry, and the
  // next access goes on through the outer entry and is translated again
  // by the inner one.
  inner.map_page(0x5000, b.memory, 0x9000, IommuAccess::read);
  EXPECT_EQ(inner.cached_translations(), 0u);
  EXPECT_EQ(b.read(0x102010), b.ram_word(0x9010));
  EXPECT_EQ(b.iommu.translations, 1u);
  EXPECT_EQ(inner.translations, 2u);
  const uint32_t w = 5;
  EXPECT_EQ(b.bus.write(0x102010, &w, 4), MemTxResult::access_error);
  EXPECT_EQ(inner.faults.size(), 1u);
  inner.unmap_page(0x5000);
  MemTxResult r;
  b.read(0x102010, &r);
  EXPECT_EQ(r, MemTxResult::decode_error);
}

TEST(IommuTranslationCache, TheTlmTargetCopiesAKeptRamPageWithoutTheIommu) {
  Board b;
  b.ram.set_latency(Duration(3000), Duration(3000));
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  AddressSpaceTarget<32> target{"target", b.bus};
  test::RecordingInitiator<32> cpu{"cpu"};
  cpu.socket.bind(target.target_socket);
  uint32_t v = 0;
  ASSERT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), tlm::TLM_OK_RESPONSE);
  const sc_core::sc_time cold = cpu.delay;
  ASSERT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x102014, &v, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, b.ram_word(0x6014));
  EXPECT_EQ(cpu.delay, cold + cold);  // the same latency when kept
  EXPECT_EQ(cold, sc_core::sc_time(3, sc_core::SC_NS));
  EXPECT_FALSE(cpu.gp.is_dmi_allowed());  // no DMI over an IOMMU range
  EXPECT_EQ(b.iommu.translations, 1u);
  uint32_t w = 0xa5a5a5a5;
  ASSERT_EQ(cpu.transport(tlm::TLM_WRITE_COMMAND, 0x102018, &w, 4), tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(cpu.transport(tlm::TLM_WRITE_COMMAND, 0x10201c, &w, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(b.ram_word(0x601c), w);
  EXPECT_EQ(b.iommu.translations, 2u);
  // Debug: from the cache, no translation.
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x102018, &v, 4), 4u);
  EXPECT_EQ(v, w);
  EXPECT_EQ(b.iommu.translations, 2u);
  // Unmapped: faults at once, never the stale page.
  b.iommu.unmap_page(0x2000);
  EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x102018, &v, 4), 0u);
  // Remapped onto a page the target space then changes.
  b.iommu.map_page(0x2000, b.memory, 0x7000, IommuAccess::read_write);
  ASSERT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, b.ram_word(0x7010));
  RamRegion other{"other", 0x1000};
  std::memset(other.host_ptr(), 0x3c, 0x1000);
  b.mem_root.add_subregion_overlap(0x7000, other, 1);
  ASSERT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x102010, &v, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0x3c3c3c3cu);
}

// An initiator of the base protocol: the response of a request answered later.
struct NbInitiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<NbInitiator, 32> socket{"socket"};
  tlm::tlm_generic_payload gp;
  uint32_t data = 0;
  bool responded = false;
  explicit NbInitiator(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    socket.register_nb_transport_bw(this, &NbInitiator::nb_transport_bw);
  }
  tlm::tlm_sync_enum begin(uint64_t address, tlm::tlm_phase& phase) {
    test::prepare_payload(gp, tlm::TLM_READ_COMMAND, address, &data, 4);
    phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    responded = false;
    return socket->nb_transport_fw(gp, phase, delay);
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase& phase, sc_core::sc_time&) {
    if (phase == tlm::BEGIN_RESP) responded = true;
    phase = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
  }
};

TEST(IommuTranslationCache, NbTransportOfAKeptPageCompletesAtOnce) {
  Board b;
  b.iommu.map_page(0x2000, b.memory, 0x6000, IommuAccess::read_write);
  AddressSpaceTarget<32> target{"target", b.bus};
  NbInitiator cpu{"cpu"};
  cpu.socket.bind(target.target_socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  // Not kept yet: the translation may lead to a TLM device whose b_transport
  // waits, so a process of the target answers it.
  tlm::tlm_phase phase;
  EXPECT_EQ(cpu.begin(0x102010, phase), tlm::TLM_UPDATED);
  EXPECT_EQ(phase, tlm::END_REQ);
  sc_core::sc_start(1, sc_core::SC_NS);
  EXPECT_TRUE(cpu.responded);
  EXPECT_EQ(cpu.gp.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(cpu.data, b.ram_word(0x6010));
  // Kept now: answered in the call, without the IOMMU.
  EXPECT_EQ(cpu.begin(0x102020, phase), tlm::TLM_COMPLETED);
  EXPECT_EQ(cpu.gp.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(cpu.data, b.ram_word(0x6020));
  EXPECT_EQ(b.iommu.translations, 1u);
  // Unmapped: back to the model's path, which refuses it.
  b.iommu.unmap_page(0x2000);
  EXPECT_EQ(cpu.begin(0x102020, phase), tlm::TLM_UPDATED);
  sc_core::sc_start(1, sc_core::SC_NS);
  EXPECT_TRUE(cpu.responded);
  EXPECT_EQ(cpu.gp.get_response_status(), tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

}  // namespace
}  // namespace tlmmap
