#!/usr/bin/env bash
# Hostile names reach PostgreSQL as data or as quoted identifiers, never as
# SQL: a ?schema= name with a double quote, a semicolon and a comment, and a
# migration name with a single quote.  Only the named schema changes.
. "$(dirname "$0")/lib.sh"

# Identifier and literal quoting for the test's own queries.
ident() { printf '"%s"' "${1//\"/\"\"}"; }
lit() { printf "'%s'" "${1//\'/\'\'}"; }
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# Every schema and every relation outside schema $1 (and outside pg_toast,
# whose names follow the oids of the tables in $1).
catalog() {
	q "$db" "SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname <> $(lit "$1") ORDER BY 1"
	q "$db" "SELECT c.relkind::text || ' ' || n.nspname || '.' || c.relname FROM pg_class c
	         JOIN pg_namespace n ON n.oid = c.relnamespace
	         WHERE n.nspname NOT IN ($(lit "$1"), 'pg_toast') ORDER BY 1"
}

project p golang-migrate
printf 'CREATE TABLE a (id INTEGER);\n' >p/m/1_a.up.sql
printf 'DROP TABLE a;\n' >p/m/1_a.down.sql
printf 'CREATE TABLE b (id INTEGER);\n' >p/m/2_b.up.sql
printf 'DROP TABLE b;\n' >p/m/2_b.down.sql
printf 'CREATE TABLE "o'\''brien" (id INTEGER);\n' >"p/m/3_o'brien.up.sql"
printf 'DROP TABLE "o'\''brien";\n' >"p/m/3_o'brien.down.sql"

# The third: case, a backslash and a literal %41 (decoded once, not twice).
for schema in 'we"ird; drop table x;--' "it's \"x\"; drop schema public cascade;--" 'Mixed\Case %41'; do
	new_db_var db
	# Decoys the name talks about, and a strata_ledger in public that must
	# not be mistaken for the one in the schema.
	q "$db" "CREATE TABLE x (id INTEGER); CREATE TABLE strata_ledger (id TEXT)" >/dev/null
	url=$(db_url "$db" "schema=$(urlenc "$schema")")
	S=$(ident "$schema")
	L=$(lit "$schema")
	catalog "$schema" >before
	tag="schema $schema:"

	run -C p --db "$url" status
	check "$tag status before apply exits 3 (3 pending)" rc_is 3
	check "$tag ... and lists 3 pending migrations" out_has "3 migrations: 3 pending"
	check "$tag ... and, being read-only, creates nothing" eq "$(catalog "$schema" | diff before - && q "$db" "SELECT count(*) FROM pg_namespace WHERE nspname = $L")" 0
	run -C p --db "$url" apply
	check "$tag apply exits 0" rc_is 0
	check "$tag ... and says 3 migrations applied" out_has "3 migrations applied to"
	check "$tag strata_ledger is in exactly that schema (and the decoy in public)" \
		eq "$(q "$db" "SELECT string_agg(schemaname, ',' ORDER BY schemaname = 'public') FROM pg_tables WHERE tablename = 'strata_ledger'")" \
		"$schema,public"
	check "$tag the migrations' tables are in that schema" \
		eq "$(q "$db" "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = $L")" \
		"a,b,o'brien,schema_migrations,strata_ledger"
	check "$tag golang-migrate's own row (in that schema) says 3, clean" \
		eq "$(q "$db" "SELECT version || '/' || dirty FROM $S.schema_migrations")" "3/false"
	check "$tag 3 ledger rows, applied" \
		eq "$(q "$db" "SELECT string_agg(id || '=' || state, ',' ORDER BY id) FROM $S.strata_ledger")" \
		"app:1=applied,app:2=applied,app:3=applied"
	check "$tag the name with a single quote is stored exactly" \
		eq "$(q "$db" "SELECT name || '|' || version FROM $S.strata_ledger WHERE id = 'app:3'")" "o'brien|3"
	check "$tag the decoy strata_ledger in public is untouched" eq "$(q "$db" "SELECT count(*) FROM public.strata_ledger")" 0
	run -C p --db "$url" status
	check "$tag status after apply exits 0" rc_is 0
	check "$tag ... and shows the name with a single quote" grep -qE "^app:3 +applied +o'brien\$" "$T/out"
	run -C p --db "$url" --json status
	check "$tag --json status exits 0 and carries the name" eq "$rc/$(grep -c '"name": "o'\''brien"' "$T/out")" "0/1"
	run -C p --db "$url" rollback --steps 2
	check "$tag rollback --steps 2 exits 0" rc_is 0
	check "$tag ... and drops b and o'brien" \
		eq "$(q "$db" "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = $L")" \
		"a,schema_migrations,strata_ledger"
	check "$tag ... and golang-migrate's row says 1" \
		eq "$(q "$db" "SELECT version || '/' || dirty FROM $S.schema_migrations")" "1/false"
	check "$tag ... and records them rolled back" \
		eq "$(q "$db" "SELECT string_agg(id || '=' || state, ',' ORDER BY id) FROM $S.strata_ledger")" \
		"app:1=applied,app:2=rolled_back,app:3=rolled_back"
	run -C p --db "$url" status
	check "$tag status after rollback exits 3" rc_is 3
	run -C p --db "$url" apply
	check "$tag apply again exits 0" rc_is 0
	catalog "$schema" >after
	if diff before after >catalog.diff; then ok "$tag no other schema or table was created or dropped"; else
		not_ok "$tag no other schema or table was created or dropped"; diag <catalog.diff
	fi
	check "$tag public.x survived" eq "$(q "$db" "SELECT to_regclass('public.x') IS NOT NULL")" t
	drop_db "$db"
done

# The same file name in the default schema.
new_db_var db
url=$(db_url "$db")
project d golang-migrate
printf 'CREATE TABLE obrien (id INTEGER);\n' >"d/m/1_o'brien.up.sql"
run -C d --db "$url" apply
check "default schema: apply of 1_o'brien.up.sql exits 0" rc_is 0
check "default schema: the ledger row stores the name exactly" \
	eq "$(q "$db" "SELECT id || '|' || version || '|' || name FROM public.strata_ledger")" "app:1|1|o'brien"
done_testing
