#!/usr/bin/env bash
# run.sh STRATA [N] [BIG]: prints figures measured in this run, side by side.
#  1. strata apply of N migrations vs the sqlite3 shell running the same SQL
#     with the same per-migration BEGIN/COMMIT (target: ratio <= 1.2);
#  2. strata ledger and status (all applied) on BIG migrations (target,
#     issue 14: < 1 s, < 100 MiB peak RSS, the kernel's maxrss as
#     /usr/bin/time -v reports it): min and median wall, largest RSS; of a
#     golang-migrate folder (gen.sh) and of a linear Alembic tree
#     (tests/interop/alembic/fixtures.py): every file translated (the
#     translation memo off), the run that fills the memo, and from it.
set -euo pipefail
STRATA=${1:?usage: run.sh STRATA [N] [BIG]}
N=${2:-1000} BIG=${3:-100000} REPS=${REPS:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/strata-bench.XXXXXX)
export STRATA_ALEMBIC_CACHE=$work/alembic-memo # Alembic's translation memo, gone with $work
trap 'rm -rf "$work"' EXIT
bash "$here/gen.sh" "$N" "$work/n"
bash "$here/gen.sh" "$BIG" "$work/big"
python3 "$here/../interop/alembic/fixtures.py" linear "$work/abig" "$BIG" >/dev/null
printf 'database: sqlite:bench.db\nsources:\n  - name: app\n    format: alembic\n    path: migrations/versions\n' \
	>"$work/abig/strata.yaml"
cd "$work"

python3 - "$STRATA" "$N" "$BIG" "$REPS" <<'PY'
import os, statistics, subprocess, sys, time
strata, n, big, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def measure(argv, cwd, stdin=None, prepare=None):
    """Wall seconds and peak RSS (MiB) of one run, from wait4()."""
    if prepare:
        prepare()
    fin = open(stdin) if stdin else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        sys.exit(f"{argv} failed with {code}: {p.stderr.read().decode()}")
    return wall, ru.ru_maxrss / 1024

def fresh(path):
    return lambda: os.path.exists(path) and os.remove(path)

def runs_of(argv, cwd, stdin=None, db=None):
    return [measure(argv, cwd, stdin, fresh(os.path.join(cwd, db)) if db else None) for _ in range(reps)]

def median_of(argv, cwd, stdin=None, db=None):
    runs = runs_of(argv, cwd, stdin, db)
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)

def big_figure(what, argv, cwd):
    """Issue 14's figure: min and median wall of reps runs (min: what the
    command costs on a machine shared with others), the largest peak RSS."""
    runs = runs_of(argv, cwd)
    lo, med = min(r[0] for r in runs), statistics.median(r[0] for r in runs)
    rss = max(r[1] for r in runs)
    ok = lo < 1 and rss < 100
    print(f"{what} N={big}: min {lo*1000:7.1f} ms  median {med*1000:7.1f} ms  peak RSS {rss:6.1f} MiB "
          f"(target < 1000 ms, < 100 MiB) {'OK' if ok else 'MISSED'}")

print(f"strata bench: N={n}, BIG={big}, {reps} runs each (median wall, max RSS)")
s_apply, s_rss = median_of([strata, "-q", "apply"], "n", db="bench.db")
q_apply, q_rss = median_of(["sqlite3", "peer.db"], "n", stdin="n/all_tx.sql", db="peer.db")
ratio = s_apply / q_apply
print(f"apply N={n}:   strata {s_apply*1000:8.1f} ms  sqlite3 shell {q_apply*1000:8.1f} ms  "
      f"ratio {ratio:.2f}x (target <= 1.20) {'OK' if ratio <= 1.2 else 'MISSED'}")

big_figure("ledger", [strata, "-q", "ledger"], "big")
measure([strata, "-q", "baseline"], "big", prepare=fresh("big/bench.db"))
big_figure("status", [strata, "-q", "status"], "big")
# Alembic: every file translated (the translation memo off), then the run
# that fills the memo, then from it (plugins/alembic/memo.h).
memo = os.environ["STRATA_ALEMBIC_CACHE"]
os.environ["STRATA_ALEMBIC_CACHE"] = "0"
big_figure("alembic ledger, no memo", [strata, "-q", "ledger"], "abig")
os.environ["STRATA_ALEMBIC_CACHE"] = memo
w, rss = measure([strata, "-q", "ledger"], "abig")
print(f"alembic ledger N={big}, filling the memo: {w*1000:7.1f} ms  peak RSS {rss:6.1f} MiB")
big_figure("alembic ledger, memo", [strata, "-q", "ledger"], "abig")
measure([strata, "-q", "baseline"], "abig", prepare=fresh("abig/bench.db"))
big_figure("alembic status, memo", [strata, "-q", "status"], "abig")
PY
