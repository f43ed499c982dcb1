#!/usr/bin/env bash
# strata convert from a history made for the REAL Alembic (fixtures.py ops:
# a linear chain, one revision per op.* kind, made by `alembic init` and
# `alembic revision`), into the formats of two other real tools:
#   A: `alembic upgrade head` on an empty database
#   B: `strata convert --to prisma`, then the real `prisma migrate deploy` of
#      the folders on an empty database
#   C: `strata convert --to sqlpair:dbmate`, then the real `dbmate up`
# A, B and C have the same schema (pg_dump -s / sqlite_master, each tool's
# tracking table left out).  TAP; BACKEND=sqlite|pg.
. "$SRC/tests/interop/alembic/lib.sh"
export STRATA_PRISMA_HOME=${STRATA_PRISMA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/prisma}
export STRATA_DBMATE_HOME=${STRATA_DBMATE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/dbmate}
if ! bash "$SRC/tests/interop/prisma/setup.sh" "$STRATA_PRISMA_HOME" >"$T/setup.log" 2>&1 ||
	! bash "$SRC/tests/interop/dbmate/setup.sh" "$STRATA_DBMATE_HOME" >>"$T/setup.log" 2>&1; then
	echo "Bail out! Prisma or dbmate not installed (tests/interop/prisma/setup.sh, tests/interop/dbmate/setup.sh)"
	sed 's/^/# /' "$T/setup.log"
	exit 1
fi
DBMATE=$STRATA_DBMATE_HOME/node_modules/@dbmate/linux-x64/bin/dbmate
unset DEBUG NODE_OPTIONS

# Each tool's URL of database NAME.
purl() { if sqlite; then echo "file:$T/${1%.db}.db"; else db_url "$1"; fi; }
durl() {
	if sqlite; then echo "sqlite:$T/$1.db"; else
		local u; u=$(db_url "$1"); local d=${u#*@/}; d=${d%%\?*}
		echo "postgres://$PGUSER@/$d?socket=$PGHOST&port=$PGPORT&sslmode=disable"
	fi
}
# tool COMMAND…: output in $T/out and $T/err, exit code in $rc.
tool() { set +e; "$@" >"$T/out" 2>"$T/err"; rc=$?; set -e; }
# The schema of NAME without the tracking tables of Alembic, Prisma, dbmate, strata.
TRACKING="alembic_version _prisma_migrations schema_migrations strata_ledger"
tschema() {
	if sqlite; then
		q "$1" "SELECT type, name, tbl_name, replace(sql, char(9), '    ') FROM sqlite_master
			WHERE tbl_name NOT IN ('alembic_version', '_prisma_migrations', 'schema_migrations', 'strata_ledger')
			ORDER BY name, type"
	else
		local t x=()
		for t in $TRACKING; do x+=(-T "$t"); done
		pg_dump -s --no-owner "${x[@]}" -d "$(db_url "$1")" |
			grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' -e '^\\restrict' -e '^\\unrestrict' -e '^$' || true
	fi
}

project ops ops "$dialect" .
N=$(names ops | wc -l)
check "the Alembic project: $N revisions (more than 5)" test "$N" -gt 5

# ---- A: the real Alembic ----
fresh conv_a conv_b conv_c
al ops conv_a upgrade head
check "A: alembic upgrade head exits 0" rc_is 0
A=$(tschema conv_a)
check "A: a schema was made" test -n "$A"

# ---- B: strata convert --to prisma, the real prisma migrate deploy ----
sr ops conv_a convert --to prisma --out "$T/ops_prisma/migrations"
check "convert --to prisma: exit 0" rc_is 0
check "convert --to prisma: every revision written" out_has "wrote $N of $N migrations to $T/ops_prisma/migrations (prisma, $dialect)"
check "convert --to prisma: $N folders and the lock file" eq "$(ls "$T/ops_prisma/migrations" | wc -l)" "$((N + 1))"
tool bash "$SRC/tests/interop/prisma/run-prisma.sh" "$(purl conv_b)" "$T/ops_prisma" migrate deploy
check "B: prisma migrate deploy exits 0" rc_is 0
check "B: prisma applied every folder" grep -qF "$N migrations found in prisma/migrations" "$T/out"
check "B: _prisma_migrations has a finished row per folder" eq \
	"$(q conv_b "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL")" "$N"
same "B = A: schema after prisma migrate deploy = after alembic upgrade head" "$(tschema conv_b)" "$A"
tool bash "$SRC/tests/interop/prisma/run-prisma.sh" "$(purl conv_b)" "$T/ops_prisma" migrate status
check "B: prisma migrate status: up to date (exit 0)" rc_is 0

# ---- C: strata convert --to sqlpair:dbmate, the real dbmate up ----
sr ops conv_a convert --to sqlpair:dbmate --out "$T/ops_dbmate/db/migrations"
check "convert --to sqlpair:dbmate: exit 0" rc_is 0
check "convert --to sqlpair:dbmate: every revision written" out_has "wrote $N of $N migrations"
set +e
(cd "$T/ops_dbmate" && "$DBMATE" --no-dump-schema --url "$(durl conv_c)" up) >"$T/out" 2>"$T/err"
rc=$?
set -e
check "C: dbmate up exits 0" rc_is 0
check "C: schema_migrations has a row per file" eq "$(q conv_c "SELECT count(*) FROM schema_migrations")" "$N"
same "C = A: schema after dbmate up = after alembic upgrade head" "$(tschema conv_c)" "$A"

# ---- the downs: dbmate rollback of every file = alembic downgrade base ----
rc=0
for i in $(seq 1 "$N"); do
	(cd "$T/ops_dbmate" && "$DBMATE" --no-dump-schema --url "$(durl conv_c)" rollback) >"$T/out" 2>"$T/err" || { rc=$?; break; }
done
check "C: dbmate rollback of every file exits 0" rc_is 0
al ops conv_a downgrade base
check "A: alembic downgrade base exits 0" rc_is 0
check "C: no rows left in schema_migrations" eq "$(q conv_c "SELECT count(*) FROM schema_migrations")" 0
same "C = A after the downs (dbmate rollback, alembic downgrade base)" "$(tschema conv_c)" "$(tschema conv_a)"

# ---- D: strata convert --to alembic into a project of the real `alembic init`,
# then the real `alembic upgrade head` (and --sql prints the statements) ----
mkdir -p "$T/alc"
(cd "$T/alc" && "$ALEMBIC" init migrations) >"$T/gen.log" 2>&1
"$PY" - "$T/alc/migrations/env.py" <<'PYEOF'
import sys
p = sys.argv[1]
t = open(p).read()
hook = 'config = context.config\nimport os\nif os.environ.get("ALEMBIC_URL"):\n    config.set_main_option("sqlalchemy.url", os.environ["ALEMBIC_URL"].replace("%", "%%"))\n'
open(p, "w").write(t.replace("config = context.config\n", hook, 1))
PYEOF
sr ops conv_a convert --to alembic --out "$T/alc/migrations/versions"
check "convert --to alembic: exit 0" rc_is 0
check "convert --to alembic: every revision written" out_has "wrote $N of $N migrations to $T/alc/migrations/versions (alembic, $dialect)"
fresh conv_d
al alc conv_d upgrade head
check "D: the real alembic upgrade head of the converted revisions exits 0" rc_is 0
check "D: alembic ran every revision" eq "$(grep -c 'Running upgrade' "$T/err")" "$N"
same "D = A: schema after alembic upgrade head of the converted revisions" "$(tschema conv_d)" "$A"
alsql alc upgrade head
check "D: alembic upgrade head --sql exits 0" rc_is 0
check "D: --sql prints the converted statements (a CREATE TABLE of the first revision)" \
	grep -q '^CREATE TABLE customer' "$T/out"
al alc conv_d downgrade base
check "D: the real alembic downgrade base exits 0" rc_is 0
same "D = A after the downs" "$(tschema conv_d)" "$(tschema conv_a)"
# strata reads the converted revisions back: the same count, in order, runnable
printf 'database: %s\nsources:\n  - name: back\n    format: alembic\n    path: migrations/versions\n' "$(surl conv_e)" >"$T/alc/strata.yaml"
fresh conv_e
run -C "$T/alc" apply
check "E: strata apply of the converted revisions exits 0" rc_is 0
same "E = A: schema after strata apply of the converted revisions" "$(tschema conv_e)" "$A"

done_testing
