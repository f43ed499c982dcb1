#!/usr/bin/env bash
# The Python strata evaluates in revision bodies (docs/alembic.md, "What the
# translator evaluates"), judged by the REAL Alembic 1.8.1: a history made by
# eval_fixtures.py with one revision per construct —
#   ASSIGN (names bound to literals), FORMAT (f-string, .format, %, +, a
#   module-level constant), DIALECT (if/elif/else on op.get_bind() /
#   op.get_context().dialect.name), ASSUME (early return on an assume'd
#   settings name, if on another), FOR (over a tuple, over a list of tuples),
#   TRY (try/except/else/finally), HELPER (functions of the module called
#   with known arguments, early return inside), BIND (bind = op.get_bind();
#   bind.execute(sa.text(...)), conn.execute("...")), IMPORTED (helpers imported
#   from the application package app_migration/, __name__), EXPR (helpers of
#   the revision called in expressions), NOOPS (logging calls, imports in a body),
#   SEQVAR (a Sequence in a name and a helper's argument, A if C else B as an
#   argument), CORE (update()/insert()/delete() of a literal sa.table(),
#   settings.config.get() given under assume:, an imported helper called as a
#   statement that returns early), DICT (for over a dict's keys and .items())
# Sections:
#   (1) every revision translates: strata apply --dry-run prints, revision by
#       revision and byte for byte, what `alembic upgrade heads --sql` prints
#   (2) strata apply = alembic upgrade heads (schema, rows, alembic_version);
#       alembic current reads strata's table; alembic upgrade heads then runs nothing
#   (3) strata rollback --to ASSIGN = alembic downgrade ASSIGN
#   (4) without assume: the ASSUME revision is untranslatable, the error
#       names FILE:LINE and the exact name; nothing from it on ran; an
#       assume value that is not a scalar is a strata.yaml:LINE error
#   (5) op.get_bind().exec_driver_sql(): Alembic fails offline, so strata
#       refuses it, naming FILE:LINE and Alembic's own error
#   ENUM (<Enum>.create(op.get_bind()) / .drop()), BINDDATA (bind.dialect.
#   supports_sequences, context.bind.engine.name), SESSION (a Session on the
#   bind that only commits, an unread bind.execute() result) in (1)-(3);
#   (6) op.get_bind().commit() right before autocommit_block(): Alembic fails
#       offline; strata's SQL = alembic --sql's for the revision without that
#       line, and strata apply = alembic upgrade of it
. "$SRC/tests/interop/alembic/lib.sh"

mkproject() {
	local p=$1 kind=$2
	if ! "$PY" "$HERE/eval_fixtures.py" "$kind" "$T/$p" >"$T/gen.log" 2>&1; then
		echo "Bail out! eval_fixtures.py $kind failed"
		sed 's/^/# /' "$T/gen.log"
		exit 1
	fi
	cat >"$T/$p/strata.yaml" <<YAML
database: $(surl "$p")
sources:
  - name: app
    format: alembic
    path: migrations/versions
    assume: {settings.feature_x: true, settings.archive: false, settings.prefix: ev, settings.config.SETUP_COMPLETE: false}
YAML
}
mkproject ev eval

# ---------------------------------------------------------------- (1)
fresh ev_d
sr ev ev_d ledger
check "(1) strata ledger exits 0" rc_is 0
untr=$(grep -c '(untranslatable)' "$T/out" || true)
echo "# strata ledger: $untr of $(names ev | grep -vc '^f_') revisions untranslatable ($dialect)"
check "(1) strata ledger marks no revision untranslatable" eq "$untr" 0
sr ev ev_d apply --dry-run
check "(1) strata apply --dry-run exits 0" rc_is 0
check "(1) no revision is untranslatable" err_lacks "untranslatable"
cp "$T/out" "$T/ev.strata.sql"
alsql ev upgrade heads
check "(1) alembic upgrade heads --sql exits 0" rc_is 0
cp "$T/out" "$T/ev.alembic.sql"
"$PY" "$HERE/blocks.py" strata "$T/ev.strata.sql" "$T/ev.blk/s"
"$PY" "$HERE/blocks.py" alembic "$T/ev.alembic.sql" "$T/ev.blk/a"
translated=0
total=0
for nm in $(names ev | grep -v '^f_'); do
	id=$(rev ev "$nm")
	total=$((total + 1))
	if [ ! -f "$T/ev.blk/s/$id.raw" ]; then
		not_ok "(1) $nm: SQL = alembic --sql's, byte for byte"
		echo "# no block for app:$id in strata's --dry-run output"
		continue
	fi
	check "(1) $nm: alembic printed SQL for it" test -s "$T/ev.blk/a/$id.raw"
	same "(1) $nm: SQL = alembic --sql's, byte for byte" "$(cat "$T/ev.blk/s/$id.raw")" "$(cat "$T/ev.blk/a/$id.raw")"
	cmp -s "$T/ev.blk/s/$id.raw" "$T/ev.blk/a/$id.raw" && translated=$((translated + 1))
done
echo "# translated: $translated / $total revisions ($dialect)"
check "(1) translated $translated / $total" eq "$translated" "$total"

# ---------------------------------------------------------------- (2)
head=$(rev ev "$(names ev | grep -v '^f_' | tail -n 1)") # the last revision of eval_fixtures.py
fresh ev_s ev_a
sr ev ev_s apply
check "(2) strata apply exits 0" rc_is 0
al ev ev_a upgrade heads
check "(2) alembic upgrade heads exits 0" rc_is 0
check "(2) alembic_version holds the head" eq "$(versions ev_a)" "$head"
same "(2) schema after strata apply = after alembic upgrade heads" "$(schema ev_s)" "$(schema ev_a)"
same "(2) rows after strata apply = after alembic upgrade heads" "$(data ev_s)" "$(data ev_a)"
same "(2) alembic_version rows = alembic's" "$(versions ev_s)" "$(versions ev_a)"
check "(2) the assume'd branch ran (ev_note), the other did not (ev_archive)" eq "$(has_table ev_s ev_note ev_archive)" 1
al ev ev_s current
check "(2) alembic current on strata's database exits 0" rc_is 0
check "(2) alembic current reads strata's table: the head" grep -q "^$head (head)" "$T/out"
before=$(state ev_s)
al ev ev_s upgrade heads
check "(2) alembic upgrade heads after strata apply exits 0" rc_is 0
check "(2) ... runs no revision" err_lacks "Running upgrade"
same "(2) ... and changes nothing" "$(state ev_s)" "$before"

# ---------------------------------------------------------------- (3)
first=$(rev ev ASSIGN)
sr ev ev_s rollback --to "app:$first"
check "(3) strata rollback --to ASSIGN exits 0" rc_is 0
al ev ev_a downgrade "$first"
check "(3) alembic downgrade ASSIGN exits 0" rc_is 0
same "(3) schema = alembic downgrade's" "$(schema ev_s)" "$(schema ev_a)"
same "(3) rows = alembic downgrade's" "$(data ev_s)" "$(data ev_a)"
same "(3) alembic_version = alembic downgrade's" "$(versions ev_s)" "$(versions ev_a)"

# ---------------------------------------------------------------- (4)
sed -i '/assume:/d' "$T/ev/strata.yaml"
f=$(rev ev f_ASSUME)
line=$(grep -nF 'if not settings.feature_x:' "$f" | head -1 | cut -d: -f1)
fresh ev_n
sr ev ev_n apply
check "(4) without assume: strata apply exits 1" rc_is 1
check "(4) the error names ${f##*/}:$line and the name to assume" \
	grep -qE "^strata: error: ([^ ]*/)?${f##*/}:$line: .*settings\.feature_x" "$T/err"
check "(4) the revisions before it applied, alembic_version says so" eq "$(versions ev_n)" "$(rev ev DIALECT)"
check "(4) nothing of it or after it ran" eq "$(has_table ev_n ev_note ev_a ev_b)" 0

# A bad assume: a value that is not a string, at its line.
sed -i 's/^    path: migrations\/versions$/&\n    assume: {settings.feature_x: [1, 2]}/' "$T/ev/strata.yaml"
sr ev ev_n ledger
check "(4) assume: with a list value: exit 1" rc_is 1
check "(4) ... the error names strata.yaml:6 and the option" grep -qE "^strata: error: ([^ ]*/)?strata.yaml:6:.*assume must be a string" "$T/err"
sed -i '/assume:/d' "$T/ev/strata.yaml"

# ---------------------------------------------------------------- (5)
mkproject drv driver
f=$(rev drv f_DRIVER)
line=$(grep -nF 'exec_driver_sql' "$f" | cut -d: -f1)
alsql drv upgrade heads
check "(5) alembic upgrade --sql fails on exec_driver_sql offline" rc_is 1
check "(5) ... with MockConnection's AttributeError" grep -qF "'MockConnection' object has no attribute 'exec_driver_sql'" "$T/err"
fresh drv
sr drv drv apply
check "(5) strata apply exits 1" rc_is 1
check "(5) the error names ${f##*/}:$line and Alembic's reason" \
	grep -qE "^strata: error: ([^ ]*/)?${f##*/}:$line: .*exec_driver_sql" "$T/err"
check "(5) the revision before it applied" eq "$(versions drv)" "$(rev drv ASSIGN)"

# ---------------------------------------------------------------- (6)
mkproject cmt commit
f=$(rev cmt f_COMMIT)
alsql cmt upgrade heads
check "(6) alembic upgrade --sql fails on op.get_bind().commit() offline" rc_is 1
check "(6) ... with MockConnection's AttributeError" grep -qF "'MockConnection' object has no attribute 'commit'" "$T/err"
fresh cmt_s
sr cmt cmt_s apply --dry-run
check "(6) strata apply --dry-run exits 0" rc_is 0
cp "$T/out" "$T/cmt.strata.sql"
sed -i '/op.get_bind().commit()/d' "$f"
alsql cmt upgrade heads
check "(6) alembic upgrade --sql of the revision without the commit() line exits 0" rc_is 0
cp "$T/out" "$T/cmt.alembic.sql"
"$PY" "$HERE/blocks.py" strata "$T/cmt.strata.sql" "$T/cmt.blk/s"
"$PY" "$HERE/blocks.py" alembic "$T/cmt.alembic.sql" "$T/cmt.blk/a"
id=$(rev cmt COMMIT)
check "(6) alembic printed SQL for it" test -s "$T/cmt.blk/a/$id.raw"
same "(6) COMMIT: SQL = alembic --sql's without the line, byte for byte" "$(cat "$T/cmt.blk/s/$id.raw" 2>/dev/null)" "$(cat "$T/cmt.blk/a/$id.raw")"

fresh cmt_s cmt_a
sed -i 's/^\(    \)\(with op.get_context().autocommit_block():\)$/\1op.get_bind().commit()\n\1\2/' "$f"
check "(6) the commit() line is back for strata" grep -qF "op.get_bind().commit()" "$f"
sr cmt cmt_s apply
check "(6) strata apply exits 0" rc_is 0
sed -i '/op.get_bind().commit()/d' "$f"
al cmt cmt_a upgrade heads
check "(6) alembic upgrade heads (without the line) exits 0" rc_is 0
same "(6) schema after strata apply = alembic's" "$(schema cmt_s)" "$(schema cmt_a)"
same "(6) rows after strata apply = alembic's" "$(data cmt_s)" "$(data cmt_a)"

done_testing
