#!/usr/bin/env bash
# strata and the REAL drizzle-kit (0.31.11, drizzle-orm 0.45.4's migrator)
# on the same database: each must accept what the other wrote to
# __drizzle_migrations (drizzle.__drizzle_migrations on PostgreSQL).  TAP;
# BACKEND=sqlite|pg as in tests/integration/lib.sh.  Needs the install of
# setup.sh in $STRATA_DRIZZLE_HOME (default ${XDG_CACHE_HOME:-~/.cache}/strata/drizzle);
# if it is missing, this script runs setup.sh first (npm registry needed).
# The history is a real one: drizzle-kit generate from three TypeScript
# schemas, one step at a time (folders h1, h2, h3: 1, 2, 3 migrations).
#   (1) drizzle-kit migrate on a fresh database, then strata status: all
#       applied, exit 0, checksums = drizzle's hashes; strata apply: nothing
#   (2) strata apply on a fresh database, then drizzle-kit migrate: nothing
#       to do (rows and schema unchanged); strata's rows and table = drizzle's
#   (3) drizzle migrates the first two, strata the third; both agree after
#   (4) a file edited after apply: strata status says modified (drizzle
#       never looks, and runs nothing)
#   (6) strata baseline on a schema drizzle built: drizzle-kit migrate then
#       runs nothing
#   (5) figure: strata apply vs drizzle-kit migrate on the same history
. "$SRC/tests/integration/lib.sh"
HERE=$SRC/tests/interop/drizzle
export STRATA_DRIZZLE_HOME=${STRATA_DRIZZLE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/drizzle}
if ! bash "$HERE/setup.sh" "$STRATA_DRIZZLE_HOME" >"$T/setup.log" 2>&1; then
	echo "Bail out! drizzle-kit not installed: bash tests/interop/drizzle/setup.sh $STRATA_DRIZZLE_HOME failed"
	sed 's/^/# /' "$T/setup.log"
	exit 1
fi
unset DEBUG NODE_OPTIONS

DT=$(pick __drizzle_migrations drizzle.__drizzle_migrations)
surl() { if sqlite; then echo "sqlite:$T/${1%.db}.db"; else db_url "$1"; fi; }
# sr PROJECT ARGS…: strata in project folder PROJECT ($T/out, $T/err, $rc).
sr() { local p=$1; shift; run -C "$T/$p" "$@"; }
# dk PROJECT ARGS…: the real drizzle-kit on database PROJECT, folder PROJECT/drizzle.
dk() {
	local p=$1; shift
	set +e
	bash "$HERE/run-drizzle.sh" "$(surl "$p")" "$T/$p/drizzle" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}
# project NAME HISTORY: NAME/strata.yaml on database NAME, NAME/drizzle a copy of HISTORY.
project() {
	mkdir -p "$T/$1"
	rm -rf "$T/$1/drizzle"
	cp -r "$T/$2" "$T/$1/drizzle"
	cat >"$T/$1/strata.yaml" <<YAML
database: $(surl "$1")
sources:
  - name: app
    format: drizzle
    path: drizzle
YAML
}
rows() { qlist "$1" "SELECT coalesce(CAST(id AS TEXT), 'NULL') || ':' || hash || ':' || CAST(created_at AS TEXT) FROM $DT ORDER BY created_at"; }
hashes() { qlist "$1" "SELECT hash || '@' || CAST(created_at AS TEXT) FROM $DT ORDER BY created_at"; }
# The user's schema (strata_ledger aside), to see that a run changed nothing.
schema() {
	if sqlite; then
		q "$1" "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT IN ('strata_ledger') AND name NOT LIKE 'sqlite_%' ORDER BY type, name"
	else
		q "$1" "SELECT table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema IN ('public', 'drizzle') AND table_name <> 'strata_ledger' ORDER BY 1"
		q "$1" "SELECT schemaname || '.' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname IN ('public', 'drizzle') AND tablename <> 'strata_ledger' ORDER BY 1"
	fi
}
# The tracking table's definition.
ddl() {
	if sqlite; then
		q "$1" "SELECT sql FROM sqlite_master WHERE name = '__drizzle_migrations'"
	else
		q "$1" "SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'drizzle' AND table_name = '__drizzle_migrations' ORDER BY ordinal_position"
	fi
}
json_states() { python3 -c 'import json,sys; print(",".join(m["id"]+"="+m["state"] for m in json.load(open(sys.argv[1]))["migrations"]))' "$T/out"; }
json_sums() { python3 -c 'import json,sys; print(",".join(m["checksum"] for m in json.load(open(sys.argv[1]))["migrations"]))' "$T/out"; }
file_sums() { local f; for f in "$T/$1"/drizzle/*.sql; do sha256sum <"$f" | cut -c1-64; done | paste -sd, -; }

# ---------------------------------------------------------------- the history
if sqlite; then
	core=sqlite-core tab=sqliteTable imp="integer, text, index" idcol='integer("id").primaryKey()'
else
	core=pg-core tab=pgTable imp="serial, integer, text, index" idcol='serial("id").primaryKey()'
fi
# Step 1: users; 2: posts and tags (two statements); 3: a column and an
# index (two statements).
step_schema() {
	local s=$1
	echo "import { $tab, $imp } from \"drizzle-orm/$core\";"
	if [ "$s" -ge 3 ]; then
		echo "export const users = $tab(\"users\", { id: $idcol, name: text(\"name\").notNull(), email: text(\"email\") });"
	else
		echo "export const users = $tab(\"users\", { id: $idcol, name: text(\"name\").notNull() });"
	fi
	if [ "$s" -ge 2 ]; then
		local extra=
		[ "$s" -ge 3 ] && extra=', (t) => [index("posts_user_idx").on(t.userId)]'
		echo "export const posts = $tab(\"posts\", { id: $idcol, userId: integer(\"user_id\").references(() => users.id), title: text(\"title\"), votes: integer(\"votes\").default(0) }$extra);"
		echo "export const tags = $tab(\"tags\", { id: $idcol, label: text(\"label\").notNull().unique() });"
	fi
}
gen_ok=0
for s in 1 2 3; do
	step_schema $s >"$T/schema$s.ts"
	set +e
	DRIZZLE_SCHEMA=$T/schema$s.ts bash "$HERE/run-drizzle.sh" "$(pick sqlite:$T/gen.db "$(db_url gen)")" "$T/gen" \
		generate --name "step$s" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	# drizzle-kit generate exits 0 even when it failed: its file is the proof.
	if [ "$rc" -eq 0 ] && [ "$(ls "$T/gen"/*.sql 2>/dev/null | wc -l)" -eq "$s" ]; then
		gen_ok=$((gen_ok + 1))
	else
		sed 's/^/# /' "$T/out" "$T/err"
	fi
	cp -r "$T/gen" "$T/h$s"
	sleep 0.01 # distinct `when`s even on a fast machine
done
check "drizzle-kit generate wrote 3 steps" eq "$gen_ok" 3
check "the journal lists 3 entries" eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$T/gen/meta/_journal.json")" 3
check "3 migration files" eq "$(ls "$T/gen"/*.sql | wc -l)" 3
check "files are split with statement breakpoints" grep -q -- '--> statement-breakpoint' "$T/h2/0001_step2.sql" "$T/h3/0002_step3.sql"

# ---------------------------------------------------------------- (1)
project d1 h3
dk d1 migrate
check "(1) drizzle-kit migrate exits 0" rc_is 0
check "(1) drizzle wrote 3 rows" eq "$(q d1 "SELECT count(*) FROM $DT")" 3
check "(1) drizzle's hash = sha256 of the whole file" eq "$(qlist d1 "SELECT hash FROM $DT ORDER BY created_at")" "$(file_sums d1)"
sr d1 status
check "(1) strata status after drizzle-kit migrate exits 0" rc_is 0
check "(1) status summary" out_has "3 migrations: 3 applied"
check "(1) status line step3" grep -qE '^app:0002_step3 +applied +step3( |$)' "$T/out"
sr d1 --json status
check "(1) every migration applied" eq "$(json_states)" "app:0000_step1=applied,app:0001_step2=applied,app:0002_step3=applied"
check "(1) strata's checksums = drizzle's hashes" eq "$(json_sums)" "$(qlist d1 "SELECT hash FROM $DT ORDER BY created_at")"
before=$(rows d1)
sr d1 apply
check "(1) strata apply: nothing to do, exit 0" rc_is 0
check "(1) strata apply wrote no row" eq "$(rows d1)" "$before"

# ---------------------------------------------------------------- (2)
project s2 h3
sr s2 apply
check "(2) strata apply exits 0" rc_is 0
check "(2) 3 applied" out_has "3 migrations applied"
check "(2) the user's tables" eq "$(has_table s2 users posts tags)" 3
check "(2) __drizzle_migrations defined as drizzle defines it" eq "$(ddl s2)" "$(ddl d1)"
check "(2) strata's rows = drizzle's (hash, created_at)" eq "$(hashes s2)" "$(hashes d1)"
check "(2) ids as drizzle's ($(pick 'NULL: SERIAL is no rowid alias' '1, 2, 3'))" eq "$(qlist s2 "SELECT coalesce(CAST(id AS TEXT), 'NULL') FROM $DT ORDER BY created_at")" "$(qlist d1 "SELECT coalesce(CAST(id AS TEXT), 'NULL') FROM $DT ORDER BY created_at")"
check "(2) created_at = the journal's when" eq "$(qlist s2 "SELECT CAST(created_at AS TEXT) FROM $DT ORDER BY created_at")" "$(python3 -c 'import json,sys; print(",".join(str(e["when"]) for e in json.load(open(sys.argv[1]))["entries"]))' "$T/s2/drizzle/meta/_journal.json")"
check "(2) the schema = drizzle's own" eq "$(schema s2)" "$(schema d1)"
before=$(rows s2) sbefore=$(schema s2)
dk s2 migrate
check "(2) drizzle-kit migrate after strata exits 0" rc_is 0
check "(2) drizzle wrote no row" eq "$(rows s2)" "$before"
check "(2) drizzle changed no schema" eq "$(schema s2)" "$sbefore"
if pg; then
	check "(2) pg: drizzle's id sequence goes on after strata's rows" eq "$(q s2 "SELECT nextval('drizzle.__drizzle_migrations_id_seq')")" 4
fi

# ---------------------------------------------------------------- (3)
project m3 h2
dk m3 migrate
check "(3) drizzle-kit migrates the first two" eq "$(q m3 "SELECT count(*) FROM $DT")" 2
project m3 h3
sr m3 status
check "(3) strata status: one pending (exit 3)" rc_is 3
check "(3) status summary" out_has "3 migrations: 1 pending, 2 applied"
check "(3) the pending one is step3" grep -qE '^app:0002_step3 +pending' "$T/out"
sr m3 apply
check "(3) strata applies the third" rc_is 0
check "(3) one applied" out_has "1 migration applied"
check "(3) rows = drizzle's for the whole history" eq "$(hashes m3)" "$(hashes d1)"
check "(3) the schema = drizzle's own" eq "$(schema m3)" "$(schema d1)"
before=$(rows m3)
dk m3 migrate
check "(3) drizzle-kit migrate then: exit 0" rc_is 0
check "(3) drizzle wrote no row" eq "$(rows m3)" "$before"
sr m3 status
check "(3) strata status all applied" out_has "3 migrations: 3 applied"
# strata first this time: strata applies two, drizzle the third.
project n3 h2
sr n3 apply
check "(3) strata applies the first two" eq "$(q n3 "SELECT count(*) FROM $DT")" 2
project n3 h3
dk n3 migrate
check "(3) drizzle-kit migrates the rest: exit 0" rc_is 0
check "(3) drizzle ran only the third" eq "$(hashes n3)" "$(hashes d1)"
sr n3 status
check "(3) strata status then: all applied, exit 0" rc_is 0

# ---------------------------------------------------------------- (4)
printf '\n-- edited after it was applied\n' >>"$T/s2/drizzle/0001_step2.sql"
sr s2 status
check "(4) strata status on an edited file: exit 4" rc_is 4
check "(4) step2 reads modified" grep -qE '^app:0001_step2 +modified' "$T/out"
check "(4) the warning names the file" err_has "strata: warning: drizzle/0001_step2.sql: modified after it was applied: its checksum differs from the one recorded in $(pick __drizzle_migrations drizzle.__drizzle_migrations)"
before=$(rows s2)
dk s2 migrate
check "(4) drizzle-kit migrate ignores the edit: exit 0" rc_is 0
check "(4) and writes no row" eq "$(rows s2)" "$before"

# ---------------------------------------------------------------- (6)
# A schema drizzle built, its table lost: strata baseline writes the rows
# drizzle would have, and drizzle-kit migrate then runs nothing.
project b6 h3
dk b6 migrate
q b6 "$(pick 'DROP TABLE __drizzle_migrations' 'DROP SCHEMA drizzle CASCADE')"
sr b6 baseline
check "(6) strata baseline exits 0" rc_is 0
check "(6) baseline wrote drizzle's rows" eq "$(hashes b6)" "$(hashes d1)"
before=$(rows b6)
dk b6 migrate
check "(6) drizzle-kit migrate after strata baseline: exit 0" rc_is 0
check "(6) drizzle wrote no row" eq "$(rows b6)" "$before"
check "(6) the schema as drizzle left it" eq "$(schema b6)" "$(schema d1)"

# ---------------------------------------------------------------- (5)
project ts h3
project td h3
t0=$(date +%s%N)
sr ts apply
t1=$(date +%s%N)
dk td migrate
t2=$(date +%s%N)
check "(5) both applied the history" eq "$(hashes ts)" "$(hashes td)"
echo "# figure ($BACKEND): strata apply $(( (t1 - t0) / 1000000 )) ms, drizzle-kit migrate $(( (t2 - t1) / 1000000 )) ms, same 3-step history"

done_testing
