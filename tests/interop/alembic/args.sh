#!/usr/bin/env bash
# The single arguments Alembic renders plainly, and long names, against the
# REAL Alembic: one revision per golden case of tests/alembic/golden/args/
# that Alembic accepts on the dialect (server_onupdate=, postgresql_include=,
# postgresql_not_valid=, drop_index's postgresql_where=/postgresql_using=,
# op.f() names over 63 characters), made by the real CLI (args_fixture.py).
# TAP; BACKEND=sqlite|pg as in tests/integration/lib.sh.
#   (1) strata apply --dry-run = alembic upgrade head --sql, revision by
#       revision, byte for byte
#   (2) strata apply = alembic upgrade head (schema, rows, alembic_version);
#       alembic current on strata's database names the head, and alembic
#       upgrade head there runs nothing
. "$SRC/tests/interop/alembic/lib.sh"

GOLDEN=$SRC/tests/alembic/golden/args
p=args
if ! "$PY" "$HERE/args_fixture.py" "$T/$p" "$dialect" "$GOLDEN" >"$T/gen.log" 2>&1; then
	echo "Bail out! args_fixture.py failed"
	sed 's/^/# /' "$T/gen.log"
	exit 1
fi
printf 'database: %s\nsources:\n  - name: app\n    format: alembic\n    path: migrations/versions\n' \
	"$(surl "$p")" >"$T/$p/strata.yaml"
head=$(rev "$p" "$(names "$p" | tail -1)")
check "the project has a revision per accepted case" test "$(names "$p" | wc -l)" -ge 5

# ---------------------------------------------------------------- (1)
fresh args_d
sr "$p" args_d apply --dry-run
check "(1) strata apply --dry-run exits 0" rc_is 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/err"
cp "$T/out" "$T/strata.sql"
alsql "$p" upgrade head
check "(1) alembic upgrade head --sql exits 0" rc_is 0
cp "$T/out" "$T/alembic.sql"
"$PY" "$HERE/blocks.py" strata "$T/strata.sql" "$T/blk/s"
"$PY" "$HERE/blocks.py" alembic "$T/alembic.sql" "$T/blk/a"
for nm in $(names "$p"); do
	id=$(rev "$p" "$nm")
	if [ ! -f "$T/blk/s/$id.raw" ]; then
		not_ok "(1) $nm: SQL = alembic --sql's, byte for byte"
		echo "# no block for app:$id in strata's --dry-run output"
		continue
	fi
	check "(1) $nm: alembic printed SQL for it" test -s "$T/blk/a/$id.raw"
	same "(1) $nm: SQL = alembic --sql's, byte for byte" "$(cat "$T/blk/s/$id.raw")" "$(cat "$T/blk/a/$id.raw")"
done

# ---------------------------------------------------------------- (2)
fresh args_s args_a
sr "$p" args_s apply
check "(2) strata apply exits 0" rc_is 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/err"
al "$p" args_a upgrade head
check "(2) alembic upgrade head exits 0" rc_is 0
check "(2) alembic's alembic_version holds the head" eq "$(versions args_a)" "$head"
same "(2) schema after strata apply = after alembic upgrade head" "$(schema args_s)" "$(schema args_a)"
same "(2) alembic_version rows = alembic's" "$(versions args_s)" "$(versions args_a)"
al "$p" args_s current
check "(2) alembic current on strata's database exits 0" rc_is 0
check "(2) alembic current on strata's database names the head" grep -q "^$head (head)" "$T/out"
before=$(state args_s)
al "$p" args_s upgrade head
check "(2) alembic upgrade head after strata apply exits 0" rc_is 0
check "(2) ... runs no revision" err_lacks "Running upgrade"
same "(2) ... and changes nothing" "$(state args_s)" "$before"

done_testing
