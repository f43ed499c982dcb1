#!/usr/bin/env bash
# A migration's transaction in few round trips (PostgreSQL's pipeline mode,
# core/driver/pipe.c, plugins/postgres/postgres_pipe.c): the outcomes are
# those of statement-by-statement runs, on both backends; on PostgreSQL -v
# also shows which scripts went through the pipeline and which did not.
. "$(dirname "$0")/lib.sh"
make_project 1

# 1. A failing statement in the middle of a multi-statement migration.
cat >db/migrations/0002_mid.sql <<'SQL'
-- migrate:up
CREATE TABLE p1 (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO p1 (id, name) VALUES (1, 'one');

INSERT INTO p1 (id, name) VALUES (1, 'again');
CREATE TABLE p2 (id INTEGER);
-- migrate:down
DROP TABLE p1;
SQL
printf -- '-- migrate:up\nCREATE TABLE p3 (id INTEGER);\n-- migrate:down\nDROP TABLE p3;\n' \
	>db/migrations/0003_after.sql
E2=$(pick "5:1: UNIQUE constraint failed: p1.id" \
	"5:1: duplicate key value violates unique constraint \"p1_pkey\" DETAIL: Key (id)=(1) already exists.")
run -v apply
check "failing statement in the middle: exit 1" rc_is 1
check "the exact error line, at the failing statement's file:line:col" \
	eq "$(grep '^strata: error:' "$T/err")" "strata: error: db/migrations/0002_mid.sql:$E2"
check "nothing of the failed migration is left" eq "$(has_table app p1 p2)" 0
check "the migration after it did not run" eq "$(has_table app p3)" 0
check "the one before it stays applied" eq "$(q app "SELECT state FROM strata_ledger WHERE id='app:0001'")" applied
check "strata_ledger records the failure at its place" \
	eq "$(q app "SELECT state || ' ' || error FROM strata_ledger WHERE id='app:0002'")" \
	"failed db/migrations/0002_mid.sql:$E2"
check "dbmate's table has no row of it" \
	eq "$(qlist app "SELECT version FROM schema_migrations ORDER BY version")" "0001"
if pg; then
	check "on PostgreSQL the script went through the pipeline" \
		err_has "strata: postgres: 5 statements of db/migrations/0002_mid.sql in one round trip"
fi

# Fixed, it applies, recorded in strata_ledger and in dbmate's table.
sed -i "s/(1, 'again')/(2, 'two')/" db/migrations/0002_mid.sql
run -v apply
check "fixed: exit 0" rc_is 0
check "its rows are there" eq "$(qlist app "SELECT name FROM p1 ORDER BY id")" "one,two"
check "both migrations recorded applied" \
	eq "$(qlist app "SELECT id FROM strata_ledger WHERE state='applied' ORDER BY id")" \
	"app:0001,app:0002,app:0003"
check "dbmate's table has their rows" \
	eq "$(qlist app "SELECT version FROM schema_migrations ORDER BY version")" "0001,0002,0003"
check "strata_ledger keeps a run time and a finish time" \
	eq "$(q app "SELECT count(*) FROM strata_ledger WHERE execution_ms >= 0 AND finished_at LIKE '____-__-__T__:__:__.___Z'")" 3
if pg; then
	# BEGIN + 4 statements; then strata_ledger's row, dbmate's SELECT 1 (does
	# the row exist?) and its INSERT with the COMMIT.
	check "on PostgreSQL: BEGIN and the script in one round trip" \
		err_has "strata: postgres: 5 statements of db/migrations/0002_mid.sql in one round trip"
	check "on PostgreSQL: the record in the round trips after it" \
		err_has "strata: postgres: 2 statements in one round trip"
fi

# 2. A script the parser cannot split (a typo): statement by statement, and
# the server's error at its place.
printf -- '-- migrate:up\nCREATE TABLE p4 (id INTEGER);\nINSRT INTO p4 VALUES (1);\n-- migrate:down\nDROP TABLE p4;\n' \
	>db/migrations/0004_typo.sql
E4=$(pick '3:1: near "INSRT": syntax error' '3:1: syntax error at or near "INSRT"')
run -v apply
check "unsplittable script: exit 1" rc_is 1
check "unsplittable script: the server's error at file:line:col" \
	eq "$(grep '^strata: error:' "$T/err")" "strata: error: db/migrations/0004_typo.sql:$E4"
check "unsplittable script: nothing of it is left" eq "$(has_table app p4)" 0
check "unsplittable script: recorded as failed" \
	eq "$(q app "SELECT state FROM strata_ledger WHERE id='app:0004'")" failed
if pg; then
	check "on PostgreSQL it ran without the pipeline" \
		err_has "strata: postgres: db/migrations/0004_typo.sql: statement by statement, not in a pipeline (PostgreSQL 15's parser cannot split it)"
fi
rm db/migrations/0004_typo.sql
run mark app:0004 --rolled-back

# 3. Scripts the pipeline does not take run as before, and apply: a $n
# (here inside a string, so the script is fine) and, on PostgreSQL, COPY.
cat >db/migrations/0005_dollar.sql <<'SQL'
-- migrate:up
CREATE TABLE p5 (id INTEGER, price TEXT);
INSERT INTO p5 VALUES (1, 'costs $5');
-- migrate:down
DROP TABLE p5;
SQL
run -v apply
check "a script with \$5 in a string: exit 0" rc_is 0
check "its row is there" eq "$(q app "SELECT price FROM p5")" 'costs $5'
check "recorded applied in both tables" \
	eq "$(q app "SELECT state FROM strata_ledger WHERE id='app:0005'")/$(q app "SELECT count(*) FROM schema_migrations WHERE version='0005'")" "applied/1"
if pg; then
	check "on PostgreSQL it ran without the pipeline" \
		err_has "db/migrations/0005_dollar.sql: statement by statement, not in a pipeline (a \$n, which the extended protocol takes for a parameter)"
	cat >db/migrations/0006_copy.sql <<'SQL'
-- migrate:up
CREATE TABLE p6 (id INTEGER);
COPY (SELECT 1) TO STDOUT;
INSERT INTO p6 VALUES (6);
-- migrate:down
DROP TABLE p6;
SQL
	run -v apply
	check "a script with COPY: exit 0" rc_is 0
	check "a script with COPY: its row is there" eq "$(q app "SELECT id FROM p6")" 6
	check "a script with COPY: ran without the pipeline" \
		err_has "db/migrations/0006_copy.sql: statement by statement, not in a pipeline (COPY, which pipeline mode refuses)"
	check "a script with COPY: recorded" \
		eq "$(q app "SELECT state FROM strata_ledger WHERE id='app:0006'")" applied
fi

# 4. Rollback goes the same way: the down script and the record.
run -v rollback --steps 1
check "rollback: exit 0" rc_is 0
if pg; then
	check "rollback: the copy migration's table is gone" eq "$(has_table app p6)" 0
	check "rollback: recorded" eq "$(q app "SELECT state FROM strata_ledger WHERE id='app:0006'")" rolled_back
	check "rollback: the down script through the pipeline" \
		err_has "strata: postgres: 2 statements of db/migrations/0006_copy.sql in one round trip"
else
	check "rollback: the table is gone" eq "$(has_table app p5)" 0
fi

# 5. A migration that drops strata_ledger: the record's failure is the one
# strata_ledger's own write gives (its table named, the hint), and nothing
# of the migration stays.
printf -- '-- migrate:up\nCREATE TABLE p7 (id INTEGER);\nDROP TABLE strata_ledger;\n-- migrate:down\nSELECT 1;\n' \
	>db/migrations/0007_drop.sql
run apply
check "a migration that drops strata_ledger: exit 1" rc_is 1
check "the error names strata_ledger" err_has "strata_ledger"
if pg; then
	check "the error is strata_ledger's own write's, exactly" \
		err_is "strata: error: $(db_url app): cannot write strata_ledger: relation \"strata_ledger\" does not exist (hint: its transaction was rolled back; \`strata status\` shows what is recorded)"
fi
check "nothing of it stays, strata_ledger is still there" eq "$(has_table app p7 strata_ledger)" 1
check "nothing of it stays, not even dbmate's row" \
	eq "$(q app "SELECT count(*) FROM schema_migrations WHERE version='0007'")" 0

rm db/migrations/0007_drop.sql

# The same for a tracker's write (the migration drops dbmate's table).
printf -- '-- migrate:up\nCREATE TABLE p8 (id INTEGER);\nDROP TABLE schema_migrations;\n-- migrate:down\nSELECT 1;\n' \
	>db/migrations/0008_drop.sql
run apply
check "a migration that drops dbmate's table: exit 1" rc_is 1
if pg; then
	check "the error is the tracker's write's, exactly" \
		err_is 'strata: error: relation "schema_migrations" does not exist'
fi
check "nothing of it stays" eq "$(has_table app p8 schema_migrations)" 1
check "strata_ledger has no applied row of it" \
	eq "$(q app "SELECT count(*) FROM strata_ledger WHERE id='app:0008' AND state='applied'")" 0
rm db/migrations/0008_drop.sql

# 6. A failure at COMMIT itself (a deferred foreign key), which now comes
# back in the round trip of the record: the server's message, nothing left.
if pg; then
	printf -- '-- migrate:up\nCREATE TABLE pa (id int PRIMARY KEY);\nCREATE TABLE pb (a int REFERENCES pa DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO pb VALUES (1);\n-- migrate:down\nSELECT 1;\n' \
		>db/migrations/0009_deferred.sql
	run apply
	check "a failing COMMIT: exit 1" rc_is 1
	check "a failing COMMIT: the server's message" \
		err_is 'strata: error: insert or update on table "pb" violates foreign key constraint "pb_a_fkey" DETAIL: Key (a)=(1) is not present in table "pa".'
	check "a failing COMMIT: nothing of it stays" eq "$(has_table app pa pb)" 0
	check "a failing COMMIT: no row of it" \
		eq "$(q app "SELECT count(*) FROM strata_ledger WHERE id='app:0009'")/$(q app "SELECT count(*) FROM schema_migrations WHERE version='0009'")" "0/0"
fi

done_testing
