#!/usr/bin/env bash
# prisma.sh STRATA [N]: strata against the real Prisma Migrate CLI (6.19.3,
# tests/interop/prisma) on N Prisma migrations (default 1000), PostgreSQL, on
# a private cluster (tests/pg/cluster.sh) started here and stopped at exit.
#  1. status on an up-to-date database: `strata status` vs
#     `prisma migrate status`, median of STATUS_REPS (target: strata >= 100x faster);
#  2. apply onto an empty database: `strata apply` vs `prisma migrate deploy`,
#     each on a fresh database, median of REPS (target: strata >= 3x faster).
# Installs Prisma with tests/interop/prisma/setup.sh into $STRATA_PRISMA_HOME
# (default ${XDG_CACHE_HOME:-~/.cache}/strata/prisma) if it is not there.
# Exit 0 when both targets are met, 1 when one is missed, 2 on an error.
set -euo pipefail
STRATA=${1:?usage: prisma.sh STRATA [N]}
N=${2:-1000} REPS=${REPS:-3} STATUS_REPS=${STATUS_REPS:-5}
STRATA=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
here=$(cd "$(dirname "$0")" && pwd)
interop=$here/../interop/prisma
export STRATA_PRISMA_HOME=${STRATA_PRISMA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/prisma}
bash "$interop/setup.sh" "$STRATA_PRISMA_HOME"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
unset DATABASE_URL
bench_cluster prismabench
bench_prisma_history "$work/proj" "$N"

BENCH_DIR="$here" python3 - "$STRATA" "$N" "$REPS" "$STATUS_REPS" "$STRATA_TEST_PG" "$interop/run-prisma.sh" "$work/proj" <<'PY'
import os, statistics, subprocess, sys, time
strata, n, reps, status_reps, base, runprisma, proj = sys.argv[1:8]
n, reps, status_reps = int(n), int(reps), int(status_reps)

sys.path.insert(0, os.environ["BENCH_DIR"])
from pgbench import QUIET, psql, fresh, url as url_of  # noqa: E402

def url(db):
    return url_of(base, db)

def wall(argv, expect=0):
    t0 = time.perf_counter()
    p = subprocess.run(argv, cwd=proj, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    w = time.perf_counter() - t0
    if p.returncode != expect:
        print(f"{argv} exited {p.returncode}:\n{p.stdout.decode()[-2000:]}\n{p.stderr.decode()[-2000:]}", file=sys.stderr)
        sys.exit(2)
    return w, p.stdout.decode()

def strata_cmd(db, *args):
    return [strata, "-q", "--db", url(db), *args]

def prisma_cmd(db, *args):
    return ["bash", runprisma, url(db), proj + "/prisma", *args]

def count(db):
    out = subprocess.run(["psql", "-X", "-t", "-A", "-d", db, "-c",
                          "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL"],
                         check=True, capture_output=True, env=QUIET).stdout.decode().strip()
    return int(out)

print(f"strata vs prisma migrate 6.19.3 (wasm engine), PostgreSQL, N={n} migrations")
# 1. apply onto an empty database, interleaved so drift hits both alike.
s_runs, p_runs = [], []
for i in range(reps):
    fresh("bench_strata")
    w, _ = wall(strata_cmd("bench_strata", "apply"))
    s_runs.append(w)
    fresh("bench_prisma")
    w, out = wall(prisma_cmd("bench_prisma", "migrate", "deploy"))
    p_runs.append(w)
    if "All migrations have been successfully applied." not in out:
        sys.exit(f"prisma migrate deploy did not report success:\n{out[-1000:]}")
for db in ("bench_strata", "bench_prisma"):
    if count(db) != n:
        sys.exit(f"{db}: {count(db)} finished rows in _prisma_migrations, expected {n}")

# 2. status, both tools on the same up-to-date database (prisma's own deploy).
wall(strata_cmd("bench_prisma", "status"))  # warm up
st_s = [wall(strata_cmd("bench_prisma", "status"))[0] for _ in range(status_reps)]
st_p = []
for _ in range(status_reps):
    w, out = wall(prisma_cmd("bench_prisma", "migrate", "status"))
    if "Database schema is up to date!" not in out:
        sys.exit(f"prisma migrate status: not up to date:\n{out[-1000:]}")
    st_p.append(w)
# Cross-check: each tool is up to date on the other's database.
wall(strata_cmd("bench_strata", "status"))
wall(prisma_cmd("bench_strata", "migrate", "status"))

ms = lambda x: f"{x*1000:9.1f} ms"
rng = lambda r: f"{min(r)*1000:.0f}-{max(r)*1000:.0f} ms"
s_st, p_st = statistics.median(st_s), statistics.median(st_p)
s_ap, p_ap = statistics.median(s_runs), statistics.median(p_runs)
# The floor: psql running the same SQL, one transaction per migration (what
# strata does), no bookkeeping at all.
mdir = os.path.join(proj, "prisma", "migrations")
with open(os.path.join(proj, "all_tx.sql"), "w") as f:
    for d in sorted(x for x in os.listdir(mdir) if os.path.isdir(os.path.join(mdir, x))):
        f.write("BEGIN;\n" + open(os.path.join(mdir, d, "migration.sql")).read() + "COMMIT;\n")
f_runs = []
for i in range(reps):
    fresh("bench_psql")
    f_runs.append(wall(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url("bench_psql"), "-f", "all_tx.sql"])[0])
f_ap = statistics.median(f_runs)
r_st, r_ap = p_st / s_st, p_ap / s_ap
ok_st, ok_ap = r_st >= 100, r_ap >= 3
print(f"status  (up to date): strata {ms(s_st)}  prisma migrate status {ms(p_st)}  "
      f"strata {r_st:6.1f}x faster (target >= 100x) {'OK' if ok_st else 'MISSED'}")
print(f"   runs: strata {rng(st_s)}, prisma {rng(st_p)} (median of {status_reps})")
print(f"apply   (empty db):   strata {ms(s_ap)}  prisma migrate deploy {ms(p_ap)}  "
      f"strata {r_ap:6.1f}x faster (target >= 3x) {'OK' if ok_ap else 'MISSED'}")
print(f"   runs: strata {rng(s_runs)}, prisma {rng(p_runs)} (median of {reps}, fresh database each)")
print(f"   floor: psql -f, same SQL, one transaction per migration {ms(f_ap)} "
      f"(strata = {s_ap/f_ap:.2f}x floor, prisma = {p_ap/f_ap:.2f}x floor)")
sys.exit(0 if ok_st and ok_ap else 1)
PY
