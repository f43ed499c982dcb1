#!/usr/bin/env bash
# status.sh STRATA [N]: `strata status` on N applied migrations (default 1000)
# of every source format, against each native tool's own status command, in
# one run on one private PostgreSQL cluster (tests/pg/cluster.sh), started
# here and stopped at exit.  Targets (issue 14):
#  - strata status <= 10 ms (median) for sqlpair in every layout, Prisma and
#    Alembic;
#  - >= 2.5x faster than `dbmate status` (2.36.0), >= 100x faster than
#    `prisma migrate status` (6.19.3), >= 40x faster than `alembic current`
#    (1.8.1), each on the same database, up to date, strata's and the tool's
#    answer checked.
# The histories: dbmate files written here, converted to every layout with
# `strata convert`; Prisma folders as tests/bench/prisma.sh writes them; an
# Alembic tree from tests/interop/alembic/fixtures.py.  Each database is filled
# by `strata apply`, so the native tables hold what the native tool expects.
# Also the floor measured in the run: a C program that loads libpq, connects
# and reads one count (each strata line says how far above it strata is).
# Alembic twice: with its translation memo (plugins/alembic/memo.h) as
# strata runs by default, filled by the first run, and with it off.
# And for dbmate, Prisma and Alembic a reference (readfloor.c): a C program
# that connects on one thread while the other reads every migration file,
# then fetches the native table's rows, nothing parsed or hashed.  Each of
# those strata lines says how many times the reference strata takes, and
# whether the target asks for a status faster than the reference.
# Under each strata line and the floor: the CPU a run took, the client's
# (this process's children) and the server's (the postmaster's reaped
# backends, tests/bench/pgbench.py), averaged over the runs, and the wall
# that much CPU needs at least on this machine's CPUs.
# Prints the figures; exit 0 when every target is met, 1 when one is missed,
# 2 on an error.  REPS (default 21) strata runs, PEER_REPS (default 5) each.
set -euo pipefail
STRATA=${1:?usage: status.sh STRATA [N]}
N=${2:-1000} REPS=${REPS:-21} PEER_REPS=${PEER_REPS:-5}
STRATA=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
here=$(cd "$(dirname "$0")" && pwd)
export STRATA_PRISMA_HOME=${STRATA_PRISMA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/prisma}
export STRATA_DBMATE_HOME=${STRATA_DBMATE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/dbmate}
bash "$here/../interop/prisma/setup.sh" "$STRATA_PRISMA_HOME" >/dev/null
bash "$here/../interop/dbmate/setup.sh" "$STRATA_DBMATE_HOME" >/dev/null
DBMATE=$STRATA_DBMATE_HOME/node_modules/@dbmate/linux-x64/bin/dbmate
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
bench_need_alembic status.sh
unset DATABASE_URL
bench_cluster statusbench

# dbmate: one file a migration, up and down sections.
mkdir -p "$work/dbmate/db/migrations"
for i in $(seq 1 "$N"); do
	printf -- '-- migrate:up\nCREATE TABLE t_%d (id int primary key);\n\n-- migrate:down\nDROP TABLE t_%d;\n' \
		"$i" "$i" >"$work/dbmate/db/migrations/$(printf '2024%010d_m%d.sql' "$i" "$i")"
done
printf 'sources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' \
	>"$work/dbmate/strata.yaml"
# Every other layout, converted from it by strata itself.
layouts=$(cd "$here/../../formats/layouts" && ls ./*.yaml | sed 's|^\./||; s|\.yaml$||' | grep -vx dbmate)
for l in $layouts; do
	mkdir -p "$work/$l"
	(cd "$work/dbmate" && "$STRATA" -q convert --to "sqlpair:$l" --out "$work/$l/m") >/dev/null
	printf 'sources:\n  - name: app\n    format: sqlpair\n    path: m\n    layout: %s\n' "$l" >"$work/$l/strata.yaml"
done
bench_prisma_history "$work/prisma" "$N"
bench_alembic_history "$work/alembic" "$N"

# The floor on this machine: a C program that loads libpq, connects and
# counts schema_migrations, nothing else.  What strata's status costs above
# it is strata's own.
cat >"$work/floor.c" <<'C'
#include <libpq-fe.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	PGconn *c = PQconnectdb(argc > 1 ? argv[1] : "");
	if (PQstatus(c) != CONNECTION_OK)
		return fprintf(stderr, "%s", PQerrorMessage(c)), 1;
	PGresult *r = PQexec(c, "SELECT count(*) FROM schema_migrations");
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (ok)
		printf("%s\n", PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return !ok;
}
C
# shellcheck disable=SC2046
cc -O2 $(pkg-config --cflags libpq) -o "$work/floor" "$work/floor.c" $(pkg-config --libs libpq)
# The reference for each format: the floor, plus reading every migration
# file beside the connection, plus the native table's rows (readfloor.c).
# shellcheck disable=SC2046
cc -O2 -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE $(pkg-config --cflags libpq) -o "$work/readfloor" "$here/readfloor.c" \
	$(pkg-config --libs libpq) -pthread

BENCH_DIR="$here" "$PY" - "$STRATA" "$N" "$REPS" "$PEER_REPS" "$STRATA_TEST_PG" "$work" "$DBMATE" \
	"$here/../interop/prisma/run-prisma.sh" $layouts <<'PY'
import os, statistics, subprocess, sys, time
strata, n, reps, peer_reps, base, work, dbmate, runprisma = sys.argv[1:9]
layouts = sys.argv[9:]
n, reps, peer_reps = int(n), int(reps), int(peer_reps)
sys.path.insert(0, os.environ["BENCH_DIR"])
from pgbench import fresh, server_cpu, url as url_of  # noqa: E402

host, port, user = os.environ["PGHOST"], os.environ["PGPORT"], os.environ["PGUSER"]

def run(argv, cwd, env=None, expect=(0,)):
    t0 = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    w = time.perf_counter() - t0
    if p.returncode not in expect:
        sys.exit(f"{argv} exited {p.returncode}:\n{p.stdout.decode()[-1500:]}\n{p.stderr.decode()[-1500:]}")
    return w, p.stdout.decode() + p.stderr.decode()

def cpu_now():
    c = os.times()
    return c.children_user + c.children_system, server_cpu(os.path.join(work, "pg", "data"))

def median(argv, cwd, k, env=None, check=None):
    """Median, min and max wall of k runs, and the CPU a run took on each
    side (the client's, the server's), averaged over the k runs."""
    run(argv, cwd, env)  # warm the page cache
    times = []
    c0, s0 = cpu_now()
    for _ in range(k):
        w, out = run(argv, cwd, env)
        if check and check not in out:
            sys.exit(f"{argv}: expected {check!r} in:\n{out[-1500:]}")
        times.append(w)
    time.sleep(0.2)  # the last backend is reaped
    c1, s1 = cpu_now()
    return statistics.median(times), min(times), max(times), (c1 - c0) / k, (s1 - s0) / k

CPUS = os.cpu_count()
def cpu(s):
    """What a run cost in CPU, and the wall it needs at least on this
    machine's CPUs if both sides ran in parallel perfectly."""
    return (f"CPU a run: client {s[3]*1000:.1f} + server {s[4]*1000:.1f} ms, "
            f"so >= {(s[3]+s[4])*1000/CPUS:.1f} ms wall on {CPUS} CPUs")

def strata_status(proj, db, env=None):
    argv = [strata, "-q", "--db", url_of(base, db), "status"]
    w, out = run(argv, os.path.join(work, proj), env)  # exit 0: up to date
    return median(argv, os.path.join(work, proj), reps, env)

def apply(proj, db):
    fresh(db)
    run([strata, "-q", "--db", url_of(base, db), "apply"], os.path.join(work, proj))

results, missed = [], []
floor = None
def reference(what, proj, db, sql, folder, expect, name=None):
    """readfloor.c on the same files and database: connect on one thread
    while the other reads every migration file, then the native table's
    rows; nothing parsed, hashed or compared."""
    argv = [os.path.join(work, "readfloor"), url_of(base, db), sql, folder] + ([name] if name else [])
    ref = median(argv, os.path.join(work, proj), reps, check=expect)  # "FILES ROWS"
    print(f"{what + ' reference':<28} C    {ref[0]*1000:7.2f} ms ({ref[1]*1000:.1f}-{ref[2]*1000:.1f}): "
          "connect || read every migration file, then the native table's rows"
          f"\n{'':<28} {cpu(ref)}", flush=True)
    return ref

def report(what, s, target_ms=10.0, peer=None, peer_name=None, ratio=None, ref=None):
    line = f"{what:<28} strata {s[0]*1000:7.2f} ms ({s[1]*1000:.1f}-{s[2]*1000:.1f}, floor + {(s[0]-floor[0])*1000:.1f})"
    ok = s[0] * 1000 <= target_ms
    line += f"  <= {target_ms:g} ms {'OK' if ok else 'MISSED'}\n{'':<28} {cpu(s)}"
    if not ok:
        missed.append(what)
    if peer:
        r = peer[0] / s[0]
        good = r >= ratio
        line += (f"\n{'':<28} {peer_name} {peer[0]*1000:8.1f} ms ({peer[1]*1000:.0f}-{peer[2]*1000:.0f})"
                 f"  strata {r:6.1f}x faster (target >= {ratio:g}x) {'OK' if good else 'MISSED'}")
        if not good:
            missed.append(what + " vs " + peer_name)
    if ref:
        most = peer[0] / ref[0] if peer else None
        line += (f"\n{'':<28} strata {s[0]/ref[0]:.2f}x the reference ({ref[0]*1000:.1f} ms)"
                 + (f"; {peer_name} is {most:.1f}x it, so {ratio:g}x needs strata at {most/ratio:.2f}x "
                    f"the reference or less{' (faster than it)' if most < ratio else ''}" if peer else "")
                 + (f"; <= {target_ms:g} ms is {'below' if ref[0]*1000 > target_ms else 'above'} it"))
    print(line, flush=True)

print(f"strata status bench: N={n} applied migrations, PostgreSQL {os.environ.get('PGPORT')}, "
      f"median of {reps} (strata) / {peer_reps} (native tools), wall time")

# sqlpair, dbmate layout, against dbmate status on the same database.
apply("dbmate", "st_dbmate")
floor = median([os.path.join(work, "floor"), url_of(base, "st_dbmate")], work, reps, check=str(n))
print(f"{'floor (libpq, C)':<28} {floor[0]*1000:7.2f} ms ({floor[1]*1000:.1f}-{floor[2]*1000:.1f}): "
      "load libpq, connect, one SELECT; nothing of strata"
      f"\n{'':<28} {cpu(floor)}", flush=True)
durl = f"postgres://{user}@/st_dbmate?socket={host}&port={port}&sslmode=disable"
peer = median([dbmate, "--no-dump-schema", "--url", durl, "--migrations-dir", "db/migrations", "status"],
              os.path.join(work, "dbmate"), peer_reps, check=f"Applied: {n}")
ref = reference("sqlpair dbmate", "dbmate", "st_dbmate", "SELECT version FROM schema_migrations ORDER BY version",
                "db/migrations", f"{n} {n}")
report("sqlpair dbmate", strata_status("dbmate", "st_dbmate"), peer=peer, peer_name="dbmate status", ratio=2.5,
       ref=ref)

for l in layouts:
    apply(l, "st_" + l.replace("-", "_"))
    report(f"sqlpair {l}", strata_status(l, "st_" + l.replace("-", "_")))

apply("prisma", "st_prisma")
peer = median(["bash", runprisma, url_of(base, "st_prisma"), os.path.join(work, "prisma", "prisma"),
               "migrate", "status"], os.path.join(work, "prisma"), peer_reps,
              check="Database schema is up to date!")
ref = reference("prisma", "prisma", "st_prisma",
                "SELECT * FROM _prisma_migrations ORDER BY migration_name, started_at", "prisma/migrations",
                f"{n + 1} {n}", "migration.sql")  # and migration_lock.toml
report("prisma", strata_status("prisma", "st_prisma"), peer=peer, peer_name="prisma migrate status", ratio=100,
       ref=ref)

apply("alembic", "st_alembic")
aenv = dict(os.environ, ALEMBIC_URL=f"postgresql+psycopg2://{user}@/st_alembic?host={host}&port={port}")
peer = median(["/usr/bin/alembic", "current"], os.path.join(work, "alembic"), peer_reps, env=aenv,
              check="(head)")
ref = reference("alembic", "alembic", "st_alembic", "SELECT version_num FROM alembic_version",
                "migrations/versions", f"{n} 1")
# Alembic's translation memo (plugins/alembic/memo.h): the runs above fill
# it, the measured ones read it; without it every file is translated.
report("alembic, no memo", strata_status("alembic", "st_alembic", dict(os.environ, STRATA_ALEMBIC_CACHE="0")),
       peer=peer, peer_name="alembic current", ratio=40, ref=ref)
report("alembic", strata_status("alembic", "st_alembic"), peer=peer, peer_name="alembic current", ratio=40,
       ref=ref)

print("all targets met" if not missed else "missed: " + "; ".join(missed))
sys.exit(1 if missed else 0)
PY
