#!/usr/bin/env bash
# Boots Debian's OpenSBI fw_jump + U-Boot (qemu-riscv64_smode) on riscv-virt,
# types a script at U-Boot's prompt (uboot.script, or the third argument),
# and compares the console log with QEMU 7.2's log of the same firmware and
# script (uboot.qemu.log, or the fourth argument; recorded
# by record-qemu.py with `qemu-system-riscv64 -M virt -m 128M -nographic
# -bios fw_jump.elf -kernel u-boot.bin`). `poweroff` must end the
# simulation with exit status 0.
#
# Differences normalised away, and why (nothing else may differ):
#  CPU: the hart is Unicorn 2.0.1's SiFive U54 (RV64GC, privileged spec
#   1.10, no H extension, no Sstc, no HPM counters, marchid/mimpid 0); QEMU's
#   is rv64 with H, Sstc and priv 1.12. Lines: OpenSBI's "Boot HART Priv
#   Version", "Base ISA", "ISA Extensions", "MHPM Count", "MIDELEG",
#   "MEDELEG"; U-Boot's "CPU:"; `sbi`'s "Architecture ID" and "Implementation ID".
#  Devices not modelled (yet): QEMU's tree also has virtio-mmio, PCIe and
#   fw_cfg. Line: U-Boot's "Core: N devices, M uclasses". (The CFI flash
#   is modelled: "Flash: 32 MiB" and `bdinfo`'s flash lines are QEMU's.)
#  (The device tree is padded to QEMU's size, so U-Boot's copy of it and
#   the memory it reserves are where they are on QEMU: no lines differ.)
#  Timing: on QEMU the key that stops the countdown sometimes arrives before
#   U-Boot's first check (the line then ends "0" instead of "0 "): the
#   trailing blank of the "Hit any key to stop autoboot" line.
set -euo pipefail
virt=$1
here=$(cd "$(dirname "$0")" && pwd)
out=$2
script=${3:-$here/uboot.script}
qemu_log=${4:-$here/uboot.qemu.log}
mkdir -p "$out"
bios=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
uboot=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin

normalise() {
  sed -E \
    -e 's/^(Boot HART (Priv Version|Base ISA|ISA Extensions|MHPM Count|MIDELEG|MEDELEG) *:).*/\1 <cpu>/' \
    -e 's/^(CPU: +).*/\1<cpu>/' \
    -e 's/^(  0: cpu@0 +).*/\1<cpu>/' \
    -e 's/^( +(Architecture|Implementation) ID ).*/\1<cpu>/' \
    -e 's/^(Core: +)[0-9]+ devices, [0-9]+ uclasses/\1<n> devices, <n> uclasses/' \
    -e 's/^(\s+(riscv,isa|mmu-type) = ).*/\1<cpu>/' \
    -e '/^\s+#address-cells = <0x00000000>;\r?$/d' \
    -e 's/^(Hit any key to stop autoboot: .*[0-9]) ?(\r?)$/\1\2/' \
    "$1"
}

status=0
"$virt" --bios "$bios" --kernel "$uboot" --uart-input "$script" \
  --uart-output "$out/uboot.log" --time-limit 10s 2> "$out/stderr.txt" || status=$?
cat "$out/stderr.txt"
if [ "$status" -ne 0 ]; then
  echo "FAIL: riscv-virt exited with $status (poweroff must end it with 0)"
  exit 1
fi
grep -q "sifive_test: pass" "$out/stderr.txt" || { echo "FAIL: the simulation did not end through poweroff"; exit 1; }
grep -q "^=> poweroff" "$out/uboot.log" || { echo "FAIL: the script did not reach poweroff"; exit 1; }
normalise "$qemu_log" > "$out/qemu.normalised"
normalise "$out/uboot.log" > "$out/ours.normalised"
if ! diff -u "$out/qemu.normalised" "$out/ours.normalised"; then
  echo "FAIL: the console log differs from QEMU's (above: - QEMU, + riscv-virt)"
  exit 1
fi
echo "PASS: $(wc -l < "$out/uboot.log") lines as QEMU's"
