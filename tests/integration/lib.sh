# Shared helpers for integration tests: each test runs the built strata binary
# in a fresh temporary folder and asserts on exit codes, exact output lines and
# the rows and schema of a real database.  Output is TAP.
#
# BACKEND=sqlite (default) or BACKEND=pg picks the database every script runs
# against; one script serves both through these helpers:
#   sqlite / pg           true when that is the backend (guards for the few
#                         checks that only make sense on one of them)
#   db_url NAME [PARAMS]  the URL of database NAME: sqlite:NAME.db, or on pg a
#                         fresh database of this script (created on first use,
#                         dropped at exit); PARAMS (e.g. schema=s) go in the query
#   db_reset NAME         NAME empty again (SQLite: file removed; pg: re-created)
#   db_exists NAME        SQLite: the file exists; pg: always true
#   q NAME SQL            run SQL on NAME; rows as sqlite3 prints them: columns
#                         joined by '|', NULL as the empty string
#   qlist NAME SQL        the rows of q joined by ',' on one line
#   has_table NAME T…     how many of the tables T… exist in NAME (0 if NAME does
#                         not exist; never creates a SQLite file)
#   tables NAME           NAME's tables except strata_ledger, sorted, joined by ','
#   db_used NAME          strata wrote to NAME (its strata_ledger exists)
#   pick SQLITE PG        print the first or the second, by backend (the exact
#                         text that differs by dialect, e.g. error lines)
set -euo pipefail
: "${STRATA:?STRATA must point at the strata binary}"
: "${SRC:?SRC must point at the source tree}"
BACKEND=${BACKEND:-sqlite}
case $BACKEND in
sqlite) ;;
pg)
	if [ -z "${STRATA_TEST_PG:-}" ]; then
		echo "Bail out! STRATA_TEST_PG is not set: run ./dev test, which starts the test cluster"
		exit 1
	fi
	for v in PGHOST PGPORT PGUSER; do
		if [ -z "${!v:-}" ]; then
			echo "Bail out! $v is not set: run ./dev test, which starts the test cluster"
			exit 1
		fi
	done
	export PGHOST PGPORT PGUSER
	unset PGDATABASE PGPASSWORD PGSERVICE PGOPTIONS
	;;
*)
	echo "Bail out! BACKEND must be sqlite or pg, not '$BACKEND'"
	exit 1
	;;
esac
unset DATABASE_URL STRATA_PLUGIN_PATH STRATA_FORMATS_PATH STRATA_LOCK_TIMEOUT_MS
T=$(mktemp -d /tmp/strata-test.XXXXXX)
# verify's and drift's replay cache: SQLite templates in the test's folder;
# PostgreSQL ones (strata_tpl_*, keyed by this folder's projects) dropped at exit.
export STRATA_TEMPLATE_DIR=$T/.templates
export STRATA_ALEMBIC_CACHE=$T/.alembic-memo # the translation memo (plugins/alembic/memo.h)

# The PostgreSQL databases this script created, one per line in $T/.pg_dbs (a
# file, so that db_url works inside $(…)); all dropped at exit.
PG_PREFIX=$(basename "$0" .sh | tr -c 'a-z0-9\n' '_')
PG_PREFIX="strata_${PG_PREFIX:0:20}"
cleanup() {
	if [ "$BACKEND" = pg ] && [ -f "$T/.pg_dbs" ]; then
		local d
		while read -r d; do
			psql -X -q -d "$STRATA_TEST_PG" -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null 2>&1 || true
		done <"$T/.pg_dbs"
	fi
	if [ "$BACKEND" = pg ]; then
		local tpl
		for tpl in $(psql -X -t -A -d "$STRATA_TEST_PG" -c "SELECT datname FROM pg_database WHERE datname LIKE 'strata\_tpl\_%' AND shobj_description(oid, 'pg_database') LIKE '%project=$T/%'" 2>/dev/null); do
			psql -X -q -d "$STRATA_TEST_PG" -c "DROP DATABASE IF EXISTS \"$tpl\" WITH (FORCE)" >/dev/null 2>&1 || true
		done
	fi
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
n=0
failed=0
rc=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
done_testing() { echo "1..$n"; [ "$failed" -eq 0 ]; }

# run ARGS…: strata with output in $T/out and $T/err, exit code in $rc.
# STRATA_WRAP (e.g. valgrind) runs in front of every strata call.
run() { set +e; ${STRATA_WRAP:-} "$STRATA" "$@" >"$T/out" 2>"$T/err"; rc=$?; set -e; }

# check DESCRIPTION COMMAND…: one TAP line from a shell condition.
check() {
	local d=$1; shift
	if "$@"; then ok "$d"; else
		not_ok "$d"
		{ echo "# condition: $*"; echo "# rc=$rc"; sed 's/^/# out: /' "$T/out"; sed 's/^/# err: /' "$T/err"; } 2>/dev/null || true
	fi
}
rc_is() { [ "$rc" -eq "$1" ]; }
out_has() { grep -qF -- "$1" "$T/out"; }
err_has() { grep -qF -- "$1" "$T/err"; }
err_is() { [ "$(cat "$T/err")" = "$1" ]; }
out_lacks() { ! grep -qF -- "$1" "$T/out"; }
eq() { [ "$1" = "$2" ] || { echo "# expected [$2] got [$1]"; false; }; }

sqlite() { [ "$BACKEND" = sqlite ]; }
pg() { [ "$BACKEND" = pg ]; }
pick() { if sqlite; then printf '%s\n' "$1"; else printf '%s\n' "$2"; fi; }

# The database name behind NAME ("NAME.db" is accepted as NAME).
pg_name() { local b=${1%.db}; b=$(printf '%s' "$b" | tr -c 'a-zA-Z0-9' '_' | tr 'A-Z' 'a-z'); echo "${PG_PREFIX}_${b:0:24}_$$"; }
pg_sql() { psql -X -q -d "$STRATA_TEST_PG" -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$1" >/dev/null; }
pg_create() {
	local d
	d=$(pg_name "$1")
	if ! grep -qxF "$d" "$T/.pg_dbs" 2>/dev/null; then
		pg_sql "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)"
		pg_sql "CREATE DATABASE \"$d\""
		echo "$d" >>"$T/.pg_dbs"
	fi
	echo "$d"
}

db_url() {
	local name=${1%.db} params=${2:-}
	if sqlite; then
		echo "sqlite:$name.db${params:+?$params}"
	else
		local d
		d=$(pg_create "$name")
		echo "postgresql://$PGUSER@/$d?host=$PGHOST&port=$PGPORT${params:+&$params}"
	fi
}
db_reset() {
	if sqlite; then
		rm -f "${1%.db}.db"
	else
		local d
		d=$(pg_create "$1")
		pg_sql "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)"
		pg_sql "CREATE DATABASE \"$d\""
	fi
}
db_exists() { if sqlite; then [ -e "${1%.db}.db" ]; else true; fi; }

q() {
	if sqlite; then
		sqlite3 -batch -init /dev/null "${1%.db}.db" "$2"
	else
		psql -X -t -A -q -v ON_ERROR_STOP=1 -d "$(db_url "$1")" -c "$2"
	fi
}
qlist() { q "$1" "$2" | paste -sd, -; }

# 'a','b',… from the arguments (table names: letters, digits, _ only).
sql_names() { local s= t; for t in "$@"; do s="$s${s:+,}'$t'"; done; echo "$s"; }
has_table() {
	local name=$1; shift
	if sqlite; then
		db_exists "$name" || { echo 0; return 0; }
		q "$name" "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ($(sql_names "$@"))"
	else
		q "$name" "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename IN ($(sql_names "$@"))"
	fi
}
tables() {
	if sqlite; then
		q "$1" "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'strata_ledger'"
	else
		q "$1" "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename <> 'strata_ledger'"
	fi | LC_ALL=C sort | paste -sd, -
}
db_used() { [ "$(has_table "$1" strata_ledger)" = 1 ]; }

# A dbmate-layout project with N simple migrations in ./db/migrations, on
# database "app".
make_project() {
	local count=${1:-3}
	mkdir -p db/migrations
	cat >strata.yaml <<YAML
database: $(db_url app)
sources:
  - name: app
    format: sqlpair
    path: db/migrations
    layout: dbmate
YAML
	for i in $(seq 1 "$count"); do
		printf -- '-- migrate:up\nCREATE TABLE t%d (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE t%d;\n' \
			"$i" "$i" >"db/migrations/$(printf '%04d' "$i")_t$i.sql"
	done
}
