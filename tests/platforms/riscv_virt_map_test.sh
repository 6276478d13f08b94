#!/usr/bin/env bash
# platforms/riscv-virt/virt.memmap.json against QEMU 7.2's own flat view of
# the virt machine (tests/qemu-cases/riscv64-virt, captured with -m 512):
# every range tlmmap prints is QEMU's, and every QEMU range of a modelled
# device is printed. The file's RAM is 128 MiB (QEMU's default; --ram sets
# it), so its line is compared at the capture's 512 MiB.
#   riscv_virt_map_test.sh <tlmmap command> <source dir>
set -euo pipefail
tlmmap="$1"
src="$2"
qemu="$src/tests/qemu-cases/riscv64-virt/flat.txt"
ours=$("$tlmmap" mtree -f "$src/platforms/riscv-virt/virt.memmap.json" | grep '^  0' |
  sed 's/^0000000080000000-0000000087ffffff/0000000080000000-000000009fffffff/; s/^  0000000080000000-0000000087ffffff/  0000000080000000-000000009fffffff/')
status=0
count=0
while IFS= read -r line; do
  count=$((count + 1))
  if ! grep -qxF -- "$line" "$qemu"; then
    echo "not in QEMU's flat view: $line"
    status=1
  fi
  name="${line##*: }"
  # The same name must not have other ranges in QEMU's view.
  qemu_ranges=$(grep -c -- ": $name\$" "$qemu" || true)
  if [ "$qemu_ranges" != 1 ]; then
    echo "QEMU has $qemu_ranges ranges named '$name'"
    status=1
  fi
done <<< "$ours"
[ "$count" = 10 ] || { echo "expected 10 modelled ranges, got $count"; status=1; }
[ $status = 0 ] && echo "riscv-virt map: $count ranges, all as QEMU 7.2 renders them"
exit $status
