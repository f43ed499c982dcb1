#!/usr/bin/env bash
# Error locations in translated Alembic revisions: a statement that fails on
# apply is named by the .py line (and column) of its failing text, not by
# counting the translated SQL's lines from `def upgrade():`.
#   (a) a multi-line op.execute("""…""") whose third line fails
#   (b) a one-line op.execute after ops whose SQL spans several lines
#   (c) the same map for downgrade(): a multi-line op.execute on rollback
# Each: exit 1, the exact error line, the database untouched.
. "$(dirname "$0")/lib.sh"

# rev FILE ID BODY [DOWN]: a revision in Alembic 1.8's template; `def
# upgrade():` is line 19, BODY starts on line 20; DOWN (default `pass`)
# follows `def downgrade():`, two blank lines after BODY.
rev() {
	mkdir -p "$(dirname "$1")"
	cat >"$1" <<PY
"""revision $2

Revision ID: $2
Revises: 
Create Date: 2026-11-21 08:46:19.407874

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '$2'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
$3


def downgrade():
${4:-    pass}
PY
}
surl() { if sqlite; then echo "sqlite:$T/$1.db"; else db_url "$1"; fi; }
project() {
	mkdir -p "$1"
	printf 'database: %s\nsources:\n  - name: app\n    format: alembic\n    path: versions\n' "$(surl "$1")" >"$1/strata.yaml"
}
nocol=$(pick 'no such column: nosuchcol' 'column "nosuchcol" does not exist')
first_err() { head -n 1 "$T/err"; }

# ---- (a) line 24 of the file is the third line of the string (line 21)
project a
rev a/versions/a1_r.py a1 '    op.execute("CREATE TABLE t0 (id INTEGER PRIMARY KEY)")
    op.execute("""
        CREATE TABLE t1 (id INTEGER PRIMARY KEY);
        INSERT INTO t1 VALUES (1);
        INSERT INTO t1 VALUES (1, 2, nosuchcol);
    """)'
check "(a) the failing line is line 24" eq "$(sed -n 24p a/versions/a1_r.py)" "        INSERT INTO t1 VALUES (1, 2, nosuchcol);"
run -C a apply
check "(a) apply exits 1" rc_is 1
check "(a) the error names line 24, column 38 (the string's own line)" eq "$(first_err)" \
	"strata: error: versions/a1_r.py:24:38: $nocol"
check "(a) nothing was created" eq "$(tables a | tr , '\n' | grep -v '^strata_ledger$' | paste -sd, -)" ""

# ---- (b) a one-line op.execute on line 22, after a CREATE TABLE of 4 lines
project b
rev b/versions/b1_r.py b1 '    op.execute("CREATE TABLE t0 (id INTEGER PRIMARY KEY)")
    op.create_table("t2", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO t0 VALUES (1, nosuchcol)")'
check "(b) the failing call is line 22" eq "$(sed -n 22p b/versions/b1_r.py)" '    op.execute("INSERT INTO t0 VALUES (1, nosuchcol)")'
run -C b apply
check "(b) apply exits 1" rc_is 1
check "(b) the error names line 22, column 43 (nosuchcol in the .py line)" eq "$(first_err)" \
	"strata: error: versions/b1_r.py:22:43: $nocol"
check "(b) nothing was created" eq "$(tables b | tr , '\n' | grep -v '^strata_ledger$' | paste -sd, -)" ""

# ---- (c) rollback: line 25 of the file is the second line of the string
project c
rev c/versions/c1_r.py c1 '    op.execute("CREATE TABLE t3 (id INTEGER PRIMARY KEY)")' '    op.execute("""
        INSERT INTO t3 VALUES (1, 2, nosuchcol);
        DROP TABLE t3;
    """)'
check "(c) the failing line is line 25" eq "$(sed -n 25p c/versions/c1_r.py)" "        INSERT INTO t3 VALUES (1, 2, nosuchcol);"
run -C c apply
check "(c) apply exits 0" rc_is 0
run -C c rollback
check "(c) rollback exits 1" rc_is 1
check "(c) the error names line 25, column 38 (the downgrade string's own line)" eq "$(first_err)" \
	"strata: error: versions/c1_r.py:25:38: $nocol"
check "(c) t3 is still there" eq "$(tables c | tr , '\n' | grep -v '^strata_ledger$' | grep -v '^alembic_version$' | paste -sd, -)" "t3"

done_testing
