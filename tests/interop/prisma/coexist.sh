#!/usr/bin/env bash
# strata and the REAL Prisma CLI taking turns on one database: whoever acted
# last is seen.  strata writes _prisma_migrations in the same transaction as
# strata_ledger, so when the two disagree Prisma acted after strata, and its
# table decides (docs/guide.md, "Sharing a database with the native tools").
#   (a) strata rollback, then prisma migrate deploy re-applies: strata status
#       says applied by prisma, apply does nothing, strata_ledger is updated
#   (b) a strata failure repaired the Prisma way (resolve --rolled-back, fix,
#       deploy): strata status says applied by prisma, apply does nothing
#   (c) resolve --rolled-back alone: strata takes it as rolled back (due) and
#       its own apply runs the fixed file; prisma agrees afterwards
#   (d) a failure of prisma's own shows its log, one line in status, whole in
#       --json; apply refuses
#   (e) _prisma_migrations dropped: strata_ledger's record stands (warning),
#       nothing is re-run, baseline writes the rows again
. "$SRC/tests/interop/prisma/lib.sh"

states() { python3 -c 'import json,sys; print(",".join(m["id"].split(":",1)[1]+"="+m["state"]+("/"+m["decided_by"] if "decided_by" in m else "") for m in json.load(open(sys.argv[1]))["migrations"]))' "$T/out"; }
ledger_state() { q "$1" "SELECT state || '|' || applied_by FROM strata_ledger WHERE id = 'app:$(mig "$2")'"; }

# ---------------------------------------------------------------- (a)
project a 3
printf 'DROP TABLE t3;\n' >"$T/a/prisma/migrations/$(mig 3)/down.sql"
sr a apply
check "(a) strata apply exits 0" rc_is 0
sr a rollback
check "(a) strata rollback exits 0" rc_is 0
check "(a) t3 gone" eq "$(has_table a t3)" 0
prisma a migrate deploy
check "(a) prisma deploy re-applies the rolled-back migration" rc_is 0
check "(a) t3 back" eq "$(has_table a t3)" 1
sr a status
check "(a) strata status exits 0 (nothing pending)" rc_is 0
check "(a) status names prisma as the deciding tool" grep -qE "^app:$(mig 3) +applied +t3  \(applied by prisma, [0-9]{4}-" "$T/out"
sr a --json status
check "(a) --json: decided_by prisma, the others strata's" eq "$(states)" "$(mig 1)=applied,$(mig 2)=applied,$(mig 3)=applied/prisma"
check "(a) --json: decided_at is prisma's finished_at" python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["migrations"][2]; sys.exit(0 if m["decided_at"] and m["decided_at"] == m["applied_at"] else 1)' "$T/out"
check "(a) strata_ledger still says rolled_back before a write" eq "$(ledger_state a 3 | cut -d'|' -f1)" rolled_back
sr a apply
check "(a) strata apply exits 0" rc_is 0
check "(a) apply runs nothing" out_has "0 migrations applied"
check "(a) apply says what it recorded" out_has "recorded app:$(mig 3) as applied in strata_ledger: prisma's table says so"
check "(a) strata_ledger now says applied, by prisma" eq "$(ledger_state a 3)" "applied|native:prisma"
check "(a) no failed row in _prisma_migrations" eq "$(q a "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL")" 0
prisma a migrate status
check "(a) prisma status: up to date" out_line "$UP_TO_DATE"
sr a status
check "(a) strata status after the record: agreed, no note" eq "$(grep -c 'by prisma' "$T/out")" 0
check "(a) strata status exit 0" rc_is 0

# ---------------------------------------------------------------- (b)
project b 2
add_mig b 3 "CREATE TABLE t3 (id INTEGER PRIMARY KEY); CREATE TABLE t3 (id INTEGER);"
sr b apply
check "(b) strata apply of a broken migration exits 1" rc_is 1
check "(b) failed in strata_ledger" eq "$(ledger_state b 3 | cut -d'|' -f1)" failed
check "(b) failed row in _prisma_migrations" eq "$(q b "SELECT count(*) FROM _prisma_migrations WHERE migration_name = '$(mig 3)' AND finished_at IS NULL AND rolled_back_at IS NULL")" 1
prisma b migrate resolve --rolled-back "$(mig 3)"
check "(b) prisma migrate resolve --rolled-back exits 0" rc_is 0
printf 'CREATE TABLE t3 (id INTEGER PRIMARY KEY);\n' >"$(mfile b 3)"
prisma b migrate deploy
check "(b) prisma deploy of the fixed file exits 0" rc_is 0
sr b status
check "(b) strata status exits 0" rc_is 0
check "(b) status: applied by prisma" grep -qE "^app:$(mig 3) +applied +t3  \(applied by prisma, " "$T/out"
sr b apply
check "(b) strata apply exits 0 and runs nothing" out_has "0 migrations applied"
check "(b) strata_ledger: applied, with the fixed file's checksum" eq "$(q b "SELECT state || '|' || checksum FROM strata_ledger WHERE id = 'app:$(mig 3)'")" "applied|$(sha256sum <"$(mfile b 3)" | cut -c1-64)"
prisma b migrate status
check "(b) prisma status: up to date" out_line "$UP_TO_DATE"

# ---------------------------------------------------------------- (c)
project c 2
add_mig c 3 "CREATE TABLE t3 (id INTEGER PRIMARY KEY); CREATE TABLE t3 (id INTEGER);"
sr c apply
check "(c) strata apply of a broken migration exits 1" rc_is 1
prisma c migrate resolve --rolled-back "$(mig 3)"
check "(c) resolve --rolled-back exits 0" rc_is 0
sr c status
check "(c) strata status: rolled back by prisma, pending (exit 3)" rc_is 3
check "(c) status line" grep -qE "^app:$(mig 3) +rolled_back +t3  \(rolled_back by prisma" "$T/out"
printf 'CREATE TABLE t3 (id INTEGER PRIMARY KEY);\n' >"$(mfile c 3)"
sr c apply
check "(c) strata apply of the fixed file exits 0" rc_is 0
check "(c) it ran" out_has "1 migration applied"
check "(c) t3 exists" eq "$(has_table c t3)" 1
prisma c migrate status
check "(c) prisma status: up to date" out_line "$UP_TO_DATE"

# ---------------------------------------------------------------- (d)
project d 1
add_mig d 2 "CREATE TABLE t2 (id INTEGER PRIMARY KEY); CREATE TABLE t2 (id INTEGER);"
prisma d migrate deploy
check "(d) prisma deploy of a broken migration exits 1" rc_is 1
logs=$(q d "SELECT logs FROM _prisma_migrations WHERE migration_name = '$(mig 2)'")
check "(d) prisma kept a log" test -n "$logs"
sr d status
check "(d) strata status: problems (exit 4)" rc_is 4
first=$(printf '%s\n' "$logs" | sed '/^[[:space:]]*$/d' | head -1)
check "(d) status shows the log's first line" grep -qF "[$first" "$T/out"
sr d --json status
check "(d) --json carries the whole log" python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["migrations"][1]; sys.exit(0 if m["error"] == open(sys.argv[2]).read().rstrip("\n") else 1)' "$T/out" <(printf '%s\n' "$logs")
sr d apply
check "(d) strata apply refuses (exit 4)" rc_is 4
check "(d) refusal names prisma's table" grep -qF "failed in prisma's own tracking table" "$T/err"

# ---------------------------------------------------------------- (e)
project e 2
sr e apply
check "(e) strata apply exits 0" rc_is 0
q e "DROP TABLE _prisma_migrations" >/dev/null
sr e status
check "(e) status exits 0: strata_ledger's record stands" rc_is 0
check "(e) the missing table is said once" eq "$(grep -c "_prisma_migrations of source 'app' does not exist" "$T/err")" 1
sr e apply
check "(e) apply runs nothing" out_has "0 migrations applied"
sr e baseline
check "(e) baseline exits 0" rc_is 0
check "(e) baseline wrote prisma's rows again" eq "$(q e "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL")" 2
prisma e migrate status
check "(e) prisma status: up to date" out_line "$UP_TO_DATE"
sr e status
check "(e) no warning any more" eq "$(grep -c 'does not exist' "$T/err")" 0
done_testing
