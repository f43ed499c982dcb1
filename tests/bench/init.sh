#!/usr/bin/env bash
# init.sh STRATA [FOLDERS]: `strata init` on a synthetic repository of about
# FOLDERS folders (default 20,000: 20 packages x 20 modules x 50 source
# folders, a C file in every tenth) with one Flyway history 7 levels down,
# next to `find` listing the same folders; median of REPS runs.  Target:
# under 2 s, and the history found (docs/guide.md#init---force---db-url).
set -euo pipefail
STRATA=${1:?usage: init.sh STRATA [FOLDERS]}
FOLDERS=${2:-20000} REPS=${REPS:-5}
STRATA=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
work=$(mktemp -d /tmp/strata-initbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$work" "$FOLDERS" <<'PY'
import os, sys
root, want = sys.argv[1], int(sys.argv[2])
per = max(1, want // 400)
for a in range(20):
    for b in range(20):
        for c in range(per):
            d = f"{root}/pkg{a}/mod{b}/src{c}"
            os.makedirs(d, exist_ok=True)
            if c % 10 == 0:
                open(f"{d}/x.c", "w").write("int x;\n")
m = f"{root}/services/api/src/main/resources/db/migration"
os.makedirs(m, exist_ok=True)
open(f"{m}/V1__init.sql", "w").write("CREATE TABLE a (id int);\n")
PY
cd "$work"
folders=$(find . -type d | wc -l)
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
t_init=$(for _ in $(seq "$REPS"); do
	s=$(date +%s.%N); "$STRATA" -q init --force || exit 2; e=$(date +%s.%N)
	echo "$e - $s" | bc; done | median)
t_find=$(for _ in $(seq "$REPS"); do
	s=$(date +%s.%N); find . -type d >/dev/null; e=$(date +%s.%N)
	echo "$e - $s" | bc; done | median)
found=$(grep -c 'path: services/api/src/main/resources/db/migration$' strata.yaml || true)
printf 'folders %s  strata init %.2f s  find %.2f s  history found: %s\n' "$folders" "$t_init" "$t_find" "$found"
[ "$found" = 1 ] && awk -v t="$t_init" 'BEGIN { exit !(t < 2) }'
