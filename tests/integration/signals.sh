#!/usr/bin/env bash
# SIGINT and SIGTERM to `strata apply` on SQLite while a migration's long
# statement runs (a recursive CTE): the statement is interrupted (a progress
# handler polls the flag the signal handler sets), the migration's
# transaction rolled back, nothing recorded; exit 130 / 143 with one exact
# line, no journal or lock left, and the next apply runs the migration once.
# Also a signal while waiting for another process's write lock, and one in
# the middle of apply --single-transaction (the whole batch undone).  Each signal
# is sent once the statement is seen running: the migration before it is
# recorded and a write transaction is open (our own BEGIN IMMEDIATE is
# refused), never after a guessed sleep.  (tests/pg/signals.sh: PostgreSQL.)
. "$SRC/tests/integration/lib.sh"
if ! sqlite; then
	echo "1..0 # SKIP SQLite only: tests/pg/signals.sh covers PostgreSQL"
	exit 0
fi

# 001 is quick; 002 counts to knob.n (long while the signal is due, 1 after)
# and adds a row to side each time it runs to the end.
slow_project() {
	mkdir -p "$1/m"
	printf 'sources:\n  - name: app\n    format: sqlpair\n    path: m\n    layout: golang-migrate\n' >"$1/strata.yaml"
	printf 'CREATE TABLE first (n INTEGER);\n' >"$1/m/001_first.up.sql"
	cat >"$1/m/002_slow.up.sql" <<'SQL'
CREATE TABLE side (n INTEGER);
INSERT INTO side VALUES (1);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT n FROM knob))
SELECT count(*) FROM c;
SQL
	sqlite3 "$1/app.db" "CREATE TABLE knob (n INTEGER); INSERT INTO knob VALUES (4000000000);"
}

# Job control on: a non-interactive shell starts background jobs with
# SIGINT ignored, and strata leaves an ignored signal ignored.
start_strata() {
	set -m
	"$STRATA" "$@" >"$T/bg.out" 2>"$T/bg.err" &
	bg=$!
	set +m
}
finish_bg() { set +e; wait "$bg"; rc=$?; set -e; cp "$T/bg.out" "$T/out"; cp "$T/bg.err" "$T/err"; }

# 002 runs: 001 is recorded and a write transaction is open.
running_002() {
	local db=$1/app.db
	for _ in $(seq 1 600); do
		if [ "$(sqlite3 -init /dev/null "$db" "SELECT count(*) FROM strata_ledger WHERE id = 'app:001' AND state = 'applied'" 2>/dev/null)" = 1 ] &&
			! sqlite3 -init /dev/null "$db" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "# 002 never seen running"
	return 1
}

interrupt_case() { # SIGNAL EXIT
	local sig=$1 want=$2 d=p$1
	slow_project "$d"
	start_strata -C "$d" --db sqlite:app.db apply
	check "$sig: 002's statement is seen running" running_002 "$d"
	kill -"$sig" "$bg"
	finish_bg
	check "$sig: exit $want" rc_is "$want"
	check "$sig: the one line" eq "$(cat "$T/err")" \
		"strata: error: interrupted by SIG$sig while applying app:002 (m/002_slow.up.sql); rolled back, nothing recorded"
	check "$sig: 001 stays applied, 002 not recorded" eq \
		"$(sqlite3 "$d/app.db" "SELECT group_concat(id || '=' || state) FROM strata_ledger")" "app:001=applied"
	check "$sig: nothing of 002 left" eq "$(sqlite3 "$d/app.db" "SELECT count(*) FROM sqlite_master WHERE name = 'side'")" 0
	check "$sig: no journal left" eq "$(ls "$d" | grep -c 'app.db-' || true)" 0
	sqlite3 "$d/app.db" "UPDATE knob SET n = 1"
	run -C "$d" --db sqlite:app.db apply
	check "$sig: the next apply exits 0" rc_is 0
	check "$sig: ... applying 002 only" out_has "1 migration applied"
	check "$sig: 002 ran once" eq "$(sqlite3 "$d/app.db" "SELECT count(*) FROM side")" 1
}
interrupt_case INT 130
interrupt_case TERM 143

# --single-transaction: 001 and 002 in one transaction; the signal during
# 002 undoes both.  001 is not recorded before 002 runs (one transaction), so
# "002 runs" is: strata_ledger exists (run_ready committed) and the write
# lock is held on two polls 50 ms apart (001 takes well under a millisecond).
batch_running() {
	local db=$1/app.db held=0
	for _ in $(seq 1 600); do
		if [ "$(sqlite3 -init /dev/null "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'strata_ledger'" 2>/dev/null)" = 1 ] &&
			! sqlite3 -init /dev/null "$db" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null; then
			held=$((held + 1))
			[ $held -ge 2 ] && return 0
		else
			held=0
		fi
		sleep 0.05
	done
	echo "# the batch never seen running"
	return 1
}
slow_project ptx
start_strata -C ptx --db sqlite:app.db apply --single-transaction
check "single transaction: 002's statement is seen running" batch_running ptx
kill -INT "$bg"
finish_bg
check "single transaction: exit 130" rc_is 130
check "single transaction: the one line, 001 rolled back too" eq "$(cat "$T/err")" \
	"strata: error: interrupted by SIGINT while applying app:002 (m/002_slow.up.sql); rolled back with the 1 migration before it in its transaction (app:001): none of them is applied or recorded"
check "single transaction: nothing recorded, no table of 001 or 002" eq \
	"$(sqlite3 "ptx/app.db" "SELECT (SELECT count(*) FROM strata_ledger) || '|' || (SELECT count(*) FROM sqlite_master WHERE name IN ('first', 'side'))")" "0|0"
sqlite3 ptx/app.db "UPDATE knob SET n = 1"
run -C ptx --db sqlite:app.db apply --single-transaction
check "single transaction: the next apply applies both, once" eq "$rc|$(tail -1 "$T/out")|$(sqlite3 ptx/app.db "SELECT count(*) FROM side")" \
	"0|2 migrations applied to sqlite:app.db in one transaction|1"

# Waiting for another process's write lock: the busy wait ends at once.
slow_project pw
sqlite3 pw/app.db "UPDATE knob SET n = 1"
python3 -c "
import sqlite3, sys, time
c = sqlite3.connect('pw/app.db', isolation_level=None)
c.execute('BEGIN IMMEDIATE')
print('held', flush=True)
time.sleep(60)
" >"$T/holder.out" &
holder=$!
for _ in $(seq 1 600); do grep -q held "$T/holder.out" && break; sleep 0.05; done
start_strata -C pw --db sqlite:app.db --lock-timeout 60s apply
opened() { for _ in $(seq 1 600); do ls -l "/proc/$bg/fd" 2>/dev/null | grep -q 'app\.db$' && return 0; sleep 0.05; done; return 1; }
check "lock wait: strata has the database open" opened
t0=$(date +%s%N)
kill -INT "$bg"
finish_bg
took=$((($(date +%s%N) - t0) / 1000000))
check "lock wait: SIGINT exits 130" rc_is 130
check "lock wait: strata ended within 5 s of the signal (${took} ms), not at the 60 s timeout" test "$took" -lt 5000
check "lock wait: the one line" eq "$(cat "$T/err")" "strata: error: interrupted by SIGINT; nothing was changed"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
check "lock wait: nothing recorded" eq "$(sqlite3 pw/app.db "SELECT count(*) FROM sqlite_master WHERE name = 'strata_ledger'")" 0
done_testing
