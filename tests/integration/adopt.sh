#!/usr/bin/env bash
# strata adopt --to prisma: the live schema as Prisma's 0_init baseline,
# written by the Prisma writer, recorded as baselined with Prisma's checksum,
# the old dbmate source retired in strata.yaml (every other byte kept), its
# tracker kept or dropped; and `retired: true` itself (never applied, never
# pending nor missing).
. "$(dirname "$0")/lib.sh"

PROVIDER=$(pick sqlite postgresql)
# The schema of DB without the tracking tables, comparable across databases.
schema() {
	if sqlite; then
		q "$1" "SELECT type, name, tbl_name, sql FROM sqlite_master
			WHERE tbl_name NOT IN ('strata_ledger', 'schema_migrations', '_prisma_migrations', 'alembic_version')
			AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name"
	else
		pg_dump -s --no-owner -T strata_ledger -T schema_migrations -T _prisma_migrations -T alembic_version \
			-d "$(db_url "$1")" |
			grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' -e '^\\restrict' \
				-e '^\\unrestrict' -e '^$' || true
	fi
}
ops() { printf -- '-- migrate:up\n%s\n-- migrate:down\n%s\n' "$2" "$3" >"db/migrations/$1.sql"; }
project() {
	mkdir -p db/migrations
	cat >strata.yaml <<YAML
# the app's database
database: $(db_url "$1")   # local

sources:
  - name: app      # dbmate's history
    format: sqlpair
    layout: dbmate
    path: db/migrations

# end
YAML
	ops 0001_users 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
CREATE INDEX users_email ON users (email);' 'DROP TABLE users;'
	ops 0002_posts 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), title TEXT);
CREATE VIEW post_titles AS SELECT title FROM posts;' 'DROP VIEW post_titles; DROP TABLE posts;'
	if pg; then
		ops 0003_tags "CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE tags (id serial PRIMARY KEY, m mood DEFAULT 'ok');" 'DROP TABLE tags; DROP TYPE mood;'
	else
		ops 0003_tags 'CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, m TEXT);
CREATE TRIGGER tags_t AFTER INSERT ON tags BEGIN SELECT 1; END;' 'DROP TABLE tags;'
	fi
}

# ---- refusals: nothing is written ----
mkdir one && cd one
project app
run apply --to app:0002
check "setup: two of three applied" rc_is 0
cp strata.yaml "$T/yaml.before"
run adopt --to prisma
check "pending old migration: exit 4" rc_is 4
check "pending old migration: the one error line" err_is \
	"strata: error: db/migrations/0003_tags.sql:2: app:0003 is pending: adopt would baseline a half-migrated schema (hint: \`strata apply\` the old history first, then adopt)"
check "refused: no folder written" eq "$(ls -d prisma 2>/dev/null || echo none)" none
check "refused: strata.yaml unchanged" cmp -s strata.yaml "$T/yaml.before"
check "refused: no _prisma_migrations" eq "$(has_table app _prisma_migrations)" 0
run apply -q
q app "UPDATE strata_ledger SET state = 'failed', error = 'boom' WHERE id = 'app:0003'"
q app "DELETE FROM schema_migrations WHERE version = '0003'"
run adopt --to prisma
check "failed old migration: exit 4" rc_is 4
check "failed old migration: says so" err_has "app:0003 is failed: adopt would baseline a half-migrated schema"
q app "UPDATE strata_ledger SET state = 'applied', error = NULL WHERE id = 'app:0003'"
q app "INSERT INTO schema_migrations (version) VALUES ('0003')"
run adopt --to flyway
check "unknown target: usage error" rc_is 2
check "unknown target: says which" err_has "adopt cannot write format 'flyway'"
run adopt --to sqlpair
check "sqlpair without a layout: refused" err_has "--to sqlpair needs a layout"
mkdir -p prisma/migrations/x
run adopt --to prisma
check "a non-empty target folder: refused" err_has "prisma/migrations: the folder for the new history is not empty"
rm -r prisma
run adopt --to prisma --keep-old-tracker --drop-old-tracker
check "--keep and --drop together: usage error" rc_is 2

# A refusal found only once the files are written (the new tool's table is
# there already): they are removed, strata.yaml and the database untouched.
q app "CREATE TABLE _prisma_migrations (id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL,
	finished_at TIMESTAMP, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMP,
	started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, applied_steps_count INTEGER NOT NULL DEFAULT 0)"
run adopt --to prisma
check "new tool's table exists: refused, exit 4" rc_is 4
check "new tool's table exists: the error" err_has "_prisma_migrations exists already"
check "late refusal: the written folder removed" eq "$(ls -d prisma 2>/dev/null || echo none)" none
check "late refusal: strata.yaml unchanged, no temporary left" eq "$(cmp -s strata.yaml "$T/yaml.before" && ls -A | paste -sd, -)" "$(pick 'app.db,db,strata.yaml' 'db,strata.yaml')"
check "late refusal: nothing recorded" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE source <> 'app'")" 0
q app "DROP TABLE _prisma_migrations"

# ---- --dry-run: the SQL, nothing written ----
run adopt --to prisma --dry-run
check "dry run: exit 0" rc_is 0
check "dry run: prints the schema's SQL" out_has "$(pick 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);' 'CREATE TABLE public.users (')"
check "dry run: pg_dump's session lines dropped" out_lacks "set_config"
check "dry run: no tracking table in the SQL" out_lacks "schema_migrations"
check "dry run: nothing written" eq "$(ls -d prisma 2>/dev/null || echo none)" none
check "dry run: strata.yaml unchanged" cmp -s strata.yaml "$T/yaml.before"
run --json adopt --to prisma --dry-run
check "dry run --json: one object with the SQL" eq "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["dry_run"], j["migration"], "CREATE TABLE" in j["sql"])' "$T/out")" "True prisma:0_init True"

# ---- adopt --to prisma ----
run adopt --to prisma
check "adopt: exit 0" rc_is 0
check "adopt: one line" out_has "prisma:0_init written in prisma/migrations and recorded as baselined; source 'app' retired"
check "adopt: 0_init/migration.sql written" test -s prisma/migrations/0_init/migration.sql
check "adopt: migration_lock.toml names the provider" grep -qx "provider = \"$PROVIDER\"" prisma/migrations/migration_lock.toml
check "adopt: strata.yaml edited in place, comments kept" eq "$(diff "$T/yaml.before" strata.yaml | tail -n +2)" \
">     retired: true
>   - name: prisma
>     format: prisma
>     path: prisma/migrations"
check "adopt: the lines land after the old entry" eq "$(sed -n 8,14p strata.yaml)" \
"    path: db/migrations
    retired: true
  - name: prisma
    format: prisma
    path: prisma/migrations

# end"
sum=$(sha256sum prisma/migrations/0_init/migration.sql | cut -d' ' -f1)
check "adopt: _prisma_migrations has 0_init with sha256 of migration.sql" \
	eq "$(q app "SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL, rolled_back_at IS NULL FROM _prisma_migrations")" \
	"0_init|$sum|0|$(pick 1 t)|$(pick 1 t)"
check "adopt: strata_ledger records it as baselined" \
	eq "$(q app "SELECT state FROM strata_ledger WHERE id = 'prisma:0_init'")" baselined
check "adopt: the old tracker kept (default)" eq "$(qlist app "SELECT version FROM schema_migrations ORDER BY 1")" "0001,0002,0003"
run status
check "status: clean, exit 0" rc_is 0
check "status: old rows still applied, the baseline baselined" eq "$(grep -c '^app:.* applied \|^prisma:0_init .* baselined ' "$T/out")" 4
check "status: nothing missing or pending" out_lacks missing
run status --json
check "status --json: 0_init baselined" out_has '"id": "prisma:0_init", "source": "prisma", "format": "prisma"'
run apply
check "apply on the adopted database: nothing to do" out_has "0 migrations applied"
run doctor
check "doctor: the retired history does not clash with 0_init" rc_is 0
run drift
check "drift: the adopted database is what 0_init makes (the retired history not replayed)" \
	eq "$rc $(cat "$T/out")" "0 no drift: the database is what its 1 applied migration makes"
run mark prisma:0_init --rolled-back
run rollback --dry-run
check "rollback: a retired migration is never undone, exit 4" rc_is 4
check "rollback: says so" err_has "app:0003 is of a retired source; nothing was rolled back"
run mark prisma:0_init --applied
check "(0_init marked applied again)" rc_is 0
run verify
check "verify: 0_init alone on an empty database" eq "$rc $(grep -v "^replayed [0-9]* migrations\{0,1\} on a template" "$T/out")" "0 verified: 1 migration apply cleanly in order on an empty database"
cp -r prisma "$T/prisma.adopted"

# ---- a fresh database: 0_init only, the same schema ----
run --db "$(db_url fresh)" apply
check "fresh: exit 0" rc_is 0
check "fresh: only 0_init runs" eq "$(grep -c '^applied ' "$T/out")" 1
check "fresh: it is 0_init" out_has "applied prisma:0_init"
check "fresh: the same schema as the adopted database" eq "$(schema fresh)" "$(schema app)"
check "fresh: no tracker of the retired source made" eq "$(has_table fresh schema_migrations)" 0
run --db "$(db_url fresh)" status
check "fresh status: exit 0" rc_is 0
check "fresh status: the old ones are retired" eq "$(grep -c ' retired ' "$T/out")" 3
check "fresh status: the summary" out_has "4 migrations: 1 applied, 3 retired"
run --db "$(db_url fresh)" status --json
check "fresh status --json: state retired" out_has '"state": "retired"'

# ---- the old folder removed: its rows are records, not missing ----
mv db/migrations "$T/old-migrations"
mkdir db/migrations
run status
check "old files gone: status still exit 0" rc_is 0
check "old files gone: rows shown retired, not missing" eq "$(grep -c ' retired ' "$T/out")" 3
check "old files gone: nothing missing" out_lacks missing
run apply
check "old files gone: apply has nothing to do, no warning" eq "$(cat "$T/err")" ""
rm -r db/migrations
run status
check "old folder gone: status still exit 0" rc_is 0
check "old folder gone: rows shown retired" eq "$(grep -c ' retired ' "$T/out")" 3
mv "$T/old-migrations" db/migrations
cd ..

# ---- --drop-old-tracker, with rows only the old tool's table held ----
mkdir two && cd two
project two
run apply -q
# dbmate applied them, not strata: only schema_migrations knows.
q two "DELETE FROM strata_ledger"
run --json adopt --to prisma --drop-old-tracker
check "drop: exit 0" rc_is 0
check "drop: the JSON object" eq "$(cat "$T/out")" \
	"{\"command\": \"adopt\", \"database\": \"$(db_url two | sed 's/sqlite:/sqlite:/')\", \"migration\": \"prisma:0_init\", \"source\": \"prisma\", \"folder\": \"prisma/migrations\", \"retired\": \"app\", \"dropped_tracker\": \"schema_migrations\", \"old_rows_kept\": 3, \"dry_run\": false}"
check "drop: schema_migrations is gone" eq "$(has_table two schema_migrations)" 0
check "drop: its rows' facts are in strata_ledger" \
	eq "$(qlist two "SELECT id || '=' || state FROM strata_ledger WHERE source = 'app' ORDER BY id")" \
	"app:0001=applied,app:0002=applied,app:0003=applied"
run status
check "drop: status clean" rc_is 0
check "drop: no warning about the dropped table" eq "$(cat "$T/err")" ""
check "drop: old ones applied" eq "$(grep -c ' applied ' "$T/out")" 3
run apply
check "drop: apply does not make schema_migrations again" eq "$(has_table two schema_migrations)" 0
cd ..

# ---- the other way: a Prisma history adopted into dbmate's layout ----
mkdir four && cd four
mkdir -p prisma/migrations/20240101000000_a
echo 'CREATE TABLE a (id INTEGER PRIMARY KEY, n TEXT);' >prisma/migrations/20240101000000_a/migration.sql
printf 'provider = "%s"\n' "$PROVIDER" >prisma/migrations/migration_lock.toml
printf 'database: %s\nsources:\n  - name: app\n    format: prisma\n    path: prisma/migrations\n' "$(db_url four)" >strata.yaml
run apply -q
run adopt --to sqlpair:dbmate --name 20250101000000_baseline
check "to dbmate: exit 0" rc_is 0
check "to dbmate: the writer's file, VERSION_NAME.sql" test -s db/migrations/20250101000000_baseline.sql
check "to dbmate: the layout in strata.yaml" eq "$(tail -4 strata.yaml)" "  - name: sqlpair
    format: sqlpair
    path: db/migrations
    layout: dbmate"
check "to dbmate: dbmate's table records the version" eq "$(q four "SELECT version FROM schema_migrations")" 20250101000000
check "to dbmate: _prisma_migrations kept" eq "$(q four "SELECT migration_name FROM _prisma_migrations")" 20240101000000_a
run --db "$(db_url four2)" apply
check "to dbmate: a fresh database runs the baseline only" eq "$(grep -c '^applied ' "$T/out")" 1
check "to dbmate: with the same schema" eq "$(schema four2)" "$(schema four)"
cd ..

# ---- to Alembic: one revision, one op.execute() per statement ----
mkdir five && cd five
project five
run apply -q
run --json adopt --to alembic --dry-run
nstmt=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sql"].count(";\n\n"))' "$T/out")
run adopt --to alembic
check "to alembic: exit 0" rc_is 0
check "to alembic: the revision file" test -s alembic/versions/0_init.py
check "to alembic: revision '0', a root" eq "$(grep -E "^(revision|down_revision) = " alembic/versions/0_init.py | paste -sd, -)" "revision = '0',down_revision = None"
check "to alembic: one op.execute per statement" eq "$(grep -c '^    op.execute(' alembic/versions/0_init.py)" "$nstmt"
check "to alembic: alembic_version holds it" eq "$(q five "SELECT version_num FROM alembic_version")" 0
run status
check "to alembic: status clean" rc_is 0
run --db "$(db_url five2)" apply
check "to alembic: a fresh database runs it alone" eq "$(grep -c '^applied ' "$T/out")" 1
check "to alembic: with the same schema" eq "$(schema five2)" "$(schema five)"
cd ..

# ---- retired: in strata.yaml ----
mkdir three && cd three
project three
sed -i 's/    path: db\/migrations/    path: db\/migrations\n    retired: yes/' strata.yaml
run status
check "retired: yes is refused" rc_is 1
check "retired: the error names file:line" err_has "strata.yaml:9:14: retired must be true or false, not 'yes'"
sed -i 's/retired: yes/retired: true/' strata.yaml
run apply
check "retired: true: apply runs nothing" out_has "0 migrations applied"
check "retired: true: nothing created" eq "$(has_table three users)" 0
run status
check "retired: true: status exit 0, all retired" eq "$rc $(grep -c ' retired ' "$T/out")" "0 3"
run baseline
check "retired: true: baseline records nothing, and says why" eq "$rc $(cat "$T/out")" "0 nothing to baseline: 3 of a retired source"
cd ..

done_testing
