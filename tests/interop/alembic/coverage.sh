#!/usr/bin/env bash
# coverage.sh: tests/bench/alembic-coverage.py on a tiny tree made by the real
# `alembic init` / `alembic revision` (PostgreSQL dialect: the bench compares
# against `alembic upgrade --sql` for postgresql://; the test cluster's
# STRATA_TEST_PG is where strata's dry runs go). Nine revisions: six that
# strata translates and Alembic renders the same (one only imports a missing
# application module, one reads an assume: value, one has an autocommit
# block), one strata declines (a for loop over range()), one Alembic 1.8.1
# cannot render (sa.UUID, SQLAlchemy 2.0's), one whose type is a stub of a
# missing module on Alembic's side (strata has it from a types: file).
# The counts are asserted; then strata's output is broken three ways through
# --strata-sql-filter (a changed type, a dropped statement, a lost BEGIN;)
# and each must be reported as differing, with exit 1.
set -euo pipefail
: "${STRATA:?}" "${SRC:?}"
PY=/usr/bin/python3
ALEMBIC=/usr/bin/alembic
BENCH=$SRC/tests/bench/alembic-coverage.py
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP VIRTUAL_ENV DATABASE_URL
echo "1..8"
if [ ! -x "$ALEMBIC" ] || ! "$PY" -c 'import alembic, sqlalchemy' 2>/dev/null; then
	echo "Bail out! Alembic not installed: apt-get install alembic python3-sqlalchemy python3-psycopg2"
	exit 1
fi
if [ -z "${STRATA_TEST_PG:-}" ]; then
	echo "Bail out! STRATA_TEST_PG is not set: run ./dev test, which starts the test cluster"
	exit 1
fi
T=$(mktemp -d /tmp/strata-cov-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
export STRATA_ALEMBIC_CACHE=$T/.alembic-memo # the translation memo, not in $HOME
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$T/out"; }

cd "$T"
"$ALEMBIC" init -t generic "$T/proj/alembic" >/dev/null
mv alembic.ini proj/
cd proj
# body NAME: a new revision whose upgrade() will be stdin (application
# imports above a --- line); the bodies go in after the last `alembic
# revision`, which imports every revision file.
mkdir -p "$T/bodies"
body() {
	local f
	f=$("$ALEMBIC" revision -m "$1" | sed -n 's/^ *Generating \(.*\) \.\.\.  done$/\1/p')
	[ -f "$f" ] || { echo "Bail out! alembic revision -m $1 made no file"; exit 1; }
	{ echo "$f"; cat; } >"$T/bodies/$1"
}
fill() {
	"$PY" - "$T"/bodies/* <<'PYEOF'
import sys
for b in sys.argv[1:]:
    f, _, body = open(b).read().partition("\n")
    head, sep, rest = body.partition("\n---\n")
    if not sep:
        head, rest = "", body
    src = open(f).read()
    new = src.replace("def upgrade() -> None:\n    pass\n", "def upgrade() -> None:\n" + rest, 1)
    new = new.replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\n" + head, 1)
    if new.count("def upgrade() -> None:\n" + rest) != 1 or not rest.strip():
        sys.exit(f"{f}: the template's upgrade() was not found")
    open(f, "w").write(new)
PYEOF
}
body r1 <<'EOF'
    op.create_table("t1", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(50)))
EOF
body r2 <<'EOF'
    op.add_column("t1", sa.Column("note", sa.Text()))
EOF
body r3 <<'EOF'
    op.execute("UPDATE t1 SET note = 'x'")
EOF
body r4 <<'EOF'
from myapp.models import Thing  # noqa: F401 (a module nowhere to be found)
---
    op.create_index("ix_t1_name", "t1", ["name"])
EOF
body r5 <<'EOF'
    for i in range(2):
        op.execute(f"UPDATE t1 SET note = 'n{i}'")
EOF
body r6 <<'EOF'
    op.add_column("t1", sa.Column("u", sa.UUID()))
EOF
body r7 <<'EOF'
from myapp.config import settings
---
    op.create_table(settings.audit_table, sa.Column("id", sa.Integer(), primary_key=True))
EOF
body r8 <<'EOF'
from myapp.types import Money
---
    op.add_column("t1", sa.Column("price", Money()))
EOF
body r9 <<'EOF'
    with op.get_context().autocommit_block():
        op.execute("VACUUM t1")
EOF
fill
cat >"$T/types.yaml" <<'EOF'
types:
  Money:
    modules: [myapp.types]
    args: []
    sql:
      - postgresql: NUMERIC(12, 2)
        sqlite: NUMERIC(12, 2)
EOF
cat >"$T/opts.yaml" <<EOF
assume: {settings.audit_table: "audit"}
types: $T/types.yaml
EOF
rev() { sed -n "s/^revision = '\(.*\)'$/\1/p" alembic/versions/*_"$1".py; }
R2=$(rev r2) R9=$(rev r9)

cov() { set +e; "$PY" "$BENCH" "$STRATA" tiny="$T/proj/alembic/versions" --opts tiny="$T/opts.yaml" --pg "$STRATA_TEST_PG" -v "$@" >"$T/out" 2>&1; rc=$?; set -e; }
row() { grep "^$1 " "$T/out" | tr -s ' '; }

cov
if [ $rc -eq 0 ] && [ "$(row tiny)" = "tiny 8/9 89% 6 0 2" ] && [ "$(row total)" = "total 8/9 89% 6 0 2" ]; then
	ok "8/9 translated, 6 identical, 0 differ, 2 that Alembic cannot render"
else not_ok "counts of the tiny tree (rc=$rc)"; fi
if grep -q "^identical: 6 of 6 comparable translated revisions$" "$T/out"; then ok "6 of 6 comparable identical"
else not_ok "the identical line"; fi
if grep -q "^ALEMBIC-FAILED tiny $(rev r6) .*has no attribute 'UUID'" "$T/out" &&
	grep -q "^ALEMBIC-FAILED tiny $(rev r8) .*a stub was used: call of myapp.types.Money()" "$T/out"; then
	ok "sa.UUID (Alembic 1.8.1 fails) and a stub type reaching Alembic's SQL are counted apart, with the reason"
else not_ok "the two revisions Alembic cannot render"; fi

cov --strata-sql-filter "sed 's/^ALTER TABLE t1 ADD COLUMN note TEXT;/ALTER TABLE t1 ADD COLUMN note VARCHAR;/'"
if [ $rc -eq 1 ] && [ "$(row tiny)" = "tiny 8/9 89% 5 1 2" ] && grep -q "^DIFFERS tiny $R2 " "$T/out" &&
	grep -q '^+ALTER TABLE t1 ADD COLUMN note VARCHAR;$' "$T/out" && grep -q '^-ALTER TABLE t1 ADD COLUMN note TEXT;$' "$T/out"; then
	ok "a changed type in strata's SQL differs (exit 1, the diff shown)"
else not_ok "a changed type must differ (rc=$rc)"; fi

cov --strata-sql-filter "sed '/^UPDATE t1 SET note = .x.;$/d'"
if [ $rc -eq 1 ] && [ "$(row tiny)" = "tiny 8/9 89% 5 1 2" ]; then ok "a dropped statement differs"
else not_ok "a dropped statement must differ (rc=$rc)"; fi

# The BEGIN; of r2's block: strata would run it outside a transaction.
cov --strata-sql-filter "awk '/^-- apply app:$R2 /{print; getline; if (\$0 == \"BEGIN;\") next} {print}'"
if [ $rc -eq 1 ] && [ "$(row tiny)" = "tiny 8/9 89% 5 1 2" ] && grep -q "^DIFFERS tiny $R2 " "$T/out"; then
	ok "a transactional revision printed without BEGIN; differs"
else not_ok "a lost BEGIN; must differ (rc=$rc)"; fi

# r9 (autocommit_block): strata prints it without BEGIN/COMMIT; wrapping it
# in a transaction must differ too.
cov --strata-sql-filter "awk '/^-- apply app:$R9 /{print; print \"BEGIN;\"; inb=1; next} inb && /^-- /{print \"COMMIT;\"; print \"\"; inb=0} {print} END{if (inb) {print \"COMMIT;\"; print \"\"}}'"
if [ $rc -eq 1 ] && [ "$(row tiny)" = "tiny 8/9 89% 5 1 2" ] && grep -q "^DIFFERS tiny $R9 " "$T/out"; then
	ok "an autocommit revision printed in a transaction differs"
else not_ok "an autocommit revision wrapped in BEGIN/COMMIT must differ (rc=$rc)"; fi

# Without the assume: value Alembic's side sees a stub for settings.
sed -i '/^assume:/d' "$T/opts.yaml"
cov
if [ "$(row tiny)" = "tiny 7/9 78% 5 0 2" ]; then ok "without assume: strata declines r7"
else not_ok "without assume: (rc=$rc)"; fi
