#!/usr/bin/env bash
# strata and the REAL knex CLI (3.3.0; better-sqlite3 12.9.0 on SQLite, pg
# 8.23.1 on PostgreSQL) on the same database: knex runs JS migrations that
# each run one SQL file of sql/ ({version}_{name}.up.sql / .down.sql),
# strata reads the same folder (layout knex, tracker knex); each must accept
# what the other wrote to knex_migrations.  TAP; BACKEND=sqlite|pg.  Needs
# the install of setup.sh in $STRATA_NODE_TOOLS_HOME; runs setup.sh first.
#   (1) strata apply on a fresh database: knex migrate:list all completed,
#       migrate:latest runs nothing; tables, rows and lock row as knex's
#   (2) knex migrate:latest on a fresh database: strata status all
#       applied, exit 0; strata apply runs nothing
#   (3) strata rollback: knex migrate:latest re-runs exactly that one, as
#       the next batch
#   (4) knex migrate:rollback (the last batch, which was strata's command):
#       strata sees those not applied
#   (5) mixed: knex migrate:up runs one, strata the rest as one batch, knex
#       rolls that batch back
#   (6) what does not agree: a JS migration with no SQL file (a row strata
#       reports missing); a SQL file with no JS one (knex refuses to run)
#   (7) strata init --db on a database knex migrated: layout knex, tracker
#       knex, and the config works; golang-migrate's layout on sql/ with
#       tracker: knex writes the same rows
. "$SRC/tests/interop/node/lib.sh"
knex() { tool knex "$@"; }
mig() { printf '2024010%d000000_t%d' "$1" "$1"; }
# project NAME COUNT: NAME/migrations/{mig}.js running NAME/migrations/sql/
# {mig}.up.sql / .down.sql (tN creates table tN), NAME/strata.yaml.
project() {
	local p=$1 i
	mkdir -p "$T/$p/migrations/sql"
	for i in $(seq 1 "$2"); do add_mig "$p" "$i"; done
	strata_yaml "$p" migrations knex
}
add_js() {
	cat >"$T/$1/migrations/$2.js" <<JS
const fs = require('fs');
const path = require('path');
const sql = (dir) => fs.readFileSync(path.join(__dirname, 'sql', '$2.' + dir + '.sql'), 'utf8');
exports.up = (knex) => knex.raw(sql('up'));
exports.down = (knex) => knex.raw(sql('down'));
JS
}
add_mig() {
	add_js "$1" "$(mig "$2")"
	printf 'CREATE TABLE t%d (id INTEGER PRIMARY KEY, label TEXT);\n' "$2" >"$T/$1/migrations/sql/$(mig "$2").up.sql"
	printf 'DROP TABLE t%d;\n' "$2" >"$T/$1/migrations/sql/$(mig "$2").down.sql"
}
rows() { qlist "$1" "SELECT id || ':' || name || ':' || batch FROM knex_migrations ORDER BY id"; }
nb() { qlist "$1" "SELECT name || ':' || batch FROM knex_migrations ORDER BY id"; }
js() { printf '%s.js' "$(mig "$1")"; }
ver() { mig "$1" | cut -d_ -f1; }
# knex migrate:list's lines of one kind: completed | pending.
listed() {
	python3 - "$1" "$T/out" <<'PY'
import sys
kind, lines = sys.argv[1], open(sys.argv[2]).read().splitlines()
out, cur = [], None
for l in lines:
    if l.startswith("Found ") and "Completed" in l: cur = "completed"; continue
    if l.startswith("Found ") and "Pending" in l: cur = "pending"; continue
    if l.startswith("No ") and "Found" in l: cur = None; continue
    if cur == kind and l.strip(): out.append(l.strip())
print(",".join(out))
PY
}
# The two tables' DDL: SQLite's text, PostgreSQL's columns and indexes.
knex_ddl() {
	local t
	for t in knex_migrations knex_migrations_lock; do
		if sqlite; then q "$1" "SELECT sql FROM sqlite_master WHERE name = '$t'"; else pgcols "$1" "$t"; pgindexes "$1" "$t"; fi
	done
}
# migration_time within 5 minutes of now, as knex writes it: Unix ms on
# SQLite (better-sqlite3 binds a Date as its valueOf()), timestamptz on PostgreSQL.
recent() {
	if sqlite; then
		q "$1" "SELECT count(*) FROM knex_migrations WHERE typeof(migration_time) = 'integer' AND abs(migration_time - CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) < 300000"
	else
		q "$1" "SELECT count(*) FROM knex_migrations WHERE abs(extract(epoch FROM now() - migration_time)) < 300"
	fi
}

# ---- (1) strata first ----
project s1 3
sr s1 apply
check "(1) strata apply exits 0" rc_is 0
check "(1) knex_migrations: the JS file names, one batch" eq "$(nb s1)" "$(js 1):1,$(js 2):1,$(js 3):1"
check "(1) migration_time as knex writes it, now" eq "$(recent s1)" 3
check "(1) knex_migrations_lock: one unlocked row" eq "$(qlist s1 "SELECT \"index\" || ':' || is_locked FROM knex_migrations_lock")" "1:0"
knex s1 migrations migrate:list
check "(1) knex migrate:list exits 0" rc_is 0
check "(1) ... all three completed" eq "$(listed completed)" "$(js 1),$(js 2),$(js 3)"
check "(1) ... none pending" out_line "No Pending Migration files Found."
before=$(rows s1)
knex s1 migrations migrate:latest
check "(1) knex migrate:latest exits 0" rc_is 0
check "(1) ... already up to date" out_line "Already up to date"
check "(1) ... knex_migrations unchanged" eq "$(rows s1)" "$before"
project k0 1
knex k0 migrations migrate:latest
check "(1) knex made its own tables" rc_is 0
check "(1) both tables' DDL = knex's" eq "$(knex_ddl s1)" "$(knex_ddl k0)"
if sqlite; then
	check "(1) ... as knex 3.3.0 creates them on SQLite" eq "$(q k0 "SELECT sql FROM sqlite_master WHERE name = 'knex_migrations'")" \
		'CREATE TABLE `knex_migrations` (`id` integer not null primary key autoincrement, `name` varchar(255), `batch` integer, `migration_time` datetime)'
else
	check "(1) ... as knex 3.3.0 creates them on PostgreSQL" eq "$(pgcols k0 knex_migrations)" \
		"id integer NO nextval('knex_migrations_id_seq'::regclass),name character varying YES ,batch integer YES ,migration_time timestamp with time zone YES "
fi
check "(1) the lock row = knex's" eq "$(qlist s1 "SELECT \"index\" || ':' || is_locked FROM knex_migrations_lock")" \
	"$(qlist k0 "SELECT \"index\" || ':' || is_locked FROM knex_migrations_lock")"
check "(1) migration_time's kind = knex's" eq "$(recent k0)" 1

# ---- (2) knex first ----
project k1 3
knex k1 migrations migrate:latest
check "(2) knex migrate:latest exits 0" rc_is 0
check "(2) ... batch 1 of three" eq "$(nb k1)" "$(js 1):1,$(js 2):1,$(js 3):1"
sr k1 status --json
check "(2) strata status: all applied, exit 0" eq "$rc:$(json_states)" "0:$(ver 1)=applied,$(ver 2)=applied,$(ver 3)=applied"
if sqlite; then
	# knex's Unix ms read back as a time, not as a number.
	check "(2) strata status: applied_at = knex's migration_time in ISO-8601" eq \
		"$(python3 -c 'import json,sys; print(",".join(m["applied_at"] for m in json.load(open(sys.argv[1]))["migrations"]))' "$T/out")" \
		"$(qlist k1 "SELECT strftime('%Y-%m-%dT%H:%M:%S', migration_time / 1000, 'unixepoch') || '.' || printf('%03d', migration_time % 1000) || 'Z' FROM knex_migrations ORDER BY id")"
fi
before=$(rows k1)
sr k1 apply
check "(2) strata apply runs nothing" eq "$rc:$(rows k1)" "0:$before"
check "(2) ... the tables unchanged" eq "$(tables k1)" "t1,t2,t3"

# ---- (3) strata rollback, knex re-runs it ----
sr s1 rollback
check "(3) strata rollback exits 0" rc_is 0
check "(3) ... deletes the last row, drops its table" eq "$(nb s1):$(tables s1)" "$(js 1):1,$(js 2):1:t1,t2"
knex s1 migrations migrate:list
check "(3) knex migrate:list: exactly that one pending" eq "$(listed pending)" "$(js 3)"
knex s1 migrations migrate:latest
check "(3) knex migrate:latest re-runs it as batch 2" eq "$rc:$(nb s1)" "0:$(js 1):1,$(js 2):1,$(js 3):2"
check "(3) ... its table is back" eq "$(tables s1)" "t1,t2,t3"
sr s1 status --json
check "(3) strata status: all applied" eq "$rc:$(json_states)" "0:$(ver 1)=applied,$(ver 2)=applied,$(ver 3)=applied"

# ---- (4) knex rolls back the last batch: strata's command ----
add_mig k1 4
add_mig k1 5
sr k1 apply
check "(4) strata apply of two: one batch, the next" eq "$rc:$(nb k1)" "0:$(js 1):1,$(js 2):1,$(js 3):1,$(js 4):2,$(js 5):2"
knex k1 migrations migrate:rollback
check "(4) knex migrate:rollback exits 0" rc_is 0
check "(4) ... undid batch 2 (both of strata's)" eq "$(nb k1):$(tables k1)" "$(js 1):1,$(js 2):1,$(js 3):1:t1,t2,t3"
sr k1 status --json
check "(4) strata status: those two rolled back by knex (exit 3)" eq "$rc:$(json_states)" \
	"3:$(ver 1)=applied,$(ver 2)=applied,$(ver 3)=applied,$(ver 4)=rolled_back,$(ver 5)=rolled_back"
check "(4) ... decided by knex" eq "$(grep -o '"decided_by": "knex"' "$T/out" | wc -l)" 2
knex k1 migrations migrate:rollback
check "(4) knex rolls back its own batch 1 too" eq "$rc:$(nb k1):$(tables k1)" "0::"
sr k1 status --json
check "(4) strata status: nothing applied" eq "$(json_states)" \
	"$(ver 1)=pending,$(ver 2)=pending,$(ver 3)=pending,$(ver 4)=rolled_back,$(ver 5)=rolled_back"

# ---- (5) mixed ----
project m1 3
knex m1 migrations migrate:up
check "(5) knex migrate:up runs the first (batch 1)" eq "$rc:$(nb m1)" "0:$(js 1):1"
sr m1 apply
check "(5) strata apply runs the rest as batch 2" eq "$rc:$(nb m1)" "0:$(js 1):1,$(js 2):2,$(js 3):2"
knex m1 migrations migrate:list
check "(5) knex: all completed" eq "$(listed completed)" "$(js 1),$(js 2),$(js 3)"
knex m1 migrations migrate:rollback
check "(5) knex migrate:rollback undoes strata's batch" eq "$rc:$(nb m1):$(tables m1)" "0:$(js 1):1:t1"
sr m1 apply
check "(5) strata applies them again, batch 2" eq "$rc:$(nb m1):$(tables m1)" "0:$(js 1):1,$(js 2):2,$(js 3):2:t1,t2,t3"
sr m1 rollback
check "(5) strata rollback: one migration (not a batch)" eq "$rc:$(nb m1)" "0:$(js 1):1,$(js 2):2"

# ---- (6) where the two do not agree ----
# A knex migration written in JS only (no SQL file): strata has nothing to
# read and reports knex's row as missing, never as applied.
add_js m1 20240109000000_js_only
echo 'exports.up = (k) => k.raw("CREATE TABLE js_only (id INTEGER)"); exports.down = (k) => k.raw("DROP TABLE js_only");' >"$T/m1/migrations/20240109000000_js_only.js"
knex m1 migrations migrate:latest
check "(6) knex runs its JS-only migration and strata's undone one" eq "$rc:$(nb m1)" "0:$(js 1):1,$(js 2):2,$(js 3):3,20240109000000_js_only.js:3"
sr m1 status --json
check "(6) strata: the JS-only row is missing" eq "$rc:$(json_states)" \
	"4:$(ver 1)=applied,$(ver 2)=applied,$(ver 3)=applied,20240109000000_js_only.js=missing"
# A SQL file without its JS file: strata applies it; knex then finds a
# row with no migration file and refuses to run (its "corrupt" check).
project c1 1
printf 'CREATE TABLE t2 (id INTEGER);\n' >"$T/c1/migrations/sql/$(mig 2).up.sql"
sr c1 apply
check "(6) strata applies a SQL file that has no JS file" eq "$rc:$(nb c1)" "0:$(js 1):1,$(js 2):1"
knex c1 migrations migrate:latest
check "(6) ... knex then refuses: its directory is corrupt" eq "$rc:$(grep -c "corrupt" "$T/err")" "1:1"

# ---- (7) strata init finds the setup ----
project i1 2
rm "$T/i1/strata.yaml"
knex i1 migrations migrate:latest
sr i1 init --db "$(surl i1)"
check "(7) strata init --db exits 0" rc_is 0
check "(7) ... says it picked knex's tracker" grep -qxF "the database has knex's table: source 'migrations' gets tracker knex" "$T/out"
check "(7) ... the source: the knex folder, layout knex, tracker knex" eq \
	"$(grep -E '^    (path|layout|tracker):' "$T/i1/strata.yaml" | paste -sd, -)" "    path: migrations,    layout: knex,    tracker: knex"
sr i1 status --json
check "(7) ... and the config works: both applied" eq "$rc:$(json_states)" "0:$(ver 1)=applied,$(ver 2)=applied"
project g1 2
strata_yaml g1 migrations/sql golang-migrate knex
sr g1 apply
check "(7) golang-migrate's layout on sql/ with tracker: knex: the same rows" eq "$rc:$(nb g1)" "0:$(js 1):1,$(js 2):1"
knex g1 migrations migrate:list
check "(7) ... knex: none pending" eq "$rc:$(listed completed)" "0:$(js 1),$(js 2)"
