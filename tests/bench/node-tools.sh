#!/usr/bin/env bash
# node-tools.sh STRATA [N]: N migrations (default 200, each one CREATE
# TABLE) applied by strata and by the real tool on fresh databases, then
# each one's "what is pending" on the applied database:
#   knex 3.3.0 on SQLite: strata apply / status vs knex migrate:latest / migrate:list
#   PostgreSQL (STRATA_TEST_PG set, as tests/pg/cluster.sh's env): the same
#   for knex, and node-pg-migrate 8.0.4 up / up --dry-run.
# Wall-clock seconds of one run each, node's start-up included (that is
# what a user waits for).  Needs tests/interop/node/setup.sh's install.
set -euo pipefail
STRATA=${1:?usage: node-tools.sh STRATA [N]}
N=${2:-200}
STRATA=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
H=$SRC/tests/interop/node
export STRATA_FORMATS_PATH=$SRC/formats
bash "$H/setup.sh" >/dev/null
work=$(mktemp -d /tmp/strata-nodebench.XXXXXX)
dbs=()
cleanup() {
	local d
	for d in "${dbs[@]}"; do psql -q -d "$STRATA_TEST_PG" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
	rm -rf "$work"
}
trap cleanup EXIT
python3 - "$work" "$N" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{root}/knex/sql"); os.makedirs(f"{root}/npm")
for i in range(1, n + 1):
    k = f"{20240000000000 + i}_t{i}"
    open(f"{root}/knex/sql/{k}.up.sql", "w").write(f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY);\n")
    open(f"{root}/knex/sql/{k}.down.sql", "w").write(f"DROP TABLE t{i};\n")
    open(f"{root}/knex/{k}.js", "w").write(
        "const fs = require('fs'), path = require('path');\n"
        f"exports.up = (k) => k.raw(fs.readFileSync(path.join(__dirname, 'sql', '{k}.up.sql'), 'utf8'));\n"
        f"exports.down = (k) => k.raw(fs.readFileSync(path.join(__dirname, 'sql', '{k}.down.sql'), 'utf8'));\n")
    open(f"{root}/npm/{1700000000000 + i}_t{i}.sql", "w").write(
        f"-- Up Migration\nCREATE TABLE t{i} (id INTEGER PRIMARY KEY);\n-- Down Migration\nDROP TABLE t{i};\n")
PY
cd "$work"
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }
cfg() { printf 'database: %s\nsources:\n  - {name: app, format: sqlpair, path: %s, layout: %s%s}\n' "$1" "$2" "$3" "${4:+, tracker: $4}" >"$5"; }
pgdb() { local d=strata_nodebench_$1_$$; psql -q -d "$STRATA_TEST_PG" -c "CREATE DATABASE $d" >/dev/null; dbs+=("$d"); echo "${STRATA_TEST_PG%%/postgres*}/$d${STRATA_TEST_PG#*/postgres}"; }
row() { printf '%-28s %4d migrations  strata apply %6.2f s  %-22s %6.2f s   strata status %5.2f s  %-16s %5.2f s\n' "$@"; }

cfg "sqlite:$work/s.db" knex knex "" s.yaml
a=$(secs "$STRATA" -c s.yaml apply); b=$(secs bash "$H/run-knex.sh" "sqlite:$work/k.db" knex migrate:latest)
c=$(secs "$STRATA" -c s.yaml status); d=$(secs bash "$H/run-knex.sh" "sqlite:$work/s.db" knex migrate:list)
row "knex, SQLite" "$N" "$a" "knex migrate:latest" "$b" "$c" "migrate:list" "$d"
if [ -n "${STRATA_TEST_PG:-}" ]; then
	u1=$(pgdb ks) u2=$(pgdb kk)
	cfg "$u1" knex knex "" p.yaml
	a=$(secs "$STRATA" -c p.yaml apply); b=$(secs bash "$H/run-knex.sh" "$u2" knex migrate:latest)
	c=$(secs "$STRATA" -c p.yaml status); d=$(secs bash "$H/run-knex.sh" "$u1" knex migrate:list)
	row "knex, PostgreSQL" "$N" "$a" "knex migrate:latest" "$b" "$c" "migrate:list" "$d"
	u1=$(pgdb ns) u2=$(pgdb nn)
	cfg "$u1" npm node-pg-migrate "" n.yaml
	a=$(secs "$STRATA" -c n.yaml apply); b=$(secs bash "$H/run-node-pg-migrate.sh" "$u2" npm up)
	c=$(secs "$STRATA" -c n.yaml status); d=$(secs bash "$H/run-node-pg-migrate.sh" "$u1" npm up --dry-run)
	row "node-pg-migrate, PostgreSQL" "$N" "$a" "node-pg-migrate up" "$b" "$c" "up --dry-run" "$d"
fi
