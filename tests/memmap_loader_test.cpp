// The memmap loader: what it builds, what it refuses, and the round trip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/map_text.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/memmap/memmap_loader.hpp"
#include "tlmmap/memmap/memmap_writer.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"

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
                "(id \"c\").subregions[0]: no region with id \"nope\""},
        Refusal{"AddedTwiceToOneContainer",
                doc(kRam + R"(, {"id": "c", "kind": "container", "size": 65536, "subregions": [{"region": "ram", "offset": 0}, {"region": "ram", "offset": 4096}]})"),
                "(id \"c\").subregions[1]: region \"ram\" is already a subregion at regions[1] (id \"c\").subregions[0]"},
        Refusal{"AddedToTwoContainers",
                doc(kRam + R"(, {"id": "a", "kind": "container", "size": 65536, "subregions": [{"region": "ram", "offset": 0}]},
                               {"id": "b", "kind": "container", "size": 65536, "subregions": [{"region": "ram", "offset": 0}]})"),
                "(id \"b\").subregions[0]: region \"ram\" is already a subregion at regions[1] (id \"a\")"},
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
        Refusal{"SpaceWithoutName", doc(kRam, R"([{"root": "ram"}])"), "address_spaces[0]: no \"name\""}),
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

}  // namespace
}  // namespace tlmmap
