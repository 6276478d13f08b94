#!/usr/bin/python3
"""Convert a QEMU 7.2 `info mtree -D` dump (+ `info mtree -f` as evidence)
into a memmap v1 JSON file.

Usage:
    mtree2memmap.py CASE_DIR [-o OUT.json]     # reads CASE_DIR/tree-D.txt, flat.txt
    mtree2memmap.py --all DIR                  # every case folder under DIR,
                                               # writes DIR/*/memmap.json

What the dump does not say is decided as documented in
/work/shared/qemu-cases/FORMAT.md section 3 (and README.md here):

* `i/o` region: MMIO if its name shows up in flat.txt (with the matching
  offset) inside its unoccluded footprint, container if its footprint is
  non-empty and shows something else; no evidence: MMIO when it has no
  subregions, container when it has some.  The AS "Root memory region"
  lines are evidence too (an MMIO root is not looked through, a container
  with no enabled subregion gives `(none)`).
* alias readonly: RAM shown as `rom` in flat.txt through an alias that
  renders `ram`: the innermost alias on the way is readonly.
* sizes START==END are 1; sizes are (END-START+1) mod 2^64 (0 -> 2^64).
* objects: an AS root / `memory-region:` section is the same object as a
  printed region with equal name/type/prio/size/own address/subtree.
  `@TARGET` names are resolved by the section queue order ("restricted
  growth"); remaining choices are decided by flat.txt.
* subregion add order: size descending, then offset ascending; siblings
  printed with equal offset and priority fill their slots in reverse print
  order (printed first = added last); flat.txt then tries swaps of
  equal-priority overlapping siblings at different offsets.
* ids: "parent-path/name" of the defining print (the mapped one if any,
  else the AS root name, else "@name" for a section-only region), "~N" for
  repeats; regions are listed in the order of their defining prints.
"""

import argparse
import bisect
import json
import os
import re
import sys

sys.setrecursionlimit(100000)

U64 = 1 << 64

LINE_RE = re.compile(r'^(\[DETECTED OVERFLOW!\] )?( *)([0-9a-f]{16})-([0-9a-f]{16}) '
                     r'\(prio (-?\d+), (nv-)?(ramd|romd|rom|ram|i/o)\): (.*)$')
ALIAS_RE = re.compile(r'^alias (.*) ([0-9a-f]{16})-([0-9a-f]{16})$')
FLAT_RE = re.compile(r'^  ([0-9a-f]{16})-([0-9a-f]{16}) \(prio (-?\d+), (nv-)?(ramd|romd|rom|ram|i/o)\): '
                     r'(.*?)(?: @([0-9a-f]{16}))?$')


# --------------------------------------------------------------------------
# tree dump parsing

class Node:
    __slots__ = ("depth", "start", "end", "size", "prio", "type", "nv", "name",
                 "is_alias", "target_name", "astart", "disabled", "children",
                 "parent", "tree", "idx", "placeholder", "body", "sig", "raw")

    def __init__(self):
        self.children = []
        self.parent = None
        self.placeholder = False
        self.is_alias = False
        self.target_name = None
        self.astart = 0


class Tree:
    def __init__(self, kind, names):
        self.kind = kind          # "as" or "mr"
        self.names = names        # AS names (list) or [section name]
        self.root = None
        self.index = 0


def split_sections(text):
    """-> list of (kind, names, [lines])"""
    out = []
    cur = None
    for line in text.split("\n"):
        if line.startswith("address-space: "):
            name = line[len("address-space: "):]
            if cur is not None and cur[0] == "as" and not cur[2]:
                cur[1].append(name)
            else:
                cur = ["as", [name], []]
                out.append(cur)
        elif line.startswith("memory-region: "):
            cur = ["mr", [line[len("memory-region: "):]], []]
            out.append(cur)
        elif line.strip() == "":
            continue
        else:
            if cur is None:
                raise ValueError("tree line outside a section: %r" % line)
            cur[2].append(line)
    return out


def size_of(start, end):
    s = (end - start + 1) % U64
    return U64 if s == 0 else s


def parse_tree(text):
    secs = split_sections(text)
    section_names = set(n for k, ns, _ in secs if k == "mr" for n in ns)
    trees = []
    nodes = []
    notes = []
    for k, names, lines in secs:
        t = Tree(k, names)
        t.index = len(trees)
        trees.append(t)
        stack = []
        for line in lines:
            m = LINE_RE.match(line)
            if not m:
                raise ValueError("cannot parse line: %r" % line)
            n = Node()
            n.raw = line
            n.depth = len(m.group(2)) // 2
            n.start = int(m.group(3), 16)
            n.end = int(m.group(4), 16)
            n.size = size_of(n.start, n.end)
            n.prio = int(m.group(5))
            n.nv = bool(m.group(6))
            n.type = m.group(7)
            rest = m.group(8)
            n.disabled = False
            if rest.endswith(" [disabled]"):
                n.disabled = True
                rest = rest[:-len(" [disabled]")]
            n.name = rest
            am = ALIAS_RE.match(rest) if rest.startswith("alias ") else None
            if am:
                mid = am.group(1)
                pos = [i for i in range(len(mid)) if mid.startswith(" @", i)]
                for p in pos:
                    if mid[p + 2:] in section_names:
                        n.is_alias = True
                        n.name = mid[:p]
                        n.target_name = mid[p + 2:]
                        n.astart = int(am.group(2), 16)
                        break
            n.tree = t
            # find the parent
            while stack and stack[-1].depth >= n.depth:
                stack.pop()
            if n.depth == 1:
                if t.root is not None:
                    raise ValueError("two roots in one section: %r" % line)
                t.root = n
            else:
                if not stack:
                    if t.root is not None:
                        raise ValueError("no parent for %r" % line)
                    # the root line is missing (a disabled root in a dump
                    # taken without -D): a disabled placeholder root
                    ph = Node()
                    ph.placeholder = True
                    ph.raw = None
                    ph.name = t.names[0] if k == "mr" else "(hidden root)"
                    ph.type = "i/o"
                    ph.nv = False
                    ph.disabled = True
                    ph.tree = t
                    ph.depth = 1
                    ph.start, ph.end, ph.size, ph.prio = 0, U64 - 1, U64, 0
                    ph.idx = len(nodes)
                    nodes.append(ph)
                    t.root = ph
                    stack.append(ph)
                    notes.append("placeholder root for section %r" % t.names[0])
                par = stack[-1]
                # placeholders: a line hanging deeper than its predecessor allows
                while par.depth < n.depth - 1 or par.is_alias:
                    ph = Node()
                    ph.placeholder = True
                    ph.raw = None
                    ph.name = "(hidden)"
                    ph.type = "i/o"
                    ph.nv = False
                    ph.disabled = True
                    ph.tree = t
                    if par.is_alias:
                        ph.depth = par.depth
                        ph.start, ph.end, ph.size, ph.prio = par.start, par.end, par.size, par.prio
                        gp = par.parent
                        ph.parent = gp
                        gp.children.append(ph)
                        notes.append("placeholder container beside alias %r" % par.name)
                    else:
                        ph.depth = par.depth + 1
                        ph.start, ph.end, ph.size, ph.prio = n.start, n.end, n.size, 0
                        ph.parent = par
                        par.children.append(ph)
                        notes.append("placeholder container for gap under %r" % par.name)
                    ph.idx = len(nodes)
                    nodes.append(ph)
                    stack.append(ph)
                    par = ph
                n.parent = par
                par.children.append(n)
            n.idx = len(nodes)
            nodes.append(n)
            stack.append(n)
    # a placeholder spans the lines hanging under it
    for n in reversed(nodes):
        if n.placeholder and n.parent is not None and n.children:
            end = max(c.start + c.size for c in n.children)
            n.size = max(n.size, end - n.start)
            n.end = (n.start + n.size - 1) % U64
    return trees, nodes, notes


def own_addr(n):
    if n.parent is None:
        return n.start
    return (n.start - n.parent.start) % U64


def compute_sigs(nodes):
    intern = {}
    for n in reversed(nodes):  # children come after parents in print order
        key = (n.name, n.type, n.nv, n.prio, n.size, n.disabled, n.is_alias,
               n.target_name, n.astart, n.placeholder,
               tuple(c.sig for c in n.children))
        n.body = intern.setdefault(key, len(intern))
        n.sig = (n.body, own_addr(n))
    # n.sig of children is used above: fix ordering problem by second pass
    # (children were processed before parents since reversed print order)


# --------------------------------------------------------------------------
# union-find of printed nodes into objects

class UF:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, a):
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a == b:
            return a
        if b < a:
            a, b = b, a
        self.p[b] = a
        return a


def identify_objects(trees, nodes):
    uf = UF(len(nodes))
    by_sig = {}
    for n in nodes:
        if n.parent is not None:
            by_sig.setdefault(n.sig, []).append(n)
    # root kinds held by a class
    as_root_of = {}
    mr_root_of = {}
    notes = []

    def unify(a, b):
        uf.union(a.idx, b.idx)
        for ca, cb in zip(a.children, b.children):
            unify(ca, cb)

    def class_info(c):
        c = uf.find(c)
        return as_root_of.get(c), mr_root_of.get(c)

    def set_root(n, kind):
        c = uf.find(n.idx)
        (as_root_of if kind == "as" else mr_root_of)[c] = n

    def merge_info(a, b):
        ca, cb = uf.find(a), uf.find(b)
        return ca, cb

    roots_as = [t.root for t in trees if t.kind == "as" and t.root is not None]
    roots_mr = [t.root for t in trees if t.kind == "mr" and t.root is not None]
    for r in roots_as:
        set_root(r, "as")
    for r in roots_mr:
        set_root(r, "mr")

    def mapped_parent_class(c):
        c = uf.find(c)
        for n in members.get(c, ()):
            if n.parent is not None:
                return uf.find(n.parent.idx)
        return None

    def do_unify(r, cand):
        ra, rb = uf.find(r.idx), uf.find(cand.idx)
        infos = [(as_root_of.get(ra), mr_root_of.get(ra)), (as_root_of.get(rb), mr_root_of.get(rb))]
        unify(r, cand)
        c = uf.find(r.idx)
        for a_, m_ in infos:
            if a_ is not None:
                as_root_of[c] = a_
            if m_ is not None:
                mr_root_of[c] = m_

    members = {}
    ambiguous = []

    def rebuild_members():
        members.clear()
        for n in nodes:
            members.setdefault(uf.find(n.idx), []).append(n)

    # AS roots against mapped nodes, then sections against AS roots and mapped nodes
    for kind, roots in (("as", roots_as), ("mr", roots_mr)):
        for r in roots:
            rebuild_members()
            rc = uf.find(r.idx)
            cands = []
            seen = set()
            pool = list(by_sig.get(r.sig, []))
            if kind == "mr":
                pool = [x for x in roots_as if x.sig == r.sig] + pool
            for x in pool:
                if x.tree is r.tree:
                    continue
                xc = uf.find(x.idx)
                if xc == rc or xc in seen:
                    continue
                seen.add(xc)
                # compatibility
                if kind == "as" and xc in as_root_of:
                    continue
                if kind == "mr" and xc in mr_root_of:
                    continue
                if kind == "as" and rc in mr_root_of and xc in mr_root_of:
                    continue
                pa, pb = mapped_parent_class(rc), mapped_parent_class(xc)
                if pa is not None and pb is not None and pa != pb:
                    continue
                cands.append(x)
            if not cands:
                continue
            in_as = [x for x in cands if x.tree.kind == "as"]
            cands = in_as + [x for x in cands if x.tree.kind != "as"]
            ambiguous.append((r, cands))
            do_unify(r, cands[0])
    rebuild_members()
    for r, cands in ambiguous:
        cl = set(uf.find(x.idx) for x in cands)
        if len(cl) > 1:
            notes.append("%s root %r: %d structurally equal objects, took the first"
                         % ("AS" if r.tree.kind == "as" else "section", r.name, len(cl)))
    return uf, dict(members), notes


# --------------------------------------------------------------------------
# flat view parsing

def parse_flat(text):
    blocks = []
    cur = None
    for line in text.split("\n"):
        if line.startswith("FlatView #"):
            cur = {"as": [], "root": None, "ranges": [], "none": False}
            blocks.append(cur)
        elif cur is None:
            continue
        elif line.startswith(' AS "'):
            m = re.match(r'^ AS "(.*)", root: (.*)$', line)
            cur["as"].append((m.group(1), m.group(2)))
        elif line.startswith(" Root memory region: "):
            cur["root"] = line[len(" Root memory region: "):]
        elif line.strip() == "No rendered FlatView":
            cur["none"] = True
        elif line.startswith("  "):
            m = FLAT_RE.match(line)
            if not m:
                raise ValueError("cannot parse flat line %r" % line)
            s, e = int(m.group(1), 16), int(m.group(2), 16)
            cur["ranges"].append({
                "start": s, "end": e + 1, "prio": int(m.group(3)),
                "type": (m.group(4) or "") + m.group(5), "name": m.group(6),
                "off": int(m.group(7), 16) if m.group(7) else 0, "line": line})
    for b in blocks:
        b["starts"] = [r["start"] for r in b["ranges"]]
    return blocks


def flat_lookup(block, addr):
    i = bisect.bisect_right(block["starts"], addr) - 1
    if i >= 0:
        r = block["ranges"][i]
        if r["start"] <= addr < r["end"]:
            return r
    return None


# --------------------------------------------------------------------------
# object model + a renderer used to weigh the evidence

class Obj:
    def __init__(self):
        self.name = None
        self.kind = None          # ram rom rom_device mmio container alias io?
        self.type = None
        self.nv = False
        self.size = 0
        self.enabled = True
        self.readonly = False
        self.target = None
        self.toff = 0
        self.subs = []            # [(Obj, offset, prio)] add order
        self.container = None
        self.offset = 0           # own address (offset in container / root addr)
        self.prio = 0
        self.first = None         # first printed node
        self.defining = None      # defining printed node
        self.id = None
        self.placeholder = False
        self.print_children = []  # children objects in print order
        self.cls = None
        self.root_prio = 0

    def terminates(self, undecided_as_mmio=True):
        if self.kind in ("container", "alias"):
            return False
        if self.kind == "io?":
            return undecided_as_mmio
        return True


def render_order(o):
    # later-added first among equal priorities
    return sorted(reversed(o.subs), key=lambda s: -s[2])


def fv_root(o, root_hint=None):
    while o is not None and o.enabled:
        if o.kind == "alias":
            if o.toff == 0 and o.size >= o.target.size:
                o = o.target
                continue
            return o
        if not o.terminates():
            en = [s for s in o.subs if s[0].enabled]
            if not en:
                return None
            if len(en) == 1 and en[0][1] == 0 and o.size >= en[0][0].size:
                o = en[0][0]
                continue
        return o
    return None


class View:
    def __init__(self):
        self.starts = []
        self.pieces = []   # [start, end, obj, off, ro, innermost_alias, nv]

    def fill(self, lo, hi, obj, base, ro, alias, nv=False):
        if lo >= hi:
            return
        i = bisect.bisect_right(self.starts, lo) - 1
        if i < 0:
            i = 0
        pos = lo
        new = []
        while i < len(self.pieces) and pos < hi:
            p = self.pieces[i]
            if p[1] <= pos:
                i += 1
                continue
            if p[0] >= hi:
                break
            if p[0] > pos:
                new.append((pos, p[0]))
            pos = max(pos, p[1])
            i += 1
        if pos < hi:
            new.append((pos, hi))
        for s, e in new:
            j = bisect.bisect_left(self.starts, s)
            self.starts.insert(j, s)
            self.pieces.insert(j, [s, e, obj, s - base, ro, alias, nv])


def render(view, o, base, lo, hi, ro, alias, depth=0, nv=False):
    if not o.enabled or o.size == 0:
        return
    lo2, hi2 = max(lo, base), min(hi, base + o.size)
    if lo2 >= hi2:
        return
    ro = ro or o.readonly
    nv = nv or o.nv
    if o.kind == "alias":
        if depth > 200:
            return
        render(view, o.target, base - o.toff, lo2, hi2, ro, o, depth + 1, nv)
        return
    for c, off, pr in render_order(o):
        render(view, c, base + off, lo2, hi2, ro, alias, depth, nv)
    if o.terminates():
        view.fill(lo2, hi2, o, base, ro, alias, nv)


def render_as(root):
    fr = fv_root(root)
    v = View()
    if fr is not None:
        render(v, fr, fr.offset, 0, U64, False, None)
    return fr, v


def flat_type(o, ro, nv):
    nv = "nv-" if nv else ""
    if ro:
        return nv + "rom"
    t = {"ram": "ram", "rom": "rom", "rom_device": "romd", "mmio": "i/o",
         "io?": "i/o", "container": "i/o"}[o.kind]
    if o.type in ("ramd",):
        t = "ramd"
    return nv + t


def merged_lines(view):
    out = []
    prev = None
    for p in view.pieces:
        if (prev is not None and prev[2] is p[2] and prev[1] == p[0]
                and prev[3] + (prev[1] - prev[0]) == p[3] and prev[4] == p[4]
                and prev[6] == p[6]):
            prev = [prev[0], p[1]] + prev[2:]
            out[-1] = prev
            continue
        prev = list(p)
        out.append(prev)
    lines = []
    for s, e, o, off, ro, _, nv in out:
        l = "  %016x-%016x (prio %d, %s): %s" % (s, (e - 1) % U64, o.prio, flat_type(o, ro, nv), o.name)
        if off:
            l += " @%016x" % (off % U64)
        lines.append(l)
    return lines


# --------------------------------------------------------------------------

class Converter:
    def __init__(self, tree_text, flat_text):
        self.notes = []
        self.trees, self.nodes, n1 = parse_tree(tree_text)
        self.notes += n1
        compute_sigs(self.nodes)
        self.flat = parse_flat(flat_text) if flat_text is not None else None
        self.uf, self.members, n2 = identify_objects(self.trees, self.nodes)
        self.notes += n2
        self.build_objects()

    # ---- objects
    def build_objects(self):
        uf = self.uf
        self.objs = {}
        order = []
        for n in self.nodes:
            c = uf.find(n.idx)
            if c not in self.objs:
                o = Obj()
                o.cls = c
                o.first = n
                o.name = n.name
                o.type = n.type
                o.nv = n.nv
                o.size = n.size
                o.enabled = not n.disabled
                o.placeholder = n.placeholder
                o.root_prio = n.prio
                if n.is_alias:
                    o.kind = "alias"
                elif n.placeholder:
                    o.kind = "container"
                else:
                    o.kind = {"ram": "ram", "ramd": "ram", "rom": "rom", "romd": "rom_device",
                              "i/o": "io?"}[n.type]
                self.objs[c] = o
                order.append(o)
        self.order = order
        for o in order:
            n = o.first
            o.print_children = [self.objs[uf.find(ch.idx)] for ch in n.children]
            o.offset = own_addr(n)
            # container from any mapped print
            for m in self.members[o.cls]:
                if m.parent is not None:
                    o.container = self.objs[uf.find(m.parent.idx)]
                    o.prio = m.prio
                    o.offset = own_addr(m)
                    break
        for o in order:
            kids = o.print_children
            o.print_pos = {id(k): i for i, k in enumerate(kids)}
            o.subs = [(k, k.offset, k.prio) for k in kids]
        # AS list
        self.as_list = []
        for t in self.trees:
            if t.kind == "as":
                ro = self.objs[uf.find(t.root.idx)]
                for nm in t.names:
                    self.as_list.append((nm, ro))
        self.sections = [t for t in self.trees if t.kind == "mr"]

    # ---- alias targets
    def alias_solutions(self, limit=64):
        uf = self.uf
        events = []
        seen = set()
        for n in self.nodes:
            if n.is_alias:
                c = uf.find(n.idx)
                if c in seen:
                    continue
                seen.add(c)
                sec_index = n.tree.index - self.sections[0].index if n.tree.kind == "mr" else -1
                events.append((c, n.target_name, sec_index))
        secs = [t.names[0] for t in self.sections]
        sols = []

        def rec(i, q, assign):
            if len(sols) >= limit:
                return
            if i == len(events):
                if q == len(secs):
                    sols.append(dict(assign))
                return
            c, tn, si = events[i]
            if si >= 0 and q <= si:
                return
            opts = []
            if q < len(secs) and secs[q] == tn:
                opts.append((q, q + 1))
            for j in range(q):
                if secs[j] == tn:
                    opts.append((j, q))
            for j, nq in opts:
                assign[c] = j
                rec(i + 1, nq, assign)
                del assign[c]

        rec(0, 0, {})
        # the sections' own roots must be introduced before they are printed:
        return sols

    def apply_aliases(self, sol):
        for c, j in sol.items():
            o = self.objs[c]
            t = self.sections[j].root
            o.target = self.objs[self.uf.find(t.idx)]
            o.toff = o.first.astart

    # ---- evidence
    def as_blocks(self):
        """AS index -> QEMU flat block (AS names repeat: among several
        blocks naming the AS, take the one closest to what renders now)"""
        res = {}
        if self.flat is None:
            return res
        used = {}
        for i, (nm, ro) in enumerate(self.as_list):
            cands = [b for b in self.flat if any(a == nm for a, _ in b["as"])]
            if not cands:
                continue
            good = [b for b in cands if any(a == nm and r.split(", alias ")[0] == ro.name
                                            for a, r in b["as"])] or cands
            if len(good) > 1:
                fr, v = render_as(ro)
                got = set(merged_lines(v))
                rn = fr.name if fr is not None else "(none)"

                def closeness(b):
                    w = set(r["line"] for r in b["ranges"])
                    return (b["root"] == rn, len(w & got) - len(w ^ got), -used.get(id(b), 0))
                good = sorted(good, key=closeness, reverse=True)
            res[i] = good[0]
            used[id(good[0])] = used.get(id(good[0]), 0) + 1
        return res

    def decide_io(self):
        blocks = self.as_blocks()
        undecided = lambda o: o.kind == "io?"
        # 1. flat view roots
        changed = True
        while changed:
            changed = False
            for i, (nm, root) in enumerate(self.as_list):
                b = blocks.get(i)
                if b is None:
                    continue
                qroot = b["root"]
                o = root
                while o is not None and o.enabled:
                    if o.kind == "alias":
                        if o.toff == 0 and o.size >= o.target.size:
                            o = o.target
                            continue
                        break
                    if o.kind in ("container", "io?"):
                        en = [s for s in o.subs if s[0].enabled]
                        if o.kind == "io?":
                            if not en:
                                if qroot == "(none)":
                                    o.kind = "container"; changed = True
                                elif qroot == o.name:
                                    o.kind = "mmio"; changed = True
                                break
                            if len(en) == 1 and en[0][1] == 0 and o.size >= en[0][0].size:
                                # container -> follows the child
                                tmp = o.kind
                                o.kind = "container"
                                r_c = fv_root(o)
                                o.kind = tmp
                                rn = r_c.name if r_c is not None else "(none)"
                                if qroot == o.name and rn != o.name:
                                    o.kind = "mmio"; changed = True
                                elif qroot == rn and rn != o.name:
                                    o.kind = "container"; changed = True
                                break
                            break
                        if not en:
                            break
                        if len(en) == 1 and en[0][1] == 0 and o.size >= en[0][0].size:
                            o = en[0][0]
                            continue
                    break
        # 2. footprints
        while True:
            evid = {}
            for p, b in self.rendered_pieces(blocks):
                o = p[2]
                if not undecided(o):
                    continue
                r = flat_lookup(b, p[0])
                ok = (r is not None and r["name"] == o.name and
                      (r["off"] + p[0] - r["start"]) % U64 == p[3] % U64)
                e = evid.setdefault(id(o), [o, False])
                if ok:
                    e[1] = True
            if not evid:
                break
            for o, ok in evid.values():
                o.kind = "mmio" if ok else "container"
        for o in self.order:
            if o.kind == "io?":
                o.kind = "container" if o.subs else "mmio"

    def rendered_pieces(self, blocks):
        """(piece, captured flat block) for every piece of every address space QEMU printed a flat view for."""
        for i, (nm, root) in enumerate(self.as_list):
            b = blocks.get(i)
            if b is None:
                continue
            fr, v = render_as(root)
            for p in v.pieces:
                yield p, b

    def decide_readonly(self):
        blocks = self.as_blocks()
        for _ in range(20):
            marked = 0
            for p, b in self.rendered_pieces(blocks):
                o = p[2]
                if p[4] or o.kind == "rom":
                    continue
                r = flat_lookup(b, p[0])
                if r is None or r["name"] != o.name or r["type"] != "rom":
                    continue
                a = p[5]
                if a is not None and not a.readonly:
                    a.readonly = True
                    marked += 1
                elif a is None and not o.readonly:
                    self.notes.append("readonly piece of %r reached without an alias" % o.name)
                    if o.kind == "ram":
                        o.readonly = True
                        marked += 1
            if not marked:
                break

    # ---- ordering
    def default_order(self):
        for o in self.order:
            kids = o.print_children
            if len(kids) < 2:
                o.subs = [(k, k.offset, k.prio) for k in kids]
                continue
            pos = {id(k): i for i, k in enumerate(kids)}
            srt = sorted(kids, key=lambda k: (-k.size, k.offset, pos[id(k)]))
            groups = {}
            for k in kids:
                groups.setdefault((k.offset, k.prio), []).append(k)
            res = list(srt)
            for g in groups.values():
                if len(g) < 2:
                    continue
                slots = sorted(i for i, k in enumerate(srt) if (k.offset, k.prio) == (g[0].offset, g[0].prio))
                for slot, k in zip(slots, reversed(g)):
                    res[slot] = k
            o.subs = [(k, k.offset, k.prio) for k in res]

    def score(self):
        if self.flat is None:
            return 0
        blocks = self.as_blocks()
        bad = 0
        for i, (nm, root) in enumerate(self.as_list):
            b = blocks.get(i)
            if b is None:
                continue
            fr, v = render_as(root)
            want = [r["line"] for r in b["ranges"]]
            got = merged_lines(v)
            if want != got:
                sw, sg = set(want), set(got)
                bad += len(sw - sg) + len(sg - sw) + (0 if (sw ^ sg) else 1)
            rn = fr.name if fr is not None else "(none)"
            if rn != b["root"]:
                bad += 1
        return bad

    def try_swaps(self):
        base = self.score()
        if base == 0:
            return
        improved = True
        rounds = 0
        while improved and base > 0 and rounds < 10:
            improved = False
            rounds += 1
            for o in self.order:
                subs = o.subs
                n = len(subs)
                if n < 2:
                    continue
                for i in range(n):
                    for j in range(i + 1, n):
                        a, b = subs[i], subs[j]
                        if a[2] != b[2] or a[1] == b[1]:
                            continue
                        if not (a[1] < b[1] + b[0].size and b[1] < a[1] + a[0].size):
                            continue
                        new = list(subs)
                        new[i], new[j] = new[j], new[i]
                        o.subs = new
                        s = self.score()
                        if s < base:
                            self.notes.append("add order swapped by flat evidence: %r <-> %r in %r"
                                              % (a[0].name, b[0].name, o.name))
                            base = s
                            subs = new
                            improved = True
                        else:
                            o.subs = subs
        if base:
            self.notes.append("flat views still differ (score %d)" % base)

    # ---- ids
    def assign_ids(self):
        uf = self.uf
        paths = {}
        for n in self.nodes:
            if n.parent is None:
                paths[n.idx] = n.name
            else:
                paths[n.idx] = paths[n.parent.idx] + "/" + n.name
        for o in self.order:
            o.defining = None
        for n in self.nodes:
            o = self.objs[uf.find(n.idx)]
            if n.parent is not None and o.defining is None:
                o.defining = n
        for o in self.order:
            if o.defining is None:
                o.defining = o.first
        used = {}
        taken = set()
        defs = sorted(self.order, key=lambda o: o.defining.idx)
        for o in defs:
            n = o.defining
            if n.parent is None and n.tree.kind == "mr" and not any(
                    m.tree.kind == "as" for m in self.members[o.cls]):
                base = "@" + n.name
            else:
                base = paths[n.idx]
            if o.placeholder:
                base = paths[n.idx]
            k = used.get(base, 0)
            cand = base if k == 0 else "%s~%d" % (base, k + 1)
            while cand in taken:
                k += 1
                cand = "%s~%d" % (base, k + 1)
            used[base] = k + 1
            taken.add(cand)
            o.id = cand
        self.id_order = defs

    # ---- output
    def to_json(self):
        regs = []
        for o in self.id_order:
            r = {"id": o.id}
            if o.name != o.id:
                r["name"] = o.name
            r["kind"] = o.kind
            r["size"] = hex(o.size)
            if not o.enabled:
                r["enabled"] = False
            if o.readonly and o.kind in ("alias", "ram"):
                r["readonly"] = True
            if o.kind == "rom_device":
                r["romd"] = True
            if o.nv:
                r["nonvolatile"] = True
            if o.kind == "alias":
                r["target"] = o.target.id
                r["target_offset"] = hex(o.toff)
            if o.subs:
                sl = []
                for k, off, pr in o.subs:
                    e = {"region": k.id, "offset": hex(off)}
                    if pr:
                        e["priority"] = pr
                    if self.overlap.get(id(k)):
                        e["overlap"] = True
                    sl.append(e)
                r["subregions"] = sl
            regs.append(r)
        return {"memmap": 1, "regions": regs,
                "address_spaces": [{"name": nm, "root": ro.id} for nm, ro in self.as_list]}

    def compute_overlap(self):
        self.overlap = {}
        for o in self.order:
            iv = sorted(((off, off + k.size, k) for k, off, pr in o.subs), key=lambda t: t[0])
            for i, (s, e, k) in enumerate(iv):
                if k.prio != 0:
                    self.overlap[id(k)] = True
                for s2, e2, k2 in iv[i + 1:]:
                    if s2 >= e:
                        break
                    self.overlap[id(k)] = True
                    self.overlap[id(k2)] = True

    def run(self):
        sols = self.alias_solutions()
        if not sols:
            raise ValueError("no consistent assignment of alias targets to sections")
        # distinct by target structure
        distinct = []
        seen = set()
        for s in sols:
            key = tuple(sorted((c, self.sections[j].root.body) for c, j in s.items()))
            if key not in seen:
                seen.add(key)
                distinct.append(s)
        if len(sols) > 1:
            self.notes.append("%d alias-target assignments (%d structurally distinct)"
                              % (len(sols), len(distinct)))
        kinds0 = {id(o): o.kind for o in self.order}

        def attempt(sol):
            for o in self.order:
                o.kind = kinds0[id(o)]
                o.readonly = False
            self.apply_aliases(sol)
            self.default_order()
            self.decide_io()
            self.decide_readonly()
            return self.score()

        scores = [attempt(s) for s in distinct[:16]] if len(distinct) > 1 else [0]
        bi = scores.index(min(scores))
        if len(distinct) > 1:
            self.notes.append("alias targets chosen by flat.txt: %d of %d distinct assignments "
                              "reproduce it best (score %d), took the first"
                              % (scores.count(min(scores)), len(scores), min(scores)))
        attempt(distinct[bi])
        self.try_swaps()
        self.assign_ids()
        self.compute_overlap()
        for o in self.order:
            if o.container is None and o.offset and o.first.tree.kind == "as":
                self.notes.append("unmapped AS root %r has own address %#x (not representable)"
                                  % (o.name, o.offset))
            if o.container is None and o.root_prio and o.first.tree.kind == "as":
                self.notes.append("unmapped AS root %r has own priority %d (not representable)"
                                  % (o.name, o.root_prio))
        return self.to_json()


def convert_dir(d, out=None):
    with open(os.path.join(d, "tree-D.txt")) as f:
        tree = f.read()
    fp = os.path.join(d, "flat.txt")
    flat = open(fp).read() if os.path.exists(fp) else None
    c = Converter(tree, flat)
    js = c.run()
    out = out or os.path.join(d, "memmap.json")
    with open(out, "w") as f:
        json.dump(js, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", nargs="?")
    ap.add_argument("-o", "--out")
    ap.add_argument("--all", metavar="DIR")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    dirs = []
    if a.all:
        dirs = [os.path.join(a.all, x) for x in sorted(os.listdir(a.all))
                if os.path.exists(os.path.join(a.all, x, "tree-D.txt"))]
    elif a.case:
        dirs = [a.case]
    else:
        ap.error("give a case folder or --all DIR")
    rc = 0
    for d in dirs:
        try:
            c = convert_dir(d, a.out if not a.all else None)
            print("%-40s ok%s" % (os.path.basename(d.rstrip("/")),
                                  "" if not c.notes else "  (%d notes)" % len(c.notes)))
            if a.verbose:
                for n in c.notes:
                    print("    note:", n)
        except Exception as e:  # report and go on
            rc = 1
            print("%-40s FAILED: %s" % (os.path.basename(d.rstrip("/")), e))
            if a.verbose:
                import traceback
                traceback.print_exc()
    return rc


if __name__ == "__main__":
    sys.exit(main())
