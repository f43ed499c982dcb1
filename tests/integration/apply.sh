#!/usr/bin/env bash
# apply and status: states, exit codes, failure handling, dry-run.
. "$(dirname "$0")/lib.sh"
make_project 3

run status
check "status on a new database: exit 3 (pending)" rc_is 3
if sqlite; then check "status does not create the database" test ! -e app.db; fi
check "status creates no table" eq "$(has_table app strata_ledger t1)" 0
check "status lists pending" out_has "app:0001  pending      t1"

run apply --dry-run
check "dry-run exits 0" rc_is 0
check "dry-run prints the SQL in order" out_has "CREATE TABLE t1 (id INTEGER PRIMARY KEY);"
check "dry-run wraps each migration in BEGIN/COMMIT" out_has "BEGIN;"
if sqlite; then check "dry-run does not create the database" test ! -e app.db; fi
check "dry-run touches nothing" eq "$(has_table app strata_ledger t1)" 0

run apply --to app:0002
check "apply --to exits 0" rc_is 0
check "apply --to stops at the target" eq "$(qlist app "SELECT id FROM strata_ledger WHERE state='applied' ORDER BY id")" "app:0001,app:0002"
check "apply reports progress" out_has "2 migrations applied to $(db_url app)"

run apply
check "apply the rest exits 0" rc_is 0
check "all tables exist" eq "$(has_table app t1 t2 t3)" 3
check "ledger rows carry sha256 checksums" eq "$(q app "SELECT checksum FROM strata_ledger WHERE id='app:0001'")" "$(sed -n '2,3p' db/migrations/0001_t1.sql | sha256sum | cut -d' ' -f1)"
check "ledger rows record who applied" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE applied_by LIKE '%@%' AND finished_at LIKE '____-__-__T__:__:__.___Z' AND execution_ms >= 0")" 3

run status
check "status up to date: exit 0" rc_is 0
check "status summary" out_has "3 migrations: 3 applied"

run apply
check "second apply is a no-op" out_has "0 migrations applied"

# A failing statement: file:line, nothing left behind, earlier ones kept, ledger records it.
E4=$(pick "4:1: no such table: missing_table" "4:13: relation \"missing_table\" does not exist")
printf -- '-- migrate:up\nCREATE TABLE t4 (id INTEGER);\n\nINSERT INTO missing_table VALUES (1);\n-- migrate:down\nDROP TABLE t4;\n' >db/migrations/0004_t4.sql
printf -- '-- migrate:up\nCREATE TABLE t5 (id INTEGER);\n-- migrate:down\nDROP TABLE t5;\n' >db/migrations/0005_t5.sql
run apply
check "failing migration: exit 1" rc_is 1
check "failing migration: exact error line with file:line:col" err_is "strata: error: db/migrations/0004_t4.sql:$E4"
check "failing migration left nothing behind" eq "$(has_table app t4)" 0
check "later migration not applied" eq "$(has_table app t5)" 0
check "earlier migrations stay applied" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE state='applied'")" 3
check "ledger records the failure with its location" eq "$(q app "SELECT state || ' ' || error FROM strata_ledger WHERE id='app:0004'")" "failed db/migrations/0004_t4.sql:$E4"

run status
check "status with a failed migration: exit 4" rc_is 4
check "status shows failed" out_has "app:0004  failed"

run --json status
check "--json status exits 4" rc_is 4
check "--json has the documented shape" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["database"]==sys.argv[2]
m=d["migrations"]
assert [x["id"] for x in m]==["app:0001","app:0002","app:0003","app:0004","app:0005"]
assert all(set(["id","source","format","version","name","checksum","state"])<=set(x) for x in m)
assert [x["state"] for x in m]==["applied"]*3+["failed","pending"]
assert d["summary"]["applied"]==3 and d["summary"]["failed"]==1 and d["summary"]["pending"]==1
' "$T/out" "$(db_url app)"

# Fix and re-apply: a transactional failure left nothing, so apply retries it.
printf -- '-- migrate:up\nCREATE TABLE t4 (id INTEGER);\n-- migrate:down\nDROP TABLE t4;\n' >db/migrations/0004_t4.sql
run apply
check "after the fix apply exits 0" rc_is 0
check "fixed and later migrations applied" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE state='applied'")" 5

# Modified: a checksum that differs.
sed -i "2i -- edited" db/migrations/0002_t2.sql
run status
check "modified file: status exit 4" rc_is 4
check "modified file shown" out_has "app:0002  modified"
printf -- '-- migrate:up\nCREATE TABLE t6 (id INTEGER);\n-- migrate:down\nDROP TABLE t6;\n' >db/migrations/0006_t6.sql
run apply
check "apply refuses on a modified migration: exit 4" rc_is 4
check "apply names the modified file" err_is "strata: error: db/migrations/0002_t2.sql: app:0002 was modified after it was applied (checksum differs) (hint: restore the file, or record its new checksum with \`strata mark ID --applied\`)"
check "nothing applied while modified" eq "$(has_table app t6)" 0
run mark app:0002 --applied
check "mark --applied records the new checksum" rc_is 0
run apply
check "apply works after mark" rc_is 0

# Missing: recorded, file gone.
mv db/migrations/0003_t3.sql "$T/saved_0003.sql"
run status
check "missing file: status exit 4" rc_is 4
check "missing shown" out_has "app:0003  missing"
mv "$T/saved_0003.sql" db/migrations/0003_t3.sql

# Out of order: pending but older than applied ones.
printf -- '-- migrate:up\nCREATE TABLE late (id INTEGER);\n-- migrate:down\nDROP TABLE late;\n' >db/migrations/0000_late.sql
run status
check "out-of-order: status exit 4" rc_is 4
check "out-of-order shown" out_has "(out of order)"
run apply
check "apply refuses out-of-order by default" rc_is 4
check "out-of-order error names the file and the flag" err_has "db/migrations/0000_late.sql: app:0000 is pending but older than migrations already applied (hint: apply it anyway with \`strata apply --out-of-order\`)"
run apply --out-of-order
check "apply --out-of-order applies it" rc_is 0
check "late table exists" eq "$(has_table app late)" 1
done_testing
