#!/usr/bin/python3
"""args_fixture.py DIR DIALECT GOLDEN_DIR: an Alembic project made by the real
CLI (fixtures.py's init/revision/fill) with one revision per golden case of
tests/alembic/golden/args/ that Alembic itself accepts on DIALECT (no
CASE.DIALECT.error), in file-name order, each with a `pass` downgrade.
Prints NAME=REVISION lines and writes DIR/ids.sh, as fixtures.py does."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402


def main():
    proj, dialect, golden = sys.argv[1], sys.argv[2], sys.argv[3]
    fixtures.init(proj)
    ids = []
    for f in sorted(os.listdir(golden)):
        if not f.endswith(".py"):
            continue
        name = f[:-3]
        if os.path.exists(os.path.join(golden, f"{name}.{dialect}.error")):
            continue
        rev, p = fixtures.revision(proj, "revision", "-m", f"args {name}")
        fixtures.fill(p, open(os.path.join(golden, f)).read(), None)
        ids.append((name, rev))
    fixtures.emit(proj, ids)


if __name__ == "__main__":
    main()
