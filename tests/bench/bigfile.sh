#!/usr/bin/env bash
# bigfile.sh STRATA [ROWS]: one large migration, measured in this run: strata
# apply of a single file of ROWS INSERTs (400000: about 50 MB) vs the sqlite3
# shell reading the same file between BEGIN and COMMIT, median of REPS
# (target: ratio <= 1.5).  Statement walking that is not linear in the
# file's size shows here first: a quadratic walk took 614 s for 50 MB.
set -euo pipefail
STRATA=${1:?usage: bigfile.sh STRATA [ROWS]}
ROWS=${2:-400000} REPS=${REPS:-3}
work=$(mktemp -d /tmp/strata-bigfile.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/p/migrations"
cat >"$work/p/strata.yaml" <<YAML
database: sqlite:bench.db
sources:
  - name: bench
    format: sqlpair
    path: migrations
    layout: golang-migrate
YAML
python3 - "$ROWS" "$work" <<'PY'
import os, sys
rows, d = int(sys.argv[1]), sys.argv[2]
up = os.path.join(d, "p", "migrations", "000001_big.up.sql")
with open(up, "w") as f:
    f.write("CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);\n")
    for i in range(1, rows + 1):
        f.write(f"INSERT INTO big (id, name, note) VALUES ({i}, 'row {i:08d}', "
                f"'some text padding the row out to about one hundred bytes');\n")
with open(os.path.join(d, "p", "migrations", "000001_big.down.sql"), "w") as f:
    f.write("DROP TABLE big;\n")
with open(os.path.join(d, "peer.sql"), "w") as f:
    f.write("BEGIN;\n")
    f.write(open(up).read())
    f.write("COMMIT;\n")
PY
cd "$work"

python3 - "$STRATA" "$ROWS" "$REPS" <<'PY'
import os, statistics, subprocess, sys, time
strata, rows, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def once(argv, cwd, db, stdin=None):
    path = os.path.join(cwd, db)
    if os.path.exists(path):
        os.remove(path)
    fin = open(stdin) if stdin else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if p.returncode != 0 or p.stderr:
        sys.exit(f"{argv} failed with {p.returncode}: {p.stderr.decode()[:500]}")
    n = subprocess.run(["sqlite3", path, "SELECT count(*) FROM big"], capture_output=True,
                       text=True).stdout.strip()
    if n != str(rows):
        sys.exit(f"{argv}: {n} rows in big, expected {rows}")
    return wall

size = os.path.getsize("p/migrations/000001_big.up.sql") / 1e6
s = statistics.median(once([strata, "-q", "apply"], "p", "bench.db") for _ in range(reps))
q = statistics.median(once(["sqlite3", "-bail", "peer.db"], ".", "peer.db", "peer.sql")
                      for _ in range(reps))
ratio = s / q
print(f"one file, {rows} INSERTs ({size:.0f} MB), median of {reps}: strata {s*1000:8.1f} ms  "
      f"sqlite3 shell {q*1000:8.1f} ms  ratio {ratio:.2f}x (target <= 1.50) "
      f"{'OK' if ratio <= 1.5 else 'MISSED'}")
PY
