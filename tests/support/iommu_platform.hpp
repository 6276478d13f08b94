// A platform for the tests of the reference IOMMU and the DMA engine:
// 16 MiB of DRAM in "memory", a reference IOMMU whose region roots a device
// address space (the model's path), and DMA -> checker -> IOMMU module ->
// checker -> memory's target (the TLM path). Page tables come from the last
// MiB of DRAM.
#pragma once

#include <cstdint>

#include <gtest/gtest.h>

#include "support/protocol_checker.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap::test {

constexpr uint64_t kDram = 0x80000000;
constexpr uint64_t kPool = kDram + 0xf00000;  // page tables live here

struct Platform {
  ContainerRegion mem_root{"mem_root", k64BitSpace};
  RamRegion dram{"dram", 0x1000000};
  AddressSpace memory{mem_root, "memory"};
  ReferenceIommu smmu{"smmu", memory};
  AddressSpace device{smmu.region(), "device"};
  AddressSpaceTarget<32> memory_target{"memory_target", memory};
  IommuModule<32> module{"module", smmu.region()};
  DmaEngine dma{"dma", 5};
  ProtocolChecker<32> up{"up"};
  ProtocolChecker<32> down{"down"};
  ReferenceIommuDriver driver{smmu, memory, kPool, 0x100000};

  Platform() {
    mem_root.add_subregion(kDram, dram);
    dma.socket.bind(up.target_socket);
    up.initiator_socket.bind(module.target_socket);
    module.initiator_socket.bind(down.target_socket);
    down.initiator_socket.bind(memory_target.target_socket);
    for (unsigned i = 0; i < 0x100000; ++i) dram.host_ptr()[i] = static_cast<uint8_t>(i * 31 + 7);
  }
  uint8_t* at(uint64_t address) { return dram.host_ptr() + (address - kDram); }
  static MemTxAttrs requester(uint16_t id) {
    MemTxAttrs a = MemTxAttrs::specified();
    a.requester_id = id;
    return a;
  }
  void expect_no_violations() {
    EXPECT_TRUE(up.violations().empty());
    EXPECT_TRUE(down.violations().empty());
  }
  void run_dma(uint64_t src, uint64_t dst, uint64_t length) {
    auto& regs = dma.registers();
    regs.dispatch_write(DmaEngine::kSrc, src, 8, {});
    regs.dispatch_write(DmaEngine::kDst, dst, 8, {});
    regs.dispatch_write(DmaEngine::kLen, length, 8, {});
    regs.dispatch_write(DmaEngine::kCtrl, DmaEngine::kStart | DmaEngine::kIrqEnable, 8, {});
    sc_core::sc_start();
  }
};

}  // namespace tlmmap::test
