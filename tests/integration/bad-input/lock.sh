# The migration lock held by someone else: refused at once (--lock-timeout
# 0) with who holds it.  PostgreSQL names the session that holds the
# advisory lock; a strata that is gone (application_name 'strata (pid N)',
# both clients on this host, no process N) is said to be gone, with the way
# out: pg_terminate_backend of its server session, or waiting for its
# statement.  SQLite: another process's write transaction.

# hold_lock APPNAME [CONNINFO]: a psql session (fed through a fifo, so it
# stays open) takes strata's advisory lock of database app and then runs
# $HOLD_SQL (a long statement, or nothing: idle); $holder_spid is its
# server pid.  release_lock ends it.
hold_lock() {
	local app=$1 conn=${2:-$(db_url app)} key
	key=$(q app "SELECT ('x' || left(encode(sha256(convert_to(current_schema() || '.strata_ledger', 'UTF8')), 'hex'), 16))::bit(64)::bigint")
	rm -f "$T/hold.fifo"
	mkfifo "$T/hold.fifo"
	PGAPPNAME=$app psql -X -q -d "$conn" <"$T/hold.fifo" >/dev/null 2>&1 &
	holder=$!
	exec 7>"$T/hold.fifo"
	printf 'SELECT pg_advisory_lock(%s);\n%s\n' "$key" "${HOLD_SQL:-}" >&7
	for _ in $(seq 1 600); do
		holder_spid=$(q app "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		                     WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
		                     AND ('${HOLD_SQL:-}' = '' OR a.query LIKE '%pg_sleep%')")
		[ -n "$holder_spid" ] && return 0
		sleep 0.05
	done
	echo "# the holder never took the lock"
}
release_lock() {
	q app "SELECT pg_terminate_backend($holder_spid)" >/dev/null 2>&1 || true
	exec 7>&-
	wait "$holder" 2>/dev/null || true
}
# A pid that no process has: one that just ended.
dead_pid() { sh -c 'exit 0' & wait; echo $!; }

if pg; then
	case_dir lock-gone-strata-running
	make_project 1
	dead=$(dead_pid)
	HOLD_SQL='SELECT pg_sleep(60);' hold_lock "strata (pid $dead)"
	refused "lock held by a gone strata whose statement runs" 1 \
		"strata: error: could not take the migration lock within 0 ms: held by strata (pid $dead) (server pid $holder_spid), a process that is gone; its server session still runs its last statement (hint: end that session with SELECT pg_terminate_backend($holder_spid), or wait until its statement ends)" \
		--lock-timeout 0 apply
	release_lock

	case_dir lock-gone-strata-idle
	make_project 1
	dead=$(dead_pid)
	HOLD_SQL= hold_lock "strata (pid $dead)"
	refused "lock held by a gone strata whose session is idle" 1 \
		"strata: error: could not take the migration lock within 0 ms: held by strata (pid $dead) (server pid $holder_spid), a process that is gone; its server session is still open (hint: end that session with SELECT pg_terminate_backend($holder_spid))" \
		--lock-timeout 0 apply
	release_lock

	case_dir lock-gone-strata-loopback
	make_project 1
	dead=$(dead_pid)
	HOLD_SQL='SELECT pg_sleep(60);' hold_lock "strata (pid $dead)" \
		"host=127.0.0.1 port=$PGPORT user=$PGUSER dbname=$(pg_name app)"
	refused "lock held through 127.0.0.1 by a gone strata: this host too" 1 \
		"strata: error: could not take the migration lock within 0 ms: held by strata (pid $dead) (server pid $holder_spid), a process that is gone; its server session still runs its last statement (hint: end that session with SELECT pg_terminate_backend($holder_spid), or wait until its statement ends)" \
		--lock-timeout 0 apply
	release_lock

	case_dir lock-live-strata
	make_project 1
	HOLD_SQL='SELECT pg_sleep(60);' hold_lock "strata (pid $$)"
	refused "lock held by a strata that is alive (this shell's pid)" 1 \
		"strata: error: could not take the migration lock within 0 ms: held by strata (pid $$) (server pid $holder_spid) (hint: another strata is applying migrations; wait for it or raise --lock-timeout)" \
		--lock-timeout 0 apply
	release_lock

	case_dir lock-not-strata-name
	make_project 1
	dead=$(dead_pid)
	HOLD_SQL='SELECT pg_sleep(60);' hold_lock "strata (pid $dead) copy"
	refused "an application_name only like strata's is not taken for one" 1 \
		"strata: error: could not take the migration lock within 0 ms: held by strata (pid $dead) copy (server pid $holder_spid) (hint: another strata is applying migrations; wait for it or raise --lock-timeout)" \
		--lock-timeout 0 apply
	release_lock

	case_dir lock-no-application-name
	make_project 1
	HOLD_SQL='SELECT pg_sleep(60);' hold_lock ""
	refused "lock held by a session without application_name" 1 \
		"strata: error: could not take the migration lock within 0 ms: held by a session without application_name (server pid $holder_spid) (hint: another strata is applying migrations; wait for it or raise --lock-timeout)" \
		--lock-timeout 0 apply
	release_lock
fi

if sqlite; then
	case_dir lock-sqlite-write-transaction
	make_project 1
	sqlite3 app.db "CREATE TABLE other (n INTEGER)"
	python3 -c "
import sqlite3, time
c = sqlite3.connect('app.db', isolation_level=None)
c.execute('BEGIN IMMEDIATE')
print('held', flush=True)
time.sleep(60)
" >"$T/holder.out" &
	holder=$!
	for _ in $(seq 1 600); do grep -q held "$T/holder.out" && break; sleep 0.05; done
	refused "another process's write transaction" 1 \
		"strata: error: database is locked (hint: another process holds the database lock)" \
		--lock-timeout 0 apply
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
fi
