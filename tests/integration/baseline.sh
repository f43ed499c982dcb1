#!/usr/bin/env bash
# baseline and mark: recording without running, repairing records.
. "$(dirname "$0")/lib.sh"
make_project 4
# A legacy database whose schema already exists.
q app "CREATE TABLE t1 (id INTEGER PRIMARY KEY); CREATE TABLE t2 (id INTEGER PRIMARY KEY);"

run baseline --to app:0002
check "baseline --to exits 0" rc_is 0
check "baseline output" out_has "2 migrations recorded as baselined (not run)"
check "rows recorded as baselined" eq "$(qlist app "SELECT id || '=' || state FROM strata_ledger ORDER BY id")" "app:0001=baselined,app:0002=baselined"
check "baselined rows have start = finish and 0 ms" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE started_at = finished_at AND execution_ms = 0")" 2

run status
check "status after baseline: 2 pending" rc_is 3
check "status shows baselined" out_has "app:0001  baselined"

run apply
check "apply runs only what is after the baseline" rc_is 0
check "t3 and t4 created" eq "$(has_table app t3 t4)" 2

run baseline
check "baseline again records nothing new" out_has "nothing to baseline: 4 already recorded"

# mark --rolled-back / --applied
run mark app:0004 --rolled-back
check "mark --rolled-back exits 0" rc_is 0
check "row marked rolled_back" eq "$(q app "SELECT state FROM strata_ledger WHERE id='app:0004'")" rolled_back
check "mark does not run SQL (t4 still there)" eq "$(has_table app t4)" 1
run mark 0004 --applied
check "mark by unique version" rc_is 0
check "row marked applied" eq "$(q app "SELECT state FROM strata_ledger WHERE id='app:0004'")" applied

run mark app:0004
check "mark without --applied/--rolled-back: usage exit 2" rc_is 2
run mark app:9999 --applied
check "mark unknown id: exit 2" rc_is 2
check "mark unknown id: message" err_is "strata: error: no migration 'app:9999' in the ledger (hint: \`strata ledger\` lists the ids)"

# mark --rolled-back clears a missing migration's record.
rm db/migrations/0004_t4.sql
run status
check "missing after delete" out_has "app:0004  missing"
run mark app:0004 --applied
check "cannot mark a missing migration applied" rc_is 2
run mark app:0004 --rolled-back
check "mark --rolled-back on missing exits 0" rc_is 0
run status
check "status clean after clearing the missing record" rc_is 0
done_testing
