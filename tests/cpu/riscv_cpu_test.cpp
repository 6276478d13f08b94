// The Unicorn riscv64 CPU as a TLM-2.0 initiator, on a small bench: RAM at
// 0x80000000 (the guest programs in guests/), a report register that records
// what the guest stores, and an exit register that stops the simulation.
// Unicorn 2.0.1 splits an 8-byte MMIO access into two 4-byte ones, low half
// first: the report register puts them together.
#include <gtest/gtest.h>

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "support/map_text.hpp"
#include "tlmmap/cpu/riscv_cpu.hpp"
#include "tlmmap/tlmmap.hpp"

namespace {

using sc_core::SC_NS;
using sc_core::SC_US;
using sc_core::sc_time;

std::string guest(const char* name) { return std::string(TLMMAP_CPU_GUESTS_DIR) + "/" + name + ".bin"; }

struct Bench {
  tlmmap::Bus<32> bus{"bus"};
  tlmmap::RamRegion ram{"ram", 0x100000};
  tlmmap::MmioRegion report{"report", 0x1000};
  tlmmap::MmioRegion exit{"exit", 0x1000};
  sc_core::sc_signal<bool> mtip{"mtip_line"}, msip{"msip_line"}, meip{"meip_line"}, seip{"seip_line"};
  std::vector<uint64_t> reported;
  std::vector<tlmmap::MemTxAttrs> attributes;
  std::function<void(uint64_t)> command;
  sc_time exit_time;
  uint64_t low = 0;
  tlmmap::RiscvCpu cpu;

  explicit Bench(const char* program, tlmmap::RiscvCpuConfig config = {}) : cpu("cpu", with_reset(config)) {
    tlmmap::MmioOps ops;
    ops.valid.max_access_size = 4;
    ops.write_with_attrs = [this](uint64_t offset, uint64_t value, unsigned, const tlmmap::MemTxAttrs& attrs) {
      if (offset == 8) {
        command(value);
      } else if (offset == 0) {
        low = value;
      } else if (offset == 4) {
        reported.push_back((value << 32) | low);
        attributes.push_back(attrs);
      }
      return tlmmap::MemTxResult::ok;
    };
    ops.read = [](uint64_t, unsigned) -> uint64_t { return 0; };
    report.set_ops(ops);
    tlmmap::MmioOps exit_ops;
    exit_ops.write = [this](uint64_t, uint64_t value, unsigned) {
      EXPECT_EQ(value, 0x5555u);
      exit_time = sc_core::sc_time_stamp();
      sc_core::sc_stop();
    };
    exit.set_ops(exit_ops);
    {
      tlmmap::Transaction build;
      bus.map(0x80000000, ram);
      bus.map(0x10000000, report);
      bus.map(0x100000, exit);
    }
    cpu.socket.bind(bus.target_socket);
    cpu.mtip.bind(mtip);
    cpu.msip.bind(msip);
    cpu.meip.bind(meip);
    cpu.seip.bind(seip);
    cpu.load_file(0x80000000, guest(program));
  }
  static tlmmap::RiscvCpuConfig with_reset(tlmmap::RiscvCpuConfig config) {
    config.reset_pc = 0x80000000;
    return config;
  }
};

TEST(RiscvCpu, RunsOnlyOnTheUnicornLayoutItWasWrittenFor) {
  EXPECT_EQ(tlmmap::RiscvCpu::unicorn_layout_problem(), "");
}

TEST(RiscvCpu, EntersSynchronousTrapsWithDelegationAndPrivilege) {
  tlmmap::RiscvCpuConfig config;
  config.hart_id = 3;
  Bench b("traps", config);
  sc_core::sc_start(sc_time(1, sc_core::SC_MS));
  const auto& r = b.reported;
  ASSERT_EQ(r.size(), 14u);
  EXPECT_EQ(r[0], 3u);  // mhartid
  // ecall from M: mcause 11, mepc at the ecall, MPP = M
  EXPECT_EQ(r[2], 11u);
  EXPECT_EQ(r[3], r[1]);
  EXPECT_EQ(r[4], 3u);
  // ecall from S: mcause 9, MPP = S
  EXPECT_EQ(r[6], 9u);
  EXPECT_EQ(r[7], r[5]);
  EXPECT_EQ(r[8], 1u);
  // U-mode: an MMIO write carries the user attribute; its ecall goes to S
  EXPECT_EQ(r[9], 0x55u);
  EXPECT_TRUE(b.attributes[9].user);
  EXPECT_FALSE(b.attributes[0].user);
  EXPECT_EQ(r[11], 8u);
  EXPECT_EQ(r[12], r[10]);
  EXPECT_EQ(r[13], 0u);  // SPP = U
  for (const auto& a : b.attributes) EXPECT_EQ(a.requester_id, 3u);
  EXPECT_EQ(b.cpu.stats().traps, 3u);
  EXPECT_EQ(b.cpu.privilege(), 1u);
}

TEST(RiscvCpu, WfiSleepsUntilTheTimerLineRises) {
  tlmmap::RiscvCpuConfig config;
  Bench b("timer", config);
  b.cpu.set_time_source([] { return sc_core::sc_time_stamp().value() / sc_time(100, SC_NS).value(); });
  sc_core::sc_spawn([&b] {
    sc_core::wait(50, SC_US);
    b.mtip.write(true);
  });
  sc_core::sc_start(sc_time(1, sc_core::SC_MS));
  ASSERT_EQ(b.reported.size(), 2u);
  EXPECT_EQ(b.reported[0], (uint64_t{1} << 63) | 7);  // machine timer interrupt
  EXPECT_EQ(b.reported[1], 500u);                     // 50 us in 100 ns ticks
  EXPECT_GE(b.exit_time, sc_time(50, SC_US));
  EXPECT_LT(b.exit_time, sc_time(51, SC_US));
  EXPECT_LT(b.cpu.stats().instructions, 100u);  // asleep, not spinning
  EXPECT_EQ(b.cpu.stats().rdtime, 1u);
}

TEST(RiscvCpu, FollowsDmiGrantsAndTheirInvalidation) {
  Bench b("memory");
  tlmmap::RamRegion first{"first", 0x1000};
  tlmmap::RamRegion second{"second", 0x1000};
  const uint64_t marker = 0x2222;
  std::memcpy(second.host_ptr(), &marker, 8);
  tlmmap::RomDeviceRegion flash{"flash", 0x1000};
  const uint64_t content = 0xabcd;
  std::memcpy(flash.host_ptr(), &content, 8);
  tlmmap::MmioOps flash_ops;
  flash_ops.valid.max_access_size = 4;
  flash_ops.read = [](uint64_t offset, unsigned) -> uint64_t { return offset == 0 ? 0x5151 : 0; };
  flash_ops.write = [&flash](uint64_t offset, uint64_t value, unsigned) {
    if (offset == 0) flash.set_romd(value == 0xff);
  };
  flash.set_ops(flash_ops);
  b.bus.map(0x90000000, first);
  b.bus.map(0x20000000, flash);
  b.command = [&](uint64_t) {
    tlmmap::Transaction swap;
    b.bus.root().del_subregion(first);
    b.bus.map(0x90000000, second);
  };
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(10, SC_US));
  sc_core::sc_start(sc_time(1, sc_core::SC_MS));
  ASSERT_EQ(b.reported.size(), 5u);
  EXPECT_EQ(b.reported[0], 0x1111u);
  EXPECT_EQ(b.reported[1], marker);   // the new RAM, not the old pointer
  EXPECT_EQ(b.reported[2], content);  // romd
  EXPECT_EQ(b.reported[3], 0x5151u);  // the callback
  EXPECT_EQ(b.reported[4], content);  // romd again
  uint64_t still = 0;
  std::memcpy(&still, flash.host_ptr(), 8);
  EXPECT_EQ(still, content);  // the commands never reached the device's memory
  uint64_t written = 0;
  std::memcpy(&written, first.host_ptr(), 8);
  EXPECT_EQ(written, 0x1111u);  // the store went straight to host memory
  EXPECT_GE(b.cpu.stats().invalidations, 2u);
  // Time: 200k loop instructions at 1 ns each, within one quantum.
  EXPECT_GE(b.exit_time, sc_time(200, SC_US));
  EXPECT_LE(b.exit_time, sc_time(211, SC_US));
  EXPECT_GE(b.cpu.stats().instructions, 200000u);
  EXPECT_LE(b.cpu.stats().transports, 24u);  // RAM and romd reads never used b_transport
}

// A flash's program sequence ends in read-array mode: its reads are direct
// again (DMI), and the next command write still reaches the device. Unicorn
// stops before each write to the read-only grant; the map changes only
// between runs.
TEST(RiscvCpu, ReadsARomDeviceDirectlyAgainAfterEachCommandSequence) {
  Bench b("romd_cycles");
  tlmmap::RomDeviceRegion flash{"flash", 0x1000};
  const uint64_t word = 0x1234;
  std::memcpy(flash.host_ptr() + 8, &word, 8);
  unsigned commands = 0;
  tlmmap::MmioOps flash_ops;
  flash_ops.valid.max_access_size = 4;
  flash_ops.read = [](uint64_t offset, unsigned) -> uint64_t { return offset == 0 ? 0x5151 : 0; };
  flash_ops.write = [&](uint64_t offset, uint64_t value, unsigned) {
    ++commands;
    if (offset == 0) flash.set_romd(value == 0xff);
  };
  flash.set_ops(flash_ops);
  b.bus.map(0x20000000, flash);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(10, SC_US));
  sc_core::sc_start(sc_time(1, sc_core::SC_MS));
  ASSERT_EQ(b.reported.size(), 2u);
  EXPECT_EQ(b.reported[0], 20u * 0x5151);         // every command read answered by the callback
  EXPECT_EQ(b.reported[1], 20u * 1000u * word);   // every memory read saw the memory
  EXPECT_EQ(commands, 40u);                       // each command write reached the device once
  uint64_t still = 0;
  std::memcpy(&still, flash.host_ptr(), 8);
  EXPECT_EQ(still, 0u);                           // and never its memory
  EXPECT_EQ(b.cpu.stats().write_throughs, 20u);   // the grant was back before every round's command
  EXPECT_GE(b.cpu.stats().dmi_mappings, 20u);
  // 20 rounds of 1000 reads: a handful of b_transport calls per round, not 1000.
  EXPECT_LE(b.cpu.stats().transports, 20u * 8 + 8);
}

TEST(RiscvCpu, SavesAndRestoresItsArchitecturalState) {
  Bench b("traps");
  sc_core::sc_start(sc_time(1, sc_core::SC_MS));  // ends in S-mode (see above)
  tlmmap::RiscvCpu::State s = b.cpu.save_state();
  EXPECT_EQ(s.at("privilege"), 1u);
  EXPECT_EQ(s.at("pc"), b.cpu.pc());
  EXPECT_EQ(s.at("x10"), b.cpu.get_register(10));
  EXPECT_EQ(s.at("instructions"), b.cpu.stats().instructions);
  EXPECT_EQ(s.at("mcause"), 9u);  // the last trap into M: ecall from S
  // Another state, with M-mode CSRs written while the hart is in U-mode
  // (which the register API alone would drop) and a software-pending bit.
  s["x5"] = 0x1234;
  s["f3"] = 0x4010000000000000;
  s["mepc"] = 0x80001000;
  s["sscratch"] = 0x77;
  s["mip"] = 0x2;  // SSIP
  s["privilege"] = 0;
  s["pc"] = 0x80000100;
  s["instructions"] = 42;
  b.cpu.restore_state(s);
  EXPECT_EQ(b.cpu.save_state(), s);
  EXPECT_EQ(b.cpu.privilege(), 0u);
  EXPECT_EQ(b.cpu.get_register(5), 0x1234u);
  EXPECT_EQ(b.cpu.stats().instructions, 42u);
  // A state without a name is refused whole, naming it.
  s.erase("satp");
  s["x5"] = 1;
  EXPECT_EQ(tlmmap::test::error_of([&] { b.cpu.restore_state(s); }),
            "cpu: the CPU state to restore has no 'satp'");
  EXPECT_EQ(b.cpu.get_register(5), 0x1234u);
}

TEST(RiscvCpu, RefusesToLoadAnImageWhereNothingTakesIt) {
  Bench b("traps");
  const std::string message = tlmmap::test::error_of([&] {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    const uint8_t bytes[4] = {1, 2, 3, 4};
    b.cpu.load(0x40000000, bytes, sizeof bytes);
  });
  EXPECT_EQ(message, "cpu: cannot load 4 bytes at 0x40000000: the map refuses the bytes at 0x40000000");
}

}  // namespace
