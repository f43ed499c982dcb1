#!/usr/bin/env bash
# Eight strata processes applying to one PostgreSQL database at once never
# apply a migration twice: the migration lock serializes them, each migration
# runs exactly once, and a process either succeeds or gives up with the lock
# message.  Also: a lock held longer than --lock-timeout gives exit 1 and a
# message naming the holder's pid and server pid.
. "$(dirname "$0")/lib.sh"
N=30 PROCS=8 ROUNDS=${ROUNDS:-20}
LOCK_RE='could not take the migration lock within .* held by strata \(pid [0-9]+\) \(server pid [0-9]+\)'

project p golang-migrate
echo 'CREATE TABLE ran (migration INTEGER NOT NULL);' >p/m/0_log.up.sql
for i in $(seq 1 $N); do
	# Not idempotent on purpose: running twice fails on CREATE TABLE and
	# would leave a second row in ran.
	printf 'CREATE TABLE c%d (id INTEGER);\nINSERT INTO ran VALUES (%d);\n' "$i" "$i" >"p/m/${i}_c$i.up.sql"
done

for round in $(seq 1 "$ROUNDS"); do
	new_db_var db
	url=$(db_url "$db")
	pids=()
	for p in $(seq 1 $PROCS); do
		"$STRATA" -C p --db "$url" --lock-timeout 30s -q apply >"out.$p" 2>"err.$p" &
		pids+=($!)
	done
	codes=() bad=""
	for k in "${!pids[@]}"; do
		set +e; wait "${pids[$k]}"; c=$?; set -e
		codes+=("$c")
		p=$((k + 1))
		if [ "$c" -eq 0 ]; then
			[ -s "err.$p" ] && bad="$bad process $p exited 0 but wrote to stderr;"
		elif [ "$c" -eq 1 ]; then
			grep -qE "$LOCK_RE" "err.$p" || bad="$bad process $p exited 1 without the lock message;"
		else
			bad="$bad process $p exited $c;"
		fi
	done
	if [ -z "$bad" ]; then ok "round $round: every process exits 0, or 1 with the lock message (${codes[*]})"; else
		not_ok "round $round: every process exits 0, or 1 with the lock message (${codes[*]})"
		echo "#$bad"; cat err.* | head -20 | diag
	fi
	zeros=0
	for c in "${codes[@]}"; do [ "$c" -eq 0 ] && zeros=$((zeros + 1)); done
	check "round $round: at least one process exits 0" [ "$zeros" -ge 1 ]
	check "round $round: each migration ran exactly once" \
		eq "$(q "$db" "SELECT count(*) || '/' || count(DISTINCT migration) FROM ran")" "$N/$N"
	check "round $round: each migration's table exists" \
		eq "$(q "$db" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^c[0-9]+\$'")" "$N"
	check "round $round: strata_ledger has each migration once, applied" \
		eq "$(q "$db" "SELECT count(*) || '/' || count(*) FILTER (WHERE state = 'applied') || '/' || count(DISTINCT id) FROM strata_ledger")" \
		"$((N + 1))/$((N + 1))/$((N + 1))"
	drop_db "$db"
done

# A lock held longer than --lock-timeout: the second process gives up with
# exit 1 and names the holder, the first one finishes.
project slow golang-migrate
echo 'SELECT pg_sleep(4);' >slow/m/1_sleep.up.sql
new_db_var db
url=$(db_url "$db")
"$STRATA" -C slow --db "$url" -q apply >out.holder 2>err.holder &
holder=$!
# Wait until the holder runs its migration (it holds the lock by then).
spid=""
for i in $(seq 1 100); do
	spid=$(q "$db" "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(4)%' AND pid <> pg_backend_pid()")
	[ -n "$spid" ] && break
	sleep 0.05
done
t0=$(date +%s%N)
run -C slow --db "$url" --lock-timeout 500ms apply
t1=$(date +%s%N)
check "lock held: a second apply exits 1" rc_is 1
check "lock held: one line on stderr, nothing on stdout" eq "$(wc -l <"$T/err")/$(wc -c <"$T/out")" "1/0"
check "lock held: the message names the migration lock and its holder" grep -qE "$LOCK_RE" "$T/err"
check "lock held: the holder's pid is the first strata process ($holder)" \
	grep -qF "held by strata (pid $holder) (server pid $spid)" "$T/err"
waited=$(((t1 - t0) / 1000000))
check "lock held: gave up after about 500 ms (${waited} ms)" [ "$waited" -ge 400 -a "$waited" -lt 3500 ]
set +e; wait "$holder"; hc=$?; set -e
check "lock held: the holder finishes with exit 0" eq "$hc" 0
check "lock held: the migration is applied once" \
	eq "$(q "$db" "SELECT count(*) FROM strata_ledger WHERE state = 'applied'")" 1
done_testing
