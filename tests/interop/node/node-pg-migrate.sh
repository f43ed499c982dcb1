#!/usr/bin/env bash
# strata and the REAL node-pg-migrate (8.0.4) on the same PostgreSQL
# database and the same folder of node-pg-migrate SQL migrations
# ({timestamp}_{name}.sql, -- Up Migration / -- Down Migration; strata's
# layout node-pg-migrate): each must accept what the other wrote to
# pgmigrations.  TAP; PostgreSQL only (node-pg-migrate is).  Needs the
# install of setup.sh in $STRATA_NODE_TOOLS_HOME; runs setup.sh first.
#   (1) strata apply on a fresh database: node-pg-migrate up runs nothing;
#       the table and its rows are the ones node-pg-migrate writes
#   (2) node-pg-migrate up on a fresh database: strata status all applied,
#       exit 0; strata apply runs nothing
#   (3) strata rollback: node-pg-migrate up re-runs exactly that one
#   (4) node-pg-migrate down: strata sees it not applied, applies it again
#   (5) mixed: node-pg-migrate runs the first, strata the others, and back
#   (6) a pgmigrations row no file has: strata says missing; a file
#       strata cannot read (no "-- Up Migration"): refused at file:line
. "$SRC/tests/interop/node/lib.sh"
if sqlite; then
	echo "Bail out! node-pg-migrate.sh is PostgreSQL only (BACKEND=pg)"
	exit 1
fi
npm_() { tool node-pg-migrate "$@"; }
mig() { printf '170000000000%d_t%d' "$1" "$1"; }
# project NAME COUNT: NAME/migrations with COUNT migrations (tN creates
# table tN), NAME/strata.yaml.
project() {
	local p=$1 i
	mkdir -p "$T/$p/migrations"
	for i in $(seq 1 "$2"); do add_mig "$p" "$i"; done
	strata_yaml "$p" migrations node-pg-migrate
}
add_mig() { printf -- '-- Up Migration\nCREATE TABLE t%d (id serial PRIMARY KEY, label text);\n\n-- Down Migration\nDROP TABLE t%d;\n' "$2" "$2" >"$T/$1/migrations/$(mig "$2").sql"; }
names() { qlist "$1" "SELECT name FROM pgmigrations ORDER BY id"; }
rows() { qlist "$1" "SELECT id || ':' || name FROM pgmigrations ORDER BY id"; }
all3="$(mig 1),$(mig 2),$(mig 3)"
# dry_run: the migrations `up --dry-run` would run, joined by ','.
dry_run() { sed -n 's/^> - //p' "$T/out" | paste -sd, -; }

# ---- (1) strata first ----
project s1 3
sr s1 apply
check "(1) strata apply exits 0" rc_is 0
check "(1) pgmigrations names = the file names without .sql" eq "$(names s1)" "$all3"
check "(1) run_on is now, in UTC (the cluster's time zone)" eq \
	"$(q s1 "SELECT count(*) FROM pgmigrations WHERE abs(extract(epoch FROM (now() AT TIME ZONE 'UTC') - run_on)) < 300")" 3
npm_ s1 migrations up --dry-run
check "(1) node-pg-migrate up --dry-run: nothing to run" out_line "No migrations to run!"
before=$(rows s1)
npm_ s1 migrations up
check "(1) node-pg-migrate up exits 0" rc_is 0
check "(1) ... and runs nothing" out_line "No migrations to run!"
check "(1) ... pgmigrations unchanged" eq "$(rows s1)" "$before"
# The tool's own table on a database it made, against strata's.
project n0 1
npm_ n0 migrations up
check "(1) node-pg-migrate made its own table" rc_is 0
check "(1) pgmigrations columns = node-pg-migrate's" eq "$(pgcols s1 pgmigrations)" "$(pgcols n0 pgmigrations)"
check "(1) ... as node-pg-migrate 8.0.4 creates them" eq "$(pgcols n0 pgmigrations)" \
	"id integer NO nextval('pgmigrations_id_seq'::regclass),name character varying NO ,run_on timestamp without time zone NO "
check "(1) pgmigrations indexes = node-pg-migrate's" eq "$(pgindexes s1 pgmigrations)" "$(pgindexes n0 pgmigrations)"

# ---- (2) node-pg-migrate first ----
project n1 3
npm_ n1 migrations up
check "(2) node-pg-migrate up exits 0" rc_is 0
check "(2) it wrote 3 rows" eq "$(names n1)" "$all3"
check "(2) it made the tables" eq "$(tables n1)" "t1,t2,t3"
sr n1 status --json
check "(2) strata status exits 0" rc_is 0
check "(2) ... all applied" eq "$(json_states)" "$(mig 1 | cut -d_ -f1)=applied,$(mig 2 | cut -d_ -f1)=applied,$(mig 3 | cut -d_ -f1)=applied"
before=$(rows n1)
sr n1 apply
check "(2) strata apply exits 0" rc_is 0
check "(2) ... runs nothing: pgmigrations unchanged" eq "$(rows n1)" "$before"
check "(2) ... the tables unchanged" eq "$(tables n1)" "t1,t2,t3"

# ---- (3) strata rollback, node-pg-migrate up ----
sr s1 rollback
check "(3) strata rollback exits 0" rc_is 0
check "(3) ... deletes the last row" eq "$(names s1)" "$(mig 1),$(mig 2)"
check "(3) ... drops its table" eq "$(tables s1)" "t1,t2"
npm_ s1 migrations up --dry-run
check "(3) node-pg-migrate up --dry-run: exactly that one" eq "$(dry_run)" "$(mig 3)"
npm_ s1 migrations up
check "(3) node-pg-migrate up exits 0" rc_is 0
check "(3) ... re-ran it" eq "$(names s1)" "$all3"
check "(3) ... its table is back" eq "$(tables s1)" "t1,t2,t3"
sr s1 status --json
check "(3) strata status: all applied, exit 0" eq "$rc:$(json_states)" \
	"0:1700000000001=applied,1700000000002=applied,1700000000003=applied"

# ---- (4) node-pg-migrate down, strata sees it ----
npm_ n1 migrations down
check "(4) node-pg-migrate down exits 0" rc_is 0
check "(4) ... deleted the last row" eq "$(names n1)" "$(mig 1),$(mig 2)"
sr n1 status --json
check "(4) strata status: the last one not applied (exit 3)" eq "$rc:$(json_states)" \
	"3:1700000000001=applied,1700000000002=applied,1700000000003=pending"
sr n1 apply
check "(4) strata apply runs it again" eq "$rc:$(tables n1)" "0:t1,t2,t3"
check "(4) ... and writes its row" eq "$(names n1)" "$all3"
npm_ n1 migrations up --dry-run
check "(4) node-pg-migrate: nothing to run" out_line "No migrations to run!"
npm_ n1 migrations down 2
check "(4) node-pg-migrate down 2 undoes strata's row and the one before" eq "$rc:$(names n1)" "0:$(mig 1)"
sr n1 status --json
# t3 strata applied and the tool undid (rolled_back, decided by
# node-pg-migrate); t2 only the tool ever ran (pending).
check "(4) strata status: two not applied" eq "$(json_states)" \
	"1700000000001=applied,1700000000002=pending,1700000000003=rolled_back"
check "(4) ... the tool decided t3" grep -q '"version": "1700000000003".*"decided_by": "node-pg-migrate"' "$T/out"

# ---- (5) mixed ----
project m1 3
npm_ m1 migrations up 1
check "(5) node-pg-migrate up 1 runs the first" eq "$rc:$(names m1)" "0:$(mig 1)"
sr m1 apply
check "(5) strata apply runs the other two" eq "$rc:$(grep -c '^applied ' "$T/out")" "0:2"
check "(5) pgmigrations lists all three in order" eq "$(names m1)" "$all3"
npm_ m1 migrations up
check "(5) node-pg-migrate up (order checked): nothing to run" eq "$rc:$(out_line 'No migrations to run!' && echo none)" "0:none"
add_mig m1 4
npm_ m1 migrations up
check "(5) node-pg-migrate runs a fourth after strata's" eq "$rc:$(names m1)" "0:$all3,$(mig 4)"
sr m1 status --json
check "(5) strata status: all four applied" eq "$rc:$(json_states)" \
	"0:1700000000001=applied,1700000000002=applied,1700000000003=applied,1700000000004=applied"
sr m1 rollback
check "(5) strata rolls back node-pg-migrate's fourth" eq "$rc:$(names m1):$(tables m1)" "0:$all3:t1,t2,t3"

# ---- (6) what strata refuses or reports ----
q m1 "INSERT INTO pgmigrations (name, run_on) VALUES ('1600000000000_gone', now())"
sr m1 status --json
check "(6) a row no file has: missing, by its name" eq "$rc:$(json_states)" \
	"4:1700000000001=applied,1700000000002=applied,1700000000003=applied,1700000000004=rolled_back,1600000000000_gone=missing"
project b1 1
printf -- '-- up migration\nCREATE TABLE t2 (id int);\n' >"$T/b1/migrations/$(mig 2).sql"
sr b1 apply
check "(6) a file without '-- Up Migration': refused (exit 1)" rc_is 1
check "(6) ... in one line naming the file" err_is "strata: error: migrations/$(mig 2).sql: no up section (expected a line matching '^[[:space:]]*--[[:space:]-]*Up[[:space:]]+[Mm]igration') (hint: begin the up script with the up marker line)"
check "(6) ... the database untouched" eq "$(q b1 "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('pgmigrations', 't1', 't2')")" 0
