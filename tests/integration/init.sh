#!/usr/bin/env bash
# strata init: recognizes each layout and writes a strata.yaml that works.
. "$(dirname "$0")/lib.sh"
mkdir -p repo/db/migrations repo/legacy/sql repo/legacy/rollback repo/flyway repo/node_modules/x
cd repo
printf -- '-- migrate:up\nCREATE TABLE m1 (id INTEGER);\n-- migrate:down\nDROP TABLE m1;\n' >db/migrations/20240101000000_m1.sql
echo 'CREATE TABLE l1 (id INTEGER);' >legacy/sql/0001_l1.sql
echo 'DROP TABLE l1;' >legacy/rollback/0001_rollback.sql
echo 'CREATE TABLE f1 (id INTEGER);' >flyway/V1__f1.sql
echo 'CREATE TABLE ignored (id INTEGER);' >node_modules/x/V1__x.sql

run init
check "init exits 0" rc_is 0
check "init wrote strata.yaml" test -f strata.yaml
check "dbmate folder recognized" grep -q "layout: dbmate" strata.yaml
check "sql-rollback folder recognized" grep -q "layout: sql-rollback" strata.yaml
check "flyway folder recognized" grep -q "layout: flyway" strata.yaml
check "node_modules skipped" bash -c "! grep -q node_modules strata.yaml"
# init writes no database: line: on SQLite apply uses the default
# sqlite:strata.db, on pg DATABASE_URL.
if pg; then export DATABASE_URL; DATABASE_URL=$(db_url strata); fi
run apply
check "the written config works: apply" rc_is 0
check "every table created" eq "$(has_table strata m1 l1 f1)" 3

run init
check "init refuses to overwrite: exit 2" rc_is 2
check "overwrite refusal message" err_is "strata: error: strata.yaml: config already exists (hint: use \`strata init --force\` to replace it)"
run init --force
check "init --force overwrites" rc_is 0

for layout in golang-migrate sectioned diesel node-pg-migrate knex typeorm sequelize; do
	mkdir -p "$T/$layout/migrations" && cd "$T/$layout"
	case $layout in
	golang-migrate) echo 'SELECT 1;' >migrations/1_a.up.sql; echo 'SELECT 1;' >migrations/1_a.down.sql ;;
	sectioned) printf -- '-- UP Migration\nSELECT 1;\n-- DOWN Migration (Rollback)\nSELECT 1;\n' >migrations/1_a.sql ;;
	node-pg-migrate) printf -- '-- Up Migration\nSELECT 1;\n\n-- Down Migration\nSELECT 1;\n' >migrations/1700000000000_a.sql ;;
	knex) mkdir -p migrations/sql; echo 'exports.up = () => {}; exports.down = () => {};' >migrations/1_a.js
		echo 'SELECT 1;' >migrations/sql/1_a.up.sql; echo 'SELECT 1;' >migrations/sql/1_a.down.sql ;;
	typeorm) mkdir -p migrations/sql; echo 'module.exports = class A1700000000000 {};' >migrations/1700000000000-A.js
		echo 'SELECT 1;' >migrations/sql/1700000000000-A.up.sql; echo 'SELECT 1;' >migrations/sql/1700000000000-A.down.sql ;;
	sequelize) mkdir -p migrations/sql; echo 'module.exports = {};' >migrations/20240101000000-a.js
		echo 'SELECT 1;' >migrations/sql/20240101000000-a.up.sql; echo 'SELECT 1;' >migrations/sql/20240101000000-a.down.sql ;;
	diesel) mkdir -p migrations/2023-01-01-000000_a; echo 'SELECT 1;' >migrations/2023-01-01-000000_a/up.sql; echo 'SELECT 1;' >migrations/2023-01-01-000000_a/down.sql ;;
	esac
	run init
	check "init recognizes $layout" grep -q "layout: $layout" strata.yaml
done

# -c sub/strata.yaml: look in sub/, write paths relative to it.
mkdir -p "$T/outer/sub/db/migrations" && cd "$T/outer"
printf -- '-- migrate:up\nCREATE TABLE s1 (id INTEGER);\n-- migrate:down\nDROP TABLE s1;\n' >sub/db/migrations/1_s1.sql
run -c sub/strata.yaml init
check "init -c sub/strata.yaml exits 0" rc_is 0
check "paths written relative to the config" grep -q "path: db/migrations" sub/strata.yaml
run -c sub/strata.yaml --db "$(db_url outer)" apply
check "that config works from elsewhere" rc_is 0

# A Prisma folder next to a dbmate one: both found, named after their parents.
mkdir -p "$T/mixed/prisma/migrations/20240101000000_init" "$T/mixed/db/migrations" && cd "$T/mixed"
printf 'CREATE TABLE p1 (id INTEGER);\n' >prisma/migrations/20240101000000_init/migration.sql
printf 'provider = "%s"\n' "$(pick sqlite postgresql)" >prisma/migrations/migration_lock.toml
printf -- '-- migrate:up\nCREATE TABLE d1 (id INTEGER);\n-- migrate:down\nDROP TABLE d1;\n' >db/migrations/1_d1.sql
run init
check "init finds a Prisma history" grep -q "format: prisma" strata.yaml
check "sources are named after the folder holding migrations/" eq "$(grep -c -e '- name: prisma$' -e '- name: db$' strata.yaml)" 2
run --db "$(db_url mixed)" apply
check "the written config applies both" eq "$(has_table mixed p1 d1)" 2

# ---- the walk: 16 levels deep, skip table, build trees, symlink loops ----
dbmate_file() { printf -- '-- migrate:up\nCREATE TABLE %s (id INTEGER);\n-- migrate:down\nDROP TABLE %s;\n' "$2" "$2" >"$1"; }
mkdir -p "$T/deep" && cd "$T/deep"
mkdir -p a/b/c/d/e/f/g/db/migrations && dbmate_file a/b/c/d/e/f/g/db/migrations/1_deep.sql deep1
# 17 folders down: below the walk's 16 levels
far=l01/l02/l03/l04/l05/l06/l07/l08/l09/l10/l11/l12/l13/l14/l15/l16/migrations
mkdir -p "$far" && dbmate_file "$far/1_far.sql" far1
for skipped in node_modules/pkg/db/migrations vendor/lib/migrations .venv/x/migrations out/db/migrations \
	target/classes/db/migrations coverage/db/migrations cmake-build/db/migrations builddir/db/migrations; do
	mkdir -p "$skipped" && dbmate_file "$skipped/1_skip.sql" skipped1
done
touch cmake-build/CMakeCache.txt
mkdir -p builddir/meson-info
# symlink loops: a link to a parent and a link to itself's folder
ln -s ../.. a/b/up
ln -s . a/self
set +e; timeout 60 ${STRATA_WRAP:-} "$STRATA" init >"$T/out" 2>"$T/err"; rc=$?; set -e
check "deep repository with symlink loops: init ends, exit 0" rc_is 0
check "depth 9 found; node_modules, vendor, hidden, out, target, coverage, CMake and Meson build trees and depth 17 not entered" \
	eq "$(cat strata.yaml)" "# strata.yaml, written by \`strata init\`; see docs/config.md
# --db and DATABASE_URL take precedence over this
database: sqlite:strata.db
sources:
  - name: migrations
    format: sqlpair
    path: a/b/c/d/e/f/g/db/migrations
    layout: dbmate"
run --db "$(db_url deep)" apply
check "the depth-9 source applies" eq "$(tables deep)" "deep1,schema_migrations"

# ---- parallel per-dialect trees: Flyway's db/migration/{vendor} ----
mkdir -p "$T/flyway" && cd "$T/flyway"
fw=services/api/src/main/resources/db/migration
mkdir -p $fw/H2 $fw/MYSQL $fw/POSTGRESQL $fw/SQLITE
echo 'CREATE TABLE fw_h2 (id IDENTITY NOT NULL);' >$fw/H2/V1__init.sql
echo 'CREATE TABLE fw_mysql (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;' >$fw/MYSQL/V1__init.sql
echo 'CREATE TABLE fw_postgresql (id SERIAL PRIMARY KEY);' >$fw/POSTGRESQL/V1__init.sql
echo 'CREATE TABLE fw_sqlite (id INTEGER PRIMARY KEY AUTOINCREMENT);' >$fw/SQLITE/V1__init.sql
run init
src_block() { printf '  - name: %s\n    format: sqlpair\n    path: %s\n    dialect: %s\n    layout: flyway\n' "$1" "$fw/$1" "$2"; }
check "flyway trees: one source per dialect, dialect: set" eq "$(cat strata.yaml)" "$(printf '%s\n' "# strata.yaml, written by \`strata init\`; see docs/config.md" \
	"# --db and DATABASE_URL take precedence over this" "database: sqlite:strata.db" "sources:"
	src_block H2 h2; src_block MYSQL mysql; src_block POSTGRESQL postgresql; src_block SQLITE sqlite)"
fwdb=$(db_url fwdb)
mine=$(pick sqlite postgresql)
MINE=$(pick SQLITE POSTGRESQL)
others=$(for d in H2:h2 MYSQL:mysql POSTGRESQL:postgresql SQLITE:sqlite; do
	[ "${d%%:*}" = "$MINE" ] || echo "left out: ${d%%:*} (dialect ${d#*:}, the database is $mine)"; done | paste -sd'|' -)
run --db "$fwdb" status
check "status with left-out sources: exit 3 (pending)" rc_is 3
check "status: one line per source left out" eq "$(grep '^left out:' "$T/out" | paste -sd'|' -)" "$others"
check "status: only the database's tree is in the ledger" out_has "$MINE:1 "
run --db "$fwdb" --json status
check "--json status: left_out list" eq "$(jq -c '.left_out' "$T/out")" \
	"$(for d in H2:h2 MYSQL:mysql POSTGRESQL:postgresql SQLITE:sqlite; do
		[ "${d%%:*}" = "$MINE" ] || printf '{"source":"%s","dialect":"%s","database":"%s"}\n' "${d%%:*}" "${d#*:}" "$mine"; done | jq -sc .)"
check "--json status: the left-out trees' migrations are not listed" eq "$(jq -c '[.migrations[].id]' "$T/out")" "[\"$MINE:1\"]"
run --db "$fwdb" ledger
check "ledger: the same left-out lines" eq "$(grep '^left out:' "$T/out" | paste -sd'|' -)" "$others"
run --db "$fwdb" --json ledger
check "--json ledger: the same left_out list" eq "$(jq -c '.left_out | length' "$T/out")" "3"
run --db "$fwdb" apply
check "apply runs only the database's tree: exit 0" rc_is 0
check "apply runs only the database's tree: tables" eq "$(tables fwdb)" "flyway_schema_history,fw_$mine"
check "the tracker records only that tree" eq "$(q fwdb "SELECT script FROM flyway_schema_history")" "V1__init.sql"
check "strata_ledger records only that tree" eq "$(q fwdb "SELECT id FROM strata_ledger")" "$MINE:1"
run --db "$fwdb" status
check "status after apply: exit 0" rc_is 0

# A layout that reads a level of subfolders too (as Flyway itself does) would take the
# whole db/migration for one history: its per-dialect subfolders are each a
# source instead, and a file beside them is said to be in none.
mkdir -p "$T/fmt/layouts" "$T/fwdeep" && cd "$T/fwdeep"
printf '%s\n' 'layout: flyway-deep' 'summary: Flyway scripts, and in subfolders one level down' 'up:' \
	"  match: '^([A-Za-z0-9]+/)?V([0-9]+)__(.+)\\.sql\$'" '  version: 2' '  name: 3' >"$T/fmt/layouts/flyway-deep.yaml"
mkdir -p db/migration/H2 db/migration/POSTGRESQL
echo 'SELECT 1;' >db/migration/H2/V1__a.sql
echo 'SELECT 1;' >db/migration/POSTGRESQL/V1__a.sql
echo 'SELECT 1;' >db/migration/V0__common.sql
STRATA_FORMATS_PATH=$T/fmt run -v init
check "recursive layout: the whole folder would match it" err_has "strata: sqlpair: layout 'flyway-deep' scores 3"
check "recursive layout: one source per dialect folder" eq "$(grep -e '- name:' -e 'dialect:' strata.yaml | paste -sd' ' -)" "  - name: H2     dialect: h2   - name: POSTGRESQL     dialect: postgresql"
check "recursive layout: the file beside the trees is said to be in no source" err_has "strata: warning: db/migration: 1 file beside the per-dialect folders is in no source: move it into each dialect's folder, or add a source for it by hand"

# ---- Prisma's per-provider folders ----
mkdir -p "$T/prov" && cd "$T/prov"
for p in postgresql sqlite; do
	mkdir -p prisma/$p/migrations/20240101000000_init
	printf 'provider = "%s"\n' $p >prisma/$p/migrations/migration_lock.toml
done
echo 'CREATE TABLE pv_postgresql (id SERIAL PRIMARY KEY);' >prisma/postgresql/migrations/20240101000000_init/migration.sql
echo 'CREATE TABLE pv_sqlite (id INTEGER PRIMARY KEY AUTOINCREMENT);' >prisma/sqlite/migrations/20240101000000_init/migration.sql
run init
check "prisma providers: two sources with dialect:" eq "$(cat strata.yaml)" "# strata.yaml, written by \`strata init\`; see docs/config.md
# --db and DATABASE_URL take precedence over this
database: sqlite:strata.db
sources:
  - name: postgresql
    format: prisma
    path: prisma/postgresql/migrations
    dialect: postgresql
  - name: sqlite
    format: prisma
    path: prisma/sqlite/migrations
    dialect: sqlite"
run --db "$(db_url prov)" apply
check "prisma providers: apply exit 0" rc_is 0
check "prisma providers: only the database's provider ran" eq "$(tables prov)" "_prisma_migrations,pv_$mine"
check "prisma providers: _prisma_migrations has its one row" eq "$(q prov "SELECT migration_name FROM _prisma_migrations")" "20240101000000_init"
run --db "$(db_url prov)" status
check "prisma providers: the other left out" out_has "left out: $(pick postgresql sqlite) (dialect $(pick postgresql sqlite), the database is $mine)"
# One folder named after a dialect is not a per-dialect tree.
mkdir -p "$T/lone/postgres/db/migrations" && cd "$T/lone"
dbmate_file postgres/db/migrations/1_lone.sql lone1
run init
check "a lone folder named postgres gets no dialect:" bash -c "! grep -q dialect: strata.yaml"

# ---- init --db: the tracking tables the database has ----
mkdir -p "$T/probe/db/migrations" "$T/probe/legacy/sql" "$T/probe/legacy/rollback" "$T/probe/prisma/migrations/20240101000000_init" && cd "$T/probe"
dbmate_file db/migrations/20240101000000_m1.sql pm1
echo 'CREATE TABLE pl1 (id INTEGER);' >legacy/sql/0001_pl1.sql
echo 'DROP TABLE pl1;' >legacy/rollback/0001_rollback.sql
echo 'CREATE TABLE pp1 (id INTEGER);' >prisma/migrations/20240101000000_init/migration.sql
printf 'provider = "%s"\n' "$mine" >prisma/migrations/migration_lock.toml
q probedb "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)"
q probedb "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamp, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamp, started_at timestamp NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0)" 2>/dev/null ||
	q probedb "CREATE TABLE _prisma_migrations (id TEXT PRIMARY KEY, checksum TEXT NOT NULL, finished_at DATETIME, migration_name TEXT NOT NULL, logs TEXT, rolled_back_at DATETIME, started_at DATETIME NOT NULL DEFAULT current_timestamp, applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0)"
purl=$(db_url probedb)
before=$(tables probedb)
run --db "$purl" init
check "init --db: exit 0" rc_is 0
check "init --db: the trackers of the tables found written" eq "$(cat strata.yaml)" "# strata.yaml, written by \`strata init\`; see docs/config.md
# --db and DATABASE_URL take precedence over this
database: $(pick "$purl" "'$purl'")
sources:
  - name: db
    format: sqlpair
    path: db/migrations
    layout: dbmate
    tracker: dbmate
  - name: legacy
    format: sqlpair
    path: legacy
    layout: sql-rollback
  - name: prisma
    format: prisma
    path: prisma/migrations
    tracker: prisma"
check "init --db: says what it found" out_has "the database has dbmate's table: source 'db' gets tracker dbmate"
check "init --db: the database untouched" eq "$(tables probedb)" "$before"
unset DATABASE_URL # the database: written is the one in effect
run apply
check "init --db: the written config applies" rc_is 0
check "init --db: dbmate's table has the row" eq "$(q probedb "SELECT version FROM schema_migrations")" "20240101000000"
check "init --db: Prisma's table has the row" eq "$(q probedb "SELECT migration_name FROM _prisma_migrations")" "20240101000000_init"
# A table only a tie could name: a comment, no tracker.
rm -r db prisma
run --db "$purl" init --force
check "init --db ambiguity: exit 0" rc_is 0
check "init --db ambiguity: a comment, no tracker picked" eq "$(sed -n '5,$p' strata.yaml)" "  - name: legacy
    format: sqlpair
    path: legacy
    layout: sql-rollback
    # strata init --db: schema_migrations matches trackers dbmate, golang-migrate, rails, schema-migrations-description equally; none picked: name one with tracker:"
# A database with no tracking tables (on SQLite: no file, and none made).
run --db "$(db_url probenone)" init --force
check "init --db, no tracking tables: exit 0" rc_is 0
check "init --db, no tracking tables: no tracker written" bash -c "! grep -q tracker strata.yaml"
if sqlite; then check "init --db is read-only: no SQLite file created" test ! -e probenone.db; fi

mkdir -p "$T/empty" && cd "$T/empty"
run init
check "nothing to find: exit 1" rc_is 1
check "nothing to find: message" err_has "no migration history found under this folder"
check "no config written" test ! -e strata.yaml
done_testing
