#!/usr/bin/env bash
# strata and the REAL dbmate (2.36.0) on the same database, both ways: each
# tool must take what the other wrote to schema_migrations.  TAP; BACKEND=
# sqlite|pg as in tests/integration/lib.sh.  dbmate runs with
# --no-dump-schema on `sqlite:PATH` or `postgres://USER@/DB?socket=DIR&port=N
# &sslmode=disable` (the test cluster's unix socket; host= once).
# The history (five files):
#   0001_init       uses dbmate's own schema_migrations (a view on it; on
#                   PostgreSQL also a GRANT on it): the table must exist
#                   before the first file runs
#   0002_index      transaction:false on both markers (CREATE/DROP INDEX
#                   CONCURRENTLY on PostgreSQL, VACUUM on SQLite), each alone
#                   in its section: dbmate sends a section as one query, which
#                   PostgreSQL runs as one implicit transaction
#   0003_plain
#   0004_repeated   a second -- migrate:up before the down (dbmate 2.36
#                   refuses to run it; strata runs it as dbmate < 2.29 did)
#   0005_last
# Sequences:
#   (1) strata apply, then dbmate status (exact lines) and dbmate up: nothing to do
#   (2) strata rollback: dbmate status shows it pending; dbmate up re-applies it
#   (3) dbmate rollback: strata status shows it not applied; strata apply
#   (4) dbmate up on a fresh database: applies 0001-0003, stops at 0004;
#       strata status: 3 applied, 2 pending; strata apply does the rest
#   (5) strata apply --to 0004, then dbmate up applies 0005
#   (6) the repeated-marker file: dbmate refuses to roll it back, strata does
#   (7) PostgreSQL: transaction:false with CREATE INDEX CONCURRENTLY among other
#       statements: dbmate fails (one query = one implicit transaction),
#       strata runs the statements one by one
#   (8) one .env for both tools: DATABASE_URL in dbmate's form (socket= on
#       PostgreSQL), no database: in strata.yaml
#   (9) strata apply --single-transaction: 0001 in one transaction, 0002
#       (transaction:false) alone, 0003-0005 in a second; dbmate status agrees
. "$SRC/tests/interop/dbmate/lib.sh"

# dbmate's URL for database NAME (strata's from db_url).
durl() {
	if sqlite; then echo "sqlite:$T/$1.db"; else
		local u; u=$(db_url "$1"); local d=${u#*@/}; d=${d%%\?*}
		echo "postgres://$PGUSER@/$d?socket=$PGHOST&port=$PGPORT&sslmode=disable"
	fi
}
surl() { if sqlite; then echo "sqlite:$T/$1.db"; else db_url "$1"; fi; }

VIEW='CREATE VIEW seen AS SELECT version FROM schema_migrations;'
GRANT=$(pick '' 'GRANT SELECT ON schema_migrations TO PUBLIC;')
IDX=$(pick 'VACUUM;' 'CREATE INDEX CONCURRENTLY t1_i ON t1 (id);')
UNIDX=$(pick 'VACUUM;' 'DROP INDEX CONCURRENTLY t1_i;')
# 1 when the index of 0002 is there (SQLite: no index, always 1).
has_idx() { if sqlite; then echo 1; else q "$1" "SELECT count(*) FROM pg_indexes WHERE indexname = 't1_i' AND tablename = 't1'"; fi; }
# project NAME: NAME/db/migrations (the history) and NAME/strata.yaml (database NAME).
project() {
	local p=$T/$1 m=$T/$1/db/migrations
	mkdir -p "$m"
	printf -- '-- migrate:up\nCREATE TABLE t1 (id INTEGER PRIMARY KEY);\n%s\n%s\n\n-- migrate:down\nDROP VIEW seen;\nDROP TABLE t1;\n' \
		"$VIEW" "$GRANT" >"$m/0001_init.sql"
	printf -- '-- migrate:up transaction:false\n%s\n\n-- migrate:down transaction:false\n%s\n' \
		"$IDX" "$UNIDX" >"$m/0002_index.sql"
	printf -- '-- migrate:up\nCREATE TABLE t3 (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE t3;\n' >"$m/0003_plain.sql"
	printf -- '-- migrate:up\nCREATE TABLE t4 (id INTEGER PRIMARY KEY);\n-- migrate:up\nCREATE TABLE t4b (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE t4b;\nDROP TABLE t4;\n' >"$m/0004_repeated.sql"
	printf -- '-- migrate:up\nCREATE TABLE t5 (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE t5;\n' >"$m/0005_last.sql"
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' \
		"$(surl "$1")" >"$p/strata.yaml"
}
# d NAME ARGS…: dbmate on database NAME in folder NAME.
d() { local p=$1; shift; dm "$T/$p" "$(durl "$p")" "$@"; }
rows() { qlist "$1" "SELECT version FROM schema_migrations ORDER BY version"; }
# dbmate status's exact output, with the files in $1 applied (X) and the rest not.
status_text() {
	local applied=$1 f n=0 a=0 mark
	for f in 0001_init 0002_index 0003_plain 0004_repeated 0005_last; do
		n=$((n + 1)); mark=' '
		case ",$applied," in *",${f%%_*},"*) mark=X; a=$((a + 1)) ;; esac
		echo "[$mark] $f.sql"
	done
	printf '\nApplied: %d\nPending: %d\n' "$a" $((n - a))
}
out_is_text() { eq "$(cat "$T/out")" "$(printf '%s' "$1")"; }
states() { grep -oE '^app:[0-9]+ +[a-z_-]+' "$T/out" | tr -s ' ' = | paste -sd, -; }
ALL=0001,0002,0003,0004,0005
ALL_APPLIED=app:0001=applied,app:0002=applied,app:0003=applied,app:0004=applied,app:0005=applied

# ---------------------------------------------------------------- (1)
project s1
sr s1 apply
check "(1) strata apply exits 0" rc_is 0
check "(1) strata warns at the repeated marker" err_has "db/migrations/0004_repeated.sql:3: second up marker (the first is on line 1)"
check "(1) schema_migrations: one row per file" eq "$(rows s1)" "$ALL"
check "(1) 0001's view on schema_migrations sees the rows" eq "$(qlist s1 "SELECT version FROM seen ORDER BY version")" "$ALL"
check "(1) every table" eq "$(has_table s1 t1 t3 t4 t4b t5)" 5
pg && check "(1) 0002's index built concurrently" eq "$(has_idx s1)" 1
pg && check "(1) 0001's GRANT on schema_migrations" eq "$(q s1 "SELECT has_table_privilege('public', 'schema_migrations', 'SELECT')")" t
pg && check "(1) schema_migrations shaped as dbmate makes it" eq "$(q s1 "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_name = 'schema_migrations'")" "version character varying NO"
d s1 status
check "(1) dbmate status exits 0" rc_is 0
check "(1) dbmate status: nothing pending (exact)" out_is_text "$(status_text $ALL)"
d s1 status --exit-code
check "(1) dbmate status --exit-code: 0" rc_is 0
d s1 up
check "(1) dbmate up exits 0" rc_is 0
check "(1) dbmate up: nothing applied (no output)" out_is_text ""
check "(1) dbmate up wrote no row" eq "$(rows s1)" "$ALL"

# ---------------------------------------------------------------- (2)
sr s1 rollback
check "(2) strata rollback exits 0" rc_is 0
check "(2) row 0005 deleted" eq "$(rows s1)" 0001,0002,0003,0004
check "(2) t5 dropped" eq "$(has_table s1 t5)" 0
d s1 status
check "(2) dbmate status: 0005 pending (exact)" out_is_text "$(status_text 0001,0002,0003,0004)"
d s1 status --exit-code
check "(2) dbmate status --exit-code: 1" rc_is 1
d s1 up
check "(2) dbmate up exits 0" rc_is 0
check "(2) dbmate up applied only 0005" eq "$(grep '^Applying' "$T/out")" "Applying: 0005_last.sql"
check "(2) rows again" eq "$(rows s1)" "$ALL"

# ---------------------------------------------------------------- (3)
d s1 rollback
check "(3) dbmate rollback exits 0" rc_is 0
check "(3) dbmate rolled back 0005" out_has "Rolled back: 0005_last.sql"
check "(3) row 0005 deleted" eq "$(rows s1)" 0001,0002,0003,0004
sr s1 status
check "(3) strata status: exit 3 (pending)" rc_is 3
check "(3) strata status: 0005 rolled back (dbmate's rollback read)" eq "$(states)" "app:0001=applied,app:0002=applied,app:0003=applied,app:0004=applied,app:0005=rolled_back"
sr s1 apply
check "(3) strata apply exits 0" rc_is 0
check "(3) rows again" eq "$(rows s1)" "$ALL"
check "(3) t5 again" eq "$(has_table s1 t5)" 1

# ---------------------------------------------------------------- (4)
project s4
d s4 up
check "(4) dbmate up on a fresh database: exit 2 at 0004" rc_is 2
check "(4) dbmate's error" err_has "Error: dbmate requires each migration to define a down block with '-- migrate:down'"
check "(4) dbmate applied 0001-0003" eq "$(rows s4)" 0001,0002,0003
check "(4) dbmate's tables" eq "$(has_table s4 t1 t3 t4 t4b t5)" 2
pg && check "(4) dbmate's concurrent index" eq "$(has_idx s4)" 1
sr s4 status
check "(4) strata status: exit 3 (pending)" rc_is 3
check "(4) strata status: 3 applied, 2 pending" eq "$(states)" "app:0001=applied,app:0002=applied,app:0003=applied,app:0004=pending,app:0005=pending"
sr s4 apply
check "(4) strata apply exits 0" rc_is 0
check "(4) rows: all" eq "$(rows s4)" "$ALL"
check "(4) strata status now: all applied, exit 0" eq "$(sr s4 status; echo "$rc $(states)")" "0 $ALL_APPLIED"
d s4 status
check "(4) dbmate status: all applied (exact)" out_is_text "$(status_text $ALL)"

# ---------------------------------------------------------------- (5)
project s5
sr s5 apply --to app:0004
check "(5) strata apply --to app:0004 exits 0" rc_is 0
check "(5) rows 0001-0004" eq "$(rows s5)" 0001,0002,0003,0004
if pg; then
	# host= instead of socket= (dbmate maps socket to host)
	u=$(db_url s5); db=${u#*@/}; db=${db%%\?*}
	dm "$T/s5" "postgres://$PGUSER@/$db?host=$PGHOST&port=$PGPORT&sslmode=disable" up
else
	d s5 up
fi
check "(5) dbmate up exits 0" rc_is 0
check "(5) dbmate applied only 0005" eq "$(grep '^Applying' "$T/out")" "Applying: 0005_last.sql"
check "(5) rows: all" eq "$(rows s5)" "$ALL"
check "(5) strata status: all applied, exit 0" eq "$(sr s5 status; echo "$rc $(states)")" "0 $ALL_APPLIED"
sr s5 apply
check "(5) strata apply: nothing to do, no row" eq "$rc $(rows s5)" "0 $ALL"

# ---------------------------------------------------------------- (6)
d s5 rollback
check "(6) dbmate rolls back 0005" eq "$rc $(rows s5)" "0 0001,0002,0003,0004"
d s5 rollback
check "(6) dbmate refuses to roll back 0004 (exit 2)" rc_is 2
check "(6) dbmate's error" err_has "Error: dbmate requires each migration to define a down block with '-- migrate:down'"
check "(6) dbmate changed nothing" eq "$(rows s5) $(has_table s5 t4 t4b)" "0001,0002,0003,0004 2"
sr s5 rollback
check "(6) strata rolls back 0004" eq "$rc $(rows s5) $(has_table s5 t4 t4b)" "0 0001,0002,0003 0"
d s5 rollback
check "(6) then dbmate rolls back 0003" eq "$rc $(rows s5)" "0 0001,0002"
pg && check "(6) the index is there before" eq "$(has_idx s5)" 1
d s5 rollback
check "(6) dbmate rolls back 0002 (down outside a transaction)" eq "$rc $(rows s5)" "0 0001"
pg && check "(6) dbmate dropped the index concurrently" eq "$(has_idx s5)" 0
sr s5 rollback
check "(6) strata rolls back 0001 (its view on schema_migrations first)" eq "$rc $(rows s5) $(has_table s5 t1 seen)" "0  0"
d s5 status
check "(6) dbmate status: nothing applied (exact)" out_is_text "$(status_text '')"

# ---------------------------------------------------------------- (7)
if pg; then
	mkdir -p "$T/s7/db/migrations"
	printf -- '-- migrate:up transaction:false\nCREATE TABLE t7 (id INTEGER PRIMARY KEY);\nCREATE INDEX CONCURRENTLY t7_i ON t7 (id);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY t7_i;\nDROP TABLE t7;\n' >"$T/s7/db/migrations/0001_idx.sql"
	printf 'database: %s\nsources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' "$(surl s7)" >"$T/s7/strata.yaml"
	d s7 up
	check "(7) dbmate: exit 2" rc_is 2
	check "(7) dbmate's error" err_has "Error: pq: CREATE INDEX CONCURRENTLY cannot run inside a transaction block (25001)"
	check "(7) dbmate: no row, no table" eq "$(rows s7) $(has_table s7 t7)" " 0"
	sr s7 apply
	check "(7) strata applies it" eq "$rc $(rows s7) $(has_table s7 t7)" "0 0001 1"
	check "(7) strata built the index" eq "$(q s7 "SELECT count(*) FROM pg_indexes WHERE indexname = 't7_i'")" 1
	d s7 status
	check "(7) dbmate status: applied" out_has "[X] 0001_idx.sql"
	sr s7 rollback
	check "(7) strata rolls it back" eq "$rc $(rows s7) $(has_table s7 t7)" "0  0"
fi

# ---------------------------------------------------------------- (8)
project s8
sed -i '/^database:/d' "$T/s8/strata.yaml"
echo "DATABASE_URL=$(durl s8)" >"$T/s8/.env"
sr s8 apply --to app:0002
check "(8) strata apply with dbmate's URL from .env" eq "$rc $(rows s8)" "0 0001,0002"
set +e; (cd "$T/s8" && "$DBMATE" --no-dump-schema up) >"$T/out" 2>"$T/err"; rc=$?; set -e
check "(8) dbmate up with the same .env stops at 0004" eq "$rc $(rows s8)" "2 0001,0002,0003"
sr s8 status
check "(8) strata status reads it" eq "$rc $(states)" "3 app:0001=applied,app:0002=applied,app:0003=applied,app:0004=pending,app:0005=pending"
if pg; then
	# socket= wins over host=, as in dbmate
	u=$(durl s8)
	u="${u%%\?*}?host=/nonexistent&${u#*\?}"
	sr s8 status --db "$u"
	check "(8) socket= wins over host=" eq "$rc $(states)" "3 app:0001=applied,app:0002=applied,app:0003=applied,app:0004=pending,app:0005=pending"
	dm "$T/s8" "$u" status
	check "(8) dbmate too" eq "$rc $(grep -c '^\[X\]' "$T/out")" "0 3"
fi

# ---------------------------------------------------------------- (9)
project s9
sr s9 apply --single-transaction
check "(9) strata apply --single-transaction exits 0" rc_is 0
check "(9) it says where the batch splits" out_has "committed 1 migration; app:0002 runs outside a transaction (its source marks it to run without one: db/migrations/0002_index.sql); a new transaction follows"
check "(9) summary: two transactions, one outside" out_has "5 migrations applied to $(surl s9) in 2 transactions, 1 outside one"
check "(9) schema_migrations: one row per file" eq "$(rows s9)" "$ALL"
d s9 status
check "(9) dbmate status: nothing pending (exact)" out_is_text "$(status_text $ALL)"
d s9 up
check "(9) dbmate up: nothing to apply" eq "$rc|$(cat "$T/out")|$(rows s9)" "0||$ALL"

done_testing
