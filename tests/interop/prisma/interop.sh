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
check "(2) baseline again records nothing" out_has "0 migrations recorded"

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
done_testing
