// A DMA engine device: copies `LEN` bytes from `SRC` to `DST` through its
// initiator socket (typically bound to an IommuModule), with its requester
// id on every transaction. Where the target grants DMI it copies between
// the direct pointers; elsewhere it moves chunks of up to 4 KiB with
// b_transport. A DMI grant is used only while it stands: invalidations drop
// it at once.
//
// Registers (64-bit, little-endian; 4- and 8-byte accesses):
//   0x00 SRC     0x08 DST     0x10 LEN
//   0x18 CTRL    write bit 0: start (ignored while busy); bit 1: IRQ enable
//   0x20 STATUS  bit 0 busy, bit 1 done, bit 2 error (the copy stopped at
//                the first refused chunk; ERROR_ADDR tells where);
//                write 1s to bits 1-2 to clear
//   0x28 ERROR_ADDR  source or destination address of the refused chunk
// The interrupt line is high while done or error is set and IRQ is enabled.
// The copy runs in the engine's own thread; its time (the targets' latencies)
// passes with wait() once, at the end.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap {

class DmaEngine : public sc_core::sc_module {
 public:
  static constexpr uint64_t kSrc = 0x00, kDst = 0x08, kLen = 0x10, kCtrl = 0x18, kStatus = 0x20, kErrorAddr = 0x28;
  static constexpr uint64_t kStart = 1, kIrqEnable = 2;
  static constexpr uint64_t kBusy = 1, kDone = 2, kError = 4;
  static constexpr unsigned kChunk = 4096;

  tlm_utils::simple_initiator_socket<DmaEngine, 32> socket;
  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> irq;
  // Notified when a copy ends (done or error).
  sc_core::sc_event finished;

  DmaEngine(sc_core::sc_module_name name, uint16_t requester_id);
  ~DmaEngine() override;

  MmioRegion& registers() noexcept { return registers_; }
  uint64_t reg(uint64_t offset) const noexcept { return regs_[offset / 8]; }

  // One copy now, from the calling thread (what a start does in the
  // engine's thread): true if every byte moved. `delay` gets the latencies.
  bool copy(uint64_t src, uint64_t dst, uint64_t length, sc_core::sc_time& delay);
  // Bytes moved through DMI pointers and through b_transport so far.
  uint64_t dmi_bytes() const noexcept { return dmi_bytes_; }
  uint64_t transport_bytes() const noexcept { return transport_bytes_; }
  void set_dmi_enabled(bool enabled) {
    dmi_enabled_ = enabled;
    grants_[0].known = grants_[1].known = false;
  }

 private:
  // The last DMI answer for reads (0) and writes (1).
  struct Grant {
    bool known = false;
    tlm::tlm_dmi dmi;
  };
  void run();
  void write_register(uint64_t offset, uint64_t value);
  void update_irq();
  // The grant covering `address` for direction `dir`, or nullptr.
  const tlm::tlm_dmi* grant(uint64_t address, int dir);
  bool transport(tlm::tlm_command command, uint64_t address, uint8_t* data, unsigned length,
                 sc_core::sc_time& delay);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

  MmioRegion registers_;
  std::array<uint64_t, 6> regs_{};
  sc_core::sc_event start_;
  tlm::tlm_generic_payload payload_;
  TxAttributes attributes_;
  Grant grants_[2];
  bool dmi_enabled_ = true;
  std::vector<uint8_t> bounce_;
  uint64_t dmi_bytes_ = 0;
  uint64_t transport_bytes_ = 0;
};

}  // namespace tlmmap
