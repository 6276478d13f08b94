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

# tlmmap monitor: a script file or stdin, echo, exit statuses (docs/monitor.md).
cat >"$work/board.json" <<'JSON'
{"memmap": 1, "regions": [
  {"id": "sys", "kind": "container", "size": "0x10000", "subregions": [
     {"region": "ram", "offset": "0x0"}, {"region": "uart", "offset": "0x8000"}]},
  {"id": "ram", "kind": "ram", "size": "0x1000"},
  {"id": "uart", "kind": "mmio", "size": "0x100"}],
 "address_spaces": [{"name": "cpu", "root": "sys"}]}
JSON
printf 'w 0x10 0x12345678\nx/2wx 0x10\ndisable uart\ninfo mtree -f\n' >"$work/script.txt"
expect_status 0 "$tlmmap" monitor "$work/board.json" "$work/script.txt"
cat >"$work/want" <<'TEXT'
0000000000000010: 0x12345678 0x00000000
FlatView #0
 AS "cpu", root: sys
 Root memory region: ram
  0000000000000000-0000000000000fff (prio 0, ram): ram

TEXT
cmp -s "$work/out" "$work/want" || fail "monitor output: $(cat "$work/out")"
expect_status 0 "$tlmmap" mtree -f "$work/board.json"
"$tlmmap" monitor "$work/board.json" <<<'info mtree -f' | cmp -s - "$work/out" || fail "monitor info mtree -f (stdin) differs from mtree -f"
expect_status 1 "$tlmmap" monitor --echo "$work/board.json" - <<<$'move nothere 0x10\nenable uart'
printf '(tlmmap) move nothere 0x10\nerror: line 1: move: no region "nothere"\n(tlmmap) enable uart\n' | cmp -s - "$work/out" ||
  fail "monitor --echo with an error: $(cat "$work/out")"
expect_status 1 "$tlmmap" monitor --stop-on-error "$work/board.json" - <<<$'bogus\necho not reached'
[ "$(cat "$work/out")" = 'error: line 1: bogus: unknown command (help lists them)' ] || fail "stop on error: $(cat "$work/out")"
expect_status 2 "$tlmmap" monitor "$work/bad.json" "$work/script.txt"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "monitor of a refused map: $(cat "$work/err")"
expect_status 2 "$tlmmap" monitor "$work/board.json" "$work/no-such-script.txt"
grep -q "cannot open the script" "$work/err" || fail "missing script: $(cat "$work/err")"
# translate and info iommu: a map file's IOMMU region translates nothing.
cat >"$work/iommu.json" <<'JSON'
{"memmap": 1, "regions": [
  {"id": "sys", "kind": "container", "size": "0x10000", "subregions": [
     {"region": "ram", "offset": "0x0"}, {"region": "smmu", "offset": "0x4000"}]},
  {"id": "ram", "kind": "ram", "size": "0x1000"},
  {"id": "smmu", "kind": "iommu", "size": "0x1000"}],
 "address_spaces": [{"name": "cpu", "root": "sys"}]}
JSON
expect_status 1 "$tlmmap" monitor "$work/iommu.json" - <<<$'info iommu\ntranslate cpu 0x10\ntranslate cpu 0x4010 access=write\ntranslate cpu 0x9000'
cat >"$work/want" <<'TEXT'
iommu "smmu" name="smmu" size=0x1000 indexes=1 min_page=0x1000 notifiers=0 notifier_flags=none
translation "cpu" 0x10 -> "cpu" 0x10 page=0x0-0xfff perm=rw via=- region="ram"
fault "cpu" 0x4010 iommu="smmu" index=0 reason=no_translation via="smmu"
error: line 4: translate: nothing is mapped at 0x9000 in address space "cpu"
TEXT
cmp -s "$work/out" "$work/want" || fail "monitor translate: $(cat "$work/out")"

# Hostile files: deep nesting in a value is refused in one short line, even
# on a small stack; the loader never recurses on the file's depth.
deep=$(printf '%*s' 100000 '' | tr ' ' '[')$(printf '%*s' 100000 '' | tr ' ' ']')
printf '{"memmap": 1, "regions": [{"id": "r", "kind": "ram", "size": 16, "name": %s}]}' "$deep" >"$work/deep.json"
printf 'memmap: 1\nregions:\n- id: r\n  kind: ram\n  size: 16\n  name: %s\n' "$deep" >"$work/deep.yaml"
for f in deep.json deep.yaml; do
  (ulimit -s 256 && "$tlmmap" check "$work/$f") >"$work/out" 2>"$work/err"
  status=$?
  [ "$status" -eq 2 ] || fail "check $f exited $status, want 2"
  [ "$(wc -l <"$work/err")" -eq 1 ] && [ "$(wc -c <"$work/err")" -lt 200 ] || fail "check $f: $(head -c 300 "$work/err")"
  grep -q "nested deeper than 64 levels" "$work/err" || fail "check $f: $(head -c 300 "$work/err")"
done

[ "$failures" -eq 0 ] && echo "cli: all checks passed"
exit $((failures > 0))
