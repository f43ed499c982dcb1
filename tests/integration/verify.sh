#!/usr/bin/env bash
# verify: the history on an empty scratch database.
. "$(dirname "$0")/lib.sh"
make_project 3
run verify
check "verify exits 0" rc_is 0
check "verify reports the count" out_has "verified: 3 migrations apply cleanly in order on an empty database"
if sqlite; then check "verify does not create the target database" test ! -e app.db; fi
check "verify does not touch the target database" eq "$(has_table app strata_ledger t1 t2 t3)" 0

# A draft that references a table created later: verify finds it.
printf -- '-- migrate:up\nCREATE INDEX t9_id ON t9 (id);\n-- migrate:down\nDROP INDEX t9_id;\n' >db/migrations/0004_idx.sql
printf -- '-- migrate:up\nCREATE TABLE t9 (id INTEGER);\n-- migrate:down\nDROP TABLE t9;\n' >db/migrations/0005_t9.sql
run verify
check "verify fails: exit 1" rc_is 1
check "verify names the first failing migration's file:line, in the target's dialect" err_has "strata: error: db/migrations/0004_idx.sql:2:$(pick "1: no such table: main.t9" "1: relation \"t9\" does not exist")"
check "verify says how far it got" err_has "verify failed after 3 migrations"
if pg; then
	check "verify drops the scratch database it made" eq "$(q app "SELECT count(*) FROM pg_database WHERE datname ~ '^strata_verify_[0-9]+_[0-9]+$'")" 0
	# An unreachable target: verify needs no target, so it says so and uses SQLite.
	run --db 'postgresql://nobody@127.0.0.1:1/x' verify
	check "unreachable target: verify still runs (on SQLite)" rc_is 1
	check "… says why it did not use the target's server" err_has "strata: warning: postgresql://nobody@127.0.0.1:1/x:"
	check "… and reports the draft in SQLite's words" err_has "no such table: main.t9"
fi
# The same draft on an explicit scratch database:
run verify --scratch "$(db_url draft)"
check "verify --scratch fails: exit 1" rc_is 1
check "verify --scratch names file:line:col in its dialect" err_has "strata: error: db/migrations/0004_idx.sql:2:$(pick "1: no such table: main.t9" "1: relation \"t9\" does not exist")"
check "verify --scratch says how far it got" err_has "verify failed after 3 migrations"

q scratch "CREATE TABLE x (id INTEGER);"
run verify --scratch "$(db_url scratch)"
check "verify refuses a non-empty scratch database" rc_is 2
check "non-empty scratch message" err_has "scratch database is not empty"
rm db/migrations/0004_idx.sql
db_reset empty
run verify --scratch "$(db_url empty)"
check "verify on an explicit scratch URL" rc_is 0
check "scratch got the schema" eq "$(has_table empty t1 t2 t3 t9)" 4
done_testing
