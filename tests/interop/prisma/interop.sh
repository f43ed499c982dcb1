#!/usr/bin/env bash
# strata and the REAL Prisma Migrate CLI (6.19.3) on the same database: each
# tool must accept what the other wrote to _prisma_migrations.  TAP; BACKEND=
# sqlite|pg as in tests/integration/lib.sh.  Needs the install of setup.sh in
# $STRATA_PRISMA_HOME (default ${XDG_CACHE_HOME:-~/.cache}/strata/prisma); if
# it is missing, this script runs setup.sh first (npm registry needed).
#   (3) prisma migrate deploy, then strata status: all applied, same checksums
#   (1) strata apply, then prisma migrate status / deploy: nothing to do, rows
#       and table shaped like prisma's own
#   (2) strata baseline on an existing schema = prisma migrate resolve --applied
#   (4) a migration failing under prisma deploy: strata status failed (exit 4),
#       strata mark --rolled-back, fix, strata apply, prisma status up to date
#   (5) CRLF conversion is no modification for either tool; an edit is one
#       for strata (prisma never reports edits; its diagnosis is checked)
#   (7) folder order: names that byte order sorts otherwise than Prisma's
#       localeCompare; (a) prisma deploy (all, or the first five), then
#       strata status: no out-of-order, same order; (b) strata apply (all, or
#       --to the fifth), then prisma status/deploy agree, rows written in
#       prisma's order; (c) strata's one warning line naming the pairs
#   (8) files with their own BEGIN … COMMIT (one block around the file, two
#       blocks): applied by either tool, up to date for the other
#   (9) strata apply --single-transaction: rows shaped like prisma's, prisma
#       status up to date, prisma deploy nothing to do
. "$SRC/tests/interop/prisma/lib.sh"

# ---------------------------------------------------------------- (3)
project s3 3
prisma s3 migrate deploy
check "(3) prisma migrate deploy exits 0" rc_is 0
check "(3) prisma deploy: all applied" out_line "All migrations have been successfully applied."
check "(3) prisma wrote 3 finished rows" eq "$(q s3 "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL")" 3
sr s3 status
check "(3) strata status after prisma deploy exits 0" rc_is 0
check "(3) status line t1" grep -qE "^app:$(mig 1) +applied +t1( |$)" "$T/out"
check "(3) status line t3" grep -qE "^app:$(mig 3) +applied +t3( |$)" "$T/out"
check "(3) status summary" out_line "3 migrations: 3 applied"
sr s3 --json status
check "(3) strata --json status exits 0" rc_is 0
check "(3) every migration applied" eq "$(json_states)" "app:$(mig 1)=applied,app:$(mig 2)=applied,app:$(mig 3)=applied"
check "(3) strata checksums = prisma's rows" eq "$(json_sums)" "$(row_sums s3)"
check "(3) prisma's checksums = sha256 of migration.sql" eq "$(row_sums s3)" "$(file_sums s3)"
sr s3 apply
check "(3) strata apply: nothing to do, exit 0" rc_is 0
check "(3) strata apply wrote no row" eq "$(q s3 "SELECT count(*) FROM _prisma_migrations")" 3

# ---------------------------------------------------------------- (1)
project s1 3
sr s1 apply
check "(1) strata apply exits 0" rc_is 0
check "(1) tables created" eq "$(has_table s1 t1 t2 t3)" 3
check "(1) _prisma_migrations has the same definition as prisma's" eq "$(ddl s1)" "$(ddl s3)"
check "(1) rows shaped like prisma migrate deploy's" eq "$(shape s1)" "$(shape s3)"
check "(1) logs NULL, rolled_back_at NULL, 1 step" eq "$(q s1 "SELECT count(*) FROM _prisma_migrations WHERE logs IS NULL AND rolled_back_at IS NULL AND applied_steps_count = 1 AND finished_at IS NOT NULL")" 3
prisma s1 migrate status
check "(1) prisma migrate status exits 0" rc_is 0
check "(1) prisma status: 3 migrations found" out_line "3 migrations found in prisma/migrations"
check "(1) prisma status: up to date" out_line "$UP_TO_DATE"
prisma s1 migrate deploy
check "(1) prisma migrate deploy exits 0" rc_is 0
check "(1) prisma deploy: no pending" out_line "$NO_PENDING"
check "(1) prisma deploy wrote no row" eq "$(q s1 "SELECT count(*) FROM _prisma_migrations")" 3
check "(1) prisma sees no edit" eq "$(prisma_edited s1)" ""
# A later migration: strata applies it, prisma agrees.
add_mig s1 4 "CREATE TABLE t4 (id INTEGER PRIMARY KEY);"
prisma s1 migrate status
check "(1) new migration: prisma status exits 1" rc_is 1
check "(1) prisma status: 4 migrations found" out_line "4 migrations found in prisma/migrations"
check "(1) prisma status: pending header" out_line "Following migration have not yet been applied:"
check "(1) prisma lists it as not applied" out_line "$(mig 4)"
check "(1) prisma lists only it" eq "$(grep -c '^2024' "$T/out")" 1
sr s1 apply
check "(1) strata applies the 4th" rc_is 0
prisma s1 migrate status
check "(1) then prisma status: up to date" out_line "$UP_TO_DATE"

# ---------------------------------------------------------------- (2)
# The schema exists; s2 is baselined by strata, r2 by prisma migrate resolve --applied.
# SQLite: the wasm engine's resolve --applied cannot create the table (P1014,
# an adapter artifact: native baselines it); prisma deploy of an empty folder
# onto the empty database creates it first, with prisma's own DDL.
project r2 3
if sqlite; then
	mkdir "$T/r2.aside"
	mv "$T"/r2/prisma/migrations/2024* "$T/r2.aside/"
	prisma r2 migrate deploy
	check "(2) sqlite: prisma creates _prisma_migrations on the empty database" eq "$(has_table r2 _prisma_migrations)" 1
	mv "$T"/r2.aside/* "$T/r2/prisma/migrations/"
fi
project s2 3
for p in s2 r2; do
	q $p "CREATE TABLE t1 (id INTEGER PRIMARY KEY); CREATE TABLE t2 (id INTEGER PRIMARY KEY); CREATE TABLE t3 (id INTEGER PRIMARY KEY);"
done
prisma s2 migrate deploy
check "(2) prisma deploy on a non-empty schema: P3005" err_line "Error: P3005"
sr s2 baseline
check "(2) strata baseline exits 0" rc_is 0
check "(2) baseline output" out_has "3 migrations recorded as baselined (not run)"
for i in 1 2 3; do
	prisma r2 migrate resolve --applied "$(mig $i)"
	check "(2) prisma resolve --applied $(mig $i)" out_line "Migration $(mig $i) marked as applied."
done
check "(2) _prisma_migrations defined like prisma's" eq "$(ddl s2)" "$(ddl r2)"
check "(2) rows shaped like migrate resolve --applied's" eq "$(shape s2)" "$(shape r2)"
check "(2) logs '', started_at = finished_at, 0 steps" eq "$(q s2 "SELECT count(*) FROM _prisma_migrations WHERE logs = '' AND started_at = finished_at AND applied_steps_count = 0 AND rolled_back_at IS NULL")" 3
prisma s2 migrate status
check "(2) prisma status after strata baseline exits 0" rc_is 0
check "(2) prisma status: up to date" out_line "$UP_TO_DATE"
prisma s2 migrate deploy
check "(2) prisma deploy: no pending" out_line "$NO_PENDING"
sr s2 --json status
check "(2) strata status after its baseline exits 0" rc_is 0
s2states=$(json_states)
sr r2 --json status
check "(2) strata status on prisma's resolve --applied rows exits 0" rc_is 0
# strata tells its own baseline (strata_ledger) from a run; prisma's rows of
# resolve --applied carry no such mark: applied or baselined are both right.
check "(2) strata: prisma's resolve --applied rows recorded, nothing pending" eq "$(json_states | sed 's/=baselined/=applied/g')" "${s2states//=baselined/=applied}"
check "(2) strata's own baseline shows as baselined" eq "$s2states" "app:$(mig 1)=baselined,app:$(mig 2)=baselined,app:$(mig 3)=baselined"
sr s2 baseline
check "(2) baseline again records nothing, and says why" out_line "nothing to baseline: 3 already recorded"

# ---------------------------------------------------------------- (4)
project s4 2
add_mig s4 3 "CREATE TABLE t3 (id INTEGER PRIMARY KEY);
INSERT INTO nope VALUES (1);"
prisma s4 migrate deploy
check "(4) prisma deploy of a failing migration exits 1" rc_is 1
check "(4) prisma left a failed row" eq "$(q s4 "SELECT count(*) FROM _prisma_migrations WHERE migration_name = '$(mig 3)' AND finished_at IS NULL AND rolled_back_at IS NULL AND logs <> ''")" 1
sr s4 status
check "(4) strata status: exit 4" rc_is 4
check "(4) strata status shows it failed" grep -qE "^app:$(mig 3) +failed( |$)" "$T/out"
sr s4 --json status
check "(4) states" eq "$(json_states)" "app:$(mig 1)=applied,app:$(mig 2)=applied,app:$(mig 3)=failed"
sr s4 apply
check "(4) strata apply refuses while it is failed: exit 4" rc_is 4
# Roll back by hand what the failed attempt left: PostgreSQL ran the script as
# one implicit transaction (nothing left); SQLite has no transaction (t3 stays).
check "(4) what the failed attempt left" eq "$(has_table s4 t3)" "$(pick 1 0)"
if sqlite; then q s4 "DROP TABLE t3"; fi
sr s4 mark "app:$(mig 3)" --rolled-back
check "(4) strata mark --rolled-back exits 0" rc_is 0
check "(4) prisma's row marked rolled back" eq "$(q s4 "SELECT count(*) FROM _prisma_migrations WHERE migration_name = '$(mig 3)' AND finished_at IS NULL AND rolled_back_at IS NOT NULL")" 1
prisma s4 migrate status
check "(4) prisma status after strata's rollback mark: exit 0" rc_is 0
printf 'CREATE TABLE t3 (id INTEGER PRIMARY KEY);\n' >"$(mfile s4 3)"
sr s4 apply
check "(4) strata apply of the fixed migration exits 0" rc_is 0
check "(4) t3 created" eq "$(has_table s4 t3)" 1
check "(4) rows of the migration: rolled back + finished" eq "$(qlist s4 "SELECT CASE WHEN rolled_back_at IS NOT NULL THEN 'rolled_back' WHEN finished_at IS NOT NULL THEN 'finished' ELSE 'failed' END FROM _prisma_migrations WHERE migration_name = '$(mig 3)' ORDER BY started_at")" "rolled_back,finished"
check "(4) the finished row has the fixed file's checksum" eq "$(q s4 "SELECT checksum FROM _prisma_migrations WHERE migration_name = '$(mig 3)' AND finished_at IS NOT NULL")" "$(sha256sum <"$(mfile s4 3)" | cut -c1-64)"
prisma s4 migrate status
check "(4) prisma status: exit 0" rc_is 0
check "(4) prisma status: up to date" out_line "$UP_TO_DATE"
prisma s4 migrate deploy
check "(4) prisma deploy: no pending" out_line "$NO_PENDING"
sr s4 status
check "(4) strata status: exit 0" rc_is 0
check "(4) strata status: applied" grep -qE "^app:$(mig 3) +applied( |$)" "$T/out"

# ---------------------------------------------------------------- (5)
# p5 deployed by prisma, s5 applied by strata, both from LF files; then the
# files are converted to CRLF.
project p5 2
project s5 2
prisma p5 migrate deploy
check "(5) prisma deploy exits 0" rc_is 0
sr s5 apply
check "(5) strata apply exits 0" rc_is 0
for p in p5 s5; do
	for i in 1 2; do sed -i 's/$/\r/' "$(mfile $p $i)"; done
	cp "$(mfile $p 2)" "$T/$p.crlf"
	sr $p --json status
	check "(5) $p CRLF: strata status exit 0" rc_is 0
	check "(5) $p CRLF: not modified for strata" eq "$(json_states)" "app:$(mig 1)=applied,app:$(mig 2)=applied"
	check "(5) $p CRLF: not modified for prisma" eq "$(prisma_edited $p)" ""
	prisma $p migrate status
	check "(5) $p CRLF: prisma status up to date" out_line "$UP_TO_DATE"
	sr $p apply
	check "(5) $p CRLF: strata apply exit 0" rc_is 0
	prisma $p migrate deploy
	check "(5) $p CRLF: prisma deploy: no pending" out_line "$NO_PENDING"
	check "(5) $p CRLF: neither tool rewrote the file" cmp -s "$(mfile $p 2)" "$T/$p.crlf"
	check "(5) $p CRLF: no row added" eq "$(q $p "SELECT count(*) FROM _prisma_migrations")" 2
done
# An edit (a comment added) is a modification.
printf -- '-- edited\r\n' >>"$(mfile p5 2)"
sr p5 status
check "(5) edited: strata status exit 4" rc_is 4
check "(5) edited: strata shows modified" grep -qE "^app:$(mig 2) +modified( |$)" "$T/out"
sr p5 apply
check "(5) edited: strata apply refuses: exit 4" rc_is 4
check "(5) edited: prisma's engine sees the edit too" eq "$(prisma_edited p5)" "$(mig 2)"
prisma p5 migrate status
check "(5) edited: prisma status still exits 0 (it never reports edits)" rc_is 0
# ---------------------------------------------------------------- (8)
# Migrations that manage their own transaction: t3 is wrapped in one
# BEGIN … COMMIT (strata runs its body in its own transaction), t4 has two
# blocks (strata runs it as written, as prisma does).  s7 is applied by
# strata, p7 by prisma; then each tool reads what the other wrote.
for p in s7 p7; do
	project $p 2
	add_mig $p 3 $'-- CreateTable
BEGIN;
CREATE TABLE t3 (id INTEGER PRIMARY KEY);
INSERT INTO t3 (id) VALUES (1);
COMMIT;'
	add_mig $p 4 $'BEGIN;
CREATE TABLE t4a (id INTEGER PRIMARY KEY);
COMMIT;
BEGIN;
CREATE TABLE t4b (id INTEGER PRIMARY KEY);
INSERT INTO t4b (id) VALUES (2);
COMMIT;'
done
sr s7 apply
check "(8) strata applies the self-managed transactions: exit 0" rc_is 0
check "(8) strata: every table and row" eq "$(has_table s7 t1 t2 t3 t4a t4b)|$(q s7 "SELECT id FROM t3")|$(q s7 "SELECT id FROM t4b")" "5|1|2"
check "(8) strata: 4 finished rows in _prisma_migrations, no logs" eq "$(q s7 "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL AND logs IS NULL AND rolled_back_at IS NULL")" 4
check "(8) strata: checksums of the whole files" eq "$(row_sums s7)" "$(file_sums s7)"
prisma s7 migrate status
check "(8) prisma migrate status after strata: exit 0" rc_is 0
check "(8) prisma status: 4 migrations found" out_line "4 migrations found in prisma/migrations"
check "(8) prisma status: up to date" out_line "$UP_TO_DATE"
prisma s7 migrate deploy
check "(8) prisma deploy after strata: no pending" out_line "$NO_PENDING"
check "(8) prisma wrote no row" eq "$(q s7 "SELECT count(*) FROM _prisma_migrations")" 4
prisma p7 migrate deploy
check "(8) prisma migrate deploy of the same history: exit 0" rc_is 0
check "(8) prisma: every table and row" eq "$(has_table p7 t1 t2 t3 t4a t4b)|$(q p7 "SELECT id FROM t3")|$(q p7 "SELECT id FROM t4b")" "5|1|2"
check "(8) rows shaped like strata's" eq "$(shape p7)" "$(shape s7)"
sr p7 status
check "(8) strata status after prisma deploy: exit 0" rc_is 0
check "(8) strata status: up to date" out_line "4 migrations: 4 applied"
sr p7 --json status
check "(8) strata checksums = prisma's rows" eq "$(json_sums)" "$(row_sums p7)"
sr p7 apply
check "(8) strata apply after prisma: nothing to do, exit 0" rc_is 0
check "(8) strata wrote no row" eq "$(q p7 "SELECT count(*) FROM _prisma_migrations")" 4

# ---------------------------------------------------------------- (6)
# PostgreSQL ?schema=NAME: both tools use the same schema (prisma creates it).
if pg; then
	project s6 2
	u6="$(db_url s6 schema=app_s)"
	printf "database: '%s'\nsources:\n  - name: app\n    format: prisma\n    path: prisma/migrations\n" "$u6" >"$T/s6/strata.yaml"
	set +e
	bash "$HERE/run-prisma.sh" "$u6" "$T/s6/prisma" migrate deploy >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	check "(6) prisma deploy into ?schema=app_s exits 0" rc_is 0
	check "(6) prisma names the schema" out_has 'schema "app_s"'
	check "(6) tables and _prisma_migrations in app_s" eq "$(q s6 "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'app_s'")" "_prisma_migrations,t1,t2"
	check "(6) nothing in public" eq "$(q s6 "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
	sr s6 --json status
	check "(6) strata status on ?schema=app_s exits 0" rc_is 0
	check "(6) strata sees prisma's rows in app_s" eq "$(json_states)" "app:$(mig 1)=applied,app:$(mig 2)=applied"
	add_mig s6 3 "CREATE TABLE t3 (id INTEGER PRIMARY KEY);"
	sr s6 apply
	check "(6) strata apply into app_s exits 0" rc_is 0
	check "(6) t3 in app_s" eq "$(q s6 "SELECT count(*) FROM pg_tables WHERE schemaname = 'app_s' AND tablename = 't3'")" 1
	set +e
	bash "$HERE/run-prisma.sh" "$u6" "$T/s6/prisma" migrate status >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	check "(6) prisma status on app_s: up to date" out_line "$UP_TO_DATE"
fi

# ---------------------------------------------------------------- (7)
# Prisma 6.19.3 sorts the folder names with localeCompare (ICU's root
# collation), not byte by byte.  These names mix _, -, digits, letters and
# case: byte order (LC_ALL=C sort) puts 7 pairs of them the other way.
ONAMES=(20251028_budget_transactions 20251028100000_add_link_graph 20251029120000_add_Users
	20251029120000_add_posts 20251030090000_tag-index 20251030090000_tag_index
	20251030090000_tag1 20251030090000_tag10 20251030090000_tag9
	20251031000000_init 20251031000000_Init)
# oproject NAME: a project whose folders are ONAMES, each creating its own table.
oproject() {
	local p=$1 i=0 d
	project "$p" 0
	for d in "${ONAMES[@]}"; do
		i=$((i + 1))
		mkdir "$T/$p/prisma/migrations/$d"
		printf 'CREATE TABLE o%d (id INTEGER PRIMARY KEY);\n' "$i" >"$T/$p/prisma/migrations/$d/migration.sql"
	done
}
# The folders in the order prisma migrate deploy applied them ($T/out).
deployed() { sed -n 's|^  └─ \(.*\)/$|\1|p' "$T/out" | paste -sd, -; }
# The names prisma migrate status lists as not yet applied ($T/out), in its order.
not_applied() { sed -n '/^Following migrations\{0,1\} have not yet been applied:$/,/^$/p' "$T/out" | sed '1d;/^$/d' | paste -sd, -; }
# The folders strata applied ($T/out of strata apply), in order.
strata_applied() { sed -n 's/^applied app:\([^ ]*\) .*/\1/p' "$T/out" | paste -sd, -; }
# strata ledger's order.
ledger_order() { sr "$1" --json ledger; python3 -c 'import json,sys; print(",".join(m["version"] for m in json.load(open(sys.argv[1]))["migrations"]))' "$T/out"; }
# _prisma_migrations rows in the order they were written (SQLite rowid; PostgreSQL
# xmin, one transaction per migration), and by started_at (ties in that order).
wrote_order() { pick "rowid" "xmin::text::bigint"; }
written() { qlist "$1" "SELECT migration_name FROM _prisma_migrations ORDER BY $(wrote_order)"; }
by_started() { qlist "$1" "SELECT migration_name FROM _prisma_migrations ORDER BY started_at, $(wrote_order)"; }
# slice FROM [COUNT]: prisma's order (porder) from index FROM on, COUNT of them, joined by ','.
slice() { local IFS=,; if [ $# -gt 1 ]; then echo "${porder[*]:$1:$2}"; else echo "${porder[*]:$1}"; fi; }
# states_of APPLIED PENDING: json_states' form of two such lists.
states_of() { local a=$1 b=$2 d out=; for d in $(tr , ' ' <<<"$a"); do out+="${out:+,}app:$d=applied"; done
	for d in $(tr , ' ' <<<"$b"); do out+="${out:+,}app:$d=pending"; done; echo "$out"; }
ORDER_WARNING="strata: warning: prisma/migrations/: Prisma's order of these folders differs from byte order (older Prisma, ls in the C locale) in 7 pairs: 20251028_budget_transactions before 20251028100000_add_link_graph, 20251029120000_add_posts before 20251029120000_add_Users, 20251030090000_tag_index before 20251030090000_tag-index, and 4 more"

# (a) prisma migrate deploy applies the whole history: its order is the truth.
oproject o1
prisma o1 migrate deploy
check "(7a) prisma migrate deploy exits 0" rc_is 0
check "(7a) prisma applied all 11" eq "$(q o1 "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL")" 11
IFS=, read -r -a porder <<<"$(deployed)"
check "(7a) prisma's deploy output names all 11" eq "${#porder[@]}" 11
bytes=$(printf '%s\n' "${ONAMES[@]}" | LC_ALL=C sort | paste -sd, -)
check "(7a) byte order differs from prisma's in all 11 places" eq "$(paste -d' ' <(tr , '\n' <<<"$bytes") <(slice 0 | tr , '\n') | awk '$1 != $2' | wc -l)" 11
check "(7a) prisma's rows by started_at: the order it applied them" eq "$(by_started o1)" "$(slice 0)"
check "(7a) strata ledger: prisma's order" eq "$(ledger_order o1)" "$(slice 0)"
sr o1 status
check "(7a) strata status after prisma deploy: up to date, exit 0" rc_is 0
check "(7a) strata status: 11 applied" out_line "11 migrations: 11 applied"
check "(7a) strata status: nothing out of order" out_lacks "out of order"
sr o1 --json status
check "(7a) strata --json status: all applied, in prisma's order" eq "$(json_states)" "$(states_of "$(slice 0)" "")"
sr o1 apply
check "(7a) strata apply: nothing to do" rc_is 0
check "(7a) strata apply wrote no row" eq "$(q o1 "SELECT count(*) FROM _prisma_migrations")" 11
# prisma deploys the first five of its order only; strata sees five applied
# and six pending, none out of order (byte order would put tag-index, pending,
# before tag_index, applied), and applies the six in prisma's order.
oproject o2
mkdir "$T/o2.aside"
for d in "${porder[@]:5}"; do mv "$T/o2/prisma/migrations/$d" "$T/o2.aside/"; done
prisma o2 migrate deploy
check "(7a) prisma deploys the first five: exit 0" rc_is 0
check "(7a) prisma applied the first five" eq "$(deployed)" "$(slice 0 5)"
mv "$T"/o2.aside/* "$T/o2/prisma/migrations/"
sr o2 status
check "(7a) strata status after prisma's partial deploy: pending, exit 3" rc_is 3
check "(7a) strata status: 6 pending, 5 applied" out_line "11 migrations: 6 pending, 5 applied"
check "(7a) strata status: nothing out of order" out_lacks "out of order"
sr o2 --json status
check "(7a) strata: the first five applied, the rest pending, in prisma's order" eq "$(json_states)" "$(states_of "$(slice 0 5)" "$(slice 5)")"
sr o2 apply
check "(7a) strata applies the rest: exit 0" rc_is 0
check "(7a) strata applied the six in prisma's order" eq "$(strata_applied)" "$(slice 5)"
prisma o2 migrate status
check "(7a) then prisma status: up to date" out_line "$UP_TO_DATE"

# (b) strata apply applies the whole history; prisma agrees.
oproject o3
sr o3 apply
check "(7b) strata apply exits 0" rc_is 0
check "(7b) strata applied in prisma's order" eq "$(strata_applied)" "$(slice 0)"
check "(7b) _prisma_migrations rows written in prisma's order" eq "$(written o3)" "$(slice 0)"
check "(7b) and their started_at in that order too" eq "$(by_started o3)" "$(slice 0)"
prisma o3 migrate status
check "(7b) prisma migrate status exits 0" rc_is 0
check "(7b) prisma status: 11 migrations found" out_line "11 migrations found in prisma/migrations"
check "(7b) prisma status: up to date" out_line "$UP_TO_DATE"
prisma o3 migrate deploy
check "(7b) prisma deploy: no pending" out_line "$NO_PENDING"
# strata apply --to the fifth of prisma's order: prisma lists the other six
# as not applied, in its order, and deploys exactly those.
oproject o4
sr o4 apply --to "app:${porder[4]}"
check "(7b) strata apply --to the fifth: exit 0" rc_is 0
check "(7b) strata applied the first five of prisma's order" eq "$(strata_applied)" "$(slice 0 5)"
prisma o4 migrate status
check "(7b) prisma status: 6 not applied, exit 1" rc_is 1
check "(7b) prisma lists the other six, in its order" eq "$(not_applied)" "$(slice 5)"
prisma o4 migrate deploy
check "(7b) prisma deploys the six: exit 0" rc_is 0
check "(7b) prisma applied exactly the six" eq "$(deployed)" "$(slice 5)"
sr o4 status
check "(7b) then strata status: up to date, exit 0" rc_is 0

# (c) the warning: one line, on every command that reads the folder.
sr o3 ledger
check "(7c) strata ledger: the warning line" err_line "$ORDER_WARNING"
check "(7c) strata ledger: once" eq "$(grep -c "Prisma's order" "$T/err")" 1
sr o3 status
check "(7c) strata status: the warning line" err_line "$ORDER_WARNING"
check "(7c) strata status: nothing else on stderr" eq "$(cat "$T/err")" "$ORDER_WARNING"
sr s1 status
check "(7c) no warning where byte order agrees with prisma's" eq "$(cat "$T/err")" ""
# ---------------------------------------------------------------- (9)
project s9 3
sr s9 apply --single-transaction
check "(9) strata apply --single-transaction exits 0, in one transaction" eq "$rc|$(tail -1 "$T/out" | grep -o 'in one transaction$')" "0|in one transaction"
check "(9) rows shaped like prisma migrate deploy's" eq "$(shape s9)" "$(shape s3)"
prisma s9 migrate status
check "(9) prisma migrate status: up to date" eq "$rc|$(grep -cxF "$UP_TO_DATE" "$T/out")" "0|1"
prisma s9 migrate deploy
check "(9) prisma migrate deploy: no pending, no row written" eq "$rc|$(grep -cxF "$NO_PENDING" "$T/out")|$(q s9 "SELECT count(*) FROM _prisma_migrations")" "0|1|3"
done_testing
