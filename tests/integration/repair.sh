#!/usr/bin/env bash
# strata repair: a recorded checksum that no longer matches its file is
# recorded again, in strata_ledger and the native tracker, only when the
# text strata_ledger kept and the file read with the dialect's own parser
# give the same statements (comments and whitespace aside); otherwise it
# is refused with the diff, exit 4, nothing written, unless --force.  Also
# status -v's diff, doctor's finding, --dry-run, --json, and the script
# column added to a strata_ledger from before it.
. "$(dirname "$0")/lib.sh"

# A dbmate-layout source tracked also by a checksummed `migrations` table.
mkdir -p db/migrations
cat >strata.yaml <<YAML
database: $(db_url app)
sources:
  - name: app
    format: sqlpair
    path: db/migrations
    layout: dbmate
    tracker: migrations-runner
YAML
mig() { printf -- '-- migrate:up\n%s\n-- migrate:down\nDROP TABLE %s;\n' "$2" "$3" >"db/migrations/$1.sql"; }
mig 0001_users '-- the users
CREATE TABLE users (id INTEGER PRIMARY KEY, n INTEGER DEFAULT 1);' users
mig 0002_posts 'CREATE TABLE posts (id INTEGER PRIMARY KEY);' posts
mig 0003_tags "CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT DEFAULT 'a  b');" tags
# The checksum strata computes for a migration now (its up script's sha256).
sum_of() { "$STRATA" ledger --json | python3 -c "import json,sys; print([m['checksum'] for m in json.load(sys.stdin)['migrations'] if m['id']=='$1'][0])"; }
ledger_sum() { q app "SELECT checksum FROM strata_ledger WHERE id = '$1'"; }
runner_sum() { q app "SELECT checksum FROM migrations WHERE version = '$1'"; }
snapshot() { q app "SELECT id, checksum, script FROM strata_ledger ORDER BY id"; q app "SELECT version, checksum FROM migrations ORDER BY version"; }

run apply
check "apply: 3 migrations" rc_is 0
check "strata_ledger keeps each up script's text" \
	eq "$(q app "SELECT script FROM strata_ledger WHERE id = 'app:0002'")" 'CREATE TABLE posts (id INTEGER PRIMARY KEY);'
check "the text kept is the one the checksum is of" \
	eq "$(ledger_sum app:0001)" "$(sum_of app:0001)"

# ---- CRLF re-save and a reformatted comment: repaired ----
sed -i 's/$/\r/' db/migrations/0002_posts.sql
sed -i 's/^-- the users$/-- users: one row per account (reformatted)/; s/PRIMARY KEY, n/PRIMARY  KEY,  n/' db/migrations/0001_users.sql
run status
check "status: both modified, exit 4" rc_is 4
check "status: 0001 modified" out_has "app:0001  modified"
run status -v
check "status -v shows the changed comment line (removed)" out_has "    --- the users"
check "status -v shows the changed comment line (added)" out_has "    +-- users: one row per account (reformatted)"
check "status -v shows the CRLF line as it is" out_has '    +CREATE TABLE posts (id INTEGER PRIMARY KEY);\r'
run doctor
check "doctor: exit 4" rc_is 4
check "doctor: the modified migration at its first changed line" \
	grep -q '^db/migrations/0001_users.sql:2: error: app:0001 changed after it was applied: .*\[modified-after-apply\]' "$T/out"

before=$(snapshot)
run repair --dry-run
check "repair --dry-run: exit 0" rc_is 0
check "repair --dry-run: says what it would do" out_has "would repair app:0002 (db/migrations/0002_posts.sql:2): the same 1 statement; only comments and whitespace differ"
check "repair --dry-run writes nothing" eq "$(snapshot)" "$before"

run repair
check "repair: exit 0" rc_is 0
check "repair: 0001 repaired" out_has "repaired app:0001 (db/migrations/0001_users.sql:2): the same 1 statement; only comments and whitespace differ"
check "repair: summary" out_has "2 migrations repaired, 0 refused"
check "strata_ledger: 0001's checksum is the file's" eq "$(ledger_sum app:0001)" "$(sum_of app:0001)"
check "strata_ledger: 0002's checksum is the CRLF file's" eq "$(ledger_sum app:0002)" "$(sum_of app:0002)"
check "the CRLF checksum is not the old one" eq "$(printf '%s\n' "$before" | grep -c "$(sum_of app:0002)")" 0
check "migrations (tracker): 0001's checksum is the file's" eq "$(runner_sum 0001)" "$(sum_of app:0001)"
check "migrations (tracker): 0002's checksum is the file's" eq "$(runner_sum 0002)" "$(sum_of app:0002)"
check "strata_ledger keeps the new text" \
	eq "$(q app "SELECT script FROM strata_ledger WHERE id = 'app:0001'" | head -1)" '-- users: one row per account (reformatted)'
check "migrations: the rows stay applied" eq "$(qlist app "SELECT count(*) FROM migrations WHERE rolled_back_at IS NULL")" 3
run status
check "status after repair: clean" rc_is 0
check "status after repair: 3 applied" out_has "3 migrations: 3 applied"
run repair
check "repair again: nothing to repair, exit 0" rc_is 0
check "repair again: says so" out_has "nothing to repair: every recorded checksum matches its file"

# ---- a real change: DEFAULT 1 -> 2, refused with the diff ----
sed -i 's/DEFAULT 1/DEFAULT 2/' db/migrations/0001_users.sql
before=$(snapshot)
run repair
check "real change: refused, exit 4" rc_is 4
check "real change: the reason" out_has "refused app:0001 (db/migrations/0001_users.sql:3): statement 1 of 1 differs as the $(pick sqlite postgresql) parser reads it (the recorded text has 1)"
check "real change: the old line" out_has "    -CREATE TABLE users (id INTEGER PRIMARY  KEY,  n INTEGER DEFAULT 1);"
check "real change: the new line" out_has "    +CREATE TABLE users (id INTEGER PRIMARY  KEY,  n INTEGER DEFAULT 2);"
check "real change: the comment is context" out_has "     -- users: one row per account (reformatted)"
check "real change: summary" out_has "0 migrations repaired, 1 refused"
check "real change: nothing written" eq "$(snapshot)" "$before"
# A change inside a string constant is a change too (SQLite keeps the
# quoted text whole, PostgreSQL's tree keeps the constant).
sed -i "s/'a  b'/'a b'/" db/migrations/0003_tags.sql
run repair app:0003
check "whitespace inside a string: refused" rc_is 4
check "whitespace inside a string: the reason" out_has "refused app:0003 (db/migrations/0003_tags.sql:2): statement 1 of 1 differs"
sed -i "s/'a b'/'a  b'/" db/migrations/0003_tags.sql

run --json repair app:0001
check "--json: exit 4" rc_is 4
check "--json: one refused item, its line and diff" python3 -c "
import json,sys
lines=[json.loads(l) for l in open('$T/out')]
it, summ = lines
assert it['event']=='repair' and it['id']=='app:0001' and it['action']=='refused', it
assert it['line']==3 and it['forced'] is False, it
assert '-CREATE TABLE users (id INTEGER PRIMARY  KEY,  n INTEGER DEFAULT 1);' in it['diff'].split('\n'), it
assert it['old_checksum']=='$(ledger_sum app:0001)' and it['new_checksum']=='$(sum_of app:0001)', it
assert summ=={'event':'summary','command':'repair','repaired':0,'refused':1,'dry_run':False,'exit':4}, summ
"
run repair app:0001 --force
check "--force: exit 0" rc_is 0
check "--force: says it was forced" out_has "repaired app:0001 (db/migrations/0001_users.sql:3): forced: statement 1 of 1 differs"
check "--force: strata_ledger has the file's checksum" eq "$(ledger_sum app:0001)" "$(sum_of app:0001)"
check "--force: the tracker too" eq "$(runner_sum 0001)" "$(sum_of app:0001)"

# ---- a checksum emptied by hand in strata_ledger ----
q app "UPDATE strata_ledger SET checksum = '' WHERE id = 'app:0003'"
run status
check "hand-emptied checksum: status refuses it (exit 4)" rc_is 4
check "hand-emptied checksum: the hint names repair" err_has "(hint: \`strata repair app:0003\` records the file's checksum again"
run repair
check "hand-emptied checksum: repaired" rc_is 0
check "hand-emptied checksum: the reason" out_has "repaired app:0003 (db/migrations/0003_tags.sql): the recorded text is the file's; only the recorded checksum differs"
check "hand-emptied checksum: strata_ledger has it again" eq "$(ledger_sum app:0003)" "$(sum_of app:0003)"
run status
check "status clean again" rc_is 0
run repair app:0002
check "a named migration with nothing to repair: exit 4" rc_is 4
check "a named migration with nothing to repair: says so" out_has "refused app:0002 (db/migrations/0002_posts.sql): nothing to repair"
run repair app:9999
check "an unknown id: usage error" rc_is 2
check "an unknown id: the message" err_has "no migration 'app:9999' in the ledger"

# ---- a strata_ledger from before the script column ----
mkdir old && cd old
mkdir -p db/migrations
cat >strata.yaml <<YAML
database: $(db_url old)
sources:
  - name: app
    format: sqlpair
    path: db/migrations
    layout: dbmate
YAML
mig 0001_a 'CREATE TABLE a (id INTEGER PRIMARY KEY);' a
mig 0002_b 'CREATE TABLE b (id INTEGER PRIMARY KEY);' b
run apply --to app:0001
# strata_ledger as the release before the script column made it.
q old "CREATE TABLE l2 (id TEXT NOT NULL PRIMARY KEY, source TEXT NOT NULL, version TEXT NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL, state TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, execution_ms BIGINT, applied_by TEXT NOT NULL, error TEXT)"
q old "INSERT INTO l2 SELECT id, source, version, name, checksum, state, started_at, finished_at, execution_ms, applied_by, error FROM strata_ledger"
q old "DROP TABLE strata_ledger"
q old "ALTER TABLE l2 RENAME TO strata_ledger"
run status
check "old table: status reads it" rc_is 3
check "old table: no script column yet" eq "$(q old "SELECT count(*) FROM strata_ledger")" 1
run apply
check "old table: apply adds the column and keeps the new text" \
	eq "$(q old "SELECT script FROM strata_ledger WHERE id = 'app:0002'")" 'CREATE TABLE b (id INTEGER PRIMARY KEY);'
check "old table: the older row has none" eq "$(q old "SELECT count(*) FROM strata_ledger WHERE script IS NULL")" 1
printf -- '-- migrate:up\n-- now with a comment\nCREATE TABLE a (id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE a;\n' >db/migrations/0001_a.sql
run status -v
check "old table: status -v says no text was kept" out_has "    (no recorded text to compare: the row predates it, or another tool wrote it)"
run repair
check "old table: no recorded text, the catalog has table a: repaired" rc_is 0
check "old table: the reason" out_has "repaired app:0001 (db/migrations/0001_a.sql): no recorded text; the live catalog holds what the file creates"
check "old table: the text is kept from now on" \
	eq "$(q old "SELECT script FROM strata_ledger WHERE id = 'app:0001'" | head -1)" '-- now with a comment'
check "old table: the checksum is the file's" eq "$(q old "SELECT checksum FROM strata_ledger WHERE id = 'app:0001'")" "$(sum_of app:0001)"
# A row another tool wrote (no text, no checksum) whose table is not there.
q old "UPDATE strata_ledger SET script = NULL, checksum = '' WHERE id = 'app:0002'"
q old "DROP TABLE b"
before=$(q old "SELECT id, checksum, script FROM strata_ledger ORDER BY id")
run repair
check "no text, the catalog lacks table b: refused" rc_is 4
check "no text, the catalog lacks table b: what is missing" out_has "refused app:0002 (db/migrations/0002_b.sql): no recorded text, and the live catalog lacks what the file creates: table $(pick main public).b"
check "refused: nothing written" eq "$(q old "SELECT id, checksum, script FROM strata_ledger ORDER BY id")" "$before"
run repair --force app:0002
check "--force repairs the row without text" rc_is 0
check "--force: said" out_has "repaired app:0002 (db/migrations/0002_b.sql): forced: no recorded text to compare the file with"
check "--force: the checksum is the file's" eq "$(q old "SELECT checksum FROM strata_ledger WHERE id = 'app:0002'")" "$(sum_of app:0002)"
run status
check "old table: status clean" rc_is 0
cd ..

# ---- baseline and mark keep the text too; Flyway's and Drizzle-style
# checksums are recorded again: as a fresh apply of the file writes them ----
mkdir fw && cd fw
mkdir -p db/migrations
fwconfig() {
	cat >strata.yaml <<YAML
database: $(db_url "$1")
sources:
  - name: app
    format: sqlpair
    path: db/migrations
    layout: dbmate
    tracker: flyway
YAML
}
fwconfig fw
mig 0001_a '-- a
CREATE TABLE a (id INTEGER PRIMARY KEY);' a
mig 0002_b 'CREATE TABLE b (id INTEGER PRIMARY KEY);' b
run baseline --to app:0001
check "baseline keeps the text" eq "$(q fw "SELECT script FROM strata_ledger WHERE id = 'app:0001'" | sed -n 2p)" 'CREATE TABLE a (id INTEGER PRIMARY KEY);'
run mark app:0002 --applied
check "mark --applied keeps the text" eq "$(q fw "SELECT script FROM strata_ledger WHERE id = 'app:0002'")" 'CREATE TABLE b (id INTEGER PRIMARY KEY);'
old=$(q fw "SELECT checksum FROM flyway_schema_history WHERE version = '0001'")
sed -i 's/^-- a$/-- table a, with a longer comment/' db/migrations/0001_a.sql
run repair
check "flyway: repaired" rc_is 0
now=$(q fw "SELECT checksum FROM flyway_schema_history WHERE version = '0001'")
fwconfig fresh
run apply
fresh=$(q fresh "SELECT checksum FROM flyway_schema_history WHERE version = '0001'")
check "flyway: the checksum changed" test "$now" != "$old"
check "flyway: it is the one a fresh apply of the file writes" eq "$now" "$fresh"
check "flyway: still one row for the version" eq "$(q fw "SELECT count(*) FROM flyway_schema_history WHERE version = '0001'")" 1
fwconfig fw
run status
check "flyway: status clean" rc_is 0
cd ..

# ---- Drizzle's hash (sha256 of the whole file) recorded again ----
mkdir dz && cd dz
mkdir -p drizzle/meta
printf '{\n  "version": "7",\n  "dialect": "%s",\n  "entries": [\n    {"idx": 0, "version": "%s", "when": 1700000000000, "tag": "0000_init", "breakpoints": true}\n  ]\n}' \
	"$(pick sqlite postgresql)" "$(pick 6 7)" >drizzle/meta/_journal.json
printf 'CREATE TABLE dz_a (id integer PRIMARY KEY);\n' >drizzle/0000_init.sql
cat >strata.yaml <<YAML
database: $(db_url dz)
sources:
  - name: app
    format: drizzle
    path: drizzle
YAML
DT=$(pick __drizzle_migrations drizzle.__drizzle_migrations)
run apply
check "drizzle: applied" rc_is 0
printf -- '-- a comment drizzle-kit never wrote\nCREATE TABLE dz_a (id integer PRIMARY KEY);\n' >drizzle/0000_init.sql
run repair
check "drizzle: repaired" out_has "repaired app:0000_init (drizzle/0000_init.sql:1): the same 1 statement; only comments and whitespace differ"
check "drizzle: the hash is the file's sha256" eq "$(q dz "SELECT hash FROM $DT")" "$(sha256sum <drizzle/0000_init.sql | cut -c1-64)"
run status
check "drizzle: status clean" rc_is 0
cd ..

done_testing
