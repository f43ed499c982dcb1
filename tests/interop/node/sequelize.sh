#!/usr/bin/env bash
# strata and the REAL sequelize-cli (6.6.5, sequelize 6.37.8, pg 8.23.1) on
# the same PostgreSQL database: sequelize-cli runs JS migrations that each
# run one SQL file of sql/ ({timestamp}-{name}.up.sql / .down.sql), strata
# reads the same folder (layout sequelize, tracker sequelize); each must
# accept what the other wrote to SequelizeMeta.  TAP; PostgreSQL only
# (sequelize's SQLite dialect drives the callback API of the sqlite3
# module, which better-sqlite3 does not have).  Needs the install of
# setup.sh in $STRATA_NODE_TOOLS_HOME; runs setup.sh first.
#   (1) strata apply on a fresh database: db:migrate:status all up,
#       db:migrate runs nothing; the table's DDL and rows as sequelize's
#   (2) sequelize db:migrate on a fresh database: strata status all
#       applied, exit 0; strata apply runs nothing
#   (3) strata rollback: sequelize sees exactly that one down, runs it
#   (4) sequelize db:migrate:undo: strata sees it pending, applies it
. "$SRC/tests/interop/node/lib.sh"
sq() { tool sequelize "$@"; }
ver() { printf '2024010%d000000' "$1"; }
mig() { printf '%s-t%d' "$(ver "$1")" "$1"; }
js() { printf '%s.js' "$(mig "$1")"; }
project() {
	local p=$1 i
	mkdir -p "$T/$p/migrations/sql"
	for i in $(seq 1 "$2"); do add_mig "$p" "$i"; done
	strata_yaml "$p" migrations sequelize
}
add_mig() {
	local b
	b=$(mig "$2")
	cat >"$T/$1/migrations/$b.js" <<JS
'use strict';
const fs = require('fs');
const path = require('path');
const sql = (dir) => fs.readFileSync(path.join(__dirname, 'sql', '$b.' + dir + '.sql'), 'utf8');
module.exports = {
  up: (queryInterface) => queryInterface.sequelize.query(sql('up')),
  down: (queryInterface) => queryInterface.sequelize.query(sql('down')),
};
JS
	printf 'CREATE TABLE t%d (id INTEGER PRIMARY KEY, label TEXT);\n' "$2" >"$T/$1/migrations/sql/$b.up.sql"
	printf 'DROP TABLE t%d;\n' "$2" >"$T/$1/migrations/sql/$b.down.sql"
}
rows() { qlist "$1" 'SELECT name FROM "SequelizeMeta" ORDER BY name'; }
jss() { local i s=""; for i in "$@"; do s="$s,$(js "$i")"; done; printf '%s' "${s#,}"; }
# db:migrate:status's lines "up NAME" / "down NAME" -> up:NAME,…
shown() { sed -n 's/^\(up\|down\) \{1,\}\([^ ]*\.js\)$/\1:\2/p' "$T/out" | paste -sd, -; }
ddl() { pgcols "$1" SequelizeMeta; pgindexes "$1" SequelizeMeta; }

# ---- (1) strata first ----
project s1 3
sr s1 apply
check "(1) strata apply exits 0" rc_is 0
check "(1) SequelizeMeta: the JS file names" eq "$(rows s1)" "$(jss 1 2 3)"
sq s1 migrations db:migrate:status
check "(1) sequelize db:migrate:status exits 0" rc_is 0
check "(1) ... all three up" eq "$(shown)" "up:$(js 1),up:$(js 2),up:$(js 3)"
sq s1 migrations db:migrate
check "(1) sequelize db:migrate exits 0" rc_is 0
check "(1) ... no migrations were executed" out_has_ "No migrations were executed, database schema was already up to date."
check "(1) ... SequelizeMeta unchanged" eq "$(rows s1)" "$(jss 1 2 3)"
project q0 1
sq q0 migrations db:migrate
check "(1) sequelize made its own table" rc_is 0
check "(1) the table's DDL = sequelize's" eq "$(ddl s1)" "$(ddl q0)"
check "(1) sequelize's row = strata's" eq "$(rows q0)" "$(jss 1)"

# ---- (2) sequelize first ----
project q1 3
sq q1 migrations db:migrate
check "(2) sequelize db:migrate exits 0" rc_is 0
check "(2) ... its rows" eq "$(rows q1)" "$(jss 1 2 3)"
sr q1 status --json
check "(2) strata status: all applied, exit 0" eq "$rc:$(json_states)" "0:$(ver 1)=applied,$(ver 2)=applied,$(ver 3)=applied"
sr q1 apply
check "(2) strata apply runs nothing" eq "$rc:$(rows q1):$(tables q1)" "0:$(jss 1 2 3):t1,t2,t3"

# ---- (3) strata rollback, sequelize sees it down ----
sr s1 rollback
check "(3) strata rollback exits 0" rc_is 0
check "(3) ... deletes the last row, drops its table" eq "$(rows s1):$(tables s1)" "$(jss 1 2):t1,t2"
sq s1 migrations db:migrate:status
check "(3) sequelize db:migrate:status: that one down" eq "$rc:$(shown)" "0:up:$(js 1),up:$(js 2),down:$(js 3)"
sq s1 migrations db:migrate
check "(3) sequelize db:migrate runs it" eq "$rc:$(rows s1):$(tables s1)" "0:$(jss 1 2 3):t1,t2,t3"
sr s1 status --json
check "(3) strata status: all applied" eq "$rc:$(json_states)" "0:$(ver 1)=applied,$(ver 2)=applied,$(ver 3)=applied"

# ---- (4) sequelize undoes, strata sees it ----
sq q1 migrations db:migrate:undo
check "(4) sequelize db:migrate:undo exits 0" rc_is 0
check "(4) ... deleted its last row" eq "$(rows q1):$(tables q1)" "$(jss 1 2):t1,t2"
sr q1 status --json
check "(4) strata status: the last pending (exit 3)" eq "$rc:$(json_states)" \
	"3:$(ver 1)=applied,$(ver 2)=applied,$(ver 3)=pending"
sr q1 apply
check "(4) strata apply runs it again" eq "$rc:$(rows q1):$(tables q1)" "0:$(jss 1 2 3):t1,t2,t3"
sq q1 migrations db:migrate:status
check "(4) sequelize: all up" eq "$(shown)" "up:$(js 1),up:$(js 2),up:$(js 3)"
done_testing
