#!/usr/bin/env bash
# Checkpoints inside flash command sequences: firmware flash_checkpoint
# waits once in CFI query mode and once with a word program waiting for its
# data. For each wait, a first process stops there (an instruction limit)
# and saves a checkpoint whose flash0.mode says so; a second one restores it
# and must reach the program's pass, its console the rest of the
# uninterrupted run's.
#   flash_checkpoint_test.sh <riscv-virt> <flash_checkpoint.bin> <work dir>
set -euo pipefail
virt=$1 bin=$2 out=$3
rm -rf "$out"
mkdir -p "$out"
"$virt" --bios "$bin" --flash "$out/whole.img" --uart-output "$out/whole.log" --time-limit 5s 2> "$out/whole.err"
grep -q "sifive_test: pass" "$out/whole.err" || { cat "$out/whole.log" "$out/whole.err"; echo "FAIL: the uninterrupted run"; exit 1; }
# The limits land in the first and the second wait (about 2.5 M instructions each).
for case in "1500000 0x98" "4000000 0x40"; do
  set -- $case
  limit=$1 mode=$2 dir=$out/at$1
  mkdir -p "$dir/ckpt"
  "$virt" --bios "$bin" --flash "$dir/flash.img" --uart-output "$dir/first.log" --instruction-limit "$limit" \
    --checkpoint-dir "$dir/ckpt" 2> "$dir/first.err"
  grep -q "^flash0.mode $mode$" "$dir/ckpt/virt.state" ||
    { grep "^flash0" "$dir/ckpt/virt.state"; echo "FAIL: at $limit instructions the flash is not in mode $mode"; exit 1; }
  status=0
  "$virt" --restore "$dir/ckpt" --flash "$dir/flash.img" --uart-output "$dir/second.log" --time-limit 5s \
    2> "$dir/second.err" || status=$?
  cat "$dir/second.log" "$dir/second.err"
  [ "$status" = 0 ] && grep -q "sifive_test: pass" "$dir/second.err" ||
    { echo "FAIL: restored in mode $mode, the program did not pass"; exit 1; }
  cat "$dir/first.log" "$dir/second.log" | cmp - "$out/whole.log" ||
    { echo "FAIL: the console differs from the uninterrupted run's"; exit 1; }
done
echo "PASS: restored in CFI query mode and inside a word program"
