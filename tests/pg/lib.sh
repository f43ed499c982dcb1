# Helpers for the PostgreSQL tests (self-contained).  Each script runs the
# built strata binary against the private cluster that `./dev test` starts
# (tests/pg/cluster.sh), in databases of its own that are dropped at exit,
# and asserts on exit codes, exact messages and catalog rows.  Output is TAP.
set -euo pipefail
if [ -z "${STRATA_TEST_PG:-}" ]; then
	echo "Bail out! STRATA_TEST_PG is not set: run ./dev test"
	exit 1
fi
: "${STRATA:?STRATA must point at the strata binary}"
: "${PGHOST:?PGHOST must be set (source the cluster env)}"
: "${PGPORT:?PGPORT must be set (source the cluster env)}"
: "${PGUSER:?PGUSER must be set (source the cluster env)}"
export PGHOST PGPORT PGUSER
unset PGDATABASE PGPASSWORD PGSERVICE PGOPTIONS DATABASE_URL STRATA_PLUGIN_PATH STRATA_FORMATS_PATH \
	STRATA_LOCK_TIMEOUT_MS

T=$(mktemp -d /tmp/strata-pg.XXXXXX)
DB_PREFIX="strata_$(basename "$0" .sh)_$$"
DBS=()
CLEANUP_SQL=() # run on db postgres at exit, after the databases are dropped
n=0
failed=0
rc=0

# Drop every database this script created (terminating any leftover
# sessions), then the temporary folder.
pg_cleanup() {
	local d
	for d in ${DBS[@]+"${DBS[@]}"}; do
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null 2>&1 || true
	done
	for d in ${CLEANUP_SQL[@]+"${CLEANUP_SQL[@]}"}; do
		psql -X -q -d postgres -c "$d" >/dev/null 2>&1 || true
	done
	rm -rf "$T"
}
trap pg_cleanup EXIT
cd "$T"

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
done_testing() { echo "1..$n"; [ "$failed" -eq 0 ]; }
diag() { sed 's/^/# /'; }

# run ARGS…: strata with output in $T/out and $T/err, exit code in $rc.
run() { set +e; "$STRATA" "$@" >"$T/out" 2>"$T/err"; rc=$?; set -e; }

# check DESCRIPTION COMMAND…: one TAP line from a shell condition; on
# failure, the condition and the last strata run as diagnostics.
check() {
	local d=$1; shift
	if "$@"; then ok "$d"; else
		not_ok "$d"
		{ echo "condition: $*"; echo "rc=$rc"; sed 's/^/out: /' "$T/out"; sed 's/^/err: /' "$T/err"; } 2>/dev/null | head -40 | diag || true
	fi
}
rc_is() { [ "$rc" -eq "$1" ] || { echo "# expected exit $1, got $rc"; false; }; }
out_has() { grep -qF -- "$1" "$T/out"; }
err_has() { grep -qF -- "$1" "$T/err"; }
out_empty() { [ ! -s "$T/out" ]; }
no() { ! "$@"; }
eq() { [ "$1" = "$2" ] || { echo "# expected [$2] got [$1]"; false; }; }

# q DB SQL: the result rows of one query, unaligned, '|' between columns.
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# new_db_var VAR: create a database with a unique name and store the name
# in VAR; it is dropped at exit.
DB_SEQ=0
new_db_var() {
	local var=$1
	DB_SEQ=$((DB_SEQ + 1))
	local name="${DB_PREFIX}_$DB_SEQ"
	DBS+=("$name")
	q postgres "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1
	q postgres "CREATE DATABASE \"$name\"" >/dev/null
	printf -v "$var" '%s' "$name"
}
drop_db() {
	q postgres "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1
}

# db_url DB [QUERY]: STRATA_TEST_PG pointed at database DB, with QUERY
# (already encoded, e.g. 'schema=x') appended to its parameters.
db_url() {
	local base=${STRATA_TEST_PG%%\?*} params=
	case $STRATA_TEST_PG in *\?*) params=${STRATA_TEST_PG#*\?} ;; esac
	local url="${base%/*}/$1"
	[ -n "${2:-}" ] && params="${params:+$params&}$2"
	printf '%s%s\n' "$url" "${params:+?$params}"
}

# wait_idle DB: wait (up to 60 s) until no other session is connected to DB,
# e.g. the backend of a strata process killed mid-statement, which runs on
# until it notices its client is gone.
wait_idle() {
	for _ in $(seq 1 600); do
		[ "$(q "$1" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")" = 0 ] && return 0
		sleep 0.1
	done
	echo "# sessions still connected to $1 after 60 s"
	return 1
}

# project DIR LAYOUT: a strata.yaml in DIR with one sqlpair source 'app'
# reading DIR/m (no database: line; tests pass --db).
project() {
	mkdir -p "$1/m"
	printf 'sources:\n  - name: app\n    format: sqlpair\n    path: m\n    layout: %s\n' "${2:-golang-migrate}" >"$1/strata.yaml"
}
