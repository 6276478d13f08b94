#!/usr/bin/env bash
# ctest: the `tlmmap` command's outputs and exit statuses.
#   cli_test.sh TLMMAP_BINARY CASES_DIR WORK_DIR
set -uo pipefail
tlmmap=$1 cases=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_status() {  # expect_status WANT CMD...
  local want=$1; shift
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [ "$got" -eq "$want" ] || fail "$* exited $got, want $want; stderr: $(head -3 "$work/err")"
}

pc=$cases/x86_64-pc/memmap.json
expect_status 0 "$tlmmap" mtree -D "$pc"
cmp -s "$work/out" "$cases/x86_64-pc/tree-D.txt" || fail "mtree -D differs from QEMU's tree-D.txt"
expect_status 0 "$tlmmap" mtree "$pc"
cmp -s "$work/out" "$cases/x86_64-pc/tree.txt" || fail "mtree differs from QEMU's tree.txt"
expect_status 0 "$tlmmap" mtree -f "$pc"
diff <(grep -v '^FlatView' "$work/out" | sort) <(grep -v '^FlatView' "$cases/x86_64-pc/flat.txt" | sort) >/dev/null ||
  fail "mtree -f differs from QEMU's flat.txt"

expect_status 0 "$tlmmap" check "$pc"
grep -q "no findings" "$work/out" || fail "check of a clean map: $(cat "$work/out")"
expect_status 1 "$tlmmap" check "$cases/arm-mps2-an385/memmap.json"
grep -q "^hidden: 'zbtsmram mirror' at 0x400000-0x7fffff" "$work/out" || fail "check findings: $(head -3 "$work/out")"

cat >"$work/overlap.json" <<'JSON'
{"memmap": 1, "regions": [
  {"id": "bus", "kind": "container", "size": "0x10000", "subregions": [
     {"region": "uart", "offset": "0x1000"}, {"region": "timer", "offset": "0x1800"}]},
  {"id": "uart", "kind": "mmio", "size": "0x1000"},
  {"id": "timer", "kind": "mmio", "size": "0x1000"},
  {"id": "wide", "kind": "alias", "size": "0x2000", "target": "uart", "target_offset": "0x0"},
  {"id": "orphan", "kind": "ram", "size": "0x1000"}],
 "address_spaces": [{"name": "cpu", "root": "bus"}]}
JSON
expect_status 1 "$tlmmap" check "$work/overlap.json"
grep -q "^overlap: 'uart' and 'timer' overlap at 0x1800-0x1fff in address space 'cpu', neither added with overlap; 'timer' wins there" "$work/out" ||
  fail "overlap finding: $(cat "$work/out")"
grep -q "^alias-beyond-target: alias 'wide' shows 0x0-0x1fff of 'uart', which is only 0x1000 bytes" "$work/out" ||
  fail "alias finding: $(cat "$work/out")"
grep -q "^unreachable: 'wide'" "$work/out" || fail "unreachable finding: $(cat "$work/out")"
grep -q "^unreachable: 'orphan'" "$work/out" || fail "unreachable finding: $(cat "$work/out")"

echo '{"memmap": 1, "regions": [{"id": "r", "kind": "ram", "size": 0}]}' >"$work/bad.json"
for sub in mtree check dot export; do
  expect_status 2 "$tlmmap" "$sub" "$work/bad.json"
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$sub: error is not one line: $(cat "$work/err")"
  grep -q 'regions\[0\] (id "r"): size 0' "$work/err" || fail "$sub: error does not name the entry: $(cat "$work/err")"
  [ -s "$work/out" ] && fail "$sub printed something for a refused file"
done
expect_status 2 "$tlmmap" mtree "$work/missing.json"
grep -q "cannot open the file" "$work/err" || fail "missing file: $(cat "$work/err")"
printf '{"memmap": 1, "regions": [' >"$work/truncated.json"
expect_status 2 "$tlmmap" check "$work/truncated.json"
grep -q "not valid JSON" "$work/err" || fail "truncated file: $(cat "$work/err")"
expect_status 2 "$tlmmap" frobnicate "$pc"
expect_status 2 "$tlmmap" mtree

expect_status 0 "$tlmmap" dot "$pc"
head -1 "$work/out" | grep -q '^digraph tlmmap {' || fail "dot output: $(head -1 "$work/out")"
grep -q ' -> .*style=dashed, label="+0x20000"' "$work/out" || fail "dot has no alias edge"

expect_status 0 "$tlmmap" export "$pc"
cp "$work/out" "$work/exported.json"
expect_status 0 "$tlmmap" mtree -f "$work/exported.json"
diff "$work/out" <("$tlmmap" mtree -f "$pc") >/dev/null || fail "export -> mtree -f differs"

sed -e 's/"memmap": 1/memmap: 1/' "$pc" >"$work/map.yaml"  # JSON is YAML
expect_status 0 "$tlmmap" mtree "$work/map.yaml"
cmp -s "$work/out" "$cases/x86_64-pc/tree.txt" || fail "YAML map prints differently"

[ "$failures" -eq 0 ] && echo "cli: all checks passed"
exit $((failures > 0))
