#include "boot_rom.hpp"

namespace tlmmap::virt {

namespace {
// RV64I encodings, written out from the ISA manual's formats.
constexpr uint32_t kT0 = 5, kA0 = 10, kA1 = 11;
constexpr uint32_t auipc(uint32_t rd, uint32_t imm20) { return (imm20 << 12) | (rd << 7) | 0x17; }
constexpr uint32_t ld(uint32_t rd, uint32_t rs1, uint32_t offset) {
  return (offset << 20) | (rs1 << 15) | (3u << 12) | (rd << 7) | 0x03;
}
constexpr uint32_t csrr(uint32_t rd, uint32_t csr) {  // csrrs rd, csr, x0
  return (csr << 20) | (2u << 12) | (rd << 7) | 0x73;
}
constexpr uint32_t jr(uint32_t rs1) { return (rs1 << 15) | 0x67; }  // jalr x0, 0(rs1)
constexpr uint32_t kNop = 0x13;                                        // addi x0, x0, 0
constexpr uint32_t kMhartid = 0xf14;

void put(std::vector<uint8_t>& out, uint64_t value, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}
}  // namespace

std::vector<uint8_t> reset_trampoline(uint64_t firmware, uint64_t dtb) {
  // Byte offsets of the two addresses from the first instruction.
  constexpr uint32_t kFirmwareAt = 24, kDtbAt = 32;
  std::vector<uint8_t> rom;
  for (uint32_t insn : {auipc(kT0, 0),               // t0 = address of this instruction
                        csrr(kA0, kMhartid),         // a0 = hart id
                        ld(kA1, kT0, kDtbAt),        // a1 = device tree
                        ld(kT0, kT0, kFirmwareAt),   // t0 = firmware entry
                        jr(kT0), kNop}) {
    put(rom, insn, 4);
  }
  put(rom, firmware, 8);
  put(rom, dtb, 8);
  return rom;
}

}  // namespace tlmmap::virt
