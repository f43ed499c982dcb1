#!/usr/bin/python3
"""regen.py [--check] [CASE...]: the expected SQL of the golden cases, from
the real Alembic.

For each NN-slug.py in this folder (or the CASEs named: "07", "07-…" or a
path), and for each dialect, a throw-away project is made with the real
`alembic init -t generic`; its one revision is module-head.py, then
`def upgrade():` with the case's body indented by four spaces, then
`def downgrade(): pass` (the module the unit test builds, see README.md).
`alembic upgrade head --sql` runs offline against a sqlite:/// or
postgresql:// URL (no server is contacted) and writes

  NN-slug.<dialect>.sql      what Alembic printed for the revision: the text
                             after its `-- Running upgrade  -> <rev>` line,
                             without the INSERT INTO alembic_version that
                             follows the revision and what comes after it
                             (Alembic's own header and version-table lines);
  NN-slug.<dialect>.refused  when Alembic raised: the exception's last line
                             ("NotImplementedError: No support for ALTER …"),
                             a repr's " object at 0x…" dropped.

A stale .sql / .refused of the other kind is removed.  *.untranslatable
files are strata's (a construct the translator declines, with the reason it
gives) and are never touched.  --check writes nothing and exits 1 when a
file would change (a peer upgrade is then a command and a diff to read).

Needs the Debian packages alembic (1.8.1) and python3-sqlalchemy (1.4),
python3-psycopg2 for the PostgreSQL dialect; refuses other versions.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REV = "0a1b2c3d4e5f"
URLS = {
    "postgresql": "postgresql://strata@localhost/golden",
    "sqlite": "sqlite:///golden.db",
}
WANT = {"alembic": "1.8.1", "sqlalchemy": "1.4."}


def versions():
    """the alembic and SQLAlchemy the `alembic` on PATH runs with"""
    exe = shutil.which("alembic")
    if not exe:
        sys.exit("regen.py: no alembic on PATH (Debian: apt-get install alembic)")
    with open(exe, encoding="utf-8", errors="replace") as f:
        first = f.readline()
    py = first[2:].strip().split()[0] if first.startswith("#!") else sys.executable
    out = subprocess.run([py, "-c", "import alembic, sqlalchemy; print(alembic.__version__, sqlalchemy.__version__)"],
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit("regen.py: cannot import alembic / sqlalchemy with %s: %s" % (py, out.stderr.strip()))
    a, s = out.stdout.split()
    if a != WANT["alembic"] or not s.startswith(WANT["sqlalchemy"]):
        sys.exit("regen.py: alembic %s / SQLAlchemy %s; the golden files are Alembic %s with SQLAlchemy %sx"
                 % (a, s, WANT["alembic"], WANT["sqlalchemy"]))
    return a, s


def module(body):
    """module-head.py + def upgrade(): body + def downgrade(): pass"""
    head = open(os.path.join(HERE, "module-head.py"), encoding="utf-8").read()
    lines = ["    " + l if l else l for l in body.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return head + "def upgrade():\n" + "".join(l + "\n" for l in lines) + "\n\ndef downgrade():\n    pass\n"


def cut(stdout):
    """the revision's block of an offline script"""
    m = re.search(r"^-- Running upgrade  -> %s\n\n" % REV, stdout, re.M)
    if not m:
        raise ValueError("no '-- Running upgrade' line in Alembic's output")
    rest = stdout[m.end():]
    v = re.search(r"^INSERT INTO alembic_version\b", rest, re.M)
    if not v:
        raise ValueError("no INSERT INTO alembic_version after the revision")
    return rest[:v.start()]


def settings_stub():
    """app_settings.py for the revisions that read settings.X: the values of
    the file `assume` (KEY=VALUE lines, what strata's assume: gives the
    translator), as Python literals read the way strata reads them"""
    lines = ['"""The application\'s settings, a stub for the golden cases (from `assume`)."""\n\n\n',
             "class settings:\n"]
    path = os.path.join(HERE, "assume")
    maps = {}  # settings.M.K: the mapping M holds K (read as M.get("K"))
    for line in open(path, encoding="utf-8").read().splitlines() if os.path.exists(path) else []:
        key, _, value = line.partition("=")
        if not key.startswith("settings."):
            continue
        lit = {"true": "True", "false": "False", "null": "None", "~": "None"}.get(value)
        if lit is None:
            try:
                lit = repr(int(value))
            except ValueError:
                try:
                    lit = repr(float(value))
                except ValueError:
                    lit = repr(value)
        name = key[len("settings."):]
        if "." in name:
            m, _, k = name.partition(".")
            maps.setdefault(m, []).append("%r: %s" % (k, lit))
            continue
        lines.append("    %s = %s\n" % (name, lit))
    for m, items in maps.items():
        lines.append("    %s = {%s}\n" % (m, ", ".join(items)))
    if len(lines) == 2:
        lines.append("    pass\n")
    return "".join(lines)


def project(tmp, dialect):
    """a fresh `alembic init` project for the dialect; returns its ini"""
    d = os.path.join(tmp, dialect)
    r = subprocess.run(["alembic", "init", "-t", "generic", os.path.join(d, "proj")], cwd=tmp,
                       capture_output=True, text=True)
    if r.returncode:
        sys.exit("regen.py: alembic init failed: " + r.stderr.strip())
    ini = os.path.join(tmp, "alembic.ini")
    text = open(ini, encoding="utf-8").read()
    text = re.sub(r"^sqlalchemy\.url = .*$", "sqlalchemy.url = " + URLS[dialect], text, flags=re.M)
    text = re.sub(r"^script_location = .*$", "script_location = " + os.path.join(d, "proj"), text, flags=re.M)
    os.makedirs(d, exist_ok=True)
    dst = os.path.join(d, "alembic.ini")
    open(dst, "w", encoding="utf-8").write(text)
    os.remove(ini)
    # alembic.ini's prepend_sys_path = . : the revision imports it from here
    open(os.path.join(d, "app_settings.py"), "w", encoding="utf-8").write(settings_stub())
    return dst


def run(ini, dialect, body):
    """(kind, text): ("sql", block) or ("refused", exception line)"""
    d = os.path.dirname(ini)
    vdir = os.path.join(d, "proj", "versions")
    for f in glob.glob(os.path.join(vdir, "*")):
        if os.path.isfile(f):
            os.remove(f)
    shutil.rmtree(os.path.join(vdir, "__pycache__"), ignore_errors=True)
    open(os.path.join(vdir, REV + "_op.py"), "w", encoding="utf-8").write(module(body))
    r = subprocess.run(["alembic", "-c", ini, "upgrade", "head", "--sql"], cwd=d, capture_output=True, text=True)
    if r.returncode == 0:
        return "sql", cut(r.stdout)
    last = [l for l in r.stderr.strip().split("\n") if l.strip()]
    if not last or not re.match(r"^[\w.]+(Error|Exception)\b", last[-1]):
        raise ValueError("alembic failed without an exception line:\n" + r.stderr)
    # the one varying part: a compiler's repr carries its address
    return "refused", re.sub(r" object at 0x[0-9a-f]+>", ">", last[-1]) + "\n"


SKIP_NEWER = True  # regen_newer.py clears it


def newer():
    """the cases of `newer-alembic` (their SQL is regen_newer.py's)"""
    path = os.path.join(HERE, "newer-alembic")
    if not SKIP_NEWER or not os.path.exists(path):
        return set()
    return {l.split()[0] for l in open(path, encoding="utf-8") if l.strip() and not l.startswith("#")}


def set_order():
    """the cases of `set-order`: Alembic prints their statements in a set's
    order, different from run to run (strata declines them); no .sql kept"""
    path = os.path.join(HERE, "set-order")
    if not os.path.exists(path):
        return set()
    return {l.split()[0] for l in open(path, encoding="utf-8") if l.strip() and not l.startswith("#")}


def cases(args):
    skip = newer() | set_order()
    allc = sorted(c for c in glob.glob(os.path.join(HERE, "[0-9]*-*.py"))
                  if os.path.basename(c)[:-3] not in skip)
    if not args:
        return allc
    out = []
    for a in args:
        b = os.path.basename(a)
        b = b[:-3] if b.endswith(".py") else b
        hit = [c for c in allc if os.path.basename(c)[:-3] == b or os.path.basename(c).startswith(b + "-")]
        if not hit:
            sys.exit("regen.py: no case %s" % a)
        out += hit
    return out


def main():
    check = "--check" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "--check"]
    a, s = versions()
    changed = 0
    with tempfile.TemporaryDirectory(prefix="strata-golden-") as tmp:
        inis = {d: project(tmp, d) for d in URLS}
        for path in cases(args):
            base = path[:-3]
            body = open(path, encoding="utf-8").read()
            for dialect, ini in inis.items():
                try:
                    kind, text = run(ini, dialect, body)
                except ValueError as e:
                    sys.exit("regen.py: %s on %s: %s" % (os.path.basename(path), dialect, e))
                want = "%s.%s.%s" % (base, dialect, kind)
                other = "%s.%s.%s" % (base, dialect, "refused" if kind == "sql" else "sql")
                old = open(want, encoding="utf-8").read() if os.path.exists(want) else None
                if old != text or os.path.exists(other):
                    changed += 1
                    print("%s %s" % ("would change" if check else "wrote", os.path.relpath(want, HERE)))
                    if not check:
                        open(want, "w", encoding="utf-8").write(text)
                        if os.path.exists(other):
                            os.remove(other)
    print("# alembic %s, SQLAlchemy %s: %d file(s) %s" % (a, s, changed, "differ" if check else "written"))
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
