#!/usr/bin/env bash
# Boots Debian's OpenSBI fw_jump + U-Boot (qemu-riscv64_smode) on riscv-virt,
# types uboot.script at U-Boot's prompt, and compares the console log with
# QEMU 7.2's log of the same firmware and script (uboot.qemu.log, recorded
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
#  Devices not modelled (yet): QEMU's tree also has virtio-mmio, PCIe,
#   fw_cfg and the CFI flash. Lines: U-Boot's "Core: N devices, M uclasses",
#   "Flash: 32 MiB" (absent here), `bdinfo`'s flashstart and flashsize.
#  The device tree's size: U-Boot keeps a copy of the tree below its
#   relocated image, so its address and what is reserved below it move with
#   the tree's size. Lines: "Working FDT set to", `bdinfo`'s fdt_blob,
#   new_fdt, fdt_size and the reserved[1]/reserved[2] lmb lines.
#  Timing: on QEMU the key that stops the countdown sometimes arrives before
#   U-Boot's first check (the line then ends "0" instead of "0 "): the
#   trailing blank of the "Hit any key to stop autoboot" line.
set -euo pipefail
virt=$1
here=$(cd "$(dirname "$0")" && pwd)
out=$2
mkdir -p "$out"
bios=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
uboot=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin

normalise() {
  sed -E \
    -e 's/^(Boot HART (Priv Version|Base ISA|ISA Extensions|MHPM Count|MIDELEG|MEDELEG) *:).*/\1 <cpu>/' \
    -e 's/^(CPU: +).*/\1<cpu>/' \
    -e 's/^( +(Architecture|Implementation) ID ).*/\1<cpu>/' \
    -e 's/^(Core: +)[0-9]+ devices, [0-9]+ uclasses/\1<n> devices, <n> uclasses/' \
    -e '/^Flash: /d' \
    -e 's/^(flash(start|size) += ).*/\1<flash>/' \
    -e 's/^(Working FDT set to ).*/\1<fdt>/' \
    -e 's/^(fdt_blob|new_fdt|fdt_size)( += ).*/\1\2<fdt>/' \
    -e 's/^( reserved\[[12]\]).*/\1 <fdt>/' \
    -e 's/^(Hit any key to stop autoboot: .*[0-9]) ?(\r?)$/\1\2/' \
    "$1"
}

status=0
"$virt" --bios "$bios" --kernel "$uboot" --uart-input "$here/uboot.script" \
  --uart-output "$out/uboot.log" --time-limit 10s 2> "$out/stderr.txt" || status=$?
cat "$out/stderr.txt"
if [ "$status" -ne 0 ]; then
  echo "FAIL: riscv-virt exited with $status (poweroff must end it with 0)"
  exit 1
fi
grep -q "sifive_test: pass" "$out/stderr.txt" || { echo "FAIL: the simulation did not end through poweroff"; exit 1; }
grep -q "^=> poweroff" "$out/uboot.log" || { echo "FAIL: the script did not reach poweroff"; exit 1; }
normalise "$here/uboot.qemu.log" > "$out/qemu.normalised"
normalise "$out/uboot.log" > "$out/ours.normalised"
if ! diff -u "$out/qemu.normalised" "$out/ours.normalised"; then
  echo "FAIL: the console log differs from QEMU's (above: - QEMU, + riscv-virt)"
  exit 1
fi
echo "PASS: $(wc -l < "$out/uboot.log") lines as QEMU's"
