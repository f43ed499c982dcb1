#!/usr/bin/env bash
# ./dev demo's script on the example repository: it runs, and ends with the
# state its closing text describes (three histories, 6 migrations, the
# newest rolled back, alembic_version at the Alembic head).
. "$(dirname "$0")/lib.sh"
set +e
bash "$SRC/docs/examples/demo.sh" "$STRATA" >"$T/out" 2>"$T/err"
rc=$?
set -e
# The demo leaves its copy for the user to explore; not the test's.
work=$(sed -n 's/^example repository copied to \(\/tmp\/strata-demo\.[A-Za-z0-9]*\) .*/\1/p' "$T/out")
[ -n "$work" ] && rm -rf "$work"
check "demo exits 0" rc_is 0
check "ledger of 6 migrations from three histories" out_has "6 migrations"
check "final status: 5 applied, 1 rolled back" out_has "6 migrations: 5 applied, 1 rolled_back"
check "the Alembic revisions were applied" grep -qE '^reports:8e4d0c5a2b61 +applied +daily totals view' "$T/out"
check "alembic_version holds the Alembic head" grep -qx '8e4d0c5a2b61' "$T/out"
check "nothing on stderr" eq "$(cat "$T/err")" ""
done_testing
