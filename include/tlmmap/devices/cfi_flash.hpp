// A CFI parallel NOR flash with the Intel/Sharp command set, as QEMU's
// pflash_cfi01 on the RISC-V and Arm virt machines: a bank `bank_width`
// bytes wide made of chips `device_width` bytes wide side by side (virt: 4
// and 2, two x16 chips), 256 KiB blocks, 32 MiB.
//
// It is a ROM device: in read-array mode it is in romd mode (reads come
// straight from its memory, DMI included); any command write takes it out,
// and reads then go to the callbacks, which answer what the command mode
// says. Every chip of the bank answers in its own lane, so a query answer
// is replicated (status 0x80 reads 0x00800080 on virt).
//
// Commands (the low byte of a write; cycles in order):
//   0xff/0x00  read array (romd mode again)
//   0x70       read status        0x50  clear status (then read array)
//   0x90       read identifier: word 0 manufacturer, 1 device, others 0
//              (blocks unlocked), repeating every 0x100 bytes
//   0x98       CFI query: word n is byte n of the CFI table (at 0x10 "QRY")
//   0x20, 0xd0 at an address in a block: erase the block (all 0xff)
//   0x40 or 0x10, data: program one word
//   0xe8, n-1, n data words, 0xd0: buffered program
//   0x60, 0x01/0xd0/0x2f: block lock, unlock, lock-down (accepted, no lock is kept)
// Erase and program complete at once, and reads return the status (bit 7
// ready) until read array. A wrong second cycle sets the status error bits
// (0x30) and goes back to read array. Programming stores the data as is
// (QEMU's rule, not the AND of real NOR).
//
// Backed by a file (shared mapping: what the guest programs is in the file
// and the next run sees it); a missing file is made, erased; a shorter one
// is padded with erased bytes; a longer one is refused. Without a file the
// memory is anonymous and reads as zeros, as QEMU's flash without a drive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/devices/device_state.hpp"

namespace tlmmap {

struct CfiFlashConfig {
  uint64_t size = 32 << 20;
  uint64_t block_size = 256 << 10;
  unsigned bank_width = 4;    // bytes
  unsigned device_width = 2;  // bytes per chip
  uint8_t manufacturer = 0x89;  // Intel
  uint8_t device_id = 0x18;
  std::string file;  // empty: no file
};

class CfiFlash {
 public:
  static constexpr uint8_t kStatusReady = 0x80;
  static constexpr uint8_t kStatusEraseError = 0x20;
  static constexpr uint8_t kStatusProgramError = 0x10;

  // A flash with a region of its own, named `name`.
  CfiFlash(std::string name, CfiFlashConfig config);
  // The flash behind `region` (a map's ROM device, e.g. loaded from a
  // memmap file; as big as the flash), whose ops it sets.
  CfiFlash(RomDeviceRegion& region, CfiFlashConfig config);
  CfiFlash(const CfiFlash&) = delete;
  CfiFlash& operator=(const CfiFlash&) = delete;

  RomDeviceRegion& region() noexcept { return *region_; }
  const CfiFlashConfig& config() const noexcept { return config_; }
  // The command mode reads answer in (0x00: read array).
  uint8_t mode() const noexcept { return cmd_; }
  uint8_t status() const noexcept { return status_; }
  // Machine reset: read-array mode (reads direct again), status cleared.
  void reset();
  // Checkpoints (device_state.hpp), under `prefix`: the command state (mode,
  // write cycle, status, buffered-program count), so that a sequence cut by
  // a checkpoint goes on after the restore; romd mode follows the mode. The
  // array itself is memory, in the core checkpoint.
  void save_state(DeviceState& state, const std::string& prefix) const;
  void restore_state(const DeviceState& state, const std::string& prefix);
  // The CFI table of one chip (byte n answers query word n).
  static constexpr unsigned kCfiTableSize = 0x40;
  uint8_t cfi_byte(unsigned n) const noexcept { return n < kCfiTableSize ? cfi_[n] : 0; }

 private:
  uint64_t read(uint64_t offset, unsigned size);
  void write(uint64_t offset, uint64_t value, unsigned size);
  // The bank word at `offset` (aligned to the bank width) in a query mode.
  uint32_t query_word(uint64_t offset) const;
  uint32_t replicate(uint32_t per_chip) const;
  void read_array();
  void command_error();
  void store(uint64_t offset, uint64_t value, unsigned size);
  void build_cfi_table();

  CfiFlashConfig config_;
  void attach();

  std::unique_ptr<RomDeviceRegion> owned_;
  RomDeviceRegion* region_ = nullptr;
  uint8_t* memory_ = nullptr;
  uint8_t cmd_ = 0x00;
  unsigned wcycle_ = 0;
  uint8_t status_ = 0x80;
  uint32_t counter_ = 0;
  uint8_t cfi_[kCfiTableSize] = {};
};

}  // namespace tlmmap
