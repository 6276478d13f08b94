// TLM to AXI4-Lite (TlmToAxiLite) against an RTL RAM under random traffic
// (both AXI4-Lite bridges back to back: bridge_pair_test.cpp); AXI4-Lite
// assertions on the pins, the base-protocol checker on the TLM hops.
#include <gtest/gtest.h>

#include "Vaxil_checker32.h"
#include "Vaxil_ram32.h"
#include "adapter_test_kit.hpp"
#include "support/protocol_checker.hpp"
#include "support/test_env.hpp"
#include "tlmmap/adapters.hpp"
#include "tlmmap/tlm.hpp"

namespace {

using namespace sc_core;
using namespace tlmmap;
using namespace tlmmap::adapters;
using tlmmap::test::OwnedTxn;
using tlmmap::test::ProtocolChecker;

constexpr uint64_t kBase = 0x20000000;
constexpr uint64_t kRamBytes = 4096;  // then SLVERR up to 8 KiB, DECERR above

unsigned count_of(unsigned normal) {
  return static_cast<unsigned>(test::env_number("TLMMAP_ADAPTER_TXNS", test::kSanitized ? normal / 10 : normal));
}

TEST(TlmToAxiLite, RandomTrafficAndErrorsAgainstRtlRam32) {
  sc_clock clk{"clk", 10, SC_NS};
  sc_signal<bool> rstn{"rstn", false};
  AxiLiteSignals<32, 32> wires;
  TlmToAxiLite<32, 32> bridge{"bridge"};
  Vaxil_ram32 ram{"ram"};
  Vaxil_checker32 pins{"pins"};
  Bus<32> bus{"bus"};
  ProtocolChecker<32> cpu_hop{"cpu_hop"}, bridge_hop{"bridge_hop"};
  test::TestInitiator<32> cpu{"cpu"};
  bridge.clk(clk);
  bridge.rst(rstn);
  bridge.connect(wires);
  ram.clk(clk);
  ram.rstn(rstn);
  TLMMAP_BIND_AXI_LITE(ram, , wires);
  pins.clk(clk);
  pins.rstn(rstn);
  TLMMAP_BIND_AXI_LITE(pins, , wires);
  cpu.socket.bind(cpu_hop.target_socket);
  cpu_hop.initiator_socket.bind(bus.target_socket);
  bridge_hop.initiator_socket.bind(bridge.target_socket);
  bus.bind(bridge_hop.target_socket, kBase, 4 * kRamBytes);
  test::ReferenceMemory ref(kBase, kRamBytes);
  test::RandomTraffic traffic(test::env_number("TLMMAP_SEED", 41), kBase, kRamBytes, 64);
  const unsigned count = count_of(10000);
  unsigned done = 0;
  std::vector<tlm::tlm_response_status> errors;
  cpu.body = [&] {
    wait(35, SC_NS);
    rstn = true;
    OwnedTxn t;
    for (; done < count; ++done) {
      traffic.next(t);
      ASSERT_EQ(cpu.transport(t.gp), tlm::TLM_OK_RESPONSE);
      if (t.gp.is_write()) {
        ref.apply(t.gp);
      } else {
        ASSERT_EQ(ref.mismatch(t.gp), "") << "transaction " << done;
      }
    }
    t.set(tlm::TLM_WRITE_COMMAND, kBase + kRamBytes, std::vector<uint8_t>(4));
    errors.push_back(cpu.transport(t.gp));
    t.set(tlm::TLM_READ_COMMAND, kBase + 2 * kRamBytes, std::vector<uint8_t>(4));
    errors.push_back(cpu.transport(t.gp));
  };
  sc_start();
  EXPECT_EQ(done, count);
  EXPECT_EQ(errors, (std::vector<tlm::tlm_response_status>{tlm::TLM_GENERIC_ERROR_RESPONSE,
                                                            tlm::TLM_ADDRESS_ERROR_RESPONSE}));
  EXPECT_TRUE(cpu_hop.violations().empty());
  EXPECT_TRUE(bridge_hop.violations().empty());
}

}  // namespace
