# Shared by the scripts that drive the REAL Alembic beside strata
# (interop.sh, coexist.sh): the Debian install, strata and alembic on one
# project and database, projects made by fixtures.py, readers of schema, rows
# and alembic_version.  Sourced; TAP helpers from tests/integration/lib.sh.
. "$SRC/tests/integration/lib.sh"
HERE=$SRC/tests/interop/alembic
PY=/usr/bin/python3
ALEMBIC=/usr/bin/alembic
# The Debian interpreter and packages, whatever python3 is first in PATH.
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP VIRTUAL_ENV
if [ ! -x "$ALEMBIC" ] || ! "$PY" -c 'import alembic, sqlalchemy, psycopg2' >"$T/setup.log" 2>&1; then
	echo "Bail out! Alembic not installed: apt-get install alembic python3-sqlalchemy python3-psycopg2 (./dev test does)"
	sed 's/^/# /' "$T/setup.log" 2>/dev/null || true
	exit 1
fi
dialect=$(pick sqlite postgresql)

# strata's URL of database NAME (absolute SQLite path: strata runs with -C),
# and SQLAlchemy's.
surl() { if sqlite; then echo "sqlite:$T/${1%.db}.db"; else db_url "$1"; fi; }
aurl() {
	if sqlite; then echo "sqlite:///$T/${1%.db}.db"; else
		echo "postgresql+psycopg2://$PGUSER@/$(pg_create "$1")?host=$PGHOST&port=$PGPORT"
	fi
}
fresh() { local d; for d in "$@"; do db_reset "$d"; done; }

# sr PROJECT DB ARGS…: strata in project folder PROJECT on database DB.
sr() { local p=$1 d=$2; shift 2; run -C "$T/$p" --db "$(surl "$d")" "$@"; }
# al PROJECT DB ARGS…: the real alembic in PROJECT on database DB.
al() {
	local p=$1 u
	u=$(aurl "$2")
	shift 2
	set +e
	(cd "$T/$p" && ALEMBIC_URL=$u "$ALEMBIC" "$@") >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}
# alsql PROJECT ARGS…: alembic offline (--sql needs no database).
alsql() {
	local p=$1; shift
	set +e
	(cd "$T/$p" && ALEMBIC_URL=$(pick sqlite:// 'postgresql+psycopg2://strata@/offline') "$ALEMBIC" "$@" --sql) >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}

# The schema of DB without strata_ledger: SQLite's sqlite_master (tabs as 4
# spaces: Alembic sends SQLAlchemy's DDL with tabs online and with 4 spaces
# offline), PostgreSQL's pg_dump -s without comments and SET lines.
schema() {
	if sqlite; then
		q "$1" "SELECT type, name, tbl_name, replace(sql, char(9), '    ') FROM sqlite_master
			WHERE tbl_name <> 'strata_ledger' ORDER BY name, type"
	else
		pg_dump -s --no-owner -T strata_ledger -d "$(db_url "$1")" |
			grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' -e '^\\restrict' -e '^\\unrestrict' -e '^$' || true
	fi
}
# The rows of every table but strata_ledger and alembic_version.
data() {
	local t
	for t in $(tables "$1" | tr , ' '); do
		[ "$t" = alembic_version ] && continue
		echo "== $t"
		q "$1" "SELECT * FROM $t ORDER BY 1"
	done
}
# alembic_version's rows, sorted, joined by ','; "<none>" without the table.
versions() {
	if [ "$(has_table "$1" alembic_version)" = 1 ]; then
		qlist "$1" "SELECT version_num FROM alembic_version ORDER BY version_num"
	else echo "<none>"; fi
}
state() { schema "$1"; echo "== data"; data "$1"; echo "== alembic_version"; versions "$1"; }
sorted() { printf '%s\n' "$@" | LC_ALL=C sort | paste -sd, -; }

# same DESCRIPTION GOT(strata) EXPECTED(alembic): equal, or a unified diff.
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"
		diff -u --label alembic --label strata <(printf '%s\n' "$3") <(printf '%s\n' "$2") | head -60 | sed 's/^/# /' || true
	fi
}
out_line() { grep -qxF -- "$1" "$T/out"; }
err_lacks() { ! grep -qF -- "$1" "$T/err"; }
# `strata --json status|ledger` in $T/out: "id=state" (or ids), sorted, joined by ','.
# jpy EXPR: EXPR (Python, on j = the JSON in $T/out); "<not JSON: …>" if it is not.
jpy() {
	"$PY" -c '
import json, sys
try:
    j = json.load(open(sys.argv[1]))
    print(eval(sys.argv[2]))
except Exception as e:
    print("<not JSON: %s>" % e)' "$T/out" "$1"
}
json_states() { jpy '",".join(sorted(m["id"] + "=" + m["state"] for m in j["migrations"]))'; }
json_summary() { jpy '",".join(k + "=" + str(v) for k, v in sorted(j["summary"].items()))'; }
json_ids() { jpy '",".join(m["id"] for m in j["migrations"])'; }

# project NAME KIND ARG [PATH]: NAME/ made by fixtures.py, its NAME=REV lines
# sourced, NAME/strata.yaml with source path PATH (default migrations/versions).
project() {
	local p=$1 kind=$2 arg=$3 path=${4:-migrations/versions}
	if ! "$PY" "$HERE/fixtures.py" "$kind" "$T/$p" "$arg" >"$T/gen.log" 2>&1; then
		echo "Bail out! fixtures.py $kind failed"
		sed 's/^/# /' "$T/gen.log"
		exit 1
	fi
	cat >"$T/$p/strata.yaml" <<YAML
database: $(surl "$p")
sources:
  - name: app
    format: alembic
    path: $path
YAML
}
# The NAME=REV pairs of project P, in creation order.
names() { cut -d= -f1 "$T/$1/ids.sh"; }
rev() { grep "^$2=" "$T/$1/ids.sh" | cut -d= -f2; }
all_states() { local p=$1 st=$2 nm s=(); for nm in $(names "$p"); do s+=("app:$(rev "$p" "$nm")=$st"); done; sorted "${s[@]}"; }

