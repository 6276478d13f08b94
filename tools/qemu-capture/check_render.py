#!/usr/bin/python3
"""Self-check: render a memmap v1 file the way QEMU 7.2 prints it and compare
with the captured dumps.

    check_render.py CASE_DIR [CASE_DIR ...]   # memmap.json vs flat.txt, tree.txt, tree-D.txt
    check_render.py --all DIR                 # every case folder under DIR
    check_render.py --print {flat,tree,tree-D} MEMMAP.json

This is an independent, small renderer written from the rules documented in
/work/shared/qemu-cases/FORMAT.md section 4 (not from QEMU's source):

* render order of a container's subregions: priority descending, among
  equal priorities the later-added first; the first rendered range wins;
* a terminating region (anything but container/alias) fills the gaps of
  its own clipped range after its subregions;
* an alias renders its target at base = alias start - alias offset (the
  target's own address cancels);
* regions are clipped to their container's range (recursively through
  aliases); disabled and zero-size regions render nothing; readonly is
  OR-ed along the way; adjacent pieces of one region with contiguous offsets
  and equal attributes are merged;
* the flat view of an AS is rendered from its flat-view root (an enabled
  alias with offset 0 covering its whole target is followed to the target,
  a container's only enabled subregion at offset 0 that fits is followed,
  a container without enabled subregions or a disabled region gives
  `(none)`), starting at base = the root's own address; ASes with the same
  flat-view root share one FlatView.

Flat views are compared up to the order of the FlatView blocks (and their
numbers) and of the AS lines inside a block; trees up to the order of the
address-space groups (the groups are printed in the captured order when
they can be matched, so the `memory-region:` queue order is checked too).
"""

import argparse
import json
import os
import re
import sys

sys.setrecursionlimit(100000)
U64 = 1 << 64
MAX_DEPTH = 4096


def num(v):
    if isinstance(v, bool):
        raise ValueError("boolean where a number is expected")
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        return int(v, 16) if v.startswith("0x") else int(v, 10)
    raise ValueError("bad number %r" % (v,))


class R:
    """one memory region of the loaded map"""
    __slots__ = ("id", "name", "kind", "size", "enabled", "readonly", "romd", "nv",
                 "target", "toff", "subs", "container", "addr", "prio", "render_list")


def load(path):
    with open(path) as f:
        js = json.load(f)
    if js.get("memmap") != 1:
        raise ValueError("not a memmap v1 file")
    regs = {}
    order = []
    for e in js["regions"]:
        r = R()
        r.id = e["id"]
        if r.id in regs:
            raise ValueError("duplicated id %r" % r.id)
        r.name = e.get("name", r.id)
        r.kind = e["kind"]
        r.size = num(e["size"])
        r.enabled = e.get("enabled", True)
        r.readonly = e.get("readonly", False)
        r.romd = e.get("romd", True)
        r.nv = e.get("nonvolatile", False)
        r.target = e.get("target")
        r.toff = num(e["target_offset"]) if "target_offset" in e else 0
        r.subs = [(s["region"], num(s["offset"]), s.get("priority", 0))
                  for s in e.get("subregions", [])]
        r.container = None
        r.addr = 0
        r.prio = 0
        regs[r.id] = r
        order.append(r)
    for r in order:
        if r.kind == "alias":
            r.target = regs[r.target]
        subs = []
        for sid, off, pr in r.subs:
            c = regs[sid]
            if c.container is not None:
                raise ValueError("%r added twice" % sid)
            c.container = r
            c.addr = off
            c.prio = pr
            subs.append(c)
        r.subs = subs
        # render list: priority descending, later-added first among equals
        r.render_list = sorted(reversed(subs), key=lambda c: -c.prio)
    ases = [(a["name"], regs[a["root"]]) for a in js.get("address_spaces", [])]
    return regs, order, ases


def terminates(r):
    return r.kind not in ("container", "alias")


def region_type(r, nv=None):
    """QEMU's type word for a region: an alias shows its target's type, but
    the "nv-" prefix is the printed region's own nonvolatile flag (flat
    views pass the flag OR-ed along the path)."""
    if nv is None:
        nv = r.nv
    seen = 0
    while r.kind == "alias" and seen < MAX_DEPTH:
        r = r.target
        seen += 1
    nv = "nv-" if nv else ""
    if r.kind == "rom_device":
        return nv + ("romd" if r.romd else "i/o")
    if r.kind == "rom" or (r.kind == "ram" and r.readonly):
        return nv + "rom"
    if r.kind == "ram":
        return nv + "ram"
    return nv + "i/o"


# ---------------------------------------------------------------- flat views

def flatview_root(r):
    while r.enabled:
        if r.kind == "alias":
            if r.toff == 0 and r.size >= r.target.size:
                r = r.target
                continue
            return r
        if not terminates(r):
            enabled = [c for c in r.subs if c.enabled]
            if not enabled:
                return None
            if len(enabled) == 1 and enabled[0].addr == 0 and r.size >= enabled[0].size:
                r = enabled[0]
                continue
        return r
    return None


class Flat:
    def __init__(self):
        self.ranges = []   # sorted, non-overlapping [start, end, region, offset, readonly, nv]

    def add_gaps(self, lo, hi, r, base, ro, nv):
        # simple and slow enough: find the covered intervals inside [lo, hi)
        out = []
        pos = lo
        i = self._first_at_or_after(lo)
        while pos < hi:
            if i < len(self.ranges) and self.ranges[i][0] < hi:
                s, e = self.ranges[i][0], self.ranges[i][1]
                if e <= pos:
                    i += 1
                    continue
                if s > pos:
                    out.append((pos, s))
                pos = max(pos, e)
                i += 1
            else:
                out.append((pos, hi))
                break
        for s, e in out:
            j = self._first_at_or_after(s)
            self.ranges.insert(j, [s, e, r, s - base, ro, nv])

    def _first_at_or_after(self, a):
        # index of the first range whose end > a
        lo, hi = 0, len(self.ranges)
        while lo < hi:
            m = (lo + hi) // 2
            if self.ranges[m][1] <= a:
                lo = m + 1
            else:
                hi = m
        return lo


def render(flat, r, base, clip_lo, clip_hi, ro, nv, depth=0):
    """r is mapped at base (its own address already added)."""
    if not r.enabled or r.size == 0 or depth > MAX_DEPTH:
        return
    lo, hi = max(clip_lo, base), min(clip_hi, base + r.size)
    if lo >= hi:
        return
    ro = ro or r.readonly or r.kind == "rom"
    nv = nv or r.nv
    if r.kind == "alias":
        render(flat, r.target, base - r.toff, lo, hi, ro, nv, depth + 1)
        return
    for c in r.render_list:
        render(flat, c, base + c.addr, lo, hi, ro, nv, depth + 1)
    if terminates(r):
        flat.add_gaps(lo, hi, r, base, ro, nv)


def simplify(ranges):
    out = []
    for s, e, r, off, ro, nv in ranges:
        if out:
            p = out[-1]
            if (p[2] is r and p[1] == s and p[3] + (p[1] - p[0]) == off
                    and p[4] == ro and p[5] == nv):
                p[1] = e
                continue
        out.append([s, e, r, off, ro, nv])
    return out


def flat_text(ases):
    """-> list of blocks (as_lines, root_line, body_lines)"""
    groups = {}
    order = []
    for name, root in ases:
        fr = flatview_root(root)
        key = id(fr) if fr is not None else None
        if key not in groups:
            groups[key] = (fr, [])
            order.append(key)
        line = ' AS "%s", root: %s' % (name, root.name)
        if root.kind == "alias":
            line += ", alias %s" % root.target.name
        groups[key][1].append(line)
    blocks = []
    for key in order:
        fr, as_lines = groups[key]
        body = []
        if fr is not None:
            f = Flat()
            render(f, fr, fr.addr, 0, U64, False, False)
            for s, e, r, off, ro, nv in simplify(f.ranges):
                t = ("nv-" if nv else "") + "rom" if ro else region_type(r, nv)
                line = "  %016x-%016x (prio %d, %s): %s" % (s % U64, (e - 1) % U64, r.prio, t, r.name)
                if off % U64:
                    line += " @%016x" % (off % U64)
                body.append(line)
        root_line = " Root memory region: %s" % (fr.name if fr is not None else "(none)")
        if not body:
            body = ["  No rendered FlatView"]
        blocks.append((as_lines, root_line, body))
    return blocks


def format_flat(blocks):
    out = []
    for i, (as_lines, root_line, body) in enumerate(blocks):
        out.append("FlatView #%d" % i)
        out += as_lines
        out.append(root_line)
        out += body
        out.append("")
    return "\n".join(out) + "\n"


def parse_flat_blocks(text):
    blocks = []
    cur = None
    for line in text.split("\n"):
        if line.startswith("FlatView #"):
            cur = [[], None, []]
            blocks.append(cur)
        elif cur is None or line == "":
            continue
        elif line.startswith(" AS "):
            cur[0].append(line)
        elif line.startswith(" Root memory region: "):
            cur[1] = line
        else:
            cur[2].append(line)
    return blocks


def canon_blocks(blocks):
    return sorted((tuple(sorted(a)), r, tuple(b)) for a, r, b in blocks)


# ---------------------------------------------------------------- trees

def mr_size_end(size):
    return 0 if size == 0 else size - 1


def print_tree(ases, show_disabled, group_order=None):
    groups = {}
    gorder = []
    for name, root in ases:
        if id(root) not in groups:
            groups[id(root)] = (root, [])
            gorder.append(id(root))
        groups[id(root)][1].append(name)
    glist = [groups[k] for k in gorder]
    if group_order is not None:
        glist = group_order(glist)
    queue = []
    queued = set()
    out = []

    def pr(r, level, base):
        start = (base + r.addr) % U64
        end = (start + mr_size_end(r.size)) % U64
        pre = "[DETECTED OVERFLOW!] " if end < start else ""
        ind = " " * (level * 2)
        dis = "" if r.enabled else " [disabled]"
        if r.kind == "alias":
            if id(r.target) not in queued:
                queued.add(id(r.target))
                queue.append(r.target)
            if r.enabled or show_disabled:
                out.append("%s%s%016x-%016x (prio %d, %s): alias %s @%s %016x-%016x%s" % (
                    pre, ind, start, end, r.prio, region_type(r), r.name, r.target.name,
                    r.toff % U64, (r.toff + mr_size_end(r.size)) % U64, dis))
        else:
            if r.enabled or show_disabled:
                out.append("%s%s%016x-%016x (prio %d, %s): %s%s" % (
                    pre, ind, start, end, r.prio, region_type(r), r.name, dis))
        kids = sorted(r.render_list, key=lambda c: (c.addr, -c.prio))
        for c in kids:
            pr(c, level + 1, start)

    for root, names in glist:
        for n in sorted(names, key=lambda s: s.encode()):
            out.append("address-space: %s" % n)
        pr(root, 1, 0)
        out.append("")
    i = 0
    while i < len(queue):
        r = queue[i]
        i += 1
        out.append("memory-region: %s" % r.name)
        pr(r, 1, 0)
        out.append("")
    return "\n".join(out) + "\n"


def captured_group_order(text):
    """list of AS-name tuples of the groups, in the captured order"""
    res = []
    cur = None
    for line in text.split("\n"):
        if line.startswith("address-space: "):
            if cur is None:
                cur = []
                res.append(cur)
            cur.append(line[len("address-space: "):])
        else:
            cur = None
    return [tuple(sorted(g, key=lambda s: s.encode())) for g in res]


def split_tree_groups(text):
    """-> (list of AS group texts, list of section texts)"""
    groups, secs = [], []
    cur = None
    for line in text.split("\n"):
        if line.startswith("address-space: "):
            if cur is None or cur[0] != "as" or cur[2]:
                cur = ["as", [], []]
                groups.append(cur)
            cur[1].append(line)
        elif line.startswith("memory-region: "):
            cur = ["mr", [line], []]
            secs.append(cur)
        elif line:
            cur[2].append(line)
    return (["\n".join(g[1] + g[2]) for g in groups], ["\n".join(g[1] + g[2]) for g in secs])


def first_diff(a, b, ctx=2):
    al, bl = a.split("\n"), b.split("\n")
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else "<EOF>"
        y = bl[i] if i < len(bl) else "<EOF>"
        if x != y:
            return "line %d:\n      want: %s\n      got:  %s" % (i + 1, x, y)
    return "no difference"


def check_tree(ases, captured, show_disabled):
    want_order = captured_group_order(captured)

    def reorder(glist):
        pool = list(glist)
        res = []
        for names in want_order:
            for g in pool:
                if tuple(sorted(g[1], key=lambda s: s.encode())) == names:
                    res.append(g)
                    pool.remove(g)
                    break
        return res + pool

    got = print_tree(ases, show_disabled, reorder)
    if got == captured:
        return True, ""
    # fall back: compare up to group order
    wg, ws = split_tree_groups(captured)
    gg, gs = split_tree_groups(got)
    if sorted(wg) == sorted(gg) and sorted(ws) == sorted(gs):
        return True, "(equal up to group/section order)"
    return False, first_diff(captured, got)


def check_flat(ases, captured):
    want = canon_blocks(parse_flat_blocks(captured))
    gotb = flat_text(ases)
    got = canon_blocks(gotb)
    if want == got:
        return True, ""
    # explain the first difference
    wmap = {}
    for a, r, b in want:
        for l in a:
            wmap.setdefault(l, []).append((r, b))
    msgs = []
    for a, r, b in got:
        if (a, r, b) in want:
            continue
        cand = wmap.get(a[0], [])
        if not cand:
            msgs.append("block for %s not in capture" % (a,))
            continue
        wr, wb = cand[0]
        if wr != r:
            msgs.append("%s: root want %r got %r" % (a[0].strip(), wr, r))
        else:
            msgs.append("%s: %s" % (a[0].strip(), first_diff("\n".join(wb), "\n".join(b))))
        break
    if not msgs:
        msgs.append("blocks grouped differently: want %s got %s" % (
            [w[0] for w in want], [g[0] for g in got]))
    return False, "; ".join(msgs)


def check_case(d):
    regs, order, ases = load(os.path.join(d, "memmap.json"))
    res = {}
    for fn, kind in (("flat.txt", "flat"), ("tree.txt", "tree"), ("tree-D.txt", "tree-D")):
        p = os.path.join(d, fn)
        if not os.path.exists(p):
            continue
        with open(p) as f:
            cap = f.read()
        if kind == "flat":
            res[fn] = check_flat(ases, cap)
        else:
            res[fn] = check_tree(ases, cap, kind == "tree-D")
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*")
    ap.add_argument("--all", metavar="DIR")
    ap.add_argument("--print", choices=["flat", "tree", "tree-D"])
    a = ap.parse_args()
    if a.print:
        for p in a.cases:
            regs, order, ases = load(p)
            if a.print == "flat":
                sys.stdout.write(format_flat(flat_text(ases)))
            else:
                sys.stdout.write(print_tree(ases, a.print == "tree-D"))
        return 0
    dirs = list(a.cases)
    if a.all:
        dirs += [os.path.join(a.all, x) for x in sorted(os.listdir(a.all))
                 if os.path.exists(os.path.join(a.all, x, "memmap.json"))]
    npass = 0
    fails = []
    for d in dirs:
        name = os.path.basename(d.rstrip("/"))
        try:
            res = check_case(d)
        except Exception as e:
            fails.append(name)
            print("%-40s ERROR %s: %s" % (name, type(e).__name__, e))
            continue
        ok = all(v[0] for v in res.values())
        if ok:
            npass += 1
            extra = " ".join(v[1] for v in res.values() if v[1])
            print("%-40s PASS %s" % (name, extra))
        else:
            fails.append(name)
            print("%-40s FAIL" % name)
            for fn, (k, msg) in res.items():
                if not k:
                    print("    %s: %s" % (fn, msg))
    print("%d/%d cases pass" % (npass, len(dirs)))
    return 0 if not fails else 1


if __name__ == "__main__":
    sys.exit(main())
