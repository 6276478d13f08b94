// The memmap loader: what it builds, what it refuses, and the round trip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/map_text.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/memmap/memmap_loader.hpp"
#include "tlmmap/memmap/memmap_writer.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/coalesced_mmio.hpp"
#include "tlmmap/core/memory_listener.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/memmap/loaded_regions.hpp"

namespace tlmmap {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::error_of;
using test::ranges;

// The example of docs/memmap-format.md.
const char* const kExample = R"({
  "memmap": 1,
  "regions": [
    { "id": "ram", "name": "pc.ram", "kind": "ram", "size": "0x100000000" },
    { "id": "system", "kind": "container", "size": "0x10000000000000000",
      "subregions": [
        { "region": "lomem", "offset": "0x0" },
        { "region": "vga-window", "offset": "0xa0000", "priority": 1, "overlap": true }
      ] },
    { "id": "lomem", "name": "ram-below-4g", "kind": "alias",
      "target": "ram", "target_offset": "0x0", "size": "0xe0000000" },
    { "id": "vga-window", "kind": "mmio", "size": "0x20000" }
  ],
  "address_spaces": [ { "name": "memory", "root": "system" } ]
})";

TEST(MemmapLoader, BuildsTheDocumentedExample) {
  auto map = load_memmap_json(kExample);
  ASSERT_NE(map, nullptr);
  Region* ram = map->region("ram");
  ASSERT_NE(ram, nullptr);
  EXPECT_EQ(ram->name(), "pc.ram");
  EXPECT_EQ(ram->kind(), RegionKind::ram);
  EXPECT_EQ(map->region("system")->size(), k64BitSpace);
  EXPECT_EQ(map->region("vga-window")->priority(), 1);
  EXPECT_TRUE(map->region("vga-window")->may_overlap());
  EXPECT_EQ(map->region("lomem")->alias_target(), ram);
  EXPECT_FALSE(static_cast<RamRegion*>(ram)->memory_reserved());  // nothing allocated to build a map
  AddressSpace* memory = map->address_space("memory");
  ASSERT_NE(memory, nullptr);
  EXPECT_THAT(ranges(*memory), ElementsAre("0x0-0x9ffff pc.ram", "0xa0000-0xbffff vga-window",
                                           "0xc0000-0xdfffffff pc.ram@0xc0000"));
}

TEST(MemmapLoader, ReadsEveryPropertyAndNumberForm) {
  auto map = load_memmap_json(R"({"memmap": 1, "regions": [
    {"id": "root", "kind": "container", "size": 65536, "subregions": [
      {"region": "flash", "offset": 0}, {"region": "ro", "offset": "4096"},
      {"region": "off", "offset": "0x2000", "priority": -5}, {"region": "nv", "offset": "0x3000"}]},
    {"id": "flash", "kind": "rom_device", "size": "0x1000", "romd": false},
    {"id": "ram", "kind": "ram", "size": "0x1000"},
    {"id": "ro", "kind": "alias", "target": "ram", "target_offset": 0, "size": "0x1000", "readonly": true},
    {"id": "off", "kind": "mmio", "size": "0x10", "enabled": false},
    {"id": "nv", "kind": "alias", "target": "ram", "target_offset": "0x800", "size": "0x800", "nonvolatile": true},
    {"id": "unused", "kind": "reservation", "size": "0x10", "x-note": "extension keys are ignored"}],
   "address_spaces": [{"name": "as", "root": "root"}]})");
  ASSERT_NE(map, nullptr);
  EXPECT_FALSE(static_cast<RomDeviceRegion*>(map->region("flash"))->romd());
  EXPECT_TRUE(map->region("ro")->readonly());
  EXPECT_FALSE(map->region("off")->enabled());
  EXPECT_EQ(map->region("off")->priority(), -5);
  EXPECT_FALSE(map->region("off")->may_overlap());
  EXPECT_TRUE(map->region("nv")->nonvolatile());
  EXPECT_THAT(ranges(*map->address_space("as")),
              ElementsAre("0x0-0xfff flash !romd", "0x1000-0x1fff ram ro", "0x3000-0x37ff ram@0x800"));
}

TEST(MemmapLoader, YamlWithTheSameStructure) {
  auto map = load_memmap_yaml(R"(
memmap: 1
regions:
  - {id: ram, name: pc.ram, kind: ram, size: "0x100000000"}
  - id: system
    kind: container
    size: "0x10000000000000000"
    subregions:
      - {region: lomem, offset: 0x0}
      - {region: vga-window, offset: 0xa0000, priority: 1, overlap: true}
  - {id: lomem, name: ram-below-4g, kind: alias, target: ram, target_offset: 0, size: 0xe0000000}
  - {id: vga-window, kind: mmio, size: 0x20000}
address_spaces:
  - {name: memory, root: system}
)");
  ASSERT_NE(map, nullptr);
  const auto from_yaml = ranges(*map->address_space("memory"));
  EXPECT_EQ(from_yaml.size(), 3u);
  map.reset();  // memory names are unique among live regions
  auto json = load_memmap_json(kExample);
  ASSERT_NE(json, nullptr);
  EXPECT_EQ(ranges(*json->address_space("memory")), from_yaml);
  EXPECT_THAT(error_of([] { load_memmap_yaml("memmap: 1\nmemmap: 1\nregions: []\n"); }),
              HasSubstr("memmap: duplicated key \"memmap\""));
  EXPECT_THAT(error_of([] { load_memmap_yaml("memmap: 1\nregions: [ {id: a, kind: mmio, size: 1.5} ]\n"); }),
              HasSubstr("floats are refused"));
  EXPECT_THAT(error_of([] { load_memmap_yaml("memmap: [1\n"); }), HasSubstr("not valid YAML"));
}

TEST(MemmapLoader, ExportThenLoadGivesIdenticalFlatViews) {
  auto first = load_memmap_json(kExample);
  ASSERT_NE(first, nullptr);
  const std::string exported = write_memmap(*first);
  const auto before = ranges(*first->address_space("memory"));
  first.reset();
  auto second = load_memmap_json(exported, "exported");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(ranges(*second->address_space("memory")), before);
  EXPECT_EQ(write_memmap(*second), exported);
}

TEST(MemmapLoader, ExportKeepsTheOwnAddressOfARootOutsideAnyContainer) {
  ContainerRegion bus("bus", 0x1000);
  MmioRegion dev("dev", 0x10);
  bus.add_subregion(0x10, dev);
  bus.set_address(0x8000);  // no container: only an address space rooted at it sees this
  AddressSpace space(bus, "as");
  EXPECT_THAT(ranges(space), ElementsAre("0x8010-0x801f dev"));
  auto loaded = load_memmap_json(write_memmap({&space}));
  ASSERT_NE(loaded, nullptr);
  EXPECT_THAT(ranges(*loaded->address_space("as")), ElementsAre("0x8010-0x801f dev"));
}

TEST(MemmapLoader, ExportKeepsTheAddOrderThatDecidesTies) {
  std::vector<std::string> before;
  std::string exported;
  {
    ContainerRegion root("root", 0x1000);
    RamRegion a("a", 0x100), b("b", 0x100);
    root.add_subregion(0x0, a);
    root.add_subregion(0x80, b);  // later: wins over a
    a.set_address(0x40);          // re-added: now wins over b
    AddressSpace space(root, "as");
    before = ranges(space);
    exported = write_memmap({&space});
  }  // gone before the copy is loaded: memory names are unique among live regions
  auto loaded = load_memmap_json(exported);
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(ranges(*loaded->address_space("as")), before);
}

// Each refusal names the entry; nothing stays built.
struct Refusal {
  const char* name;
  std::string document;
  const char* message;
};

std::string doc(const std::string& regions, const std::string& spaces = "[]") {
  return R"({"memmap": 1, "regions": [)" + regions + R"(], "address_spaces": )" + spaces + "}";
}

void PrintTo(const Refusal& r, std::ostream* os) { *os << r.name; }

class MemmapRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(MemmapRefusal, IsRefusedWholeNamingTheEntry) {
  ContainerRegion bystander("bystander", 0x1000);
  RamRegion ram("ram", 0x100);
  bystander.add_subregion(0, ram);
  AddressSpace existing(bystander, "existing");
  const auto before = ranges(existing);
  const std::string message = error_of([] { load_memmap_json(GetParam().document, "map.json"); });
  EXPECT_THAT(message, HasSubstr(GetParam().message));
  EXPECT_THAT(message, HasSubstr("map.json: "));
  // Nothing half-built: only the address space made here exists.
  EXPECT_THAT(address_spaces(), ElementsAre(&existing));
  EXPECT_EQ(ranges(existing), before);
  // With a handler that does not throw, the loader returns nothing.
  sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_DO_NOTHING);
  EXPECT_EQ(load_memmap_json(GetParam().document, "map.json"), nullptr);
  EXPECT_THAT(address_spaces(), ElementsAre(&existing));
}

const std::string kRam = R"({"id": "ram", "kind": "ram", "size": "0x1000"})";

// a0 -> ram, a1 -> a0, ..., a299 -> a298: a chain deeper than the renderer goes.
std::string deep_alias_chain() {
  std::string regions = kRam;
  for (int i = 0; i < 300; ++i) {
    const std::string target = i == 0 ? "ram" : "a" + std::to_string(i - 1);
    regions += R"(, {"id": "a)" + std::to_string(i) + R"(", "kind": "alias", "size": 16, "target": ")" + target +
               R"(", "target_offset": 0})";
  }
  return doc(regions);
}

INSTANTIATE_TEST_SUITE_P(
    Memmap, MemmapRefusal,
    ::testing::Values(
        Refusal{"NotJson", "{\"memmap\": 1,", "not valid JSON"},
        Refusal{"NotAnObject", "[]", "the document is not an object"},
        Refusal{"NoVersion", R"({"regions": []})", "no \"memmap\" version"},
        Refusal{"WrongVersion", R"({"memmap": 2, "regions": []})", "memmap version 2 is not supported"},
        Refusal{"VersionAsString", R"({"memmap": "1", "regions": []})", "memmap version \"1\""},
        Refusal{"NoRegions", R"({"memmap": 1})", "no \"regions\" list"},
        Refusal{"UnknownTopKey", R"({"memmap": 1, "regions": [], "extra": 0})", "unknown key \"extra\""},
        Refusal{"DuplicatedKey", R"({"memmap": 1, "regions": [{"id": "a", "id": "b", "kind": "mmio", "size": 1}]})",
                "regions[0]: duplicated key \"id\""},
        Refusal{"MissingId", doc(R"({"kind": "ram", "size": 1})"), "regions[0]: no \"id\""},
        Refusal{"DuplicatedId", doc(kRam + "," + kRam), "regions[1] (id \"ram\"): duplicated id (also regions[0]"},
        Refusal{"UnknownKind", doc(R"({"id": "x", "kind": "flash", "size": 1})"), "(id \"x\"): unknown kind \"flash\""},
        Refusal{"UnknownKey", doc(R"({"id": "x", "kind": "mmio", "size": 1, "sise": 2})"), "unknown key \"sise\""},
        Refusal{"MissingSize", doc(R"({"id": "x", "kind": "mmio"})"), "(id \"x\"): no \"size\""},
        Refusal{"MissingReference", doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "nope", "offset": 0}]})"),
                "(id \"c\").subregions[0] (region \"nope\"): no region with id \"nope\""},
        Refusal{"AddedTwiceToOneContainer",
                doc(kRam + R"(, {"id": "c", "kind": "container", "size": 65536, "subregions": [{"region": "ram", "offset": 0}, {"region": "ram", "offset": 4096}]})"),
                "(id \"c\").subregions[1] (region \"ram\"): region \"ram\" is already a subregion at regions[1] (id \"c\").subregions[0] (region \"ram\")"},
        Refusal{"AddedToTwoContainers",
                doc(kRam + R"(, {"id": "a", "kind": "container", "size": 65536, "subregions": [{"region": "ram", "offset": 0}]},
                               {"id": "b", "kind": "container", "size": 65536, "subregions": [{"region": "ram", "offset": 0}]})"),
                "(id \"b\").subregions[0] (region \"ram\"): region \"ram\" is already a subregion at regions[1] (id \"a\")"},
        Refusal{"ContainsItselfDirectly", doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "c", "offset": 0}]})"),
                "region \"c\" cannot hold itself"},
        Refusal{"ContainsItselfThroughOthers",
                doc(R"({"id": "a", "kind": "container", "size": 16, "subregions": [{"region": "b", "offset": 0}]},
                       {"id": "b", "kind": "container", "size": 16, "subregions": [{"region": "c", "offset": 0}]},
                       {"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "a", "offset": 0}]})"),
                "the region contains itself"},
        Refusal{"AliasCycle",
                doc(R"({"id": "a", "kind": "alias", "size": 16, "target": "b", "target_offset": 0},
                       {"id": "b", "kind": "alias", "size": 16, "target": "a", "target_offset": 0})"),
                "alias cycle \"a\" -> \"b\" -> \"a\""},
        Refusal{"AliasIntoACycle",
                doc(R"({"id": "x", "kind": "alias", "size": 16, "target": "a", "target_offset": 0},
                       {"id": "a", "kind": "alias", "size": 16, "target": "b", "target_offset": 0},
                       {"id": "b", "kind": "alias", "size": 16, "target": "a", "target_offset": 0})"),
                "(id \"x\"): the alias chain runs into an alias cycle (\"x\" -> \"a\" -> \"b\" -> \"a\")"},
        Refusal{"AliasChainTooDeep", deep_alias_chain(),
                "(id \"a256\"): aliases of aliases nest deeper than 256 levels (\"a256\" -> \"a255\" -> \"a254\" -> "
                "\"a253\" -> ... (249 more) -> \"a3\" -> \"a2\" -> \"a1\" -> \"a0\")"},
        Refusal{"AliasOfItself", doc(R"({"id": "a", "kind": "alias", "size": 16, "target": "a", "target_offset": 0})"),
                "alias cycle \"a\" -> \"a\""},
        Refusal{"SubregionOnAlias",
                doc(kRam + R"(, {"id": "a", "kind": "alias", "size": 16, "target": "ram", "target_offset": 0, "subregions": [{"region": "ram", "offset": 0}]})"),
                "(id \"a\"): an alias cannot hold subregions"},
        Refusal{"AliasWithoutTarget", doc(R"({"id": "a", "kind": "alias", "size": 16, "target_offset": 0})"),
                "alias without \"target\""},
        Refusal{"AliasWithoutOffset", doc(kRam + R"(, {"id": "a", "kind": "alias", "size": 16, "target": "ram"})"),
                "alias without \"target_offset\""},
        Refusal{"AliasToMissingRegion", doc(R"({"id": "a", "kind": "alias", "size": 16, "target": "ghost", "target_offset": 0})"),
                "target \"ghost\" is not a region id"},
        Refusal{"TargetOnNonAlias", doc(kRam + R"(, {"id": "m", "kind": "mmio", "size": 16, "target": "ram"})"),
                "\"target\" is only for alias"},
        Refusal{"FloatSize", doc(R"({"id": "m", "kind": "mmio", "size": 1.0})"), "size: 1.0 is not an integer"},
        Refusal{"ExponentSize", doc(R"({"id": "m", "kind": "mmio", "size": 1e30})"), "floats are refused"},
        Refusal{"HugeIntegerSize", doc(R"({"id": "m", "kind": "mmio", "size": 18446744073709551616})"),
                "write numbers beyond 2^64-1 as strings"},
        Refusal{"NegativeOffset", doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "m", "offset": -1}]}, {"id": "m", "kind": "mmio", "size": 1})"),
                "offset: -1 is negative"},
        Refusal{"SignedString", doc(R"({"id": "m", "kind": "mmio", "size": "+16"})"), "\"+16\" is not a number"},
        Refusal{"HexWithoutDigits", doc(R"({"id": "m", "kind": "mmio", "size": "0x"})"), "\"0x\" is not a number"},
        Refusal{"BadHexDigit", doc(R"({"id": "m", "kind": "mmio", "size": "0x1g"})"), "\"0x1g\" is not a number"},
        Refusal{"Suffix", doc(R"({"id": "m", "kind": "mmio", "size": "4k"})"), "\"4k\" is not a number"},
        Refusal{"Underscore", doc(R"({"id": "m", "kind": "mmio", "size": "0x1_000"})"), "is not a number"},
        Refusal{"SizeBeyond2To64", doc(R"({"id": "m", "kind": "mmio", "size": "0x10000000000000001"})"),
                "does not fit"},
        Refusal{"OffsetOf2To64",
                doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "m", "offset": "0x10000000000000000"}]}, {"id": "m", "kind": "mmio", "size": 1})"),
                "offset: 0x10000000000000000 does not fit"},
        Refusal{"ZeroSizeRam", doc(R"({"id": "r", "kind": "ram", "size": 0})"), "size 0 (a ram region needs"},
        Refusal{"ZeroSizeRom", doc(R"({"id": "r", "kind": "rom", "size": "0x0"})"), "size 0 (a rom region"},
        Refusal{"ZeroSizeRomDevice", doc(R"({"id": "r", "kind": "rom_device", "size": "0"})"), "size 0 (a rom_device"},
        Refusal{"PriorityOutOfRange",
                doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "m", "offset": 0, "priority": 2147483648}]}, {"id": "m", "kind": "mmio", "size": 1})"),
                "priority: 2147483648 is outside the signed 32-bit range"},
        Refusal{"PriorityAsString",
                doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "m", "offset": 0, "priority": "1"}]}, {"id": "m", "kind": "mmio", "size": 1})"),
                "priority: \"1\" is not an integer"},
        Refusal{"EnabledNotBoolean", doc(R"({"id": "m", "kind": "mmio", "size": 1, "enabled": 0})"),
                "enabled: 0 is not true or false"},
        Refusal{"OverlapNotBoolean",
                doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "m", "offset": 0, "overlap": "yes"}]}, {"id": "m", "kind": "mmio", "size": 1})"),
                "overlap: \"yes\" is not true or false"},
        Refusal{"RomdOnRam", doc(R"({"id": "r", "kind": "ram", "size": 1, "romd": true})"), "\"romd\" is only for rom_device"},
        Refusal{"WritableRom", doc(R"({"id": "r", "kind": "rom", "size": 1, "readonly": false})"), "readonly false on a rom"},
        Refusal{"ZeroShiftMirror",
                doc(R"({"id": "bus", "kind": "container", "size": "0x4000", "subregions": [{"region": "mirror", "offset": "0x1000"}]},
                       {"id": "mirror", "kind": "alias", "size": "0x1000", "target": "bus", "target_offset": "0x1000"})",
                    R"([{"name": "as", "root": "bus"}])"),
                "zero shift"},
        Refusal{"AddressOnASubregion",
                doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "m", "offset": 0}]}, {"id": "m", "kind": "mmio", "size": 1, "address": 4})"),
                "(id \"m\"): \"address\" on a region that is a subregion"},
        Refusal{"MissingRoot", doc(kRam, R"([{"name": "as", "root": "nowhere"}])"), "address_spaces[0] (\"as\"): root \"nowhere\""},
        Refusal{"SpaceWithoutName", doc(kRam, R"([{"root": "ram"}])"), "address_spaces[0]: no \"name\""},
        // A subregion entry is named by the region it places, not only by its index.
        Refusal{"BadSubregionOffsetNamesItsRegion",
                doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "m", "offset": 0}, {"region": "n", "offset": 1}, {"region": "dev", "offset": "0xzz"}]},
                       {"id": "m", "kind": "mmio", "size": 1}, {"id": "n", "kind": "mmio", "size": 1}, {"id": "dev", "kind": "mmio", "size": 1})"),
                "regions[0] (id \"c\").subregions[2] (region \"dev\"): offset: \"0xzz\" is not a number"},
        Refusal{"RefusedSubregionCallNamesItsRegion",
                doc(R"({"id": "c", "kind": "container", "size": 16, "subregions": [{"region": "a", "offset": 0}]},
                       {"id": "a", "kind": "alias", "size": 16, "target": "c", "target_offset": 0})",
                    R"([{"name": "as", "root": "c"}])"),
                "regions[0] (id \"c\").subregions[0] (region \"a\"): "},
        Refusal{"FileOnMmio", doc(R"({"id": "m", "kind": "mmio", "size": 16, "file": "x.bin"})"), "(id \"m\"): \"file\" is only for ram and rom"},
        Refusal{"SharedWithoutFile", doc(R"({"id": "r", "kind": "ram", "size": 16, "shared": true})"), "\"shared\" is only for a region with \"file\""},
        Refusal{"FileNotAString", doc(R"({"id": "r", "kind": "ram", "size": 16, "file": 7})"), "(id \"r\"): file: 7 is not a string"},
        Refusal{"MaxSizeBelowSize", doc(R"({"id": "r", "kind": "ram", "size": "0x2000", "max_size": "0x1000"})"), "max_size 0x1000 is below size 0x2000"},
        Refusal{"MaxSizeWithFile", doc(R"({"id": "r", "kind": "ram", "size": 16, "max_size": 32, "file": "x.bin"})"), "\"max_size\" with \"file\""},
        Refusal{"MaxSizeOnRom", doc(R"({"id": "r", "kind": "rom", "size": 16, "max_size": 32})"), "\"max_size\" is only for ram"},
        Refusal{"CoalescingOnRam", doc(R"({"id": "r", "kind": "ram", "size": 16, "coalescing": true})"), "\"coalescing\" is only for mmio"},
        Refusal{"CoalescingBeyondTheRegion", doc(R"({"id": "m", "kind": "mmio", "size": 16, "coalescing": [{"offset": 8, "size": 16}]})"),
                "(id \"m\"): coalescing[0]: 0x8+0x10 is not a range inside the region (size 0x10)"},
        Refusal{"CoalescingOfZeroBytes", doc(R"({"id": "m", "kind": "mmio", "size": 16, "coalescing": [{"offset": 0, "size": 0}]})"),
                "coalescing[0]: 0x0+0x0 is not a range inside the region"},
        Refusal{"CoalescingNotAList", doc(R"({"id": "m", "kind": "mmio", "size": 16, "coalescing": "all"})"),
                "coalescing: \"all\" is neither true/false nor a list of {offset, size}"},
        Refusal{"FlushCoalescedFalseWithCoalescing", doc(R"({"id": "m", "kind": "mmio", "size": 16, "coalescing": true, "flush_coalesced": false})"),
                "(id \"m\"): flush_coalesced false with coalescing (a region with coalesced ranges always flushes, as in QEMU)"},
        Refusal{"FlushCoalescedOnRam", doc(R"({"id": "r", "kind": "ram", "size": 16, "flush_coalesced": true})"), "\"flush_coalesced\" is only for mmio and rom_device"},
        Refusal{"IoeventfdOfThreeBytes", doc(R"({"id": "m", "kind": "mmio", "size": 16, "ioeventfds": [{"offset": 0, "size": 3}]})"),
                "(id \"m\").ioeventfds[0]: size 0x3 (1, 2, 4 or 8)"},
        Refusal{"IoeventfdBeyondTheRegion", doc(R"({"id": "m", "kind": "mmio", "size": 16, "ioeventfds": [{"offset": 14, "size": 4}]})"),
                "ioeventfds[0]: 0xe+4 lies beyond the region (size 0x10)"},
        Refusal{"IoeventfdDataTooWide", doc(R"({"id": "m", "kind": "mmio", "size": 16, "ioeventfds": [{"offset": 0, "size": 1, "data": 256}]})"),
                "ioeventfds[0]: data: 0x100 does not fit (at most 0xff)"},
        Refusal{"IoeventfdOnRomDevice", doc(R"({"id": "d", "kind": "rom_device", "size": 16, "ioeventfds": []})"), "\"ioeventfds\" is only for mmio"},
        Refusal{"IoeventfdUnknownKey", doc(R"({"id": "m", "kind": "mmio", "size": 16, "ioeventfds": [{"offset": 0, "size": 4, "match": 1}]})"),
                "ioeventfds[0]: unknown key \"match\""},
        Refusal{"SharedFileThatCannotBeMapped", doc(R"({"id": "r", "kind": "ram", "size": 16, "file": "/nonexistent/dir/nv.bin"})"),
                "cannot map file '/nonexistent/dir/nv.bin'"}),
    [](const ::testing::TestParamInfo<Refusal>& info) { return std::string(info.param.name); });

std::string nested_containers(int depth) {
  std::string regions;
  for (int i = 0; i < depth; ++i) {
    if (i > 0) regions += ",";
    regions += R"({"id": "c)" + std::to_string(i) + R"(", "kind": "container", "size": 16)";
    if (i + 1 < depth) regions += R"(, "subregions": [{"region": "c)" + std::to_string(i + 1) + R"(", "offset": 0}])";
    regions += "}";
  }
  return doc(regions, R"([{"name": "as", "root": "c0"}])");
}

TEST(MemmapLoader, RefusesNestingBeyondTheDocumentedLimit) {
  EXPECT_NE(load_memmap_json(nested_containers(200)), nullptr);
  EXPECT_THAT(error_of([] { load_memmap_json(nested_containers(100000)); }),
              HasSubstr("containers nest deeper than 256 levels"));
}

TEST(MemmapLoader, RefusesAMirrorThatRecursesTooDeep) {
  // A 2^40-byte window shifted by 1 each level would recurse 2^40 times.
  const std::string mirror = doc(
      R"({"id": "bus", "kind": "container", "size": "0x10000000000", "subregions": [
           {"region": "ram", "offset": 0}, {"region": "mirror", "offset": 1, "priority": -1, "overlap": true}]},
         {"id": "ram", "kind": "ram", "size": 1},
         {"id": "mirror", "kind": "alias", "size": "0xffffffffff", "target": "bus", "target_offset": 0})",
      R"([{"name": "as", "root": "bus"}])");
  EXPECT_THAT(error_of([&] { load_memmap_json(mirror); }), HasSubstr("nest deeper than 256 levels at region"));
  EXPECT_TRUE(address_spaces().empty());
}

TEST(MemmapLoader, ReportsAFileThatCannotBeOpened) {
  EXPECT_THAT(error_of([] { load_memmap_file("/nonexistent/map.json"); }),
              HasSubstr("/nonexistent/map.json: cannot open the file"));
}

// ---------------------------------------------------------------------------
// RAM backings, coalescing and ioeventfds from a file.

std::string temp_path(const std::string& name) { return ::testing::TempDir() + name; }

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(MemmapLoader, RamAndRomFromFilesSharedOrPrivate) {
  const std::string dir = temp_path("memmap_backing/");
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir + "nv.bin");
  std::ofstream(dir + "fw.bin", std::ios::binary) << "FIRMWARE";
  std::ofstream(dir + "image.bin", std::ios::binary) << "IMAGE";
  std::ofstream(dir + "map.json") << R"({"memmap": 1, "regions": [
    {"id": "sys", "kind": "container", "size": "0x100000", "subregions": [
       {"region": "nv", "offset": "0x0"}, {"region": "fw", "offset": "0x10000"}, {"region": "scratch", "offset": "0x20000"}]},
    {"id": "nv", "kind": "ram", "size": "0x1000", "file": "nv.bin"},
    {"id": "fw", "kind": "rom", "size": "0x1000", "file": "fw.bin", "shared": false},
    {"id": "scratch", "kind": "ram", "size": "0x1000", "file": "image.bin", "shared": false}],
   "address_spaces": [{"name": "cpu", "root": "sys"}]})";
  {
    auto map = load_memmap_file(dir + "map.json");  // relative paths: next to the map file
    ASSERT_NE(map, nullptr);
    auto& nv = dynamic_cast<FileRamRegion&>(*map->region("nv"));
    EXPECT_EQ(nv.file().path, dir + "nv.bin");
    EXPECT_TRUE(nv.file().shared);
    EXPECT_FALSE(dynamic_cast<FileRomRegion&>(*map->region("fw")).file().shared);
    AddressSpace& cpu = *map->address_space("cpu");
    char fw[8] = {};
    cpu.read(0x10000, fw, sizeof fw);
    EXPECT_EQ(std::string(fw, 8), "FIRMWARE");
    EXPECT_EQ(cpu.write(0x10000, "x", 1), MemTxResult::access_error);  // a ROM still
    cpu.write(0x0, "saved", 5);
    cpu.write(0x20000, "XY", 2);
    char scratch[5] = {};
    cpu.read(0x20000, scratch, sizeof scratch);
    EXPECT_EQ(std::string(scratch, 5), "XYAGE");
  }
  EXPECT_EQ(file_text(dir + "nv.bin").substr(0, 5), "saved");  // shared: the file has the writes
  EXPECT_EQ(file_text(dir + "nv.bin").size(), 0x1000u);
  EXPECT_EQ(file_text(dir + "image.bin"), "IMAGE");             // private: it does not
}

TEST(MemmapLoader, ResizeableRamFromAFile) {
  auto map = load_memmap_json(R"({"memmap": 1, "regions": [
    {"id": "sys", "kind": "container", "size": "0x100000", "subregions": [{"region": "tables", "offset": "0x0"}]},
    {"id": "tables", "kind": "ram", "size": "0x1000", "max_size": "0x8000"}],
   "address_spaces": [{"name": "cpu", "root": "sys"}]})");
  ASSERT_NE(map, nullptr);
  auto& tables = static_cast<RamRegion&>(*map->region("tables"));
  EXPECT_EQ(tables.size(), 0x1000u);
  EXPECT_EQ(tables.max_size(), 0x8000u);
  EXPECT_THAT(ranges(*map->address_space("cpu")), ElementsAre("0x0-0xfff tables"));
  tables.resize(0x4000);
  EXPECT_THAT(ranges(*map->address_space("cpu")), ElementsAre("0x0-0x3fff tables"));
  EXPECT_THAT(error_of([&] { tables.resize(0x9000); }), HasSubstr("beyond its maximum 0x8000"));
}

const char* const kDevices = R"({"memmap": 1, "regions": [
  {"id": "sys", "kind": "container", "size": "0x10000", "subregions": [
     {"region": "virtio", "offset": "0x1000"}, {"region": "vga", "offset": "0x2000"}, {"region": "flash", "offset": "0x3000"}]},
  {"id": "virtio", "kind": "mmio", "size": "0x200", "coalescing": [{"offset": "0x100", "size": "0x8"}],
   "ioeventfds": [{"offset": "0x50", "size": 4, "data": 7}, {"offset": "0x60", "size": 2, "eventfd": true}]},
  {"id": "vga", "kind": "mmio", "size": "0x100", "coalescing": true},
  {"id": "flash", "kind": "rom_device", "size": "0x100", "flush_coalesced": true}],
 "address_spaces": [{"name": "cpu", "root": "sys"}]})";

TEST(MemmapLoader, CoalescingAndIoeventfdsReachTheListeners) {
  auto map = load_memmap_json(kDevices);
  ASSERT_NE(map, nullptr);
  std::vector<std::string> heard;
  MemoryListener listener("l");
  listener.coalesced_io_add = [&](const Section&, uint64_t address, uint64_t length) {
    heard.push_back("coalesced " + hex(address) + "+" + hex(length));
  };
  listener.eventfd_add = [&](const Section& s, bool match, uint64_t data, EventNotifier&) {
    heard.push_back("eventfd " + hex(s.offset_within_address_space) + "+" + hex(s.size) +
                    (match ? " =" + hex(data) : ""));
  };
  memory_listener_register(listener);
  map->region("virtio")->set_enabled(false);  // the replay tells no coalescing: a change does
  map->region("virtio")->set_enabled(true);
  map->region("vga")->set_enabled(false);
  map->region("vga")->set_enabled(true);
  EXPECT_THAT(heard, ElementsAre("coalesced 0x1100+0x8", "eventfd 0x1050+0x4 =0x7", "eventfd 0x1060+0x2",
                                 "coalesced 0x2000+0x100"));
  memory_listener_unregister(listener);
  auto& virtio = dynamic_cast<LoadedMmioRegion&>(*map->region("virtio"));
  EXPECT_TRUE(virtio.flush_coalesced());
  EXPECT_TRUE(static_cast<MmioRegion&>(*map->region("vga")).flush_coalesced());
  EXPECT_TRUE(static_cast<MmioRegion&>(*map->region("flash")).flush_coalesced());
}

TEST(MemmapLoader, IoeventfdsOfAFileNotifyTheirNotifiers) {
  auto map = load_memmap_json(kDevices);
  ASSERT_NE(map, nullptr);
  auto& virtio = dynamic_cast<LoadedMmioRegion&>(*map->region("virtio"));
  ASSERT_EQ(virtio.ioeventfds().size(), 2u);
  std::vector<uint64_t> device_writes;
  MmioOps ops;
  ops.write = [&](uint64_t offset, uint64_t, unsigned) { device_writes.push_back(offset); };
  virtio.set_ops(ops);
  int kicks = 0;
  virtio.ioeventfds()[0].notifier->on_notify = [&] { ++kicks; };
  AddressSpace& cpu = *map->address_space("cpu");
  cpu.store(0x1050, 4, 7);   // matches: notifies, the device sees nothing
  cpu.store(0x1050, 4, 8);   // other data: the device
  cpu.store(0x1060, 2, 99);  // any data
  EXPECT_EQ(kicks, 1);
  EXPECT_EQ(virtio.ioeventfds()[0].notifier->fd(), -1);
  FunctionNotifier& polled = *virtio.ioeventfds()[1].notifier;
  ASSERT_GE(polled.fd(), 0);  // a real eventfd
  EXPECT_EQ(polled.test_and_clear(), 1u);
  EXPECT_THAT(device_writes, ElementsAre(0x50));
  // Coalesced writes wait for a flush point.
  cpu.store(0x1100, 4, 1);
  EXPECT_THAT(device_writes, ElementsAre(0x50));
  flush_coalesced_mmio();
  EXPECT_THAT(device_writes, ElementsAre(0x50, 0x100));
}

TEST(MemmapLoader, ExportWritesBackingsCoalescingAndIoeventfds) {
  const std::string nv = temp_path("memmap_export_nv.bin");
  const std::string document = R"({"memmap": 1, "regions": [
    {"id": "sys", "kind": "container", "size": "0x100000", "subregions": [
       {"region": "nv", "offset": "0x0"}, {"region": "tables", "offset": "0x10000"}, {"region": "virtio", "offset": "0x20000"},
       {"region": "vga", "offset": "0x30000"}, {"region": "flash", "offset": "0x40000"}]},
    {"id": "nv", "kind": "ram", "size": "0x1000", "file": ")" + nv + R"(", "shared": false},
    {"id": "tables", "kind": "ram", "size": "0x1000", "max_size": "0x8000"},
    {"id": "virtio", "kind": "mmio", "size": "0x200", "coalescing": [{"offset": "0x100", "size": "0x8"}],
     "ioeventfds": [{"offset": "0x50", "size": 4, "data": 7}, {"offset": "0x60", "size": 2, "eventfd": true}]},
    {"id": "vga", "kind": "mmio", "size": "0x100", "coalescing": true},
    {"id": "flash", "kind": "rom_device", "size": "0x100", "flush_coalesced": true}],
   "address_spaces": [{"name": "cpu", "root": "sys"}]})";
  std::ofstream(nv, std::ios::binary) << "NV";
  std::string exported;
  {
    auto map = load_memmap_json(document);
    ASSERT_NE(map, nullptr);
    exported = write_memmap(*map);
  }
  for (const std::string& entry :
       {R"("file": ")" + nv + R"(",
      "shared": false)", std::string(R"("max_size": "0x8000")"), std::string(R"("coalescing": [
        {
          "offset": "0x100",
          "size": "0x8"
        }
      ],)"),
        std::string(R"("ioeventfds": [
        {
          "offset": "0x50",
          "size": 4,
          "data": "0x7"
        },
        {
          "offset": "0x60",
          "size": 2,
          "eventfd": true
        }
      ])"),
        std::string(R"("coalescing": true
    })"), std::string(R"("kind": "rom_device",
      "size": "0x100",
      "flush_coalesced": true)")}) {
    EXPECT_THAT(exported, HasSubstr(entry));
  }
  auto again = load_memmap_json(exported);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(write_memmap(*again), exported);
  std::remove(nv.c_str());
}

// ---------------------------------------------------------------------------
// Hostile files: nesting in any value position, huge values.

std::string nested_array(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string nested_object(std::size_t depth) {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += "{\"a\":";
  return text + "1" + std::string(depth, '}');
}

// "- - - ... x": block sequences nested on one line.
std::string compact_sequences(std::size_t depth) {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += "- ";
  return text + "x\n";
}

// A document with `value` at one position; each position of the format.
std::vector<std::string> documents_with(const std::string& value) {
  const std::string v = value;
  return {
      v,
      R"({"memmap": )" + v + R"(, "regions": []})",
      R"({"memmap": 1, "regions": )" + v + "}",
      R"({"memmap": 1, "regions": [)" + v + "]}",
      R"({"memmap": 1, "regions": [], "x-vendor": )" + v + "}",
      R"({"memmap": 1, "regions": [], "address_spaces": )" + v + "}",
      R"({"memmap": 1, "regions": [], "address_spaces": [{"name": )" + v + R"(, "root": "r"}]})",
      R"({"memmap": 1, "regions": [], "address_spaces": [{"name": "as", "root": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": )" + v + R"(, "kind": "ram", "size": 1}]})",
      R"({"memmap": 1, "regions": [{"id": "r", "name": )" + v + R"(, "kind": "ram", "size": 1}]})",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": )" + v + R"(, "size": 1}]})",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "ram", "size": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "ram", "size": 1, "enabled": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "ram", "size": 1, "readonly": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "ram", "size": 1, "nonvolatile": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "ram", "size": 1, "address": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "ram", "size": 1, "file": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "ram", "size": 1, "max_size": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "rom_device", "size": 1, "romd": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "mmio", "size": 1, "coalescing": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "mmio", "size": 1, "coalescing": [)" + v + "]}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "mmio", "size": 1, "ioeventfds": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "r", "kind": "mmio", "size": 8, "ioeventfds": [{"offset": 0, "size": 4, "data": )" + v + "}]}]}",
      R"({"memmap": 1, "regions": [{"id": "a", "kind": "alias", "size": 1, "target": )" + v + R"(, "target_offset": 0}]})",
      R"({"memmap": 1, "regions": [{"id": "a", "kind": "alias", "size": 1, "target": "a", "target_offset": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "c", "kind": "container", "size": 1, "subregions": )" + v + "}]}",
      R"({"memmap": 1, "regions": [{"id": "c", "kind": "container", "size": 1, "subregions": [)" + v + "]}]}",
      R"({"memmap": 1, "regions": [{"id": "c", "kind": "container", "size": 1, "subregions": [{"region": )" + v + R"(, "offset": 0}]}]})",
      R"({"memmap": 1, "regions": [{"id": "c", "kind": "container", "size": 1, "subregions": [{"region": "c", "offset": )" + v + "}]}]}",
      R"({"memmap": 1, "regions": [{"id": "c", "kind": "container", "size": 1, "subregions": [{"region": "c", "offset": 0, "priority": )" + v + "}]}]}",
      R"({"memmap": 1, "regions": [{"id": "c", "kind": "container", "size": 1, "subregions": [{"region": "c", "offset": 0, "overlap": )" + v + "}]}]}",
  };
}

// Block style nests by indentation (the text grows with the square of the
// depth), which the pre-scan bounds too.
std::string block_nesting(std::size_t depth) {
  std::string text = "\n";
  for (std::size_t i = 0; i < depth; ++i) text += std::string(2 * i + 2, ' ') + "- \n";
  return text;
}

// No value at any position, however deep, crashes the loader or makes a long
// message: one line, quoting at most about 40 characters of the file.
TEST(MemmapLoader, HostileNestingInAnyValuePositionIsRefusedInOneShortLine) {
  for (const std::string& value : {nested_array(100000), nested_object(100000)}) {
    for (const std::string& document : documents_with(value)) {
      const std::string json_error = error_of([&] { load_memmap_json(document, "hostile.json"); });
      EXPECT_THAT(json_error, HasSubstr("nested deeper than 64 levels")) << document.substr(0, 120);
      EXPECT_LT(json_error.size(), 200u);
      const std::string yaml_error = error_of([&] { load_memmap_yaml(document, "hostile.yaml"); });
      EXPECT_THAT(yaml_error, HasSubstr("nested deeper than 64 levels (estimated from the text)"));
      EXPECT_LT(yaml_error.size(), 200u);
    }
  }
  EXPECT_THAT(error_of([] { load_memmap_yaml("memmap: 1\nregions: []\nx-deep:" + block_nesting(1000)); }),
              HasSubstr("nested deeper than 64 levels"));
  EXPECT_THAT(error_of([] { load_memmap_yaml("memmap: 1\nregions: []\nx-deep:\n" + compact_sequences(100000)); }),
              HasSubstr("nested deeper than 64 levels"));
  // Shallow block nesting is read as it should be.
  EXPECT_NE(load_memmap_yaml("memmap: 1\nregions: []\nx-deep:" + block_nesting(20)), nullptr);
  EXPECT_NE(load_memmap_yaml("memmap: 1\nregions: []\nx-deep:\n" + compact_sequences(20)), nullptr);
}

TEST(MemmapLoader, QuotedValuesAreCutShort) {
  // Below the nesting limit, values of any shape and size are quoted cut
  // short, wherever they are refused.
  std::size_t refused = 0;
  for (const std::string& value : {nested_array(60), "\"" + std::string(100000, 'x') + "\"",
                                   "{\"" + std::string(100000, 'k') + "\": 1}"}) {
    for (const std::string& document : documents_with(value)) {
      const std::string message = error_of([&] { load_memmap_json(document, "hostile.json"); });
      if (message.empty()) continue;  // a long name or id is fine, x- extensions are anything
      ++refused;
      EXPECT_LT(message.size(), 220u) << message;
    }
  }
  EXPECT_GT(refused, 70u);
  EXPECT_THAT(error_of([] { load_memmap_json(doc(R"({"id": "r", "kind": "ram", "size": 1, "name": )" +
                                                 nested_array(60) + "}")); }),
              HasSubstr(R"(regions[0] (id "r"): name: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[... is not a string)"));
  EXPECT_THAT(error_of([] { load_memmap_json(doc(R"({"id": "r", "kind": ")" + std::string(1000, 'z') + R"(", "size": 1})")); }),
              HasSubstr(R"(unknown kind "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...")"));
  EXPECT_THAT(error_of([] { load_memmap_json(doc(R"({"id": "r", "kind": "ram", "size": [1, {"a": [true, null, "s"]}, 2]})")); }),
              HasSubstr(R"(size: [1,{"a":[true,null,"s"]},2] is not a number)"));
  EXPECT_THAT(error_of([] { load_memmap_json(doc(R"({"id": "r", "kind": "ram", "size": 1, "file": ")" + std::string(5000, 'f') + R"("})")); }),
              HasSubstr(R"((id "r"): file: "fffffffffffffffffffffffffffffffffffff..." is longer than a path may be (4096 bytes))"));
}

// The loader never recurses on the file's depth: a hostile file is refused
// inside a thread with a 128 KiB stack (an SC_THREAD has about that).
TEST(MemmapLoader, HostileFilesAreRefusedOnASmallStack) {
  struct Job {
    std::vector<std::string> messages;
    static void* run(void* self) {
      auto& job = *static_cast<Job*>(self);
      for (const std::string& document : documents_with(nested_array(100000))) {
        for (const bool yaml : {false, true}) {
          try {
            yaml ? load_memmap_yaml(document) : load_memmap_json(document);
            job.messages.push_back("loaded");
          } catch (const sc_core::sc_report& r) {
            job.messages.push_back(r.get_msg());
          }
        }
      }
      return nullptr;
    }
  } job;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 * 1024);
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attr, &Job::run, &job), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  ASSERT_EQ(job.messages.size(), 2 * documents_with("0").size());
  for (const std::string& m : job.messages) EXPECT_THAT(m, HasSubstr("nested deeper than 64 levels"));
}

}  // namespace
}  // namespace tlmmap
