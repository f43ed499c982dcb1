#!/usr/bin/env bash
# strata convert --to FORMAT[:LAYOUT] --out DIR: the history written in every
# layout that can be written, from every other, read back by strata with the
# same migrations in the same order and the same up text (checksums), the
# down scripts run by rollback; what a format cannot hold listed (exit 4);
# bad --to and a non-empty --out refused with one line (exit 1).
. "$(dirname "$0")/lib.sh"

TARGETS="prisma sqlpair:dbmate sqlpair:diesel sqlpair:flyway sqlpair:golang-migrate sqlpair:node-pg-migrate sqlpair:sectioned sqlpair:sql-rollback sqlpair:knex sqlpair:sequelize sqlpair:typeorm"

# conf DIR TARGET DB: a strata.yaml in DIR reading DIR/m in TARGET's format.
conf() {
	local fmt=${2%%:*} layout=
	[ "$fmt" != "$2" ] && layout="    layout: ${2#*:}"
	printf 'database: %s\nsources:\n  - name: app\n    format: %s\n    path: m\n%s\n' \
		"$(db_url "$3")" "$fmt" "$layout" >"$1/strata.yaml"
}
# sums DIR: the checksums of DIR's ledger, in order, on one line.
sums() { "$STRATA" -C "$1" ledger --json | grep -o '"checksum": "[0-9a-f]*"' | cut -d'"' -f4 | paste -sd, -; }
names() { "$STRATA" -C "$1" ledger --json | grep -o '"name": "[^"]*"' | cut -d'"' -f4 | paste -sd, -; }
downs() { "$STRATA" -C "$1" ledger | grep -c 'no down' || true; }

# ---- the source: golang-migrate, three migrations, the first without a down ----
mkdir -p src/m
conf src sqlpair:golang-migrate src
printf 'CREATE TABLE base (id INTEGER PRIMARY KEY);\n' >src/m/1_base.up.sql
printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, base_id INTEGER REFERENCES base (id));\n-- a comment; with a semicolon\nCREATE INDEX a_base ON a (base_id);\n' >src/m/2_create_a.up.sql
printf 'DROP TABLE a;\n' >src/m/2_create_a.down.sql
printf "CREATE TABLE b (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'x;y');\n" >src/m/3_b.up.sql
printf 'DROP TABLE b;\n' >src/m/3_b.down.sql
SUMS=$(sums src)
check "the source reads: 3 checksums" eq "$(echo "$SUMS" | tr , '\n' | grep -c .)" 3

# ---- golang-migrate → every layout, read back, applied, rolled back ----
i=0
for t in $TARGETS; do
	i=$((i + 1))
	d=to$i
	mkdir "$d"
	run -C src convert --to "$t" --out "../$d/m"
	check "convert --to $t: exit 0" rc_is 0
	check "convert --to $t: the summary line" out_has "wrote 3 of 3 migrations to ../$d/m ($t, $(pick sqlite postgresql))"
	conf "$d" "$t" "db$i"
	check "$t: read back, same checksums in the same order" eq "$(sums "$d")" "$SUMS"
	check "$t: names kept" eq "$(names "$d")" "base,create_a,b"
	# dbmate: a down section always (it requires one), empty where there was no down
	check "$t: one migration without a down" eq "$(downs "$d")" "$([ "$t" = sqlpair:dbmate ] && echo 0 || echo 1)"
	run -C "$d" apply
	check "$t: applies" rc_is 0
	check "$t: the tables" eq "$(cd "$d" && tables "db$i" | tr , '\n' | grep -E '^(a|b|base)$' | paste -sd, -)" "a,b,base"
	run -C "$d" rollback --steps 2
	check "$t: the down scripts run" rc_is 0
	check "$t: rolled back to base" eq "$(cd "$d" && tables "db$i" | tr , '\n' | grep -E '^(a|b|base)$' | paste -sd, -)" "base"
done

# ---- every layout → every other: same checksums again ----
i=0
for s in $TARGETS; do
	i=$((i + 1))
	j=0
	for t in $TARGETS; do
		j=$((j + 1))
		[ "$s" = "$t" ] && continue
		d=x${i}_$j
		mkdir "$d"
		run -C "to$i" convert --to "$t" --out "../$d/m"
		conf "$d" "$t" "db$i"
		if [ "$rc" -ne 0 ] || [ "$(sums "$d")" != "$SUMS" ]; then
			not_ok "$s → $t: read back with the same checksums"
			sed 's/^/# /' "$T/err"
		else
			ok "$s → $t: read back with the same checksums"
		fi
	done
done

# ---- Alembic: revision files, op.execute() per statement (the driver's cut) ----
mkdir al1
run -C src convert --to alembic --out ../al1/m
check "convert --to alembic: exit 0" rc_is 0
conf al1 alembic al1
check "alembic: read back, three revisions in order" eq "$(names al1)" "base,create_a,b"
h12() { printf %s "$1" | sha256sum | cut -c1-12; }
check "alembic: revision ids from the source ids' SHA-256" eq "$(cd al1/m && ls | paste -sd, -)" \
	"$(printf '%s\n' "$(h12 1)_base.py" "$(h12 2)_create_a.py" "$(h12 3)_b.py" | LC_ALL=C sort | paste -sd, -)"
check "alembic: the parent chain" grep -qx "down_revision = '$(h12 1)'" "al1/m/$(h12 2)_create_a.py"
check "alembic: a statement per op.execute(), its comment kept" grep -qxF \
	'    op.execute("-- a comment; with a semicolon\nCREATE INDEX a_base ON a (base_id)")' al1/m/$(h12 2)_create_a.py
check "alembic: a ';' inside a quote is no cut" grep -qF "note TEXT DEFAULT 'x;y')\")" "al1/m/$(h12 3)_b.py"
run -C al1 apply
check "alembic: applies" rc_is 0
check "alembic: the tables" eq "$(cd al1 && tables al1 | tr , '\n' | grep -E '^(a|b|base)$' | paste -sd, -)" "a,b,base"
run -C al1 rollback --steps 2
check "alembic: the downs run" rc_is 0
check "alembic: rolled back to base" eq "$(cd al1 && tables al1 | tr , '\n' | grep -E '^(a|b|base)$' | paste -sd, -)" "base"
ALSUMS=$(sums al1)
mkdir al2
run -C al1 convert --to sqlpair:dbmate --out ../al2/m
conf al2 sqlpair:dbmate al2
check "alembic → dbmate: the checksums of Alembic's text" eq "$(sums al2)" "$ALSUMS"

# the dialect's own cut: a trigger's BEGIN … END (SQLite), a dollar-quoted body (PostgreSQL)
mkdir -p tr/m
conf tr sqlpair:golang-migrate tr
printf 'CREATE TABLE log (n INTEGER);\nCREATE TABLE t (id INTEGER);\n' >tr/m/1_t.up.sql
if sqlite; then
	printf 'CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO log VALUES (1); INSERT INTO log VALUES (2); END;\nINSERT INTO t VALUES (1);\n' >tr/m/2_trig.up.sql
else
	printf 'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO log VALUES (1); INSERT INTO log VALUES (2); RETURN NEW; END; $$;\nCREATE TRIGGER t_ins AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nINSERT INTO t VALUES (1);\n' >tr/m/2_trig.up.sql
fi
run -C tr convert --to alembic --out ../tr-a/m
check "a trigger body → Alembic: exit 0" rc_is 0
check "one op.execute() per statement" eq "$(grep -c 'op.execute(' tr-a/m/*_trig.py)" "$(pick 2 3)"
conf tr-a alembic tra
run -C tr-a apply
check "the converted trigger runs" rc_is 0
check "its two inserts" eq "$(cd tr-a && q tra 'SELECT count(*) FROM log')" 2

# ---- file names: the ids each format gets ----
check "prisma: timestamp folders from 2020-01-01 + index, lock file" eq \
	"$(cd to1/m && ls | paste -sd, -)" "20200101000000_base,20200101000001_create_a,20200101000002_b,migration_lock.toml"
check "prisma: migration_lock.toml names the dialect" \
	grep -qx "provider = \"$(pick sqlite postgresql)\"" to1/m/migration_lock.toml
check "prisma: down.sql beside migration.sql" eq "$(cat to1/m/20200101000001_create_a/down.sql)" "DROP TABLE a;"
check "dbmate: a prisma timestamp is kept" eq "$(ls x1_2/m | paste -sd, -)" \
	"20200101000000_base.sql,20200101000001_create_a.sql,20200101000002_b.sql"
check "dbmate: markers, an empty down section where there is no down" eq "$(cat x1_2/m/20200101000000_base.sql)" \
	"$(printf -- '-- migrate:up\nCREATE TABLE base (id INTEGER PRIMARY KEY);\n-- migrate:down')"
check "flyway: V and U files" eq "$(ls to4/m | paste -sd, -)" "U2__create_a.sql,U3__b.sql,V1__base.sql,V2__create_a.sql,V3__b.sql"
check "golang-migrate: zero-padded sequence" eq "$(ls to5/m | head -1)" "000001_base.up.sql"
check "node-pg-migrate: millisecond stamps" eq "$(ls to6/m | head -1)" "1577836800000_base.sql"
check "diesel: folders" eq "$(cd to3/m && find . -type f | sort | paste -sd, -)" \
	"./0001_base/up.sql,./0002_create_a/down.sql,./0002_create_a/up.sql,./0003_b/down.sql,./0003_b/up.sql"

# ---- --json ----
run -C src --json convert --to sqlpair:dbmate --out ../j/m
check "--json: exit 0" rc_is 0
check "--json: the summary object" eq "$(cat "$T/out")" \
	"{\"event\": \"summary\", \"command\": \"convert\", \"format\": \"sqlpair\", \"layout\": \"dbmate\", \"dialect\": \"$(pick sqlite postgresql)\", \"out\": \"../j/m\", \"migrations\": 3, \"written\": 3, \"not_converted\": 0, \"exit\": 0}"

# ---- what cannot be converted: listed, exit 4, the rest written ----
mkdir -p fw/m
conf fw sqlpair:flyway fw
printf 'CREATE TABLE t (id INTEGER);\n' >fw/m/V1__t.sql
printf 'DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id FROM t;\n' >fw/m/R__v.sql
run -C fw convert --to prisma --out ../fw-p
check "a repeatable migration into Prisma: exit 4" rc_is 4
check "the refusal, one line" out_has "app:R__v: not converted (migration): Prisma has no repeatable migrations (hint: apply it with its own tool, or fold it into a migration)"
check "the rest written" out_has "wrote 1 of 2 migrations to ../fw-p (prisma,"
check "only V1 is there" eq "$(ls fw-p | grep -vc migration_lock)" 1
run -C fw --json convert --to sqlpair:golang-migrate --out ../fw-g
check "--json refusal: exit 4" rc_is 4
check "--json: the not_converted object" out_has '{"event": "not_converted", "migration": "app:R__v", "what": "migration", "reason": "layout '"'"'golang-migrate'"'"' has no repeatable migrations", "hint": "apply it with its own tool, or fold it into a migration"}'
check "--json: summary counts it" out_has '"migrations": 2, "written": 1, "not_converted": 1, "exit": 4}'
run -C fw convert --to sqlpair:flyway --out ../fw-f
check "flyway → flyway keeps the repeatable" rc_is 0
check "R__v.sql written" test -f fw-f/R__v.sql

# a line of the script that would read as a section marker
mkdir -p mk/m
conf mk sqlpair:golang-migrate mk
printf 'CREATE TABLE t (id INTEGER);\n-- migrate:down\n' >mk/m/1_t.up.sql
run -C mk convert --to sqlpair:dbmate --out ../mk-d
check "a marker line inside the up script: exit 4" rc_is 4
check "named with its line" out_has "app:1: not converted (migration): line 2 of the up script would read as a dbmate section marker"

# an Alembic merge into a linear format, an untranslatable revision
mkdir -p al/versions
printf 'database: %s\nsources:\n  - name: revs\n    format: alembic\n    path: versions\n' "$(db_url al)" >al/strata.yaml
arev() {
	cat >"al/versions/$1_r.py" <<PY
from alembic import op

revision = '$1'
down_revision = $2
branch_labels = None
depends_on = None


def upgrade():
$3


def downgrade():
    pass
PY
}
arev r1 None '    op.execute("CREATE TABLE r1 (id INTEGER)")'
arev r2a "'r1'" '    op.execute("CREATE TABLE r2a (id INTEGER)")'
# range() is not among what the translator evaluates (docs/alembic.md).
arev r2b "'r1'" '    for i in range(2):
        op.execute("CREATE TABLE t%d (id INTEGER)" % i)'
arev r3 "('r2a', 'r2b')" '    pass'
run -C al convert --to prisma --out ../al-p
check "Alembic with a merge and a loop → Prisma: exit 4" rc_is 4
check "the untranslatable revision listed" grep -q '^revs:r2b: not converted (migration): ' "$T/out"
check "the merge listed" out_has "revs:r3: not converted (migration): a merge of 2 branches (hint: Prisma's history is one line: merge the branches first)"
check "the others written" out_has "wrote 2 of 4 migrations"
run -C al convert --to alembic --out ../al-a
check "the same → Alembic: exit 4" rc_is 4
check "the child of what was not written is not written" out_has "revs:r3: not converted (migration): its parent r2b was not written (hint: convert its parent too)"
arev r3 "('r2a', 'r2b')" '    pass'
rm al/versions/r2b_r.py; arev r2b "'r1'" '    op.execute("CREATE TABLE r2b (id INTEGER)")'
rm -rf al-a; run -C al convert --to alembic --out ../al-a
check "a merge into Alembic: exit 0" rc_is 0
check "the merge keeps both parents (a tuple)" grep -qx "down_revision = ('$(h12 r2a)', '$(h12 r2b)')" al-a/$(h12 r3)_*.py
# depends_on: a dependency, not a parent (a linear format writes it in order)
arev r4 "'r3'" '    op.execute("CREATE TABLE r4 (id INTEGER)")'
sed -i "s/^depends_on = None/depends_on = 'r2a'/" al/versions/r4_r.py
rm -rf al-a; run -C al convert --to alembic --out ../al-a
check "depends_on into Alembic: exit 0" rc_is 0
check "depends_on written as depends_on" grep -qx "depends_on = '$(h12 r2a)'" al-a/$(h12 r4)_*.py
check "... and not as a parent" grep -qx "down_revision = '$(h12 r3)'" al-a/$(h12 r4)_*.py
run -C al convert --to sqlpair:golang-migrate --out ../al-g
check "a revision with depends_on into a linear layout is no merge (only r3 is refused)" eq "$(grep -c 'not converted' "$T/out")" 1
check "r4 written" test -f al-g/000005_migration.up.sql

# ---- errors: one line, exit 1 (2 for usage), nothing written ----
run -C src convert --to nosuch --out ../e1
check "unknown format: exit 1" rc_is 1
check "unknown format: the line" err_is "strata: error: no plugin writes format 'nosuch' (hint: \`strata plugins\` lists the formats available)"
check "unknown format: no folder made" test ! -e e1
run -C src convert --to sqlpair:nosuch --out ../e2
check "unknown layout: exit 1" rc_is 1
check "unknown layout: the line" grep -q "^strata: error: unknown layout 'nosuch' (hint: available layouts: dbmate, " "$T/err"
check "unknown layout: no folder made" test ! -e e2
mkdir -p fmt/layouts
printf "layout: plain\nup:\n  match: '^([0-9]+)_(.+)\\\\.sql\$'\n  version: 1\n  name: 2\n" >fmt/layouts/plain.yaml
set +e; STRATA_FORMATS_PATH=$T/fmt "$STRATA" -C src convert --to sqlpair:plain --out ../e3 >"$T/out" 2>"$T/err"; rc=$?; set -e
check "a read-only layout (no write: keys): exit 1" rc_is 1
check "a read-only layout: the line" grep -q "layout 'plain' is read only (its descriptor has no write:)" "$T/err"
check "a read-only layout: no folder made" test ! -e e3
printf "layout: odd\nup:\n  match: '^V([0-9]+)__(.+)[.]sql\$'\n  version: 1\n  name: 2\nwrite:\n  up: '{version}_{name}.sql'\n" >fmt/layouts/odd.yaml
set +e; STRATA_FORMATS_PATH=$T/fmt "$STRATA" -C src convert --to sqlpair:odd --out ../e8 >"$T/out" 2>"$T/err"; rc=$?; set -e
check "write: keys whose names the layout does not read back: exit 1" rc_is 1
check "... the line names the file" grep -q "layout 'odd' writes the up file '1_base.sql', which it does not read back as one (hint: fix the layout's write: keys)" "$T/err"
check "... no folder left" test ! -e e8
printf "layout: odd2\nup:\n  match: '^([0-9]+)_(.+)[.]sql\$'\n  version: 1\n  name: 2\nwrite:\n  up: '{version}_{nme}.sql'\n" >fmt/layouts/odd2.yaml
set +e; STRATA_FORMATS_PATH=$T/fmt "$STRATA" -C src convert --to sqlpair:odd2 --out ../e9 >"$T/out" 2>"$T/err"; rc=$?; set -e
check "an unknown field in a write: template: exit 1, at its line" grep -q "odd2.yaml:7:.*unknown field in '{version}_{nme}.sql' (hint: use {version} and {name})" "$T/err"
run -C src convert --to sqlpair --out ../e4
check "sqlpair without a layout: exit 1" rc_is 1
check "sqlpair without a layout: the line" grep -q "^strata: error: sqlpair needs a layout to write (sqlpair:LAYOUT)" "$T/err"
mkdir -p dz
run -C src convert --to drizzle --out ../dz/m
check "drizzle: exit 4 (no down scripts)" rc_is 4
check "drizzle: each down script listed" eq "$(grep -c 'not converted (down script): Drizzle has no down scripts: written without it' "$T/out")" 2
check "drizzle: every up written" out_has "wrote 3 of 3 migrations"
check "drizzle: the journal and the files" eq "$(cd dz/m && find . -type f | sort | paste -sd, -)" "./0000_base.sql,./0001_create_a.sql,./0002_b.sql,./meta/_journal.json"
sqlite && check "drizzle on SQLite: a breakpoint between two statements" grep -qx -- '--> statement-breakpoint' dz/m/0001_create_a.sql
conf dz drizzle dz
check "drizzle: read back in order" eq "$(names dz)" "base,create_a,b"
pg && check "drizzle on PostgreSQL: the text as given (same checksums)" eq "$(sums dz)" "$SUMS"
run -C dz apply
check "drizzle: applies" rc_is 0
check "drizzle: the tables" eq "$(cd dz && tables dz | tr , '\n' | grep -E '^(a|b|base)$' | paste -sd, -)" "a,b,base"
run -C src convert --to nosuch:x --out ../e7
check "an unknown format with a layout: exit 1, no folder" test "$rc" -eq 1 -a ! -e e7
mkdir full && touch full/keep
run -C src convert --to prisma --out ../full
check "non-empty --out: exit 1" rc_is 1
check "non-empty --out: the line" err_is "strata: error: ../full: the output folder is not empty (hint: name a new or empty folder)"
check "non-empty --out: untouched" eq "$(ls full)" keep
run -C src convert --to prisma
check "no --out: usage, exit 2" rc_is 2
run -C src convert --out ../e5
check "no --to: usage, exit 2" rc_is 2
run -C src --json convert --to nosuch --out ../e6
check "--json error: exit 1" rc_is 1
check "--json error object" grep -q '^{"event": "error", "message": "no plugin writes format '"'"'nosuch'"'"'"' "$T/err"

done_testing
