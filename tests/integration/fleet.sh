#!/usr/bin/env bash
# The fleet: apply / status / baseline / drift over many targets (--fleet
# FILE of URLs, --each-schema PATTERN on PostgreSQL) with --jobs N, a child
# strata per target.  Asserts the rows each target got (strata_ledger and
# dbmate's schema_migrations), the exit code (the worst target's), exact
# error lines for a bad fleet file (exit 2, nothing touched), the --json
# shape, a failing target beside good ones, and a fleet apply killed with
# SIGTERM midway then run again: every migration recorded exactly once.
. "$(dirname "$0")/lib.sh"
make_project 3

# ---- usage: the fleet's own errors, before anything runs ----
run status --jobs 2
check "--jobs without a fleet: exit 2" rc_is 2
check "--jobs without a fleet: the line" err_is "strata: --jobs goes with --fleet FILE or --each-schema PATTERN (hint: see \`strata --help\`)"
run ledger --fleet fleet.txt
check "ledger refuses --fleet: exit 2" rc_is 2
check "ledger refuses --fleet: the line" err_is "strata: ledger does not take --fleet, --each-schema or --jobs (apply, status, baseline and drift do) (hint: see \`strata --help\`)"
run apply --each-schema 'tenant_*' --jobs 0
check "--jobs 0: exit 2" rc_is 2
check "--jobs 0: the line" err_is "strata: --jobs takes a number from 1 to 1024, not '0' (hint: see \`strata --help\`)"

A=$(db_url a) B=$(db_url b) C=$(db_url c)
run apply --fleet fleet.txt --db "$A"
check "--fleet with --db: exit 2" rc_is 2

# ---- a fleet file: comments, blank lines, ${VAR} and $VAR ----
export FLEET_B=$B FLEET_C=$C
cat >fleet.txt <<EOF2
# the tenants' databases
$A

  \${FLEET_B}
\$FLEET_C
EOF2
printf '%s\n%s\n' "$A" '${FLEET_NOT_SET}' >unset.txt
printf '%s\nnot a url\n' "$A" >bad.txt
printf '%s\n%s\n%s\n' "$A" "$B" "$A" >dup.txt
run apply --fleet unset.txt
check "unset variable: exit 2" rc_is 2
check "unset variable: the line names FILE:LINE" err_is "strata: error: unset.txt:2: environment variable FLEET_NOT_SET is not set (hint: export it, or write the URL itself)"
run apply --fleet bad.txt
check "a line that is no URL: exit 2" rc_is 2
check "a line that is no URL: the line" err_is "strata: error: bad.txt:2: not a database URL: 'not a url' (hint: one database URL a line, such as sqlite:app.db or postgresql://host/db, or \${VAR})"
run apply --fleet dup.txt
check "a duplicate target: exit 2" rc_is 2
check "a duplicate target: the line" err_is "strata: error: dup.txt:3: duplicate target $A (first at line 1) (hint: each target once: remove one of the lines)"
run apply --fleet missing.txt
check "no such fleet file: exit 2" rc_is 2
check "bad fleet files touched nothing" eq "$(has_table a strata_ledger t1)$(has_table b strata_ledger t1)" 00

run status --fleet fleet.txt
check "status of a new fleet: exit 3 (pending)" rc_is 3
check "status: the table has a line per target" out_has "$B  pending  3 pending"
check "status: the summary line" out_has "3 targets: 3 pending in"

run apply --fleet fleet.txt --jobs 2
check "fleet apply: exit 0" rc_is 0
check "fleet apply: the table" out_has "$C  ok      3 applied"
check "fleet apply: the summary" out_has "3 targets: 3 ok in"
for d in a b c; do
	check "fleet apply: $d has 3 ledger rows and 3 schema_migrations rows" \
		eq "$(q $d "SELECT count(*) FROM strata_ledger WHERE state = 'applied'") $(q $d "SELECT count(*) FROM schema_migrations")" "3 3"
done
run status --fleet fleet.txt
check "status after the apply: exit 0" rc_is 0
run apply --fleet - <fleet.txt
check "--fleet - (stdin), again: a no-op, exit 0" rc_is 0
check "the rerun applied nothing" out_has "$A  ok      0 applied"

run --json status --fleet fleet.txt --jobs 3
check "--json status: exit 0" rc_is 0
check "--json: one object, the documented shape" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"targets", "summary"}, d.keys()
assert [t["target"] for t in d["targets"]] == sys.argv[2:5], d["targets"]
for t in d["targets"]:
    assert t["exit"] == 0 and t["state"] == "ok", t
    assert t["result"]["database"] == t["target"]
    assert t["result"]["summary"]["applied"] == 3
    assert t["error"] is None
s = d["summary"]
assert (s["targets"], s["ok"], s["error"], s["exit"], s["jobs"], s["command"]) == (3, 3, 0, 0, 3, "status"), s
' "$T/out" "$A" "$B" "$C"

# ---- one broken target among good ones: the worst exit, named ----
printf -- '-- migrate:up\nCREATE TABLE t4 (id INTEGER);\n-- migrate:down\nDROP TABLE t4;\n' >db/migrations/0004_t4.sql
q b "CREATE TABLE t4 (x INTEGER)"
E=$(pick "2:14: table t4 already exists" "2:1: relation \"t4\" already exists")
run apply --fleet fleet.txt --jobs 3
check "one target fails: exit 1" rc_is 1
check "its error line carries its name" err_has "strata: $B: error: db/migrations/0004_t4.sql:$E"
check "the table names it" out_has "$B  error   1 failed"
check "the table: the others" out_has "$A  ok      1 applied"
check "the summary counts it" out_has "3 targets: 2 ok, 1 failed in"
check "the others applied 0004" eq "$(q a "SELECT count(*) FROM strata_ledger WHERE id = 'app:0004' AND state = 'applied'")$(q c "SELECT count(*) FROM schema_migrations WHERE version = '0004'")" 11
check "the broken one recorded nothing for 0004 in schema_migrations" eq "$(q b "SELECT count(*) FROM schema_migrations WHERE version = '0004'")" 0
run --json apply --fleet fleet.txt
check "--json apply, one failing: exit 1" rc_is 1
check "--json: the failing target's error object and exit" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = {x["target"]: x for x in d["targets"]}
b = t[sys.argv[2]]
assert b["exit"] == 1 and b["state"] == "error" and b["result"] is None, b
assert b["error"]["event"] == "error" and b["error"]["file"] == "db/migrations/0004_t4.sql", b["error"]
assert t[sys.argv[3]]["result"]["event"] == "summary" and t[sys.argv[3]]["result"]["applied"] == 0
assert d["summary"]["exit"] == 1 and d["summary"]["error"] == 1 and d["summary"]["ok"] == 2
' "$T/out" "$B" "$A"
run -q apply --fleet fleet.txt
check "-q: exit 1" rc_is 1
check "-q: the failure's line is kept" err_has "strata: $B: error:"
q b "DROP TABLE t4"
run apply --fleet fleet.txt
check "the repaired target catches up: exit 0" rc_is 0
check "the repaired target has 0004 once" eq "$(q b "SELECT count(*) FROM schema_migrations WHERE version = '0004'")" 1
run -q status --fleet fleet.txt
check "-q, all well: exit 0, nothing on stderr" eq "$rc/$(cat "$T/err")" "0/"
check "-q: the table is still printed" out_has "3 targets: 3 ok in"
# On a terminal (util-linux script gives the fleet a pty): a line per target as it ends.
script -qec "$STRATA status --fleet fleet.txt --jobs 2" /dev/null </dev/null >"$T/tty" 2>&1 || true
check "on a terminal: a line per target as it ends" grep -qE "\[3/3\] [^ ]+ status: 4 applied in [0-9]+ ms" "$T/tty"
if sqlite; then # (pg: drift's scratch databases would disturb pg-verify's count, see meson.build)
	run drift --fleet fleet.txt --jobs 3
	check "drift --fleet: exit 0, no drift anywhere" rc_is 0
	check "drift --fleet: the table" out_has "$A  ok      4 migrations"
fi

# ---- --each-schema ----
if sqlite; then
	run status --each-schema 'tenant_*'
	check "--each-schema on SQLite: exit 2" rc_is 2
	check "--each-schema on SQLite: the line" err_is "strata: error: $(db_url app): --each-schema: a sqlite database has no schemas (hint: --each-schema is for databases with schemas (PostgreSQL); list the databases in a --fleet FILE instead)"
fi
if pg; then
	T6=$(db_url tenants)
	for i in 1 2 3 4 5 6; do q tenants "CREATE SCHEMA tenant_$i" >/dev/null; done
	q tenants 'CREATE SCHEMA other_1; CREATE SCHEMA "tenant-x"' >/dev/null
	q tenants "CREATE TABLE tenant_5.t3 (x INTEGER)" >/dev/null
	run status --db "$T6" --each-schema 'nomatch_*'
	check "no schema matches: exit 2" rc_is 2
	check "no schema matches: the line names the pattern" err_is "strata: error: $T6: --each-schema: no schema matches 'nomatch_*' (hint: the pattern is a shell glob such as 'tenant_*'; system schemas never match)"
	run apply --db "$T6" --each-schema 'tenant_[0-9]' --jobs 3
	check "each-schema apply with one broken tenant: exit 1" rc_is 1
	check "the broken tenant is named in the table" out_has "tenant_5  error   2 applied, 1 failed"
	check "the summary" out_has "6 targets: 5 ok, 1 failed in"
	for i in 1 2 3 4 6; do
		check "tenant_$i: 4 strata_ledger rows, 4 schema_migrations rows" \
			eq "$(q tenants "SELECT count(*) FROM tenant_$i.strata_ledger WHERE state = 'applied'") $(q tenants "SELECT count(*) FROM tenant_$i.schema_migrations")" "4 4"
	done
	check "tenant_5 stopped at its failure" eq "$(q tenants "SELECT count(*) FROM tenant_5.schema_migrations")" 2
	check "schemas the pattern leaves out are untouched" eq "$(q tenants "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname IN ('other_1', 'tenant-x', 'public')")" 0
	q tenants "DROP TABLE tenant_5.t3" >/dev/null
	run apply --db "$T6" --each-schema 'tenant_[0-9]' --jobs 3
	check "rerun after the fix: exit 0" rc_is 0
	run status --db "$T6" --each-schema 'tenant_*'
	check "status of every tenant: exit 0" rc_is 0
	check "status lists the tenants by name" out_has "tenant_6  ok      4 applied"
	run --json status --db "$T6" --each-schema 'tenant*'
	check "a schema name that needs encoding: pending, exit 3" rc_is 3
	check "--json: the schema and its encoded URL" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
x = d["targets"][0]
assert x["schema"] == "tenant-x" and x["target"].endswith("schema=tenant-x"), x
assert [t["schema"] for t in d["targets"][1:]] == ["tenant_%d" % i for i in range(1, 7)]
assert d["summary"]["pending"] == 1 and d["summary"]["ok"] == 6 and d["summary"]["exit"] == 3
' "$T/out"
	run --json status --db "$T6" --each-schema '*'
	check "'*': every schema but the system ones, in byte order" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = [t["schema"] for t in d["targets"]]
assert got == ["other_1", "public", "tenant-x"] + ["tenant_%d" % i for i in range(1, 7)], got
' "$T/out"
	printf '%s\n' "$T6" >tenants.txt
	run baseline --fleet tenants.txt --each-schema 'tenant-*'
	check "--fleet and --each-schema combined: baseline the one left" rc_is 0
	check "tenant-x baselined, 4 rows" eq "$(q tenants "SELECT count(*) FROM \"tenant-x\".strata_ledger WHERE state = 'baselined'")" 4
fi

# ---- resume: SIGTERM to a fleet apply midway, then the same command again ----
# Target 2's 0004 runs a long statement (its knob); the signal is sent once
# target 1 is done and target 2 has recorded 0003, so 0004 is under way.
mkdir res && cd res
make_project 3
if sqlite; then
	printf -- '-- migrate:up\nCREATE TABLE t4 (id INTEGER);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT n FROM knob)) SELECT count(*) FROM c;\n-- migrate:down\nDROP TABLE t4;\n' >db/migrations/0004_slow.sql
	for i in 1 2 3 4; do
		sqlite3 r$i.db "CREATE TABLE knob (n INTEGER); INSERT INTO knob VALUES ($([ $i = 2 ] && echo 4000000000 || echo 1))"
		echo "sqlite:r$i.db" >>fleet.txt
	done
	TARGETS=(--fleet fleet.txt)
	rq() { sqlite3 -batch -init /dev/null "r$1.db" "$2"; }
else
	printf -- '-- migrate:up\nCREATE TABLE t4 (id INTEGER);\nSELECT pg_sleep((SELECT n FROM knob));\n-- migrate:down\nDROP TABLE t4;\n' >db/migrations/0004_slow.sql
	for i in 1 2 3 4; do
		q res "CREATE SCHEMA r_$i; CREATE TABLE r_$i.knob (n INTEGER); INSERT INTO r_$i.knob VALUES ($([ $i = 2 ] && echo 600 || echo 0))" >/dev/null
	done
	TARGETS=(--db "$(db_url res)" --each-schema 'r_*')
	rq() { q res "SET search_path TO r_$1; $2"; }
fi
set +e
"$STRATA" apply "${TARGETS[@]}" --jobs 1 >"$T/out" 2>"$T/err" &
pid=$!
set -e
for _ in $(seq 1 600); do
	[ "$(rq 1 "SELECT count(*) FROM strata_ledger" 2>/dev/null)" = 4 ] &&
		[ "$(rq 2 "SELECT count(*) FROM strata_ledger" 2>/dev/null)" = 3 ] && break
	sleep 0.1
done
sleep 0.3
kill -TERM $pid
set +e
wait $pid
rc=$?
set -e
check "SIGTERM to the fleet: exit 143" rc_is 143
check "the done target is ok in the table" grep -qE "^(sqlite:r1.db|r_1) +ok +4 applied" "$T/out"
check "the target under way is interrupted" grep -qE "^(sqlite:r2.db|r_2) +interrupted" "$T/out"
check "the targets not started are not run" grep -qE "^(sqlite:r4.db|r_4) +not run" "$T/out"
check "target 2 kept its 3 migrations, nothing of 0004" eq "$(rq 2 "SELECT count(*) FROM strata_ledger")/$(rq 2 "SELECT count(*) FROM schema_migrations")" 3/3
check "targets 3 and 4 untouched" eq "$(rq 3 "SELECT count(*) FROM knob")$(rq 4 "SELECT count(*) FROM knob")" 11
rq 2 "UPDATE knob SET n = $(pick 1 0)" >/dev/null
run apply "${TARGETS[@]}" --jobs 2
check "the rerun: exit 0" rc_is 0
check "the rerun: target 1 is a no-op" grep -qE "^(sqlite:r1.db|r_1) +ok +0 applied" "$T/out"
for i in 1 2 3 4; do
	check "target $i: every migration recorded exactly once" \
		eq "$(rq $i "SELECT count(*), count(DISTINCT id) FROM strata_ledger WHERE state = 'applied'")/$(rq $i "SELECT count(*), count(DISTINCT version) FROM schema_migrations")" "4|4/4|4"
done
done_testing
