#!/usr/bin/env bash
# verify: the history on an empty scratch database.
. "$(dirname "$0")/lib.sh"
make_project 3
run verify
check "verify exits 0" rc_is 0
check "verify reports the count" out_has "verified: 3 migrations apply cleanly in order on an empty database"
check "verify does not touch the target database" test ! -e app.db

# A draft that references a table created later: verify finds it.
printf -- '-- migrate:up\nCREATE INDEX t9_id ON t9 (id);\n-- migrate:down\nDROP INDEX t9_id;\n' >db/migrations/0004_idx.sql
printf -- '-- migrate:up\nCREATE TABLE t9 (id INTEGER);\n-- migrate:down\nDROP TABLE t9;\n' >db/migrations/0005_t9.sql
run verify
check "verify fails: exit 1" rc_is 1
check "verify names the first failing migration's file:line" err_has "strata: error: db/migrations/0004_idx.sql:2:1: no such table: main.t9"
check "verify says how far it got" err_has "verify failed after 3 migrations"

sqlite3 scratch.db "CREATE TABLE x (id INTEGER);"
run verify --scratch sqlite:scratch.db
check "verify refuses a non-empty scratch database" rc_is 2
check "non-empty scratch message" err_has "scratch database is not empty"
rm db/migrations/0004_idx.sql
rm -f empty.db
run verify --scratch sqlite:empty.db
check "verify on an explicit scratch URL" rc_is 0
check "scratch got the schema" eq "$(q empty.db "SELECT count(*) FROM sqlite_master WHERE name IN ('t1','t2','t3','t9')")" 4
done_testing
