#!/usr/bin/env bash
# Migrations that record themselves, found with the dialect's own parser
# (the driver's writes_table: libpg_query on PostgreSQL, SQLite's prepare
# with an authorizer): the tracker table's name in a literal, a comment, a
# dollar quote, a trigger or rule body, or another table's name is not a
# write; WITH … INSERT, a qualified name, REPLACE / INSERT OR IGNORE, a
# statement that no longer prepares, a trigger that writes the row are.
# A self-recording file gets the warning at its statement's line and one
# row; the others get strata's row (description = the file's name).
. "$(dirname "$0")/lib.sh"

W="records itself in schema_migrations; strata does not write the row again"
err_lacks() { ! grep -qF -- "$1" "$T/err"; }

# case NAME BODY: ./NAME with 0001_init.sql and 0002_x.sql whose up section
# is BODY (from line 2), schema-migrations-description; apply.
case_() {
	mkdir -p "$1"
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: %s\n    layout: dbmate\n    tracker: schema-migrations-description\n' \
		"$(db_url "$1")" "$1" >"$1.yaml"
	printf -- '-- migrate:up\nCREATE TABLE %s_a (id INTEGER);\n-- migrate:down\nDROP TABLE %s_a;\n' "$1" "$1" >"$1/0001_init.sql"
	printf -- '-- migrate:up\n%s\n-- migrate:down\nSELECT 1;\n' "$2" >"$1/0002_x.sql"
	run -c "$1.yaml" apply
}
rows() { qlist "$1" "SELECT version || ':' || description FROM schema_migrations ORDER BY version"; }
# self NAME LINE DESCRIPTION: apply went through, warned at 0002_x.sql:LINE,
# and the file's own row is the only one for 0002.
self() {
	check "$1: apply exits 0" rc_is 0
	check "$1: warned at the statement's line" err_has "$1/0002_x.sql:$2: 0002 $W"
	check "$1: the file's own row, once" eq "$(rows "$1")" "0001:init,0002:$3"
}
# not_self NAME: no warning, strata wrote the row.
not_self() {
	check "$1: apply exits 0" rc_is 0
	check "$1: no self-recording warning" err_lacks "$W"
	check "$1: strata wrote the row" eq "$(rows "$1")" "0001:init,0002:x"
}
INS="INSERT INTO schema_migrations (version, description) VALUES ('0002', 'by file')"

# ---- the name where no statement writes it ----
case_ lit "CREATE TABLE lit_t (s TEXT);
INSERT INTO lit_t VALUES ('$(printf '%s' "$INS" | sed "s/'/''/g")');"
not_self lit
check "lit: the literal was stored as text" eq "$(q lit 'SELECT count(*) FROM lit_t')" "1"

case_ cmt "-- $INS;
/* $INS; */
CREATE TABLE cmt_t (id INTEGER);"
not_self cmt

# EXPLAIN compiles the statement and runs nothing.
case_ explain "EXPLAIN $INS;
EXPLAIN $(pick 'QUERY PLAN' '(COSTS OFF)') DELETE FROM schema_migrations;"
not_self explain

case_ other "CREATE TABLE schema_migrations_backup (version TEXT, description TEXT);
INSERT INTO schema_migrations_backup (version, description) VALUES ('0002', 'backup');"
not_self other

if pg; then
	case_ dq "CREATE FUNCTION dq_f() RETURNS void LANGUAGE sql AS \$body\$ $INS \$body\$;"
	not_self dq
	check "dq: the function body never ran" eq "$(q dq "SELECT count(*) FROM schema_migrations WHERE description = 'by file'")" "0"
	# Another table on PostgreSQL: a quoted mixed-case name is not folded.
	case_ quoted "CREATE TABLE \"Schema_Migrations\" (version TEXT, description TEXT);
INSERT INTO \"Schema_Migrations\" (version, description) VALUES ('0002', 'other table');"
	not_self quoted
	check "quoted: the row went to \"Schema_Migrations\"" eq "$(q quoted 'SELECT description FROM "Schema_Migrations"')" "other table"
else
	# A trigger body is no statement of the script (the tokenizer saw one).
	case_ trg "CREATE TABLE trg_t (id INTEGER);
CREATE TRIGGER trg_r AFTER DELETE ON trg_t BEGIN
  $INS;
END;"
	not_self trg
	# SQLite's names are case-blind, quoted or not: the same table.
	case_ quoted "SELECT 1;
INSERT INTO \"Schema_Migrations\" (version, description) VALUES ('0002', 'by file');"
	self quoted 3 "by file"
fi

# ---- statements that write it ----
case_ plain "CREATE TABLE plain_t (id INTEGER);
$INS;"
self plain 3 "by file"

case_ upper "CREATE TABLE upper_t (id INTEGER); INSERT INTO Schema_Migrations (version, description)
VALUES ('0002', 'by file');"
self upper 2 "by file"

case_ qual "SELECT 1;

INSERT INTO $(pick main public).schema_migrations (version, description) VALUES ('0002', 'by file');"
self qual 4 "by file"

case_ cte "CREATE TABLE cte_t (id INTEGER);
WITH v (version, description) AS (SELECT '0002', 'by file')
INSERT INTO schema_migrations (version, description) SELECT version, description FROM v;"
self cte 3 "by file"

# A table the script drops again: the statement no longer prepares at
# record time (SQLite), and is read from its first words.
case_ gone "CREATE TABLE gone_t (v TEXT, d TEXT);
INSERT INTO gone_t VALUES ('0002', 'by file');
INSERT INTO schema_migrations (version, description) SELECT v, d FROM gone_t;
DROP TABLE gone_t;"
self gone 4 "by file"

if pg; then
	# A data-modifying CTE under a SELECT.
	case_ dml "WITH ins AS ($INS RETURNING version)
SELECT count(*) FROM ins;"
	self dml 2 "by file"
	case_ merge "SELECT 1;
MERGE INTO schema_migrations m USING (SELECT '0002' AS v) s ON m.version = s.v
WHEN NOT MATCHED THEN INSERT (version, description) VALUES (s.v, 'by file');"
	self merge 3 "by file"
	# EXPLAIN ANALYZE runs its statement.
	case_ analyze "SELECT 1;
EXPLAIN ANALYZE $INS;"
	self analyze 3 "by file"
else
	case_ repl "SELECT 1;
REPLACE INTO schema_migrations (version, description) VALUES ('0002', 'by file');"
	self repl 3 "by file"
	case_ ignore "INSERT OR IGNORE INTO schema_migrations (version, description) VALUES ('0002', 'by file');"
	self ignore 2 "by file"
	# A trigger that writes the row: named at the statement that fires it.
	case_ fires "CREATE TABLE fires_t (id INTEGER);
CREATE TRIGGER fires_r AFTER INSERT ON fires_t BEGIN
  $INS;
END;
INSERT INTO fires_t VALUES (1);"
	self fires 6 "by file"
	# The same trigger made before: the script does not name the table.
	q fires2 "CREATE TABLE fires2_t (id INTEGER); CREATE TRIGGER fires2_r AFTER INSERT ON fires2_t BEGIN $INS; END;"
	case_ fires2 "SELECT 1;

INSERT INTO fires2_t VALUES (1);"
	self fires2 4 "by file"
fi

done_testing
