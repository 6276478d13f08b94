// An RTL bus master in a tlmmap map: the AXI4 DMA engine of
// tests/rtl/axi_dma.sv, verilated, reaches the map through an AXI-to-TLM
// bridge and copies 16 KiB between two RAM regions, in bursts of 16 beats.
// The result is checked through the map.
#include <cstdio>
#include <cstring>
#include <vector>

#include <systemc>

#include "Vaxi_dma.h"
#include "tlmmap/adapters.hpp"
#include "tlmmap/tlm.hpp"

using namespace sc_core;

int sc_main(int, char*[]) {
  sc_clock clk{"clk", 10, SC_NS};
  sc_signal<bool> rstn{"rstn", false}, start{"start"}, busy{"busy"}, done{"done"}, error{"error"};
  sc_signal<uint32_t> src{"src"}, dst{"dst"}, bytes{"bytes"}, beats{"beats"};
  tlmmap::adapters::Axi4Signals<64, 32, 4> axi;
  Vaxi_dma dma{"dma"};  // the RTL
  tlmmap::adapters::AxiToTlm<64, 32, 4> bridge{"bridge"};
  tlmmap::Bus<64> bus{"memory"};
  tlmmap::RamRegion sram{"sram", 0x10000}, dram{"dram", 0x10000};
  bus.map(0x20000000, sram);
  bus.map(0x80000000, dram);

  dma.clk(clk);
  dma.rstn(rstn);
  dma.start(start);
  dma.src(src);
  dma.dst(dst);
  dma.bytes(bytes);
  dma.beats(beats);
  dma.busy(busy);
  dma.done(done);
  dma.error(error);
  TLMMAP_BIND_AXI4(dma, , axi);
  bridge.clk(clk);
  bridge.rst(rstn);
  bridge.connect(axi);
  bridge.initiator_socket.bind(bus.target_socket);  // the RTL master reaches the whole map

  const uint32_t length = 0x4000;
  std::vector<uint8_t> pattern(length);
  for (uint32_t i = 0; i < length; ++i) pattern[i] = static_cast<uint8_t>(i * 7 + (i >> 8));
  std::memcpy(sram.host_ptr(), pattern.data(), length);

  sc_start(45, SC_NS);
  rstn = true;
  src = 0x20000000;
  dst = 0x80001000;
  bytes = length;
  beats = 16;
  start = true;
  sc_start(10, SC_NS);
  start = false;
  const sc_time began = sc_time_stamp();
  while (!done.read()) sc_start(100, SC_NS);
  const bool same = std::memcmp(static_cast<uint8_t*>(dram.host_ptr()) + 0x1000, pattern.data(), length) == 0;
  std::printf("DMA copied %u bytes in %s (%llu TLM transactions), error=%d\n%s\n", length,
              (sc_time_stamp() - began).to_string().c_str(), (unsigned long long)bridge.transactions_issued(),
              error.read() ? 1 : 0, same && !error.read() ? "PASS" : "FAIL");
  dma.final();
  return same && !error.read() ? 0 : 1;
}
