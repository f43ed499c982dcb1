#!/usr/bin/env bash
# Tracker descriptors (formats/trackers/*.yaml, the tables plugin): for each
# shipped one, the native table's DDL and rows after apply and rollback,
# rows written by hand read back by status; the custom-runner and
# self-recording scenarios; a user's descriptor from STRATA_FORMATS_PATH;
# bad descriptors refused at their line.
. "$(dirname "$0")/lib.sh"

# proj NAME TRACKER [LAYOUT]: ./NAME with two dbmate files, NAME.yaml.
proj() {
	local layout=${3:-dbmate}
	mkdir -p "$1"
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: %s\n    layout: %s\n    tracker: %s\n' \
		"$(db_url "$1")" "$1" "$layout" "$2" >"$1.yaml"
	if [ "$layout" = dbmate ]; then
		printf -- '-- migrate:up\nCREATE TABLE %s_a (id INTEGER);\n-- migrate:down\nDROP TABLE %s_a;\n' "$1" "$1" >"$1/0001_init.sql"
		printf -- '-- migrate:up\nCREATE TABLE %s_b (id INTEGER);\n-- migrate:down\nDROP TABLE %s_b;\n' "$1" "$1" >"$1/0002_more_things.sql"
	fi
}
T_=$(pick 1 t)
F_=$(pick 0 f)
# status lines of NAME: "version state" per migration, joined by ','
states() { "$STRATA" -c "$1.yaml" status --json 2>/dev/null | python3 -c 'import json,sys; print(",".join(m["version"]+" "+m["state"] for m in json.load(sys.stdin)["migrations"]))'; }
# PostgreSQL's view of a table: column:type:nullable, in order
pgcols() { q "$1" "SELECT column_name || ':' || data_type || ':' || is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '$2' ORDER BY ordinal_position" | paste -sd, -; }
ddl() { q "$1" "SELECT sql FROM sqlite_master WHERE name = '$2'"; }
cycle() { # NAME: apply then rollback one, both exit 0
	run -c "$1.yaml" apply
	check "$1: apply exits 0" rc_is 0
}

# ---- dbmate ----
proj dbm dbmate
cycle dbm
check "dbmate: one row per version" eq "$(qlist dbm 'SELECT version FROM schema_migrations ORDER BY version')" "0001,0002"
if sqlite; then
	check "dbmate: dbmate's SQLite DDL" eq "$(ddl dbm schema_migrations)" 'CREATE TABLE "schema_migrations" (version varchar(128) primary key)'
else
	check "dbmate: dbmate's PostgreSQL DDL" eq "$(pgcols dbm schema_migrations)" "version:character varying:NO"
fi
run -c dbm.yaml rollback
check "dbmate: rollback deletes the row" eq "$(qlist dbm 'SELECT version FROM schema_migrations ORDER BY version')" "0001"
q dbm "INSERT INTO schema_migrations (version) VALUES ('0002'), ('0099')"
check "dbmate: rows by hand read back (applied, missing)" eq "$(states dbm)" "0001 applied,0002 applied,0099 missing"

# ---- golang-migrate ----
proj gm golang-migrate golang-migrate
echo 'CREATE TABLE gm_a (id INTEGER);' >gm/1_init.up.sql
echo 'DROP TABLE gm_a;' >gm/1_init.down.sql
echo 'CREATE TABLE gm_b (id INTEGER);' >gm/2_more.up.sql
echo 'DROP TABLE gm_b;' >gm/2_more.down.sql
cycle gm
check "golang-migrate: one row (2, false)" eq "$(qlist gm 'SELECT version, dirty FROM schema_migrations')" "2|$F_"
if sqlite; then
	check "golang-migrate: its SQLite DDL and unique index" eq "$(ddl gm schema_migrations);$(ddl gm version_unique)" \
		'CREATE TABLE schema_migrations (version uint64,dirty bool);CREATE UNIQUE INDEX version_unique ON schema_migrations (version)'
else
	check "golang-migrate: its PostgreSQL DDL" eq "$(pgcols gm schema_migrations)" "version:bigint:NO,dirty:boolean:NO"
fi
run -c gm.yaml rollback
check "golang-migrate: rollback leaves (1, false)" eq "$(qlist gm 'SELECT version, dirty FROM schema_migrations')" "1|$F_"
run -c gm.yaml rollback
check "golang-migrate: rollback of the first empties the table" eq "$(q gm 'SELECT count(*) FROM schema_migrations')" "0"
q gm "INSERT INTO schema_migrations (version, dirty) VALUES (2, $(pick 1 true))"
check "golang-migrate: (2, dirty) by hand reads 1 applied, 2 failed" eq "$(states gm)" "1 applied,2 failed"
q gm "DELETE FROM schema_migrations; INSERT INTO schema_migrations (version, dirty) VALUES (1, $(pick 0 false)), (2, $(pick 0 false))"
run -c gm.yaml status
check "golang-migrate: two rows are refused, naming the table" err_has "schema_migrations has 2 rows; tracker golang-migrate keeps exactly one (version, dirty)"

# ---- rails ----
proj rl rails
cycle rl
check "rails: one row per version" eq "$(qlist rl 'SELECT version FROM schema_migrations ORDER BY version')" "0001,0002"
if sqlite; then
	check "rails: Active Record's SQLite DDL" eq "$(ddl rl schema_migrations)" 'CREATE TABLE "schema_migrations" ("version" varchar NOT NULL PRIMARY KEY)'
else
	check "rails: Active Record's PostgreSQL DDL" eq "$(pgcols rl schema_migrations)" "version:character varying:NO"
fi
run -c rl.yaml rollback
check "rails: rollback deletes the row" eq "$(qlist rl 'SELECT version FROM schema_migrations')" "0001"

# ---- schema-migrations-description, with rows by hand and self-recording files ----
proj smd schema-migrations-description
printf -- "-- migrate:up\nCREATE TABLE smd_c (id INTEGER);\n/* INSERT INTO schema_migrations is in a comment here */\nINSERT INTO schema_migrations (version, description) VALUES ('0003', 'records itself');\n-- migrate:down\nDROP TABLE smd_c;\nDELETE FROM \"schema_migrations\" WHERE version = '0003';\n" >smd/0003_self.sql
q smd "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
q smd "INSERT INTO schema_migrations (version, description) VALUES ('manual_20250129', 'fixed by hand in prod')"
check "smd: a row by hand shows as missing" eq "$(states smd)" "0001 pending,0002 pending,0003 pending,manual_20250129 missing"
run -c smd.yaml apply
check "smd: apply exits 0 (no duplicate key)" rc_is 0
check "smd: the self-recording file is named with its line" err_has "smd/0003_self.sql:4: 0003 records itself in schema_migrations; strata does not write the row again"
check "smd: rows: strata's, the file's own, the hand-written one" eq "$(qlist smd 'SELECT version, description FROM schema_migrations ORDER BY version')" \
	"0001|init,0002|more_things,0003|records itself,manual_20250129|fixed by hand in prod"
check "smd: applied_at written" eq "$(q smd 'SELECT count(*) FROM schema_migrations WHERE applied_at IS NULL')" "0"
check "smd: status after apply" eq "$(states smd)" "0001 applied,0002 applied,0003 applied,manual_20250129 missing"
run -c smd.yaml rollback
check "smd: rollback of a file that deletes its own row exits 0" rc_is 0
check "smd: its row is gone, the others stay" eq "$(qlist smd 'SELECT version FROM schema_migrations ORDER BY version')" "0001,0002,manual_20250129"
run -c smd.yaml apply
check "smd: applied again without a duplicate key" rc_is 0
check "smd: once more, one row for 0003" eq "$(q smd "SELECT count(*) FROM schema_migrations WHERE version = '0003'")" "1"

# ---- migrations-runner: the custom-runner scenario ----
proj mr migrations-runner
q mr "CREATE TABLE migrations (id $(pick TEXT UUID) PRIMARY KEY, version VARCHAR(10) UNIQUE, name VARCHAR(255), checksum VARCHAR(64), applied_at TIMESTAMP, execution_time INTEGER, success BOOLEAN, error TEXT, rolled_back_at TIMESTAMP)"
q mr "CREATE TABLE mr_a (id INTEGER)"
sum_of() { "$STRATA" -c "$1.yaml" ledger --json | python3 -c 'import json,sys; print([m["checksum"] for m in json.load(sys.stdin)["migrations"] if m["version"]==sys.argv[1]][0])' "$2"; }
sum1=$(sum_of mr 0001)
sum2=$(sum_of mr 0002)
q mr "INSERT INTO migrations (id, version, name, checksum, applied_at, execution_time, success) VALUES ('11111111-1111-4111-8111-111111111111', '0001', 'init', '$sum1', CURRENT_TIMESTAMP, 12, $(pick 1 true))"
check "runner: status shows 0001 applied by the team's runner, 0002 pending" eq "$(states mr)" "0001 applied,0002 pending"
run -c mr.yaml apply
check "runner: apply exits 0" rc_is 0
check "runner: apply ran only 0002" out_has "1 migration applied"
check "runner: 0001's row untouched, 0002 written with sha256, success, no error" eq \
	"$(qlist mr "SELECT id, version, name, checksum, success, error IS NULL, rolled_back_at IS NULL FROM migrations ORDER BY version" | sed 's/^[^|]*-4[^|]*|0002/UUID|0002/; s/,[0-9a-f-]\{36\}|0002/,UUID|0002/')" \
	"11111111-1111-4111-8111-111111111111|0001|init|$sum1|$T_|$T_|$T_,UUID|0002|more_things|$sum2|$T_|$T_|$T_"
run -c mr.yaml rollback
check "runner: rollback stamps rolled_back_at, keeps the row" eq "$(qlist mr "SELECT version, rolled_back_at IS NOT NULL FROM migrations ORDER BY version")" "0001|$F_,0002|$T_"
check "runner: status reads rolled_back_at as rolled back" eq "$(states mr)" "0001 applied,0002 rolled_back"
run -c mr.yaml apply
check "runner: re-apply upserts (rolled_back_at cleared)" eq "$(qlist mr "SELECT version, rolled_back_at IS NULL FROM migrations ORDER BY version")" "0001|$T_,0002|$T_"
check "runner: one row per version" eq "$(q mr 'SELECT count(*) FROM migrations')" "2"
q mr "UPDATE migrations SET success = $(pick 0 false), error = 'boom' WHERE version = '0002'"
check "runner: success = false reads as failed" eq "$(states mr)" "0001 applied,0002 failed"
q mr "UPDATE migrations SET success = NULL WHERE version = '0002'"
run -c mr.yaml status
check "runner: a NULL success is an error naming table and row" err_has "migrations, row version '0002': success is 'NULL', expected true or false"
if sqlite; then
	check "runner: the SQLite DDL keeps TEXT for the uuid" bash -c "sqlite3 mr.db \"SELECT sql FROM sqlite_master WHERE name='migrations'\" | grep -q 'id TEXT PRIMARY KEY'"
fi
proj mr2 migrations-runner
cycle mr2
if pg; then
	check "runner: PostgreSQL DDL" eq "$(pgcols mr2 migrations)" \
		"id:uuid:NO,version:character varying:YES,name:character varying:YES,checksum:character varying:YES,applied_at:timestamp without time zone:YES,execution_time:integer:YES,success:boolean:YES,error:text:YES,rolled_back_at:timestamp without time zone:YES"
else
	check "runner: created on SQLite" eq "$(q mr2 'SELECT count(*) FROM migrations')" "2"
fi

# ---- flyway ----
proj fw flyway flyway
printf 'CREATE TABLE fw_a (id INTEGER);\n' >fw/V1__create_a.sql
printf 'CREATE TABLE fw_b (id INTEGER);\r\nINSERT INTO fw_b VALUES (1);\r\n' >fw/V2__add_b_table.sql
printf 'DROP TABLE fw_b;\n' >fw/U2__add_b_table.sql
crc() { python3 -c 'import sys,zlib,ctypes; b=open(sys.argv[1],"rb").read(); b=b[3:] if b[:3]==b"\xef\xbb\xbf" else b; print(ctypes.c_int32(zlib.crc32(b.replace(b"\r",b"").replace(b"\n",b""))).value)' "$1"; }
cycle fw
check "flyway: rows (rank, version, description, type, script, CRC-32, success)" eq \
	"$(qlist fw 'SELECT installed_rank, version, description, type, script, checksum, success FROM flyway_schema_history ORDER BY installed_rank')" \
	"1|1|create a|SQL|V1__create_a.sql|$(crc fw/V1__create_a.sql)|$T_,2|2|add b table|SQL|V2__add_b_table.sql|$(crc fw/V2__add_b_table.sql)|$T_"
check "flyway: installed_by, installed_on, execution_time written" eq "$(q fw 'SELECT count(*) FROM flyway_schema_history WHERE installed_by IS NULL OR installed_on IS NULL OR execution_time IS NULL')" "0"
if sqlite; then
	check "flyway: the success index" eq "$(ddl fw flyway_schema_history_s_idx)" 'CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success")'
else
	check "flyway: Flyway's PostgreSQL DDL" eq "$(pgcols fw flyway_schema_history)" \
		"installed_rank:integer:NO,version:character varying:YES,description:character varying:NO,type:character varying:NO,script:character varying:NO,checksum:integer:YES,installed_by:character varying:NO,installed_on:timestamp without time zone:NO,execution_time:integer:NO,success:boolean:NO"
	check "flyway: primary key and success index" eq "$(qlist fw "SELECT indexname FROM pg_indexes WHERE tablename = 'flyway_schema_history' ORDER BY indexname")" "flyway_schema_history_pk,flyway_schema_history_s_idx"
fi
run -c fw.yaml rollback
check "flyway: rollback appends an UNDO_SQL row" eq "$(qlist fw "SELECT installed_rank, version, type FROM flyway_schema_history WHERE installed_rank = 3")" "3|2|UNDO_SQL"
check "flyway: status reads the undo" eq "$(states fw)" "1 applied,2 rolled_back"
q fw "INSERT INTO flyway_schema_history VALUES (4, '2', 'add b table', 'SQL', 'V2__add_b_table.sql', $(crc fw/V2__add_b_table.sql), 'me', CURRENT_TIMESTAMP, 5, $(pick 0 false))"
check "flyway: a success = false row by hand is failed" eq "$(states fw)" "1 applied,2 failed"
# A database only Flyway touched: its BASELINE row, then a row by hand.
proj fwb flyway flyway
cp fw/*.sql fwb/
q fwb "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL)"
q fwb "INSERT INTO flyway_schema_history VALUES (1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'me', CURRENT_TIMESTAMP, 0, $(pick 1 true))"
check "flyway: a BASELINE row at 1 baselines 1" eq "$(states fwb)" "1 applied,2 pending"
printf '\xef\xbb\xbfCREATE TABLE fw_a (id INTEGER);\r\n' >fwb/V1__create_a.sql
q fwb "INSERT INTO flyway_schema_history VALUES (3, '1', 'create a', 'SQL', 'V1__create_a.sql', $(crc fw/V1__create_a.sql), 'me', CURRENT_TIMESTAMP, 5, $(pick 1 true))"
check "flyway: the CRC-32 ignores a BOM and line endings" eq "$(states fwb)" "1 applied,2 pending"
q fwb "DELETE FROM flyway_schema_history WHERE installed_rank = 3"
q fwb "INSERT INTO flyway_schema_history VALUES (2, '2', 'add b table', 'SQL', 'V2__add_b_table.sql', 12345, 'me', CURRENT_TIMESTAMP, 5, $(pick 1 true))"
check "flyway: a checksum other than the file's reads as modified" eq "$(states fwb)" "1 applied,2 modified"
q fwb "UPDATE flyway_schema_history SET type = 'WHATEVER' WHERE installed_rank = 2"
run -c fwb.yaml status
check "flyway: an unknown type is an error naming the row" err_has "flyway_schema_history, row version '2': type is 'WHATEVER', not a Flyway migration type"

# ---- diesel ----
proj ds diesel
cycle ds
check "diesel: rows" eq "$(qlist ds 'SELECT version, run_on IS NOT NULL FROM __diesel_schema_migrations ORDER BY version')" "0001|$T_,0002|$T_"
pg && check "diesel: PostgreSQL DDL" eq "$(pgcols ds __diesel_schema_migrations)" "version:character varying:NO,run_on:timestamp without time zone:NO"
run -c ds.yaml rollback
check "diesel: rollback deletes" eq "$(qlist ds 'SELECT version FROM __diesel_schema_migrations')" "0001"

# ---- goose ----
proj gs goose
cycle gs
check "goose: its initial 0 row, then one per migration" eq "$(qlist gs 'SELECT version_id, is_applied FROM goose_db_version ORDER BY id')" "0|$T_,1|$T_,2|$T_"
if sqlite; then
	check "goose: SQLite DDL" bash -c "sqlite3 gs.db \"SELECT sql FROM sqlite_master WHERE name='goose_db_version'\" | tr -d '\t\n' | grep -qF \"id INTEGER PRIMARY KEY AUTOINCREMENT,version_id INTEGER NOT NULL,is_applied INTEGER NOT NULL,tstamp TIMESTAMP DEFAULT (datetime('now'))\""
else
	check "goose: PostgreSQL DDL" eq "$(pgcols gs goose_db_version)" "id:integer:NO,version_id:bigint:NO,is_applied:boolean:NO,tstamp:timestamp without time zone:YES"
fi
run -c gs.yaml rollback
check "goose: rollback deletes the version's row" eq "$(qlist gs 'SELECT version_id FROM goose_db_version ORDER BY id')" "0,1"
q gs "INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, $(pick 1 true)), (2, $(pick 0 false))"
check "goose: the newest row decides (is_applied false: rolled back)" eq "$(states gs)" "0001 applied,0002 rolled_back"

# ---- node-pg-migrate ----
proj np node-pg-migrate
cycle np
check "node-pg-migrate: name is the file without extension" eq "$(qlist np 'SELECT name FROM pgmigrations ORDER BY id')" "0001_init,0002_more_things"
pg && check "node-pg-migrate: PostgreSQL DDL" eq "$(pgcols np pgmigrations)" "id:integer:NO,name:character varying:NO,run_on:timestamp without time zone:NO"
run -c np.yaml rollback
check "node-pg-migrate: rollback deletes" eq "$(qlist np 'SELECT name FROM pgmigrations')" "0001_init"

# ---- knex ----
proj kx knex
cycle kx
check "knex: name is the JS file beside the SQL one, one batch per command" eq "$(qlist kx 'SELECT name, batch FROM knex_migrations ORDER BY id')" "0001_init.js|1,0002_more_things.js|1"
printf -- '-- migrate:up\nCREATE TABLE kx_c (id INTEGER);\n-- migrate:down\nDROP TABLE kx_c;\n' >kx/0003_third.sql
run -c kx.yaml apply
check "knex: the next command is batch 2" eq "$(qlist kx 'SELECT name, batch FROM knex_migrations ORDER BY id')" "0001_init.js|1,0002_more_things.js|1,0003_third.js|2"
check "knex: the lock table with its one unlocked row" eq "$(qlist kx 'SELECT is_locked FROM knex_migrations_lock')" "0"
pg && check "knex: PostgreSQL DDL" eq "$(pgcols kx knex_migrations)" "id:integer:NO,name:character varying:YES,batch:integer:YES,migration_time:timestamp with time zone:YES"
sqlite && check "knex: knex's SQLite DDL" eq "$(ddl kx knex_migrations)" 'CREATE TABLE `knex_migrations` (`id` integer not null primary key autoincrement, `name` varchar(255), `batch` integer, `migration_time` datetime)'
# knex binds a Date: better-sqlite3 stores its milliseconds (an integer).
check "knex: migration_time as knex writes it ($(pick 'Unix ms' timestamptz))" eq \
	"$(qlist kx "SELECT count(*) FROM knex_migrations WHERE $(pick "typeof(migration_time) = 'integer' AND migration_time > 1700000000000" "migration_time > '2023-11-14'")")" 3
run -c kx.yaml rollback
check "knex: rollback deletes" eq "$(qlist kx 'SELECT name FROM knex_migrations ORDER BY id')" "0001_init.js,0002_more_things.js"

# ---- typeorm ----
proj to typeorm
cycle to
check "typeorm: timestamp is the version as an integer, name = name + version (TypeORM's class name)" eq "$(qlist to 'SELECT "timestamp", name FROM migrations ORDER BY id')" "1|init0001,2|more_things0002"
if sqlite; then
	check "typeorm: SQLite DDL" eq "$(ddl to migrations)" 'CREATE TABLE "migrations" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "timestamp" bigint NOT NULL, "name" varchar NOT NULL)'
else
	check "typeorm: PostgreSQL DDL and TypeORM's primary key name" eq "$(pgcols to migrations);$(q to "SELECT conname FROM pg_constraint WHERE conrelid = 'migrations'::regclass")" \
		"id:integer:NO,timestamp:bigint:NO,name:character varying:NO;PK_8c82d7f526340ab734260ea46be"
fi
run -c to.yaml rollback
check "typeorm: rollback deletes" eq "$(qlist to 'SELECT "timestamp" FROM migrations')" "1"

# ---- sequelize ----
proj sq sequelize
cycle sq
check "sequelize: name is the JS file beside the SQL one" eq "$(qlist sq 'SELECT name FROM "SequelizeMeta" ORDER BY name')" "0001_init.js,0002_more_things.js"
if sqlite; then
	check "sequelize: SQLite DDL" eq "$(ddl sq SequelizeMeta)" 'CREATE TABLE `SequelizeMeta` (`name` VARCHAR(255) NOT NULL UNIQUE PRIMARY KEY)'
else
	check "sequelize: PostgreSQL DDL" eq "$(pgcols sq SequelizeMeta)" "name:character varying:NO"
fi
run -c sq.yaml rollback
check "sequelize: rollback deletes" eq "$(qlist sq 'SELECT name FROM "SequelizeMeta"')" "0001_init.js"
q sq "INSERT INTO \"SequelizeMeta\" (name) VALUES ('20200101-gone.js')"
check "sequelize: a row no file has is missing, by its name" eq "$(states sq)" "0001 applied,0002 rolled_back,20200101-gone.js missing"
run -c sq.yaml mark app:20200101-gone.js --rolled-back
check "sequelize: mark --rolled-back of it deletes that row" eq "$(qlist sq 'SELECT name FROM "SequelizeMeta"')" "0001_init.js"

# ---- golang-migrate outside a transaction: dirty before the script, kept when it fails ----
proj gd golang-migrate
printf -- '-- migrate:up transaction:false\nCREATE TABLE gd_c (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n-- migrate:down\nDROP TABLE gd_c;\n' >gd/0003_broken.sql
run -c gd.yaml apply
check "golang-migrate: a failing non-transactional file exits 1" rc_is 1
check "golang-migrate: (3, dirty) left behind, as migrate leaves it" eq "$(qlist gd 'SELECT version, dirty FROM schema_migrations')" "3|$T_"
check "golang-migrate: status reads it as failed" eq "$(states gd)" "0001 applied,0002 applied,0003 failed"

# ---- baseline writes the tool's rows ----
proj fbl flyway flyway
cp fw/V1__create_a.sql fw/V2__add_b_table.sql fbl/
run -c fbl.yaml baseline
check "baseline: exit 0" rc_is 0
check "baseline: Flyway rows, type SQL, execution_time 0" eq \
	"$(qlist fbl 'SELECT installed_rank, version, type, execution_time, success FROM flyway_schema_history ORDER BY installed_rank')" "1|1|SQL|0|$T_,2|2|SQL|0|$T_"
proj dbl dbmate
run -c dbl.yaml baseline --to app:0001
check "baseline --to: dbmate's row for 0001 only" eq "$(qlist dbl 'SELECT version FROM schema_migrations')" "0001"

# ---- a command that writes nothing leaves no table behind ----
proj nt dbmate
run -c nt.yaml apply
q nt "DROP TABLE schema_migrations"
run -c nt.yaml status
check "no writes: a dropped table is said to be missing" err_has "schema_migrations of source 'app' does not exist"
run -c nt.yaml apply
check "a dropped table: apply with nothing pending exits 0" rc_is 0
check "a dropped table: created again with the rows strata_ledger records" eq "$(qlist nt 'SELECT version FROM schema_migrations ORDER BY version')" "0001,0002"
proj nw dbmate
rm nw/*.sql
run -c nw.yaml -v apply
check "no writes: lock() created the table" err_has "tables: creating schema_migrations (tracker dbmate)"
check "no writes: a table created for a command that records nothing is dropped again" eq "$(has_table nw schema_migrations)" "0"

# ---- a user's descriptor from STRATA_FORMATS_PATH, no rebuild ----
mkdir -p fm/trackers
cat >fm/trackers/team-log.yaml <<'YAML'
tracker: team-log
table: team_log
create:
  sqlite: CREATE TABLE team_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, ver TEXT NOT NULL, done BOOLEAN NOT NULL, at_ms BIGINT)
  postgresql: CREATE TABLE team_log (seq SERIAL PRIMARY KEY, ver TEXT NOT NULL, done BOOLEAN NOT NULL, at_ms BIGINT)
columns:
  seq: auto
  ver: version
  done: true
  at_ms: now-ms
key: ver
order: seq
feature: events-log
states:
  - {column: done, is: false, state: rolled_back}
  - {state: applied}
events:
  applied: insert
  rolled_back: {do: insert, set: {done: false}}
YAML
proj ul team-log
STRATA_FORMATS_PATH=$T/fm run -c ul.yaml apply
check "user descriptor: apply exits 0" rc_is 0
STRATA_FORMATS_PATH=$T/fm run -c ul.yaml rollback
check "user descriptor: its rows" eq "$(qlist ul 'SELECT ver, done, at_ms > 0 FROM team_log ORDER BY seq')" "0001|$T_|$T_,0002|$T_|$T_,0002|$F_|$T_"
check "user descriptor: status reads them" eq "$(STRATA_FORMATS_PATH=$T/fm states ul)" "0001 applied,0002 rolled_back"
cat >fm/trackers/wm.yaml <<'YAML'
tracker: wm
table: wm_log
create:
  sqlite: CREATE TABLE wm_log (k BIGINT)
  postgresql: CREATE TABLE wm_log (k BIGINT)
columns:
  k: native-key
key: k
feature: watermark
events:
  applied: insert
  rolled_back: delete
YAML
cat >fm/trackers/by-status.yaml <<'YAML'
tracker: by-status
table: runs
create:
  sqlite: CREATE TABLE runs (v TEXT PRIMARY KEY, status TEXT NOT NULL)
  postgresql: CREATE TABLE runs (v TEXT PRIMARY KEY, status TEXT NOT NULL)
columns:
  v: version
  status: text:done
key: v
states:
  - {column: status, is: text:done, state: applied}
  - {column: status, is: text:failed, state: failed}
events:
  applied: insert
  failed: {do: upsert, set: {status: text:failed}}
  rolled_back: delete
YAML
proj bs by-status
q bs "CREATE TABLE runs (v TEXT PRIMARY KEY, status TEXT NOT NULL)"
q bs "INSERT INTO runs VALUES ('0001', 'done'), ('0002', 'failed')"
check "text states: done and failed" eq "$(STRATA_FORMATS_PATH=$T/fm states bs)" "0001 applied,0002 failed"
q bs "UPDATE runs SET status = 'weird' WHERE v = '0002'"
STRATA_FORMATS_PATH=$T/fm run -c bs.yaml status
check "text states: a value no rule reads is an error naming table and row" err_has "runs, row v '0002': status is 'weird', which no rule of states: reads"
check "text states: status exits 4 (a problem in the database)" rc_is 4

proj wm wm
q wm "CREATE TABLE wm_log (k BIGINT)"
q wm "INSERT INTO wm_log VALUES (2)"
check "watermark: every migration up to the highest key is applied" eq "$(STRATA_FORMATS_PATH=$T/fm states wm)" "0001 applied,0002 applied"

if pg; then
	cat >fm/trackers/in-schema.yaml <<'YAML'
tracker: in-schema
table: schema_migrations
schema: audit
create:
  postgresql: CREATE SCHEMA IF NOT EXISTS audit; CREATE TABLE audit.schema_migrations (version varchar primary key)
columns: {version: version}
key: version
events: {applied: insert, rolled_back: delete}
YAML
	proj isc in-schema
	STRATA_FORMATS_PATH=$T/fm run -c isc.yaml apply
	STRATA_FORMATS_PATH=$T/fm run -c isc.yaml rollback
	check "schema: the rows are in audit.schema_migrations" eq "$(qlist isc 'SELECT version FROM audit.schema_migrations')" "0001"
	check "schema: nothing in the connection's schema" eq "$(has_table isc schema_migrations)" "0"
	check "schema: status reads it" eq "$(STRATA_FORMATS_PATH=$T/fm states isc)" "0001 applied,0002 rolled_back"
fi

# ---- bad descriptors: one line, the file:line, a hint; nothing written ----
bad() { # NAME YAML EXPECTED_LINE
	printf '%s\n' "$2" >"fm/trackers/$1.yaml"
	proj "b$1" "$1"
	STRATA_FORMATS_PATH=$T/fm run -c "b$1.yaml" apply
	check "bad descriptor $1: exit 1" rc_is 1
	check "bad descriptor $1: the error line" err_is "$3"
	check "bad descriptor $1: database untouched" eq "$(has_table "b$1" strata_ledger)" "0"
	# status reads no table of a database strata never wrote, yet the
	# descriptor is still checked: not "1 pending".
	STRATA_FORMATS_PATH=$T/fm run -c "b$1.yaml" status
	check "bad descriptor $1: status exits 1 with the same line" eq "$rc|$(cat "$T/err")" "1|$3"
}
bad bad1 'tracker: bad1
table: t
create: {sqlite: "CREATE TABLE t (v TEXT)"}
columns:
  v: version
  w: maybe
key: v' "strata: error: $T/fm/trackers/bad1.yaml:6:6: unknown value 'maybe' (hint: a column gets one of: version version-int version-digits name name-version description file file-stem file-base:SUFFIX checksum now now-ms execution-ms error uuid next-rank batch user native-key auto true false null text:VALUE int:N)"
bad baddl 'tracker: baddl
table: t
create: {sqlite: "CREATE TABLE t (v TEXT, at TEXT)", postgresql: "CREATE TABLE t (v TEXT, at TEXT)"}
columns:
  v: version
  at: {postgresql: now, mysql: now-ms}
key: v' "strata: error: $T/fm/trackers/baddl.yaml:6:25: unknown or repeated dialect 'mysql' (hint: a per-dialect value has the keys postgresql and sqlite)"
bad baddl2 'tracker: baddl2
table: t
create: {sqlite: "CREATE TABLE t (v TEXT, at TEXT)", postgresql: "CREATE TABLE t (v TEXT, at TEXT)"}
columns:
  v: version
  at: {postgresql: now}
key: v' "strata: error: $T/fm/trackers/baddl2.yaml:6:7: the value names no sqlite one (hint: a per-dialect value has the keys postgresql and sqlite)"
bad baddl3 'tracker: baddl3
table: t
create: {sqlite: "CREATE TABLE t (v TEXT, at TEXT)", postgresql: "CREATE TABLE t (v TEXT, at TEXT)"}
columns:
  v: version
  at: {postgresql: now, sqlite: soon}
key: v' "strata: error: $T/fm/trackers/baddl3.yaml:6:33: unknown value 'soon' (hint: a column gets one of: version version-int version-digits name name-version description file file-stem file-base:SUFFIX checksum now now-ms execution-ms error uuid next-rank batch user native-key auto true false null text:VALUE int:N)"
bad bad2 'tracker: bad2
table: t
create: {sqlite: "CREATE TABLE t (v TEXT)"}
columns: {v: version}
key: nope' "strata: error: $T/fm/trackers/bad2.yaml:5:6: key names 'nope', which is not a column (hint: name a column listed under columns:)"
bad bad3 'tracker: other
table: t' "strata: error: $T/fm/trackers/bad3.yaml:1:10: tracker 'other' does not match the file name 'bad3.yaml' (hint: the file must be named after its tracker)"
bad bad4 'tracker: bad4
table: t
create: {sqlite: x}
columns: {v: version}
key: v
events:
  applied: insrt' "strata: error: $T/fm/trackers/bad4.yaml:7:12: unknown action 'insrt' (hint: an event does one of: nothing insert update upsert delete)"
bad bad5 'tracker: bad5
table: t
colums: {v: version}' "strata: error: $T/fm/trackers/bad5.yaml:3:1: unknown key 'colums' in the tracker descriptor (hint: known keys: tracker summary table schema create columns key order checksum feature flag error finished states events kinds)"

done_testing
