# Shared helpers for integration tests: each test runs the built strata binary
# in a fresh temporary folder and asserts on exit codes, exact output lines and
# the rows and schema of real SQLite files.  Output is TAP.
set -euo pipefail
: "${STRATA:?STRATA must point at the strata binary}"
: "${SRC:?SRC must point at the source tree}"
T=$(mktemp -d /tmp/strata-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
unset DATABASE_URL STRATA_PLUGIN_PATH STRATA_FORMATS_PATH
n=0
failed=0

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
# q DB SQL: one query result from sqlite3.
q() { sqlite3 "$1" "$2"; }
eq() { [ "$1" = "$2" ] || { echo "# expected [$2] got [$1]"; false; }; }

# A dbmate-layout project with N simple migrations in ./db/migrations.
make_project() {
	local count=${1:-3}
	mkdir -p db/migrations
	cat >strata.yaml <<YAML
database: sqlite:app.db
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
