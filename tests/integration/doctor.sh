#!/usr/bin/env bash
# strata doctor: every problem of a history in one run, read with the
# dialect's own parser, each at its file:line with its code and fix; with a
# database, its tracking rows.  Read only: the database is never written.
. "$(dirname "$0")/lib.sh"

M=prisma/migrations
PROVIDER=$(pick sqlite postgresql)
mig() { mkdir -p "$M/$1"; printf '%s\n' "$2" >"$M/$1/migration.sql"; }
ops() { printf -- '-- migrate:up\n%s\n-- migrate:down\n' "$2" >"db/migrations/$1.sql"; }
# rev ID DOWN TABLE: an Alembic revision creating TABLE (down: a Python literal).
rev() {
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
# finding CODE FILE:LINE: the text line of that finding is in the output.
has() { grep -q -- "^$2: [a-z]*: .*\[$1\]" "$T/out" || { echo "# no [$1] at $2"; false; }; }
count() { grep -c -- "\[$1\]" "$T/out" || true; }
config() {
	cat >strata.yaml <<YAML
database: $(db_url "$1")
sources:
  - name: app
    format: prisma
    path: $M
  - name: ops
    format: sqlpair
    path: db/migrations
    layout: dbmate
  - name: revs
    format: alembic
    path: versions
YAML
}

# ---- a clean history: nothing to say, exit 0 ----
mkdir clean && cd clean
config clean
mkdir -p $M db/migrations versions
printf 'provider = "%s"\n' "$PROVIDER" >$M/migration_lock.toml
mig 20240101000000_init 'CREATE TABLE users (id INTEGER PRIMARY KEY);'
mig 20240102000000_posts 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
CREATE INDEX posts_user ON posts (user_id);'
ops 0001_base 'CREATE TABLE IF NOT EXISTS base (id INTEGER);'
rev a1 None alpha
run doctor
check "clean: exit 0" rc_is 0
# SQLite: clean.db does not exist (and is not created); PostgreSQL: it is empty.
check "clean: the summary only" eq "$(cat "$T/out")" \
	"4 migrations read$(pick '' ' with the database'): 0 errors, 0 warnings, 0 notes"
run --json doctor
check "clean --json: the summary object" eq "$(cat "$T/out")" \
	'{"event": "summary", "migrations": 4, "database_read": '"$(pick false true)"', "errors": 0, "warnings": 0, "notes": 0, "exit": 0}'
check "clean: nothing written to the database" eq "$(has_table clean strata_ledger _prisma_migrations)" 0
run --db "postgresql://nobody@/none?host=$T/no-server&port=1" doctor
check "unreachable database: the history is still read, exit 0" rc_is 0
check "unreachable database: no rows read" eq "$(cat "$T/out")" "4 migrations read: 0 errors, 0 warnings, 0 notes"
check "unreachable database: said on stderr" \
	err_has "strata: warning: postgresql://nobody@/none?host=$T/no-server&port=1: the database was not reached, its tracking rows were not checked: "
cd ..

# ---- a broken history, partly applied, its tracking rows damaged ----
mkdir p && cd p
config app
mkdir -p $M db/migrations versions
printf 'provider = "%s"\n' "$PROVIDER" >$M/migration_lock.toml
mig 20240101000000_init 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE organizations (id INTEGER PRIMARY KEY);'
mig 20240101100000_profiles 'CREATE TABLE profiles (id INTEGER PRIMARY KEY);'
mig 20240101200000_teams 'CREATE TABLE teams (id INTEGER PRIMARY KEY);'
ops 0001_base 'CREATE TABLE base (id INTEGER);'
ops 0002_keep 'CREATE TABLE keep (id INTEGER);'
ops 0003_gone 'CREATE TABLE gone (id INTEGER);'
ops 0004_flags 'CREATE TABLE flags (id INTEGER);'
rev a1 None alpha
run apply
check "setup: the clean part applies" rc_is 0
# The damage: a folder renamed after it was applied, a file removed, rows
# half finished, checksums empty and foreign.
mv db/migrations/0002_keep.sql db/migrations/0005_keep.sql
rm db/migrations/0003_gone.sql
q app "UPDATE strata_ledger SET state = 'running' WHERE id = 'ops:0001'"
q app "UPDATE strata_ledger SET checksum = 'md5:0cc175b9c0f1b6a8' WHERE id = 'ops:0004'"
q app "UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = '20240101100000_profiles'"
q app "UPDATE _prisma_migrations SET checksum = '' WHERE migration_name = '20240101200000_teams'"
# The issue's broken Prisma history: a draft creates campaign_metrics with a
# FOREIGN KEY to campaigns, which a later migration creates; the later one
# also creates users and organizations again.
mig 20240102000000_draft '-- draft: campaign metrics
CREATE TABLE campaign_metrics (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER REFERENCES campaigns (id)
);
CREATE INDEX campaign_metrics_campaign ON campaigns (id);'
mig 20240103000000_campaigns 'CREATE TABLE campaigns (id INTEGER PRIMARY KEY);
CREATE TABLE users (id INTEGER PRIMARY KEY);
CREATE TABLE organizations (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS organizations (id INTEGER PRIMARY KEY);
DROP TABLE legacy_accounts;
INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('x', 'y', 'z');
CREATE VIEW active_users AS SELECT * FROM users;
SELEC 1;'
# Byte order and Prisma's (ICU) order differ: '_' sorts before digits in ICU.
mig 20240104_tags 'CREATE TABLE tags (id INTEGER PRIMARY KEY);'
mig 20240104000000_labels 'CREATE TABLE labels (id INTEGER PRIMARY KEY);'
ops 0006_own_tx 'BEGIN;
CREATE TABLE audit (id INTEGER);
COMMIT;
CREATE TABLE audit2 (id INTEGER);'
ops 0007_ledger "INSERT INTO strata_ledger (id) VALUES ('ops:0099');"
if pg; then
	ops 0008_concurrently 'BEGIN;
CREATE INDEX CONCURRENTLY audit_id ON audit (id);
COMMIT;'
	mig 20240105000000_index 'CREATE TABLE events (id INTEGER);
CREATE INDEX CONCURRENTLY events_id ON events (id);'
fi
rev b2 "'a1'" beta
rev c3 "'a1'" gamma
before=$(q app "SELECT id, state, checksum FROM strata_ledger ORDER BY id"; \
	q app "SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name"; \
	q app "SELECT version_num FROM alembic_version ORDER BY 1")
run doctor
check "broken: exit 4" rc_is 4
D=$M/20240102000000_draft/migration.sql
C=$M/20240103000000_campaigns/migration.sql
check "forward reference: the FOREIGN KEY to campaigns" has forward-reference "$D:2"
check "forward reference: the index on campaigns" has forward-reference "$D:6"
check "forward reference: names the CREATE that comes later" \
	out_has "$D:2: error: table campaign_metrics refers to table campaigns, which is created only later, by $C:1: it fails on an empty database [forward-reference]"
check "already created: users" has already-created "$C:2"
check "already created: organizations" has already-created "$C:3"
check "already created: names the first CREATE" \
	out_has "$C:2: error: CREATE table users: $M/20240101000000_init/migration.sql:1 already created it"
check "already created: IF NOT EXISTS is not reported" eq "$(grep -c "^$C:4:" "$T/out")" 0
check "assumed to exist: a note" \
	out_has "$C:5: note: DROP table legacy_accounts, which no migration creates: assumed to exist [assumed-to-exist]"
check "own tracking rows: _prisma_migrations" has writes-own-tracking-row "$C:6"
check "own tracking rows: strata_ledger" has writes-own-tracking-row "db/migrations/0007_ledger.sql:2"
check "a view of a table created earlier: nothing" eq "$(grep -c "^$C:7:" "$T/out")" 0
check "syntax error: the parser's message" out_has "$C:8: error: the dialect's parser rejects this statement: $(pick 'near "SELEC": syntax error' 'syntax error at or near "SELEC"') [syntax-error]"
check "order depends on the tool version" \
	out_has "$M/: warning: Prisma's order of these folders differs from byte order (older Prisma, ls in the C locale) in 1 pair: 20240104_tags before 20240104000000_labels [order-depends-on-tool-version]"
check "transaction control of its own" has transaction-control "db/migrations/0006_own_tx.sql:2"
check "several heads: each head" eq "$(grep -c "^versions/[bc][23]_r.py:[0-9]*: error: source revs has 2 heads (b2, c3)" "$T/out")" 2
check "several heads: the revision's line" has several-heads "versions/b2_r.py:10"
check "renamed after apply: at the new name" has renamed-after-apply "db/migrations/0005_keep.sql:2"
check "renamed after apply: both ids named" \
	out_has "ops:0005 is pending, and ops:0002, applied with the same checksum, has no file"
check "row without file" out_has "strata_ledger: error: ops:0003 is recorded as applied but no migration file has its id [row-without-file]"
check "half finished: strata's running row" has half-finished-row "db/migrations/0001_base.sql:2"
check "half finished: Prisma's row without finished_at" has half-finished-row "$M/20240101100000_profiles/migration.sql:1"
check "empty checksum: Prisma's row" has empty-checksum "$M/20240101200000_teams/migration.sql:1"
check "foreign checksum: strata_ledger's" has foreign-checksum "db/migrations/0004_flags.sql:2"
if pg; then
	check "CONCURRENTLY inside the file's own BEGIN" has concurrently-in-transaction "db/migrations/0008_concurrently.sql:3"
	check "CONCURRENTLY in a Prisma file of two statements" has concurrently-in-transaction "$M/20240105000000_index/migration.sql:2"
fi
check "one run: every finding, counted in the summary" \
	out_has "$(pick 15 17) migrations read with the database: $(pick 15 17) errors, 2 warnings, 1 note"
check "findings in ledger order: Prisma's rows first, the draft's next" \
	eq "$(cut -d: -f1-2 "$T/out" | sed -n '1p;3p' | paste -sd, -)" "$M/20240101100000_profiles/migration.sql:1,$D:2"
after=$(q app "SELECT id, state, checksum FROM strata_ledger ORDER BY id"; \
	q app "SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name"; \
	q app "SELECT version_num FROM alembic_version ORDER BY 1")
check "read only: the tracking rows are as they were" eq "$after" "$before"
check "read only: no table of a migration was created" eq "$(has_table app campaigns campaign_metrics audit)" 0

# ---- --json: one object per finding, then the summary ----
run --json doctor
check "--json: exit 4" rc_is 4
check "--json: the forward reference's object" \
	out_has "{\"event\": \"finding\", \"code\": \"forward-reference\", \"severity\": \"error\", \"file\": \"$D\", \"line\": 2, \"col\": 1, \"migration\": \"app:20240102000000_draft\", \"message\": \"table campaign_metrics refers to table campaigns, which is created only later, by $C:1: it fails on an empty database\", \"fix\": \"create campaigns first: move its CREATE from $C into an earlier migration, or this statement into a later one\"}"
check "--json: one line per finding and the summary" eq "$(wc -l <"$T/out")" "$(pick 19 21)"
check "--json: the summary last" eq "$(tail -1 "$T/out")" \
	"{\"event\": \"summary\", \"migrations\": $(pick 15 17), \"database_read\": true, \"errors\": $(pick 15 17), \"warnings\": 2, \"notes\": 1, \"exit\": 4}"

# ---- without a database: the history alone, and nothing created ----
if sqlite; then
	run --db sqlite:none.db doctor
	check "no database: exit 4" rc_is 4
	check "no database: the history's findings, not the rows'" \
		out_has "15 migrations read: 9 errors, 2 warnings, 1 note"
	check "no database: none created" eq "$(ls none.db 2>&1 >/dev/null | wc -l)" 1
else
	run --db "$(db_url fresh)" doctor
	check "empty database: exit 4" rc_is 4
	check "empty database: no strata_ledger created" eq "$(has_table fresh strata_ledger)" 0
fi

# ---- the model follows renames and drops ----
cd ..
mkdir model && cd model
printf 'sources:\n  - name: ops\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' >strata.yaml
mkdir -p db/migrations
ops 0001_a 'CREATE TABLE accounts (id INTEGER PRIMARY KEY);
CREATE TABLE scratch (id INTEGER);'
ops 0002_b 'ALTER TABLE accounts RENAME TO users;
DROP TABLE scratch;
CREATE TABLE scratch (id INTEGER);'
ops 0003_c 'CREATE INDEX users_id ON users (id);
CREATE INDEX accounts_id ON accounts (id);'
run --db "$(db_url model)" doctor
check "model: exit 0 (a note only)" rc_is 0
check "model: a renamed table is gone under its old name, and found under its new one; a table dropped may be created again" \
	eq "$(cat "$T/out")" "db/migrations/0003_c.sql:3: note: index accounts_id refers to table accounts, which no migration creates: assumed to exist [assumed-to-exist] (fix: none if every database has it; else create it in an earlier migration (or a baseline))
3 migrations read$(pick '' ' with the database'): 0 errors, 0 warnings, 1 note"

# ---- an error is exit 1, and one line ----
cd ..
mkdir bad && cd bad
printf 'sources:\n  - name: app\n    format: sqlpair\n    path: nowhere\n    layout: dbmate\n' >strata.yaml
run doctor
check "a source that cannot be read: exit 1" rc_is 1
check "a source that cannot be read: one error line" eq "$(wc -l <"$T/err")" 1

done_testing
