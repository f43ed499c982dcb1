#!/usr/bin/env bash
# Alembic's translation memo (plugins/alembic/memo.h): every command reads
# the same history the same way with the memo filled, with it off and with
# it broken; an edited file, a changed option and a changed enum module are
# translated again; a translation that read another file is never kept.
# The history: every golden case of tests/alembic/golden that translates on
# the backend's dialect (one revision each, in module-head.py's module; a
# real apply fails at the second that makes table t1, at its line), a
# revision with branch labels and depends_on lists, one whose enum class is
# the application's, one whose SQL fails on the database (its error line
# comes from the line map), one strata cannot translate.
. "$(dirname "$0")/lib.sh"

G=$SRC/tests/alembic/golden
dia=$(pick sqlite postgresql)
P=$T/m
V=$P/versions
mkdir -p "$V" "$P/app" "$P/.git"
MEMO=$STRATA_ALEMBIC_CACHE

# rev ID DOWN BODY [HEAD]: a revision in module-head.py's module (T1 and the
# app_settings import), BODY its upgrade(), downgrade() a pass.
rev() {
	{
		sed -e "s/^revision = .*/revision = '$1'/" -e "s/^down_revision = .*/down_revision = $2/" \
			"$G/module-head.py"
		printf '%s\n' "${4:-}"
		printf 'def upgrade():\n'
		sed 's/^/    /' <<<"$3"
		printf '\n\ndef downgrade():\n    pass\n'
	} >"$V/$1_r.py"
}
prev=None
i=0
for py in "$G"/[0-9]*.py; do
	base=${py%.py}
	[ -e "$base.$dia.sql" ] && [ ! -e "$base.untranslatable" ] || continue
	i=$((i + 1))
	id=$(printf 'g%03d' "$i")
	rev "$id" "$prev" "$(cat "$py")"
	prev="'$id'"
done
ngold=$i
rev lab1 "$prev" 'op.execute("CREATE TABLE lab1 (id INTEGER PRIMARY KEY)")' \
	"branch_labels = ('one', 'two')"
rev dep1 "'lab1'" 'op.execute("CREATE TABLE dep1 (id INTEGER PRIMARY KEY)")' \
	"depends_on = ['g001', 'g002']"
printf 'import enum\n\n\nclass Color(enum.Enum):\n    RED = 1\n    GREEN = 2\n' >"$P/app/models.py"
: >"$P/app/__init__.py"
rev enum1 "'dep1'" 'op.create_table("paint", sa.Column("c", sa.Enum(Color)))' \
	"from app.models import Color"
rev bad1 "'enum1'" 'op.execute("CREATE TABLE fine1 (id INTEGER PRIMARY KEY)")
op.execute("CREATE TABL broken1 (id INTEGER)")'
rev loop1 "'bad1'" 'for i in range(2):
    op.execute("SELECT 1")'
total=$((ngold + 5))
url=$(if sqlite; then echo "sqlite:$T/m.db"; else db_url m; fi)
assume='{settings.feature_x: true, settings.archive: false, settings.prefix: ev, settings.config.SETUP_COMPLETE: false}'
printf 'database: %s\nsources:\n  - name: app\n    format: alembic\n    path: versions\n    assume: %s\n' \
	"$url" "$assume" >"$P/strata.yaml"
check "the history holds every golden case of $dia ($ngold) and 5 more" [ "$ngold" -gt 60 ]

# memo_line: what -v said of the memo in the last run ("" when nothing)
memo_line() { grep -o 'alembic: [0-9]* of [0-9]* revisions from the translation memo, [0-9]* kept in it' "$T/err" || true; }
# outputs TAG: what the commands print of the history, into $T/TAG.*: the
# ledger as JSON, apply --dry-run's SQL, a real apply (the failing one's
# error line), convert's SQL files (the down scripts too); $T/TAG.memo: the
# memo line of each.
outputs() {
	local tag=$1
	: >"$T/$tag.memo"
	db_reset m
	run -C "$P" -v --json ledger
	cp "$T/out" "$T/$tag.ledger"
	memo_line >>"$T/$tag.memo"
	run -C "$P" -v apply --dry-run
	cp "$T/out" "$T/$tag.dry"
	memo_line >>"$T/$tag.memo"
	db_reset m
	run -C "$P" -v apply
	{ echo "rc=$rc"; grep -v '^strata: alembic: [0-9]* of' "$T/err"; } >"$T/$tag.apply"
	memo_line >>"$T/$tag.memo"
	rm -rf "$T/$tag.conv"
	run -C "$P" -v convert --to sqlpair:golang-migrate --out "$T/$tag.conv"
	echo "rc=$rc" >>"$T/$tag.apply"
	memo_line >>"$T/$tag.memo"
}
same() { # TAG: its outputs are the memo-less ones
	cmp -s "$T/none.ledger" "$T/$1.ledger" && cmp -s "$T/none.dry" "$T/$1.dry" &&
		cmp -s "$T/none.apply" "$T/$1.apply" && diff -r "$T/none.conv" "$T/$1.conv" >/dev/null
}
memo_is() { eq "$(paste -sd'|' "$T/$1.memo")" "$2"; }
files_in() { find "$MEMO" -type f 2>/dev/null | wc -l; }

# ---- the memo off: the reference -------------------------------------------
STRATA_ALEMBIC_CACHE=0 outputs none
check "memo off: no memo line" memo_is none ""
check "memo off: no memo written" eq "$(files_in)" 0
check "memo off: the apply fails at a line of a revision (the line map)" \
	grep -Eq "error: versions/g[0-9]+_r.py:[0-9]+: " "$T/none.apply"
check "memo off: the untranslatable revision is in the ledger" grep -q '"app:loop1"' "$T/none.ledger"
# the enum's members: SQLite's VARCHAR as long as the longest, PostgreSQL's type
check "memo off: the enum's members in the dry run" grep -q "$(pick 'c VARCHAR(5)' "'RED', 'GREEN'")" "$T/none.dry"

# ---- filled, then read ------------------------------------------------------
outputs first
# kept: all but those whose translation looked at another file (enum1's
# app/models.py, the app_settings module some cases import)
k=$(sed -n '1s/.*, \([0-9]*\) kept in it$/\1/p' "$T/first.memo")
check "first run: the same outputs" same first
check "first run: most kept, not enum1 nor what read app_settings" [ "${k:-0}" -gt $((total / 2)) ] && [ "$k" -lt "$total" ]
m() { echo "alembic: $1 of $total revisions from the translation memo, $k kept in it"; }
check "first run: translated, then read back (and convert's own memo)" memo_is first "$(m 0)|$(m "$k")|$(m "$k")|$(m 0)"
check "two memo files: without and with down scripts" eq "$(files_in)" 2
outputs second
check "second run: the same outputs" same second
check "second run: every kept revision from the memo" memo_is second "$(m "$k")|$(m "$k")|$(m "$k")|$(m "$k")"

# ---- an edited file is translated again -------------------------------------
echo "# edited" >>"$V/g003_r.py"
run -C "$P" -v ledger
check "an edited revision: translated again" eq "$(memo_line)" "$(m $((k - 1)))"
run -C "$P" -v ledger
check "and kept: all from the memo again" eq "$(memo_line)" "$(m "$k")"

# ---- the enum module changed: its revision says so at once ------------------
printf '    PURPLE_HAZE = 3\n' >>"$P/app/models.py"
run -C "$P" apply --dry-run
check "a changed enum module: its new member in the SQL" out_has "$(pick 'c VARCHAR(11)' "'GREEN', 'PURPLE_HAZE'")"

# ---- a broken memo is ignored, and written again ----------------------------
for f in "$MEMO"/*.memo; do
	printf 'X' | dd of="$f" bs=1 seek=40 conv=notrunc status=none
done
sed -i '$d' "$P/app/models.py" # back to RED and GREEN, the reference's
outputs broken
check "a damaged memo: the same outputs" same broken
check "a damaged memo: nothing read from it, then all" memo_is broken "$(m 0)|$(m "$k")|$(m "$k")|$(m 0)"
printf 'garbage' >"$(ls "$MEMO"/*.memo | head -1)"
run -C "$P" -v ledger
check "a memo that is not one: the ledger as before" rc_is 0
check "a memo that is not one: the ledger as before (count)" out_has "$total migrations"

# ---- every input of the translation is in the key ---------------------------
sed -i 's/settings.prefix: ev/settings.prefix: ew/' "$P/strata.yaml"
run -C "$P" -v ledger
check "a changed assume: nothing from the memo" eq "$(memo_line)" "$(m 0)"
mkdir -p "$T/formats/alembic"
cp -r "$SRC/formats/." "$T/formats/"
printf '\n# a comment: other bytes, the same table\n' >>"$T/formats/alembic/types.yaml"
STRATA_FORMATS_PATH=$T/formats run -C "$P" -v ledger
check "a changed types.yaml: nothing from the memo" eq "$(memo_line)" "$(m 0)"

# ---- a memo that cannot be written: said with -v, the same outputs ----------
: >"$T/not-a-folder"
STRATA_ALEMBIC_CACHE=$T/not-a-folder run -C "$P" -v --json ledger
check "an unwritable memo: -v says why" err_has "alembic: translation memo $T/not-a-folder/"
check "an unwritable memo: -v says why (the reason)" err_has "not written: Not a directory"
sed -i 's/settings.prefix: ew/settings.prefix: ev/' "$P/strata.yaml"
STRATA_ALEMBIC_CACHE=$T/not-a-folder run -C "$P" --json ledger
check "an unwritable memo: the ledger as without one" cmp -s "$T/out" "$T/none.ledger"

# ---- off again: nothing written ----------------------------------------------
touch "$P/strata.yaml"
STRATA_ALEMBIC_CACHE=0 run -C "$P" -v ledger
check "memo off: nothing read or written" eq "$(memo_line)|$(find "$MEMO" -type f -newer "$P/strata.yaml" | wc -l)" "|0"
done_testing
