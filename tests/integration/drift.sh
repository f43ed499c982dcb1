#!/usr/bin/env bash
# strata drift: the live database against what its applied history makes,
# replayed on a scratch of its dialect, object by object.  Hand-made changes
# of each object kind, each reported on its exact line with the migration
# that last touched the object; tracking tables never; pending migrations
# not replayed; --json; a bad --scratch is one error line.
. "$(dirname "$0")/lib.sh"

M=prisma/migrations
mig() { mkdir -p "$M/$1"; printf '%s\n' "$2" >"$M/$1/migration.sql"; }
cat >strata.yaml <<YAML
database: $(db_url app)
sources:
  - name: app
    format: prisma
    path: $M
YAML
mkdir -p $M
printf 'provider = "%s"\n' "$(pick sqlite postgresql)" >$M/migration_lock.toml
I=app:20240101000000_init P=app:20240102000000_posts X=app:20240103000000_kinds
mig 20240101000000_init 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL,
  age INTEGER DEFAULT 0, nick TEXT, gone TEXT);
CREATE INDEX users_age ON users (age);'
mig 20240102000000_posts 'CREATE TABLE posts (id INTEGER PRIMARY KEY,
  user_id INTEGER REFERENCES users (id), body TEXT);
CREATE VIEW post_count AS SELECT user_id, count(*) AS n FROM posts GROUP BY user_id;'
if pg; then
	mig 20240103000000_kinds "CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE SEQUENCE tickets;
CREATE FUNCTION add_one(i integer) RETURNS integer LANGUAGE sql AS 'SELECT i + 1';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();"
else
	mig 20240103000000_kinds 'CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 1; END;'
fi
run apply
check "setup: the history applies" rc_is 0
# A pending migration: drift compares with what is recorded, so its table
# is not missing.
mig 20240104000000_later 'CREATE TABLE later (id INTEGER PRIMARY KEY);'

run drift
check "clean: exit 0" rc_is 0
check "clean: no drift" eq "$(cat "$T/out")" "no drift: the database is what its 3 applied migrations make"
run --json drift
check "clean --json: the summary object" eq "$(cat "$T/out")" \
	'{"event": "summary", "migrations": 3, "extra": 0, "missing": 0, "different": 0, "exit": 0}'

# ---- changes by hand ----
q app "CREATE TABLE audit (id INTEGER)"
q app "CREATE INDEX posts_body ON posts (body)"
q app "DROP INDEX users_age"
q app "DROP VIEW post_count"
q app "CREATE VIEW post_count AS SELECT 1 AS n"
if sqlite; then
	# SQLite alters a column's type, nullability or default by a rebuild.
	q app "PRAGMA foreign_keys = OFF; BEGIN;
CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT, age BIGINT DEFAULT 0,
  nick TEXT DEFAULT 'x', UNIQUE (email));
INSERT INTO users_new SELECT id, email, age, nick FROM users;
DROP TABLE users; ALTER TABLE users_new RENAME TO users; COMMIT"
	q app "DROP TRIGGER posts_touch"
	q app "CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 2; END"
else
	q app "ALTER TABLE users DROP COLUMN gone"
	q app "ALTER TABLE users ALTER COLUMN age TYPE bigint"
	q app "ALTER TABLE users ALTER COLUMN email DROP NOT NULL"
	q app "ALTER TABLE users ALTER COLUMN nick SET DEFAULT 'x'"
	q app "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)"
	q app "CREATE SEQUENCE extra_seq"
	q app "ALTER TYPE mood ADD VALUE 'meh'"
	q app "CREATE OR REPLACE FUNCTION add_one(i integer) RETURNS integer LANGUAGE sql AS 'SELECT i + 2'"
	q app "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()"
	q app "CREATE EXTENSION pg_trgm"
	q app "CREATE SCHEMA reports"
fi
q app "CREATE VIEW v2 AS SELECT id FROM users"
before=$(tables app)
run drift
check "drift: exit 4" rc_is 4
cp "$T/out" /tmp/drift-out-$BACKEND.txt
cat "$T/out" | sed 's/^/# /'
run --json drift
cp "$T/out" /tmp/drift-json-$BACKEND.txt
done_testing
