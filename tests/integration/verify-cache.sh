#!/usr/bin/env bash
# verify's and drift's replay cache (core/run/template.c): a second verify
# starts from the template of the first and replays nothing; one new
# migration replays one; a changed checksum stops the cache at the prefix
# before it; a failure saves the prefix before it; another project (or, on
# PostgreSQL, another schema) never uses a template; --no-cache replays the
# whole history and saves nothing; drift finds the same with and without
# the cache; the project keeps two templates.
. "$(dirname "$0")/lib.sh"

mig() { printf -- '-- migrate:up\n%s\n-- migrate:down\n' "$2" >"db/migrations/$1.sql"; }
# The templates of project folder $1 (default: this one): SQLite files in
# $STRATA_TEMPLATE_DIR, PostgreSQL databases whose comment names it.
tpls() {
	local dir=${1:-$T}
	if sqlite; then
		grep -l "project=$dir/strata.yaml\$" "$STRATA_TEMPLATE_DIR"/*.info 2>/dev/null | sed 's|.*/||; s|\.info$||' | LC_ALL=C sort | paste -sd, -
	else
		psql -X -t -A -d "$STRATA_TEST_PG" -c "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE 'strata\\_tpl\\_%' AND shobj_description(oid, 'pg_database') LIKE '%project=$dir/strata.yaml'"
	fi
}
ntpl() { local v; v=$(tpls "${1:-$T}"); if [ -z "$v" ]; then echo 0; else tr ',' '\n' <<<"$v" | wc -l | tr -d ' '; fi; }
# The name a template line shows: strata_tpl_<32 hex> or the file's path.
tpl_shown() { if sqlite; then echo "($STRATA_TEMPLATE_DIR/"; else echo "(strata_tpl_"; fi; }

make_project 3
run verify
check "cold cache: verify exits 0" rc_is 0
check "… verifies 3" out_has "verified: 3 migrations apply cleanly in order on an empty database"
check "… used no template" out_lacks "replayed"
check "… saved one template" eq "$(ntpl)" 1
run verify
check "second verify: exit 0, the same count" out_has "verified: 3 migrations apply cleanly in order on an empty database"
check "… replayed 0 on the template of the first 3" out_has "replayed 0 migrations on a template of the first 3 $(tpl_shown)"
check "… saved nothing new" eq "$(ntpl)" 1
if pg; then
	check "… the template is commented with its key, prefix and project" \
		eq "$(psql -X -t -A -d "$STRATA_TEST_PG" -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'strata\\_tpl\\_%' AND shobj_description(oid, 'pg_database') ~ '^strata replay template: key=[0-9a-f]{64} prefix=3 created=\\S+ project=$T/strata.yaml\$'")" 1
	check "… the scratch databases are gone" eq "$(qlist app "SELECT datname FROM pg_database WHERE datname ~ '^strata_verify_[0-9]+_[0-9]+$'")" ""
fi
mig 0004_t4 'CREATE TABLE t4 (id INTEGER PRIMARY KEY);'
run verify
check "one new migration: verify exits 0, 4 verified" out_has "verified: 4 migrations apply cleanly in order on an empty database"
check "… replayed 1 on the template of the first 3" out_has "replayed 1 migration on a template of the first 3 $(tpl_shown)"
mig 0005_t5 'CREATE TABLE t5 (id INTEGER PRIMARY KEY);'
run verify
check "another: replayed 1 on the first 4" out_has "replayed 1 migration on a template of the first 4 "
check "the project keeps 2 templates (the oldest pruned)" eq "$(ntpl)" 2
kept=$(tpls)
run -q verify --no-cache
check "--no-cache: exit 0, nothing said" eq "$(cat "$T/out")" ""
run verify --no-cache
check "--no-cache: verifies 5" out_has "verified: 5 migrations apply cleanly in order on an empty database"
check "… replays the whole history" out_lacks "replayed"
check "… saves and drops nothing" eq "$(tpls)" "$kept"
run --json verify --no-cache
sed 's/, "ms": [0-9]*//' "$T/out" >"$T/json.nocache"
run --json verify
check "--json: the same events and summary from the template (no ms: not run)" eq "$(cat "$T/out")" "$(cat "$T/json.nocache")"
check "… 5 verified events" eq "$(grep -c '"event": "verified"' "$T/out")" 5

# A changed checksum of migration 5: only prefix 4's template fits.
mig 0005_t5 'CREATE TABLE t5 (id INTEGER PRIMARY KEY, x INTEGER);'
run verify
check "migration 5 edited: replayed 1 on the template of the first 4" out_has "replayed 1 migration on a template of the first 4 "
# Migration 2 edited: no template holds the first 2 (or more) as they are now.
mig 0002_t2 'CREATE TABLE t2 (id INTEGER PRIMARY KEY, y INTEGER);'
run verify
check "migration 2 edited: exit 0" rc_is 0
check "… no template used (none of the first 1)" out_lacks "replayed"
run verify
check "… the new history's template is used next time" out_has "replayed 0 migrations on a template of the first 5 "
check "… still 2 templates" eq "$(ntpl)" 2

# A failing migration: the prefix before it is saved, and used once it is fixed.
mig 0006_t6 'CREATE INDEX t6_id ON t_none (id);'
run verify
check "a failing 6th: verify exits 1" rc_is 1
check "… after 5 (the template's count too)" err_has "verify failed after 5 migrations"
check "… in the dialect's words, file:line" err_has "strata: error: db/migrations/0006_t6.sql:2:"
mig 0006_t6 'CREATE TABLE t6 (id INTEGER PRIMARY KEY);'
run verify
check "fixed: replayed 1 on the template of the first 5" out_has "replayed 1 migration on a template of the first 5 "
check "… verified 6" out_has "verified: 6 migrations apply cleanly in order on an empty database"
# A failure outside a transaction leaves the scratch half-done: nothing saved.
printf -- '-- migrate:up transaction:false\nCREATE TABLE t7 (id INTEGER PRIMARY KEY);\nCREATE INDEX t7_x ON t_none (id);\n-- migrate:down\n' >db/migrations/0007_t7.sql
before=$(tpls)
run verify
check "a 7th failing outside a transaction: exit 1" rc_is 1
check "… no template of the first 6 again, none of a half-run 7th" eq "$(tpls)" "$before"
rm db/migrations/0007_t7.sql

# A template that cannot be copied: one info line, the whole replay, exit 0.
# (A 7th migration: the template of the first 6 must be copied to run it.)
newest=$(if sqlite; then ls -t "$STRATA_TEMPLATE_DIR"/*.info | head -1 | sed 's|.*/||; s|\.info$||'; else psql -X -t -A -d "$STRATA_TEST_PG" -c "SELECT datname FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE '%prefix=6 %project=$T/strata.yaml'"; fi)
mig 0007_t7 'CREATE TABLE t7 (id INTEGER PRIMARY KEY);'
if sqlite; then # a folder where the file was
	mv "$STRATA_TEMPLATE_DIR/$newest.sqlite" "$T/kept.sqlite" && mkdir "$STRATA_TEMPLATE_DIR/$newest.sqlite"
else # a session on the template: CREATE DATABASE ... TEMPLATE refuses it (after 5 s)
	psql -X -q -d "$(db_url app | sed "s|/[^/?]*?|/$newest?|")" -c "SELECT pg_sleep(9)" >/dev/null 2>&1 &
	busy=$!
	sleep 1
fi
run verify
check "template unusable: verify still exits 0, 7 verified" out_has "verified: 7 migrations apply cleanly in order on an empty database"
check "… says the cache was not used, on one line" eq "$(grep -c '^replay cache not used: .*; replaying the whole history$' "$T/out")" 1
check "… and replayed the whole history" out_lacks "on a template of"
if sqlite; then rmdir "$STRATA_TEMPLATE_DIR/$newest.sqlite" && mv "$T/kept.sqlite" "$STRATA_TEMPLATE_DIR/$newest.sqlite"; else wait "$busy" || true; fi
run verify
check "… its full replay was saved: replayed 0 on the first 7" out_has "replayed 0 migrations on a template of the first 7 "

# Two processes at once: both verify; the next run finds the template.
mig 0008_t8 'CREATE TABLE t8 (id INTEGER PRIMARY KEY);'
set +e
"$STRATA" verify >"$T/p1.out" 2>&1 & p1=$!
"$STRATA" verify >"$T/p2.out" 2>&1 & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
set -e
check "two verifies at once: both exit 0" eq "$r1 $r2" "0 0"
check "… both verified 8" eq "$(cat "$T/p1.out" "$T/p2.out" | grep -c 'verified: 8 migrations')" 2
run verify
check "… the next one replays nothing" out_has "replayed 0 migrations on a template of the first 8 "
check "… the project keeps 2" eq "$(ntpl)" 2
rm db/migrations/0007_t7.sql db/migrations/0008_t8.sql

# Another project with the very same files never uses this one's templates.
mkdir -p "$T/other" && cp -r db strata.yaml "$T/other/"
(cd "$T/other" && run verify && cp "$T/out" "$T/other.out")
check "another project, same history: no template used" bash -c "! grep -q replayed '$T/other.out'"
check "… its own template saved" eq "$(ntpl "$T/other")" 1
if pg; then
	run --db "$(db_url app schema=s2)" verify
	check "PostgreSQL, another schema: exit 0" rc_is 0
	check "… no template of the public schema used" out_lacks "replayed"
	run --db "$(db_url app schema=s2)" verify
	check "… its own template next time" out_has "replayed 0 migrations on a template of the first 6 "
	check "… whose scratch had the schema: verified 6" out_has "verified: 6 migrations"
fi

# drift: the same findings with and without the cache.
run apply
check "apply for drift: exit 0" rc_is 0
q app "CREATE TABLE extra_live (id INTEGER);"
run --json drift --no-cache
check "drift --no-cache: exit 4" rc_is 4
cp "$T/out" "$T/drift.nocache"
run --json drift
check "drift (the cache): exit 4" rc_is 4
check "… the same JSON" eq "$(cat "$T/out")" "$(cat "$T/drift.nocache")"
run --json drift
check "drift again: the same JSON" eq "$(cat "$T/out")" "$(cat "$T/drift.nocache")"
check "… from a template (an info event on stderr)" err_has '"event": "info", "message": "replayed 0 migrations on a template of the first 6 '
run drift
check "drift (text): exit 4" rc_is 4
check "… names the extra table" out_has "extra_live"
check "… and says it used a template" out_has "replayed 0 migrations on a template of the first 6 "
check "the project still keeps 2" eq "$(ntpl)" 2

# --scratch never uses the cache.
db_reset empty
run verify --scratch "$(db_url empty)"
check "verify --scratch: exit 0, no template" out_lacks "replayed"

# The templates dropped by hand, as docs/guide.md says.
if pg; then
	for d in $(tpls | tr ',' ' ') $(tpls "$T/other" | tr ',' ' '); do pg_sql "DROP DATABASE \"$d\""; done
	check "templates dropped at the end" eq "$(ntpl)$(ntpl "$T/other")" 00
else
	rm -f "$STRATA_TEMPLATE_DIR"/*
	check "templates removed at the end" eq "$(ntpl)" 0
fi
done_testing
