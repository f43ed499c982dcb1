#!/usr/bin/env bash
# gen.sh N DIR: a golang-migrate folder of N migrations in DIR/migrations, a
# strata.yaml for it, and DIR/all_tx.sql: the same SQL with the same
# per-migration BEGIN/COMMIT, for the sqlite3 shell.
set -euo pipefail
N=${1:?usage: gen.sh N DIR} DIR=${2:?usage: gen.sh N DIR}
mkdir -p "$DIR/migrations"
cat >"$DIR/strata.yaml" <<YAML
database: sqlite:bench.db
sources:
  - name: bench
    format: sqlpair
    path: migrations
    layout: golang-migrate
YAML
python3 - "$N" "$DIR" <<'PY'
import os, sys
n, d = int(sys.argv[1]), sys.argv[2]
with open(os.path.join(d, "all_tx.sql"), "w") as all_sql:
    for i in range(1, n + 1):
        up = (f"CREATE TABLE t_{i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
              f"INSERT INTO t_{i} (name) VALUES ('row {i}');\n")
        with open(os.path.join(d, "migrations", f"{i:06d}_create_t_{i}.up.sql"), "w") as f:
            f.write(up)
        with open(os.path.join(d, "migrations", f"{i:06d}_create_t_{i}.down.sql"), "w") as f:
            f.write(f"DROP TABLE t_{i};\n")
        all_sql.write("BEGIN;\n" + up + "COMMIT;\n")
PY
