#!/usr/bin/env bash
# Every sqlpair layout end to end: ledger order, apply, rollback.
. "$(dirname "$0")/lib.sh"

# project NAME LAYOUT: strata.yaml for one source in ./NAME
project() {
	mkdir -p "$1"
	printf 'database: %s\nsources:\n  - name: %s\n    format: sqlpair\n    path: %s\n    layout: %s\n' \
		"$(db_url "$1")" "$1" "$1" "$2" >"$1.yaml"
}
ids() { "$STRATA" -c "$1.yaml" ledger --json | python3 -c 'import json,sys; print(",".join(m["version"] for m in json.load(sys.stdin)["migrations"]))'; }
cycle() { # NAME EXPECTED_ORDER EXPECTED_TABLES TABLES_AFTER_ROLLBACK (the layout's tracking table included)
	check "$1: ledger order is numeric" eq "$(ids "$1")" "$2"
	run -c "$1.yaml" apply
	check "$1: apply exits 0" rc_is 0
	check "$1: tables created" eq "$(tables "$1")" "$3"
	run -c "$1.yaml" rollback
	check "$1: rollback exits 0" rc_is 0
	check "$1: newest undone" eq "$(tables "$1")" "$4"
}

# (a) sql/NNNN_name.sql + rollback/NNNN_rollback.sql
project a sql-rollback
mkdir -p a/sql a/rollback
echo 'CREATE TABLE a1 (id INTEGER);' >a/sql/0001_first.sql
echo 'DROP TABLE a1;' >a/rollback/0001_rollback.sql
echo 'CREATE TABLE a10 (id INTEGER);' >a/sql/0010_tenth.sql
echo 'DROP TABLE a10;' >a/rollback/0010_rollback.sql
echo 'CREATE TABLE a2 (id INTEGER);' >a/sql/0002_second.sql
cycle a "0001,0002,0010" "a1,a10,a2" "a1,a2"

# (b) single files with -- UP Migration / -- DOWN Migration (Rollback)
project b sectioned
printf -- '-- UP Migration\nCREATE TABLE b1 (id INTEGER);\n-- DOWN Migration (Rollback)\nDROP TABLE b1;\n' >b/1_first.sql
printf -- '-- UP Migration\nCREATE TABLE b2 (id INTEGER);\n-- DOWN Migration (Rollback)\nDROP TABLE b2;\n' >b/2_second.sql
cycle b "1,2" "b1,b2" "b1"

# (c) dbmate, including transaction:false
project c dbmate
printf -- '-- migrate:up\nCREATE TABLE c1 (id INTEGER);\n-- migrate:down\nDROP TABLE c1;\n' >c/20240101000000_first.sql
printf -- '-- migrate:up transaction:false\nCREATE TABLE c2 (id INTEGER);\n-- migrate:down transaction:false\nDROP TABLE c2;\n' >c/20240301000000_second.sql
cycle c "20240101000000,20240301000000" "c1,c2,schema_migrations" "c1,schema_migrations"
run -c c.yaml apply --dry-run
check "dbmate transaction:false: dry-run has no BEGIN for it" bash -c "! grep -A1 'c:20240301000000' '$T/out' | grep -q BEGIN"

# (d) golang-migrate
project d golang-migrate
echo 'CREATE TABLE d1 (id INTEGER);' >d/1_first.up.sql
echo 'DROP TABLE d1;' >d/1_first.down.sql
echo 'CREATE TABLE d2 (id INTEGER);' >d/2_second.up.sql
echo 'DROP TABLE d2;' >d/2_second.down.sql
echo 'CREATE TABLE d100 (id INTEGER);' >d/100_third.up.sql
echo 'DROP TABLE d100;' >d/100_third.down.sql
cycle d "1,2,100" "d1,d100,d2,schema_migrations" "d1,d2,schema_migrations"

# (e) Flyway V/U with dotted versions
project e flyway
echo 'CREATE TABLE e1 (id INTEGER);' >e/V1__first.sql
echo 'CREATE TABLE e19 (id INTEGER);' >e/V1.9__nine.sql
echo 'CREATE TABLE e110 (id INTEGER);' >e/V1.10__ten.sql
echo 'DROP TABLE e110;' >e/U1.10__ten.sql
cycle e "1,1.9,1.10" "e1,e110,e19,flyway_schema_history" "e1,e19,flyway_schema_history"

# (f) Diesel folders
project f diesel
mkdir -p f/2023-01-01-000000_first f/2023-02-01-000000_second
echo 'CREATE TABLE f1 (id INTEGER);' >f/2023-01-01-000000_first/up.sql
echo 'DROP TABLE f1;' >f/2023-01-01-000000_first/down.sql
echo 'CREATE TABLE f2 (id INTEGER);' >f/2023-02-01-000000_second/up.sql
echo 'DROP TABLE f2;' >f/2023-02-01-000000_second/down.sql
cycle f "2023-01-01-000000,2023-02-01-000000" "__diesel_schema_migrations,f1,f2" "__diesel_schema_migrations,f1"

# Errors with paths.
project dup golang-migrate
echo 'SELECT 1;' >dup/0001_a.up.sql
echo 'SELECT 1;' >dup/1_b.up.sql
run -c dup.yaml ledger
check "duplicate versions: exit 1" rc_is 1
check "duplicate versions name both files" err_has "dup/1_b.up.sql"
check "… and the other one" err_has "dup/0001_a.up.sql)"

project orphan golang-migrate
echo 'SELECT 1;' >orphan/1_a.up.sql
echo 'SELECT 1;' >orphan/2_b.down.sql
run -c orphan.yaml ledger
check "down without up: exit 1" rc_is 1
check "down without up names the file" err_has "orphan/2_b.down.sql"

project stray golang-migrate
echo 'SELECT 1;' >stray/1_a.up.sql
echo 'notes' >stray/notes.txt
run -c stray.yaml ledger
check "stray file: still exit 0" rc_is 0
check "stray file: warning with the path" err_has "warning: stray/notes.txt"

project before dbmate
printf 'CREATE TABLE oops (id INTEGER);\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n' >before/1_x.sql
run -c before.yaml ledger
check "dbmate statements before migrate:up: exit 1" rc_is 1
check "… names the file" err_has "before/1_x.sql"

project nodown dbmate
printf -- '-- migrate:up\nSELECT 1;\n' >nodown/1_x.sql
run -c nodown.yaml ledger
check "dbmate without migrate:down: exit 1" rc_is 1
check "… names the file" err_has "nodown/1_x.sql"

project gone golang-migrate
rmdir gone
run -c gone.yaml ledger
check "missing folder: exit 1" rc_is 1
check "missing folder named" err_has "gone"

project badlayout nosuchlayout
run -c badlayout.yaml ledger
check "unknown layout: exit 1" rc_is 1
check "unknown layout named" err_has "unknown layout 'nosuchlayout'"

# A failing statement in a sectioned file reports the line in the file.
project g dbmate
printf -- '-- a comment\n\n-- migrate:up\nCREATE TABLE g1 (id INTEGER);\nSELECT * FROM nowhere;\n-- migrate:down\nDROP TABLE g1;\n' >g/1_g.sql
run -c g.yaml apply
check "sectioned file: error line is the file's line" err_is "strata: error: g/1_g.sql:5:$(pick "1: no such table: nowhere" "15: relation \"nowhere\" does not exist")"

# A failing down script in a sectioned file reports the file's line too.
NO_TABLE=$(pick "no such table: nowhere" "table \"nowhere\" does not exist")
run -c g.yaml mark g:1 --applied
printf -- '-- migrate:up\nCREATE TABLE g1 (id INTEGER);\n-- migrate:down\n\n-- drop it\nDROP TABLE nowhere;\n' >g/1_g.sql
run -c g.yaml mark g:1 --applied
run -c g.yaml rollback
check "sectioned down script: error line is the file's line" err_is "strata: error: g/1_g.sql:6:1: $NO_TABLE"

# A non-transactional down script that fails half-way is recorded as failed,
# and apply refuses to go on until the record is repaired.
project i dbmate
printf -- '-- migrate:up transaction:false\nCREATE TABLE i1 (id INTEGER);\n-- migrate:down transaction:false\nDROP TABLE i1;\nDROP TABLE nowhere;\n' >i/1_i.sql
run -c i.yaml apply
check "non-transactional migration applied" rc_is 0
run -c i.yaml rollback
check "half-failed non-transactional rollback: exit 1" rc_is 1
check "its first statement did run" eq "$(has_table i i1)" 0
# (PostgreSQL's driver also says which statements ran before the failure.)
check "recorded as failed with the error" eq "$(q i "SELECT state || ' ' || error FROM strata_ledger")" "rollback_failed i/1_i.sql:5:1: $NO_TABLE$(pick "" "; statement 1 of 2 ran before it (outside a transaction)")"
run -c i.yaml status
check "status shows it failed: exit 4" rc_is 4
run -c i.yaml apply
check "apply refuses a partly-run migration: exit 4" rc_is 4
check "… with the repair advice" err_has "i:1 failed outside a transaction and may be partly done"
run -c i.yaml mark i:1 --rolled-back
run -c i.yaml apply
check "after mark --rolled-back apply re-runs it" rc_is 0

# The directive comment forces the mode of one file.
project j golang-migrate
printf -- '-- strata:no-transaction\nCREATE TABLE j1 (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n' >j/1_j.up.sql
run -c j.yaml apply --dry-run
check "directive: dry-run shows no BEGIN" bash -c "! grep -q BEGIN '$T/out'"
run -c j.yaml apply
check "directive: failure outside a transaction keeps the first statement" eq "$(has_table j j1)" 1
check "directive: recorded failed" eq "$(q j "SELECT state FROM strata_ledger")" failed
printf -- '-- strata:transaction\nCREATE TABLE k1 (id INTEGER);\n' >j/2_k.up.sql
printf -- '-- migrate:up transaction:false\n-- strata:transaction\nCREATE TABLE k2 (id INTEGER);\n-- migrate:down\nDROP TABLE k2;\n' >c/20250101000000_forced.sql
run -c c.yaml apply --dry-run
check "directive beats the format's transaction:false" bash -c "grep -A1 'c:20250101000000' '$T/out' | grep -q BEGIN"

# A COMMIT in the middle of a migration: the file runs as written, outside
# strata's transaction (tests/integration/txn.sh has the cases).  SQLite
# refuses a COMMIT with no transaction open; PostgreSQL warns and goes on.
project h golang-migrate
printf 'CREATE TABLE h1 (id INTEGER);\nCOMMIT;\nCREATE TABLE h2 (id INTEGER);\n' >h/1_h.up.sql
run -c h.yaml apply
check "COMMIT inside a migration: runs as written" rc_is "$(pick 1 0)"
if sqlite; then
	check "COMMIT inside a migration: SQLite's error at its line" err_is "strata: error: h/1_h.up.sql:2:1: cannot commit - no transaction is active"
fi
check "COMMIT inside a migration: what ran stays" eq "$(tables h)" "$(pick h1,schema_migrations h1,h2,schema_migrations)"
check "COMMIT inside a migration: recorded" eq "$(q h "SELECT state FROM strata_ledger")" "$(pick failed applied)"

# A folder large enough to be matched ahead on every core (sqlpair's
# classify.c, from 4,096 files): the same ledger, order and warnings as a
# small one.
project big golang-migrate
python3 - big <<'PY'
import os, sys
d = sys.argv[1]
for i in range(1, 2101):
    open(os.path.join(d, f"{i}_t{i}.up.sql"), "w").write(f"CREATE TABLE t{i} (id INTEGER);\n")
    open(os.path.join(d, f"{i}_t{i}.down.sql"), "w").write(f"DROP TABLE t{i};\n")
open(os.path.join(d, "README.md"), "w").write("ignored by the layout\n")
open(os.path.join(d, "notes.txt"), "w").write("a stranger\n")
PY
run -c big.yaml ledger --json
check "4,202 files: ledger exits 0" rc_is 0
check "4,202 files: 2,100 migrations in version order" eq "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["migrations"]; print(len(m), m[0]["version"], m[9]["version"], m[-1]["version"], m[-1]["file"])' "$T/out")" "2100 1 10 2100 big/2100_t2100.up.sql"
run -c big.yaml ledger
check "4,202 files: the stranger warned about once, README not" err_is "strata: warning: big/notes.txt: file matches no migration pattern of layout 'golang-migrate'"
check "4,202 files: every migration has its down" out_lacks "(no down)"
done_testing
