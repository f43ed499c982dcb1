#!/usr/bin/env bash
# upgrade(op, tables, tester): the parameters an env.py passes, as quay's
# does (context.run_migrations(op=alembic_op, tables=tables, tester=...)),
# given to strata by the source's `arguments: {tables: tables, tester: noop}`
# (docs/alembic.md, "What the translator evaluates"), judged by the REAL
# Alembic 1.8.1 on a project made by params_fixtures.py with such an env.py:
#   (1) KIND, FLAG (bulk_insert(tables.X, ...) on a table the revision creates,
#       str / int / None / bool values; tester.populate_*() calls) translate:
#       strata apply --dry-run = alembic upgrade heads --sql, byte for byte
#   (2) strata apply = alembic upgrade heads (schema, rows, alembic_version)
#   (3) strata rollback --to KIND = alembic downgrade KIND
#   (4) LATER: bulk_insert(tables.pa_kind) in a revision that does not create
#       the table (another does): = alembic --sql, byte for byte, and the rows
#       of alembic upgrade; its downgrade()'s tables.pa_kind.delete().where(
#       ... == op.inline_literal(...)) = alembic downgrade --sql's, same rows; with a revision that alter_column()s pa_kind.name,
#       untranslatable, naming FILE:LINE, the column and that revision's file
#   (5) without arguments: the error names the parameter and the option
#   (6) an arguments: value strata does not know: a strata.yaml:LINE error
. "$SRC/tests/interop/alembic/lib.sh"

mkproject() {
	local p=$1 kind=$2
	if ! "$PY" "$HERE/params_fixtures.py" "$kind" "$T/$p" >"$T/gen.log" 2>&1; then
		echo "Bail out! params_fixtures.py $kind failed"
		sed 's/^/# /' "$T/gen.log"
		exit 1
	fi
	cat >"$T/$p/strata.yaml" <<YAML
database: $(surl "$p")
sources:
  - name: app
    format: alembic
    path: migrations/versions
    arguments: {tables: tables, tester: noop}
YAML
}
mkproject pa params

# ---------------------------------------------------------------- (1)
fresh pa_d
sr pa pa_d ledger
check "(1) strata ledger exits 0" rc_is 0
check "(1) strata ledger marks no revision untranslatable" err_lacks "untranslatable"
check "(1) ... nor in its output" test "$(grep -c '(untranslatable)' "$T/out" || true)" = 0
sr pa pa_d apply --dry-run
check "(1) strata apply --dry-run exits 0" rc_is 0
cp "$T/out" "$T/pa.strata.sql"
alsql pa upgrade heads
check "(1) alembic upgrade heads --sql exits 0" rc_is 0
cp "$T/out" "$T/pa.alembic.sql"
"$PY" "$HERE/blocks.py" strata "$T/pa.strata.sql" "$T/pa.blk/s"
"$PY" "$HERE/blocks.py" alembic "$T/pa.alembic.sql" "$T/pa.blk/a"
for nm in KIND FLAG; do
	id=$(rev pa "$nm")
	check "(1) $nm: alembic printed SQL for it" test -s "$T/pa.blk/a/$id.raw"
	check "(1) $nm: its SQL has the bulk_insert rows" grep -q '^INSERT INTO pa_' "$T/pa.blk/a/$id.raw"
	same "(1) $nm: SQL = alembic --sql's, byte for byte" "$(cat "$T/pa.blk/s/$id.raw" 2>/dev/null)" "$(cat "$T/pa.blk/a/$id.raw")"
done

# ---------------------------------------------------------------- (2)
head=$(rev pa FLAG)
fresh pa_s pa_a
sr pa pa_s apply
check "(2) strata apply exits 0" rc_is 0
al pa pa_a upgrade heads
check "(2) alembic upgrade heads exits 0" rc_is 0
check "(2) alembic_version holds the head" eq "$(versions pa_a)" "$head"
same "(2) schema after strata apply = after alembic upgrade heads" "$(schema pa_s)" "$(schema pa_a)"
same "(2) rows after strata apply = after alembic upgrade heads" "$(data pa_s)" "$(data pa_a)"
same "(2) alembic_version rows = alembic's" "$(versions pa_s)" "$(versions pa_a)"

# ---------------------------------------------------------------- (3)
first=$(rev pa KIND)
sr pa pa_s rollback --to "app:$first"
check "(3) strata rollback --to KIND exits 0" rc_is 0
al pa pa_a downgrade "$first"
check "(3) alembic downgrade KIND exits 0" rc_is 0
same "(3) schema = alembic downgrade's" "$(schema pa_s)" "$(schema pa_a)"
same "(3) rows = alembic downgrade's" "$(data pa_s)" "$(data pa_a)"
same "(3) alembic_version = alembic downgrade's" "$(versions pa_s)" "$(versions pa_a)"

# ---------------------------------------------------------------- (4)
mkproject pl later
id=$(rev pl LATER)
sr pl pl apply --dry-run
check "(4) LATER: strata apply --dry-run exits 0" rc_is 0
cp "$T/out" "$T/pl.strata.sql"
alsql pl upgrade heads
check "(4) alembic upgrade heads --sql exits 0" rc_is 0
check "(4) alembic prints LATER's row (from the MetaData's table)" out_line "INSERT INTO pa_kind (name) VALUES ('b');"
cp "$T/out" "$T/pl.alembic.sql"
"$PY" "$HERE/blocks.py" strata "$T/pl.strata.sql" "$T/pl.blk/s"
"$PY" "$HERE/blocks.py" alembic "$T/pl.alembic.sql" "$T/pl.blk/a"
same "(4) LATER (the table from the history): SQL = alembic --sql's, byte for byte" "$(cat "$T/pl.blk/s/$id.raw" 2>/dev/null)" "$(cat "$T/pl.blk/a/$id.raw")"
fresh pl pl_a
sr pl pl apply
check "(4) strata apply exits 0" rc_is 0
al pl pl_a upgrade heads
same "(4) rows after strata apply = after alembic upgrade heads" "$(data pl)" "$(data pl_a)"
kind=$(rev pl KIND)
alsql pl downgrade "$id:$kind"
check "(4) alembic downgrade LATER --sql exits 0" rc_is 0
grep '^DELETE FROM' "$T/out" >"$T/pl.down.alembic" || true
check "(4) ... prints LATER's two DELETEs" eq "$(wc -l <"$T/pl.down.alembic")" 2
sr pl pl rollback --to "app:$kind" --dry-run
check "(4) strata rollback --to KIND --dry-run exits 0" rc_is 0
grep '^DELETE FROM' "$T/out" >"$T/pl.down.strata" || true
same "(4) LATER's downgrade (tables.pa_kind.delete().where(...)): = alembic --sql's DELETEs" "$(cat "$T/pl.down.strata")" "$(cat "$T/pl.down.alembic")"
sr pl pl rollback --to "app:$kind"
check "(4) strata rollback --to KIND exits 0" rc_is 0
al pl pl_a downgrade "$kind"
check "(4) alembic downgrade KIND exits 0" rc_is 0
same "(4) rows after rollback = after alembic downgrade" "$(data pl)" "$(data pl_a)"
same "(4) alembic_version after rollback = alembic's" "$(versions pl)" "$(versions pl_a)"

mkproject px altered
f=$(rev px f_LATER)
w=$(rev px f_WIDEN)
line=$(grep -nF 'op.bulk_insert(tables.pa_kind' "$f" | cut -d: -f1)
fresh px
sr px px apply
check "(4) a later alter_column() on pa_kind.name: strata apply exits 1" rc_is 1
check "(4) the error names ${f##*/}:$line, the column and the revision that alters it" \
	grep -qE "^strata: error: ([^ ]*/)?${f##*/}:$line: .*bulk_insert\(\) into tables\.pa_kind: the type of its column 'name' is not known from the history: a revision alters or drops it \(${w##*/}\)" "$T/err"
check "(4) the revision before it applied" eq "$(versions px)" "$(rev px KIND)"

# ---------------------------------------------------------------- (5)
sed -i '/arguments:/d' "$T/pa/strata.yaml"
f=$(rev pa f_KIND)
line=$(grep -nF 'op.bulk_insert(tables.pa_kind' "$f" | cut -d: -f1)
fresh pa_n
sr pa pa_n apply
check "(5) without arguments: strata apply exits 1" rc_is 1
check "(5) the error names ${f##*/}:$line, the parameter and the option" \
	grep -qE "^strata: error: ([^ ]*/)?${f##*/}:$line: .*parameter 'tables' is not known \(give it under the source's arguments:" "$T/err"
check "(5) nothing ran" eq "$(versions pa_n)" "<none>"
echo '    arguments: {tables: tables}' >>"$T/pa/strata.yaml"
sr pa pa_n --json ledger
check "(5) with tables only: the noop call names 'tester'" \
	grep -qE "call to tester\.populate_table\(\): what env\.py passes as upgrade\(\)'s parameter 'tester' is not known" "$T/out"

# ---------------------------------------------------------------- (6)
sed -i '/arguments:/d' "$T/pa/strata.yaml"
echo '    arguments: {tables: tables, tester: nope}' >>"$T/pa/strata.yaml"
sr pa pa_n ledger
check "(6) arguments: with an unknown value: exit 1" rc_is 1
check "(6) ... a strata.yaml:3 error naming the parameter and the value" \
	grep -qE "^strata: error: ([^ ]*/)?strata.yaml:3: .*arguments: tester: 'nope' is not what strata knows env.py to pass" "$T/err"
sed -i '/arguments:/d' "$T/pa/strata.yaml"
echo '    arguments: {"tester x": noop}' >>"$T/pa/strata.yaml"
sr pa pa_n ledger
check "(6) a key that is no parameter name: exit 1" rc_is 1
check "(6) ... a strata.yaml:3 error naming it" grep -qE "^strata: error: ([^ ]*/)?strata.yaml:3: .*arguments: 'tester x' is not a parameter name" "$T/err"

done_testing
