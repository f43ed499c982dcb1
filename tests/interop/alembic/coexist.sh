#!/usr/bin/env bash
# strata and the REAL Alembic taking turns on one database: whoever acted
# last is seen.  alembic_version holds only the heads, so Alembic's record is
# complete: what is not under a head is not applied (docs/guide.md, "Sharing
# a database with the native tools").  The graph project of interop.sh:
#   A -> B -> C -> D1 -> M -> E;  C -> D2 -> M;  R1 -> R2 (depends_on B)
#   (a) strata rollback --to C, then alembic upgrade heads: strata status says
#       applied by alembic, apply does nothing, strata_ledger is updated
#   (b) strata apply, then alembic downgrade C: strata status says rolled back
#       by alembic (pending, exit 3); strata apply runs exactly those again
#   (c) alembic_version dropped: strata_ledger's record stands (warning),
#       nothing runs; baseline writes the heads again, alembic current agrees;
#       (d) the same with the source's own version_table, named in the warning
. "$SRC/tests/interop/alembic/lib.sh"

project graph graph "$dialect"
heads=$(sorted "$(rev graph E)" "$(rev graph R2)")
# by_tool: "NAME=state/tool" for the migrations a native table decided, sorted.
by_tool() { jpy '",".join(sorted(m["id"] + "=" + m["state"] + "/" + m["decided_by"] for m in j["migrations"] if "decided_by" in m))'; }
named() { local nm s=(); for nm in "$@"; do s+=("app:$(rev graph "$nm")=${st}/alembic"); done; sorted "${s[@]}"; }

# ---------------------------------------------------------------- (a)
fresh a
sr graph a apply
check "(a) strata apply exits 0" rc_is 0
sr graph a rollback --to "app:$(rev graph C)"
check "(a) strata rollback --to C exits 0" rc_is 0
al graph a upgrade heads
check "(a) alembic upgrade heads exits 0" rc_is 0
check "(a) alembic ran the rolled-back revisions" grep -qF "Running upgrade" "$T/err"
sr graph a --json status
check "(a) strata status exits 0 (nothing pending)" rc_is 0
st=applied
same "(a) applied by alembic: D1 D2 M E (what strata had rolled back)" "$(by_tool)" "$(named D1 D2 M E)"
same "(a) every revision applied" "$(json_states)" "$(all_states graph applied)"
before=$(state a)
sr graph a apply
check "(a) strata apply exits 0" rc_is 0
check "(a) strata apply runs nothing" out_has "0 migrations applied"
check "(a) and says what it recorded" out_has "recorded app:$(rev graph E) as applied in strata_ledger: alembic's table says so"
same "(a) schema, rows and alembic_version unchanged" "$(state a)" "$before"
check "(a) strata_ledger agrees now" eq "$(q a "SELECT count(*) FROM strata_ledger WHERE state = 'applied'")" "$(names graph | wc -l)"
sr graph a --json status
check "(a) no decision left to show" eq "$(by_tool)" ""

# ---------------------------------------------------------------- (b)
fresh b
sr graph b apply
check "(b) strata apply exits 0" rc_is 0
al graph b downgrade "$(rev graph C)"
check "(b) alembic downgrade C exits 0" rc_is 0
sr graph b --json status
check "(b) strata status: pending again (exit 3)" rc_is 3
st=rolled_back
same "(b) rolled back by alembic: D1 D2 M E" "$(by_tool)" "$(named D1 D2 M E)"
sr graph b status
check "(b) status line names alembic" grep -qE "^app:$(rev graph E) +rolled_back .*\(rolled_back by alembic\)" "$T/out"
sr graph b apply
check "(b) strata apply exits 0" rc_is 0
check "(b) it runs exactly the four again" out_has "4 migrations applied"
check "(b) alembic_version holds the heads again" eq "$(versions b)" "$heads"
al graph b current
check "(b) alembic current exits 0" rc_is 0
check "(b) alembic current lists E's head" grep -q "^$(rev graph E)" "$T/out"

# ---------------------------------------------------------------- (c)
fresh c
sr graph c apply
check "(c) strata apply exits 0" rc_is 0
q c "DROP TABLE alembic_version" >/dev/null
sr graph c status
check "(c) status exits 0: strata_ledger's record stands" rc_is 0
check "(c) the missing table is said once" eq "$(grep -c "alembic_version of source 'app' does not exist" "$T/err")" 1
sr graph c apply
check "(c) apply runs nothing" out_has "0 migrations applied"
sr graph c baseline
check "(c) baseline exits 0" rc_is 0
check "(c) baseline wrote the heads again" eq "$(versions c)" "$heads"
al graph c current
check "(c) alembic current exits 0" rc_is 0
al graph c upgrade heads
check "(c) alembic upgrade heads runs nothing" err_lacks "Running upgrade"

# ---------------------------------------------------------------- (d)
fresh d
cp "$T/graph/strata.yaml" "$T/graph/strata.yaml.orig"
printf '    version_table: app_versions\n' >>"$T/graph/strata.yaml"
sr graph d apply
check "(d) strata apply with version_table exits 0" rc_is 0
check "(d) the heads are in app_versions" eq "$(q d "SELECT count(*) FROM app_versions")" 2
q d "DROP TABLE app_versions" >/dev/null
sr graph d status
check "(d) status exits 0: strata_ledger's record stands" rc_is 0
check "(d) the warning names the source's own table" eq "$(grep -c "app_versions of source 'app' does not exist" "$T/err")" 1
sr graph d baseline
check "(d) baseline writes app_versions again" eq "$(q d "SELECT count(*) FROM app_versions")" 2
mv "$T/graph/strata.yaml.orig" "$T/graph/strata.yaml"
done_testing
