#!/usr/bin/env bash
# strata and the REAL TypeORM CLI (0.3.31; better-sqlite3 12.9.0 on SQLite,
# pg 8.23.1 on PostgreSQL) on the same database: TypeORM runs JS migration
# classes that each run one SQL file of sql/ ({timestamp}-{Name}.up.sql /
# .down.sql), strata reads the same folder (layout typeorm, tracker
# typeorm); each must accept what the other wrote to migrations.  TAP;
# BACKEND=sqlite|pg.  Needs the install of setup.sh in
# $STRATA_NODE_TOOLS_HOME; runs setup.sh first.
#   (1) strata apply on a fresh database: migration:show all [X],
#       migration:run runs nothing; the table's DDL and rows as TypeORM's
#   (2) typeorm migration:run on a fresh database: strata status all
#       applied, exit 0; strata apply runs nothing
#   (3) strata rollback: typeorm sees exactly that one pending, runs it
#   (4) typeorm migration:revert: strata sees it pending, applies it
#   (5) what does not agree: a JS-only class (no SQL file) is a row strata
#       reports missing, never applied
. "$SRC/tests/interop/node/lib.sh"
typeorm() { tool typeorm "$@"; }
ts() { printf '170000000000%d' "$1"; }
cls() { printf 'T%d%s' "$1" "$(ts "$1")"; }
base() { printf '%s-T%d' "$(ts "$1")" "$1"; }
# project NAME COUNT: NAME/migrations/{ts}-T{N}.js (class T{N}{ts}) running
# NAME/migrations/sql/{ts}-T{N}.up.sql / .down.sql (tN creates table tN).
project() {
	local p=$1 i
	mkdir -p "$T/$p/migrations/sql"
	for i in $(seq 1 "$2"); do add_mig "$p" "$i"; done
	strata_yaml "$p" migrations typeorm
}
add_mig() {
	local b
	b=$(base "$2")
	cat >"$T/$1/migrations/$b.js" <<JS
const fs = require('fs');
const path = require('path');
const sql = (dir) => fs.readFileSync(path.join(__dirname, 'sql', '$b.' + dir + '.sql'), 'utf8');
module.exports = class $(cls "$2") {
  name = '$(cls "$2")';
  async up(queryRunner) { await queryRunner.query(sql('up')); }
  async down(queryRunner) { await queryRunner.query(sql('down')); }
};
JS
	printf 'CREATE TABLE t%d (id INTEGER PRIMARY KEY, label TEXT);\n' "$2" >"$T/$1/migrations/sql/$b.up.sql"
	printf 'DROP TABLE t%d;\n' "$2" >"$T/$1/migrations/sql/$b.down.sql"
}
rows() { qlist "$1" 'SELECT id || '"':'"' || "timestamp" || '"':'"' || name FROM migrations ORDER BY id'; }
# want ID:N…: the rows TypeORM writes, id ID for migration N.
want() { local i s=""; for i in "$@"; do s="$s,${i%%:*}:$(ts "${i#*:}"):$(cls "${i#*:}")"; done; printf '%s' "${s#,}"; }
# migration:show's lines: "[X] N Class" run, "[ ] Class" pending -> X:Class,_:Class,…
shown() { sed -n 's/^ *\[\(.\)\] \([0-9]* \)\{0,1\}\([A-Za-z0-9_$]*\)$/\1:\3/p' "$T/out" | tr ' ' _ | paste -sd, -; }
ddl() { if sqlite; then q "$1" "SELECT sql FROM sqlite_master WHERE name = 'migrations'"; else pgcols "$1" migrations; pgindexes "$1" migrations; fi; }

# ---- (1) strata first ----
project s1 3
sr s1 apply
check "(1) strata apply exits 0" rc_is 0
check "(1) migrations: timestamp and Name+timestamp" eq "$(rows s1)" "$(want 1:1 2:2 3:3)"
typeorm s1 migrations migration:show
check "(1) typeorm migration:show exits 0" rc_is 0
check "(1) ... all three run" eq "$(shown)" "X:$(cls 1),X:$(cls 2),X:$(cls 3)"
before=$(rows s1)
typeorm s1 migrations migration:run
check "(1) typeorm migration:run exits 0" rc_is 0
check "(1) ... no migrations pending" out_has_ "No migrations are pending"
check "(1) ... migrations unchanged" eq "$(rows s1)" "$before"
project o0 1
typeorm o0 migrations migration:run
check "(1) typeorm made its own table" rc_is 0
check "(1) the table's DDL = TypeORM's" eq "$(ddl s1)" "$(ddl o0)"
check "(1) TypeORM's row = strata's" eq "$(rows o0)" "$(want 1:1)"

# ---- (2) typeorm first ----
project o1 3
typeorm o1 migrations migration:run
check "(2) typeorm migration:run exits 0" rc_is 0
check "(2) ... its rows" eq "$(rows o1)" "$(want 1:1 2:2 3:3)"
sr o1 status --json
check "(2) strata status: all applied, exit 0" eq "$rc:$(json_states)" "0:$(ts 1)=applied,$(ts 2)=applied,$(ts 3)=applied"
before=$(rows o1)
sr o1 apply
check "(2) strata apply runs nothing" eq "$rc:$(rows o1):$(tables o1)" "0:$before:t1,t2,t3"

# ---- (3) strata rollback, typeorm sees it pending ----
sr s1 rollback
check "(3) strata rollback exits 0" rc_is 0
check "(3) ... deletes the last row, drops its table" eq "$(rows s1):$(tables s1)" "$(want 1:1 2:2):t1,t2"
typeorm s1 migrations migration:show
check "(3) typeorm migration:show: that one pending" eq "$rc:$(shown)" "0:X:$(cls 1),X:$(cls 2),_:$(cls 3)"
typeorm s1 migrations migration:run
check "(3) typeorm migration:run runs it" eq "$rc:$(rows s1):$(tables s1)" "0:$(want 1:1 2:2 4:3):t1,t2,t3"
sr s1 status --json
check "(3) strata status: all applied" eq "$rc:$(json_states)" "0:$(ts 1)=applied,$(ts 2)=applied,$(ts 3)=applied"

# ---- (4) typeorm reverts, strata sees it ----
typeorm o1 migrations migration:revert
check "(4) typeorm migration:revert exits 0" rc_is 0
check "(4) ... deleted its last row" eq "$(rows o1):$(tables o1)" "$(want 1:1 2:2):t1,t2"
sr o1 status --json
check "(4) strata status: the last pending (exit 3)" eq "$rc:$(json_states)" \
	"3:$(ts 1)=applied,$(ts 2)=applied,$(ts 3)=pending"
sr o1 apply
check "(4) strata apply runs it again" eq "$rc:$(rows o1):$(tables o1)" "0:$(want 1:1 2:2 4:3):t1,t2,t3"
typeorm o1 migrations migration:show
check "(4) typeorm: all run" eq "$(shown)" "X:$(cls 1),X:$(cls 2),X:$(cls 3)"

# ---- (5) a JS-only class: strata has nothing to read ----
cat >"$T/o1/migrations/1700000000009-JsOnly.js" <<'JS'
module.exports = class JsOnly1700000000009 {
  name = 'JsOnly1700000000009';
  async up(q) { await q.query('CREATE TABLE js_only (id INTEGER)'); }
  async down(q) { await q.query('DROP TABLE js_only'); }
};
JS
typeorm o1 migrations migration:run
check "(5) typeorm runs its JS-only class" eq "$rc:$(rows o1)" "0:$(want 1:1 2:2 4:3),5:1700000000009:JsOnly1700000000009"
sr o1 status --json
check "(5) strata: that row is missing (exit 4)" eq "$rc:$(json_states)" \
	"4:$(ts 1)=applied,$(ts 2)=applied,$(ts 3)=applied,1700000000009=missing"
done_testing
