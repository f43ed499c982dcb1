# shellcheck shell=bash disable=SC2016,SC2154
# strata_ledger rows and shapes strata does not understand: refused by status
# and every write command, the row named with its fix, the database as it
# was; never read as pending (apply would run the migration a second time).

# Two applied migrations, each counting itself in hits (the side effect a
# second run would repeat).
ledger_project() {
	case_dir "$1"
	mkdir -p db/migrations
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' \
		"$(db_url app)" >strata.yaml
	printf -- '-- migrate:up\nCREATE TABLE hits (n INTEGER);\nINSERT INTO hits VALUES (1);\n\n-- migrate:down\nDROP TABLE hits;\n' \
		>db/migrations/0001_one.sql
	printf -- '-- migrate:up\nINSERT INTO hits VALUES (2);\n\n-- migrate:down\nDELETE FROM hits WHERE n = 2;\n' \
		>db/migrations/0002_two.sql
	run -q apply
	DB=$(pick "sqlite:app.db" "$(db_url app)")
}
# strata_ledger again without its constraints (NOT NULL, primary key), rows kept.
loosen() {
	q app "CREATE TABLE lx AS SELECT * FROM strata_ledger; DROP TABLE strata_ledger; CREATE TABLE strata_ledger AS SELECT * FROM lx; DROP TABLE lx" >/dev/null
}
hits_are() { check "$1: each migration ran once" eq "$(qlist app 'SELECT n FROM hits ORDER BY n')" "1,2"; }
FIXSUM='`strata repair app:0001` records the file'"'"'s checksum again when its recorded text or the live schema agrees; else `strata mark app:0001 --applied`'
FIX1='record it again: `strata mark app:0001 --applied` if it ran, `strata mark app:0001 --rolled-back` if it did not'
FIX2='record it again: `strata mark app:0002 --applied` if it ran, `strata mark app:0002 --rolled-back` if it did not'
STATES='(applied, baselined, failed, rolled_back, running, rolling_back, rollback_failed)'

ledger_project ledger-state-zombie
q app "UPDATE strata_ledger SET state = 'zombie' WHERE id = 'app:0001'"
ZOMBIE="strata: error: $DB: strata_ledger row app:0001 (source app): state 'zombie' is not one strata writes $STATES (hint: $FIX1)"
refused "unknown state: apply" 4 "$ZOMBIE" apply
hits_are "unknown state: apply"
refused "unknown state: status" 4 "$ZOMBIE" status
refused "unknown state: rollback" 4 "$ZOMBIE" rollback
refused "unknown state: baseline" 4 "$ZOMBIE" baseline
refused "unknown state: mark of another migration" 4 "$ZOMBIE" mark app:0002 --applied
refused "unknown state: apply --dry-run" 4 "$ZOMBIE" apply --dry-run
run mark app:0001 --applied
check "unknown state: mark of its own id rewrites it" eq "$rc:$(q app "SELECT state FROM strata_ledger WHERE id = 'app:0001'")" "0:applied"
run status
check "unknown state: after mark, status is clean" rc_is 0
hits_are "unknown state: mark"

ledger_project ledger-state-upper
q app "UPDATE strata_ledger SET state = 'APPLIED' WHERE id = 'app:0001'"
refused "state APPLIED: apply --out-of-order" 4 "strata: error: $DB: strata_ledger row app:0001 (source app): state 'APPLIED' is not one strata writes $STATES (hint: $FIX1)" apply --out-of-order
hits_are "state APPLIED: apply --out-of-order"

ledger_project ledger-state-tracker-word
q app "UPDATE strata_ledger SET state = 'modified' WHERE id = 'app:0002'"
refused "a tracker's state (modified) in strata_ledger: apply" 4 "strata: error: $DB: strata_ledger row app:0002 (source app): state 'modified' is not one strata writes $STATES (hint: $FIX2)" apply
hits_are "a tracker's state in strata_ledger"

ledger_project ledger-null-checksum
loosen
q app "UPDATE strata_ledger SET checksum = NULL WHERE id = 'app:0002'"
refused "NULL checksum: apply" 4 "strata: error: $DB: strata_ledger row app:0002 (source app): checksum is NULL (hint: $FIX2)" apply
hits_are "NULL checksum: apply"

ledger_project ledger-null-state
loosen
q app "UPDATE strata_ledger SET state = NULL WHERE id = 'app:0001'"
refused "NULL state: status" 4 "strata: error: $DB: strata_ledger row app:0001 (source app): state is NULL (hint: $FIX1)" status
refused "NULL state: apply" 4 "strata: error: $DB: strata_ledger row app:0001 (source app): state is NULL (hint: $FIX1)" apply
hits_are "NULL state: apply"

ledger_project ledger-null-id
loosen
q app "UPDATE strata_ledger SET id = NULL WHERE id = 'app:0002'"
refused "NULL id: apply" 4 "strata: error: $DB: strata_ledger has a row with a NULL id (source 'app', version '0002') (hint: delete it: DELETE FROM strata_ledger WHERE id IS NULL)" apply
hits_are "NULL id: apply"

ledger_project ledger-empty-id
q app "UPDATE strata_ledger SET id = '' WHERE id = 'app:0002'"
refused "empty id: rollback" 4 "strata: error: $DB: strata_ledger has a row with an empty id (source 'app', version '0002') (hint: delete it: DELETE FROM strata_ledger WHERE id = '')" rollback

ledger_project ledger-garbage-checksum
q app "UPDATE strata_ledger SET checksum = 'not-a-checksum' WHERE id = 'app:0001'"
refused "garbage checksum: apply" 4 "strata: error: $DB: strata_ledger row app:0001 (source app): checksum 'not-a-checksum' is not a sha256 hex digest (hint: $FIXSUM)" apply

ledger_project ledger-id-mismatch
q app "UPDATE strata_ledger SET version = '0003' WHERE id = 'app:0002'"
refused "id that is not source:version: baseline" 4 "strata: error: $DB: strata_ledger row app:0002: its id is not its source and version (app:0003) (hint: $FIX2)" baseline

ledger_project ledger-unknown-state-file-gone
q app "INSERT INTO strata_ledger SELECT 'app:0009', source, '0009', 'gone', checksum, 'zombie', started_at, finished_at, execution_ms, applied_by, error, script FROM strata_ledger WHERE id = 'app:0002'"
refused "unknown state, file gone: apply" 4 "strata: error: $DB: strata_ledger row app:0009 (source app): state 'zombie' is not one strata writes $STATES (hint: its file is gone: DELETE FROM strata_ledger WHERE id = 'app:0009')" apply

ledger_project ledger-two-rows
loosen
q app "INSERT INTO strata_ledger SELECT * FROM strata_ledger WHERE id = 'app:0002'"
q app "UPDATE strata_ledger SET state = 'rolled_back' WHERE id = 'app:0002' AND started_at = (SELECT min(started_at) FROM strata_ledger WHERE id = 'app:0001')" >/dev/null
TWO="strata: error: $DB: strata_ledger has 2 rows for app:0002 (source app): its id is no longer the table's primary key, and which row holds is a guess (hint: keep the row that is right and delete the others (SELECT * FROM strata_ledger WHERE id = 'app:0002'), then CREATE UNIQUE INDEX strata_ledger_id ON strata_ledger (id))"
refused "two rows for one id: apply" 4 "$TWO" apply
hits_are "two rows for one id: apply"
refused "two rows for one id: status" 4 "$TWO" status
refused "two rows for one id: mark" 4 "$TWO" mark app:0002 --applied

# The same at the first id, a sound row after it: status reads the rows one
# at a time, and the refusal comes when the next id does.
ledger_project ledger-two-rows-first
loosen
q app "INSERT INTO strata_ledger SELECT * FROM strata_ledger WHERE id = 'app:0001'"
TWO1="strata: error: $DB: strata_ledger has 2 rows for app:0001 (source app): its id is no longer the table's primary key, and which row holds is a guess (hint: keep the row that is right and delete the others (SELECT * FROM strata_ledger WHERE id = 'app:0001'), then CREATE UNIQUE INDEX strata_ledger_id ON strata_ledger (id))"
refused "two rows for the first id: status" 4 "$TWO1" status
refused "two rows for the first id: apply" 4 "$TWO1" apply
hits_are "two rows for the first id: apply"

ledger_project ledger-view
q app "CREATE TABLE ledger_rows AS SELECT * FROM strata_ledger; DROP TABLE strata_ledger; CREATE VIEW strata_ledger AS SELECT * FROM ledger_rows" >/dev/null
VIEW="strata: error: $DB: strata_ledger is not a table (a view?); strata cannot read or write its record there (hint: drop it and put its rows back in a table of that name (DROP VIEW strata_ledger; CREATE TABLE strata_ledger AS SELECT …), or record the history again with \`strata baseline\`)"
refused "strata_ledger a view: apply" 4 "$VIEW" apply
hits_are "strata_ledger a view: apply"
refused "strata_ledger a view: status" 4 "$VIEW" status
refused "strata_ledger a view: baseline" 4 "$VIEW" baseline

ledger_project ledger-no-column
q app "ALTER TABLE strata_ledger DROP COLUMN source"
NOCOL="strata: error: $DB: strata_ledger has no column source; strata cannot read its record (hint: add it back: ALTER TABLE strata_ledger ADD COLUMN source TEXT, then fill it in every row)"
refused "a column gone: apply" 4 "$NOCOL" apply
hits_are "a column gone: apply"
refused "a column gone: status" 4 "$NOCOL" status
ledger_project ledger-no-column-ms
q app "ALTER TABLE strata_ledger DROP COLUMN execution_ms"
refused "an optional column gone: rollback" 4 "strata: error: $DB: strata_ledger has no column execution_ms; strata cannot read its record (hint: add it back: ALTER TABLE strata_ledger ADD COLUMN execution_ms BIGINT)" rollback

# ---- native tracking tables: rows the tool never writes ----
# A copy of TABLE without its constraints, rows kept.
loosen_table() {
	q app "CREATE TABLE lx AS SELECT * FROM $1; DROP TABLE $1; CREATE TABLE $1 AS SELECT * FROM lx; DROP TABLE lx" >/dev/null
}
# Two Alembic revisions (a1, then b2), applied.
alembic_project() {
	case_dir "$1"
	printf 'database: %s\nsources:\n  - name: app\n    format: alembic\n    path: versions\n' "$(db_url app)" >strata.yaml
	mkdir versions
	local id down
	for id in a1 b2; do
		down=None
		[ "$id" = b2 ] && down="'a1'"
		printf '"""%s"""\nfrom alembic import op\n\nrevision = %s\ndown_revision = %s\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.execute("CREATE TABLE t_%s (id INTEGER PRIMARY KEY)")\n\n\ndef downgrade():\n    op.execute("DROP TABLE t_%s")\n' \
			"$id" "'$id'" "$down" "$id" "$id" >"versions/${id}_r.py"
	done
	run -q apply
}

alembic_project alembic-ancestor-beside
q app "INSERT INTO alembic_version (version_num) VALUES ('a1')"
refused "alembic_version: an ancestor beside its descendant" 4 "strata: error: alembic_version of source 'app': 'a1' is there beside its descendant 'b2' (hint: Alembic keeps only the heads: DELETE FROM alembic_version WHERE version_num = 'a1')" apply

alembic_project alembic-twice
loosen_table alembic_version
q app "INSERT INTO alembic_version (version_num) VALUES ('b2')"
refused "alembic_version: one revision twice" 4 "strata: error: alembic_version of source 'app': 'b2' is there twice (its version_num is no longer the primary key) (hint: delete both (DELETE FROM alembic_version WHERE version_num = 'b2'), then \`alembic stamp b2\`)" rollback

alembic_project alembic-null
loosen_table alembic_version
q app "INSERT INTO alembic_version (version_num) VALUES (NULL)"
refused "alembic_version: a NULL version_num" 4 "strata: error: alembic_version of source 'app': a row with a NULL version_num, which Alembic never writes (hint: delete it (DELETE FROM alembic_version WHERE version_num IS NULL), then \`alembic current\` says what is applied)" status

# Two Prisma migrations, applied.
prisma_project() {
	case_dir "$1"
	printf 'database: %s\nsources:\n  - name: app\n    format: prisma\n    path: prisma/migrations\n' "$(db_url app)" >strata.yaml
	mkdir -p prisma/migrations/20240101000000_init prisma/migrations/20240102000000_posts
	printf 'provider = "%s"\n' "$(pick sqlite postgresql)" >prisma/migrations/migration_lock.toml
	printf 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' >prisma/migrations/20240101000000_init/migration.sql
	printf 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\n' >prisma/migrations/20240102000000_posts/migration.sql
	run -q apply
	q app "UPDATE _prisma_migrations SET id = 'row-' || substr(migration_name, 1, 8) || substr(migration_name, 16)"
}
PRISMA_FIX="and record the migration again (\`prisma migrate resolve --applied NAME\`, or \`strata baseline\`)"

prisma_project prisma-null-checksum
loosen_table _prisma_migrations
q app "UPDATE _prisma_migrations SET checksum = NULL WHERE migration_name = '20240102000000_posts'"
refused "_prisma_migrations: a NULL checksum" 4 "strata: error: _prisma_migrations row id 'row-20240102posts' (migration '20240102000000_posts'): checksum is NULL, which Prisma never writes (hint: delete it (DELETE FROM \"_prisma_migrations\" WHERE id = 'row-20240102posts') $PRISMA_FIX)" apply

prisma_project prisma-null-name
loosen_table _prisma_migrations
q app "UPDATE _prisma_migrations SET migration_name = NULL WHERE migration_name = '20240102000000_posts'"
refused "_prisma_migrations: a NULL migration_name" 4 "strata: error: _prisma_migrations row id 'row-20240102posts' (migration 'NULL'): migration_name is NULL, which Prisma never writes (hint: delete it (DELETE FROM \"_prisma_migrations\" WHERE id = 'row-20240102posts') $PRISMA_FIX)" status

prisma_project prisma-null-id
loosen_table _prisma_migrations
q app "UPDATE _prisma_migrations SET id = NULL WHERE migration_name = '20240101000000_init'"
refused "_prisma_migrations: a NULL id" 4 "strata: error: _prisma_migrations row of migration '20240101000000_init': id is NULL, which Prisma never writes (hint: delete it (DELETE FROM \"_prisma_migrations\" WHERE id IS NULL) $PRISMA_FIX)" baseline

prisma_project prisma-id-twice
loosen_table _prisma_migrations
q app "UPDATE _prisma_migrations SET id = 'row-same'"
refused "_prisma_migrations: one id on two rows" 4 "strata: error: _prisma_migrations: id 'row-same' is on 2 rows (id is no longer the primary key) (hint: keep the row that is right and delete the others (SELECT * FROM \"_prisma_migrations\" WHERE id = 'row-same' shows them))" apply

# A revision id longer than alembic_version.version_num's VARCHAR(32): on
# PostgreSQL refused at its `revision =` line before anything runs (SQLite
# keeps any length, and applies it).
case_dir alembic-long-revision
printf 'database: %s\nsources:\n  - name: app\n    format: alembic\n    path: versions\n' "$(db_url app)" >strata.yaml
mkdir versions
LONG=$(printf 'r%.0s' $(seq 1 200))
printf '"""a1"""\nfrom alembic import op\n\nrevision = %s\ndown_revision = None\n\n\ndef upgrade():\n    op.execute("CREATE TABLE t_a (id INTEGER)")\n' "'a1'" >versions/a1_r.py
printf '"""long"""\nfrom alembic import op\n\nrevision = %s\ndown_revision = %s\n\n\ndef upgrade():\n    op.execute("CREATE TABLE t_long (id INTEGER)")\n' "'$LONG'" "'a1'" >versions/long_r.py
if pg; then
	refused "alembic: a 200-character revision id on postgresql" 1 "strata: error: versions/long_r.py:4: revision id 'rrrrrrrrrrrrrrrrrrrrrrrr…' has 200 characters; Alembic's alembic_version.version_num is VARCHAR(32) on postgresql (hint: shorten it (and the down_revision that names it): Alembic's own upgrade fails there too (value too long for type character varying(32)))" apply
else
	run -q apply
	check "alembic: a 200-character revision id on sqlite applies" eq "$rc:$(qlist app 'SELECT version_num FROM alembic_version')" "0:$LONG"
fi

# strata_ledger dropped while strata writes it (here by the migration itself):
# the table named, the step rolled back.
ledger_project ledger-dropped-meanwhile
printf -- '-- migrate:up\nDROP TABLE strata_ledger;\n\n-- migrate:down\nSELECT 1;\n' >db/migrations/0003_drop.sql
refused "strata_ledger dropped while written" 1 "$(pick "strata: error: $DB: strata_ledger is gone: cannot write it (no such table: strata_ledger) (hint: it was dropped while strata used it (by another session, or by the migration itself); run the command again: strata creates it, and \`strata baseline\` records what is already applied)" "strata: error: $DB: cannot write strata_ledger: relation \"strata_ledger\" does not exist (hint: its transaction was rolled back; \`strata status\` shows what is recorded)")" apply
hits_are "strata_ledger dropped while written"
