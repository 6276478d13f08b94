// A DMA engine behind an IOMMU: the driver (here, the CPU thread) builds the
// reference IOMMU's page tables in guest memory, programs a copy through
// the DMA engine's registers, then unmaps a page of the destination. The
// DMI grant the DMA engine held there is withdrawn before the unmap
// returns, and the next copy into it faults: the IOMMU records the fault
// in its registers and raises its interrupt, the DMA engine reports the
// error. Exits non-zero if anything differs from that.
#include <cstring>
#include <iostream>

#include <systemc>

#include "tlmmap/tlmmap.hpp"

using namespace tlmmap;

constexpr uint64_t kDram = 0x80000000;
constexpr uint64_t kIommuRegs = 0x10000000;
constexpr uint64_t kDmaRegs = 0x10001000;
constexpr uint16_t kDmaRequesterId = 3;

struct Soc : sc_core::sc_module {
  // The CPU's view: DRAM and the two devices' registers.
  ContainerRegion root{"root", k64BitSpace};
  RamRegion dram{"dram", 0x400000};
  AddressSpace memory{root, "memory"};
  ReferenceIommu iommu{"iommu", memory};
  DmaEngine dma{"dma", kDmaRequesterId};
  // The DMA engine's bus-master path: IOMMU module -> the memory's target.
  IommuModule<32> iommu_port{"iommu_port", iommu.region()};
  AddressSpaceTarget<32> memory_target{"memory_target", memory};
  int failures = 0;

  SC_HAS_PROCESS(Soc);
  explicit Soc(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    root.add_subregion(kDram, dram);
    root.add_subregion(kIommuRegs, iommu.registers());
    root.add_subregion(kDmaRegs, dma.registers());
    dma.socket.bind(iommu_port.target_socket);
    iommu_port.initiator_socket.bind(memory_target.target_socket);
    SC_THREAD(driver);
  }

  void check(bool ok, const char* what) {
    std::cout << (ok ? "  ok: " : "  FAILED: ") << what << "\n";
    if (!ok) ++failures;
  }
  uint64_t reg(uint64_t address) {
    uint64_t v = 0;
    memory.load(address, 8, v);
    return v;
  }
  void copy(uint64_t src, uint64_t dst, uint64_t length) {
    memory.store(kDmaRegs + DmaEngine::kStatus, 8, DmaEngine::kDone | DmaEngine::kError);
    memory.store(kDmaRegs + DmaEngine::kSrc, 8, src);
    memory.store(kDmaRegs + DmaEngine::kDst, 8, dst);
    memory.store(kDmaRegs + DmaEngine::kLen, 8, length);
    memory.store(kDmaRegs + DmaEngine::kCtrl, 8, DmaEngine::kStart | DmaEngine::kIrqEnable);
    wait(dma.finished);
  }

  void driver() {
    // Page tables in the last MiB of DRAM; device 3 sees a source buffer at
    // I/O address 0x10000 (read-only) and a destination at 0x20000.
    ReferenceIommuDriver tables(iommu, memory, kDram + 0x300000, 0x100000);
    for (uint64_t page = 0; page < 2; ++page) {
      tables.map(kDmaRequesterId, 0x10000 + page * 0x1000, kDram + 0x1000 + page * 0x1000, IommuAccess::read);
      tables.map(kDmaRequesterId, 0x20000 + page * 0x1000, kDram + 0x8000 + page * 0x1000, IommuAccess::read_write);
    }
    const char message[] = "through the IOMMU, by DMA";
    memory.write(kDram + 0x1ff0, message, sizeof message);  // straddles the two source pages

    std::cout << "copy 0x2000 bytes from I/O 0x10000 to I/O 0x20000 (device " << kDmaRequesterId << ")\n";
    copy(0x10000, 0x20000, 0x2000);
    char seen[sizeof message] = {};
    memory.read(kDram + 0x8ff0, seen, sizeof seen);
    std::cout << "  DRAM at 0x" << std::hex << kDram + 0x8ff0 << std::dec << ": \"" << seen << "\"\n";
    check(reg(kDmaRegs + DmaEngine::kStatus) == DmaEngine::kDone, "the DMA engine reports done");
    check(std::strcmp(seen, message) == 0, "the bytes arrived at the translated pages");
    check(dma.dmi_bytes() == 0x2000, "all of it was copied through DMI pointers");
    std::cout << "  the IOMMU module holds " << iommu_port.dmi_grants() << " DMI grants\n";

    std::cout << "unmap I/O page 0x21000 of device " << kDmaRequesterId << "\n";
    const std::size_t grants = iommu_port.dmi_grants();
    tables.unmap(kDmaRequesterId, 0x21000);
    std::cout << "  the IOMMU module holds " << iommu_port.dmi_grants() << " DMI grants\n";
    check(iommu_port.dmi_grants() == grants - 1, "the grant over that page was withdrawn before unmap returned");

    std::cout << "copy again into it\n";
    const uint64_t dma_bytes_before = dma.dmi_bytes();
    copy(0x10000, 0x20000, 0x2000);
    const uint64_t fault = reg(kIommuRegs + ReferenceIommu::kFaultStatus);
    std::cout << std::hex << "  DMA status 0x" << reg(kDmaRegs + DmaEngine::kStatus) << ", error at I/O 0x"
              << reg(kDmaRegs + DmaEngine::kErrorAddr) << "\n  IOMMU fault status 0x" << fault << ", address 0x"
              << reg(kIommuRegs + ReferenceIommu::kFaultAddr) << std::dec << ", interrupt "
              << (iommu.irq.read() ? "high" : "low") << "\n";
    check(reg(kDmaRegs + DmaEngine::kStatus) == DmaEngine::kError, "the DMA engine reports an error");
    check(reg(kDmaRegs + DmaEngine::kErrorAddr) == 0x21000, "at the unmapped page");
    check((fault & 1) != 0 && ((fault >> 8) & 0xff) == 1 && (fault >> 32) == kDmaRequesterId && (fault & 4) != 0,
          "the IOMMU recorded a write fault (no translation) of device 3");
    check(reg(kIommuRegs + ReferenceIommu::kFaultAddr) == 0x21000, "at I/O address 0x21000");
    check(iommu.irq.read(), "and raised its interrupt");
    check(dma.dmi_bytes() - dma_bytes_before == 0x1000, "only the mapped page was copied");
  }
};

int sc_main(int, char*[]) {
  Soc soc{"soc"};
  sc_core::sc_start();
  std::cout << (soc.failures == 0 ? "all as expected\n" : "FAILED\n");
  return soc.failures == 0 ? 0 : 1;
}
