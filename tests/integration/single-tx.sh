#!/usr/bin/env bash
# apply --single-transaction (and strata.yaml's single_transaction): the due
# migrations of every source in one transaction, tracking rows included, all
# or nothing; a migration that cannot run in a transaction ends the batch
# (what came before commits, it runs alone, a new transaction follows).
# Sources: py (Alembic: alembic_version) then app (dbmate: schema_migrations).
. "$(dirname "$0")/lib.sh"

# rev DIR ID DOWN TABLE: an Alembic revision creating TABLE.
rev() {
	mkdir -p "$1"
	cat >"$1/${2}_r.py" <<PY
"""r $2

Revision ID: $2
Revises:
Create Date: 2026-12-04 08:00:00

"""
from alembic import op

revision = '$2'
down_revision = $3
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE $4 (id INTEGER PRIMARY KEY)")


def downgrade():
    op.execute("DROP TABLE $4")
PY
}
# dbm DIR FILE UP…: a dbmate file whose up section holds the lines UP….
dbm() {
	local dir=$1 f=$2; shift 2
	mkdir -p "$dir"
	{ echo '-- migrate:up'; printf '%s\n' "$@"; printf '\n-- migrate:down\nSELECT 1;\n'; } >"$dir/$f"
}
surl() { if sqlite; then echo "sqlite:$T/$1.db"; else db_url "$1"; fi; }
# project NAME [EXTRA]: NAME/strata.yaml with the two sources (EXTRA: more top-level lines).
project() {
	mkdir -p "$1"
	printf 'database: %s\n%bsources:\n  - name: py\n    format: alembic\n    path: versions\n  - name: app\n    format: sqlpair\n    path: db\n    layout: dbmate\n' \
		"$(surl "$1")" "${2:-}" >"$1/strata.yaml"
}
sr() { local p=$1; shift; run -C "$p" "$@"; }
# rows of table T in NAME (0: no table)
count() { if [ "$(has_table "$1" "$2")" = 0 ]; then echo 0; else q "$1" "SELECT count(*) FROM $2"; fi; }
ledger() { qlist "$1" "SELECT id || '=' || state FROM strata_ledger ORDER BY id"; }
versions() { qlist "$1" "SELECT version FROM schema_migrations ORDER BY version"; }
out_is() { eq "$(sed -E 's/ \([0-9]+ ms\)$//' "$T/out")" "$(printf '%s\n' "$@")"; }
NOPE=$(pick 'no such table: nope' 'relation "nope" does not exist')
NOPE_COL=$(pick 1 13)

# five: py:a1 (t1), py:b2 (t2), app:001 (t3), app:002 (t4, fails), app:003 (t5)
five() {
	project "$1" "${2:-}"
	rev "$1/versions" a1 None t1
	rev "$1/versions" b2 "'a1'" t2
	dbm "$1/db" 001_t3.sql 'CREATE TABLE t3 (id INTEGER);'
	dbm "$1/db" 002_t4.sql 'CREATE TABLE t4 (id INTEGER);' 'INSERT INTO nope VALUES (1);'
	dbm "$1/db" 003_t5.sql 'CREATE TABLE t5 (id INTEGER);'
}

# ---- all or nothing ----------------------------------------------------------
five a
sr a apply --single-transaction
check "4th of 5 fails: exit 1" rc_is 1
check "… the error: file:line, and the 3 before it rolled back too" err_is \
	"strata: error: db/002_t4.sql:3:$NOPE_COL: $NOPE; rolled back with the 3 migrations before it in its transaction (py:a1 .. app:001): none of them is applied or recorded"
check "… no table of 1-3 (nor of 4)" eq "$(has_table a t1 t2 t3 t4 t5)" 0
check "… strata_ledger: no row, the failed one included" eq "$(count a strata_ledger)" 0
check "… dbmate's schema_migrations: no row" eq "$(count a schema_migrations)" 0
check "… alembic_version: no row" eq "$(count a alembic_version)" 0
check "… no applied line was printed" out_lacks "applied py:a1"
sr a status
check "… status: 5 pending (exit 3)" rc_is 3
sed -i '/INSERT INTO nope/d' a/db/002_t4.sql
sr a apply --single-transaction
check "fixed: exit 0" rc_is 0
check "… output: each applied, then the summary in one transaction" out_is \
	"applied py:a1 r a1" "applied py:b2 r b2" "applied app:001 t3" "applied app:002 t4" "applied app:003 t5" \
	"5 migrations applied to $(surl a) in one transaction"
check "… every table" eq "$(has_table a t1 t2 t3 t4 t5)" 5
check "… strata_ledger" eq "$(ledger a)" "app:001=applied,app:002=applied,app:003=applied,py:a1=applied,py:b2=applied"
check "… schema_migrations" eq "$(versions a)" "001,002,003"
check "… alembic_version" eq "$(q a "SELECT version_num FROM alembic_version")" b2
sr a apply --single-transaction
check "again: nothing to do, exit 0" eq "$rc|$(cat "$T/out")" "0|0 migrations applied to $(surl a)"

# ---- --json: the applied events after the commit, then one committed event ----
five j
sed -i '/INSERT INTO nope/d' j/db/002_t4.sql
sr j --json apply --single-transaction
check "--json: exit 0" rc_is 0
check "… events: 5 applied, 1 committed (count 5, no reason), the summary" eq \
	"$(grep -oE '"event": "[a-z_]+"' "$T/out" | cut -d'"' -f4 | paste -sd, -)" "applied,applied,applied,applied,applied,committed,summary"
check "… the committed event" out_has '{"event": "committed", "command": "apply", "id": "app:003", "source": "app", "version": "003", "name": "t5", "file": "db/003_t5.sql", "count": 5, "reason": null, "index": 5, "total": 5}'

# ---- split: a migration that cannot run in a transaction ------------------------
# app: 001, 002, 003 (outside a transaction), 004, 005 (fails)
NOTX_MARK=$(pick '-- migrate:up transaction:false' '-- migrate:up')
NOTX_SQL=$(pick 'CREATE TABLE t3 (id INTEGER);' 'CREATE INDEX CONCURRENTLY i3 ON t1 (id);')
NOTX_WHY=$(pick 'its source marks it to run without one: db/003_x.sql' 'CREATE INDEX CONCURRENTLY i3 ON t1 (id) at db/003_x.sql:2')
split() {
	mkdir -p "$1/db"
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: db\n    layout: dbmate\n' "$(surl "$1")" >"$1/strata.yaml"
	dbm "$1/db" 001_t1.sql 'CREATE TABLE t1 (id INTEGER);'
	dbm "$1/db" 002_t2.sql 'CREATE TABLE t2 (id INTEGER);'
	printf '%s\n%s\n\n-- migrate:down\nSELECT 1;\n' "$NOTX_MARK" "$NOTX_SQL" >"$1/db/003_x.sql"
	dbm "$1/db" 004_t4.sql 'CREATE TABLE t4 (id INTEGER);'
	dbm "$1/db" 005_t5.sql 'CREATE TABLE t5 (id INTEGER);' 'INSERT INTO nope VALUES (1);'
}
split s
sr s apply --single-transaction
check "split, 5th fails: exit 1" rc_is 1
check "… the split said" out_has "committed 2 migrations; app:003 runs outside a transaction ($NOTX_WHY); a new transaction follows"
check "… the error: the one before it in its transaction rolled back, the 3 before the split stay" err_is \
	"strata: error: db/005_t5.sql:3:$NOPE_COL: $NOPE; rolled back with the 1 migration before it in its transaction (app:004): none of them is applied or recorded; the 3 before it up to app:003 (outside a transaction) stay applied"
check "… first batch and the split migration applied" eq "$(versions s)" "001,002,003"
check "… strata_ledger: 001-003 applied, nothing of 004-005" eq "$(ledger s)" "app:001=applied,app:002=applied,app:003=applied"
check "… tables t1, t2 (and t3 on SQLite); no t4, t5" eq "$(has_table s t1 t2 t3 t4 t5)" "$(pick 3 2)"
pg && check "… the index built concurrently" eq "$(q s "SELECT count(*) FROM pg_indexes WHERE indexname = 'i3'")" 1
sed -i '/INSERT INTO nope/d' s/db/005_t5.sql
sr s apply --single-transaction
check "… fixed: 004-005 in one transaction" eq "$rc|$(tail -1 "$T/out")" "0|2 migrations applied to $(surl s) in one transaction"
check "… schema_migrations" eq "$(versions s)" "001,002,003,004,005"
split d
sr d apply --single-transaction --dry-run
check "split, dry run: one BEGIN/COMMIT around each batch" eq "$(grep -E '^(BEGIN|COMMIT);$|^-- apply' "$T/out" | cut -d' ' -f1-3 | paste -sd, -)" \
	"BEGIN;,-- apply app:001,-- apply app:002,COMMIT;,-- apply app:003,BEGIN;,-- apply app:004,-- apply app:005,COMMIT;"
check "… nothing changed" eq "$(has_table d schema_migrations t1)" 0

# ---- strata.yaml's single_transaction -----------------------------------------
five c 'single_transaction: true\n'
sr c apply
check "config on: 4th fails, exit 1, nothing left" eq "$rc|$(count c strata_ledger)|$(has_table c t1 t2 t3)" "1|0|0"
sr c apply --no-single-transaction
check "… --no-single-transaction overrides it: each commits on its own, 1-3 stay" eq "$rc|$(ledger c)" \
	"1|app:001=applied,app:002=failed,py:a1=applied,py:b2=applied"
five o 'single_transaction: false\n'
sr o apply
check "config off: 1-3 stay applied" eq "$rc|$(versions o)|$(has_table o t1 t2 t3)" "1|001|3"
five f 'single_transaction: false\n'
sed -i '/INSERT INTO nope/d' f/db/002_t4.sql
sr f apply --single-transaction
check "config off, --single-transaction overrides it" eq "$rc|$(tail -1 "$T/out")" "0|5 migrations applied to $(surl f) in one transaction"
five b 'single_transaction: yes\n'
sr b apply
check "bad value: exit 1, file:line:col" err_is \
	"strata: error: strata.yaml:2:21: single_transaction must be true or false, not 'yes' (hint: write  single_transaction: true  or  single_transaction: false)"
check "… nothing written" eq "$(has_table b strata_ledger schema_migrations)" 0

# ---- usage ----------------------------------------------------------------------
sr a apply --single-transaction --no-single-transaction
check "both flags: usage, exit 2" eq "$rc|$(cat "$T/err")" "2|strata: --single-transaction and --no-single-transaction exclude each other (hint: see \`strata --help\`)"
sr a rollback --single-transaction
check "rollback does not take it: exit 2" rc_is 2

# ---- a dialect without transactional DDL: refused, nothing written ---------------
mkdir -p fmt
printf 'transactional_ddl:\n  sqlite: false\n  postgresql: false\n' >fmt/dialects.yaml
five r
STRATA_FORMATS_PATH=$T/fmt run -C r apply --single-transaction
check "dialect not in transactional_ddl: exit 1 with a hint" err_is \
	"strata: error: single transaction refused: $(surl r | sed -E 's/\?.*//')$(pg && surl r | grep -oE '\?.*' || true)'s dialect ($(pick sqlite postgresql)) has no transactional DDL (formats/dialects.yaml, transactional_ddl) (hint: apply with --no-single-transaction: each migration then commits on its own)"
check "… nothing written" eq "$(has_table r strata_ledger schema_migrations t1)" 0

done_testing
