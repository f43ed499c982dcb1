#!/usr/bin/env bash
# Files that manage their own transaction (docs/guide.md#transaction-mode):
# one BEGIN … COMMIT around the whole file is dropped and the body runs in
# strata's transaction with its ledger row (atomic); any other transaction
# control runs the file as written, outside strata's transaction, with a
# `running` row first.  Each case has its own project NAME (golang-migrate
# layout in ./NAME, source NAME, database NAME).
. "$(dirname "$0")/lib.sh"

project() {
	mkdir -p "$1"
	printf 'database: %s\nsources:\n  - name: %s\n    format: sqlpair\n    path: %s\n    layout: golang-migrate\n' \
		"$(db_url "$1")" "$1" "$1" >"$1.yaml"
}
state() { q "$1" "SELECT state FROM strata_ledger WHERE id = '$2'"; }
error_of() { q "$1" "SELECT error FROM strata_ledger WHERE id = '$2'"; }
rows() { qlist "$1" "SELECT id FROM $2 ORDER BY id"; }
# stdout without the timings: "applied X name (3 ms)" -> "applied X name".
out_is() { eq "$(sed -E 's/ \([0-9]+ ms\)$//' "$T/out")" "$(printf '%s\n' "$@")"; }
# The SQL a dry run prints for one migration: its block up to the blank line.
dry_block() { awk -v h="-- $1 $2 " 'index($0, h) == 1 {on = 1} on && $0 == "" {exit} on' "$T/out"; }
sha() { sha256sum <"$1" | cut -c1-64; }

# ---- a wrapped file: atomic ---------------------------------------------------
project w
cat >w/1_w.up.sql <<'SQL'
-- create w1
BEGIN;
CREATE TABLE w1 (id INTEGER);
INSERT INTO w1 VALUES (1);
CREATE TABLE w_seen AS SELECT state FROM strata_ledger WHERE id = 'w:1';
INSERT INTO nope VALUES (1);
COMMIT;
SQL
printf 'BEGIN;\nDROP TABLE w_seen;\nDROP TABLE w1;\nCOMMIT;\n' >w/1_w.down.sql
run -c w.yaml apply --dry-run
check "wrapped, dry run on a new database: exit 0" rc_is 0
check "wrapped, dry run: strata's BEGIN/COMMIT around the body only, no nested BEGIN" eq "$(dry_block apply w:1)" \
	"$(printf '%s\n' '-- apply w:1 w (w/1_w.up.sql)' 'BEGIN;' 'CREATE TABLE w1 (id INTEGER);' 'INSERT INTO w1 VALUES (1);' \
		"CREATE TABLE w_seen AS SELECT state FROM strata_ledger WHERE id = 'w:1';" 'INSERT INTO nope VALUES (1);' 'COMMIT;')"
run -c w.yaml apply
check "wrapped, failing statement: exit 1" rc_is 1
check "… the error at the file's line:col" err_is "$(pick \
	'strata: error: w/1_w.up.sql:6:1: no such table: nope' \
	'strata: error: w/1_w.up.sql:6:13: relation "nope" does not exist')"
check "… nothing of it is left" eq "$(tables w)" "schema_migrations"
check "… recorded failed, with the error" eq "$(state w w:1)|$(error_of w w:1)" "failed|$(pick \
	'w/1_w.up.sql:6:1: no such table: nope' 'w/1_w.up.sql:6:13: relation "nope" does not exist')"
run -c w.yaml status
check "… status: failed, exit 4" rc_is 4
sed -i 's/INSERT INTO nope VALUES (1);/INSERT INTO w1 VALUES (2);/' w/1_w.up.sql
run -c w.yaml apply
check "wrapped, fixed: apply retries it, exit 0" rc_is 0
check "… output" out_is "applied w:1 w" "1 migration applied to $(db_url w)"
check "… both inserts ran" eq "$(rows w w1)" "1,2"
check "… the body ran in strata's transaction: its row still said failed (no running row)" eq "$(q w "SELECT state FROM w_seen")" failed
check "… recorded applied" eq "$(state w w:1)" applied
check "… checksum: the whole file's sha256, BEGIN and COMMIT included" eq "$(q w "SELECT checksum FROM strata_ledger")" "$(sha w/1_w.up.sql)"
run -c w.yaml rollback --dry-run
check "wrapped down script, dry run: one BEGIN" eq "$(dry_block rollback w:1)" \
	"$(printf '%s\n' '-- rollback w:1 w (w/1_w.down.sql)' 'BEGIN;' 'DROP TABLE w_seen;' 'DROP TABLE w1;' 'COMMIT;')"
run -c w.yaml rollback
check "wrapped down script: rollback exit 0" rc_is 0
check "… tables gone, rolled_back" eq "$(tables w)|$(state w w:1)" "schema_migrations|rolled_back"

# The body starts on the BEGIN line: columns are still the file's.
project x
printf 'BEGIN; CREATE TABLE x1 (id INTEGER); INSERT INTO nope VALUES (1); COMMIT;\n' >x/1_x.up.sql
run -c x.yaml apply
check "wrapped on one line: exit 1" rc_is 1
check "… line:col of the statement in the file" err_is "$(pick \
	'strata: error: x/1_x.up.sql:1:38: no such table: nope' \
	'strata: error: x/1_x.up.sql:1:50: relation "nope" does not exist')"
check "… nothing left, failed" eq "$(tables x)|$(state x x:1)" "schema_migrations|failed"

# Other spellings of the opening statement: wrapped, unless (PostgreSQL) it
# sets transaction modes, which strata's own BEGIN would drop: as written.
project k
printf '%s\nCREATE TABLE k1 (id INTEGER);\nCREATE TABLE k_seen AS SELECT count(*) AS n FROM strata_ledger WHERE id = '"'k:1'"';\nCOMMIT;\n' \
	"$(pick 'BEGIN IMMEDIATE TRANSACTION;' 'START TRANSACTION;')" >k/1_k.up.sql
if pg; then
	printf 'BEGIN ISOLATION LEVEL SERIALIZABLE;\nCREATE TABLE k2 AS SELECT current_setting('"'transaction_isolation'"') AS iso, (SELECT state FROM strata_ledger WHERE id = '"'k:2'"');\nCOMMIT;\n' >k/2_k.up.sql
fi
run -c k.yaml apply
check "$(pick 'BEGIN IMMEDIATE TRANSACTION' 'START TRANSACTION') … COMMIT: exit 0" rc_is 0
check "… wrapped: no running row while it ran" eq "$(q k "SELECT n FROM k_seen")" 0
if pg; then
	check "BEGIN ISOLATION LEVEL SERIALIZABLE … COMMIT: as written, its isolation level kept, running row" \
		eq "$(q k "SELECT iso || '|' || state FROM k2")" "serializable|running"
fi
check "… applied" eq "$(qlist k "SELECT DISTINCT state FROM strata_ledger")" applied

# The words in strings, comments and trigger or function bodies are not
# transaction control: the file runs in strata's transaction.
project n
{
	printf -- "CREATE TABLE n1 (id INTEGER, note TEXT);\n-- COMMIT; in a comment\n/* ROLLBACK; */\n"
	if sqlite; then
		printf "CREATE TRIGGER n1_t AFTER INSERT ON n1 BEGIN UPDATE n1 SET note = 'set; END' WHERE id = NEW.id; END;\n"
	else
		printf "CREATE FUNCTION n1_f() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.note := 'set; END'; RETURN NEW; END \$\$;\n"
		printf "CREATE TRIGGER n1_t BEFORE INSERT ON n1 FOR EACH ROW EXECUTE FUNCTION n1_f();\n"
	fi
	printf "INSERT INTO n1 VALUES (1, 'BEGIN; COMMIT;');\n"
	printf "CREATE TABLE n_seen AS SELECT count(*) AS n FROM strata_ledger WHERE id = 'n:1';\n"
} >n/1_n.up.sql
run -c n.yaml apply --dry-run
check "BEGIN/COMMIT only in strings, comments and bodies: dry run shows strata's BEGIN" eq "$(dry_block apply n:1 | sed -n 2p)" "BEGIN;"
run -c n.yaml apply
check "… exit 0" rc_is 0
check "… the trigger body ran" eq "$(q n "SELECT note FROM n1")" "set; END"
check "… in strata's transaction (no running row)" eq "$(q n "SELECT n FROM n_seen")" 0

# ---- two BEGIN … COMMIT blocks: as written ---------------------------------
project b
cat >b/1_b.up.sql <<'SQL'
BEGIN;
CREATE TABLE b1 (id INTEGER);
COMMIT;
BEGIN;
CREATE TABLE b2 (id INTEGER);
CREATE TABLE b_seen AS SELECT state FROM strata_ledger WHERE id = 'b:1';
COMMIT;
SQL
cat >b/1_b.down.sql <<'SQL'
BEGIN;
DROP TABLE b_seen;
DROP TABLE b2;
COMMIT;
BEGIN;
DROP TABLE b1;
COMMIT;
SQL
run -c b.yaml apply --dry-run
check "two blocks, dry run: the file as written, no BEGIN of strata's" eq "$(dry_block apply b:1 | tail -n +2)" "$(cat b/1_b.up.sql)"
run -c b.yaml apply
check "two blocks: exit 0" rc_is 0
check "… both blocks' effects" eq "$(tables b)" "b1,b2,b_seen,schema_migrations"
check "… the row said running while the file ran" eq "$(q b "SELECT state FROM b_seen")" running
check "… then applied" eq "$(state b b:1)" applied
check "… checksum of the whole file" eq "$(q b "SELECT checksum FROM strata_ledger")" "$(sha b/1_b.up.sql)"
run -c b.yaml rollback
check "two-block down script: rollback exit 0" rc_is 0
check "… as written: tables gone, rolled_back" eq "$(tables b)|$(state b b:1)" "schema_migrations|rolled_back"

# ---- a ROLLBACK in the file ---------------------------------------------------
project r
cat >r/1_r.up.sql <<'SQL'
CREATE TABLE r1 (id INTEGER);
BEGIN;
CREATE TABLE r2 (id INTEGER);
INSERT INTO r1 VALUES (1);
ROLLBACK;
INSERT INTO r1 VALUES (2);
SQL
run -c r.yaml apply
check "ROLLBACK in the file: exit 0" rc_is 0
check "… what it rolled back is not there" eq "$(tables r)" "r1,schema_migrations"
check "… the rest is" eq "$(rows r r1)" "2"
check "… recorded applied" eq "$(state r r:1)" applied

# ---- savepoints -------------------------------------------------------------
project s
cat >s/1_wrapped.up.sql <<'SQL'
BEGIN;
CREATE TABLE s1 (id INTEGER);
SAVEPOINT a;
INSERT INTO s1 VALUES (1);
ROLLBACK TO SAVEPOINT a;
INSERT INTO s1 VALUES (2);
RELEASE SAVEPOINT a;
END;
SQL
cat >s/2_plain.up.sql <<'SQL'
CREATE TABLE s2 (id INTEGER);
SAVEPOINT b;
INSERT INTO s2 VALUES (1);
ROLLBACK TO b;
INSERT INTO s2 VALUES (2);
RELEASE b;
CREATE TABLE s_seen AS SELECT count(*) AS n FROM strata_ledger WHERE id = 's:2';
SQL
run -c s.yaml apply --dry-run
check "savepoints, dry run: exit 0" rc_is 0
check "… the wrapped file: strata's BEGIN once" eq "$(dry_block apply s:1 | grep -c '^BEGIN;')" 1
check "… the plain file runs in strata's transaction" eq "$(dry_block apply s:2 | sed -n 2p)" "BEGIN;"
run -c s.yaml apply
check "savepoints: exit 0" rc_is 0
check "… inside a wrapped file: rolled back to the savepoint" eq "$(rows s s1)" "2"
check "… in a plain file too" eq "$(rows s s2)" "2"
check "… the plain file ran in strata's transaction (no running row)" eq "$(q s "SELECT n FROM s_seen")" 0
check "… both applied" eq "$(qlist s "SELECT state FROM strata_ledger ORDER BY id")" "applied,applied"

# ---- a block beside statements outside it --------------------------------------
project o
cat >o/1_o.up.sql <<'SQL'
CREATE TABLE o0 (id INTEGER);
BEGIN;
CREATE TABLE o1 (id INTEGER);
COMMIT;
CREATE TABLE o2 (id INTEGER);
SQL
if pg; then printf 'CREATE INDEX CONCURRENTLY o1_id ON o1 (id);\n' >>o/1_o.up.sql; fi
run -c o.yaml apply --dry-run
check "block beside statements, dry run: as written" eq "$(dry_block apply o:1 | tail -n +2)" "$(cat o/1_o.up.sql)"
run -c o.yaml apply
check "block beside statements: exit 0" rc_is 0
check "… all of it ran" eq "$(tables o)" "o0,o1,o2,schema_migrations"
check "… applied" eq "$(state o o:1)" applied
if pg; then
	check "… beside CREATE INDEX CONCURRENTLY: the index is built and valid" \
		eq "$(q o "SELECT indisvalid FROM pg_index WHERE indexrelid = 'o1_id'::regclass")" t
fi

# ---- an error in a file run as written --------------------------------------------
project e
cat >e/1_e.up.sql <<'SQL'
CREATE TABLE e1 (id INTEGER);
BEGIN;
CREATE TABLE e2 (id INTEGER);
COMMIT;
INSERT INTO nope VALUES (1);
SQL
run -c e.yaml apply
check "error after the block: exit 1" rc_is 1
E_MSG=$(pick 'e/1_e.up.sql:5:1: no such table: nope' \
	'e/1_e.up.sql:5:13: relation "nope" does not exist; statements 1-4 of 5 ran before it (outside a transaction)')
check "… file:line:col" err_is "strata: error: $E_MSG"
check "… what ran stays" eq "$(tables e)" "e1,e2,schema_migrations"
check "… recorded failed with the error" eq "$(state e e:1)|$(error_of e e:1)" "failed|$E_MSG"
run -c e.yaml status
check "… status: exit 4, failed" rc_is 4
check "… status names it" out_has "e:1  failed"
run -c e.yaml apply
check "… apply does not retry it: exit 4" rc_is 4
check "… and says why" err_is "strata: error: e/1_e.up.sql: e:1 failed outside a transaction and may be partly done: $E_MSG (hint: finish or undo it by hand, then \`strata mark ID --applied\` or \`strata mark ID --rolled-back\`)"

# Inside the file's own block: the block is rolled back, what ran before stays.
project g
cat >g/1_g.up.sql <<'SQL'
CREATE TABLE g0 (id INTEGER);
BEGIN;
CREATE TABLE g1 (id INTEGER);
INSERT INTO nope VALUES (1);
COMMIT;
SQL
run -c g.yaml apply
check "error inside the file's own block: exit 1" rc_is 1
G_MSG=$(pick 'g/1_g.up.sql:4:1: no such table: nope; the transaction the file opened was rolled back' \
	'g/1_g.up.sql:4:13: relation "nope" does not exist; statements 1-3 of 5 ran before it (outside a transaction); the transaction the file opened was rolled back')
check "… file:line:col, and the block rolled back" err_is "strata: error: $G_MSG"
check "… the block left nothing, the statement before it stays" eq "$(tables g)" "g0,schema_migrations"
check "… recorded failed" eq "$(state g g:1)|$(error_of g g:1)" "failed|$G_MSG"

# A BEGIN without its COMMIT: rolled back, reported at the BEGIN.
project u
printf 'CREATE TABLE u0 (id INTEGER);\nBEGIN;\nCREATE TABLE u1 (id INTEGER);\n' >u/1_u.up.sql
run -c u.yaml apply
check "BEGIN without COMMIT: exit 1" rc_is 1
check "… reported at the BEGIN" err_is "strata: error: u/1_u.up.sql:2:1: migration left a transaction open (BEGIN without COMMIT); its statements were rolled back (hint: end the transaction with COMMIT in the file, or let strata run the migration in a transaction)"
check "… its block left nothing" eq "$(tables u)" "schema_migrations,u0"
check "… recorded failed" eq "$(state u u:1)" failed

# ---- the directives still decide ---------------------------------------------------
project d
printf -- '-- strata:no-transaction\nBEGIN;\nCREATE TABLE d1 (id INTEGER);\nCREATE TABLE d_seen AS SELECT state FROM strata_ledger WHERE id = '"'d:1'"';\nCOMMIT;\n' >d/1_d.up.sql
printf -- '-- strata:transaction\nCREATE TABLE d2 (id INTEGER);\nCOMMIT;\nCREATE TABLE d3 (id INTEGER);\n' >d/2_d.up.sql
run -c d.yaml apply
check "directives: the forced transaction refuses the COMMIT: exit 1" rc_is 1
check "… before anything of it ran" err_is "strata: error: d/2_d.up.sql:3:1: migration ended the transaction (COMMIT or ROLLBACK in the file) (hint: remove transaction control from the file, or mark it non-transactional)"
check "… -- strata:no-transaction ran the wrapped file as written (running row)" eq "$(q d "SELECT state FROM d_seen")" running
check "… tables" eq "$(tables d)" "d1,d_seen,schema_migrations"
check "… states" eq "$(qlist d "SELECT state FROM strata_ledger ORDER BY id")" "applied,failed"

# ---- verify replays them the same way ----------------------------------------------
project v
printf -- '-- wrapped\nBEGIN;\nCREATE TABLE v1 (id INTEGER);\nCOMMIT;\n' >v/1_w.up.sql
printf 'BEGIN;\nCREATE TABLE v2 (id INTEGER);\nCOMMIT;\nBEGIN;\nCREATE TABLE v3 (id INTEGER);\nCOMMIT;\n' >v/2_b.up.sql
cp r/1_r.up.sql v/3_r.up.sql
cp s/1_wrapped.up.sql v/4_s.up.sql
run -c v.yaml verify
check "verify: wrapped, two-block, ROLLBACK and savepoint files: exit 0" rc_is 0
check "… all verified" out_has "verified: 4 migrations apply cleanly in order on an empty database"
check "… the target is untouched" eq "$(has_table v strata_ledger)" 0

done_testing
