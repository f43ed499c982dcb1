#!/usr/bin/env bash
# alembic.sh STRATA [N]: strata's alembic plugin against the real Alembic
# (Debian: alembic 1.8.1, SQLAlchemy 1.4, psycopg2; /usr/bin/alembic) on N
# linear revisions (default 1000) in the 1.8 template, each
# op.execute('CREATE TABLE t_i (id int primary key)'), written directly by
# tests/interop/alembic/fixtures.py (N `alembic revision` calls would be O(N^2)).
# PostgreSQL on a private cluster (tests/pg/cluster.sh) started here and
# stopped at exit, and SQLite files.  Medians measured in this run:
#  1. reading (fully applied database): `strata ledger` vs `alembic history`,
#     `strata status` vs `alembic current`, median of STATUS_REPS
#     (target: strata >= 40x faster, issue 14);
#  2. `strata apply` vs `alembic upgrade head` onto an empty PostgreSQL
#     database and an empty SQLite file, median of REPS, fresh database each
#     (target: strata >= 3x faster).
# Exit 0 when every target is met, 1 when one is missed, 2 on an error.
set -euo pipefail
STRATA=${1:?usage: alembic.sh STRATA [N]}
N=${2:-1000} REPS=${REPS:-3} STATUS_REPS=${STATUS_REPS:-5}
STRATA=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
here=$(cd "$(dirname "$0")" && pwd)
interop=$here/../interop/alembic
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
bench_need_alembic alembic.sh
unset DATABASE_URL
bench_cluster alembicbench
bench_alembic_history "$work/proj" "$N"

BENCH_DIR="$here" "$PY" - "$STRATA" "$N" "$REPS" "$STATUS_REPS" "$STRATA_TEST_PG" "$work/proj" "$work" <<'PY'
import os, sqlite3, statistics, subprocess, sys, time
strata, n, reps, status_reps, base, proj, work = sys.argv[1:8]
n, reps, status_reps = int(n), int(reps), int(status_reps)

sys.path.insert(0, os.environ["BENCH_DIR"])
from pgbench import QUIET, fresh, url as url_of  # noqa: E402

host, port = os.environ["PGHOST"], os.environ["PGPORT"]
lite = lambda name: os.path.join(work, name + ".db")

def surl(kind, db):
    return url_of(base, db) if kind == "pg" else "sqlite:" + lite(db)

def aurl(kind, db):
    if kind == "pg":
        return f"postgresql+psycopg2://{os.environ['PGUSER']}@/{db}?host={host}&port={port}"
    return "sqlite:///" + lite(db)

def empty(kind, db):
    if kind == "pg":
        fresh(db)
    elif os.path.exists(lite(db)):
        os.remove(lite(db))

def wall(argv, env=None, expect=0):
    t0 = time.perf_counter()
    p = subprocess.run(argv, cwd=proj, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    w = time.perf_counter() - t0
    if p.returncode != expect:
        print(f"{argv} exited {p.returncode}:\n{p.stdout.decode()[-2000:]}\n{p.stderr.decode()[-2000:]}",
              file=sys.stderr)
        sys.exit(2)
    return w, p.stdout.decode()

def strata_cmd(kind, db, *args):
    return [strata, "-q", "--db", surl(kind, db), *args]

def alembic(kind, db, *args):
    env = dict(os.environ, ALEMBIC_URL=aurl(kind, db))
    return ["/usr/bin/alembic", *args], env

def heads(kind, db):
    """alembic_version's rows and the number of t_* tables."""
    if kind == "pg":
        q = lambda sql: subprocess.run(["psql", "-X", "-t", "-A", "-d", db, "-c", sql], check=True,
                                       capture_output=True, env=QUIET).stdout.decode().split()
        rows = q("SELECT version_num FROM alembic_version")
        tabs = q("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\\_%'")
        return rows, int(tabs[0])
    c = sqlite3.connect(lite(db))
    rows = [r[0] for r in c.execute("SELECT version_num FROM alembic_version")]
    tabs = c.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 't\\_%' ESCAPE '\\'").fetchone()[0]
    c.close()
    return rows, tabs

last = subprocess.run(["/usr/bin/alembic", "heads"], cwd=proj, capture_output=True, check=True,
                      env=dict(os.environ, ALEMBIC_URL="sqlite://")).stdout.decode().split()[0]
ms = lambda x: f"{x*1000:9.1f} ms"
rng = lambda r: f"{min(r)*1000:.0f}-{max(r)*1000:.0f}"
rows, ok_all = [], True

def record(what, s_runs, a_runs, target, note):
    global ok_all
    s, a = statistics.median(s_runs), statistics.median(a_runs)
    r = a / s
    ok = r >= target
    ok_all &= ok
    rows.append((what, s, a, r, target, ok, f"strata {rng(s_runs)} ms, alembic {rng(a_runs)} ms, {note}"))

print(f"strata vs alembic 1.8.1 (SQLAlchemy 1.4, psycopg2), N={n} linear revisions")

# 2. apply onto an empty database, interleaved so drift hits both alike.
for kind in ("pg", "sqlite"):
    s_runs, a_runs = [], []
    for i in range(reps):
        empty(kind, "bench_strata")
        s_runs.append(wall(strata_cmd(kind, "bench_strata", "apply"))[0])
        empty(kind, "bench_alembic")
        argv, env = alembic(kind, "bench_alembic", "upgrade", "head")
        a_runs.append(wall(argv, env)[0])
    for db in ("bench_strata", "bench_alembic"):
        got = heads(kind, db)
        if got != ([last], n):
            sys.exit(f"{kind} {db}: alembic_version {got[0]}, {got[1]} tables; expected [{last!r}], {n}")
    record(f"apply, empty {kind}: strata apply / alembic upgrade head", s_runs, a_runs, 3,
           f"median of {reps}, fresh database each")

# 1. reading, on the database alembic migrated (and, as a cross-check, each
# tool is up to date on the other's).
for kind in ("pg", "sqlite"):
    for db in ("bench_strata", "bench_alembic"):
        wall(strata_cmd(kind, db, "status"))
        argv, env = alembic(kind, db, "current")
        _, out = wall(argv, env)
        if out.split()[:1] != [last]:
            sys.exit(f"{kind} {db}: alembic current printed {out!r}, expected {last} (head)")
wall(strata_cmd("pg", "bench_alembic", "ledger"))  # warm the page cache
s_runs = [wall(strata_cmd("pg", "bench_alembic", "ledger"))[0] for _ in range(status_reps)]
argv, env = alembic("pg", "bench_alembic", "history")
a_runs = [wall(argv, env)[0] for _ in range(status_reps)]
record("read: strata ledger / alembic history", s_runs, a_runs, 40, f"median of {status_reps}")
s_led, a_hist = s_runs, a_runs
for kind in ("pg", "sqlite"):
    s_runs = [wall(strata_cmd(kind, "bench_alembic", "status"))[0] for _ in range(status_reps)]
    argv, env = alembic(kind, "bench_alembic", "current")
    a_runs = [wall(argv, env)[0] for _ in range(status_reps)]
    record(f"read, applied {kind}: strata status / alembic current", s_runs, a_runs, 40,
           f"median of {status_reps}")
    if kind == "pg":
        record("read, pg: ledger+status / history+current",
               [x + y for x, y in zip(s_led, s_runs)], [x + y for x, y in zip(a_hist, a_runs)], 40,
               "sums of paired runs")

# The floor of any tool that commits each migration on its own, as strata
# does: the shells running the same CREATE TABLEs, one BEGIN/COMMIT each.
script = os.path.join(work, "per_migration_tx.sql")
with open(script, "w") as f:
    for i in range(1, n + 1):
        f.write(f"BEGIN;\nCREATE TABLE t_{i} (id int primary key);\nCOMMIT;\n")
floors = {}
for kind in ("pg", "sqlite"):
    runs = []
    for i in range(reps):
        empty(kind, "bench_floor")
        if kind == "pg":
            runs.append(wall(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "bench_floor", "-f", script],
                             QUIET)[0])
        else:
            t0 = time.perf_counter()
            with open(script) as f:
                subprocess.run(["sqlite3", lite("bench_floor")], stdin=f, check=True)
            runs.append(time.perf_counter() - t0)
    floors[kind] = statistics.median(runs)

w = max(len(r[0]) for r in rows)
print(f"{'case':<{w}}  {'strata':>12}  {'alembic':>12}  {'ratio':>8}  target")
for what, s, a, r, target, ok, note in rows:
    print(f"{what:<{w}}  {ms(s)}  {ms(a)}  {r:7.1f}x  >= {target}x {'OK' if ok else 'MISSED'}")
    print(f"{'':<{w}}    ({note})")
print("floor, one transaction per migration (same CREATE TABLEs, no tracking):")
for kind, f in floors.items():
    s = statistics.median([r[1] for r in rows if r[0].startswith(f"apply, empty {kind}")] or [float("nan")])
    print(f"  {kind}: {'psql -f' if kind == 'pg' else 'sqlite3 <'} {ms(f)}; strata apply / floor = {s / f:.2f}x")
sys.exit(0 if ok_all else 1)
PY
