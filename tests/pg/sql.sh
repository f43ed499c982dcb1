#!/usr/bin/env bash
# PostgreSQL statements: libpg_query's split keeps dollar quotes, nested
# comments, E'' strings and multi-action rules whole; PostgreSQL's message,
# DETAIL and HINT reach the user at file:line:col; statements that cannot run
# in a transaction are found in the parse tree and run outside one; session:
# settings reach the server; COMMIT in a transactional file is refused.
. "$(dirname "$0")/lib.sh"

# fresh DIR: a project DIR and an empty database; sets $url.
fresh() {
	rm -rf "$1"
	project "$1" golang-migrate
	new_db_var db
	url=$(db_url "$db")
}

# 1. Splitting.
fresh split
cat >split/m/1_tricky.up.sql <<'SQL'
CREATE TABLE log (id SERIAL PRIMARY KEY, msg TEXT NOT NULL);
/* a comment /* nested; still inside */ and still; inside */
CREATE FUNCTION add_one(i integer) RETURNS integer AS $body$
BEGIN
  -- a semicolon; inside the body
  RETURN i + 1;
END;
$body$ LANGUAGE plpgsql;
INSERT INTO log (msg) VALUES (E'it\'s; one statement'), ($$dollar; quoted$$);
CREATE TABLE src (id integer);
CREATE RULE copy_to_log AS ON INSERT TO src DO ALSO (
  INSERT INTO log (msg) VALUES ('rule one; fired');
  INSERT INTO log (msg) VALUES ('rule two; fired')
);
SQL
run -C split --db "$url" apply
check "tricky statements: apply exits 0" rc_is 0
check "dollar-quoted function body kept whole" eq "$(q "$db" 'SELECT add_one(41)')" 42
check "E'' and \$\$ strings kept whole" eq "$(q "$db" "SELECT string_agg(msg, '/' ORDER BY id) FROM log")" "it's; one statement/dollar; quoted"
q "$db" "INSERT INTO src VALUES (1)" >/dev/null
check "multi-action rule kept whole (both actions fire)" eq "$(q "$db" "SELECT count(*) FROM log WHERE msg LIKE 'rule%'")" 2

# 2. Errors: message, DETAIL, HINT, file:line:col.
fresh errs
printf 'CREATE TABLE u (id integer PRIMARY KEY);\n\nINSERT INTO u VALUES (1);\n  INSERT INTO u VALUES (1);\n' >errs/m/1_dup.up.sql
run -C errs --db "$url" apply
check "unique violation: exit 1" rc_is 1
check "unique violation: message and DETAIL at the statement" eq "$(cat "$T/err")" \
	"strata: error: m/1_dup.up.sql:4:3: duplicate key value violates unique constraint \"u_pkey\" DETAIL: Key (id)=(1) already exists."
check "nothing of the failed migration is left" eq "$(q "$db" "SELECT to_regclass('u') IS NULL")" t
check "the failure is recorded" eq "$(q "$db" "SELECT state FROM strata_ledger")" failed
fresh hint
printf 'SELECT 1;\nSELECT no_such_function(1, 2);\n' >hint/m/1_hint.up.sql
run -C hint --db "$url" apply
check "unknown function: PostgreSQL's HINT as the hint, position as line:col" eq "$(cat "$T/err")" \
	"strata: error: m/1_hint.up.sql:2:8: function no_such_function(integer, integer) does not exist (hint: No function matches the given name and argument types. You might need to add explicit type casts.)"
fresh syn
printf 'CREATE TABLE a (id integer);\nCREATE TABLE b (id integer,\n  name text,,\n);\n' >syn/m/1_syn.up.sql
run -C syn --db "$url" apply
check "syntax error inside a multi-line statement: exact line:col" eq "$(cat "$T/err")" \
	'strata: error: m/1_syn.up.sql:3:13: syntax error at or near ","'

# 3. Statements that cannot run in a transaction.
fresh notx
printf 'CREATE TABLE t (id integer, v integer);\n' >notx/m/1_t.up.sql
printf 'CREATE INDEX CONCURRENTLY t_v ON t (v);\n' >notx/m/2_cic.up.sql
printf 'DROP INDEX CONCURRENTLY t_v;\n' >notx/m/2_cic.down.sql
printf 'CREATE INDEX t_id ON t (id);\nREINDEX INDEX CONCURRENTLY t_id;\n' >notx/m/3_reindex.up.sql
printf 'VACUUM t;\n' >notx/m/4_vacuum.up.sql
printf 'CREATE DATABASE "%s_created";\n' "$db" >notx/m/5_createdb.up.sql
printf 'DROP DATABASE "%s_created";\n' "$db" >notx/m/6_dropdb.up.sql
printf 'ALTER SYSTEM SET work_mem = DEFAULT;\n' >notx/m/7_system.up.sql
printf 'CREATE TABLE after (id integer);\n' >notx/m/8_after.up.sql
run -C notx --db "$url" apply --dry-run
for v in 2 3 4 5 6 7; do
	check "dry-run: app:$v runs without BEGIN" bash -c "! grep -A1 '^-- apply app:$v ' '$T/out' | grep -q '^BEGIN;'"
done
check "dry-run: a plain migration keeps BEGIN" bash -c "grep -A1 '^-- apply app:8 ' '$T/out' | grep -q '^BEGIN;'"
run -C notx --db "$url" apply
check "CONCURRENTLY, REINDEX, VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM: apply exits 0" rc_is 0
check "all recorded applied" eq "$(q "$db" "SELECT count(*) FROM strata_ledger WHERE state = 'applied'")" 8
check "the concurrent index exists and is valid" eq "$(q "$db" "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v'::regclass")" t
run -C notx --db "$url" rollback --to app:1
check "rollback needs a down for every target" rc_is 1
run -C notx --db "$url" mark app:8 --rolled-back
run -C notx --db "$url" mark app:7 --rolled-back
run -C notx --db "$url" mark app:6 --rolled-back
run -C notx --db "$url" mark app:5 --rolled-back
run -C notx --db "$url" mark app:4 --rolled-back
run -C notx --db "$url" mark app:3 --rolled-back
run -C notx --db "$url" rollback
check "DROP INDEX CONCURRENTLY as a down script: exit 0" rc_is 0
check "the index is gone" eq "$(q "$db" "SELECT to_regclass('t_v') IS NULL")" t

# A mixed file failing half-way outside a transaction says what ran.
fresh mixed
printf 'CREATE TABLE m (id integer);\nCREATE INDEX CONCURRENTLY m_id ON m (id);\nCREATE INDEX CONCURRENTLY m_x ON m (nope);\n' >mixed/m/1_mixed.up.sql
run -C mixed --db "$url" apply
check "mixed non-transactional failure: exit 1" rc_is 1
check "… names the position and what already ran" eq "$(cat "$T/err")" \
	'strata: error: m/1_mixed.up.sql:3:1: column "nope" does not exist; statements 1-2 of 3 ran before it (outside a transaction)'
check "… the statements before it stayed" eq "$(q "$db" "SELECT to_regclass('m_id') IS NOT NULL")" t
run -C mixed --db "$url" apply
check "apply refuses until the record is repaired: exit 4" rc_is 4
check "… with the recovery advice" err_has "app:1 failed outside a transaction and may be partly done"

# The directive forces a mode; with it, a transaction-only check is skipped.
fresh dir
printf -- '-- strata:transaction\nCREATE TABLE d (id integer);\nCREATE INDEX CONCURRENTLY d_id ON d (id);\n' >dir/m/1_forced.up.sql
run -C dir --db "$url" apply
check "-- strata:transaction forces a transaction: PostgreSQL refuses CONCURRENTLY in it" eq "$(cat "$T/err")" \
	'strata: error: m/1_forced.up.sql:3:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block'
check "… and nothing was left behind" eq "$(q "$db" "SELECT to_regclass('d') IS NULL")" t

# 4. COMMIT inside a file forced into a transaction is refused before
# anything runs; without the directive the file runs as written.
fresh commit
printf -- '-- strata:transaction\nCREATE TABLE c1 (id integer);\nCOMMIT;\nCREATE TABLE c2 (id integer);\n' >commit/m/1_commit.up.sql
run -C commit --db "$url" apply
check "COMMIT in a transactional file: exit 1" rc_is 1
check "… named at its line" err_has "m/1_commit.up.sql:3:1: migration ended the transaction"
check "… and nothing ran" eq "$(q "$db" "SELECT to_regclass('c1') IS NULL")" t
sed -i 1d commit/m/1_commit.up.sql
run -C commit --db "$url" mark app:1 --rolled-back
run -C commit --db "$url" apply
check "without the directive it runs as written: exit 0" rc_is 0
check "… both statements ran" eq "$(q "$db" "SELECT to_regclass('c1') IS NOT NULL AND to_regclass('c2') IS NOT NULL")" t

# 5. session: settings reach the server.
fresh sess
printf 'CREATE TABLE locked (id integer);\n' >sess/m/1_locked.up.sql
run -C sess --db "$url" apply
printf 'SELECT pg_sleep(2);\n' >sess/m/2_slow.up.sql
printf 'session:\n  statement_timeout: 300ms\n' >>sess/strata.yaml
run -C sess --db "$url" apply
check "session statement_timeout cancels a slow statement" eq "$(cat "$T/err")" \
	'strata: error: m/2_slow.up.sql:1:1: canceling statement due to statement timeout'
run -C sess --db "$url" mark app:2 --rolled-back
rm sess/m/2_slow.up.sql
printf 'ALTER TABLE locked ADD COLUMN v integer;\n' >sess/m/3_alter.up.sql
sed -i 's/statement_timeout: 300ms/lock_timeout: 300ms/' sess/strata.yaml
psql -X -q -d "$db" -c "BEGIN; LOCK TABLE locked IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;" >/dev/null 2>&1 &
holder=$!
sleep 0.5
run -C sess --db "$url" apply
check "session lock_timeout gives up on a table lock" eq "$(cat "$T/err")" \
	'strata: error: m/3_alter.up.sql:1:1: canceling statement due to lock timeout'
wait "$holder"
run -C sess --db "$url" apply
check "after the table lock is released the migration applies" rc_is 0
done_testing
