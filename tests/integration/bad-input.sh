#!/usr/bin/env bash
# Bad input, one case at a time: each case asserts the exact one-line error
# (or warning), the exit code, and that the database is byte for byte what it
# was before (SQLite: `.dump`; PostgreSQL: `pg_dump`, which holds the
# tracking tables' rows too).  The cases are grouped by subject in
# tests/integration/bad-input/*.sh, sourced in name order; each starts with
# `case_dir NAME`, which gives it a fresh folder and an empty database "app".
#
#   case_dir NAME                  cd into a fresh $T/NAME, database app reset
#   dump [DB]                      everything in DB (default app), as text
#   refused DESC RC ERR ARGS…      run strata ARGS…; check exit RC, stderr is
#                                  exactly ERR (one line; on pg/sqlite use pick)
#                                  and DB unchanged; DB is $BAD_DB (default app)
# shellcheck source=tests/integration/lib.sh
. "$SRC/tests/integration/lib.sh"

case_dir() {
	cd "$T"
	rm -rf "$T/$1"
	mkdir -p "$T/$1"
	cd "$T/$1"
	BAD_DB=app
	if sqlite; then rm -f app.db; else db_reset app; fi
}

dump() {
	local name=${1:-app}
	if sqlite; then
		if [ -e "${name%.db}.db" ]; then
			sqlite3 -batch -init /dev/null "${name%.db}.db" .dump
		else
			echo "(no database file)"
		fi
	else
		# pg_dump 17.6+ brackets its output with \restrict KEY, a new random
		# key per run: not the database's content.
		pg_dump --no-owner --no-privileges -d "$(db_url "$name")" | grep -v '^\\\(un\)\?restrict '
	fi
}

refused() {
	local d=$1 want_rc=$2 want_err=$3 before after
	shift 3
	before=$(dump "$BAD_DB")
	run "$@"
	check "$d: exit $want_rc" rc_is "$want_rc"
	check "$d: the one line" err_is "$want_err"
	after=$(dump "$BAD_DB")
	if [ "$after" = "$before" ]; then ok "$d: database unchanged"; else
		not_ok "$d: database unchanged"
		diff <(echo "$before") <(echo "$after") | sed 's/^/# /' | head -20 || true
	fi
}

for f in "$SRC"/tests/integration/bad-input/*.sh; do
	# shellcheck disable=SC1090
	. "$f"
done
cd "$T"
done_testing
