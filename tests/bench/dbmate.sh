#!/usr/bin/env bash
# dbmate.sh STRATA [N]: `strata apply` vs the real `dbmate --no-dump-schema up`
# (2.36.0, tests/interop/dbmate) on N dbmate files (default 200), each
# creating one table, onto a fresh SQLite database in $TMPDIR (/tmp); best of REPS
# (default 3) wall-clock seconds each.  A figure, not a pass/fail test:
# exit 0 unless a run fails.  Installs dbmate with tests/interop/dbmate/setup.sh
# into $STRATA_DBMATE_HOME (default ${XDG_CACHE_HOME:-~/.cache}/strata/dbmate).
set -euo pipefail
STRATA=${1:?usage: dbmate.sh STRATA [N]}
N=${2:-200} REPS=${REPS:-3}
STRATA=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
here=$(cd "$(dirname "$0")" && pwd)
export STRATA_DBMATE_HOME=${STRATA_DBMATE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/dbmate}
bash "$here/../interop/dbmate/setup.sh" "$STRATA_DBMATE_HOME"
DBMATE=$STRATA_DBMATE_HOME/node_modules/@dbmate/linux-x64/bin/dbmate
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-dbmatebench.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset DATABASE_URL
mkdir -p "$work/db/migrations"
for i in $(seq 1 "$N"); do
	printf -- '-- migrate:up\nCREATE TABLE t_%d (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE t_%d;\n' \
		"$i" "$i" >"$work/db/migrations/$(printf '2024%010d_m%d.sql' "$i" "$i")"
done
printf 'sources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' >"$work/strata.yaml"
# best CMD…: the best wall time of REPS runs, each on a fresh database.
best() {
	local b= i s e t
	for i in $(seq 1 "$REPS"); do
		rm -f "$work/b.db"
		s=$(date +%s.%N)
		(cd "$work" && "$@") >/dev/null
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		[ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ] && b=$t
	done
	printf '%.3f' "$b"
}
d=$(best "$DBMATE" --no-dump-schema --url "sqlite:$work/b.db" up)
s=$(best "$STRATA" -q --db "sqlite:$work/b.db" apply)
rows=$(sqlite3 "$work/b.db" 'SELECT count(*) FROM schema_migrations')
[ "$rows" = "$N" ] || { echo "dbmate.sh: strata wrote $rows rows, not $N" >&2; exit 2; }
echo "dbmate.sh: $N files, SQLite: dbmate up ${d} s, strata apply ${s} s (best of $REPS)"
