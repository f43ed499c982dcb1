#!/usr/bin/env bash
# kill -9 of `strata apply` at a random moment never leaves a migration half
# recorded: a table exists iff its strata_ledger row is 'applied'; an index
# built outside a transaction (CREATE INDEX CONCURRENTLY) is absent with no
# row, valid with an 'applied' row, and anything (absent, invalid, valid) only
# with a 'running' row.  The next apply completes the history, or refuses a
# migration left 'running' until the user resolves it with `strata mark`.
# Every other round the killed client's server session is terminated too,
# which is what leaves an interrupted index build INVALID.
. "$(dirname "$0")/lib.sh"
N=200 EVERY=20 ROUNDS=${ROUNDS:-50} MAX_MS=${MAX_MS:-400}
SEED=${SEED:-$$}
RANDOM=$SEED
echo "# seed $SEED (SEED=$SEED reproduces the kill times)"
PARTLY='failed outside a transaction and may be partly done'

# 200 migrations; every 20th builds an index CONCURRENTLY on the table the
# previous one created (so it must run outside a transaction).
project p golang-migrate
expected=""
for i in $(seq 1 $N); do
	v=$(printf '%03d' "$i")
	if [ $((i % EVERY)) -eq 0 ]; then
		# Slow to build on purpose (each key hashes a long string: ~50 ms),
		# so that a good share of the kills land in an index build.
		echo "CREATE INDEX CONCURRENTLY ix_$i ON t_$((i - 1)) (md5(repeat(v::text || id::text, 3000)));" \
			>"p/m/${v}_ix_$i.up.sql"
		expected="$expected${expected:+,}('$v','i','ix_$i')"
	else
		printf 'CREATE TABLE t_%d (id INTEGER NOT NULL, v INTEGER NOT NULL);\nINSERT INTO t_%d SELECT g, g %% 97 FROM generate_series(1, 2000) g;\n' \
			"$i" "$i" >"p/m/${v}_t_$i.up.sql"
		expected="$expected${expected:+,}('$v','t','t_$i')"
	fi
done

# One row per migration: version, kind, state ('' = no row) and what is in
# the catalog: present/absent for a table, absent/valid/invalid for an index.
observe_sql="
WITH exp(version, kind, obj) AS (VALUES $expected)
SELECT e.version, e.kind, coalesce(l.state, ''),
       CASE WHEN e.kind = 't' THEN
              CASE WHEN to_regclass('public.' || e.obj) IS NULL THEN 'absent' ELSE 'present' END
            ELSE coalesce((SELECT CASE WHEN i.indisvalid AND i.indisready THEN 'valid' ELSE 'invalid' END
                           FROM pg_index i WHERE i.indexrelid = to_regclass('public.' || e.obj)), 'absent')
       END
FROM exp e LEFT JOIN strata_ledger l ON l.id = 'app:' || e.version
ORDER BY e.version"

# consistent DB: prints one line per violation; sets $running to the
# version left 'running' (if any) and $index_state to its index's state.
consistent() {
	local db=$1 rows extra
	running="" index_state=""
	if [ "$(q "$db" "SELECT to_regclass('public.strata_ledger') IS NOT NULL")" != t ]; then
		# Killed before strata_ledger was created: nothing may exist.
		q "$db" "SELECT 'object without strata_ledger: ' || relname FROM pg_class
		         WHERE relnamespace = 'public'::regnamespace AND relname ~ '^(t|ix)_[0-9]+\$'"
		return 0
	fi
	extra=$(q "$db" "SELECT 'unexpected ledger row ' || id || ' ' || state FROM strata_ledger
	                 WHERE id !~ '^app:[0-9]{3}\$' OR substr(id, 5)::int NOT BETWEEN 1 AND $N")
	[ -n "$extra" ] && echo "$extra"
	rows=$(q "$db" "$observe_sql")
	local gap=0 version kind state obj
	while IFS='|' read -r version kind state obj; do
		if [ -z "$state" ]; then
			gap=1
		elif [ "$gap" = 1 ]; then
			echo "$version has a row ($state) after a migration without one"
		fi
		case "$kind/$state/$obj" in
		t//absent | t/applied/present) ;;
		i//absent | i/applied/valid) ;;
		i/running/*) running=$version index_state=$obj ;;
		*) echo "$version ($kind): row '${state:-none}' but object $obj" ;;
		esac
	done <<<"$rows"
}

all_done() {
	eq "$(q "$1" "SELECT count(*) FILTER (WHERE state = 'applied') || '/' || count(*) FROM strata_ledger")" "$N/$N" &&
		eq "$(q "$1" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t_[0-9]+\$'")" \
			"$((N - N / EVERY))" &&
		eq "$(q "$1" "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		              WHERE c.relname ~ '^ix_[0-9]+\$' AND i.indisvalid")" "$((N / EVERY))"
}

start=$(date +%s)
left_running=0 left_invalid=0 left_valid=0 finished_early=0 applied_total=0
for round in $(seq 1 "$ROUNDS"); do
	new_db_var db
	url=$(db_url "$db")
	delay=$((RANDOM % (MAX_MS + 1)))
	"$STRATA" -C p --db "$url" -q apply >out.kill 2>err.kill &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -9 "$pid" 2>/dev/null || true
	set +e; wait "$pid" 2>/dev/null; kc=$?; set -e
	how="killed after ${delay} ms"
	if [ $((round % 2)) -eq 0 ]; then
		# Every other round the server session dies too (a lost network or
		# a server that checks for dead clients): a statement under way is
		# cancelled, and an index build is left INVALID.
		q postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db'" >/dev/null
		how="$how with its server session"
	fi
	if [ "$kc" -ne 137 ]; then
		finished_early=$((finished_early + 1))
		check "round $round: apply not killed after ${delay} ms exits 0" eq "$kc" 0
	fi
	# The killed client's server session may still be running a statement.
	wait_idle "$db"
	consistent "$db" >violations
	violations=$(cat violations)
	done_now=$(q "$db" "SELECT count(*) FROM strata_ledger WHERE state = 'applied'" 2>/dev/null || echo 0)
	applied_total=$((applied_total + done_now))
	if [ -z "$violations" ]; then
		ok "round $round: $how ($done_now applied${running:+, $running running with index $index_state}): ledger matches the schema"
	else
		not_ok "round $round: $how: ledger matches the schema"
		echo "$violations" | head -20 | diag
	fi

	if [ -z "$running" ]; then
		run -C p --db "$url" -q apply
		check "round $round: the next apply exits 0" rc_is 0
	else
		left_running=$((left_running + 1))
		run -C p --db "$url" -q apply
		check "round $round: apply refuses app:$running left running (exit 4)" rc_is 4
		check "round $round: ... saying it $PARTLY" err_has "app:$running $PARTLY"
		# Resolve it as a user would: keep a finished index, drop an
		# interrupted one, and tell strata.
		case $index_state in
		valid)
			left_valid=$((left_valid + 1))
			run -C p --db "$url" -q mark "app:$running" --applied
			;;
		invalid)
			left_invalid=$((left_invalid + 1))
			q "$db" "DROP INDEX ix_$((10#$running))" >/dev/null
			run -C p --db "$url" -q mark "app:$running" --rolled-back
			;;
		*) run -C p --db "$url" -q mark "app:$running" --rolled-back ;;
		esac
		check "round $round: strata mark app:$running (index $index_state) exits 0" rc_is 0
		run -C p --db "$url" -q apply
		check "round $round: then apply exits 0" rc_is 0
	fi
	check "round $round: all $N migrations applied, every table and valid index present" all_done "$db"
	drop_db "$db"
done
elapsed=$(($(date +%s) - start))
echo "# $ROUNDS rounds in ${elapsed} s; $finished_early finished before the kill;" \
	"$left_running left a migration running ($left_valid with a valid index, $left_invalid invalid);" \
	"$((applied_total / ROUNDS)) applied on average at the kill"
done_testing
