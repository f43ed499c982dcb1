#!/usr/bin/python3
"""blocks.py alembic|strata IN OUTDIR: split an offline SQL script into one
block per revision.

  alembic: the stdout of `alembic upgrade ... --sql`; a block starts at
           `-- Running upgrade <from> -> <to>` and belongs to <to>
  strata:  the stdout of `strata apply --dry-run`; a block starts at
           `-- apply app:<rev> <name> (<file>)` and belongs to <rev>

Per revision, OUTDIR gets REV.raw (the statements as printed, each ending in
";" and separated by one blank line), REV.norm (one statement per line,
whitespace runs collapsed to one space) and, for strata, REV.hdr (the header
line).  Dropped from both: lines that are exactly BEGIN; or COMMIT;, the text
before the first header (alembic: CREATE TABLE alembic_version), strata's
closing "-- N migrations would be applied" line and every statement that
mentions alembic_version.  OUTDIR/order lists the revisions in
the order they were printed.
"""
import os
import re
import sys

# strata's closing line: "-- N migrations would be applied; nothing was changed".
TRAILER = re.compile(r"^-- \d+ migrations? would be ")
HEAD = {
    "alembic": re.compile(r"^-- Running upgrade (?:.*) -> (\S+)$"),
    "strata": re.compile(r"^-- apply app:(\S+) .*$"),
}


def main():
    kind, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    head = HEAD[kind]
    blocks, order, cur = {}, [], None
    for line in open(src, encoding="utf-8").read().split("\n"):
        m = head.match(line)
        if m:
            cur = m.group(1)
            if cur in blocks:
                sys.exit(f"{src}: revision {cur} printed twice")
            order.append(cur)
            blocks[cur] = []
            if kind == "strata":
                open(os.path.join(out, cur + ".hdr"), "w").write(line + "\n")
            continue
        if cur is None or line in ("BEGIN;", "COMMIT;"):
            continue
        if kind == "strata" and TRAILER.match(line):
            continue
        blocks[cur].append(line)
    for rev in order:
        body = "\n".join(blocks[rev]).strip("\n")
        stmts = [s.strip() for s in re.split(r"(?<=;)\n[ \t]*\n", body)]
        stmts = [s for s in stmts if s and "alembic_version" not in s]
        with open(os.path.join(out, rev + ".raw"), "w") as f:
            f.write("\n\n".join(stmts) + ("\n" if stmts else ""))
        with open(os.path.join(out, rev + ".norm"), "w") as f:
            f.write("".join(" ".join(s.split()) + "\n" for s in stmts))
    open(os.path.join(out, "order"), "w").write("".join(r + "\n" for r in order))


if __name__ == "__main__":
    main()
