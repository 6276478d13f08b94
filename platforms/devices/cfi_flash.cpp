#include "tlmmap/devices/cfi_flash.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <vector>

#include <systemc>

namespace tlmmap {
namespace {

constexpr const char* kFlashMsg = "tlmmap/devices/cfi_flash";

bool power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

unsigned log2(uint64_t v) {
  unsigned n = 0;
  while ((uint64_t(1) << n) < v) ++n;
  return n;
}

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// Makes `path` a `size`-byte flash image: created erased when missing,
// padded with erased bytes when shorter. Refuses a longer file or one it
// cannot write; the message names the flash.
bool prepare_image(const std::string& name, const std::string& path, uint64_t size) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd < 0) {
    SC_REPORT_ERROR(kFlashMsg, ("flash '" + name + "': cannot open image '" + path + "': " + std::strerror(errno)).c_str());
    return false;
  }
  struct stat st {};
  ::fstat(fd, &st);
  const auto length = static_cast<uint64_t>(st.st_size);
  bool ok = true;
  if (length > size) {
    SC_REPORT_ERROR(kFlashMsg, ("flash '" + name + "': image '" + path + "' has " + hex(length) +
                                " bytes, more than the flash's " + hex(size))
                                   .c_str());
    ok = false;
  } else if (length < size) {
    const std::vector<uint8_t> erased(1 << 20, 0xff);
    for (uint64_t at = length; at < size && ok;) {
      const uint64_t n = std::min<uint64_t>(erased.size(), size - at);
      ok = ::pwrite(fd, erased.data(), n, static_cast<off_t>(at)) == static_cast<ssize_t>(n);
      at += n;
    }
    if (!ok) {
      SC_REPORT_ERROR(kFlashMsg,
                      ("flash '" + name + "': cannot extend image '" + path + "': " + std::strerror(errno)).c_str());
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

CfiFlash::CfiFlash(std::string name, CfiFlashConfig config)
    : config_(std::move(config)), owned_(std::make_unique<RomDeviceRegion>(std::move(name), config_.size)) {
  region_ = owned_.get();
  attach();
}

CfiFlash::CfiFlash(RomDeviceRegion& region, CfiFlashConfig config) : config_(std::move(config)), region_(&region) {
  attach();
}

void CfiFlash::attach() {
  const CfiFlashConfig& c = config_;
  const std::string& name = region_->name();
  if (!power_of_two(c.bank_width) || c.bank_width > 4 || !power_of_two(c.device_width) ||
      c.device_width > c.bank_width || !power_of_two(c.block_size) || c.size % c.block_size != 0 ||
      c.block_size % c.bank_width != 0 || region_->size() != c.size) {
    SC_REPORT_ERROR(kFlashMsg, ("flash '" + name + "': bad geometry (size " + hex(c.size) + ", region of " +
                                hex(static_cast<uint64_t>(region_->size())) + ", blocks of " + hex(c.block_size) +
                                ", bank width " + std::to_string(c.bank_width) + ", device width " +
                                std::to_string(c.device_width) + ")")
                                   .c_str());
    return;
  }
  if (!c.file.empty() && !(prepare_image(name, c.file, c.size) && region_->back_with_file(RamFile{c.file, true}))) {
    return;
  }
  memory_ = region_->host_ptr();
  if (memory_ == nullptr) return;
  MmioOps ops;
  ops.read = [this](uint64_t offset, unsigned size) { return read(offset, size); };
  ops.write = [this](uint64_t offset, uint64_t value, unsigned size) { write(offset, value, size); };
  // A debugger sees the array whatever the mode.
  ops.debug_read = [this](uint64_t offset, unsigned size) {
    uint64_t v = 0;
    std::memcpy(&v, memory_ + offset, size);
    return v;
  };
  ops.endianness = Endianness::little;
  region_->set_ops(std::move(ops));
  build_cfi_table();
  region_->set_romd(true);
}

void CfiFlash::build_cfi_table() {
  const CfiFlashConfig& c = config_;
  const unsigned chips = c.bank_width / c.device_width;
  const uint64_t chip_size = c.size / chips;
  const uint64_t chip_block = c.block_size / chips;
  const uint64_t blocks = c.size / c.block_size;
  uint8_t* t = cfi_;
  t[0x10] = 'Q', t[0x11] = 'R', t[0x12] = 'Y';
  t[0x13] = 0x01, t[0x14] = 0x00;  // primary command set: Intel/Sharp extended
  t[0x15] = 0x31, t[0x16] = 0x00;  // its extended table at 0x31
  t[0x1b] = 0x45, t[0x1c] = 0x55;  // Vcc 4.5-5.5 V, no Vpp
  t[0x1f] = 0x07;                  // typical word program: 2^7 us
  t[0x20] = 0x07;                  // typical buffer program: 2^7 us
  t[0x21] = 0x0a;                  // typical block erase: 2^10 ms
  t[0x23] = 0x04, t[0x24] = 0x04, t[0x25] = 0x04;  // maxima: 2^4 times the typical
  t[0x27] = static_cast<uint8_t>(log2(chip_size));
  t[0x28] = c.device_width == 1 ? 0x00 : 0x02, t[0x29] = 0x00;  // x8, or x8/x16
  t[0x2a] = 0x0b, t[0x2b] = 0x00;  // write buffer: 2 KiB per chip
  t[0x2c] = 0x01;                  // one erase block region
  t[0x2d] = static_cast<uint8_t>((blocks - 1) & 0xff), t[0x2e] = static_cast<uint8_t>((blocks - 1) >> 8);
  t[0x2f] = static_cast<uint8_t>((chip_block >> 8) & 0xff), t[0x30] = static_cast<uint8_t>(chip_block >> 16);
  t[0x31] = 'P', t[0x32] = 'R', t[0x33] = 'I';
  t[0x34] = '1', t[0x35] = '0';  // extended table version 1.0
}

uint32_t CfiFlash::replicate(uint32_t per_chip) const {
  uint32_t word = 0;
  for (unsigned lane = 0; lane < config_.bank_width; lane += config_.device_width) word |= per_chip << (8 * lane);
  return word;
}

uint32_t CfiFlash::query_word(uint64_t offset) const {
  const uint64_t index = offset / config_.bank_width;
  switch (cmd_) {
    case 0x90: {
      const uint64_t id = (offset & 0xff) / config_.bank_width;
      return replicate(id == 0 ? config_.manufacturer : id == 1 ? config_.device_id : 0);
    }
    case 0x98: return replicate(cfi_byte(static_cast<unsigned>(std::min<uint64_t>(index, kCfiTableSize))));
    default: return replicate(status_);
  }
}

uint64_t CfiFlash::read(uint64_t offset, unsigned size) {
  uint64_t value = 0;
  if (cmd_ == 0x00) {
    std::memcpy(&value, memory_ + offset, size);
    return value;
  }
  // Each byte from its lane of the bank word it belongs to.
  for (unsigned i = 0; i < size; ++i) {
    const uint64_t at = offset + i;
    const uint64_t lane = at % config_.bank_width;
    value |= uint64_t((query_word(at - lane) >> (8 * lane)) & 0xff) << (8 * i);
  }
  return value;
}

void CfiFlash::reset() {
  status_ = 0;
  read_array();
}

void CfiFlash::save_state(DeviceState& state, const std::string& prefix) const {
  state[prefix + "mode"] = cmd_;
  state[prefix + "write_cycle"] = wcycle_;
  state[prefix + "status"] = status_;
  state[prefix + "counter"] = counter_;
}

void CfiFlash::restore_state(const DeviceState& state, const std::string& prefix) {
  cmd_ = static_cast<uint8_t>(state_value(state, prefix + "mode"));
  wcycle_ = static_cast<unsigned>(state_value(state, prefix + "write_cycle"));
  status_ = static_cast<uint8_t>(state_value(state, prefix + "status"));
  counter_ = static_cast<uint32_t>(state_value(state, prefix + "counter"));
  region_->set_romd(cmd_ == 0x00);  // every command but read array leaves romd mode
}

void CfiFlash::read_array() {
  cmd_ = 0x00;
  wcycle_ = 0;
  region_->set_romd(true);
}

void CfiFlash::command_error() {
  status_ |= kStatusEraseError | kStatusProgramError;
  read_array();
}

void CfiFlash::store(uint64_t offset, uint64_t value, unsigned size) {
  std::memcpy(memory_ + offset, &value, size);
  region_->set_dirty(offset, size);
}

void CfiFlash::write(uint64_t offset, uint64_t value, unsigned size) {
  const auto cmd = static_cast<uint8_t>(value);
  switch (wcycle_) {
    case 0:
      // Leaving read array: reads now go to the callbacks.
      region_->set_romd(false);
      switch (cmd) {
        case 0x00:
        case 0xff: read_array(); return;
        case 0x50:
          status_ = 0;
          read_array();
          return;
        case 0x10:
        case 0x20:
        case 0x40:
        case 0x60: wcycle_ = 1; break;
        case 0xe8:
          status_ |= kStatusReady;
          wcycle_ = 1;
          break;
        case 0x70:
        case 0x90:
        case 0x98: break;
        default: command_error(); return;
      }
      cmd_ = cmd;
      return;
    case 1:
      switch (cmd_) {
        case 0x10:
        case 0x40:
          store(offset, value, size);
          status_ |= kStatusReady;
          wcycle_ = 0;
          return;
        case 0x20:
          if (cmd != 0xd0) return command_error();
          {
            const uint64_t block = offset & ~(config_.block_size - 1);
            std::memset(memory_ + block, 0xff, config_.block_size);
            region_->set_dirty(block, config_.block_size);
          }
          status_ |= kStatusReady;
          wcycle_ = 0;
          return;
        case 0x60:
          if (cmd != 0x01 && cmd != 0xd0 && cmd != 0x2f) return command_error();
          status_ |= kStatusReady;
          wcycle_ = 0;
          return;
        case 0xe8:
          // The word count less one, per chip (its lane of the bank).
          counter_ = static_cast<uint32_t>(value & ((uint64_t(1) << (8 * config_.device_width)) - 1));
          wcycle_ = 2;
          return;
        default: return command_error();
      }
    case 2:  // buffered program data
      store(offset, value, size);
      status_ |= kStatusReady;
      if (counter_ == 0) {
        wcycle_ = 3;
      } else {
        --counter_;
      }
      return;
    default:  // 3: buffered program confirm
      if (cmd != 0xd0) return command_error();
      status_ |= kStatusReady;
      wcycle_ = 0;
      return;
  }
}

}  // namespace tlmmap
