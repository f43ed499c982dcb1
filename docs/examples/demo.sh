#!/usr/bin/env bash
# ./dev demo: strata's main job on the example repository, on an embedded
# SQLite database in a temporary folder.  Usage: demo.sh PATH/TO/strata
set -euo pipefail
STRATA=${1:?usage: demo.sh PATH/TO/strata}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/strata-demo.XXXXXX)
cp -r "$here/shop/." "$work/"
cd "$work"
step() { printf '\n\033[1m$ strata %s\033[0m\n' "$*"; }
run() { step "$*"; set +e; "$STRATA" "$@"; rc=$?; set -e; echo "(exit $rc)"; }

echo "example repository copied to $work (database: $work/shop.db)"
run plugins
run ledger
run status
run apply
run status
run rollback
run status
printf "\n\033[1m# what is in the database now\033[0m\n"
sqlite3 shop.db "SELECT id, state, finished_at FROM strata_ledger ORDER BY id;"
sqlite3 shop.db ".tables"
printf '\n\033[1m# alembic_version, as `alembic current` reads it\033[0m\n'
sqlite3 shop.db "SELECT version_num FROM alembic_version;"
cat <<TXT

What happened:
 - strata read three histories (legacy numbered SQL with rollback files, an
   Alembic versions folder whose op.* calls it translated to SQL without
   Python, and a dbmate folder) and merged them into one ordered ledger of 6
   migrations;
 - status reported them pending (exit 3);
 - apply ran each one in its own transaction, recording it in strata_ledger
   (and the Alembic head in alembic_version, as Alembic itself would);
 - rollback ran the newest migration's down script (order_lines is gone);
 - status now shows 5 applied and 1 rolled back (exit 3: something to apply).
Try: $STRATA -C $work apply --dry-run
TXT
