#!/usr/bin/env bash
# SIGINT, SIGTERM and SIGHUP to `strata apply` while a migration's statement
# runs on the server: strata cancels the statement, rolls the migration's
# transaction back, records nothing, releases the advisory lock and exits
# 128 + N with one exact line; within 5 s pg_stat_activity shows no session
# of it and pg_locks no advisory lock in its database, and the next apply
# runs the migration once.  Also: a signal while waiting for the lock, one
# during a migration outside a transaction (recorded as failed, with the
# reason), and a lock left by a strata killed with SIGKILL whose statement
# still runs, which the next strata names as gone, with the way out.
# Each signal is sent only once the statement is seen running (polled in
# pg_stat_activity), never after a guessed sleep.
. "$(dirname "$0")/lib.sh"

# The migration sleeps as long as knob.secs says: long while the signal is
# due, 0 for the apply after it.  side counts how often it ran to the end.
slow_project() {
	project "$1" golang-migrate
	printf 'CREATE TABLE side (n integer);\nINSERT INTO side VALUES (1);\nSELECT pg_sleep(secs) FROM knob;\n' \
		>"$1/m/001_slow.up.sql"
	printf 'CREATE TABLE after_slow (n integer);\n' >"$1/m/002_after.up.sql"
}

# Background strata with SIGINT and SIGQUIT not ignored: job control on, as
# in an interactive shell (a non-interactive one starts background jobs with
# SIGINT ignored, which strata then honours).
start_strata() {
	set -m
	"$STRATA" "$@" >"$T/bg.out" 2>"$T/bg.err" &
	bg=$!
	set +m
}

# wait_for DB SQL: poll (every 50 ms, up to 30 s) until SQL returns 't'.
wait_for() {
	for _ in $(seq 1 600); do
		[ "$(q "$1" "$2" 2>/dev/null)" = t ] && return 0
		sleep 0.05
	done
	echo "# timed out waiting for: $2"
	return 1
}
sleeping() { # DB PID: strata PID's session runs pg_sleep
	wait_for "$1" "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
	               AND application_name = 'strata (pid $2)' AND state = 'active' AND query LIKE '%pg_sleep%')"
}
# gone_within DB PID SECS: no session of strata PID, no advisory lock in DB.
gone_within() {
	local i
	for i in $(seq 1 $(($3 * 20))); do
		if [ "$(q "$1" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		               AND application_name = 'strata (pid $2)'")" = 0 ] &&
			[ "$(q "$1" "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		               WHERE l.locktype = 'advisory' AND d.datname = current_database()")" = 0 ]; then
			echo "# gone after $((i * 50)) ms"
			return 0
		fi
		sleep 0.05
	done
	q "$1" "SELECT pid, application_name, state, query FROM pg_stat_activity WHERE datname = current_database()" | diag
	return 1
}
gone_within_apps() { # DB PID SECS: no session of strata PID (another holds a lock)
	for _ in $(seq 1 $(($3 * 20))); do
		[ "$(q "$1" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		           AND application_name = 'strata (pid $2)'")" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}
finish_bg() { set +e; wait "$bg"; rc=$?; set -e; cp "$T/bg.out" "$T/out"; cp "$T/bg.err" "$T/err"; }

interrupt_case() { # SIGNAL EXIT
	local sig=$1 want=$2 db url
	new_db_var db
	url=$(db_url "$db")
	slow_project "p$sig"
	q "$db" "CREATE TABLE knob (secs float); INSERT INTO knob VALUES (60)" >/dev/null
	start_strata -C "p$sig" --db "$url" apply
	check "$sig: the migration's statement is seen running" sleeping "$db" "$bg"
	kill -"$sig" "$bg"
	finish_bg
	check "$sig: exit $want" rc_is "$want"
	check "$sig: the one line" eq "$(cat "$T/err")" \
		"strata: error: interrupted by SIG$sig while applying app:001 (m/001_slow.up.sql); rolled back, nothing recorded"
	check "$sig: within 5 s no session of that strata and no advisory lock" gone_within "$db" "$bg" 5
	check "$sig: nothing recorded" eq "$(q "$db" "SELECT count(*) FROM strata_ledger")" 0
	check "$sig: nothing of the migration left" eq "$(q "$db" "SELECT to_regclass('side') IS NULL")" t
	q "$db" "UPDATE knob SET secs = 0" >/dev/null
	run -C "p$sig" --db "$url" apply
	check "$sig: the next apply exits 0" rc_is 0
	check "$sig: ... and applies both" out_has "2 migrations applied"
	check "$sig: the migration ran once" eq "$(q "$db" "SELECT count(*) FROM side")" 1
	check "$sig: both recorded applied" eq "$(q "$db" "SELECT string_agg(id || '=' || state, ',' ORDER BY id) FROM strata_ledger")" \
		"app:001=applied,app:002=applied"
}
interrupt_case INT 130
interrupt_case TERM 143
interrupt_case HUP 129

# rollback: the down script's transaction is undone, the migration stays applied.
new_db_var db
url=$(db_url "$db")
project pr golang-migrate
printf 'CREATE TABLE kept (n integer);\n' >pr/m/001_kept.up.sql
printf 'DROP TABLE kept;\nSELECT pg_sleep(secs) FROM knob;\n' >pr/m/001_kept.down.sql
q "$db" "CREATE TABLE knob (secs float); INSERT INTO knob VALUES (60)" >/dev/null
run -C pr --db "$url" apply
start_strata -C pr --db "$url" rollback
check "rollback: the down script's statement is seen running" sleeping "$db" "$bg"
kill -INT "$bg"
finish_bg
check "rollback: exit 130" rc_is 130
check "rollback: the one line" eq "$(cat "$T/err")" \
	"strata: error: interrupted by SIGINT while rolling back app:001 (m/001_kept.down.sql); its transaction rolled back, nothing recorded; it stays applied"
check "rollback: within 5 s no session and no advisory lock" gone_within "$db" "$bg" 5
check "rollback: still applied, its table still there" eq \
	"$(q "$db" "SELECT state FROM strata_ledger") $(q "$db" "SELECT to_regclass('kept') IS NOT NULL")" "applied t"

# A signal while waiting for the lock another session holds: nothing ran.
new_db_var db
url=$(db_url "$db")
slow_project pw
q "$db" "CREATE TABLE knob (secs float); INSERT INTO knob VALUES (0)" >/dev/null
key=$(q "$db" "SELECT ('x' || left(encode(sha256(convert_to(current_schema() || '.strata_ledger', 'UTF8')), 'hex'), 16))::bit(64)::bigint")
PGAPPNAME=holder psql -X -q -d "$db" -c "SELECT pg_advisory_lock($key)" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
wait_for "$db" "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'holder' AND query LIKE '%pg_sleep%')" >/dev/null
start_strata -C pw --db "$url" --lock-timeout 60s apply
check "lock wait: strata is waiting (its session polls, no lock held)" wait_for "$db" \
	"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata (pid $bg)')"
t0=$(date +%s%N)
kill -INT "$bg"
finish_bg
took=$((($(date +%s%N) - t0) / 1000000))
check "lock wait: SIGINT exits 130" rc_is 130
check "lock wait: strata ended within 5 s of the signal (${took} ms)" test "$took" -lt 5000
check "lock wait: the one line" eq "$(cat "$T/err")" "strata: error: interrupted by SIGINT; nothing was changed"
check "lock wait: no strata_ledger created" eq "$(q "$db" "SELECT to_regclass('strata_ledger') IS NULL")" t
q "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holder' AND datname = current_database()" >/dev/null
wait "$holder" 2>/dev/null || true

# A signal while waiting for Prisma's own lock (a tracker's wait, after
# strata's lock is taken): the wait ends, both locks are free.
new_db_var db
url=$(db_url "$db")
mkdir -p pp/prisma/migrations/20250101000000_init
printf 'provider = "postgresql"\n' >pp/prisma/migrations/migration_lock.toml
printf 'CREATE TABLE t (n integer);\n' >pp/prisma/migrations/20250101000000_init/migration.sql
printf 'sources:\n  - name: app\n    format: prisma\n    path: prisma/migrations\n' >pp/strata.yaml
PGAPPNAME=prisma-holder psql -X -q -d "$db" -c "SELECT pg_advisory_lock(72707369)" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
wait_for "$db" "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'prisma-holder' AND query LIKE '%pg_sleep%')" >/dev/null
start_strata -C pp --db "$url" --lock-timeout 60s apply
check "Prisma's lock: strata holds its own lock and waits for Prisma's" wait_for "$db" \
	"SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory'
	 AND l.granted AND a.application_name = 'strata (pid $bg)')"
t0=$(date +%s%N)
kill -INT "$bg"
finish_bg
took=$((($(date +%s%N) - t0) / 1000000))
check "Prisma's lock: SIGINT exits 130" rc_is 130
check "Prisma's lock: strata ended within 5 s of the signal (${took} ms)" test "$took" -lt 5000
check "Prisma's lock: the one line" eq "$(cat "$T/err")" "strata: error: interrupted by SIGINT; nothing was changed"
check "Prisma's lock: within 5 s no session of that strata" gone_within_apps "$db" "$bg" 5
q "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'prisma-holder' AND datname = current_database()" >/dev/null
wait "$holder" 2>/dev/null || true

# Outside a transaction what ran stays done: the row says failed, with the
# reason, and the next apply refuses it until the user decides.
new_db_var db
url=$(db_url "$db")
project pn golang-migrate
printf -- '-- strata:no-transaction\nCREATE TABLE side (n integer);\nSELECT pg_sleep(secs) FROM knob;\n' >pn/m/001_slow.up.sql
q "$db" "CREATE TABLE knob (secs float); INSERT INTO knob VALUES (60)" >/dev/null
start_strata -C pn --db "$url" apply
check "no transaction: the statement is seen running" sleeping "$db" "$bg"
kill -INT "$bg"
finish_bg
check "no transaction: exit 130" rc_is 130
check "no transaction: the one line" eq "$(cat "$T/err")" \
	"strata: error: interrupted by SIGINT while applying app:001 (m/001_slow.up.sql); it ran outside a transaction and may be partly done; recorded as failed (hint: finish or undo it by hand, then \`strata mark app:001 --applied\` or \`--rolled-back\`)"
check "no transaction: recorded failed with the reason" eq "$(q "$db" "SELECT state || '|' || error FROM strata_ledger")" \
	"failed|interrupted by SIGINT"
check "no transaction: within 5 s no session and no advisory lock" gone_within "$db" "$bg" 5
check "no transaction: its first statement stays done" eq "$(q "$db" "SELECT to_regclass('side') IS NOT NULL")" t
run -C pn --db "$url" apply
check "no transaction: the next apply refuses it (exit 4)" rc_is 4
check "no transaction: ... saying why" err_has "app:001 failed outside a transaction and may be partly done: interrupted by SIGINT"

# SIGKILL leaves the server session running its statement, holding the lock:
# the next strata names the holder as gone and says how to end it.
new_db_var db
url=$(db_url "$db")
slow_project pk
q "$db" "CREATE TABLE knob (secs float); INSERT INTO knob VALUES (60)" >/dev/null
start_strata -C pk --db "$url" apply
check "SIGKILL: the statement is seen running" sleeping "$db" "$bg"
kill -KILL "$bg"
finish_bg
spid=$(q "$db" "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata (pid $bg)'")
run -C pk --db "$url" --lock-timeout 0 apply
check "SIGKILL: the next apply is refused (exit 1)" rc_is 1
check "SIGKILL: ... naming the gone strata and the way out" eq "$(cat "$T/err")" \
	"strata: error: could not take the migration lock within 0 ms: held by strata (pid $bg) (server pid $spid), a process that is gone; its server session still runs its last statement (hint: end that session with SELECT pg_terminate_backend($spid), or wait until its statement ends)"
q "$db" "SELECT pg_terminate_backend($spid)" >/dev/null
q "$db" "UPDATE knob SET secs = 0" >/dev/null
wait_idle "$db"
run -C pk --db "$url" apply
check "SIGKILL: after pg_terminate_backend the next apply exits 0" rc_is 0
check "SIGKILL: the migration ran once" eq "$(q "$db" "SELECT count(*) FROM side")" 1
done_testing
