#!/usr/bin/env python3
"""core/'s layering, read off the objects: the build's include paths keep a
layer from naming what is above it; this checks what the linker sees.

usage: layers.py SRCDIR LAYER=ARCHIVE... TOP=ARCHIVE [--graph]

Each LAYER=ARCHIVE is one of core's folders, in data-flow order, with its
static library; TOP is libstrata's internal archive (its members that are
in no layer are the top: strata.c).  TAP output:
  1  no file-level cycle between core's objects (nm: who defines what the
     others leave undefined);
  2  every reference goes to the object's own layer or one before it;
  3  plugins' role tables are called only in core/plugins/call.c (the one
     funnel), checked on the sources since calls through pointers leave no
     symbol.
--graph prints "folder -> folders it uses" instead.
"""
import os
import re
import subprocess
import sys


def members(archive):
    """member -> (defined symbols, undefined symbols)"""
    out = subprocess.run(["nm", "-A", archive], check=True, capture_output=True,
                         text=True).stdout
    objs = {}
    for line in out.splitlines():
        # lib.a:member.o: 0000000000000000 T name   |   lib.a:member.o:    U name
        m = re.match(r"^[^:]+:([^:]+):\s*(?:[0-9a-f]+\s+)?([A-Za-z])\s+(\S+)$", line)
        if not m:
            continue
        obj, kind, sym = m.groups()
        d, u = objs.setdefault(obj, (set(), set()))
        if kind == "U":
            u.add(sym)
        elif kind in "TDBRGSVW" or kind in "tdbr" and False:
            d.add(sym)
    return objs


def main(argv):
    graph_only = "--graph" in argv
    argv = [a for a in argv if a != "--graph"]
    src, specs = argv[0], argv[1:]
    layers, rank, owner, objs = [], {}, {}, {}
    top_archive = None
    for spec in specs:
        name, archive = spec.split("=", 1)
        if name == "TOP":
            top_archive = archive
            continue
        rank[name] = len(layers)
        layers.append(name)
        for obj, du in members(archive).items():
            owner[obj] = name
            objs[obj] = du
    if top_archive:
        rank["strata.c"] = len(layers)
        layers.append("strata.c")
        for obj, du in members(top_archive).items():
            if obj not in owner:
                owner[obj] = "strata.c"
                objs[obj] = du
    definer = {}
    for obj, (d, _) in objs.items():
        for sym in d:
            definer[sym] = obj
    edges = {o: set() for o in objs}
    for obj, (_, u) in objs.items():
        for sym in u:
            t = definer.get(sym)
            if t and t != obj:
                edges[obj].add((t, sym))

    if graph_only:
        for name in layers:
            uses = sorted({owner[t] for o in objs if owner[o] == name for t, _ in edges[o]}
                          - {name}, key=lambda n: rank[n])
            print(f"{name} -> {', '.join(uses) if uses else '(nothing)'}")
        return 0

    print("1..3")
    # 1: cycles (Tarjan's strongly connected components)
    index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w, _ in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(objs):
        if v not in index:
            strong(v)
    if sccs:
        print("not ok 1 - no file-level cycle between core's objects")
        for c in sccs:
            print(f"# cycle: {' '.join(c)}")
    else:
        print(f"ok 1 - no file-level cycle between core's objects ({len(objs)} objects)")

    # 2: upward references
    up = [(o, t, s) for o in objs for t, s in edges[o] if rank[owner[t]] > rank[owner[o]]]
    if up:
        print("not ok 2 - every reference goes to its own layer or an earlier one")
        for o, t, s in sorted(up):
            print(f"# {owner[o]}/{o} uses {s} of {owner[t]}/{t}")
    else:
        print("ok 2 - every reference goes to its own layer or an earlier one")

    # 3: calls through plugin role tables outside the funnel
    call = re.compile(r"(->\s*(source|tracker|driver)\s*->\s*\w+\s*\(|\bops\s*->\s*\w+\s*\()")
    bad = []
    core = os.path.join(src, "core")
    for root, _, files in os.walk(core):
        for f in files:
            if not f.endswith(".c"):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)
            if rel == os.path.join("core", "plugins", "call.c"):
                continue
            for i, line in enumerate(open(path, encoding="utf-8"), 1):
                if call.search(line):
                    bad.append(f"{rel}:{i}: {line.strip()}")
    if bad:
        print("not ok 3 - plugins' role tables are called only in core/plugins/call.c")
        for b in bad:
            print(f"# {b}")
    else:
        print("ok 3 - plugins' role tables are called only in core/plugins/call.c")
    return 1 if (sccs or up or bad) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
