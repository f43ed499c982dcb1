#!/usr/bin/env bash
# strata.yaml: errors with file:line:col, ${VAR}, database precedence, -C/-c.
. "$(dirname "$0")/lib.sh"
make_project 2

printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n   path: db\n' "$(db_url app)" >bad.yaml
run -c bad.yaml status
check "malformed YAML: exit 1" rc_is 1
check "malformed YAML: file:line:col" err_has "strata: error: bad.yaml:5:"

printf 'databse: %s\n' "$(db_url app)" >typo.yaml
run -c typo.yaml status
check "unknown key: exit 1" rc_is 1
check "unknown key: exact line" err_is "strata: error: typo.yaml:1:1: unknown key 'databse' (hint: known keys: database, sources, order, merge, plugin_path, lock_timeout, session, single_transaction)"

printf 'sources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layuot: dbmate\n' >opt.yaml
run -c opt.yaml ledger
check "unknown format option: exit 1" rc_is 1
check "unknown format option: file:line" err_is "strata: error: opt.yaml:5: unknown key 'layuot' for format 'sqlpair' (source 'app') (hint: known keys: name, format, path, tracker, dialect, retired, layout)"

# tracker: a name, a list or none; unknown names are refused where written.
printf 'sources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    tracker: nosuch\n' >trk.yaml
run -c trk.yaml ledger
check "unknown tracker: exit 1" rc_is 1
check "unknown tracker: file:line" err_has "strata: error: trk.yaml:5: source 'app': unknown tracker 'nosuch' (hint: known trackers: alembic,"
check "unknown tracker: the way out" err_has "; or  tracker: none  (strata_ledger only))"
# tracker: none on a Prisma source: strata_ledger only, no _prisma_migrations.
mkdir -p pr/migrations/20240101000000_init
printf 'CREATE TABLE pr_t (id INTEGER PRIMARY KEY);\n' >pr/migrations/20240101000000_init/migration.sql
printf 'database: %s\nsources:\n  - name: pr\n    format: prisma\n    path: pr/migrations\n    tracker: none\n' "$(db_url trknone)" >trk4.yaml
run -c trk4.yaml apply
check "tracker none: apply exit 0" rc_is 0
check "tracker none: no _prisma_migrations" eq "$(has_table trknone _prisma_migrations pr_t)" 1
check "tracker none: recorded in strata_ledger" eq "$(q trknone "SELECT id FROM strata_ledger")" "pr:20240101000000_init"
printf 'database: %s\nsources:\n  - name: pr\n    format: prisma\n    path: pr/migrations\n' "$(db_url trkdef)" >trk5.yaml
run -c trk5.yaml apply
check "default tracker of prisma: _prisma_migrations written" eq "$(q trkdef "SELECT migration_name FROM _prisma_migrations")" "20240101000000_init"
printf 'sources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    tracker: [none, prisma]\n' >trk2.yaml
run -c trk2.yaml ledger
check "tracker none in a list: exit 1" rc_is 1
check "tracker none in a list: file:line" err_is "strata: error: trk2.yaml:5:14: tracker 'none' in a list of trackers (hint: write  tracker: none  alone, or list the trackers)"
printf 'sources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    tracker: [prisma, prisma]\n' >trk3.yaml
run -c trk3.yaml ledger
check "tracker named twice: exit 1" rc_is 1
check "tracker named twice: file:line" err_is "strata: error: trk3.yaml:5:14: tracker 'prisma' is named twice (hint: name each tracker once)"

printf 'sources:\n  - name: app\n    format: nosuch\n    path: db/migrations\n' >fmt.yaml
run -c fmt.yaml ledger
check "unknown format: exit 1" rc_is 1
check "unknown format: message" err_is "strata: error: fmt.yaml:2: source 'app': no plugin reads format 'nosuch' (hint: \`strata plugins\` lists the formats available)"

printf 'database: ${STRATA_TEST_DB}\nsources:\n  - name: app\n    format: sqlpair\n    path: ${STRATA_TEST_DIR:-db/migrations}\n    layout: dbmate\n' >env.yaml
run -c env.yaml status
check "unset variable: exit 1" rc_is 1
check "unset variable: named with its position" err_is "strata: error: env.yaml:1:11: environment variable 'STRATA_TEST_DB' is not set (hint: export it, set it in .env, or write \${NAME:-default})"
STRATA_TEST_DB=$(db_url env) run -c env.yaml apply
check "\${VAR} and \${VAR:-default} substituted" rc_is 0
check "database from the variable" db_used env

# Precedence: --db > DATABASE_URL > config > sqlite:strata.db
run apply
check "config database used" db_used app
DATABASE_URL=$(db_url fromenv) run apply
check "DATABASE_URL beats the config" db_used fromenv
DATABASE_URL=$(db_url fromenv2) run --db "$(db_url fromflag)" apply
check "--db beats DATABASE_URL" db_used fromflag
check "… and DATABASE_URL was not used" eq "$(has_table fromenv2 strata_ledger)" 0
if sqlite; then
	sed -i '/^database:/d' strata.yaml
	run apply
	check "default sqlite:strata.db" test -e strata.db
fi

# -C and relative paths: paths are relative to the config file.
cd /
run -C "$T" status
check "-C DIR runs in DIR" rc_is 0
run -c "$T/strata.yaml" --db "$(pick "sqlite:$T/strata.db" "$(db_url app)")" status
check "-c from elsewhere: paths resolve next to the config" rc_is 0
cd "$T"

# Passwords never printed: a scheme no driver takes, and URLs the PostgreSQL
# driver takes but cannot connect with (nothing listens on port 1).
run --db 'mysql://alice:s3cret@db.example.com/app' status
check "unknown scheme: exit 1" rc_is 1
check "password redacted in the error" err_is "strata: error: mysql://alice:***@db.example.com/app: no driver for URL scheme 'mysql' (hint: URLs look like sqlite:app.db; \`strata plugins\` lists the drivers)"
check "password never printed" bash -c "! grep -q s3cret '$T/out' '$T/err'"

run --db 'postgresql://alice:s3cret@127.0.0.1:1/app' status
check "PostgreSQL URL, no server: exit 1" rc_is 1
check "PostgreSQL URL: password redacted in the error" err_is "strata: error: postgresql://alice:***@127.0.0.1:1/app: connection to server at \"127.0.0.1\", port 1 failed: Connection refused; Is the server running on that host and accepting TCP/IP connections?"
check "PostgreSQL URL: password never printed" bash -c "! grep -q s3cret '$T/out' '$T/err'"

run --db 'host=127.0.0.1 port=1 password=hunter2 dbname=app' status
check "conninfo string, no server: exit 1" rc_is 1
check "conninfo password redacted" err_is "strata: error: host=127.0.0.1 port=1 password=*** dbname=app: connection to server at \"127.0.0.1\", port 1 failed: Connection refused; Is the server running on that host and accepting TCP/IP connections?"
check "conninfo password never printed" bash -c "! grep -q hunter2 '$T/out' '$T/err'"

STRATA_TEST_DB= run -c env.yaml status
check "empty variable without default: exit 1" rc_is 1
check "empty variable named" err_has "environment variable 'STRATA_TEST_DB' is empty"

STRATA_LOCK_TIMEOUT_MS=abc run status
check "STRATA_LOCK_TIMEOUT_MS must be a number" err_has "STRATA_LOCK_TIMEOUT_MS='abc' is not a number"

if sqlite; then
	# lock_timeout from the config reaches the SQLite driver: another writer holds
	# the lock until told to let go (not for a fixed time: strata under valgrind
	# on a busy machine starts slowly); with lock_timeout 200ms strata gives up
	# instead of waiting.
	q lock "CREATE TABLE held (id INTEGER);"
	mkfifo release
	(echo "BEGIN IMMEDIATE; INSERT INTO held VALUES (1);"; read -r _ <release; echo "COMMIT;") |
		sqlite3 lock.db &
	holder=$!
	# Held once another writer cannot begin (busy_timeout 0: it fails at once).
	for _ in $(seq 200); do
		sqlite3 lock.db "PRAGMA busy_timeout=0; BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1 || break
		sleep 0.05
	done
	printf 'database: %s\nlock_timeout: 200ms\nsources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' "$(db_url lock)" >lock.yaml
	run -c lock.yaml apply
	check "lock_timeout: gives up while another writer holds the lock" rc_is 1
	check "lock_timeout: says the database is locked" err_has "locked"
	check "lock_timeout: nothing applied meanwhile" eq "$(has_table lock t1)" 0
	timeout 10 bash -c "echo >release" || true # the holder may be gone already
	wait "$holder"
	run -c lock.yaml apply
	check "after the lock is released apply works" rc_is 0

	# SQLite URL forms.
	run --db 'sqlite:?PASSWORD=hunter3' status
	check "invalid SQLite URL: exit 1" rc_is 1
	check "invalid SQLite URL: redacted URL named, any case" err_is "strata: error: sqlite:?PASSWORD=***: invalid SQLite URL: no file path (hint: write sqlite:PATH, sqlite:///ABSOLUTE/PATH or file:PATH)"
	run --db "sqlite:///$T/abs.db" apply
	check "sqlite:///absolute" test -e "$T/abs.db"
	run --db "file:./prisma-style.db" apply
	check "file: URL (Prisma style)" test -e prisma-style.db
	# No plugin file is named after "file": status's database thread finds no
	# driver aside and the ordinary loader takes over after the scan.
	run --db "file:./prisma-style.db" status
	check "file: URL: status through the loader's fallback, up to date" rc_is 0
	check "file: URL: status lists the applied migrations" out_has "2 migrations: 2 applied"
	run --db "sqlite:nodir/x.db" apply
	check "missing directory: exit 1" rc_is 1
	check "missing directory named" err_has "directory 'nodir' does not exist"
else
	# lock_timeout from the config reaches the PostgreSQL driver: a first apply
	# holds strata's migration lock while its migration sleeps 3 s; a second one
	# with lock_timeout 200ms gives up, naming the holder, and nothing runs twice.
	mkdir -p slow
	printf 'SELECT pg_sleep(3);\nCREATE TABLE slow1 (id INTEGER);\n' >slow/1_slow.up.sql
	printf 'CREATE TABLE slow2 (id INTEGER);\n' >slow/2_after.up.sql
	printf 'database: %s\nlock_timeout: 200ms\nsources:\n  - name: slow\n    format: sqlpair\n    path: slow\n    layout: golang-migrate\n' "$(db_url lock)" >lock.yaml
	"$STRATA" -c lock.yaml --lock-timeout 30s apply >"$T/holder.out" 2>"$T/holder.err" &
	holder=$!
	sleeping="SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep(3)%'"
	for _ in $(seq 1 100); do
		[ -n "$(q lock "$sleeping")" ] && break
		sleep 0.1
	done
	locker=$(q lock "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()")
	check "lock_timeout: the first apply holds the lock while it runs" test -n "$locker"
	run -c lock.yaml apply
	check "lock_timeout: gives up while another apply holds the lock" rc_is 1
	check "lock_timeout: names the holder" err_is "strata: error: could not take the migration lock within 200 ms: held by strata (pid $holder) (server pid $locker) (hint: another strata is applying migrations; wait for it or raise --lock-timeout)"
	set +e; wait "$holder"; hrc=$?; set -e
	check "the first apply finishes: exit 0" eq "$hrc" 0
	check "each migration ran once" eq "$(qlist lock "SELECT id || '=' || state FROM strata_ledger ORDER BY id")" "slow:1=applied,slow:2=applied"
	check "… its tables exist" eq "$(has_table lock slow1 slow2)" 2
	run -c lock.yaml apply
	check "after the lock is released apply works" rc_is 0
	check "… with nothing left to do" out_has "0 migrations applied"

	# PostgreSQL URL forms: postgres://, a conninfo string, ?schema=NAME.
	run --db "$(db_url forms | sed 's/^postgresql:/postgres:/')" apply
	check "postgres:// URL: apply exits 0" rc_is 0
	check "postgres:// URL: tables created" eq "$(has_table forms strata_ledger t1 t2)" 3
	run --db "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$(pg_name forms)" status
	check "conninfo string: status up to date" rc_is 0
	run --db "$(db_url forms schema=s1)" apply
	check "?schema=NAME: apply exits 0" rc_is 0
	check "?schema=NAME: ledger and tables in that schema" eq "$(q forms "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 's1' AND tablename IN ('strata_ledger','t1','t2')")" 3
	check "?schema=NAME: its own ledger" eq "$(q forms "SELECT count(*) FROM s1.strata_ledger")" 2
	run --db "$(db_url forms schema=s1)" status
	check "?schema=NAME: status up to date" rc_is 0
	nodb="postgresql://$PGUSER@/strata_no_such_db?host=$PGHOST&port=$PGPORT"
	run --db "$nodb" status
	check "database that does not exist: exit 1" rc_is 1
	check "database that does not exist named" err_is "strata: error: $nodb: connection to server on socket \"$PGHOST/.s.PGSQL.$PGPORT\" failed: FATAL:  database \"strata_no_such_db\" does not exist"
fi
# dialect: the source is read only for a database of that dialect
# (formats/dialects.yaml names them, aliases too); an unknown one is refused
# where written, before the database is touched.
dia_yaml() { printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n    dialect: %s\n' "$(db_url "$1")" "$2"; }
dia_yaml dia h3 >dia.yaml
run -c dia.yaml apply
check "unknown dialect: exit 1" rc_is 1
check "unknown dialect: file:line:col, the known names" err_is "strata: error: dia.yaml:7:14: source 'app': unknown dialect 'h3' (hint: known dialects (formats/dialects.yaml): postgresql, sqlite, mysql, mariadb, h2, hsqldb, derby, sqlserver, oracle, db2, cockroachdb, redshift, snowflake, clickhouse, firebird, informix, sybase, saphana, spanner)"
not_used() { ! db_used "$1"; }
check "unknown dialect: database untouched" not_used dia
dia_yaml diae "''" >diae.yaml
run -c diae.yaml status
check "empty dialect: exit 1" rc_is 1
check "empty dialect: file:line:col" err_has "strata: error: diae.yaml:7:14: dialect is empty"
# An alias (PG is postgresql): read on PostgreSQL, left out on SQLite.
dia_yaml diaa PG >diaa.yaml
run -c diaa.yaml status
if pg; then
	check "dialect alias PG on PostgreSQL: the source is read" out_has "app:0001"
	check "dialect alias PG on PostgreSQL: nothing left out" out_lacks "left out"
else
	check "dialect alias PG on SQLite: left out, said in one line" eq "$(sed -n 2p "$T/out")" "left out: app (dialect postgresql, the database is sqlite)"
	check "dialect alias PG on SQLite: no migration listed" out_has "0 migrations:"
fi
run -c diaa.yaml apply
check "dialect: apply exit 0" rc_is 0
check "dialect: only the matching database gets the tables" eq "$(has_table diaa t1 t2)" "$(pick 0 2)"
# The other dialect's source is left out of every command, verify too.
dia_yaml diav "$(pick postgresql sqlite)" >diav.yaml
run -c diav.yaml --json status
check "--json status of a left-out source: left_out" eq "$(jq -c '[.left_out, .migrations]' "$T/out")" "[[{\"source\":\"app\",\"dialect\":\"$(pick postgresql sqlite)\",\"database\":\"$(pick sqlite postgresql)\"}],[]]"
# A typo in the tracker: of a source left out here is still an error here.
{ dia_yaml diat "$(pick postgresql sqlite)"; printf '    tracker: dbmat\n'; } >diat.yaml
run -c diat.yaml status
check "left-out source with an unknown tracker: exit 1, the config line" \
	eq "$rc|$(sed 's/ (hint.*//' "$T/err")" "1|strata: error: diat.yaml:8: source 'app': unknown tracker 'dbmat'"
check "... and nothing written" not_used diat
done_testing
