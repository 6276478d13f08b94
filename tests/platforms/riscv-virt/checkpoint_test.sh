#!/usr/bin/env bash
# Checkpoint and restore on riscv-virt: OpenSBI + U-Boot run uninterrupted
# through uboot.script; then the same boot stops after 10 M instructions
# (inside OpenSBI / early U-Boot) and saves a checkpoint (--checkpoint-dir:
# memory, map, CPU and device registers), and a new process restores it
# (--restore) and runs the script to poweroff. The two halves of the
# console log must be the uninterrupted log, byte for byte.
#   checkpoint_test.sh <riscv-virt> <work dir>
set -euo pipefail
virt=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out/ckpt"
uboot=(--kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin)
"$virt" "${uboot[@]}" --uart-input "$here/uboot.script" --uart-output "$out/whole.log" --time-limit 10s 2> "$out/whole.err"
"$virt" "${uboot[@]}" --uart-input /dev/null --uart-output "$out/first.log" --instruction-limit 10000000 \
  --checkpoint-dir "$out/ckpt" 2> "$out/first.err"
grep -q "instruction limit reached" "$out/first.err" || { cat "$out/first.err"; echo "FAIL: the first half did not stop at its limit"; exit 1; }
for f in virt.ckpt virt.state; do [ -s "$out/ckpt/$f" ] || { echo "FAIL: no $f"; exit 1; }; done
grep -q "^cpu.pc " "$out/ckpt/virt.state" || { echo "FAIL: no CPU state in virt.state"; exit 1; }
status=0
"$virt" --restore "$out/ckpt" --uart-input "$here/uboot.script" --uart-output "$out/second.log" --time-limit 10s \
  2> "$out/second.err" || status=$?
cat "$out/second.err"
[ "$status" = 0 ] && grep -q "sifive_test: pass" "$out/second.err" || { echo "FAIL: the restored run did not end through poweroff"; exit 1; }
grep -q "OpenSBI v" "$out/first.log" && ! grep -q "OpenSBI v" "$out/second.log" ||
  { echo "FAIL: the restored run booted again instead of going on"; exit 1; }
if ! cat "$out/first.log" "$out/second.log" | cmp - "$out/whole.log"; then
  diff <(cat "$out/first.log" "$out/second.log") "$out/whole.log" | head -20
  echo "FAIL: checkpoint + restore differs from the uninterrupted run"
  exit 1
fi
echo "PASS: $(wc -l < "$out/first.log") + $(wc -l < "$out/second.log") lines, as the uninterrupted run"
