// The reset trampoline the machine writes at the start of its boot ROM
// (QEMU virt's mrom at 0x1000), as the convention of RISC-V firmware
// (OpenSBI's fw_jump, U-Boot SPL) wants it: a0 = hart id, a1 = device-tree
// address, then a jump to the firmware in M-mode.
#pragma once

#include <cstdint>
#include <vector>

namespace tlmmap::virt {

// Instructions for a ROM placed anywhere (PC-relative), followed by the two
// 64-bit addresses they load.
std::vector<uint8_t> reset_trampoline(uint64_t firmware, uint64_t dtb);

}  // namespace tlmmap::virt
