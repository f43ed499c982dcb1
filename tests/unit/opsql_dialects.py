#!/usr/bin/env python3
"""The Alembic translator's dialects stay in their files (issue 13).

usage: opsql_dialects.py PLUGINDIR

PLUGINDIR is plugins/alembic.  TAP output:
  1  outside opsql_<dialect>.c no code asks which dialect it is: no
     OPSQL_SQLITE / OPSQL_POSTGRESQL (but the rows of opsql_dialects[] in
     opsql.c), no &opsql_<dialect>, no comparison of a dialect pointer, no
     "sqlite" / "postgresql" literal, no ->pg / ->d field;
  2  every dialect file defines one `const opsql_dialect_def opsql_<name>`
     whose .name is <name>, and opsql.c lists it in opsql_dialects[];
  3  op_call() dispatches through the op table: no strcmp chain in
     opsql_optab.c outside optab_find().
Comments are ignored.
"""
import os
import re
import sys


def code(path):
    """the file without comments, line numbers kept"""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def main():
    d = sys.argv[1]
    files = sorted(f for f in os.listdir(d) if f.startswith("opsql") and f.endswith((".c", ".h")))
    dialects = [f for f in files if re.fullmatch(r"opsql_[a-z0-9]+\.c", f) and
                re.search(r"^const opsql_dialect_def opsql_", code(os.path.join(d, f)), re.M)]
    names = [f[len("opsql_"):-2] for f in dialects]
    bad = []
    pats = [
        (r"\bOPSQL_(SQLITE|POSTGRESQL)\b", "a dialect enum value"),
        (r"&\s*opsql_(%s)\b" % "|".join(names or ["-"]), "a dialect definition"),
        (r"\bdd\s*[!=]=|[!=]=\s*(c->)?dd\b", "a comparison of the dialect"),
        (r"\"(%s)\"" % "|".join(names or ["-"]), "a dialect's name"),
        (r"->\s*(pg|d)\b(?!\s*\()", "a dialect field"),
    ]
    for f in files:
        if f in dialects or f == "opsql.h" or f == "opsql_dialect.h":
            continue
        for no, line in enumerate(code(os.path.join(d, f)).split("\n"), 1):
            for pat, what in pats:
                if re.search(pat, line):
                    # opsql.c: the registry rows [OPSQL_X] = &opsql_x only
                    if f == "opsql.c" and re.fullmatch(r"\s*\[OPSQL_[A-Z0-9]+\] = &opsql_[a-z0-9]+,\s*", line):
                        continue
                    bad.append("%s:%d: %s: %s" % (f, no, what, line.strip()))
    print("1..3")
    for b in bad:
        print("# " + b)
    print(("ok" if not bad and dialects else "not ok") + " 1 - no branch on the dialect outside %s" %
          ", ".join(dialects))

    reg = code(os.path.join(d, "opsql.c"))
    miss = []
    for f, n in zip(dialects, names):
        src = code(os.path.join(d, f))
        m = re.search(r"^const opsql_dialect_def opsql_%s = \{(.*?)^\};" % n, src, re.M | re.S)
        if not m or not re.search(r"\.name\s*=\s*\"%s\"" % n, m.group(1)):
            miss.append("%s: no opsql_%s with .name = \"%s\"" % (f, n, n))
        if not re.search(r"\[OPSQL_%s\]\s*=\s*&opsql_%s\b" % (n.upper(), n), reg):
            miss.append("opsql.c: opsql_dialects[] lacks opsql_%s" % n)
    for b in miss:
        print("# " + b)
    print(("ok" if not miss and len(dialects) >= 2 else "not ok") + " 2 - %d dialects, each one file in the registry" %
          len(dialects))

    tab = code(os.path.join(d, "opsql_optab.c"))
    body = re.sub(r"const opdef \*optab_find\(.*?\n\}", "", tab, flags=re.S)
    n = len(re.findall(r"\bstrn?cmp\s*\(", body))
    print(("ok" if n == 0 and "optab_find(" in tab else "not ok") +
          " 3 - op_call() dispatches through the op table (%d strcmp outside optab_find)" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
