#!/usr/bin/env bash
# strata through a real PgBouncer in transaction pooling mode (Debian package
# pgbouncer), started here on a unix socket and a loopback port in front of
# the test cluster, with a pool of 3 server connections per database so
# that clients share and swap them.  With ?pgbouncer=true:
#   apply, status and rollback work (unnamed prepared statements only), and
#   the session's settings (?schema=, session: timeouts) hold in every
#   migration without staying on a pooled server connection;
#   concurrent applies never run a migration twice (Prisma source: its
#   tracker's advisory lock too), and the loser names the holder;
#   a direct strata and a pooled one exclude each other;
#   kill -9 of the holder frees the lock at once, and the next apply
#   finishes the work exactly once; a holder whose lock connection is ended
#   stops before its next migration; Prisma's lock is held throughout;
#   a migration outside a transaction is refused under a ?schema= the
#   pooled server connections do not have, before any statement runs.
. "$(dirname "$0")/lib.sh"
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
if [ ! -x "$PGBOUNCER" ]; then
	echo "Bail out! pgbouncer is not installed (apt-get install pgbouncer; ./dev installs it)"
	exit 1
fi

# --- PgBouncer: as the unprivileged user when root (it refuses root), like cluster.sh
B=$(mktemp -d /tmp/strata-pgb.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$B"
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
BPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$B/pgbouncer.ini" <<INI
[databases]
* = host=$PGHOST port=$PGPORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BPORT
unix_socket_dir = $B
auth_type = trust
auth_file = $B/users.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 200
admin_users = $PGUSER
logfile = $B/pgbouncer.log
pidfile = $B/pgbouncer.pid
INI
printf '"%s" ""\n' "$PGUSER" >"$B/users.txt"
[ "$(id -u)" -eq 0 ] && chown postgres: "$B"/*
stop_bouncer() {
	[ -f "$B/pgbouncer.pid" ] && kill "$(cat "$B/pgbouncer.pid")" 2>/dev/null || true
	for _ in $(seq 1 50); do [ -f "$B/pgbouncer.pid" ] || break; sleep 0.1; done
	rm -rf "$B"
}
trap 'stop_bouncer; pg_cleanup' EXIT
as_owner "$PGBOUNCER" -d "$B/pgbouncer.ini" || { echo "Bail out! pgbouncer did not start"; cat "$B/pgbouncer.log"; exit 1; }
for _ in $(seq 1 50); do [ -S "$B/.s.PGSQL.$BPORT" ] && break; sleep 0.1; done
# bq DB SQL: through PgBouncer.
bq() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$B" -p "$BPORT" -d "$1" -c "$2"; }
if [ "$(bq pgbouncer 'SHOW CONFIG' | grep '^pool_mode|' | cut -d'|' -f2)" != transaction ]; then
	echo "Bail out! PgBouncer is not in transaction pooling mode"
	sed 's/^/# /' "$B/pgbouncer.log"
	exit 1
fi
# burl DB [QUERY]: DB through PgBouncer, with ?pgbouncer=true.
# pg_locks is the whole cluster's, where other tests run meanwhile (strata's
# lock key is the same everywhere): look at this database's locks only.
HERE_DB="database = (SELECT oid FROM pg_database WHERE datname = current_database())"
# advisory_left DB: the advisory locks still held on DB once the backends of
# connections strata closed have gone (a server ends a backend after its
# client has left, not before: wait up to 5 s for that, no longer).  A lock
# left on a pooled server connection stays, and is counted.
advisory_left() {
	local n i
	for i in $(seq 50); do
		n=$(q "$1" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND $HERE_DB")
		[ "$n" = 0 ] && break
		sleep 0.1
	done
	echo "$n"
}
burl() { printf 'postgresql://%s@/%s?host=%s&port=%s&pgbouncer=true%s\n' "$PGUSER" "$1" "$B" "$BPORT" "${2:+&$2}"; }

# --- apply, status, rollback
N=6
project p golang-migrate
printf 'CREATE TABLE probe (n INTEGER, lock_timeout TEXT, statement_timeout TEXT, search_path TEXT);\n' >p/m/1_probe.up.sql
printf 'DROP TABLE probe;\n' >p/m/1_probe.down.sql
for i in $(seq 2 $N); do
	printf "INSERT INTO probe SELECT %d, current_setting('lock_timeout'), current_setting('statement_timeout'), current_setting('search_path');\nCREATE TABLE t%d (id INTEGER);\n" "$i" "$i" >"p/m/${i}_t$i.up.sql"
	printf 'DROP TABLE t%d;\nDELETE FROM probe WHERE n = %d;\n' "$i" "$i" >"p/m/${i}_t$i.down.sql"
done
new_db_var db
run -C p --db "$(burl "$db")" apply
check "apply through PgBouncer: exit 0" rc_is 0
check "apply: every migration applied once" \
	eq "$(q "$db" "SELECT count(*) || '/' || count(*) FILTER (WHERE state = 'applied') FROM strata_ledger")" "$N/$N"
check "apply: the tables exist" eq "$(q "$db" "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+\$'")" "$((N - 1))"
run -C p --db "$(burl "$db")" status
check "status through PgBouncer: exit 0" rc_is 0
check "status: all applied" out_has "$N migrations: $N applied"
run -C p --db "$(burl "$db")" rollback --steps 2
check "rollback through PgBouncer: exit 0" rc_is 0
check "rollback: two tables gone" eq "$(q "$db" "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+\$'")" "$((N - 3))"
check "rollback: recorded" eq "$(q "$db" "SELECT count(*) FROM strata_ledger WHERE state = 'rolled_back'")" 2
run -C p --db "$(burl "$db")" status
check "status after rollback: exit 3 (pending)" rc_is 3
check "no advisory lock left on any server connection" \
	eq "$(advisory_left "$db")" 0

# --- the session's settings in every migration, never on the server connection
printf 'session:\n  lock_timeout: 3s\n  statement_timeout: 9s\n' >>p/strata.yaml
new_db_var sdb
q "$sdb" "CREATE SCHEMA s1" >/dev/null
run -C p --db "$(burl "$sdb" schema=s1)" apply
check "?schema=s1 and session: through PgBouncer: exit 0" rc_is 0
check "every migration saw lock_timeout, statement_timeout and search_path" \
	eq "$(q "$sdb" "SELECT string_agg(DISTINCT lock_timeout || ' ' || statement_timeout || ' ' || search_path, ',') || ' ' || count(*) FROM s1.probe")" \
	"3s 9s s1 $((N - 1))"
check "strata_ledger in s1" eq "$(q "$sdb" "SELECT count(*) FROM s1.strata_ledger WHERE state = 'applied'")" "$N"
check "nothing in public" eq "$(q "$sdb" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
# Every server connection of the pool, seen through PgBouncer: the defaults.
leak=""
for _ in 1 2 3 4; do
	leak="$leak$(bq "$sdb" "SELECT current_setting('lock_timeout') || current_setting('statement_timeout') || current_setting('search_path')"),"
done
check "no setting stayed on a pooled server connection" eq "$leak" '00"$user", public,00"$user", public,00"$user", public,00"$user", public,'
sed -i '/^session:/,$d' p/strata.yaml

# --- concurrent applies: a Prisma source, so its tracker's lock is taken too
M=12 PROCS=4 ROUNDS=${ROUNDS:-4}
mkdir -p pr/prisma/migrations
printf 'provider = "postgresql"\n' >pr/prisma/migrations/migration_lock.toml
printf 'sources:\n  - name: app\n    format: prisma\n    path: prisma/migrations\n' >pr/strata.yaml
mkdir -p pr/prisma/migrations/20240101000000_ran
echo 'CREATE TABLE ran (migration INTEGER NOT NULL);' >pr/prisma/migrations/20240101000000_ran/migration.sql
for i in $(seq 1 $M); do
	d=pr/prisma/migrations/$(printf '202401020000%02d_c%d' "$i" "$i")
	mkdir -p "$d"
	# Not idempotent: a second run fails on CREATE TABLE and adds a row to ran.
	printf 'CREATE TABLE c%d (id INTEGER);\nINSERT INTO ran VALUES (%d);\nSELECT pg_sleep(0.05);\n' "$i" "$i" >"$d/migration.sql"
done
LOCK_RE='could not take the migration lock within .* held by strata \(pid [0-9]+\) \(server pid [0-9]+\)'
for round in $(seq 1 "$ROUNDS"); do
	new_db_var cdb
	pids=()
	for k in $(seq 1 $PROCS); do
		"$STRATA" -C pr --db "$(burl "$cdb")" --lock-timeout 60s -q apply >"out.$k" 2>"err.$k" &
		pids+=($!)
	done
	codes=()
	for k in "${!pids[@]}"; do
		set +e; wait "${pids[$k]}"; codes+=($?); set -e
	done
	check "round $round: every apply exits 0 (${codes[*]})" eq "${codes[*]}" "$(printf '0 %.0s' $(seq 1 $PROCS) | sed 's/ $//')"
	check "round $round: nothing on stderr" eq "$(cat err.* | head -5)" ""
	check "round $round: each migration ran exactly once" \
		eq "$(q "$cdb" "SELECT count(*) || '/' || count(DISTINCT migration) FROM ran")" "$M/$M"
	check "round $round: strata_ledger has each once, applied" \
		eq "$(q "$cdb" "SELECT count(*) FILTER (WHERE state = 'applied') || '/' || count(DISTINCT id) FROM strata_ledger")" "$((M + 1))/$((M + 1))"
	check "round $round: _prisma_migrations has each once, finished" \
		eq "$(q "$cdb" "SELECT count(*) FILTER (WHERE finished_at IS NOT NULL) || '/' || count(DISTINCT migration_name) FROM _prisma_migrations")" "$((M + 1))/$((M + 1))"
	check "round $round: no advisory lock left behind (Prisma's included)" \
		eq "$(advisory_left "$cdb")" 0
	drop_db "$cdb"
done

# --- a holder, a waiter that gives up, a direct strata, kill -9
project slow golang-migrate
echo 'CREATE TABLE ran (migration INTEGER NOT NULL);' >slow/m/1_ran.up.sql
printf 'INSERT INTO ran VALUES (2);\nSELECT pg_sleep(3);\n' >slow/m/2_sleep.up.sql
printf 'INSERT INTO ran VALUES (3);\n' >slow/m/3_after.up.sql
new_db_var kdb
# until_sleeping DB: the holder's migration 2 is running (up to 10 s).
until_sleeping() {
	for _ in $(seq 1 100); do
		[ "$(q "$1" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND state = 'active' AND pid <> pg_backend_pid()")" = 1 ] && return 0
		sleep 0.1
	done
	echo "# the holder's migration did not start"; return 1
}
"$STRATA" -C slow --db "$(burl "$kdb")" -q apply >out.h 2>err.h &
holder=$!
check "holder: migration 2 running" until_sleeping "$kdb"
run -C slow --db "$(burl "$kdb")" --lock-timeout 500ms apply
check "waiter through PgBouncer: exit 1" rc_is 1
check "waiter: names the holder's pid" grep -qE "could not take the migration lock within 500 ms: held by strata \(pid $holder\) \(server pid [0-9]+\)" "$T/err"
run -C slow --db "$(db_url "$kdb")" --lock-timeout 500ms apply
check "a direct strata waits for the pooled holder: exit 1" rc_is 1
check "… with the holder named" grep -qE "held by strata \(pid $holder\)" "$T/err"
kill -9 "$holder"
set +e; wait "$holder" 2>/dev/null; set -e
# The lock's connection was idle in its transaction: PgBouncer drops its
# server connection when the client goes, and the lock goes with it.
freed=no
for _ in $(seq 1 50); do
	if [ "$(q "$kdb" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND mode = 'ExclusiveLock' AND $HERE_DB")" = 0 ]; then freed=yes; break; fi
	sleep 0.1
done
check "kill -9 of the holder frees the lock within 5 s" eq "$freed" yes
run -C slow --db "$(burl "$kdb")" --lock-timeout 30s apply
check "the next apply takes over: exit 0" rc_is 0
check "each migration ran exactly once (the killed one's transaction rolled back)" \
	eq "$(q "$kdb" "SELECT string_agg(migration::text, ',' ORDER BY migration) FROM ran")" "2,3"
check "strata_ledger: all applied" eq "$(q "$kdb" "SELECT count(*) FROM strata_ledger WHERE state = 'applied'")" 3
# The other way round: a direct holder, a pooled waiter.
printf 'SELECT pg_sleep(3);\n' >slow/m/4_sleep.up.sql
"$STRATA" -C slow --db "$(db_url "$kdb")" -q apply >out.d 2>err.d &
direct=$!
until_sleeping "$kdb" >/dev/null || true
run -C slow --db "$(burl "$kdb")" --lock-timeout 500ms apply
check "a pooled strata waits for a direct holder: exit 1" rc_is 1
check "… with the holder named" grep -qE "held by strata \(pid $direct\)" "$T/err"
set +e; wait "$direct"; dc=$?; set -e
check "the direct holder finishes" eq "$dc" 0

# --- the lock's connection ends under a running holder: the holder stops
# before its next migration, the migration under way commits, nothing runs
# twice
project lost golang-migrate
cp slow/m/1_ran.up.sql slow/m/2_sleep.up.sql slow/m/3_after.up.sql lost/m/
new_db_var ldb
"$STRATA" -C lost --db "$(burl "$ldb")" -q apply >out.l 2>err.l &
lholder=$!
until_sleeping "$ldb" >/dev/null || true
check "the lock's server connection is ended" \
	eq "$(q "$ldb" "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND mode = 'ExclusiveLock' AND $HERE_DB")" 1
set +e; wait "$lholder"; lc=$?; set -e
check "the holder exits 1" eq "$lc" 1
check "… saying the lock was lost" grep -qF "strata: error: the migration lock was lost: the connection that held it through PgBouncer is gone" err.l
check "the migration under way was committed, the next one not run" \
	eq "$(q "$ldb" "SELECT string_agg(migration::text, ',' ORDER BY migration) FROM ran")" "2"
run -C lost --db "$(burl "$ldb")" apply
check "the next apply runs the rest once" \
	eq "$(q "$ldb" "SELECT string_agg(migration::text, ',' ORDER BY migration) FROM ran")" "2,3"

# --- Prisma's own lock is held for the whole command, not just taken
mkdir -p ps/prisma/migrations/20240101000000_sleep
printf 'provider = "postgresql"
' >ps/prisma/migrations/migration_lock.toml
printf 'SELECT pg_sleep(3);
' >ps/prisma/migrations/20240101000000_sleep/migration.sql
printf 'sources:
  - name: app
    format: prisma
    path: prisma/migrations
' >ps/strata.yaml
new_db_var psdb
"$STRATA" -C ps --db "$(burl "$psdb")" -q apply >out.p 2>err.p &
pholder=$!
until_sleeping "$psdb" >/dev/null || true
check "while strata applies through PgBouncer, prisma migrate could not take its lock" \
	eq "$(q "$psdb" "SELECT pg_try_advisory_lock(72707369)")" f
set +e; wait "$pholder"; pc=$?; set -e
check "the Prisma apply finishes" eq "$pc" 0
check "Prisma's lock is free afterwards" eq "$(q "$psdb" "SELECT pg_try_advisory_lock(72707369)")" t

# --- outside a transaction: allowed where the pool's schema is ?schema='s, refused elsewhere
project nt golang-migrate
printf 'CREATE TABLE x (id INTEGER);\n' >nt/m/1_x.up.sql
printf -- '-- strata:no-transaction\nCREATE INDEX CONCURRENTLY x_id ON x (id);\n' >nt/m/2_idx.up.sql
new_db_var ndb
run -C nt --db "$(burl "$ndb")" apply
check "CREATE INDEX CONCURRENTLY through PgBouncer: exit 0" rc_is 0
check "the index exists" eq "$(q "$ndb" "SELECT count(*) FROM pg_indexes WHERE indexname = 'x_id'")" 1
new_db_var n2db
q "$n2db" "CREATE SCHEMA s2" >/dev/null
run -C nt --db "$(burl "$n2db" schema=s2)" apply
check "outside a transaction with ?schema=s2: exit 1" rc_is 1
check "refused at the file, naming both schemas" err_has "m/2_idx.up.sql:1:1: this migration runs outside a transaction, and through PgBouncer its statements would not run in ?schema=s2 but in the server's current schema (public); no statement ran"
check "… and no index was built anywhere" eq "$(q "$n2db" "SELECT count(*) FROM pg_indexes WHERE indexname = 'x_id'")" 0
check "migration 1 (transactional) is applied in s2" eq "$(q "$n2db" "SELECT count(*) FROM s2.strata_ledger WHERE state = 'applied'")" 1
done_testing
