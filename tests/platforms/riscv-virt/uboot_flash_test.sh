#!/usr/bin/env bash
# U-Boot's `md` over the CFI flash (read array mode, reads straight from the
# image): OpenSBI + U-Boot on riscv-virt with a --flash image that starts
# with "tlmmap-flash-ok!" (padded to 32 MiB with erased 0xff), then the
# lines U-Boot must print for it, and zeros for bank 1, which has no image. U-Boot finds both banks as on QEMU
# ("Flash: 32 MiB").
#   uboot_flash_test.sh <riscv-virt> <work dir>
set -euo pipefail
virt=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
printf 'tlmmap-flash-ok!' > "$out/flash.img"
status=0
"$virt" --bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin \
  --kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin --flash "$out/flash.img" \
  --uart-input "$here/uboot_flash.script" --uart-output "$out/uboot.log" --time-limit 10s 2> "$out/stderr.txt" || status=$?
cat "$out/stderr.txt"
[ "$status" = 0 ] || { echo "FAIL: riscv-virt exited with $status"; exit 1; }
tr -d '\r' < "$out/uboot.log" > "$out/log.txt"
expected=(
  "Flash: 32 MiB"
  "20000000: 6d6d6c74 662d7061 6873616c 216b6f2d  tlmmap-flash-ok!"
  "20000010: ffffffff ffffffff ffffffff ffffffff  ................"  # the image padded, erased
  "20000000: 74 6c 6d 6d 61 70 2d 66 6c 61 73 68 2d 6f 6b 21  tlmmap-flash-ok!"
  "22000000: 00000000 00000000 00000000 00000000  ................"
)
for line in "${expected[@]}"; do
  grep -qxF -- "$line" "$out/log.txt" || { cat "$out/log.txt"; echo "FAIL: missing line: $line"; exit 1; }
done
[ "$(stat -c %s "$out/flash.img")" = $((32 << 20)) ] || { echo "FAIL: the image was not padded to 32 MiB"; exit 1; }
echo "PASS: U-Boot reads the flash"
