#!/usr/bin/env bash
# The main demo: builds the RISC-V virt platform, boots Debian's OpenSBI
# (fw_jump) and U-Boot on it to a scripted `version` and `poweroff`, then
# shows the machine's memory map (`info mtree -f`).
# The PC memory map example: cmake --build build --target pc_memory_map && build/examples/pc_memory_map
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/dev/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target riscv-virt
export SC_COPYRIGHT_MESSAGE=DISABLE
virt=build/platforms/riscv-virt/riscv-virt
echo "== OpenSBI + U-Boot on riscv-virt (typing: platforms/riscv-virt/demo.script)"
$virt --bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin \
      --kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin \
      --uart-input platforms/riscv-virt/demo.script < /dev/null
echo
echo "== The machine's memory map after set-up (riscv-virt --mtree)"
$virt --mtree --time-limit 0s
