// The reference IOMMU and a DMA engine behind it (docs/iommu.md), at
// addresses QEMU's virt leaves free:
//   0x10200000  the IOMMU's registers (0x40 bytes), PLIC source 12 (a fault)
//   0x10201000  the DMA engine's registers (0x30 bytes), PLIC source 13
// The DMA engine (requester id 1) -> IommuModule -> the machine's bus; the
// IOMMU walks its tables and translates into the system address space.
// Device-tree nodes, with our own compatible strings:
//   iommu@10200000  compatible "tlmmap,reference-iommu", #iommu-cells = <1>
//                   (the cell: a requester id), interrupts = <12>
//   dma@10201000    compatible "tlmmap,dma-engine", iommus = <&iommu 1>,
//                   interrupts = <13>
#include <memory>

#include "tlmmap/tlm/dma_engine.hpp"
#include "tlmmap/tlm/iommu_module.hpp"
#include "tlmmap/tlm/reference_iommu.hpp"
#include "virt_device.hpp"

namespace {

constexpr uint64_t kIommuBase = 0x10200000;
constexpr uint64_t kDmaBase = 0x10201000;
constexpr unsigned kIommuIrq = 12;
constexpr unsigned kDmaIrq = 13;
constexpr uint16_t kDmaRequester = 1;

// The models' interrupt outputs are signals of their own: this copies each
// one onto its PLIC source line.
struct IrqForward : sc_core::sc_module {
  SC_HAS_PROCESS(IrqForward);
  IrqForward(sc_core::sc_module_name name, const sc_core::sc_signal_in_if<bool>& from, tlmmap::IrqLine& to)
      : sc_core::sc_module(name), from_(from), to_(to) {
    SC_METHOD(forward);
    sensitive << from_.value_changed_event();
  }
  void forward() { to_.write(from_.read()); }
  const sc_core::sc_signal_in_if<bool>& from_;
  tlmmap::IrqLine& to_;
};

struct IommuDma : tlmmap::virt::VirtDevice {
  tlmmap::ContainerRegion& system;
  tlmmap::ReferenceIommu iommu;
  tlmmap::IommuModule<32> module;
  tlmmap::DmaEngine dma;
  IrqForward iommu_irq;
  IrqForward dma_irq;
  tlmmap::MmioRegion& iommu_registers;
  tlmmap::MmioRegion& dma_registers;

  explicit IommuDma(tlmmap::virt::VirtContext& machine)
      : system(machine.system()),
        iommu("iommu", machine.system_space()),
        module("iommu_module", iommu.region()),
        dma("dma", kDmaRequester),
        iommu_irq("iommu_irq", iommu.irq, machine.irq(kIommuIrq)),
        dma_irq("dma_irq", dma.irq, machine.irq(kDmaIrq)),
        iommu_registers(iommu.registers()),
        dma_registers(dma.registers()) {
    dma.socket.bind(module.target_socket);
    module.initiator_socket.bind(machine.bus_socket());
    system.add_subregion(kIommuBase, iommu_registers);
    system.add_subregion(kDmaBase, dma_registers);
  }
  // The registers are ours: out of the map before they go.
  ~IommuDma() override {
    system.del_subregion(dma_registers);
    system.del_subregion(iommu_registers);
  }

  void describe(tlmmap::virt::VirtTree& tree) const override {
    const std::string iommu_node = tree.soc_node("iommu", iommu_registers);
    tree.dt.set_string(iommu_node, "compatible", "tlmmap,reference-iommu");
    tree.dt.set_u32(iommu_node, "#iommu-cells", 1);
    tree.interrupts(iommu_node, kIommuIrq);
    const std::string dma_node = tree.soc_node("dma", dma_registers);
    tree.dt.set_string(dma_node, "compatible", "tlmmap,dma-engine");
    tree.dt.set_cells(dma_node, "iommus", {tree.dt.phandle(iommu_node), kDmaRequester});
    tree.interrupts(dma_node, kDmaIrq);
  }
};

}  // namespace

TLMMAP_VIRT_DEVICE(iommu_dma) { return std::make_unique<IommuDma>(machine); }
