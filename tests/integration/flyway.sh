#!/usr/bin/env bash
# Flyway's baseline (B{version}__) and repeatable (R__) migrations, with the
# rows Flyway writes in flyway_schema_history (its docs and source: type
# SQL_BASELINE, version NULL for repeatables, a new row per re-run): on an
# empty database the newest B replaces every V at or below it, on one with
# versions B is ignored; repeatables run last, in description order, again
# when changed; rows written by hand as Flyway writes them read back.
. "$(dirname "$0")/lib.sh"

T_=$(pick 1 t)
# project NAME: NAME.yaml, one flyway source in ./NAME
project() {
	mkdir -p "$1"
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: %s\n    layout: flyway\n' \
		"$(db_url "$1")" "$1" >"$1.yaml"
}
# The issue's history in ./NAME: V1.1 creates account, V1.2 … V1.20 add a
# column each (V1.5 a scratch table V1.10 drops again), V1.21 … V1.25 a table
# each; B1_20_0 is the schema at 1.20 in one script; two repeatable views.
history() {
	echo 'CREATE TABLE account (id INTEGER PRIMARY KEY);' >"$1/V1.1__create_account.sql"
	for k in $(seq 2 20); do
		echo "ALTER TABLE account ADD COLUMN c$k INTEGER;" >"$1/V1.${k}__add_c$k.sql"
	done
	echo 'CREATE TABLE scratch (x INTEGER);' >>"$1/V1.5__add_c5.sql"
	echo 'DROP TABLE scratch;' >>"$1/V1.10__add_c10.sql"
	for k in $(seq 21 25); do
		echo "CREATE TABLE t$k (id INTEGER PRIMARY KEY, account_id INTEGER);" >"$1/V1.${k}__create_t$k.sql"
	done
	{
		printf 'CREATE TABLE account (id INTEGER PRIMARY KEY'
		for k in $(seq 2 20); do printf ', c%d INTEGER' "$k"; done
		printf ');\n'
	} >"$1/B1_20_0__baseline_schema.sql"
	# created b first: the order is the description's, not the files'
	printf 'DROP VIEW IF EXISTS v_b;\nCREATE VIEW v_b AS SELECT count(*) AS n FROM v_a;\n' >"$1/R__b_summary.sql"
	printf 'DROP VIEW IF EXISTS v_b;\nDROP VIEW IF EXISTS v_a;\nCREATE VIEW v_a AS SELECT id FROM account;\n' >"$1/R__a_accounts.sql"
}
crc() { python3 -c 'import sys,zlib,ctypes; b=open(sys.argv[1],"rb").read(); b=b[3:] if b[:3]==b"\xef\xbb\xbf" else b; print(ctypes.c_int32(zlib.crc32(b.replace(b"\r",b"").replace(b"\n",b""))).value)' "$1"; }
ids() { "$STRATA" -c "$1.yaml" ledger --json | python3 -c 'import json,sys; print(",".join(m["version"] for m in json.load(sys.stdin)["migrations"]))'; }
# "version state" per migration, joined by ','
states() { "$STRATA" -c "$1.yaml" status --json 2>/dev/null | python3 -c 'import json,sys; print(",".join(m["version"]+" "+m["state"] for m in json.load(sys.stdin)["migrations"]))'; }
# one migration's "kind state" from status --json
kind_state() { "$STRATA" -c "$1.yaml" status --json 2>/dev/null | python3 -c 'import json,sys; print(*[m["kind"]+" "+m["state"] for m in json.load(sys.stdin)["migrations"] if m["version"]==sys.argv[1]])' "$2"; }
rows() { qlist "$1" 'SELECT installed_rank, version, description, type, script, checksum, success FROM flyway_schema_history ORDER BY installed_rank'; }
# a table's columns, in order
cols() {
	if sqlite; then q "$1" "SELECT name FROM pragma_table_info('$2')"
	else q "$1" "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '$2' ORDER BY ordinal_position"; fi | paste -sd, -
}
views() {
	if sqlite; then q "$1" "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name"
	else q "$1" "SELECT viewname FROM pg_views WHERE schemaname = current_schema() ORDER BY viewname"; fi | paste -sd, -
}
seq_states() { # FROM TO STATE: "1.FROM STATE,…,1.TO STATE"
	local k s=
	for k in $(seq "$1" "$2"); do s="$s${s:+,}1.$k $3"; done
	echo "$s"
}
V1_19=$(seq_states 1 19 ignored)
VERS="$(seq -s, 1 19 | sed 's/\([0-9]*\)/1.\1/g'),B1_20_0,1.20,$(seq -s, 21 25 | sed 's/\([0-9]*\)/1.\1/g'),R__a_accounts,R__b_summary"

# ---- an empty database: the B and the V's above it ----
project fw
history fw
check "ledger order: B before the V of its version, repeatables last by description" eq "$(ids fw)" "$VERS"
run -c fw.yaml status
check "status on an empty database exits 3 (pending)" rc_is 3
check "status: the covered V's are ignored" eq "$(states fw | cut -d, -f1-19)" "$V1_19"
check "status: the B is pending, V1.20 (at its version) ignored" eq "$(states fw | cut -d, -f20-21)" "B1_20_0 pending,1.20 ignored"
check "status: the summary line" out_has "28 migrations: 8 pending, 20 ignored"
check "status: the B's line names its kind" out_has "app:B1_20_0        pending      baseline_schema  (baseline)"
check "status --json: kind and state of the B" eq "$(kind_state fw B1_20_0)" "baseline pending"
check "status --json: kind and state of a covered V" eq "$(kind_state fw 1.7)" "versioned ignored"
check "status --json: kind and state of a repeatable" eq "$(kind_state fw R__a_accounts)" "repeatable pending"
run -c fw.yaml apply
check "apply exits 0" rc_is 0
check "apply: the B, the 5 V's above it and the 2 repeatables" out_has "8 migrations applied to"
check "apply: the B first" eq "$(grep -c '^applied' "$T/out"),$(grep '^applied' "$T/out" | head -1 | cut -d' ' -f2)" "8,app:B1_20_0"
check "apply: repeatables last, by description" eq "$(grep '^applied' "$T/out" | tail -2 | cut -d' ' -f2 | paste -sd, -)" "app:R__a_accounts,app:R__b_summary"
EXPECT="1|1.20.0|baseline schema|SQL_BASELINE|B1_20_0__baseline_schema.sql|$(crc fw/B1_20_0__baseline_schema.sql)|$T_"
for k in $(seq 21 25); do EXPECT="$EXPECT,$((k - 19))|1.$k|create t$k|SQL|V1.${k}__create_t$k.sql|$(crc "fw/V1.${k}__create_t$k.sql")|$T_"; done
EXPECT="$EXPECT,7||a accounts|SQL|R__a_accounts.sql|$(crc fw/R__a_accounts.sql)|$T_,8||b summary|SQL|R__b_summary.sql|$(crc fw/R__b_summary.sql)|$T_"
check "flyway_schema_history: SQL_BASELINE at 1.20.0, the V's above, repeatables with version NULL" eq "$(rows fw)" "$EXPECT"
check "flyway_schema_history: no row for a covered V" eq "$(q fw "SELECT count(*) FROM flyway_schema_history WHERE version IN ('1.1', '1.20', '1.5')")" "0"
check "strata_ledger: no row for a covered V" eq "$(q fw "SELECT count(*) FROM strata_ledger WHERE id = 'app:1.5'")" "0"
check "schema: account as 1.20 left it" eq "$(cols fw account)" "id,$(seq -s, 2 20 | sed 's/\([0-9]*\)/c\1/g')"
check "schema: tables" eq "$(tables fw)" "account,flyway_schema_history,t21,t22,t23,t24,t25"
check "schema: views" eq "$(views fw)" "v_a,v_b"
check "status after: covered V's stay ignored, the rest applied" eq "$(states fw | cut -d, -f19-22)" "1.19 ignored,B1_20_0 applied,1.20 ignored,1.21 applied"
run -c fw.yaml status
check "status after apply exits 0" rc_is 0
check "status after apply: summary" out_has "28 migrations: 8 applied, 20 ignored"

# ---- the same history the long way: the same schema ----
project full
history full
rm full/B1_20_0__baseline_schema.sql
run -c full.yaml apply
check "without the B: all 25 V's and the repeatables" out_has "27 migrations applied to"
check "without the B: the same account" eq "$(cols full account)" "$(cols fw account)"
check "without the B: the same tables" eq "$(tables full)" "$(tables fw)"
check "without the B: the same views" eq "$(views full)" "$(views fw)"

# ---- verify: a new environment, as Flyway runs it there ----
run -c full.yaml verify
check "verify without the B: the 25 V's and 2 repeatables" eq "$rc;$(tail -1 "$T/out")" "0;verified: 27 migrations apply cleanly in order on an empty database"
run -c fw.yaml verify
check "verify with the B: the B, the V's above it, the repeatables" eq "$rc;$(tail -1 "$T/out")" "0;verified: 8 migrations apply cleanly in order on an empty database"

# ---- a database that has versions: B is ignored ----
project ex
history ex
check "status --to nothing: 1.3 is covered" eq "$(kind_state ex 1.3)" "versioned ignored"
run -c ex.yaml apply --to 1.3
check "apply --to 1.3 below the B: the V's up to it, not the B" eq "$rc;$(grep '^applied' "$T/out" | cut -d' ' -f2 | paste -sd, -)" "0;app:1.1,app:1.2,app:1.3"
check "a database at 1.3" eq "$(qlist ex 'SELECT version FROM flyway_schema_history ORDER BY installed_rank')" "1.1,1.2,1.3"
check "status: the B is ignored where versions are applied" eq "$(kind_state ex B1_20_0)" "baseline ignored"
check "status: V1.4 pending, not covered" eq "$(kind_state ex 1.4)" "versioned pending"
run -c ex.yaml apply
check "apply runs the V's, not the B" out_has "24 migrations applied to"
check "no SQL_BASELINE row" eq "$(q ex "SELECT count(*) FROM flyway_schema_history WHERE type = 'SQL_BASELINE'")" "0"
check "rows: 25 V's, then the 2 repeatables" eq "$(q ex "SELECT count(*) FROM flyway_schema_history WHERE type = 'SQL' AND version IS NOT NULL"),$(qlist ex "SELECT installed_rank FROM flyway_schema_history WHERE version IS NULL ORDER BY installed_rank")" "25,26,27"
check "the same schema as the long way" eq "$(cols ex account);$(tables ex)" "$(cols full account);$(tables full)"

# ---- two B's: the newest at or below the target ----
project two
history two
{
	cat two/B1_20_0__baseline_schema.sql
	for k in $(seq 21 24); do cat "two/V1.${k}__create_t$k.sql"; done
} >two/B1_24__to_t24.sql
check "two B's: the newer one is chosen, the older ignored" eq "$(kind_state two B1_20_0),$(kind_state two B1_24),$(kind_state two 1.24),$(kind_state two 1.25)" "baseline ignored,baseline pending,versioned ignored,versioned pending"
run -c two.yaml apply --to 1.22
check "apply --to 1.22: the newest B at or below it, then the V's up to it" eq "$rc;$(grep '^applied' "$T/out" | cut -d' ' -f2 | paste -sd, -)" "0;app:B1_20_0,app:1.21,app:1.22"
run -c two.yaml apply
check "then: the later B is ignored, the V's run" eq "$rc;$(grep '^applied' "$T/out" | cut -d' ' -f2 | paste -sd, -);$(kind_state two B1_24)" "0;app:1.23,app:1.24,app:1.25,app:R__a_accounts,app:R__b_summary;baseline ignored"
check "two B's: the rows" eq "$(qlist two 'SELECT version, type FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank')" "1.20.0|SQL_BASELINE,1.21|SQL,1.22|SQL,1.23|SQL,1.24|SQL,1.25|SQL"
db_reset two
run -c two.yaml apply
check "without a target: the newest B, then the V above it" eq "$rc;$(grep '^applied' "$T/out" | cut -d' ' -f2 | paste -sd, -)" "0;app:B1_24,app:1.25,app:R__a_accounts,app:R__b_summary"
check "the same schema as the long way" eq "$(cols two account);$(tables two)" "$(cols full account);$(tables full)"

# ---- repeatables: unchanged, not run; changed, run again with a new row ----
run -c fw.yaml apply
check "apply again: nothing to do" out_has "0 migrations applied to"
check "apply again: no new row" eq "$(q fw 'SELECT count(*) FROM flyway_schema_history')" "8"
printf 'DROP VIEW IF EXISTS v_b;\nCREATE VIEW v_b AS SELECT count(*) AS n, max(id) AS top FROM v_a;\n' >fw/R__b_summary.sql
run -c fw.yaml status
check "status: a changed repeatable is outdated (exit 3)" eq "$rc;$(grep 'R__b_summary' "$T/out")" "3;app:R__b_summary   outdated     b_summary  (repeatable)"
check "status: no 'modified' warning for a repeatable" eq "$(cat "$T/err")" ""
check "status --json: outdated" eq "$(kind_state fw R__b_summary)" "repeatable outdated"
run -c fw.yaml apply
check "apply re-runs only the changed repeatable" eq "$rc;$(grep '^applied' "$T/out" | cut -d' ' -f2)" "0;app:R__b_summary"
check "a new row: version NULL, its new checksum" eq "$(qlist fw 'SELECT installed_rank, version, description, type, script, checksum, success FROM flyway_schema_history WHERE installed_rank = 9')" "9||b summary|SQL|R__b_summary.sql|$(crc fw/R__b_summary.sql)|$T_"
check "the earlier row stays" eq "$(q fw "SELECT count(*) FROM flyway_schema_history WHERE script = 'R__b_summary.sql'")" "2"
check "the view is the new one" eq "$(cols fw v_b)" "n,top"
check "status: applied again" eq "$(kind_state fw R__b_summary)" "repeatable applied"
run -c fw.yaml apply
check "apply once more: nothing" out_has "0 migrations applied to"
# a re-run that fails: failed, Flyway's table keeps the run before, retried once fixed
echo 'CREATE VIEW v_b AS SELECT nothing FROM nowhere;' >fw/R__b_summary.sql
run -c fw.yaml apply
check "a failing re-run exits 1" rc_is 1
check "a failing re-run: no row" eq "$(q fw 'SELECT count(*) FROM flyway_schema_history')" "9"
check "a failing re-run: failed" eq "$(kind_state fw R__b_summary)" "repeatable failed"
printf 'DROP VIEW IF EXISTS v_b;\nCREATE VIEW v_b AS SELECT 1 AS one;\n' >fw/R__b_summary.sql
run -c fw.yaml apply
check "fixed, it runs again" eq "$rc;$(grep '^applied' "$T/out" | cut -d' ' -f2);$(q fw 'SELECT max(installed_rank) FROM flyway_schema_history')" "0;app:R__b_summary;10"

# ---- rollback ----
run -c fw.yaml rollback --to app:R__a_accounts
check "rollback --to a repeatable: refused" err_is "strata: error: fw/R__a_accounts.sql: app:R__a_accounts is repeatable; it cannot be rolled back (hint: a repeatable has no down script: change it and apply (it runs again), or name a versioned migration)"
check "rollback --to a repeatable: exit 2" rc_is 2
echo 'DROP TABLE t25;' >fw/U1.25__create_t25.sql
run -c fw.yaml rollback
check "rollback passes over the repeatables to the newest V" eq "$rc;$(grep '^rolled back' "$T/out" | cut -d' ' -f3)" "0;app:1.25"
check "rollback: Flyway's UNDO_SQL row" eq "$(qlist fw 'SELECT installed_rank, version, type FROM flyway_schema_history WHERE installed_rank = 11')" "11|1.25|UNDO_SQL"
check "rollback: the repeatables stay applied" eq "$(kind_state fw R__a_accounts)" "repeatable applied"

# ---- rows written by hand as Flyway writes them ----
project hand
history hand
q hand "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL)"
q hand "INSERT INTO flyway_schema_history VALUES (1, '1.20.0', 'baseline schema', 'SQL_BASELINE', 'B1_20_0__baseline_schema.sql', $(crc hand/B1_20_0__baseline_schema.sql), 'me', CURRENT_TIMESTAMP, 9, $(pick 1 true))"
q hand "INSERT INTO flyway_schema_history VALUES (2, '1.21', 'create t21', 'SQL', 'V1.21__create_t21.sql', $(crc hand/V1.21__create_t21.sql), 'me', CURRENT_TIMESTAMP, 3, $(pick 1 true))"
q hand "INSERT INTO flyway_schema_history VALUES (3, NULL, 'a accounts', 'SQL', 'R__a_accounts.sql', $(crc hand/R__a_accounts.sql), 'me', CURRENT_TIMESTAMP, 3, $(pick 1 true))"
q hand "INSERT INTO flyway_schema_history VALUES (4, NULL, 'b summary', 'SQL', 'R__b_summary.sql', 12345, 'me', CURRENT_TIMESTAMP, 3, $(pick 1 true))"
check "by hand: the SQL_BASELINE row is the B's, the V's it covers ignored" eq "$(states hand | cut -d, -f19-23)" "1.19 ignored,B1_20_0 applied,1.20 ignored,1.21 applied,1.22 pending"
check "by hand: a repeatable's row (version NULL) at its checksum: applied" eq "$(kind_state hand R__a_accounts)" "repeatable applied"
check "by hand: at another checksum: outdated" eq "$(kind_state hand R__b_summary)" "repeatable outdated"
# Flyway's baseline command: its << Flyway Baseline >> row at 1.5
project fb
history fb
q fb "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL)"
q fb "INSERT INTO flyway_schema_history VALUES (1, '1.5', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'me', CURRENT_TIMESTAMP, 0, $(pick 1 true))"
check "by hand: a BASELINE row at 1.5: 1.1 … 1.5 applied, the B ignored, 1.6 pending" eq "$(states fb | cut -d, -f5-7),$(kind_state fb B1_20_0)" "1.5 applied,1.6 pending,1.7 pending,baseline ignored"
check "by hand: the repeatables pending" eq "$(kind_state fb R__a_accounts)" "repeatable pending"

# ---- strata baseline on an empty database: the B stands for what it covers ----
project sb
history sb
run -c sb.yaml baseline --to 1.22
check "baseline --to 1.22 exits 0" rc_is 0
check "baseline: the B and 1.21, 1.22 recorded, with Flyway's SQL_BASELINE type" eq "$(qlist sb 'SELECT installed_rank, version, type, execution_time FROM flyway_schema_history ORDER BY installed_rank')" "1|1.20.0|SQL_BASELINE|0,2|1.21|SQL|0,3|1.22|SQL|0"
check "baseline: covered V's stay ignored" eq "$(kind_state sb 1.3)" "versioned ignored"
check "baseline: nothing ran" eq "$(tables sb)" "flyway_schema_history"

# ---- bad names ----
project bad
echo 'CREATE TABLE a (id INTEGER);' >bad/V1__a.sql
echo 'CREATE TABLE b (id INTEGER);' >bad/B2__b.sql
echo 'CREATE TABLE c (id INTEGER);' >bad/B2__c.sql
run -c bad.yaml apply
check "two B's of one version: exit 1" rc_is 1
check "two B's of one version: the error names the file" err_is "strata: error: bad/B2__c.sql: duplicate version B2 in source 'app' (also bad/B2__b.sql) (hint: give each migration a unique version)"
check "two B's of one version: database untouched" eq "$(has_table bad strata_ledger flyway_schema_history a b c)" "0"
rm bad/B2__c.sql
echo 'SELECT 1;' >bad/B2x__oops.sql
run -c bad.yaml apply
check "a B whose version is no version: refused, as Flyway refuses it" eq "$rc;$(cat "$T/err")" "1;strata: error: bad/B2x__oops.sql: named like a baseline migration of layout 'flyway', but not as '^(B([0-9]+([._][0-9]+)*))(__(.*))?\.sql\$' (hint: rename it to fit the pattern, or list it under the layout's ignore:)"
check "refused: database untouched" eq "$(has_table bad strata_ledger flyway_schema_history a b)" "0"
rm bad/B2x__oops.sql
echo 'SELECT 1;' >bad/Rviews.sql
run -c bad.yaml status
check "an R file without the __ separator: refused" eq "$rc;$(cat "$T/err")" "1;strata: error: bad/Rviews.sql: named like a repeatable migration of layout 'flyway', but not as '^(R__(.*))\.sql\$' (hint: rename it to fit the pattern, or list it under the layout's ignore:)"
rm bad/Rviews.sql
echo 'SELECT 1;' >bad/R__.sql
echo 'SELECT 1;' >bad/B3.sql
echo 'SELECT 1;' >bad/notes.txt
run -c bad.yaml status
check "R__.sql and B3.sql (no description) are Flyway's too; another file is warned about" eq "$rc;$(ids bad);$(cat "$T/err")" "3;1,B2,B3,R__;strata: warning: bad/notes.txt: file matches no migration pattern of layout 'flyway'"
mkdir bad/R__dir.sql
run -c bad.yaml status
check "a folder named like a repeatable: refused, named" eq "$rc;$(cat "$T/err")" "1;strata: error: bad/R__dir.sql: is a directory (hint: a migration is one file; rename the folder or move it away)"
rmdir bad/R__dir.sql

# ---- detection: B and R__ files count for the flyway layout ----
mkdir -p det
cp fw/V1.1__create_account.sql fw/B1_20_0__baseline_schema.sql fw/R__a_accounts.sql fw/R__b_summary.sql det/
printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: det\n' "$(db_url det)" >det.yaml
run -c det.yaml ledger
check "detected: flyway, with the B and the repeatables, no warning" eq "$rc;$(ids det);$(cat "$T/err")" "0;1.1,B1_20_0,R__a_accounts,R__b_summary;"

done_testing
