// IOMMU translation against the untranslated path, in one run so that the
// ratios printed at the end compare like with like.
//
//   access/model/{direct,iommu}     AddressSpace::load of 4 bytes: RAM, or through the
//                                   reference IOMMU region of the same space (its
//                                   translation cache warm)
//   access/target/{direct,iommu}    the same through the space's AddressSpaceTarget (b_transport;
//                                   the IOMMU range answered from the region's translation cache)
//   access/module/{direct,iommu}    b_transport straight to the target, or through an
//                                   IommuModule in front of it (warm IOTLB, no DMI)
//   dma/memcpy_1MiB                 memcpy of 1 MiB between two host buffers in DRAM
//   dma/{dmi,transport}_{4K,2M}     a DMA engine copy of 1 MiB through the IOMMU module,
//                                   pages of 4 KiB or 2 MiB, with DMI or b_transport only
//   unmap/4_holders                 one page unmapped (entry written, invalidation command)
//                                   while 4 initiators hold DMI grants on 64 pages each
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <vector>

#include <benchmark/benchmark.h>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "median_times.hpp"
#include "tlmmap/tlmmap.hpp"

namespace {

using namespace tlmmap;

constexpr uint64_t kDram = 0x80000000;
constexpr uint64_t kPool = kDram + 0x3f00000;
constexpr uint64_t kSrc = 0x100000;  // input addresses of the DMA copies (4 KiB pages)
constexpr uint64_t kDst = 0x200000;
constexpr uint64_t kSrc2M = 0x400000;  // the same on 2 MiB pages
constexpr uint64_t kDst2M = 0x600000;
constexpr uint64_t kMiB = 0x100000;

struct Port : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Port, 32> socket{"socket"};
  tlm::tlm_generic_payload gp;
  sc_core::sc_time delay;
  uint32_t value = 0;
  explicit Port(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
  }
  void read(uint64_t address) {
    gp.set_address(address);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(gp, delay);
  }
};

// The IOMMU region sits at 0 of the same "memory" space that holds DRAM.
struct Platform {
  ContainerRegion root{"root", k64BitSpace};
  RamRegion dram{"dram", 0x4000000};
  AddressSpace memory{root, "memory"};
  ReferenceIommu smmu{"smmu", memory};
  AddressSpaceTarget<32> target{"target", memory};
  IommuModule<32> module{"module", smmu.region()};
  Port to_target{"to_target"};
  Port to_module{"to_module"};
  DmaEngine dma{"dma", 0};
  std::vector<std::unique_ptr<DmiInitiator<32>>> holders;
  std::unique_ptr<ReferenceIommuDriver> driver;

  Platform() {
    root.add_subregion(kDram, dram);
    root.add_subregion(0, smmu.region());
    to_target.socket.bind(target.target_socket);
    to_module.socket.bind(module.target_socket);
    dma.socket.bind(module.target_socket);
    for (int i = 0; i < 4; ++i) {
      holders.push_back(std::make_unique<DmiInitiator<32>>(("holder" + std::to_string(i)).c_str()));
      holders.back()->socket.bind(module.target_socket);
    }
    module.initiator_socket.bind(target.target_socket);
    driver = std::make_unique<ReferenceIommuDriver>(smmu, memory, kPool, 0x100000);
    driver->map(0, 0x1000, kDram + 0x1000, IommuAccess::read_write);
    for (uint64_t i = 0; i < kMiB; i += 0x1000) {
      driver->map(0, kSrc + i, kDram + kMiB + i, IommuAccess::read);
      driver->map(0, kDst + i, kDram + 2 * kMiB + i, IommuAccess::read_write);
    }
    driver->map_large(0, kSrc2M, kDram + 0x400000, IommuAccess::read);
    driver->map_large(0, kDst2M, kDram + 0x600000, IommuAccess::read_write);
    for (uint64_t i = 0; i < 64; ++i) driver->map(0, 0x800000 + i * 0x1000, kDram + 0x800000 + i * 0x1000, IommuAccess::read_write);
  }
};

Platform* g_platform = nullptr;

void BM_model(benchmark::State& state, bool iommu) {
  const uint64_t address = iommu ? 0x1010 : kDram + 0x1010;
  uint64_t value = 0;
  for (auto _ : state) {
    g_platform->memory.load(address, 4, value);
    benchmark::DoNotOptimize(value);
  }
}

void BM_target(benchmark::State& state, bool iommu) {
  const uint64_t address = iommu ? 0x1010 : kDram + 0x1010;
  for (auto _ : state) g_platform->to_target.read(address);
}

void BM_module(benchmark::State& state, bool iommu) {
  Port& port = iommu ? g_platform->to_module : g_platform->to_target;
  const uint64_t address = iommu ? 0x1010 : kDram + 0x1010;
  for (auto _ : state) port.read(address);
}

void BM_memcpy(benchmark::State& state) {
  uint8_t* base = g_platform->dram.host_ptr();
  for (auto _ : state) {
    std::memcpy(base + 2 * kMiB, base + kMiB, kMiB);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kMiB);
}

void BM_dma(benchmark::State& state, bool large, bool dmi) {
  g_platform->dma.set_dmi_enabled(dmi);
  sc_core::sc_time delay;
  bool ok = true;
  for (auto _ : state) ok &= g_platform->dma.copy(large ? kSrc2M : kSrc, large ? kDst2M : kDst, kMiB, delay);
  if (!ok) state.SkipWithError("the copy failed");
  state.SetBytesProcessed(state.iterations() * kMiB);
}

void BM_unmap(benchmark::State& state) {
  Platform& p = *g_platform;
  sc_core::sc_time delay;
  auto grant_all = [&] {
    for (auto& h : p.holders) {
      for (uint64_t i = 0; i < 64; ++i) benchmark::DoNotOptimize(h->read<uint32_t>(0x800000 + i * 0x1000, delay));
    }
  };
  grant_all();
  uint64_t page = 0;
  for (auto _ : state) {
    p.driver->unmap(0, 0x800000 + page * 0x1000);
    state.PauseTiming();
    p.driver->map(0, 0x800000 + page * 0x1000, kDram + 0x800000 + page * 0x1000, IommuAccess::read_write);
    for (auto& h : p.holders) benchmark::DoNotOptimize(h->read<uint32_t>(0x800000 + page * 0x1000, delay));
    page = (page + 1) % 64;
    state.ResumeTiming();
  }
  state.counters["grants"] = static_cast<double>(p.module.dmi_grants());
}

}  // namespace

int sc_main(int, char*[]) { return 0; }

int main(int argc, char** argv) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", true);
  benchmark::Initialize(&argc, argv);
  Platform platform;
  g_platform = &platform;
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  benchmark::RegisterBenchmark("access/model/direct", BM_model, false);
  benchmark::RegisterBenchmark("access/model/iommu", BM_model, true);
  benchmark::RegisterBenchmark("access/target/direct", BM_target, false);
  benchmark::RegisterBenchmark("access/target/iommu", BM_target, true);
  benchmark::RegisterBenchmark("access/module/direct", BM_module, false);
  benchmark::RegisterBenchmark("access/module/iommu", BM_module, true);
  benchmark::RegisterBenchmark("dma/memcpy_1MiB", BM_memcpy)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("dma/dmi_4K", BM_dma, 0, true)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("dma/dmi_2M", BM_dma, 1, true)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("dma/transport_4K", BM_dma, 0, false)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("dma/transport_2M", BM_dma, 1, false)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("unmap/4_holders", BM_unmap);
  tlmmap::bench::MedianTimes reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::cout << "Ratios (CPU time, this run):\n";
  reporter.print_ratio("access/model/iommu", "access/model/direct");
  reporter.print_ratio("access/target/iommu", "access/target/direct");
  reporter.print_ratio("access/module/iommu", "access/module/direct");
  for (const char* dma : {"dma/dmi_4K", "dma/dmi_2M", "dma/transport_4K", "dma/transport_2M"}) {
    reporter.print_ratio(dma, "dma/memcpy_1MiB");
  }
  benchmark::Shutdown();
  return 0;
}
