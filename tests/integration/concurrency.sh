#!/usr/bin/env bash
# Several strata processes applying to one database at once never apply a
# migration twice: every process exits 0 and each migration ran exactly once.
# The TX_ROUNDS after the ROUNDS mix apply --single-transaction (the even
# processes) with the default (the odd ones).
. "$(dirname "$0")/lib.sh"
N=40 PROCS=6 ROUNDS=5 TX_ROUNDS=3
mkdir -p db/migrations
printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: golang-migrate\n' "$(db_url app)" >strata.yaml
echo 'CREATE TABLE ran (migration INTEGER NOT NULL);' >db/migrations/0_log.up.sql
for i in $(seq 1 $N); do
	# Not idempotent on purpose: running twice would fail on CREATE TABLE.
	printf 'CREATE TABLE c%d (id INTEGER);\nINSERT INTO ran VALUES (%d);\n' "$i" "$i" >"db/migrations/${i}_c$i.up.sql"
done
for round in $(seq 1 $((ROUNDS + TX_ROUNDS))); do
	db_reset app
	pids=()
	for p in $(seq 1 $PROCS); do
		tx=; [ "$round" -gt $ROUNDS ] && [ $((p % 2)) = 0 ] && tx=--single-transaction
		"$STRATA" -q apply $tx >"out.$p" 2>"err.$p" &
		pids+=($!)
	done
	codes=""
	for pid in "${pids[@]}"; do
		set +e; wait "$pid"; codes="$codes$?"; set -e
	done
	rc=0
	for p in $(seq 1 $PROCS); do # what a process that did not exit 0 said
		[ -s "err.$p" ] && sed "s/^/# round $round, process $p: /" "err.$p"
	done
	check "round $round: all $PROCS processes exit 0" eq "$codes" "$(printf '0%.0s' $(seq 1 $PROCS))"
	check "round $round: each migration ran exactly once" eq "$(q app "SELECT count(*) || '/' || count(DISTINCT migration) FROM ran")" "$N/$N"
	check "round $round: ledger has each migration once, applied" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE state='applied'")" $((N + 1))
done
done_testing
