#!/usr/bin/env bash
# The alembic plugin on its own (tests/interop/alembic/ holds the runs against
# the real Alembic): the revision graph and its errors, alembic_version kept by
# Alembic's rules, untranslatable bodies, the offline script, alembic.ini.
. "$(dirname "$0")/lib.sh"

# rev DIR ID DOWN UP_BODY DOWN_BODY [BRANCH_LABELS] [DEPENDS_ON]: a revision file
# in Alembic 1.8's template.  DOWN/labels/depends are Python literals.
rev() {
	local dir=$1 id=$2 down=$3 up=$4 dn=$5 labels=${6:-None} deps=${7:-None}
	mkdir -p "$dir"
	cat >"$dir/${id}_r.py" <<PY
"""revision $id

Revision ID: $id
Revises: 
Create Date: 2026-11-21 08:46:19.407874

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '$id'
down_revision = $down
branch_labels = $labels
depends_on = $deps


def upgrade():
$up


def downgrade():
$dn
PY
}
# The line of `revision = ` and of `def upgrade():` in that template.
REV_LINE=13
UP_LINE=19
table() { rev "$1" "$2" "$3" "    op.execute(\"CREATE TABLE $4 (id INTEGER PRIMARY KEY)\")" "    op.execute(\"DROP TABLE $4\")" "${5:-None}" "${6:-None}"; }
# The URL of database NAME for strata running in a project folder (-C).
surl() { if sqlite; then echo "sqlite:$T/$1.db"; else db_url "$1"; fi; }
project() {
	mkdir -p "$1"
	printf 'database: %s\nsources:\n  - name: app\n    format: alembic\n    path: versions\n%s' \
		"$(surl "$1")" "${2:-}" >"$1/strata.yaml"
}
versions() { qlist "$1" "SELECT version_num FROM alembic_version ORDER BY version_num"; }
sr() { local p=$1; shift; run -C "$p" "$@"; }

# ---- a linear history ------------------------------------------------------
project lin
table lin/versions a1 None t_a
table lin/versions b2 "'a1'" t_b
table lin/versions c3 "'b2'" t_c
sr lin ledger
check "ledger: exit 0" rc_is 0
check "ledger: down_revision order" eq "$(awk 'NR<=3{print $1}' "$T/out" | paste -sd, -)" "app:a1,app:b2,app:c3"
check "ledger: name from the docstring" out_has "revision b2"
sr lin apply
check "apply: exit 0" rc_is 0
check "apply: one row, the head" eq "$(versions lin)" "c3"
check "apply: tables" eq "$(tables lin)" "alembic_version,t_a,t_b,t_c"
sr lin status
check "status: up to date" rc_is 0
sr lin rollback --to app:a1
check "rollback --to: exit 0" rc_is 0
check "rollback --to: row moved back" eq "$(versions lin)" "a1"
check "rollback --to: tables dropped" eq "$(tables lin)" "alembic_version,t_a"
sr lin rollback
check "rollback to base: exit 0" rc_is 0
check "rollback to base: table kept, no rows" eq "$(has_table lin alembic_version):$(versions lin)" "1:"
if sqlite; then
	check "alembic_version DDL as Alembic sends it" eq "$(q lin "SELECT sql FROM sqlite_master WHERE name='alembic_version'")" \
		"$(printf 'CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)')"
else
	check "alembic_version: varchar(32) NOT NULL, pk alembic_version_pkc" eq \
		"$(q lin "SELECT format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' || c.conname FROM pg_attribute a JOIN pg_constraint c ON c.conrelid = a.attrelid WHERE a.attrelid = 'alembic_version'::regclass AND a.attname = 'version_num'")" \
		"character varying(32) true alembic_version_pkc"
fi

# ---- a graph: A-B-C, C branches into D1 and D2, M merges them; R1 is a
# labelled root 'reporting', R2 follows R1 and depends on B. ------------------
mkgraph() {
	project "$1"
	table "$1/versions" aa None t_a
	table "$1/versions" bb "'aa'" t_b
	table "$1/versions" cc "'bb'" t_c
	table "$1/versions" d1 "'cc'" t_d1
	table "$1/versions" d2 "'cc'" t_d2
	rev "$1/versions" mm "('d1', 'd2')" "    pass" "    pass"
	table "$1/versions" r1 None t_r1 "('reporting',)"
	table "$1/versions" r2 "'r1'" t_r2 None "'bb'"
}
mkgraph g
sr g apply
check "graph apply: exit 0" rc_is 0
check "graph apply: one row per head" eq "$(versions g)" "mm,r2"
check "graph apply: every table" eq "$(tables g)" "alembic_version,t_a,t_b,t_c,t_d1,t_d2,t_r1,t_r2"
sr g status
check "graph status: up to date" rc_is 0
sr g rollback --to app:d1
check "rollback --to D1: exit 0" rc_is 0
check "rollback --to D1: only its descendant (the merge) undone, both parents' rows back" eq "$(versions g)" "d1,d2,r2"
sr g rollback --to app:r1
check "rollback --to R1: R2 undone; B stays absorbed below D1/D2" eq "$(versions g)" "d1,d2,r1"
check "rollback --to R1: t_r2 dropped" eq "$(has_table g t_r2 t_r1)" "1"
sr g apply
check "re-apply: heads again" eq "$(versions g)" "mm,r2"
sr g rollback
check "rollback by steps from two heads: exit 1" rc_is 1
check "rollback by steps from two heads: the heads named, a merge suggested" err_is "strata: error: Multiple head revisions are present in source 'app' (mm, r2): a rollback by steps is ambiguous (hint: name the target with --to ID, or merge the heads (alembic merge -m merge mm r2))"
check "rollback by steps from two heads: nothing changed" eq "$(versions g)" "mm,r2"

mkgraph rb
sr rb apply
sr rb rollback --to app:bb
check "rollback --to B: exit 0" rc_is 0
check "rollback --to B: what descends from B undone; R2 (depends_on B) stays" eq "$(tables rb)" "alembic_version,t_a,t_b,t_r1,t_r2"
check "rollback --to B: B absorbed by R2, as alembic downgrade leaves it" eq "$(versions rb)" "r2"

mkgraph dep
sr dep apply --to app:r2
check "apply --to R2: its ancestors and dependencies only" eq "$(tables dep)" "alembic_version,t_a,t_b,t_r1,t_r2"
check "apply --to R2: B's row absorbed by R2 (depends_on)" eq "$(versions dep)" "r2"
sr dep status
check "a sibling branch pending is not out of order: exit 3" rc_is 3
check "status names no out-of-order" out_lacks "out of order"
sr dep apply --to app:d1
check "second branch: the branch point's row moves" eq "$(versions dep)" "d1,r2"
sr dep apply --to app:d2
check "another branch from C: a second row" eq "$(versions dep)" "d1,d2,r2"

mkgraph st
sr st baseline --to app:cc
check "baseline --to C (= alembic stamp C): exit 0" rc_is 0
check "baseline --to C: one row" eq "$(versions st)" "cc"
check "baseline --to C: nothing run" eq "$(tables st)" "alembic_version"
sr st baseline
check "baseline (= alembic stamp heads): the heads" eq "$(versions st)" "mm,r2"

# ---- alembic_version written by someone else -----------------------------
mkgraph ext
q ext "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
q ext "INSERT INTO alembic_version VALUES ('cc')"
sr ext status
check "rows from Alembic: ancestors applied, rest pending (exit 3)" rc_is 3
check "C applied (native)" grep -qE '^app:cc +applied .*native tracker' "$T/out"
check "A applied (ancestor of the row)" grep -qE '^app:aa +applied' "$T/out"
check "D1 pending" grep -qE '^app:d1 +pending' "$T/out"
sr ext apply
check "apply after Alembic: exit 0" rc_is 0
check "apply after Alembic: only the rest ran" eq "$(versions ext)" "mm,r2"
q ext "INSERT INTO alembic_version VALUES ('ffffffffffff')"
sr ext status
check "unknown row: exit 4" rc_is 4
check "unknown row: named as Alembic names it" err_is "strata: error: alembic_version of source 'app': Can't locate revision identified by 'ffffffffffff' (hint: restore the revision file, or correct the row (alembic stamp))"

# ---- op.* translated for the target's dialect ------------------------------
project ops
rev ops/versions o1 None "    op.create_table('tt', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('at', sa.DateTime(), server_default=sa.func.now()))" "    op.drop_table('tt')"
sr ops apply --dry-run
check "op.* dry-run: exit 0" rc_is 0
check "op.* dry-run: the SQL Alembic emits for this dialect" out_has "$(pick "    id INTEGER NOT NULL, " "    id SERIAL NOT NULL, ")"
check "op.* dry-run: func.now() per dialect" out_has "$(pick "    at DATETIME DEFAULT (CURRENT_TIMESTAMP), " "    at TIMESTAMP WITHOUT TIME ZONE DEFAULT now(), ")"
sr ops ledger --json
c_ledger=$(grep -o '"checksum": "[0-9a-f]*"' "$T/out")
sr ops apply
check "op.* apply: exit 0" rc_is 0
check "op.* apply: table created" eq "$(tables ops)" "alembic_version,tt"
sr ops status --json
check "ledger and status agree on the checksum (same dialect)" eq "$(grep -o '"checksum": "[0-9a-f]*"' "$T/out")" "$c_ledger"

if sqlite; then
	project batch
	rev batch/versions b1 None "    op.create_table('bt', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('n', sa.Integer()))" "    op.drop_table('bt')"
	rev batch/versions b2 "'b1'" "$(printf "    with op.batch_alter_table('bt', schema=None) as batch_op:\n        batch_op.alter_column('n', existing_type=sa.Integer(), nullable=False)")" "    pass"
	sr batch apply
	check "batch on SQLite without copy_from: exit 1" rc_is 1
	check "batch on SQLite without copy_from: the reason and the copy_from hint" err_is "strata: error: versions/b2_r.py:$((UP_LINE + 1)): app:b2: upgrade() cannot be translated to SQL: batch_alter_table on SQLite without copy_from (the table's definition is only known from the live database) (hint: give batch_alter_table(..., copy_from=sa.Table(...)) the table as it is before the batch (Alembic's --sql needs it too); or, if the database already has it, \`strata baseline --to app:b2\`)"
	check "batch on SQLite without copy_from: b1 applied" eq "$(versions batch)" "b1"
fi

# ---- graph errors ----------------------------------------------------------
project dup
table dup/versions x1 None t1
cp dup/versions/x1_r.py dup/versions/x1_copy.py
sr dup ledger
check "duplicate revision: exit 1" rc_is 1
check "duplicate revision: both files named" err_is "strata: error: versions/x1_r.py:$REV_LINE: revision x1 is also defined in x1_copy.py (hint: give one of them a new id (alembic revision generates one))"

project nodown
table nodown/versions b2 "'zz'" t1
sr nodown ledger
check "unknown down_revision: exit 1" rc_is 1
check "unknown down_revision: Alembic's words, file:line" err_is "strata: error: versions/b2_r.py:14: Revision zz referenced from zz -> b2 is not present (hint: fix down_revision, or restore the missing revision file)"

project cyc
table cyc/versions c1 "'c2'" t1
table cyc/versions c2 "'c1'" t2
sr cyc ledger
check "cycle: exit 1" rc_is 1
check "cycle: named" err_has "part of a cycle"

project nodep
table nodep/versions n1 None t1 None "'nosuch'"
sr nodep ledger
check "unknown depends_on: exit 1" rc_is 1
check "unknown depends_on: named" err_is "strata: error: versions/n1_r.py:16: Can't locate revision identified by 'nosuch' (depends_on of n1) (hint: fix depends_on)"

project syn
table syn/versions s1 None t1
printf 'x = (\n' >>syn/versions/s1_r.py
sr syn ledger
check "unbalanced bracket: exit 1" rc_is 1
check "unbalanced bracket: file and line" err_has "strata: error: versions/s1_r.py:"

project norev
mkdir -p norev/versions && printf 'import os\n' >norev/versions/helper.py
sr norev ledger
check "a .py without revision: exit 1" rc_is 1
check "a .py without revision: named" err_is "strata: error: versions/helper.py:1: no revision id in this file (hint: declare  revision = '<id>'  at module level, as Alembic's template does)"

# ---- typed template (Alembic >= 1.11) ---------------------------------------
project typed
mkdir -p typed/versions
cat >typed/versions/t1_typed.py <<'PY'
"""typed one

Revision ID: t1
Revises:
Create Date: 2026-11-21 08:46:19.407874

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "t1"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("CREATE TABLE typed_t (id INTEGER PRIMARY KEY)")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP TABLE typed_t")
PY
table typed/versions t2 "'t1'" typed_u
sr typed apply
check "typed template: exit 0" rc_is 0
check "typed template: rows" eq "$(versions typed)" "t2"
check "typed template: tables" eq "$(tables typed)" "alembic_version,typed_t,typed_u"

# ---- untranslatable bodies, the offline script, baseline past it -----------
project unt
table unt/versions u1 None t_u1
rev unt/versions u2 "'u1'" "$(printf '    for t in [\"x\", \"y\"]:\n        op.execute(\"CREATE TABLE \" + t + \" (id INTEGER)\")')" "    pass"
table unt/versions u3 "'u2'" t_u3
sr unt ledger
check "untranslatable: still in the ledger" rc_is 0
check "untranslatable: marked" grep -qE '^app:u2 .*\(untranslatable\)' "$T/out"
sr unt apply
check "untranslatable: apply exit 1" rc_is 1
check "untranslatable: file:line, the construct and the ways forward" err_has "strata: error: versions/u2_r.py:$((UP_LINE + 1)): app:u2: upgrade() cannot be translated to SQL: "
check "untranslatable: hint names the offline script and baseline" err_has "alembic upgrade u1:u2 --sql > FILE"
check "untranslatable: revisions before it applied" eq "$(versions unt)" "u1"
check "untranslatable: nothing after it" eq "$(tables unt)" "alembic_version,t_u1"
cat >unt/offline.sql <<'SQL'
-- Running upgrade u1 -> u2

CREATE TABLE x (id INTEGER);

CREATE TABLE y (id INTEGER);

UPDATE alembic_version SET version_num='u2' WHERE alembic_version.version_num = 'u1';

SQL
project unt "    offline_sql: ../offline.sql
"
sr unt apply
check "offline script: apply exit 0" rc_is 0
check "offline script: its block ran as u2" eq "$(tables unt)" "alembic_version,t_u1,t_u3,x,y"
check "offline script: rows" eq "$(versions unt)" "u3"

project unt2
cp unt/versions/*.py unt2/ 2>/dev/null || true
mkdir -p unt2/versions && cp unt/versions/*.py unt2/versions/
sr unt2 apply
check "second project stops at u2" eq "$(versions unt2)" "u1"
q unt2 "CREATE TABLE x (id INTEGER)"
sr unt2 baseline --to app:u2
check "baseline past it: exit 0" rc_is 0
check "baseline past it: row" eq "$(versions unt2)" "u2"
sr unt2 apply
check "then apply goes on" eq "$(versions unt2)" "u3"

# ---- an untranslatable downgrade(): rollback refuses before running anything
project undown
table undown/versions d1 None t_d1
rev undown/versions d2 "'d1'" "    op.execute('CREATE TABLE t_d2 (id INTEGER)')" "$(printf '    for t in [\"t_d2\"]:\n        op.drop_table(t)')"
sr undown apply
check "untranslatable downgrade: apply is unaffected" eq "$(versions undown)" "d2"
sr undown rollback --to app:d1
check "untranslatable downgrade: rollback exit 1" rc_is 1
check "untranslatable downgrade: file:line, and alembic downgrade in the hint" err_has "strata: error: versions/d2_r.py:$((UP_LINE + 5)): app:d2: downgrade() cannot be translated to SQL: "
check "untranslatable downgrade: the hint names alembic downgrade" err_has "alembic downgrade d2:d1 --sql > FILE"
check "untranslatable downgrade: nothing rolled back" eq "$(versions undown):$(tables undown)" "d2:alembic_version,t_d1,t_d2"

# ---- alembic.ini: path is the project ----------------------------------------
mkdir -p ini
printf 'database: %s\nsources:\n  - name: app\n    format: alembic\n    path: .\n' "$(surl ini)" >ini/strata.yaml
printf '[alembic]\nscript_location = %%(here)s/migrations\n\n[loggers]\nkeys = root\n' >ini/alembic.ini
table ini/migrations/versions i1 None t_i1
sr ini apply
check "alembic.ini script_location with %(here)s: exit 0" rc_is 0
check "alembic.ini: revisions read from <script_location>/versions" eq "$(versions ini)" "i1"
printf '[alembic]\nscript_location = migrations\nversion_locations = %%(here)s/migrations/versions:%%(here)s/more\nversion_path_separator = os\n' >ini/alembic.ini
table ini/more j1 "'i1'" t_j1
sr ini apply
check "version_locations split by os.pathsep: both folders" eq "$(versions ini)" "j1"
printf '[alembic]\nscript_location = migrations\nversion_locations = %%(here)s/migrations/versions:%%(here)s/more\nversion_path_separator = os  # Use os.pathsep.\n' >ini/alembic.ini
sr ini ledger
check "inline comment kept as configparser keeps it: exit 1" rc_is 1
check "inline comment: Alembic's error, file:line" err_is "strata: error: ./alembic.ini:4:1: 'os  # Use os.pathsep.' is not a valid value for version_path_separator; expected 'space', 'os', ':', ';' (hint: configparser keeps inline comments: move the comment to its own line)"

# ---- strata init finds the versions folder ---------------------------------------
mkdir -p found && cp -r lin/versions found/
(cd found && "$STRATA" init >/dev/null 2>&1) || true
check "init: the versions folder as an alembic source" grep -q "format: alembic" found/strata.yaml

done_testing
