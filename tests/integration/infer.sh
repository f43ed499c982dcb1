#!/usr/bin/env bash
# strata baseline --infer: each migration decided on the live schema (what
# it creates there, what it drops gone, renames followed to the final name),
# the applied ones recorded in strata_ledger and the native tracker
# (dbmate's schema_migrations); partial and undecided ones never recorded.
. "$(dirname "$0")/lib.sh"

ops() { printf -- '-- migrate:up\n%s\n-- migrate:down\n' "$2" >"db/migrations/$1.sql"; }
project() {
	mkdir -p db/migrations
	cat >strata.yaml <<YAML
database: $(db_url "$1")
sources:
  - name: app
    format: sqlpair
    path: db/migrations
    layout: dbmate
YAML
}
rows() { qlist "$1" "SELECT id || '=' || state FROM strata_ledger ORDER BY id"; }
versions() { qlist "$1" "SELECT version FROM schema_migrations ORDER BY version"; }
# line N TEXT: line N of the output is exactly TEXT.
line() { eq "$(sed -n "${1}p" "$T/out")" "$2"; }
S=$(pick main public)

# ---- a db-push-like database: the schema is there, no history ----
mkdir push && cd push
project push
ops 0001_seed "INSERT INTO settings (k) VALUES ('theme');"
ops 0002_users 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE INDEX users_name ON users (name);'
ops 0003_email 'ALTER TABLE users ADD COLUMN email TEXT;'
ops 0004_fill 'UPDATE users SET email = name;'
ops 0005_posts 'CREATE TABLE posts (id INTEGER PRIMARY KEY);'
ops 0006_articles 'ALTER TABLE posts RENAME TO articles;'
ops 0007_entries 'ALTER TABLE articles RENAME TO entries;'
ops 0008_legacy 'DROP TABLE legacy;'
ops 0009_two 'CREATE TABLE tags (id INTEGER PRIMARY KEY);
CREATE TABLE labels (id INTEGER PRIMARY KEY);
ALTER TABLE users ADD COLUMN bio TEXT;'
ops 0010_comments 'CREATE TABLE IF NOT EXISTS settings (k TEXT);
CREATE TABLE comments (id INTEGER PRIMARY KEY);'
q push "CREATE TABLE settings (k TEXT); CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
CREATE INDEX users_name ON users (name); CREATE TABLE entries (id INTEGER PRIMARY KEY);
CREATE TABLE tags (id INTEGER PRIMARY KEY);"

run baseline --infer --dry-run
check "dry run: exit 4 (a partial and an undecided migration)" rc_is 4
check "dry run: data-only first migration undecided" line 1 "undecided app:0001  (nothing to look for, and nothing applied just before it)"
check "dry run: table and index found" line 2 "applied   app:0002  (2 objects found; would be recorded)"
check "dry run: column added by ALTER found" line 3 "applied   app:0003  (1 object found; would be recorded)"
check "dry run: data-only between applied ones" line 4 "applied   app:0004  (nothing to look for; the migrations before and after it are applied; would be recorded)"
check "dry run: created table found under its final name" line 5 "applied   app:0005  (1 object found; would be recorded)"
check "dry run: rename: new name there, old gone" line 6 "applied   app:0006  (1 object found; would be recorded)"
check "dry run: second rename" line 7 "applied   app:0007  (1 object found; would be recorded)"
check "dry run: drop-only migration" line 8 "applied   app:0008  (1 dropped object gone; would be recorded)"
check "dry run: partial lists what is missing" line 9 "partial   app:0009  1 of 3 as expected; missing: table $S.labels, column $S.users.bio"
check "dry run: pending" line 10 "pending   app:0010  (none of its 1 object found)"
check "dry run: summary" line 11 "10 migrations: 7 applied (7 would be recorded, 0 already recorded), 1 partial, 1 pending, 1 undecided; nothing was changed"
check "dry run writes nothing (no strata_ledger, no schema_migrations)" eq "$(has_table push strata_ledger schema_migrations)" 0

run baseline --infer
check "infer: exit 4" rc_is 4
check "infer: recorded line" line 2 "applied   app:0002  (2 objects found; recorded as baselined)"
check "infer: partial not recorded" line 9 "partial   app:0009  1 of 3 as expected; missing: table $S.labels, column $S.users.bio"
check "infer: summary" line 11 "10 migrations: 7 applied (7 recorded now, 0 already recorded), 1 partial, 1 pending, 1 undecided"
check "infer: the hint for what was not recorded" line 12 "not recorded: 1 partial, 1 undecided (decide them: apply what is missing, or \`strata mark ID --applied\`)"
check "strata_ledger: the applied ones, baselined" eq "$(rows push)" \
	"app:0002=baselined,app:0003=baselined,app:0004=baselined,app:0005=baselined,app:0006=baselined,app:0007=baselined,app:0008=baselined"
check "schema_migrations: the same versions" eq "$(versions push)" "0002,0003,0004,0005,0006,0007,0008"
check "nothing ran (no labels, comments tables)" eq "$(has_table push labels comments)" 0

run baseline --infer
check "rerun: exit 4 still" rc_is 4
check "rerun: already recorded" line 2 "applied   app:0002  (2 objects found; already recorded)"
check "rerun: summary" line 11 "10 migrations: 7 applied (0 recorded now, 7 already recorded), 1 partial, 1 pending, 1 undecided"
check "rerun: rows unchanged" eq "$(q push "SELECT count(*) FROM strata_ledger")/$(q push "SELECT count(*) FROM schema_migrations")" "7/7"

run --json baseline --infer --dry-run
check "--json: exit 4" rc_is 4
check "--json: one object per migration" eq "$(grep -c '"event": "inference"' "$T/out")" 10
check "--json: the partial one" out_has '{"event": "inference", "migration": "app:0009", "verdict": "partial", "found": 1, "expected": 3, "gone": 0, "missing": "table '"$S"'.labels, column '"$S"'.users.bio", "present": null, "reason": null, "state": "pending", "recorded": false}'
check "--json: summary" out_has '"migrations": 10, "applied": 7, "partial": 1, "pending": 1, "undecided": 1, "recorded": 0, "already": 7, "dry_run": true, "exit": 4}'
cd ..

# ---- a rename chain on a database that has only the first step ----
mkdir chain && cd chain
project chain
ops 0001_posts 'CREATE TABLE posts (id INTEGER PRIMARY KEY);'
ops 0002_articles 'ALTER TABLE posts RENAME TO articles;'
ops 0003_entries 'ALTER TABLE articles RENAME TO entries;'
q chain "CREATE TABLE posts (id INTEGER PRIMARY KEY);"
run baseline --infer
check "chain: exit 0 (every migration decided)" rc_is 0
check "chain: the first step applied" line 1 "applied   app:0001  (1 object found; recorded as baselined)"
check "chain: the rename not applied (its new name missing)" line 2 "pending   app:0002  (none of its 1 object found)"
check "chain: the second rename pending" line 3 "pending   app:0003  (none of its 1 object found)"
check "chain: one row" eq "$(rows chain)/$(versions chain)" "app:0001=baselined/0001"
q chain "ALTER TABLE posts RENAME TO articles;"
run baseline --infer
check "chain: after the rename by hand, exit 0" rc_is 0
check "chain: first already recorded" line 1 "applied   app:0001  (1 object found; already recorded)"
check "chain: the rename applied now" line 2 "applied   app:0002  (1 object found; recorded as baselined)"
check "chain: the last pending" line 3 "pending   app:0003  (none of its 1 object found)"
check "chain: summary" line 4 "3 migrations: 2 applied (1 recorded now, 1 already recorded), 0 partial, 1 pending, 0 undecided"
run apply
check "chain: apply runs only the last one" rc_is 0
check "chain: entries there, articles gone" eq "$(has_table chain entries)/$(has_table chain articles)" "1/0"
check "chain: all three recorded" eq "$(versions chain)" "0001,0002,0003"

# ---- baseline without --infer says what it left out ----
run baseline
check "baseline with nothing to do: exit 0" rc_is 0
check "baseline says why it recorded nothing" out_has "nothing to baseline: 3 already recorded"
ops 0004_more 'CREATE TABLE more (id INTEGER PRIMARY KEY);'
ops 0005_most 'CREATE TABLE most (id INTEGER PRIMARY KEY);'
run baseline --to app:0003
check "baseline --to: what it left out, and why" out_has "nothing to baseline: 3 already recorded, 2 pending after --to"
run baseline --to app:0004
check "baseline --to one more: recorded and left out" out_has "1 migration recorded as baselined (not run); left out: 3 already recorded, 1 pending after --to"
run --json baseline
check "baseline --json: the counts of what it left out" out_has '"baselined": 1, "already": 4, "after_to": 0, "ignored": 0, "renewed": 0, "retired": 0}'

# ---- usage ----
run baseline --dry-run
check "--dry-run without --infer: usage error" rc_is 2
run baseline --infer --to app:0001
check "--infer with --to: usage error" rc_is 2
check "--infer with --to: says why" err_has "--infer decides every migration; it does not take --to"
cd ..

# ---- a drop of what the history created: its absence tells only once its creator is applied ----
mkdir dropped && cd dropped
project dropped
ops 0001_old 'CREATE TABLE old (id INTEGER PRIMARY KEY);'
ops 0002_keep 'CREATE TABLE keep (id INTEGER PRIMARY KEY);'
ops 0003_drop 'DROP TABLE old;'
ops 0004_new 'CREATE TABLE new (id INTEGER PRIMARY KEY);'
q dropped "CREATE TABLE keep (id INTEGER PRIMARY KEY);"
run baseline --infer --dry-run
check "dropped: exit 4 (undecided ones)" rc_is 4
check "dropped: a table dropped later is no evidence" line 1 "undecided app:0001  (nothing to look for, and nothing applied just before it)"
check "dropped: the drop of a table never made tells nothing" line 3 "undecided app:0003  (nothing to look for, and nothing applied just after it)"
check "dropped: the last pending" line 4 "pending   app:0004  (none of its 1 object found)"
q dropped "CREATE TABLE new (id INTEGER PRIMARY KEY);"
run baseline --infer
check "dropped: with the last one there: exit 4 (the first undecided)" rc_is 4
check "dropped: the drop between applied ones" line 3 "applied   app:0003  (nothing to look for; the migrations before and after it are applied; recorded as baselined)"
check "dropped: recorded: all but the undecided first" eq "$(versions dropped)" "0002,0003,0004"
cd ..

# ---- data only next to a pending migration: undecided (the nearest neighbours decide) ----
mkdir near && cd near
project near
ops 0001_a 'CREATE TABLE a (id INTEGER PRIMARY KEY);'
ops 0002_b 'CREATE TABLE b (id INTEGER PRIMARY KEY);'
ops 0003_fill 'INSERT INTO a (id) VALUES (1);'
ops 0004_c 'CREATE TABLE c (id INTEGER PRIMARY KEY);'
q near "CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY);"
run baseline --infer --dry-run
check "near: exit 4" rc_is 4
check "near: data only after a pending one is undecided" line 3 "undecided app:0003  (nothing to look for, and nothing applied just before it)"
cd ..

# ---- a drop whose object is still there: partial, what is still there said ----
mkdir still && cd still
project still
ops 0001_b 'DROP TABLE old_thing;
CREATE TABLE b (id INTEGER PRIMARY KEY);'
q still "CREATE TABLE old_thing (id INTEGER PRIMARY KEY); CREATE TABLE b (id INTEGER PRIMARY KEY);"
run baseline --infer
check "still: exit 4" rc_is 4
check "still: partial, the dropped table still there" line 1 "partial   app:0001  1 of 2 as expected; still there: table $S.old_thing"
check "still: nothing written" eq "$(has_table still strata_ledger schema_migrations)" 0
cd ..

# ---- Alembic: the revision graph, alembic_version gets the head of what is applied ----
mkdir alembic && cd alembic
arev() {
	mkdir -p versions
	cat >"versions/$1_r.py" <<PY
"""revision $1"""
from alembic import op

revision = '$1'
down_revision = $2
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE $3 (id INTEGER PRIMARY KEY)")


def downgrade():
    op.execute("DROP TABLE $3")
PY
}
arev a1 None alpha
arev a2 "'a1'" beta
arev a3 "'a2'" gamma
printf 'database: %s\nsources:\n  - name: revs\n    format: alembic\n    path: versions\n' "$(db_url alembic)" >strata.yaml
q alembic "CREATE TABLE alpha (id INTEGER PRIMARY KEY); CREATE TABLE beta (id INTEGER PRIMARY KEY);"
run baseline --infer
check "alembic: exit 0" rc_is 0
check "alembic: a1 applied" line 1 "applied   revs:a1  (1 object found; recorded as baselined)"
check "alembic: a2 applied" line 2 "applied   revs:a2  (1 object found; recorded as baselined)"
check "alembic: a3 pending" line 3 "pending   revs:a3  (none of its 1 object found)"
check "alembic: alembic_version is the head applied" eq "$(qlist alembic "SELECT version_num FROM alembic_version")" "a2"
check "alembic: strata_ledger" eq "$(rows alembic)" "revs:a1=baselined,revs:a2=baselined"
run apply
check "alembic: apply runs a3 only" eq "$rc/$(has_table alembic gamma)/$(qlist alembic "SELECT version_num FROM alembic_version")" "0/1/a3"
cd ..

# ---- PostgreSQL, ?schema=app: unqualified names are looked for where they land ----
if pg; then
	mkdir schema && cd schema
	mkdir -p db/migrations
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' \
		"$(db_url schema schema=app)" >strata.yaml
	ops 0001_a 'CREATE TABLE a (id INTEGER PRIMARY KEY);'
	ops 0002_b 'CREATE TABLE b (id INTEGER PRIMARY KEY);'
	q schema "CREATE SCHEMA app; CREATE TABLE app.a (id INTEGER PRIMARY KEY); CREATE TABLE public.b (id INTEGER PRIMARY KEY);"
	run baseline --infer --dry-run
	check "?schema=app: a found in app" line 1 "applied   app:0001  (1 object found; would be recorded)"
	check "?schema=app: b in public is not app.b" line 2 "pending   app:0002  (none of its 1 object found)"
	run --json baseline --infer --dry-run
	check "?schema=app: missing names app.b" out_has '"missing": "table app.b"'
	cd ..
fi

# ---- an empty database: every migration pending, nothing written ----
mkdir empty && cd empty
project empty
ops 0001_a 'CREATE TABLE a (id INTEGER PRIMARY KEY);'
run baseline --infer
check "empty: exit 0" rc_is 0
check "empty: pending" line 1 "pending   app:0001  (none of its 1 object found)"
check "empty: nothing written" eq "$(has_table empty strata_ledger schema_migrations)" 0
cd ..

done_testing
