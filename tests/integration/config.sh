#!/usr/bin/env bash
# strata.yaml: errors with file:line:col, ${VAR}, database precedence, -C/-c.
. "$(dirname "$0")/lib.sh"
make_project 2

printf 'database: sqlite:app.db\nsources:\n  - name: app\n    format: sqlpair\n   path: db\n' >bad.yaml
run -c bad.yaml status
check "malformed YAML: exit 1" rc_is 1
check "malformed YAML: file:line:col" err_has "strata: error: bad.yaml:5:"

printf 'databse: sqlite:x.db\n' >typo.yaml
run -c typo.yaml status
check "unknown key: exit 1" rc_is 1
check "unknown key: exact line" err_is "strata: error: typo.yaml:1:1: unknown key 'databse' (hint: known keys: database, sources, order, merge, plugin_path, lock_timeout, session)"

printf 'sources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layuot: dbmate\n' >opt.yaml
run -c opt.yaml ledger
check "unknown format option: exit 1" rc_is 1
check "unknown format option: file:line" err_is "strata: error: opt.yaml:5: unknown key 'layuot' for format 'sqlpair' (source 'app') (hint: known keys: name, format, path, layout)"

printf 'sources:\n  - name: app\n    format: nosuch\n    path: db/migrations\n' >fmt.yaml
run -c fmt.yaml ledger
check "unknown format: exit 1" rc_is 1
check "unknown format: message" err_is "strata: error: fmt.yaml:2: source 'app': no plugin reads format 'nosuch' (hint: \`strata plugins\` lists the formats available)"

printf 'database: ${STRATA_TEST_DB}\nsources:\n  - name: app\n    format: sqlpair\n    path: ${STRATA_TEST_DIR:-db/migrations}\n    layout: dbmate\n' >env.yaml
run -c env.yaml status
check "unset variable: exit 1" rc_is 1
check "unset variable: named with its position" err_is "strata: error: env.yaml:1:11: environment variable 'STRATA_TEST_DB' is not set (hint: export it, or write \${NAME:-default})"
STRATA_TEST_DB=sqlite:env.db run -c env.yaml apply
check "\${VAR} and \${VAR:-default} substituted" rc_is 0
check "database from the variable" test -e env.db

# Precedence: --db > DATABASE_URL > config > sqlite:strata.db
run apply
check "config database used" test -e app.db
DATABASE_URL=sqlite:fromenv.db run apply
check "DATABASE_URL beats the config" test -e fromenv.db
DATABASE_URL=sqlite:fromenv2.db run --db sqlite:fromflag.db apply
check "--db beats DATABASE_URL" test -e fromflag.db
check "… and DATABASE_URL was not used" test ! -e fromenv2.db
sed -i '/^database:/d' strata.yaml
run apply
check "default sqlite:strata.db" test -e strata.db

# -C and relative paths: paths are relative to the config file.
cd /
run -C "$T" status
check "-C DIR runs in DIR" rc_is 0
run -c "$T/strata.yaml" --db "sqlite:$T/strata.db" status
check "-c from elsewhere: paths resolve next to the config" rc_is 0
cd "$T"

# Passwords never printed.
run --db 'postgresql://alice:s3cret@db.example.com/app' status
check "unknown scheme: exit 1" rc_is 1
check "password redacted in the error" err_is "strata: error: postgresql://alice:***@db.example.com/app: no driver for URL scheme 'postgresql' (hint: URLs look like sqlite:app.db; \`strata plugins\` lists the drivers)"
check "password never printed" bash -c "! grep -q s3cret '$T/out' '$T/err'"

run --db 'host=db.example.com password=hunter2 dbname=app' status
check "conninfo string without a driver: exit 1" rc_is 1
check "conninfo password redacted" err_is "strata: error: host=db.example.com password=*** dbname=app: no driver for this database URL (hint: URLs look like sqlite:app.db; \`strata plugins\` lists the drivers)"
check "conninfo password never printed" bash -c "! grep -q hunter2 '$T/out' '$T/err'"

run --db 'sqlite:?PASSWORD=hunter3' status
check "invalid SQLite URL: exit 1" rc_is 1
check "invalid SQLite URL: redacted URL named, any case" err_is "strata: error: sqlite:?PASSWORD=***: invalid SQLite URL: no file path (hint: write sqlite:PATH, sqlite:///ABSOLUTE/PATH or file:PATH)"

STRATA_TEST_DB= run -c env.yaml status
check "empty variable without default: exit 1" rc_is 1
check "empty variable named" err_has "environment variable 'STRATA_TEST_DB' is empty"

# lock_timeout from the config reaches the SQLite driver: another writer holds
# the lock for 3 s; with lock_timeout 200ms strata gives up instead of waiting.
rm -f lock.db
sqlite3 lock.db "CREATE TABLE held (id INTEGER);"
(echo "BEGIN IMMEDIATE; INSERT INTO held VALUES (1);"; sleep 3; echo "COMMIT;") | sqlite3 lock.db &
holder=$!
sleep 0.5
printf 'database: sqlite:lock.db\nlock_timeout: 200ms\nsources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' >lock.yaml
run -c lock.yaml apply
check "lock_timeout: gives up while another writer holds the lock" rc_is 1
check "lock_timeout: says the database is locked" err_has "locked"
check "lock_timeout: nothing applied meanwhile" eq "$(q lock.db "SELECT count(*) FROM sqlite_master WHERE name='t1'")" 0
wait "$holder"
run -c lock.yaml apply
check "after the lock is released apply works" rc_is 0
STRATA_LOCK_TIMEOUT_MS=abc run -c lock.yaml status
check "STRATA_LOCK_TIMEOUT_MS must be a number" err_has "STRATA_LOCK_TIMEOUT_MS='abc' is not a number"

# SQLite URL forms.
run --db "sqlite:///$T/abs.db" apply
check "sqlite:///absolute" test -e "$T/abs.db"
run --db "file:./prisma-style.db" apply
check "file: URL (Prisma style)" test -e prisma-style.db
run --db "sqlite:nodir/x.db" apply
check "missing directory: exit 1" rc_is 1
check "missing directory named" err_has "directory 'nodir' does not exist"
done_testing
