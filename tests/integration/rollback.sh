#!/usr/bin/env bash
# rollback: newest first, --steps, --to, all-or-nothing down-script check, dry-run.
. "$(dirname "$0")/lib.sh"
make_project 4
run apply
check "apply 4" rc_is 0

run rollback --dry-run
check "rollback --dry-run exits 0" rc_is 0
check "dry-run prints the down SQL" out_has "DROP TABLE t4;"
check "dry-run changes nothing" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE state='applied'")" 4

run rollback
check "rollback exits 0" rc_is 0
check "newest migration rolled back" eq "$(q app "SELECT state FROM strata_ledger WHERE id='app:0004'")" rolled_back
check "its table is gone" eq "$(has_table app t4)" 0

run status
check "status after rollback: exit 3 (something to apply)" rc_is 3
check "status shows rolled_back" out_has "app:0004  rolled_back"

run rollback --steps 2
check "rollback --steps 2" rc_is 0
check "two more rolled back" eq "$(qlist app "SELECT id FROM strata_ledger WHERE state='rolled_back' ORDER BY id")" "app:0002,app:0003,app:0004"

run apply
check "re-apply after rollback" rc_is 0
check "all applied again" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE state='applied'")" 4

run rollback --to app:0001
check "rollback --to keeps the target" rc_is 0
check "only the target remains applied" eq "$(qlist app "SELECT id FROM strata_ledger WHERE state='applied' ORDER BY id")" "app:0001"
run apply
check "re-apply all" rc_is 0

# A migration without a down script refuses before touching anything.
cat >strata.yaml <<YAML
database: $(db_url gm)
sources:
  - name: gm
    format: sqlpair
    path: gm
    layout: golang-migrate
YAML
mkdir gm
echo 'CREATE TABLE a (id INTEGER);' >gm/1_a.up.sql
echo 'DROP TABLE a;' >gm/1_a.down.sql
echo 'CREATE TABLE b (id INTEGER);' >gm/2_b.up.sql
echo 'CREATE TABLE c (id INTEGER);' >gm/3_c.up.sql
echo 'DROP TABLE c;' >gm/3_c.down.sql
run apply
check "apply golang-migrate project" rc_is 0
# ledger and status read no down files, yet know which migrations have one.
run ledger
check "ledger marks only the migration without a down script" eq "$(grep -c '(no down)' "$T/out")" 1
check "… and it is gm:2" grep -q '^gm:2 .*(no down)$' "$T/out"
run rollback --steps 2
check "rollback across a missing down script: exit 1" rc_is 1
check "error names the migration without down" err_is "strata: error: gm/2_b.up.sql: gm:2 has no down script; nothing was rolled back (hint: add a down script, or record it with \`strata mark ID --rolled-back\` after undoing it by hand)"
check "nothing was rolled back (c still there)" eq "$(has_table gm b c)" 2
check "ledger unchanged" eq "$(q gm "SELECT count(*) FROM strata_ledger WHERE state='applied'")" 3

# A failing down script leaves the migration applied.
echo 'DROP TABLE no_such_table;' >gm/3_c.down.sql
run rollback
check "failing down script: exit 1" rc_is 1
check "failing down names file:line" err_is "strata: error: gm/3_c.down.sql:1:1: $(pick "no such table: no_such_table" "table \"no_such_table\" does not exist")"
check "migration stays applied after failed rollback" eq "$(q gm "SELECT state FROM strata_ledger WHERE id='gm:3'")" applied
check "its table is still there" eq "$(has_table gm c)" 1

run rollback --to nope
check "rollback --to unknown id: usage exit 2" rc_is 2
check "unknown id named" err_has "no migration 'nope' in the ledger"
# A down section of nothing but comments is no down script: refused before
# anything runs, not reported as rolled back.
mkdir -p blank
printf -- '-- migrate:up\nCREATE TABLE blank_t (id int);\n-- migrate:down\n-- nothing to undo\n/* really /* nothing */ */\n' >blank/001_blank.sql
printf 'database: %s\nsources:\n  - name: bl\n    format: sqlpair\n    layout: dbmate\n    path: blank\n    tracker: none\n' "$(db_url blank)" >blank.yaml
run -c blank.yaml apply
check "blank down: applied first" rc_is 0
run -c blank.yaml rollback
check "blank down: rollback refused, exit 1" rc_is 1
check "blank down: the exact line" err_is "strata: error: blank/001_blank.sql:4: bl:001: its down script holds nothing but comments; nothing was rolled back (hint: write the statements that undo it, or record it with \`strata mark ID --rolled-back\` after undoing it by hand)"
check "blank down: still applied" eq "$(q blank "SELECT state FROM strata_ledger WHERE id='bl:001'")" applied
check "blank down: its table stays" eq "$(has_table blank blank_t)" 1
done_testing
