#!/usr/bin/env bash
# strata drift: the live database against what its applied history makes,
# replayed on a scratch of its dialect, object by object.  Hand-made changes
# of each object kind, each reported on its exact line with the migration
# that last touched the object; tracking tables never; pending migrations
# not replayed; --json; a bad --scratch is one error line.
. "$(dirname "$0")/lib.sh"
# The replay cache's info line ("replayed N migrations on a template of the
# first K (…)", verify-cache.sh tests it) is left out of the reports compared
# here: whether a run finds a template depends on the runs before it.
run() {
	set +e
	${STRATA_WRAP:-} "$STRATA" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	sed -i '/^replayed [0-9]* migrations\{0,1\} on a template of the first [0-9]* (/d' "$T/out"
}

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
CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE users ADD COLUMN score INTEGER;"
else
	# posts_small's stored text has tokens with no space between them: its
	# normalised form is longer than the text (a heap overflow once).
	mig 20240103000000_kinds 'CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 1; END;
CREATE INDEX posts_small ON posts(id) WHERE id>1+2*3-4/5;
ALTER TABLE users ADD COLUMN score INTEGER;'
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
  nick TEXT DEFAULT 'x', score INTEGER NOT NULL, UNIQUE (email));
INSERT INTO users_new SELECT id, email, age, nick, score FROM users;
DROP TABLE users; ALTER TABLE users_new RENAME TO users; COMMIT"
	q app "DROP TRIGGER posts_touch"
	q app "CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 2; END"
else
	q app "ALTER TABLE users DROP COLUMN gone"
	q app "ALTER TABLE users ALTER COLUMN age TYPE bigint"
	q app "ALTER TABLE users ALTER COLUMN email DROP NOT NULL"
	q app "ALTER TABLE users ALTER COLUMN nick SET DEFAULT 'x'"
	q app "ALTER TABLE users ALTER COLUMN score SET NOT NULL"
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
line() { grep -qxF -- "$1" "$T/out" || { echo "# no line: $1"; false; }; }
S=$(pick '' public.)
check "an added table" line "+ table ${S}audit  (in the database, not made by the history)"
check "a dropped column" line "- column ${S}users.gone  (made by $I, not in the database)"
check "a column's type" line "$(pick \
	"~ column users.age: BIGINT DEFAULT 0 in the database, INTEGER DEFAULT 0 in the history ($I)" \
	"~ column public.users.age: bigint DEFAULT 0 in the database, integer DEFAULT 0 in the history ($I)")"
check "a column's nullability" line "$(pick \
	"~ column users.email: TEXT in the database, TEXT NOT NULL in the history ($I)" \
	"~ column public.users.email: text in the database, text NOT NULL in the history ($I)")"
check "a column's default" line "$(pick \
	"~ column users.nick: TEXT DEFAULT 'x' in the database, TEXT in the history ($I)" \
	"~ column public.users.nick: text DEFAULT 'x'::text in the database, text in the history ($I)")"
check "a column: the migration that last touched it, not the one that made its table" line "$(pick \
	"~ column users.score: INTEGER NOT NULL in the database, INTEGER in the history ($X)" \
	"~ column public.users.score: integer NOT NULL in the database, integer in the history ($X)")"
check "an added index" line "+ index ${S}posts.posts_body  (in the database, not made by the history)"
check "a dropped index" line "- index ${S}users.users_age  (made by $I, not in the database)"
check "an added constraint" line "$(pick \
	"+ constraint users.UNIQUE (email)  (in the database, not made by the history)" \
	"+ constraint public.users.users_email_key  (in the database, not made by the history)")"
check "a replaced view" line "$(pick \
	"~ view post_count: CREATE VIEW post_count AS SELECT 1 AS n in the database, CREATE VIEW post_count AS SELECT user_id, count(*) AS n FROM posts GROUP BY user_id in the history ($P)" \
	"~ view public.post_count: SELECT 1 AS n; in the database, SELECT posts.user_id, count(*) AS n FROM posts GROUP BY posts.user_id; in the history ($P)")"
check "an added view" line "+ view ${S}v2  (in the database, not made by the history)"
if sqlite; then
	check "a replaced trigger" line "~ trigger posts.posts_touch: CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 2; END in the database, CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN SELECT 1; END in the history ($X)"
	check "the summary" line "drift: 4 extra, 2 missing, 6 different (3 migrations replayed)"
	check "nothing else" eq "$(wc -l <"$T/out")" 13
else
	check "an added sequence" line "+ sequence public.extra_seq  (in the database, not made by the history)"
	check "an enum value" line "~ type public.mood: ENUM ('happy', 'sad', 'meh') in the database, ENUM ('happy', 'sad') in the history ($X)"
	check "a function body" line "~ function public.add_one(i integer): its definition differs from the history's ($X)"
	check "an added trigger" line "+ trigger public.users.users_touch  (in the database, not made by the history)"
	check "an added extension" line "+ extension pg_trgm  (in the database, not made by the history)"
	check "an added schema" line "+ schema reports  (in the database, not made by the history)"
	check "the summary" line "drift: 8 extra, 2 missing, 7 different (3 migrations replayed)"
	check "nothing else" eq "$(wc -l <"$T/out")" 18
	check "the extension's own functions are not listed" out_lacks "similarity"
	check "the history's serial and identity sequences are not extra" out_lacks "tickets"
fi
check "tracking tables are never reported" eval '! grep -qE "strata_ledger|_prisma_migrations" "$T/out"'
check "a pending migration is not replayed" out_lacks "later"
check "the database is untouched" eq "$(tables app)" "$before"
check "the tracking rows are untouched" eq "$(q app "SELECT count(*) FROM strata_ledger")" 3

run --json drift
check "--json: exit 4" rc_is 4
check "--json: every line an object with the fields" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
items = [r for r in rows if r["event"] == "drift"]
summary = rows[-1]
assert summary["event"] == "summary" and summary["exit"] == 4, summary
assert len(items) == summary["extra"] + summary["missing"] + summary["different"], summary
for r in items:
    assert set(r) == {"event", "kind", "schema", "parent", "name", "change", "live", "history", "migration"}, r
    assert r["change"] in ("extra", "missing", "different"), r
    assert (r["live"] is None) == (r["change"] == "missing"), r
    assert (r["history"] is None) == (r["change"] == "extra"), r
gone = [r for r in items if r["name"] == "gone"][0]
assert gone == {"event": "drift", "kind": "column", "schema": sys.argv[2] or None, "parent": "users",
                "name": "gone", "change": "missing", "live": None, "history": sys.argv[3],
                "migration": "app:20240101000000_init"}, gone
' "$T/out" "$(pick '' public)" "$(pick TEXT text)"

# ---- trackers with a serial key (a sequence OWNED BY it) and a schema of
# their own: left out with their table ----
for tr in goose drizzle; do
	mkdir -p "$tr"
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: %s\n    layout: dbmate\n    tracker: %s\n' \
		"$(db_url "$tr")" "$tr" "$tr" >"$tr.yaml"
	printf -- '-- migrate:up\nCREATE TABLE %s_a (id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE %s_a;\n' "$tr" "$tr" >"$tr/0001_a.sql"
	run -c "$tr.yaml" apply
	check "$tr: applied" rc_is 0
	run -c "$tr.yaml" drift
	check "$tr: its table, its sequence and its schema are not drift" eq "$rc $(cat "$T/out")" \
		"0 no drift: the database is what its 1 applied migration makes"
done
if pg; then
	check "goose: its table has its serial sequence" eq \
		"$(q goose "SELECT count(*) FROM pg_class WHERE relname = 'goose_db_version_id_seq'")" 1
	check "drizzle: its table is in its schema" eq \
		"$(q drizzle "SELECT count(*) FROM pg_tables WHERE schemaname = 'drizzle'")" 1
fi
if pg; then
	# ?schema=: the scratch made beside the target replays into that schema too.
	mkdir -p sch
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: sch\n    layout: dbmate\n' \
		"$(db_url sch schema=shop)" >sch.yaml
	printf -- '-- migrate:up\nCREATE TABLE items (id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE items;\n' >sch/0001_items.sql
	run -c sch.yaml apply
	check "?schema=shop: applied" rc_is 0
	run -c sch.yaml drift
	check "?schema=shop: no drift" eq "$rc $(cat "$T/out")" "0 no drift: the database is what its 1 applied migration makes"
	q sch "CREATE TABLE shop.extra (id INTEGER)"
	run -c sch.yaml drift
	check "?schema=shop: a table added in it" eq "$rc $(head -1 "$T/out")" \
		"4 + table shop.extra  (in the database, not made by the history)"
fi
check "prisma: its table exists (and was not reported above)" eq "$(has_table app _prisma_migrations)" 1

# ---- a database that does not exist: one error line, exit 1, not created ----
run --db "$(pick sqlite:nothere.db "postgresql://nobody@/none?host=$T/no-server&port=1")" drift
check "no database: exit 1" rc_is 1
check "no database: one error line" eq "$(wc -l <"$T/err")" 1
if sqlite; then
	check "no database: said" err_is "strata: error: sqlite:nothere.db: the database does not exist (hint: point --db at the database to compare)"
	check "no database: not created" test ! -e nothere.db
fi

# ---- a scratch that cannot be used: one error line, exit 1 (2 when it is
# not one to use: not empty, another dialect) ----
run drift --scratch "$(pick "sqlite:$T/no/such/dir/x.db" "postgresql://nobody@/none?host=$T/no-server&port=1")"
check "bad --scratch: exit 1" rc_is 1
check "bad --scratch: one error line" eq "$(wc -l <"$T/err")" 1
check "bad --scratch: it names the scratch" err_has "strata: error: $(pick "sqlite:$T/no/such/dir/x.db" "postgresql://nobody@/none?host=$T/no-server&port=1")"
check "bad --scratch: nothing on stdout" eq "$(cat "$T/out")" ""
db_reset full
q full "CREATE TABLE t (id INTEGER)"
run drift --scratch "$(db_url full)"
check "a scratch that is not empty: a usage error, exit 2" rc_is 2
check "a scratch that is not empty: said" err_has "scratch database is not empty (hint: point --scratch at an empty database; it is written to)"
check "a scratch that is not empty: left as it was" eq "$(tables full)" t
run drift --scratch "$(pick "postgresql://nobody@/none" "sqlite:x.db")"
check "a scratch of another dialect: refused" err_has "drift runs the history on the target's dialect"
done_testing
