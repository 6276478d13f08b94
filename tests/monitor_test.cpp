// `tlmmap monitor` (docs/monitor.md): each command's output, refusals that
// change nothing, and map changes made through the monitor against the same
// changes made in C++.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "support/golden.hpp"
#include "support/map_iommu.hpp"
#include "support/map_text.hpp"
#include "support/random_map.hpp"
#include "support/test_env.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/coalesced_mmio.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/iommu_region.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/transaction.hpp"
#include "tlmmap/memmap/memmap_loader.hpp"
#include "tlmmap/memmap/monitor.hpp"
#include "tlmmap/memmap/mtree.hpp"

namespace tlmmap {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A small board: RAM, a UART, a flash (ROM device), a BIOS ROM, an alias
// window onto the RAM not yet mapped, a reservation and two devices that
// share a name.
const char* const kBoard = R"({"memmap": 1, "regions": [
  {"id": "sys", "kind": "container", "size": "0x10000", "subregions": [
     {"region": "ram", "offset": "0x0"}, {"region": "uart", "offset": "0x8000"},
     {"region": "flash", "offset": "0xc000"}, {"region": "bios", "offset": "0xe000"},
     {"region": "hole", "offset": "0xa000"}]},
  {"id": "ram", "name": "pc.ram", "kind": "ram", "size": "0x4000"},
  {"id": "uart", "kind": "mmio", "size": "0x1000"},
  {"id": "flash", "kind": "rom_device", "size": "0x1000"},
  {"id": "bios", "kind": "rom", "size": "0x2000"},
  {"id": "win", "kind": "alias", "size": "0x1000", "target": "ram", "target_offset": "0x1000"},
  {"id": "hole", "kind": "reservation", "size": "0x1000"},
  {"id": "dev0", "name": "dev", "kind": "mmio", "size": "0x100"},
  {"id": "dev1", "name": "dev", "kind": "mmio", "size": "0x100"}],
 "address_spaces": [{"name": "cpu", "root": "sys"}]})";

std::string run_script(MemoryMap& map, const std::string& script, MonitorOptions options = {}, int* status = nullptr) {
  std::ostringstream out;
  std::istringstream in(script);
  Monitor monitor(map, out, options);
  const int s = monitor.run(in);
  if (status != nullptr) *status = s;
  return out.str();
}

// The uart answers reads with 0x1000 + offset and records writes.
std::vector<std::string> attach_uart(MemoryMap& map) {
  static std::vector<std::string> writes;
  writes.clear();
  MmioOps ops;
  ops.read = [](uint64_t offset, unsigned) { return 0x1000 + offset; };
  ops.write = [](uint64_t offset, uint64_t value, unsigned size) {
    writes.push_back(hex(offset) + "=" + hex(value) + "/" + std::to_string(size));
  };
  ops.valid.max_access_size = 4;
  static_cast<MmioRegion*>(map.region("uart"))->set_ops(ops);
  return writes;
}

TEST(Monitor, InfoMtreeIsTheRenderersTextByteForByte) {
  const std::string dir = std::string(TLMMAP_QEMU_CASES_DIR) + "/x86_64-pc/";
  auto map = load_memmap_file(dir + "memmap.json");
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(run_script(*map, "info mtree\n"), test::read_file(dir + "tree.txt"));
  EXPECT_EQ(run_script(*map, "info mtree -D\n"), test::read_file(dir + "tree-D.txt"));
  MtreeOptions flat;
  flat.flat_view = true;
  EXPECT_EQ(run_script(*map, "info mtree -f\n"), mtree_text(map->address_spaces(), flat));
  flat.show_disabled = true;
  EXPECT_EQ(run_script(*map, "info mtree -D -f\n"), mtree_text(map->address_spaces(), flat));
}

TEST(Monitor, DumpsMemoryInQemusFormat) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  attach_uart(*map);
  EXPECT_EQ(run_script(*map, R"(wp/b 0x10 0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08 0x09 0xfe
x/10bx 0x10
x/3hx 0x10
x/2wx 0x10
x/1gx 0x10
x 0x10
x/2bd 0x18
x/2bu 0x18
x/1hd 0x18
x/4xw 0x8000
xp/4bx 0xc000
)"),
            "0000000000000010: 0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08\n"
            "0000000000000018: 0x09 0xfe\n"
            "0000000000000010: 0x0201 0x0403 0x0605\n"
            "0000000000000010: 0x04030201 0x08070605\n"
            "0000000000000010: 0x0807060504030201\n"
            "0000000000000010: 0x04030201\n"
            "0000000000000018: 9 -2\n"
            "0000000000000018: 9 254\n"
            "0000000000000018: -503\n"
            "0000000000008000: 0x00001000 0x00001004 0x00001008 0x0000100c\n"
            "000000000000c000: 0x00 0x00 0x00 0x00\n");
}

TEST(Monitor, WritesGoThroughTheAddressSpace) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  std::vector<std::string> writes;
  MmioOps ops;
  ops.write = [&](uint64_t offset, uint64_t value, unsigned size) {
    writes.push_back(hex(offset) + "=" + hex(value) + "/" + std::to_string(size));
  };
  static_cast<MmioRegion*>(map->region("uart"))->set_ops(ops);
  EXPECT_EQ(run_script(*map, R"(w/g 0x100 0x1122334455667788
w/h 0x8004 0xbeef 0x1234
add sys 0x5000 win
w 0x5000 0xcafe
wp/b 0xe000 0xaa 0xbb
)"),
            "");
  uint64_t value = 0;
  AddressSpace& cpu = *map->address_space("cpu");
  cpu.load(0x100, 8, value);
  EXPECT_EQ(value, 0x1122334455667788u);
  EXPECT_THAT(writes, ::testing::ElementsAre("0x4=0xbeef/2", "0x6=0x1234/2"));
  cpu.load(0x1000, 4, value);  // through the alias: RAM offset 0x1000
  EXPECT_EQ(value, 0xcafeu);
  cpu.load(0xe000, 2, value);  // a debug write may write a ROM
  EXPECT_EQ(value, 0xbbaau);
}

TEST(Monitor, MapChangesCallTheApi) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  std::string out = run_script(*map, R"(
add sys 0x5000 win
add_overlap sys 0x5800 dev0 2
add sys 0x6000 dev1 -3
move win 0x4000
alias_offset win 0x2000
disable uart
readonly ram on
nonvolatile bios on
romd flash off
priority dev0 7
del sys hole
size dev1 0x80
alias_target win bios 0x100
)");
  EXPECT_EQ(out, "");
  Region& win = *map->region("win");
  EXPECT_EQ(win.container(), map->region("sys"));
  EXPECT_EQ(win.address(), 0x4000u);
  EXPECT_EQ(win.alias_target(), map->region("bios"));
  EXPECT_EQ(win.alias_offset(), 0x100u);
  EXPECT_FALSE(map->region("uart")->enabled());
  EXPECT_TRUE(map->region("ram")->readonly());
  EXPECT_TRUE(map->region("bios")->nonvolatile());
  EXPECT_FALSE(map->region("flash")->romd_mode());
  EXPECT_EQ(map->region("dev0")->priority(), 7);
  EXPECT_TRUE(map->region("dev0")->may_overlap());
  EXPECT_EQ(map->region("dev0")->address(), 0x5800u);
  EXPECT_EQ(map->region("dev1")->priority(), -3);
  EXPECT_FALSE(map->region("dev1")->may_overlap());
  EXPECT_EQ(map->region("dev1")->size(), 0x80u);
  EXPECT_EQ(map->region("hole")->container(), nullptr);
  out = run_script(*map, "enable uart\nreadonly ram off\nromd flash on\ninfo region win\ninfo region dev0\n");
  EXPECT_EQ(out,
            "region \"win\" name=\"win\" kind=alias size=0x1000 container=\"sys\" address=0x4000 priority=0 "
            "overlap=off enabled=on readonly=off nonvolatile=off romd=on log=none target=\"bios\" "
            "target_offset=0x100\n"
            "region \"dev0\" name=\"dev\" kind=mmio size=0x100 container=\"sys\" address=0x5800 priority=7 "
            "overlap=on enabled=on readonly=off nonvolatile=off romd=on log=none\n");
  EXPECT_TRUE(map->region("uart")->enabled());
  EXPECT_FALSE(map->region("ram")->readonly());
  EXPECT_TRUE(map->region("flash")->romd_mode());
}

TEST(Monitor, ResizesAResizeableRam) {
  auto map = load_memmap_json(R"({"memmap": 1, "regions": [
    {"id": "sys", "kind": "container", "size": "0x100000", "subregions": [{"region": "fw", "offset": "0x0"}]},
    {"id": "fw", "kind": "ram", "size": "0x1000", "max_size": "0x4000"}],
   "address_spaces": [{"name": "cpu", "root": "sys"}]})");
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(run_script(*map, "resize fw 0x3000\ninfo mtree -f\nresize fw 0x5000\n"),
            "FlatView #0\n"
            " AS \"cpu\", root: sys\n"
            " Root memory region: fw\n"  // QEMU's flatview root: the only subregion, at 0
            "  0000000000000000-0000000000002fff (prio 0, ram): fw\n"
            "\n"
            "error: line 3: resize: resizing RAM 'fw' to 0x5000: beyond its maximum 0x4000 (or empty)\n");
  EXPECT_EQ(map->region("fw")->size(), 0x3000u);
}

TEST(Monitor, TransactionsShowTheViewOfBeforeUntilTheOutermostCommit) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  const std::string before = run_script(*map, "info mtree -f\n");
  const std::string out = run_script(*map, R"(begin
disable uart
begin
move flash 0x9000
commit
info mtree -f
commit
info mtree -f
)");
  ASSERT_THAT(out, StartsWith(before));
  EXPECT_EQ(out.substr(before.size()),
            "FlatView #0\n"
            " AS \"cpu\", root: sys\n"
            " Root memory region: sys\n"
            "  0000000000000000-0000000000003fff (prio 0, ram): pc.ram\n"
            "  0000000000009000-0000000000009fff (prio 0, romd): flash\n"
            "  000000000000a000-000000000000afff (prio 0, i/o): hole\n"
            "  000000000000e000-000000000000ffff (prio 0, rom): bios\n"
            "\n");
}

// The sequences are QEMU's: deletions first, then nops and additions in
// address order (log_start/log_stop after the nop), coalesced ranges after
// their region_add, eventfds last; the replay on registration and its
// reverse on unregistration.
TEST(Monitor, TracesEveryListenerCallbackWithItsSection) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(run_script(*map, R"(trace on
begin
disable uart
add sys 0x5000 win
readonly win on
commit
romd flash off
log start ram vga
log sync ram
log stop ram vga
coalescing add uart 0x10 0x8
ioeventfd add uart 0x40 4 0x1
enable uart
ioeventfd del uart 0x40 4 0x1
coalescing clear uart
trace off
disable bios
)"),
            R"(trace begin
trace region_add "cpu" 0x0-0x3fff "pc.ram" @0x0
trace region_add "cpu" 0x8000-0x8fff "uart" @0x0
trace region_add "cpu" 0xa000-0xafff "hole" @0x0
trace region_add "cpu" 0xc000-0xcfff "flash" @0x0
trace region_add "cpu" 0xe000-0xffff "bios" @0x0 ro
trace commit
trace begin
trace region_del "cpu" 0x8000-0x8fff "uart" @0x0
trace region_nop "cpu" 0x0-0x3fff "pc.ram" @0x0
trace region_add "cpu" 0x5000-0x5fff "pc.ram" @0x1000 ro
trace region_nop "cpu" 0xa000-0xafff "hole" @0x0
trace region_nop "cpu" 0xc000-0xcfff "flash" @0x0
trace region_nop "cpu" 0xe000-0xffff "bios" @0x0 ro
trace commit
trace begin
trace region_del "cpu" 0xc000-0xcfff "flash" @0x0
trace region_nop "cpu" 0x0-0x3fff "pc.ram" @0x0
trace region_nop "cpu" 0x5000-0x5fff "pc.ram" @0x1000 ro
trace region_nop "cpu" 0xa000-0xafff "hole" @0x0
trace region_add "cpu" 0xc000-0xcfff "flash" @0x0
trace region_nop "cpu" 0xe000-0xffff "bios" @0x0 ro
trace commit
trace begin
trace region_nop "cpu" 0x0-0x3fff "pc.ram" @0x0
trace log_start "cpu" 0x0-0x3fff "pc.ram" @0x0 clients=none->vga
trace region_nop "cpu" 0x5000-0x5fff "pc.ram" @0x1000 ro
trace log_start "cpu" 0x5000-0x5fff "pc.ram" @0x1000 ro clients=none->vga
trace region_nop "cpu" 0xa000-0xafff "hole" @0x0
trace region_nop "cpu" 0xc000-0xcfff "flash" @0x0
trace region_nop "cpu" 0xe000-0xffff "bios" @0x0 ro
trace commit
trace log_sync "cpu" 0x0-0x3fff "pc.ram" @0x0
trace log_sync "cpu" 0x5000-0x5fff "pc.ram" @0x1000 ro
trace begin
trace region_nop "cpu" 0x0-0x3fff "pc.ram" @0x0
trace log_stop "cpu" 0x0-0x3fff "pc.ram" @0x0 clients=vga->none
trace region_nop "cpu" 0x5000-0x5fff "pc.ram" @0x1000 ro
trace log_stop "cpu" 0x5000-0x5fff "pc.ram" @0x1000 ro clients=vga->none
trace region_nop "cpu" 0xa000-0xafff "hole" @0x0
trace region_nop "cpu" 0xc000-0xcfff "flash" @0x0
trace region_nop "cpu" 0xe000-0xffff "bios" @0x0 ro
trace commit
trace begin
trace region_nop "cpu" 0x0-0x3fff "pc.ram" @0x0
trace region_nop "cpu" 0x5000-0x5fff "pc.ram" @0x1000 ro
trace region_add "cpu" 0x8000-0x8fff "uart" @0x0
trace coalesced_io_add "cpu" 0x8000-0x8fff "uart" @0x0 coalesced=0x8010-0x8017
trace region_nop "cpu" 0xa000-0xafff "hole" @0x0
trace region_nop "cpu" 0xc000-0xcfff "flash" @0x0
trace region_nop "cpu" 0xe000-0xffff "bios" @0x0 ro
trace eventfd_add "cpu" 0x8040-0x8043 "uart" @0x40 data=0x1
trace commit
trace eventfd_del "cpu" 0x8040-0x8043 "uart" @0x40 data=0x1
trace coalesced_io_del "cpu" 0x8000-0x8fff "uart" @0x0 coalesced=0x8000-0x8fff
trace begin
trace region_del "cpu" 0x0-0x3fff "pc.ram" @0x0
trace region_del "cpu" 0x5000-0x5fff "pc.ram" @0x1000 ro
trace region_del "cpu" 0x8000-0x8fff "uart" @0x0
trace region_del "cpu" 0xa000-0xafff "hole" @0x0
trace region_del "cpu" 0xc000-0xcfff "flash" @0x0
trace region_del "cpu" 0xe000-0xffff "bios" @0x0 ro
trace commit
)");
}

TEST(Monitor, TracesGlobalDirtyLogging) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  const std::string out = run_script(*map, "trace on\nlog global start\nlog global stop\n");
  EXPECT_THAT(out, HasSubstr("trace log_global_start\n"));
  EXPECT_THAT(out, HasSubstr("trace log_start \"cpu\" 0x0-0x3fff \"pc.ram\" @0x0 clients=none->migration\n"));
  EXPECT_THAT(out, HasSubstr("trace log_stop \"cpu\" 0x0-0x3fff \"pc.ram\" @0x0 clients=migration->none\n"));
  EXPECT_THAT(out, HasSubstr("trace log_global_stop\n"));
}

TEST(Monitor, TracesOneAddressSpaceWhenAsked) {
  auto map = load_memmap_json(R"({"memmap": 1, "regions": [
    {"id": "sys", "kind": "container", "size": "0x10000", "subregions": [{"region": "ram", "offset": "0x0"}]},
    {"id": "ram", "kind": "ram", "size": "0x1000"},
    {"id": "io", "kind": "container", "size": "0x100", "subregions": [{"region": "port", "offset": "0x10"}]},
    {"id": "port", "kind": "mmio", "size": "0x4"}],
   "address_spaces": [{"name": "memory", "root": "sys"}, {"name": "I/O", "root": "io"}]})");
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(run_script(*map, "trace on \"I/O\"\ndisable ram\nmove port 0x20\nspace \"I/O\"\ninfo spaces\n"),
            "trace begin\n"
            "trace region_add \"I/O\" 0x10-0x13 \"port\" @0x0\n"
            "trace commit\n"
            "trace begin\n"  // every address space is rendered again, as in QEMU
            "trace region_nop \"I/O\" 0x10-0x13 \"port\" @0x0\n"
            "trace commit\n"
            "trace begin\n"
            "trace region_del \"I/O\" 0x10-0x13 \"port\" @0x0\n"
            "trace region_add \"I/O\" 0x20-0x23 \"port\" @0x0\n"
            "trace commit\n"
            "space \"I/O\"\n"
            "space \"memory\" root=\"sys\"\n"
            "space \"I/O\" root=\"io\" current\n");
}

TEST(Monitor, DirtyLoggingCommands) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(run_script(*map, R"(dirty list ram vga
log start ram vga
w 0x10 1
w/b 0x2fff 1
dirty list ram vga
dirty list ram migration
dirty get ram 0x1000 0x1000 vga
dirty get ram 0x2000 0x1 vga
dirty test_and_clear ram 0x2000 0x1000 vga
dirty test_and_clear ram 0x2000 0x1000 vga
dirty list ram vga
dirty reset ram 0x0 0x4000 vga
dirty list ram vga
dirty set ram 0x3000 0x10
dirty list ram vga
log global start
add sys 0x5000 win
wp 0x5000 7
dirty list ram migration
log global stop
log stop ram vga
w 0x3800 1
dirty list ram vga
)"),
            "none\n"
            "0x0-0xfff 0x2000-0x2fff\n"
            "none\n"
            "clean\n"
            "dirty\n"
            "dirty\n"
            "clean\n"
            "0x0-0xfff\n"
            "none\n"
            "0x3000-0x3fff\n"
            "0x1000-0x1fff\n"
            "0x1000-0x1fff 0x3000-0x3fff\n");  // the debug write came while vga logged too
}

TEST(Monitor, CheckpointSaveAndLoad) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  const std::string path = ::testing::TempDir() + "monitor_checkpoint.bin";
  EXPECT_EQ(run_script(*map, "w 0x20 0x11223344\ndisable uart\ncheckpoint save " + path +
                                 "\nw 0x20 0\nenable uart\ncheckpoint load " + path +
                                 "\nx 0x20\ninfo region uart\ncheckpoint load /nonexistent/cp\n"),
            "0000000000000020: 0x11223344\n"
            "region \"uart\" name=\"uart\" kind=mmio size=0x1000 container=\"sys\" address=0x8000 priority=0 "
            "overlap=off enabled=off readonly=off nonvolatile=off romd=on log=none\n"
            "error: line 9: checkpoint: cannot read checkpoint '/nonexistent/cp': No such file or directory\n");
  std::remove(path.c_str());
}

TEST(Monitor, IoeventfdsAndCoalescingThroughWrites) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  const auto writes = attach_uart(*map);
  (void)writes;
  EXPECT_EQ(run_script(*map, R"(ioeventfd add uart 0x40 4 0x1
ioeventfd add uart 0x44 2
w 0x8040 1
w 0x8040 2
w/h 0x8044 9
w/h 0x8044 9
info ioeventfds
ioeventfd del uart 0x44 2
info ioeventfds
ioeventfd del uart 0x44 2
)"),
            "ioeventfd \"uart\" 0x40+4 data=0x1 notified=1 from=monitor\n"
            "ioeventfd \"uart\" 0x44+2 data=any notified=2 from=monitor\n"
            "ioeventfd \"uart\" 0x40+4 data=0x1 notified=1 from=monitor\n"
            "error: line 10: ioeventfd: region \"uart\" has no ioeventfd of the monitor at 0x44+2\n");
  std::vector<std::string> seen;
  MmioOps ops;
  ops.write = [&](uint64_t offset, uint64_t value, unsigned) { seen.push_back(hex(offset) + "=" + hex(value)); };
  static_cast<MmioRegion*>(map->region("uart"))->set_ops(ops);
  EXPECT_EQ(run_script(*map, "coalescing add uart 0x10 0x8\nw 0x8010 5\nw 0x8014 6\n"), "");
  EXPECT_TRUE(seen.empty());  // buffered
  EXPECT_EQ(run_script(*map, "coalescing flush\n"), "");
  EXPECT_THAT(seen, ::testing::ElementsAre("0x10=0x5", "0x14=0x6"));
  EXPECT_EQ(run_script(*map, "coalescing clear uart\nflush_coalesced uart on\nflush_coalesced uart off\n"), "");
  EXPECT_FALSE(static_cast<MmioRegion*>(map->region("uart"))->flush_coalesced());
}

// The map's state as the monitor shows it: every region, both tree views,
// the flat view and the RAM's first bytes and dirty pages.
std::string snapshot(MemoryMap& map) {
  return run_script(map,
                    "info regions\ninfo mtree -D\ninfo mtree -f\nxp/16bx 0x0\nxp/8bx 0x3ff8\ndirty list ram vga\n"
                    "info ioeventfds\n");
}

TEST(Monitor, ABadCommandPrintsOneLineAndChangesNothing) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  ASSERT_EQ(run_script(*map, "log start ram vga\nw 0x0 0x55\nadd sys 0x5000 win\n"), "");
  const std::string before = snapshot(*map);
  const std::vector<std::pair<std::string, std::string>> bad{
      {"frobnicate", "error: line 1: frobnicate: unknown command (help lists them)"},
      {"move", "error: line 1: move: usage: move REGION ADDRESS"},
      {"move win", "error: line 1: move: usage: move REGION ADDRESS"},
      {"move nothere 0x10", "error: line 1: move: no region \"nothere\""},
      {"move win 0x1zz", "error: line 1: move: address \"0x1zz\" is not a number (0x and hex digits, or decimal digits)"},
      {"move win 0x10000000000000000", "error: line 1: move: address 0x10000000000000000 is above 0xffffffffffffffff"},
      {"enable dev", "error: line 1: enable: \"dev\" is the name of 2 regions (ids \"dev0\", \"dev1\"); name one by its id"},
      {"enable \"sys", "error: line 1: unterminated quote at column 8"},
      {"move/4 win 0", "error: line 1: move: takes no /format"},
      {"add sys 0x0 ram", "error: line 1: add: adding 'pc.ram' to 'sys' at 0x0: it is already a subregion, 'pc.ram' (offset 0x0 in 'sys'); delete it there first"},
      {"add win 0x0 dev0", "error: line 1: add: adding 'dev' to 'win' at 0x0: an alias cannot hold subregions"},
      {"add sys 0x100 sys", "error: line 1: add: adding 'sys' to 'sys' at 0x100: 'sys' cannot hold itself"},
      {"del sys dev0", "error: line 1: del: deleting 'dev' from 'sys': it is not a subregion there"},
      {"priority dev0 1", "error: line 1: priority: region \"dev0\" is not a subregion"},
      {"priority win 99999999999", "error: line 1: priority: priority 99999999999 is outside the signed 32-bit range"},
      {"alias_offset ram 0x10", "error: line 1: alias_offset: region \"ram\" is of kind ram, not an alias"},
      {"alias_target win win 0", "error: line 1: alias_target: alias 'win' -> 'win': alias cycle 'win' -> 'win'"},
      {"romd uart off", "error: line 1: romd: region \"uart\" is of kind mmio, not a rom_device"},
      {"readonly bios off", "error: line 1: readonly: ROM 'bios' is read-only by kind; use a RAM region to make it writable"},
      {"readonly ram maybe", "error: line 1: readonly: readonly \"maybe\" is not on or off"},
      {"resize ram 0x100", "error: line 1: resize: resizing RAM 'pc.ram' to 0x100: it is not resizeable"},
      {"size ram 0x8000", "error: line 1: size: region 'pc.ram': size 0x8000 (its host memory holds 0x4000 bytes)"},
      {"x/4wx 0x8000", "error: line 1: x: the load at 0x8000 (region \"uart\") answered a decode error"},
      {"x 0x9000", "error: line 1: x: nothing is mapped at 0x9000 in address space \"cpu\""},
      {"x/4wx 0x3ff8", "error: line 1: x: nothing is mapped at 0x4000 in address space \"cpu\""},
      {"x 0xa000", "error: line 1: x: 0xa000 in address space \"cpu\" cannot be read: region \"hole\" is a reservation"},
      {"x/4q 0", "error: line 1: x: bad format /4q (count, then x d u and one of b h w g)"},
      {"x/0 0", "error: line 1: x: count 0"},
      {"x/2g 0xfffffffffffffff8", "error: line 1: x: 0xfffffffffffffff8+0x10 runs beyond 2^64"},
      {"w 0x3ffe 0x1", "error: line 1: w: nothing is mapped at 0x4000 in address space \"cpu\""},
      {"w/b 0 0x100", "error: line 1: w: value 0x100 is above 0xff"},
      {"w/4 0 1", "error: line 1: w: /4: a write takes a unit size (b h w g), no count"},
      {"w 0x3ff8 1 2 3", "error: line 1: w: nothing is mapped at 0x4000 in address space \"cpu\""},
      {"w 0xe000 1", "error: line 1: w: 0xe000 in address space \"cpu\" cannot be written: region \"bios\" is a ROM"},
      {"wp 0x8000 1", "error: line 1: wp: 0x8000 in address space \"cpu\" cannot be written by a debug access: region \"uart\" has no debug callback"},
      {"w 0x8000 1", "error: line 1: w: the store at 0x8000 (region \"uart\") answered a decode error"},
      {"commit", "error: line 1: commit: no transaction is open"},
      {"trace off", "error: line 1: trace: tracing is off"},
      {"trace on nowhere", "error: line 1: trace: no address space \"nowhere\""},
      {"space nowhere", "error: line 1: space: no address space \"nowhere\""},
      {"log start uart vga", "error: line 1: log: set_log on region 'uart' (mmio): only RAM, ROM and ROM devices log dirty memory"},
      {"log start ram cpu", "error: line 1: log: dirty-log client \"cpu\" is not vga, code or migration"},
      {"log stop ram code", "error: line 1: log: set_log(false) on region 'pc.ram' for a client that does not log it"},
      {"log global pause", "error: line 1: log: usage: log start|stop REGION CLIENT | log sync [REGION] | log global start|stop"},
      {"dirty get ram 0x3000 0x2000 vga", "error: line 1: dirty: 0x3000+0x2000 is beyond the end of region \"ram\" (size 0x4000)"},
      {"dirty reset ram 0 0x1000 vga extra", "error: line 1: dirty: usage: dirty get|test_and_clear|reset REGION OFFSET SIZE CLIENT | dirty set REGION OFFSET SIZE | dirty list REGION CLIENT"},
      {"coalescing add ram 0 8", "error: line 1: coalescing: region \"ram\" is of kind ram, not an mmio region"},
      {"ioeventfd add uart 0x0 3", "error: line 1: ioeventfd: ioeventfd at 0x0 of region 'uart': size 3 (1, 2, 4 or 8)"},
      {"ioeventfd del uart 0x0 4", "error: line 1: ioeventfd: region \"uart\" has no ioeventfd of the monitor at 0x0+4"},
      {"info frobs", "error: line 1: info: usage: info mtree [-f] [-D] | info spaces | info regions | info region REGION | info ioeventfds | info iommu"},
      {"info iommu extra", "error: line 1: info: usage: info mtree [-f] [-D] | info spaces | info regions | info region REGION | info ioeventfds | info iommu"},
      {"translate cpu", "error: line 1: translate: usage: translate SPACE ADDRESS [requester_id=N] [secure=on|off] [user=on|off] [memory=on|off] [access=read|write]"},
      {"translate nowhere 0", "error: line 1: translate: no address space \"nowhere\""},
      {"translate cpu 0x9000", "error: line 1: translate: nothing is mapped at 0x9000 in address space \"cpu\""},
      {"translate cpu 0 secure", "error: line 1: translate: attribute \"secure\" is not KEY=VALUE (requester_id, secure, user, memory, access)"},
      {"translate cpu 0 colour=red", "error: line 1: translate: unknown attribute \"colour\" (requester_id, secure, user, memory, access)"},
      {"translate cpu 0 access=exec", "error: line 1: translate: access \"exec\" is not read or write"},
      {"translate cpu 0 requester_id=0x10000", "error: line 1: translate: requester_id 0x10000 is above 0xffff"},
      {"translate cpu 0 user=maybe", "error: line 1: translate: user \"maybe\" is not on or off"},
      {"info mtree -x", "error: line 1: info: unknown option \"-x\" (-f, -D)"},
      {"checkpoint restore x", "error: line 1: checkpoint: usage: checkpoint save|load PATH"},
      {"help frob", "error: line 1: help: no command \"frob\""},
  };
  for (const auto& [command, error] : bad) {
    int status = 0;
    EXPECT_EQ(run_script(*map, command + "\n", {}, &status), error + "\n") << command;
    EXPECT_EQ(status, 1) << command;
    EXPECT_EQ(snapshot(*map), before) << command;
  }
}

// "cpu" shows RAM "boot" at 0 and IOMMU "outer" (4 KiB pages, an index per
// requester id 0 and 1) at 0x100000; "outer" translates into "memory" (RAM
// at 0x10000) and into "bus", where IOMMU "inner" (8 KiB pages) sits at 0.
struct IommuBoard {
  MemoryMap map;
  ContainerRegion& memory_root = map.make<ContainerRegion>("memory_root", "memory_root", k64BitSpace);
  RamRegion& ram = map.make<RamRegion>("ram", "ram", 0x10000);
  ContainerRegion& bus_root = map.make<ContainerRegion>("bus_root", "bus_root", k64BitSpace);
  test::MapIommu& inner = map.make<test::MapIommu>("inner", "inner", 0x100000, 0x2000);
  ContainerRegion& cpu_root = map.make<ContainerRegion>("cpu_root", "cpu_root", k64BitSpace);
  RamRegion& boot = map.make<RamRegion>("boot", "boot", 0x1000);
  test::MapIommu& outer = map.make<test::MapIommu>("outer", "outer.iommu", 0x100000, 0x1000, 2);
  AddressSpace& cpu = map.make_address_space(cpu_root, "cpu");
  AddressSpace& memory = map.make_address_space(memory_root, "memory");
  AddressSpace& bus = map.make_address_space(bus_root, "bus");

  IommuBoard() {
    memory_root.add_subregion(0x10000, ram);
    bus_root.add_subregion(0, inner);
    cpu_root.add_subregion(0, boot);
    cpu_root.add_subregion(0x100000, outer);
    outer.map_page(0x0, memory, 0x10000, IommuAccess::read_write);
    outer.map_page(0x1000, memory, 0x11000, IommuAccess::read);
    outer.map_page(0x2000, bus, 0x4000, IommuAccess::read_write);
    outer.map_page(0x0, memory, 0x12000, IommuAccess::write, 1);
    inner.map_page(0x4000, memory, 0x14000, IommuAccess::read_write);
  }
};

TEST(Monitor, TranslateFollowsEveryIommuOnTheWayWithoutSideEffects) {
  IommuBoard b;
  b.outer.flags_seen.clear();
  EXPECT_EQ(run_script(b.map, R"(translate cpu 0x100010
translate cpu 0x100010 requester_id=1
translate cpu 0x101004
translate cpu 0x101004 access=write
translate cpu 0x101004 access=read secure=on user=off memory=on
translate cpu 0x102ffc
translate cpu 0x103000
translate cpu 0x100010 requester_id=1 access=read
translate cpu 0x10
translate memory 0x1fffc
translate bus 0x5000
)"),
            "translation \"cpu\" 0x100010 -> \"memory\" 0x10010 page=0x100000-0x100fff perm=rw via=\"outer\" region=\"ram\"\n"
            "translation \"cpu\" 0x100010 -> \"memory\" 0x12010 page=0x100000-0x100fff perm=w via=\"outer\" region=\"ram\"\n"
            "translation \"cpu\" 0x101004 -> \"memory\" 0x11004 page=0x101000-0x101fff perm=r via=\"outer\" region=\"ram\"\n"
            "fault \"cpu\" 0x101004 iommu=\"outer\" index=0 reason=permission via=\"outer\"\n"
            "translation \"cpu\" 0x101004 -> \"memory\" 0x11004 page=0x101000-0x101fff perm=r via=\"outer\" region=\"ram\"\n"
            // Through both: the smaller page (outer's) bounds the translation.
            "translation \"cpu\" 0x102ffc -> \"memory\" 0x14ffc page=0x102000-0x102fff perm=rw via=\"outer\",\"inner\" region=\"ram\"\n"
            "fault \"cpu\" 0x103000 iommu=\"outer\" index=0 reason=no_translation via=\"outer\"\n"
            "fault \"cpu\" 0x100010 iommu=\"outer\" index=1 reason=permission via=\"outer\"\n"
            "translation \"cpu\" 0x10 -> \"cpu\" 0x10 page=0x0-0xfff perm=rw via=- region=\"boot\"\n"
            "translation \"memory\" 0x1fffc -> \"memory\" 0x1fffc page=0x10000-0x1ffff perm=rw via=- region=\"ram\"\n"
            "translation \"bus\" 0x5000 -> \"memory\" 0x15000 page=0x4000-0x5fff perm=rw via=\"inner\" region=\"ram\"\n");
  // Look-ups only: the `none` flag, no fault recorded.
  EXPECT_TRUE(b.outer.faults.empty());
  EXPECT_TRUE(b.inner.faults.empty());
  EXPECT_THAT(b.outer.flags_seen, ::testing::Each(IommuAccess::none));
  EXPECT_FALSE(b.outer.flags_seen.empty());
}

TEST(Monitor, ExamineAndWriteTranslateThroughIommusWithoutSideEffects) {
  IommuBoard b;
  for (unsigned i = 0; i < 0x10000; ++i) b.ram.host_ptr()[i] = static_cast<uint8_t>(i);
  b.outer.flags_seen.clear();
  // "cpu" 0x100010 -> "memory" 0x10010; 0x102ffc -> "bus" 0x4ffc -> "memory" 0x14ffc;
  // the write units go to RAM and are read back in "memory".
  EXPECT_EQ(run_script(b.map, R"(space cpu
x/4bx 0x100010
xp/4bx 0x100010
x/1wx 0x102ffc
w/w 0x100020 0xcafef00d
wp/h 0x102ff0 0xbeef
space memory
x/1wx 0x10020
x/1hx 0x14ff0
)"),
            "space \"cpu\"\n"
            "0000000000100010: 0x10 0x11 0x12 0x13\n"
            "0000000000100010: 0x10 0x11 0x12 0x13\n"
            "0000000000102ffc: 0xfffefdfc\n"
            "space \"memory\"\n"
            "0000000000010020: 0xcafef00d\n"
            "0000000000014ff0: 0xbeef\n");
  // Translated as debug accesses are: look-ups only, no fault, no IOTLB fill.
  EXPECT_THAT(b.outer.flags_seen, ::testing::Each(IommuAccess::none));
  EXPECT_FALSE(b.outer.flags_seen.empty());
  EXPECT_TRUE(b.outer.faults.empty());
  EXPECT_TRUE(b.inner.faults.empty());
  EXPECT_EQ(b.outer.cached_translations(), 0u);
  // Refused pages and units across a translated page are refused whole.
  int status = 0;
  EXPECT_EQ(run_script(b.map, "w/w 0x101000 1\n", {}, &status),
            "error: line 1: w: 0x101000 in address space \"cpu\" cannot be written: IOMMU region \"outer.iommu\" refuses it (permission denied)\n");
  EXPECT_EQ(run_script(b.map, "x/2wx 0x103000\n", {}, &status),
            "error: line 1: x: 0x103000 in address space \"cpu\" cannot be read: IOMMU region \"outer.iommu\" refuses it (no translation)\n");
  EXPECT_EQ(run_script(b.map, "x/1wx 0x100ffe\n", {}, &status),
            "error: line 1: x: the unit at 0x100ffe in address space \"cpu\" crosses a page of IOMMU region \"outer.iommu\"\n");
  EXPECT_EQ(b.ram.host_ptr()[0x1000], 0x00);  // "memory" 0x11000 (read-only page) unwritten
  EXPECT_TRUE(b.outer.faults.empty());
}

TEST(Monitor, TranslateReportsALoopOfIommus) {
  IommuBoard b;
  // "inner" sends page 0x6000 back into "bus" at its own 0x6000.
  b.inner.map_page(0x6000, b.bus, 0x6000, IommuAccess::read_write);
  const std::string out = run_script(b.map, "translate bus 0x6000\n");
  std::string via = "\"inner\"";
  for (unsigned i = 1; i < kMaxIommuNesting; ++i) via += ",\"inner\"";
  EXPECT_EQ(out, "fault \"bus\" 0x6000 iommu=\"inner\" index=0 reason=nesting via=" + via + "\n");
}

TEST(Monitor, InfoIommuListsTheIommuRegionsWithTheirNotifiers) {
  IommuBoard b;
  IommuNotifier unmaps([](const IommuTlbEvent&) {}, IommuNotifierFlag::unmap, 0, 0xfff, 1);
  IommuNotifier maps([](const IommuTlbEvent&) {}, IommuNotifierFlag::map, 0x1000, 0x1fff, 0);
  b.outer.register_notifier(unmaps);
  b.outer.register_notifier(maps);
  EXPECT_EQ(run_script(b.map, "info iommu\n"),
            "iommu \"inner\" name=\"inner\" size=0x100000 indexes=1 min_page=0x2000 notifiers=0 notifier_flags=none\n"
            "iommu \"outer\" name=\"outer.iommu\" size=0x100000 indexes=2 min_page=0x1000 notifiers=2 "
            "notifier_flags=map_unmap\n");
  b.outer.unregister_notifier(maps);
  EXPECT_THAT(run_script(b.map, "info iommu\n"), HasSubstr("notifiers=1 notifier_flags=unmap\n"));
  // A map file's IOMMU region translates nothing (docs/iommu.md).
  auto loaded = load_memmap_json(R"({"memmap": 1, "regions": [
    {"id": "sys", "kind": "container", "size": "0x10000", "subregions": [{"region": "smmu", "offset": "0x4000"}]},
    {"id": "smmu", "kind": "iommu", "size": "0x1000"}],
   "address_spaces": [{"name": "cpu", "root": "sys"}]})");
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(run_script(*loaded, "info iommu\ntranslate cpu 0x4010 requester_id=3\n"),
            "iommu \"smmu\" name=\"smmu\" size=0x1000 indexes=1 min_page=0x1000 notifiers=0 notifier_flags=none\n"
            "fault \"cpu\" 0x4010 iommu=\"smmu\" index=0 reason=no_translation via=\"smmu\"\n");
}

TEST(Monitor, ARefusedCheckpointLoadChangesNothing) {
  const std::string path = ::testing::TempDir() + "monitor_shape.bin";
  {
    auto other = load_memmap_json(R"({"memmap": 1, "regions": [
      {"id": "sys", "kind": "container", "size": "0x10000", "subregions": [{"region": "ram", "offset": "0x0"}]},
      {"id": "ram", "name": "pc.ram", "kind": "ram", "size": "0x8000"}],
     "address_spaces": [{"name": "cpu", "root": "sys"}]})");
    ASSERT_NE(other, nullptr);
    ASSERT_EQ(run_script(*other, "w 0 7\ncheckpoint save " + path + "\n"), "");
  }
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  const std::string before = snapshot(*map);
  const std::string out = run_script(*map, "checkpoint load " + path + "\n");
  EXPECT_THAT(out, StartsWith("error: line 1: checkpoint: "));
  EXPECT_THAT(out, HasSubstr("the checkpoint holds 2 regions, the map has 6"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  EXPECT_EQ(snapshot(*map), before);
  std::remove(path.c_str());
}

TEST(Monitor, ConsoleCommentsEchoQuotingAndExit) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  MonitorOptions echo;
  echo.echo = true;
  int status = -1;
  EXPECT_EQ(run_script(*map, "# a comment\n\necho \"two  blanks\" and\\ \"a \\\"quote\\\"\"  # trailing\n"
                             "help enable\nquit\necho never\n",
                       echo, &status),
            "(tlmmap) # a comment\n"
            "(tlmmap) \n"
            "(tlmmap) echo \"two  blanks\" and\\ \"a \\\"quote\\\"\"  # trailing\n"
            "two  blanks and\\ a \"quote\"\n"
            "(tlmmap) help enable\n"
            "enable REGION\n"
            "  memory_region_set_enabled(true)\n"
            "(tlmmap) quit\n");
  EXPECT_EQ(status, 0);
  const std::string help = run_script(*map, "help\n");
  for (const char* command : {"info mtree", "x/NFU", "xp/NFU", "w/U", "wp/U", "begin", "commit", "enable", "disable",
                              "move", "alias_offset", "readonly", "romd", "add", "add_overlap", "del", "priority",
                              "trace on", "log start", "dirty get", "checkpoint save"}) {
    EXPECT_THAT(help, HasSubstr(command));
  }
}

TEST(Monitor, StopsAtTheFirstErrorWhenAskedAndClosesOpenTransactions) {
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  MonitorOptions stop;
  stop.stop_on_error = true;
  int status = 0;
  EXPECT_EQ(run_script(*map, "disable uart\nmove nothere 1\ndisable bios\n", stop, &status),
            "error: line 2: move: no region \"nothere\"\n");
  EXPECT_EQ(status, 1);
  EXPECT_FALSE(map->region("uart")->enabled());
  EXPECT_TRUE(map->region("bios")->enabled());
  EXPECT_EQ(run_script(*map, "move nothere 1\nenable uart\n", {}, &status),
            "error: line 1: move: no region \"nothere\"\n");
  EXPECT_TRUE(map->region("uart")->enabled());
  EXPECT_EQ(run_script(*map, "begin\nbegin\ndisable bios\ncommit\n", {}, &status),
            "error: line 1: begin: still open at the end of the input; committed there\n");
  EXPECT_EQ(status, 1);
  EXPECT_EQ(transaction_depth(), 0);
  EXPECT_FALSE(map->region("bios")->enabled());
  EXPECT_EQ(map->address_space("cpu")->lookup(0xe000), nullptr);
}

// ---------------------------------------------------------------------------
// The monitor against C++: the same changes give the same flat views and the
// same listener calls.

TEST(Monitor, ARemapSequenceGivesTheFlatViewOfTheSameChangesInCpp) {
  const char* const script = R"(begin
disable bios
add_overlap sys 0xe000 win 1
alias_offset win 0x0
commit
move uart 0x9000
readonly win on
romd flash off
priority win -1
add sys 0x4000 dev0
)";
  std::string by_monitor;
  {
    auto map = load_memmap_json(kBoard);
    ASSERT_NE(map, nullptr);
    ASSERT_EQ(run_script(*map, script), "");
    by_monitor = run_script(*map, "info mtree -f\ninfo mtree -D\n");
  }
  auto map = load_memmap_json(kBoard);
  ASSERT_NE(map, nullptr);
  Region& sys = *map->region("sys");
  auto& win = static_cast<AliasRegion&>(*map->region("win"));
  {
    Transaction t;
    map->region("bios")->set_enabled(false);
    sys.add_subregion_overlap(0xe000, win, 1);
    win.set_alias_offset(0);
  }
  map->region("uart")->set_address(0x9000);
  win.set_readonly(true);
  static_cast<RomDeviceRegion*>(map->region("flash"))->set_romd(false);
  sys.del_subregion(win);
  sys.add_subregion_overlap(0xe000, win, -1);
  sys.add_subregion(0x4000, *map->region("dev0"));
  MtreeOptions flat;
  flat.flat_view = true;
  MtreeOptions tree;
  tree.show_disabled = true;
  EXPECT_EQ(by_monitor, mtree_text(map->address_spaces(), flat) + mtree_text(map->address_spaces(), tree));
  EXPECT_THAT(by_monitor, HasSubstr("000000000000e000-000000000000efff (prio 0, rom): pc.ram"));
}

// A spec operation as a monitor line; "" for one the monitor has no command
// for (none today) or that does not apply to the region's kind.
std::string monitor_line(const test::MapSpec& spec, const test::Op& op) {
  const auto id = [&](int i) { return test::region_name(spec, i); };
  const auto on_off = [](bool b) { return b ? " on" : " off"; };
  const auto kind = [&](int i) { return spec.regions[i].kind; };
  switch (op.kind) {
    case test::OpKind::add:
      return (op.flag ? "add_overlap " : "add ") + id(op.a) + " " + hex(op.value) + " " + id(op.b) +
             (op.flag ? " " + std::to_string(op.priority) : "");
    case test::OpKind::del: return "del " + id(op.a) + " " + id(op.b);
    case test::OpKind::set_enabled: return (op.flag ? "enable " : "disable ") + id(op.a);
    case test::OpKind::set_address: return "move " + id(op.a) + " " + hex(op.value);
    case test::OpKind::set_alias_offset:
      return kind(op.a) == RegionKind::alias ? "alias_offset " + id(op.a) + " " + hex(op.value) : "";
    case test::OpKind::set_target:
      return kind(op.a) == RegionKind::alias ? "alias_target " + id(op.a) + " " + id(op.b) + " " + hex(op.value) : "";
    case test::OpKind::set_readonly: return "readonly " + id(op.a) + on_off(op.flag);
    case test::OpKind::set_nonvolatile: return "nonvolatile " + id(op.a) + on_off(op.flag);
    case test::OpKind::set_romd: return kind(op.a) == RegionKind::rom_device ? "romd " + id(op.a) + on_off(op.flag) : "";
    case test::OpKind::begin: return "begin";
    case test::OpKind::commit: return "commit";
    case test::OpKind::check: return "info mtree -f";
    // The access test's own operations; the generator never makes them.
    case test::OpKind::destroy:
    case test::OpKind::set_latency:
    case test::OpKind::set_ops: return "";
  }
  return "";
}

struct Built {
  MemoryMap map;
  std::vector<Region*> regions;
};

std::unique_ptr<Built> build(const test::MapSpec& spec) {
  auto b = std::make_unique<Built>();
  Transaction t;
  for (int i = 0; i < static_cast<int>(spec.regions.size()); ++i) {
    b->regions.push_back(&test::make_spec_region(b->map, spec, i, b->regions));
  }
  for (std::size_t s = 0; s < spec.spaces.size(); ++s) {
    b->map.make_address_space(*b->regions[spec.spaces[s]], "as" + std::to_string(s));
  }
  return b;
}

// Errors are counted, not compared: the monitor prefixes them, C++ gets the
// map's message alone.
struct Outcome {
  std::string text;
  int errors = 0;
};

Outcome strip_errors(const std::string& out) {
  Outcome o;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("error: ", 0) == 0) {
      ++o.errors;
    } else {
      o.text += line + "\n";
    }
  }
  return o;
}

TEST(Monitor, RandomMapsChangedThroughTheMonitorMatchTheSameChangesInCpp) {
  const uint64_t seed = test::env_number("TLMMAP_SEED", 0x6d6f6e69);
  const uint64_t maps = test::env_number("TLMMAP_MONITOR_MAPS", test::kSanitized ? 100 : 500);
  std::size_t lines_compared = 0;
  std::size_t trace_lines = 0;
  int refusals = 0;
  for (uint64_t n = 0; n < maps; ++n) {
    const test::MapSpec spec = test::generate_map(test::mix_seed(seed, n));
    std::string script = "trace on\n";
    std::vector<const test::Op*> ops;
    for (const test::Op& op : spec.ops) {
      const std::string line = monitor_line(spec, op);
      if (line.empty()) continue;
      script += line + "\n";
      ops.push_back(&op);
    }
    Outcome by_monitor;
    {
      auto b = build(spec);
      by_monitor = strip_errors(run_script(b->map, script));
    }
    Outcome by_cpp;
    {
      auto b = build(spec);
      std::ostringstream out;
      Monitor tracer(b->map, out);  // only its trace: the changes are made in C++
      tracer.execute("trace on");
      int depth = 0;
      for (const test::Op* op : ops) {
        try {
          if (op->kind == test::OpKind::begin) {
            transaction_begin();
            ++depth;
          } else if (op->kind == test::OpKind::commit) {
            if (depth == 0) {
              out << "error: commit without begin\n";
            } else {
              --depth;
              transaction_commit();
            }
          } else if (op->kind == test::OpKind::check) {
            MtreeOptions flat;
            flat.flat_view = true;
            out << mtree_text(b->map.address_spaces(), flat);
          } else {
            test::apply_spec_op(b->regions, *op);
          }
        } catch (const sc_core::sc_report& refusal) {
          out << "error: " << refusal.get_msg() << "\n";
        }
      }
      for (; depth > 0; --depth) {
        out << "error: still open\n";
        transaction_commit();
      }
      by_cpp = strip_errors(out.str());
    }
    ASSERT_EQ(by_monitor.text, by_cpp.text) << "map " << n << " (seed " << hex(test::mix_seed(seed, n)) << ")\n"
                                            << script;
    ASSERT_EQ(by_monitor.errors, by_cpp.errors) << "map " << n << "\n" << script;
    lines_compared += static_cast<std::size_t>(std::count(by_cpp.text.begin(), by_cpp.text.end(), '\n'));
    for (std::size_t at = by_cpp.text.find("trace region_"); at != std::string::npos;
         at = by_cpp.text.find("trace region_", at + 1)) {
      ++trace_lines;
    }
    refusals += by_cpp.errors;
  }
  // The runs compared something: flat views, listener calls and refusals.
  EXPECT_GT(lines_compared, maps * 10);
  EXPECT_GT(trace_lines, maps);
  EXPECT_GT(refusals, 0);
  std::printf("%zu lines compared, %zu region callbacks, %d refusals\n", lines_compared, trace_lines, refusals);
}

}  // namespace
}  // namespace tlmmap
