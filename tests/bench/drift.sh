#!/usr/bin/env bash
# drift.sh STRATA [N]: strata drift on PostgreSQL with an N-migration Prisma
# history (default 434, the size of the real histories strata reads), each
# migration a CREATE TABLE with a serial key, an index and a FOREIGN KEY to
# the table before; on a private cluster (tests/pg/cluster.sh) started here
# and stopped at exit.  Prints the seconds of a clean drift (median of REPS)
# and of one with a hand-made change, beside psql running the same SQL with
# the same per-migration transactions on an empty database.  Target: seconds.
set -euo pipefail
STRATA=${1:?usage: drift.sh STRATA [N]}
N=${2:-434} REPS=${REPS:-3}
STRATA=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/strata-driftbench.XXXXXX)
chmod 755 "$work"
trap 'bash "$here/../pg/cluster.sh" stop "$work/pg"; rm -rf "$work"' EXIT
bash "$here/../pg/cluster.sh" start "$work/pg" >/dev/null
. "$work/pg/env"
unset DATABASE_URL
psql -X -q -d "$STRATA_TEST_PG" -c "CREATE DATABASE drift_bench"
cd "$work"
mkdir -p prisma/migrations
printf 'provider = "postgresql"\n' >prisma/migrations/migration_lock.toml
cat >strata.yaml <<YAML
database: postgresql://$PGUSER@/drift_bench?host=$PGHOST&port=$PGPORT
sources:
  - name: app
    format: prisma
    path: prisma/migrations
YAML
python3 - "$N" <<'PY'
import os, sys
n = int(sys.argv[1])
for i in range(1, n + 1):
    d = f"prisma/migrations/2024{i:010d}_t{i}"
    os.makedirs(d)
    fk = f",\n  CONSTRAINT t{i}_prev_fkey FOREIGN KEY (prev_id) REFERENCES t{i-1} (id)" if i > 1 else ""
    with open(f"{d}/migration.sql", "w") as f:
        f.write(f'CREATE TABLE t{i} (\n  id SERIAL PRIMARY KEY,\n  name TEXT NOT NULL,\n'
                f'  prev_id INTEGER{fk}\n);\nCREATE INDEX t{i}_name_idx ON t{i} (name);\n')
PY
"$STRATA" -q apply
/usr/bin/time -f "strata drift: %e s wall, %U s user, %S s sys (strata itself)" "$STRATA" -q drift
python3 - "$STRATA" "$REPS" <<'PY'
import statistics, subprocess, sys, time
strata, reps = sys.argv[1], int(sys.argv[2])
def once(want):
    t0 = time.monotonic()
    r = subprocess.run([strata, "drift"], capture_output=True, text=True)
    dt = time.monotonic() - t0
    assert r.returncode == want, (r.returncode, r.stdout[-500:], r.stderr)
    return dt, r.stdout
def psql_floor():
    # The same SQL with the same per-migration transactions, by psql, on an
    # empty database: what the replay costs the server alone.
    import glob
    sql = "".join("BEGIN;\n" + open(f).read() + "COMMIT;\n"
                  for f in sorted(glob.glob("prisma/migrations/2024*/migration.sql")))
    subprocess.run(["psql", "-X", "-q", "-d", "drift_bench", "-c", "CREATE DATABASE drift_floor"], check=True)
    t0 = time.monotonic()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "drift_floor"], input=sql, text=True, check=True)
    dt = time.monotonic() - t0
    subprocess.run(["psql", "-X", "-q", "-d", "drift_bench", "-c", "DROP DATABASE drift_floor"], check=True)
    return dt
clean, floor = [], []
for _ in range(reps):
    clean.append(once(0)[0])
    floor.append(psql_floor())
print(f"psql, the same SQL on an empty database: {statistics.median(floor):.2f} s (median of {reps})")
print(f"drift clean: {statistics.median(clean):.2f} s (median of {reps}; {', '.join(f'{t:.2f}' for t in clean)})")
subprocess.run(["psql", "-X", "-q", "-d", "drift_bench", "-c", "ALTER TABLE t200 ADD COLUMN extra int; DROP INDEX t300_name_idx"], check=True)
dt, out = once(4)
print(f"drift with 2 differences: {dt:.2f} s")
print(out, end="")
PY
