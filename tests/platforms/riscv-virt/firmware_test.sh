#!/usr/bin/env bash
# Runs one of our firmware programs (platforms/riscv-virt/firmware) on
# riscv-virt and checks that it passed through sifive_test (exit status 0,
# "sifive_test: pass"); for some programs, also what they left behind:
#   flash        the --flash image holds the pattern the program wrote in
#                the last block ("mmltsalf" at 0x1fc0000), and is 32 MiB;
#                its reads in read-array mode came through DMI after every
#                program cycle (--stats: under 20000 b_transport calls for
#                its 8 x 64 Ki reads of block 2)
#   framebuffer  the PNG bands (platforms/devices: simple_framebuffer.hpp)
#                are those of the red band and the green square, with their pixels
# usage: firmware_test.sh <riscv-virt> <program.bin> <work dir> [uart script]
set -euo pipefail
virt=$1 bin=$2 out=$3 script=${4:-}
name=$(basename "$bin" .bin)
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out/frames"
args=(--bios "$bin" --time-limit 5s --uart-output "$out/uart.log")
[ -n "$script" ] && args+=(--uart-input "$script")
[ "$name" = flash ] && args+=(--flash "$out/flash.img" --stats)
[ "$name" = framebuffer ] && args+=(--framebuffer-dir "$out/frames")
status=0
"$virt" "${args[@]}" < /dev/null 2> "$out/stderr.txt" || status=$?
cat "$out/uart.log" "$out/stderr.txt"
[ "$status" = 0 ] || { echo "FAIL: riscv-virt exited with $status"; exit 1; }
grep -q "sifive_test: pass" "$out/stderr.txt" || { echo "FAIL: no pass through sifive_test"; exit 1; }
case "$name" in
  flash)
    [ "$(stat -c %s "$out/flash.img")" = $((32 << 20)) ] || { echo "FAIL: the image is not 32 MiB"; exit 1; }
    pattern=$(dd if="$out/flash.img" bs=1 skip=$((0x1fc0000)) count=8 status=none)
    [ "$pattern" = "mmltsalf" ] || { echo "FAIL: the image holds '$pattern' at 0x1fc0000"; exit 1; }
    calls=$(sed -n 's/^riscv-virt: cpu: \([0-9]*\) b_transport calls.*/\1/p' "$out/stderr.txt")
    [ -n "$calls" ] && [ "$calls" -lt 20000 ] ||
      { echo "FAIL: ${calls:-no} b_transport calls: the flash's reads did not go back to DMI"; exit 1; }
    ;;
  framebuffer)
    python3 "$here/check_frames.py" "$out/frames"
    ;;
esac
echo "PASS: $name"
