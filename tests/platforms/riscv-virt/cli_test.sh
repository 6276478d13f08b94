#!/usr/bin/env bash
# The riscv-virt command: bad options are refused (exit 2) with a message
# naming the option, file or value; --mtree prints the map after set-up;
# --time-limit and --instruction-limit end a run with status 0.
set -uo pipefail
virt=$1
out=$2
mkdir -p "$out"
failures=0

# refused "what" "expected message part" args...
refused() {
  local what=$1 expected=$2
  shift 2
  "$virt" "$@" > "$out/stdout" 2> "$out/stderr"
  local status=$?
  if [ "$status" -ne 2 ] || ! grep -qF -- "$expected" "$out/stderr"; then
    echo "FAIL: $what: status $status, stderr: $(cat "$out/stderr")"
    failures=$((failures + 1))
  fi
}

refused "unknown option" "--frob" --frob
refused "missing kernel" "/nonexistent/u-boot.bin" --kernel /nonexistent/u-boot.bin
refused "missing bios" "/nonexistent/fw.bin" --bios /nonexistent/fw.bin
refused "missing script" "/nonexistent/script" --uart-input /nonexistent/script
refused "RAM size not in pages" "RAM size 0x3039 is not a positive multiple of 4 KiB" --ram 12345 --time-limit 0s
refused "RAM beyond the map's maximum" "RAM size 0x800000000" --ram 32G --time-limit 0s
refused "size syntax" "size '12Q'" --ram 12Q
refused "quantum without unit" "time '10'" --quantum 10
refused "address syntax" "address 'high'" --kernel-address high

# --mtree: QEMU's `info mtree -f` of the machine as set up, with --ram applied.
"$virt" --mtree --ram 256M --time-limit 0s > "$out/mtree" 2> "$out/stderr" || { echo "FAIL: --mtree: $(cat "$out/stderr")"; failures=$((failures + 1)); }
for line in "0000000080000000-000000008fffffff (prio 0, ram): riscv_virt_board.ram" \
            "0000000010000000-0000000010000007 (prio 0, i/o): serial" \
            "0000000000001000-000000000000ffff (prio 0, rom): riscv_virt_board.mrom"; do
  grep -qF -- "$line" "$out/mtree" || { echo "FAIL: --mtree lacks: $line"; failures=$((failures + 1)); }
done

# Limits end a run cleanly: OpenSBI alone prints its banner within 300 ms.
"$virt" --time-limit 300ms --uart-output "$out/banner" 2> "$out/stderr" < /dev/null
status=$?
grep -q "time limit reached at 300 ms" "$out/stderr" && [ "$status" -eq 0 ] || { echo "FAIL: --time-limit: status $status, $(cat "$out/stderr")"; failures=$((failures + 1)); }
grep -q "Platform Name             : riscv-virtio,qemu" "$out/banner" || { echo "FAIL: no OpenSBI banner"; failures=$((failures + 1)); }
"$virt" --instruction-limit 100000 --uart-output /dev/null 2> "$out/stderr" < /dev/null
status=$?
grep -q "instruction limit reached" "$out/stderr" && [ "$status" -eq 0 ] || { echo "FAIL: --instruction-limit: status $status, $(cat "$out/stderr")"; failures=$((failures + 1)); }

# --checkpoint-dir: the core checkpoint of memory and map state at the end.
rm -rf "$out/ckpt" && mkdir -p "$out/ckpt"
"$virt" --time-limit 1ms --uart-output /dev/null --checkpoint-dir "$out/ckpt" 2> "$out/stderr" < /dev/null
[ -s "$out/ckpt/virt.ckpt" ] || { echo "FAIL: no checkpoint: $(cat "$out/stderr")"; failures=$((failures + 1)); }

[ "$failures" -eq 0 ] && echo "PASS" || exit 1
