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

for layout in golang-migrate sectioned diesel; do
	mkdir -p "$T/$layout/migrations" && cd "$T/$layout"
	case $layout in
	golang-migrate) echo 'SELECT 1;' >migrations/1_a.up.sql; echo 'SELECT 1;' >migrations/1_a.down.sql ;;
	sectioned) printf -- '-- UP Migration\nSELECT 1;\n-- DOWN Migration (Rollback)\nSELECT 1;\n' >migrations/1_a.sql ;;
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

mkdir -p "$T/empty" && cd "$T/empty"
run init
check "nothing to find: exit 1" rc_is 1
check "nothing to find: message" err_has "no migration history found under this folder"
check "no config written" test ! -e strata.yaml
done_testing
