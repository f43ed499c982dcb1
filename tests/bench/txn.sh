#!/usr/bin/env bash
# txn.sh STRATA [N]: `strata apply --single-transaction` (all or nothing, one
# transaction for the whole batch, tracking rows included) against the real
# tools applying the same N migrations (default 1000) to an empty PostgreSQL
# database, on a private cluster (tests/pg/cluster.sh) started here and
# stopped at exit:
#  1. an Alembic history (N linear revisions in the 1.8 template, written by
#     tests/interop/alembic/fixtures.py as alembic.sh does): strata vs
#     `alembic upgrade head` (/usr/bin/alembic 1.8.1, SQLAlchemy 1.4, psycopg2),
#     on PostgreSQL and, as alembic.sh does, on an empty SQLite file;
#  2. a Prisma history (N migrations, one small table each, as prisma.sh
#     writes them): strata vs `prisma migrate deploy` (tests/interop/prisma;
#     installed into $STRATA_PRISMA_HOME by its setup.sh when missing).
# Each command on a fresh database, interleaved, median of REPS (default 3);
# strata's default mode (one transaction per migration) is measured too, for
# reference, and the floor: the database's shell running the same CREATE
# TABLEs in one transaction, no tracking at all (psql -1 -f, sqlite3).  Prints figures and ratios with the target (>= 3x); exit 0 once
# every run finished and each database holds what it must, 2 on an error.
set -euo pipefail
STRATA=${1:?usage: txn.sh STRATA [N]}
N=${2:-1000} REPS=${REPS:-3}
STRATA=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
bench_need_alembic txn.sh
unset DATABASE_URL
export STRATA_PRISMA_HOME=${STRATA_PRISMA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/prisma}
bash "$here/../interop/prisma/setup.sh" "$STRATA_PRISMA_HOME"
bench_cluster txnbench

bench_alembic_history "$work/alembic" "$N"
bench_prisma_history "$work/prisma" "$N"

BENCH_DIR="$here" "$PY" - "$STRATA" "$N" "$REPS" "$STRATA_TEST_PG" "$work" \
	"$here/../interop/prisma/run-prisma.sh" <<'PY'
import os, sqlite3, statistics, subprocess, sys, time
strata, n, reps, base, work, runprisma = sys.argv[1:7]
n, reps = int(n), int(reps)
sys.path.insert(0, os.environ["BENCH_DIR"])
from pgbench import QUIET, fresh, url as url_of  # noqa: E402

host, port, user = os.environ["PGHOST"], os.environ["PGPORT"], os.environ["PGUSER"]
alembic_proj, prisma_proj = os.path.join(work, "alembic"), os.path.join(work, "prisma")

def wall(argv, cwd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    w = time.perf_counter() - t0
    if p.returncode != 0:
        print(f"{argv} exited {p.returncode}:\n{p.stdout.decode()[-2000:]}\n{p.stderr.decode()[-2000:]}",
              file=sys.stderr)
        sys.exit(2)
    return w, p.stdout.decode()

def one(db, sql):
    return subprocess.run(["psql", "-X", "-t", "-A", "-d", db, "-c", sql], check=True,
                          capture_output=True, env=QUIET).stdout.decode().strip()

def tables(db):
    return int(one(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\\_%'"))

def strata_apply(proj, db, *mode):
    fresh(db)
    w, out = wall([strata, "--db", url_of(base, db), "apply", *mode], proj)
    said = f"{n} migrations applied to "
    if said not in out or ("--single-transaction" in mode) != out.rstrip().endswith("in one transaction"):
        sys.exit(f"strata apply {' '.join(mode)} said:\n{out[-500:]}")
    return w

def alembic_upgrade(db):
    fresh(db)
    env = dict(os.environ, ALEMBIC_URL=f"postgresql+psycopg2://{user}@/{db}?host={host}&port={port}")
    return wall(["/usr/bin/alembic", "upgrade", "head"], alembic_proj, env)[0]

def prisma_deploy(db):
    fresh(db)
    w, out = wall(["bash", runprisma, url_of(base, db), prisma_proj + "/prisma", "migrate", "deploy"],
                  prisma_proj)
    if "All migrations have been successfully applied." not in out:
        sys.exit(f"prisma migrate deploy did not report success:\n{out[-1000:]}")
    return w

def alembic_sqlite(path):
    if os.path.exists(path):
        os.remove(path)
    env = dict(os.environ, ALEMBIC_URL="sqlite:///" + path)
    return wall(["/usr/bin/alembic", "upgrade", "head"], alembic_proj, env)[0]

def strata_sqlite(path, *mode):
    if os.path.exists(path):
        os.remove(path)
    return wall([strata, "-q", "--db", "sqlite:" + path, "apply", *mode], alembic_proj)[0]

floor_sql = os.path.join(work, "floor.sql")
with open(floor_sql, "w") as f:
    f.write("BEGIN;\n" + "".join(f"CREATE TABLE t_{i} (id int primary key);\n" for i in range(1, n + 1))
            + "COMMIT;\n")

def floor_pg(db):
    fresh(db)
    return wall(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", floor_sql], work, QUIET)[0]

def floor_sqlite(path):
    if os.path.exists(path):
        os.remove(path)
    t0 = time.perf_counter()
    with open(floor_sql) as f:
        subprocess.run(["sqlite3", path], stdin=f, check=True)
    return time.perf_counter() - t0

lite = lambda name: os.path.join(work, name + ".db")
runs = {k: [] for k in ("a_single", "a_default", "alembic", "a_floor", "l_single", "l_default",
                        "l_alembic", "l_floor", "p_single", "p_default", "prisma")}
for _ in range(reps):  # interleaved, so that the machine's load hits all alike
    runs["a_single"].append(strata_apply(alembic_proj, "b_a_single", "--single-transaction"))
    runs["a_default"].append(strata_apply(alembic_proj, "b_a_default"))
    runs["alembic"].append(alembic_upgrade("b_alembic"))
    runs["a_floor"].append(floor_pg("b_floor"))
    runs["l_single"].append(strata_sqlite(lite("l_single"), "--single-transaction"))
    runs["l_default"].append(strata_sqlite(lite("l_default")))
    runs["l_alembic"].append(alembic_sqlite(lite("l_alembic")))
    runs["l_floor"].append(floor_sqlite(lite("l_floor")))
    runs["p_single"].append(strata_apply(prisma_proj, "b_p_single", "--single-transaction"))
    runs["p_default"].append(strata_apply(prisma_proj, "b_p_default"))
    runs["prisma"].append(prisma_deploy("b_prisma"))

# Every database holds the N tables and its tracker says so.
for db in ("b_a_single", "b_a_default", "b_alembic", "b_p_single", "b_p_default", "b_prisma"):
    if tables(db) != n:
        sys.exit(f"{db}: {tables(db)} tables, expected {n}")
for db in ("b_a_single", "b_a_default", "b_alembic"):
    if one(db, "SELECT count(*) FROM alembic_version") != "1":
        sys.exit(f"{db}: alembic_version does not hold the one head")
for name in ("l_single", "l_default", "l_alembic"):
    c = sqlite3.connect(lite(name))
    got = (c.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 't\\_%' ESCAPE '\\'").fetchone()[0],
           c.execute("SELECT count(*) FROM alembic_version").fetchone()[0])
    c.close()
    if got != (n, 1):
        sys.exit(f"{name}.db: {got[0]} tables, {got[1]} alembic_version rows; expected {n}, 1")
for db in ("b_p_single", "b_p_default", "b_prisma"):
    got = one(db, "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL")
    if got != str(n):
        sys.exit(f"{db}: {got} finished rows in _prisma_migrations, expected {n}")
# And the real tools agree with what strata --single-transaction wrote.
env = dict(os.environ, ALEMBIC_URL=f"postgresql+psycopg2://{user}@/b_a_single?host={host}&port={port}")
_, cur = wall(["/usr/bin/alembic", "current"], alembic_proj, env)
_, head = wall(["/usr/bin/alembic", "heads"], alembic_proj, env)
if cur.split()[:1] != head.split()[:1]:
    sys.exit(f"alembic current on strata's database: {cur!r}, head {head!r}")
_, st = wall(["bash", runprisma, url_of(base, "b_p_single"), prisma_proj + "/prisma", "migrate", "status"],
             prisma_proj)
if "Database schema is up to date!" not in st:
    sys.exit(f"prisma migrate status on strata's database:\n{st[-1000:]}")

med = {k: statistics.median(v) for k, v in runs.items()}
rng = lambda v: f"{min(v)*1000:.0f}-{max(v)*1000:.0f} ms"
ms = lambda x: f"{x*1000:8.1f} ms"
print(f"apply N={n} migrations onto an empty database, median of {reps} (fresh database each)")
for peer, tool, single, default, floor in (
        ("alembic", "alembic upgrade head, PostgreSQL", "a_single", "a_default", "a_floor"),
        ("l_alembic", "alembic upgrade head, SQLite", "l_single", "l_default", "l_floor"),
        ("prisma", "prisma migrate deploy, PostgreSQL", "p_single", "p_default", "a_floor")):
    r = med[peer] / med[single]
    print(f"  {tool:<36} {ms(med[peer])}  ({rng(runs[peer])})")
    print(f"  {'strata apply --single-transaction':<36} {ms(med[single])}  ({rng(runs[single])})  "
          f"{r:5.1f}x faster (target >= 3x) {'met' if r >= 3 else 'MISSED'}")
    print(f"  {'strata apply (default)':<36} {ms(med[default])}  ({rng(runs[default])})  "
          f"{med[peer] / med[default]:5.1f}x faster; --single-transaction = "
          f"{med[default] / med[single]:.2f}x faster than the default")
    print(f"  {'floor: same SQL, one transaction':<36} {ms(med[floor])}  ({rng(runs[floor])})  "
          f"strata --single-transaction = {med[single] / med[floor]:.2f}x floor, "
          f"{tool.split(',')[0].split()[0]} = {med[peer] / med[floor]:.2f}x floor")
PY
