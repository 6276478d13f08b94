#!/usr/bin/env bash
# Checkpoint and restore on riscv-virt: OpenSBI + U-Boot run uninterrupted
# through uboot.script; then the same boot stops after 10 M instructions
# (inside OpenSBI / early U-Boot) and saves a checkpoint (--checkpoint-dir:
# memory, map, CPU and device registers), and a new process restores it
# (--restore) and runs the script to poweroff. The two halves of the
# console log must be the uninterrupted log, byte for byte.
# Then the first half runs the script too, and stops inside the session:
# once with a key typed and not yet read by U-Boot (uart.rx) and part of
# the next prompt seen, once with a command line typed and still on its way
# to the UART (uart.script.in_flight); the restored run, given the same
# script, goes on from the checkpoint's step.
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
# Instruction limits inside the session, and what the checkpoint must hold there.
for case in "20500000 uart.rx.length 0x1" "20900000 uart.script.in_flight 0x1"; do
  set -- $case
  limit=$1 key=$2 value=$3 dir=$out/at$1
  mkdir -p "$dir/ckpt"
  "$virt" "${uboot[@]}" --uart-input "$here/uboot.script" --uart-output "$dir/first.log" --instruction-limit "$limit" \
    --checkpoint-dir "$dir/ckpt" 2> "$dir/first.err"
  next=$(sed -n 's/^uart.script.next //p' "$dir/ckpt/virt.state")
  grep -q "^$key $value$" "$dir/ckpt/virt.state" && [ "$((next))" -gt 1 ] ||
    { grep "^uart" "$dir/ckpt/virt.state"; echo "FAIL: at $limit instructions the checkpoint has no $key $value (move the limit)"; exit 1; }
  status=0
  "$virt" --restore "$dir/ckpt" --uart-input "$here/uboot.script" --uart-output "$dir/second.log" --time-limit 10s \
    2> "$dir/second.err" || status=$?
  [ "$status" = 0 ] && grep -q "sifive_test: pass" "$dir/second.err" ||
    { cat "$dir/second.err"; echo "FAIL: restored at script step $((next)), the run did not end through poweroff"; exit 1; }
  if ! cat "$dir/first.log" "$dir/second.log" | cmp - "$out/whole.log"; then
    diff <(cat "$dir/first.log" "$dir/second.log") "$out/whole.log" | head -20
    echo "FAIL: restored at script step $((next)), the console differs from the uninterrupted run"
    exit 1
  fi
  echo "PASS: restored at script step $((next)) with $key $value"
done
