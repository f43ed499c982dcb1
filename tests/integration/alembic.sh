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
check "unknown row: named as Alembic names it" err_is "strata: error: alembic_version of source 'app': Can't locate revision identified by 'ffffffffffff' (hint: restore the revision file, or correct the row (alembic stamp); if another Alembic tree shares this table, give each source its own version_table)"

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
# One id in two files: Alembic 1.8.1 warns "Revision x1 is present more than
# once" and keeps the file it loads last, in os.listdir() (readdir) order.
project dup
table dup/versions x1 None t_first
table dup/versions y2 "'x1'" t_y2
# The copy gets a name that the directory lists (ls -U: readdir's order,
# which os.listdir returns) on the other side of x1_r.py than the name order
# puts it, so that the test tells the two rules apart.
for k in $(seq 1 40); do
	dup_copy=x1_copy$k.py
	sed 's/t_first/t_second/g' dup/versions/x1_r.py >"dup/versions/$dup_copy"
	dup_files=$(ls -U dup/versions | grep -xE "x1_r\.py|$dup_copy")
	[ "$(tail -1 <<<"$dup_files")" != "$(LC_ALL=C sort <<<"$dup_files" | tail -1)" ] && break
	rm "dup/versions/$dup_copy"
done
dup_win=$(tail -1 <<<"$dup_files")
dup_lose=$(head -1 <<<"$dup_files")
dup_table=$( [ "$dup_win" = "$dup_copy" ] && echo t_second || echo t_first)
dup_other=$( [ "$dup_win" = "$dup_copy" ] && echo t_first || echo t_second)
check "duplicate revision: a copy named against the name order (listed: $(paste -sd, <<<"$dup_files"))" test -e "dup/versions/$dup_copy"
sr dup ledger
check "duplicate revision: a warning, as Alembic's, not an error (exit 0)" rc_is 0
check "duplicate revision: the warning names both files" err_is "strata: warning: versions/$dup_lose:$REV_LINE: Revision x1 is present more than once (also in $dup_win, which Alembic loads later and uses); this file is ignored (Alembic still counts it as a head: its \`upgrade heads\` fails until one of the two is renamed)"
check "duplicate revision: one migration for the id, its child after it" eq "$(awk '{print $1}' "$T/out" | head -2 | paste -sd, -)" "app:x1,app:y2"
sr dup apply
check "duplicate revision: apply exits 0" rc_is 0
check "duplicate revision: the file loaded last ran ($dup_win)" eq "$(has_table dup "$dup_table" t_y2)" 2
check "duplicate revision: the ignored file did not run" eq "$(has_table dup "$dup_other")" 0
check "duplicate revision: alembic_version at the child" eq "$(versions dup)" "y2"
rm dup/versions/y2_r.py
sr dup ledger
check "duplicate revision without a child: the plain warning" err_is "strata: warning: versions/$dup_lose:$REV_LINE: Revision x1 is present more than once (also in $dup_win, which Alembic loads later and uses); this file is ignored"

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
rev unt/versions u2 "'u1'" "$(printf '    for t in sorted([\"x\", \"y\"]):\n        op.execute(\"CREATE TABLE \" + t + \" (id INTEGER)\")')" "    pass"
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
rev undown/versions d2 "'d1'" "    op.execute('CREATE TABLE t_d2 (id INTEGER)')" "$(printf '    for t in sorted([\"t_d2\"]):\n        op.drop_table(t)')"
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

# ---- two trees in one database: a version table each -------------------------
# envpy DIR ONLINE_ARGS OFFLINE_ARGS: an env.py in the shape Alembic's template
# gives it (offline configure(url=...) first, online configure(connection=...)).
envpy() {
	cat >"$1/env.py" <<PY
from alembic import context

config = context.config


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        literal_binds=True,${3:+
        $3,}
    )


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section))
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=None${2:+,
            $2}
        )
        with context.begin_transaction():
            context.run_migrations()
PY
}
vt_rows() { qlist "$1" "SELECT version_num FROM $2 ORDER BY version_num"; }
twotrees() {
	rm -rf "$1" && mkdir -p "$1"
	table "$1/main/versions" m1 None t_m1
	table "$1/main/versions" m2 "'m1'" t_m2
	table "$1/tenants/versions" t1 None t_t1
}
WARN_TAIL="(Alembic must use this table too: pass the same version_table to context.configure() in this tree's env.py)"

twotrees two
sr two init
check "two trees, no names: init exits 0" rc_is 0
check "two trees: init warns that the later tree would share alembic_version" err_is "strata: warning: tenants/versions: source 'tenants' would share alembic_version with source 'main': wrote version_table: alembic_version_tenants $WARN_TAIL"
check "two trees: init writes the later tree's own table, with the note" eq "$(sed -n '/- name: tenants/,$p' two/strata.yaml)" "$(cat <<'YAML'
  - name: tenants
    format: alembic
    path: tenants/versions
    # strata init: alembic_version is source 'main''s table; this source gets its own.
    # Alembic must use this table too: pass the same version_table to context.configure() in this tree's env.py
    version_table: alembic_version_tenants
YAML
)"
check "two trees: the first keeps alembic_version (no key)" eq "$(sed -n '/- name: main/,/- name: tenants/p' two/strata.yaml | grep -c version_table)" 0
sr two --db "$(surl two)" apply
check "two trees: apply exits 0" rc_is 0
check "two trees: alembic_version holds the main tree's head" eq "$(versions two)" "m2"
check "two trees: alembic_version_tenants holds the tenants tree's head" eq "$(vt_rows two alembic_version_tenants)" "t1"
sr two --db "$(surl two)" status
check "two trees: status after the writes exits 0 (no 'Can't locate revision')" rc_is 0
check "two trees: status counts every revision applied" out_has "3 migrations: 3 applied"
table two/tenants/versions t2 "'t1'" t_t2
sr two --db "$(surl two)" apply
check "two trees: the next tenants revision moves only its own row" eq "$(versions two):$(vt_rows two alembic_version_tenants)" "m2:t2"
sr two --db "$(surl two)" rollback --to tenants:t1
check "two trees: rollback in one tree leaves the other's table" eq "$(versions two):$(vt_rows two alembic_version_tenants)" "m2:t1"

# env.py names the tenants tree's table with string literals: init keeps it.
twotrees envn
envpy envn/tenants 'version_table="tenant_version"' 'version_table="tenant_version"'
sr envn init
check "env.py names a table: init exits 0 without a warning" eq "$rc:$(cat "$T/err")" "0:"
check "env.py names a table: init writes it for that tree" eq "$(grep -A3 -- '- name: tenants' envn/strata.yaml | tail -1)" "    version_table: tenant_version"
sr envn --db "$(surl envn)" apply
check "env.py names a table: its rows go there" eq "$(versions envn):$(vt_rows envn tenant_version)" "m2:t1"
# Without the key in strata.yaml, the env.py literal is read at run time.
sed -i '/version_table: tenant_version/d' envn/strata.yaml
table envn/tenants/versions t2 "'t1'" t_t2
sr envn --db "$(surl envn)" apply
check "env.py literal read at run time (no key in strata.yaml)" eq "$(versions envn):$(vt_rows envn tenant_version)" "m2:t2"

# Both env.py files name one table: the later tree gets its own.
twotrees same
envpy same/main 'version_table="shared_version"'
envpy same/tenants 'version_table="shared_version"'
sr same init
check "both env.py name one table: init warns about the later tree" err_is "strata: warning: tenants/versions: source 'tenants' would share shared_version with source 'main': wrote version_table: shared_version_tenants $WARN_TAIL"
check "both env.py name one table: the first keeps it" eq "$(grep -A3 -- '- name: main' same/strata.yaml | tail -1)" "    version_table: shared_version"

# A name env.py gives is kept before a default: here the earlier tree only
# defaults to alembic_version, the later one names it, so the earlier one moves.
twotrees expl
envpy expl/tenants 'version_table="alembic_version"'
sr expl init
check "env.py names the default table: the tree that only defaults to it gets its own" err_is "strata: warning: main/versions: source 'main' would share alembic_version with source 'tenants': wrote version_table: alembic_version_main $WARN_TAIL"
check "… and the naming tree keeps it" eq "$(grep -A3 -- '- name: tenants' expl/strata.yaml | tail -1)" "    version_table: alembic_version"

# Not a string literal: the default, with a -v note naming env.py:line.
twotrees nonlit
envpy nonlit/tenants 'version_table=TENANT_TABLE'
printf 'database: %s\nsources:\n  - name: tenants\n    format: alembic\n    path: tenants/versions\n' "$(surl nonlit)" >nonlit/strata.yaml
nonlit_line=$(grep -n 'version_table=TENANT_TABLE' nonlit/tenants/env.py | cut -d: -f1)
sr nonlit -v ledger
check "non-literal version_table: ledger exits 0" rc_is 0
check "non-literal version_table: a -v note names env.py:line" err_has "strata: $T/nonlit/tenants/env.py:$nonlit_line: version_table of context.configure() is not a string literal, which strata does not evaluate; it uses alembic_version"
sr nonlit apply
check "non-literal version_table: alembic_version is used" eq "$(versions nonlit)" "t1"
sr nonlit ledger
check "non-literal version_table: no note without -v" eq "$(cat "$T/err")" ""

# strata.yaml's option beats env.py; identifiers quoted as SQLAlchemy quotes them.
twotrees opt
envpy opt/tenants 'version_table="tenant_version"'
printf 'database: %s\nsources:\n  - name: tenants\n    format: alembic\n    path: tenants/versions\n    version_table: TenantVersion\n' "$(surl opt)" >opt/strata.yaml
sr opt apply
check "version_table option: apply exits 0" rc_is 0
check "version_table option beats env.py; a capitalised name is quoted (case kept)" eq "$(has_table opt TenantVersion tenant_version alembic_version)" 1
check "version_table option: the row is there" eq "$(vt_rows opt '"TenantVersion"')" "t1"
if sqlite; then
	check "version_table option: Alembic's DDL with the table's names" eq "$(q opt "SELECT sql FROM sqlite_master WHERE name='TenantVersion'")" \
		"$(printf 'CREATE TABLE "TenantVersion" (\n\tversion_num VARCHAR(32) NOT NULL, \n\tCONSTRAINT "TenantVersion_pkc" PRIMARY KEY (version_num)\n)')"
else
	check "version_table option: primary key TenantVersion_pkc" eq "$(q opt "SELECT conname FROM pg_constraint WHERE conrelid = '\"TenantVersion\"'::regclass")" "TenantVersion_pkc"
	# version_table_schema: the table in that schema, qualified in every statement.
	twotrees sch
	q sch 'CREATE SCHEMA tenant'
	printf 'database: %s\nsources:\n  - name: tenants\n    format: alembic\n    path: tenants/versions\n    version_table_schema: tenant\n' "$(surl sch)" >sch/strata.yaml
	sr sch apply
	check "version_table_schema: apply exits 0" rc_is 0
	check "version_table_schema: the table is in that schema only" eq "$(q sch "SELECT schemaname || '.' || tablename FROM pg_tables WHERE tablename = 'alembic_version'")" "tenant.alembic_version"
	check "version_table_schema: its row" eq "$(vt_rows sch tenant.alembic_version)" "t1"
	# A row Alembic wrote there is read from there.
	table sch/tenants/versions t2 "'t1'" t_t2
	q sch "UPDATE tenant.alembic_version SET version_num = 't2'"
	sr sch status
	check "version_table_schema: status reads the schema's table (t2 applied by the tool)" grep -qE '^tenants:t2 +applied .*native tracker' "$T/out"
fi

# The new keys are the format's options; anything else is still refused.
printf 'database: %s\nsources:\n  - name: tenants\n    format: alembic\n    path: tenants/versions\n    version_tabel: x\n' "$(surl opt)" >opt/strata.yaml
sr opt ledger
check "unknown key: exit 1" rc_is 1
check "unknown key: the known keys listed" err_is "strata: error: strata.yaml:6: unknown key 'version_tabel' for format 'alembic' (source 'tenants') (hint: known keys: name, format, path, tracker, dialect, retired, offline_sql, recursive, version_table, version_table_schema, assume, types, arguments)"
printf 'database: %s\nsources:\n  - name: tenants\n    format: alembic\n    path: tenants/versions\n    version_table: ""\n' "$(surl opt)" >opt/strata.yaml
sr opt ledger
check "empty version_table: exit 1" rc_is 1
check "empty version_table: config file:line" err_is "strata: error: strata.yaml:3: source 'tenants': version_table is empty (hint: name the table, or remove the key for alembic_version)"
# arguments: (what env.py passes to upgrade()): a value strata does not know, a key that is no name.
printf 'database: %s\nsources:\n  - name: tenants\n    format: alembic\n    path: tenants/versions\n    arguments: {tables: tables, tester: nope}\n' "$(surl opt)" >opt/strata.yaml
sr opt ledger
check "arguments: unknown value: exit 1" rc_is 1
check "arguments: unknown value: config file:line" err_is "strata: error: strata.yaml:3: source 'tenants': arguments: tester: 'nope' is not what strata knows env.py to pass (noop: an object whose calls do nothing; tables: a MetaData's tables) (hint: give each parameter env.py passes to upgrade(), as in  arguments: {tester: noop, tables: tables})"
printf 'database: %s\nsources:\n  - name: tenants\n    format: alembic\n    path: tenants/versions\n    arguments: {"a.b": noop}\n' "$(surl opt)" >opt/strata.yaml
sr opt ledger
check "arguments: a key that is no name: exit 1" rc_is 1
check "arguments: a key that is no name: config file:line" err_is "strata: error: strata.yaml:3: source 'tenants': arguments: 'a.b' is not a parameter name (write the name of upgrade()'s parameter, as in  arguments: {tester: noop}) (hint: give each parameter env.py passes to upgrade(), as in  arguments: {tester: noop, tables: tables})"
printf 'database: %s\nsources:\n  - name: tenants\n    format: alembic\n    path: tenants/versions\n    arguments: {tables: tables, tester: noop}\n' "$(surl opt)" >opt/strata.yaml
sr opt ledger
check "arguments: noop and tables: ledger exits 0" rc_is 0

# ---- strata init finds the versions folder ---------------------------------------
mkdir -p found && cp -r lin/versions found/
(cd found && "$STRATA" init >/dev/null 2>&1) || true
check "init: the versions folder as an alembic source" grep -q "format: alembic" found/strata.yaml

done_testing
