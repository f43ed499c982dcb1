#!/usr/bin/env bash
# Plugin ABI compatibility: plugins built against older plugin.h headers
# (frozen copies in tests/plugin/abi/v1, abi/v2 and abi/v3) still load and work with
# today's strata, and malformed descriptors are refused naming the file while
# the other plugins keep working.  The fixtures (tests/plugin/abi/*.c, built
# by tests/plugin/meson.build) are the only .so files in $ABI_PLUGINS:
#   abiv1.so     v1 header: linear source "abiv1" + tracker table abiv1_log
#   abiv2.so     v2 header: graph source "abiv2" (a merge; tip is up_blocked),
#                descriptors of exactly the v2 size on the stack
#   abiv3.so     v3 header: driver "abiv3:" (SQLite underneath) whose table
#                ends before `cancel` (driver version 3)
#   abismall.so  descriptor whose struct_size ends before `name`
#   abiwrong.so  descriptor for plugin ABI 99
# SQLite only: the subject is the plugin boundary, not the database.
. "$SRC/tests/integration/lib.sh"
: "${ABI_PLUGINS:?ABI_PLUGINS must name the build folder of the ABI fixture plugins}"
if ! sqlite; then
	echo "Bail out! abi.sh runs on SQLite only"
	exit 1
fi
for f in abiv1 abiv2 abiv3 abismall abiwrong; do
	[ -f "$ABI_PLUGINS/$f.so" ] || { echo "Bail out! $ABI_PLUGINS/$f.so is not built"; exit 1; }
done
export STRATA_PLUGIN_PATH=$ABI_PLUGINS # after lib.sh, which unsets it

# The loader's refusals (core/loader.c open_one()), printed by every command
# since the user's plugin folders are always loaded whole, in name order.
W_SMALL="strata: warning: $ABI_PLUGINS/abismall.so: descriptor is too small or has no name/version"
W_WRONG="strata: warning: $ABI_PLUGINS/abiwrong.so: built for plugin ABI 99; this strata speaks ABI 1"
E_TIP="strata: error: v2/tip:3: abiv2:tip: upgrade() builds its SQL in a loop (hint: write the SQL by hand)"

# Multi-line comparisons take one argument per expected line (so that check's
# "# condition:" stays on one TAP line) and print both sides as comments.
same() {
	[ "$1" = "$2" ] && return 0
	echo "# expected:"; printf '%s\n' "$2" | sed 's/^/#   /'
	echo "# got:"; printf '%s\n' "$1" | sed 's/^/#   /'
	false
}
# stdout without the timings: "applied X name (3 ms)" -> "applied X name".
out_lines() { sed -E 's/ \([0-9]+ ms\)$//' "$T/out"; }
out_is() { same "$(out_lines)" "$(printf '%s\n' "$@")"; }
err_are() { same "$(cat "$T/err")" "$(printf '%s\n' "$@")"; }
# The ids of `ledger` / `status` rows (lines that start with SOURCE:VERSION), joined by ','.
out_ids() { awk '$1 ~ /^abiv[12]:/ {print $1}' "$T/out" | paste -sd, -; }
ledger_rows() { qlist app "SELECT id || '=' || state FROM strata_ledger ORDER BY id"; }
log_rows() { qlist "${1:-app}" "SELECT version || '=' || state FROM abiv1_log ORDER BY version"; }
line() { printf '%-10s %-8s %-22s %s' "$@"; }
# In `ledger` output: left and right before merge, merge before tip.
pos() { out_ids | tr , '\n' | grep -nxF "$1" | cut -d: -f1; }
merge_after_parents() {
	local l r m t
	l=$(pos abiv2:left) r=$(pos abiv2:right) m=$(pos abiv2:merge) t=$(pos abiv2:tip)
	[ -n "$l" ] && [ -n "$r" ] && [ -n "$m" ] && [ -n "$t" ] && [ "$l" -lt "$m" ] && [ "$r" -lt "$m" ] && [ "$m" -lt "$t" ]
}

# ---- loading -----------------------------------------------------------------
run plugins
check "plugins: exit 0 beside refused files" rc_is 0
check "plugins: abiv1 (v1 header) listed as source and tracker" \
	grep -qxF -- "$(line abiv1 1.0 source,tracker "$ABI_PLUGINS/abiv1.so")  [abiv1]" "$T/out"
check "plugins: abiv2 (v2 header) listed as source" \
	grep -qxF -- "$(line abiv2 2.0 source "$ABI_PLUGINS/abiv2.so")  [abiv2]" "$T/out"
check "plugins: abiv3 (v3 header) listed as driver" \
	grep -qxF -- "$(line abiv3 3.0 driver "$ABI_PLUGINS/abiv3.so")  [abiv3]" "$T/out"
check "plugins: abismall.so listed as refused, with the reason" \
	grep -qxF -- "$(line - - - "$ABI_PLUGINS/abismall.so") (refused: descriptor is too small or has no name/version)" "$T/out"
check "plugins: abiwrong.so listed as refused, with both ABI numbers" \
	grep -qxF -- "$(line - - - "$ABI_PLUGINS/abiwrong.so") (refused: built for plugin ABI 99; this strata speaks ABI 1)" "$T/out"
check "plugins: neither refused plugin serves its format" bash -c "! grep -qE '\[abismall\]|\[abiwrong\]' '$T/out'"
check "plugins: strata's own plugins still listed" \
	grep -qE '^sqlite +0\.1\.0 +driver +.*/sqlite\.so  \[sqlite,file\]$' "$T/out"
check "plugins: stderr is exactly the two refusals, each naming its file" err_are "$W_SMALL" "$W_WRONG"
run --json plugins
check "--json plugins: exit 0" rc_is 0
cat >"$T/plugins_json.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = {x["file"].rsplit("/", 1)[1]: x for x in d["plugins"] if x["file"].startswith(sys.argv[2] + "/")}
assert sorted(p) == ["abismall.so", "abiv1.so", "abiv2.so", "abiv3.so", "abiwrong.so"], sorted(p)
assert (p["abiv3.so"]["name"], p["abiv3.so"]["roles"], p["abiv3.so"]["schemes"], p["abiv3.so"]["error"]) == ("abiv3", ["driver"], ["abiv3"], None), p["abiv3.so"]
assert (p["abiv1.so"]["name"], p["abiv1.so"]["roles"], p["abiv1.so"]["formats"], p["abiv1.so"]["error"]) == ("abiv1", ["source", "tracker"], ["abiv1"], None), p["abiv1.so"]
assert (p["abiv2.so"]["name"], p["abiv2.so"]["roles"], p["abiv2.so"]["formats"], p["abiv2.so"]["error"]) == ("abiv2", ["source"], ["abiv2"], None), p["abiv2.so"]
assert (p["abismall.so"]["name"], p["abismall.so"]["roles"]) == (None, []), p["abismall.so"]
assert p["abismall.so"]["error"] == "descriptor is too small or has no name/version", p["abismall.so"]
assert (p["abiwrong.so"]["name"], p["abiwrong.so"]["roles"]) == (None, []), p["abiwrong.so"]
assert p["abiwrong.so"]["error"] == "built for plugin ABI 99; this strata speaks ABI 1", p["abiwrong.so"]
PY
check "--json plugins: roles, formats and the refusals" python3 "$T/plugins_json.py" "$T/out" "$ABI_PLUGINS"

# ---- a project with both old-ABI sources ----------------------------------------
mkdir -p v1 v2
cat >strata.yaml <<YAML
database: $(db_url app)
sources:
  - name: abiv1
    format: abiv1
    path: v1
  - name: abiv2
    format: abiv2
    path: v2
YAML

run ledger
check "ledger: exit 0" rc_is 0
# abiv2 hands over tip, merge, right, left, base: the order is the host's.
check "ledger: ids in order (linear v1 by version, v2 graph parents first)" eq "$(out_ids)" \
	"abiv1:1,abiv1:2,abiv1:3,abiv2:base,abiv2:right,abiv2:left,abiv2:merge,abiv2:tip"
check "ledger: the merge comes after both of its parents, the tip after the merge" merge_after_parents
check "ledger: the up_blocked (v2 field) migration is marked untranslatable" \
	grep -qE '^abiv2:tip +[0-9a-f]{12} +tip  \(untranslatable\)$' "$T/out"
check "ledger: v1 migrations carry their names" grep -qE '^abiv1:2 +[0-9a-f]{12} +seed abiv1_a$' "$T/out"
check "ledger: last line counts all eight" eq "$(tail -n 1 "$T/out")" "8 migrations"
check "ledger: stderr is only the two refusals" err_are "$W_SMALL" "$W_WRONG"

run status
check "status before apply: exit 3 (pending)" rc_is 3
check "status before apply: all eight pending" eq "$(tail -n 1 "$T/out")" "8 migrations: 8 pending"
check "status before apply: nothing created" eq "$(has_table app strata_ledger abiv1_log)" 0

run apply
check "apply: stops before the blocked migration, exit 1" rc_is 1
check "apply: applies every runnable migration, in ledger order" out_is "applied abiv1:1 create abiv1_a" \
	"applied abiv1:2 seed abiv1_a" \
	"applied abiv1:3 create abiv1_b" \
	"applied abiv2:base base" \
	"applied abiv2:right right" \
	"applied abiv2:left left" \
	"applied abiv2:merge merge"
check "apply: the error line names the blocked migration, its line, reason and hint" err_are "$W_SMALL" "$W_WRONG" "$E_TIP"
check "apply: strata_ledger rows" eq "$(ledger_rows)" \
	"abiv1:1=applied,abiv1:2=applied,abiv1:3=applied,abiv2:base=applied,abiv2:left=applied,abiv2:merge=applied,abiv2:right=applied"
check "apply: no row for the blocked migration" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE id = 'abiv2:tip'")" 0
check "apply: the v1 tracker recorded each of its migrations (bound \$1 \$2)" eq "$(log_rows)" "1=applied,2=applied,3=applied"
check "apply: the schema the scripts describe" eq "$(tables app)" \
	"abiv1_a,abiv1_b,abiv1_log,abiv2_base,abiv2_left,abiv2_merge,abiv2_right"
check "apply: v1 seed rows" eq "$(qlist app "SELECT id FROM abiv1_a ORDER BY id")" "1,2"

run status
check "status after apply: exit 3 (the blocked one is pending)" rc_is 3
check "status after apply: every row" out_is "database: sqlite:app.db" \
	"abiv1:1      applied      create abiv1_a" \
	"abiv1:2      applied      seed abiv1_a" \
	"abiv1:3      applied      create abiv1_b" \
	"abiv2:base   applied      base" \
	"abiv2:right  applied      right" \
	"abiv2:left   applied      left" \
	"abiv2:merge  applied      merge" \
	"abiv2:tip    pending      tip  (untranslatable)" \
	"8 migrations: 1 pending, 7 applied"
check "status after apply: stderr is only the two refusals" err_are "$W_SMALL" "$W_WRONG"

run apply
check "apply again: still stops before the blocked migration, exit 1" rc_is 1
check "apply again: nothing to run before it" out_is ""
check "apply again: same error line" err_are "$W_SMALL" "$W_WRONG" "$E_TIP"
check "apply again: strata_ledger unchanged" eq "$(q app "SELECT count(*) FROM strata_ledger WHERE state = 'applied'")" 7

# ---- rollback ------------------------------------------------------------------
# A v2 descriptor has no `dependencies`: every parent is lineage, so the merge
# descends from right (its last parent) and `rollback --to right` undoes it.
# A host that reads `dependencies` (version 3) from it reads past its end:
# under ASan a stack-buffer-overflow at the first add_migration() of abiv2
# (so every command that scans abiv2 dies); without ASan whatever follows the
# descriptor (abiv2 puts a 1 after the merge's) makes parents dependencies
# only, and these rollbacks undo less than they must.
run rollback --to abiv2:right
check "rollback --to abiv2:right: exit 0" rc_is 0
check "rollback --to abiv2:right: undoes the merge (both parents are lineage in a v2 descriptor)" \
	out_is "rolled back abiv2:merge merge" \
	"1 migration rolled back"
check "rollback --to abiv2:right: merge's down script ran" eq "$(has_table app abiv2_merge)" 0
check "rollback --to abiv2:right: merge rolled_back in strata_ledger" \
	eq "$(q app "SELECT state FROM strata_ledger WHERE id = 'abiv2:merge'")" rolled_back
check "rollback --to abiv2:right: its parents stay" eq "$(has_table app abiv2_base abiv2_left abiv2_right)" 3

run rollback --to abiv2:base
check "rollback --to abiv2:base: exit 0" rc_is 0
check "rollback --to abiv2:base: undoes left and right, newest first" out_is "rolled back abiv2:left left" \
	"rolled back abiv2:right right" \
	"2 migrations rolled back"
check "rollback --to abiv2:base: base stays" eq "$(tables app)" "abiv1_a,abiv1_b,abiv1_log,abiv2_base"

run rollback --to abiv1:1
check "rollback --to abiv1:1: exit 0" rc_is 0
check "rollback --to abiv1:1: the v1 down scripts run newest first" \
	eq "$(out_lines | grep abiv1: | paste -sd, -)" "rolled back abiv1:3 create abiv1_b,rolled back abiv1:2 seed abiv1_a"
check "rollback --to abiv1:1: abiv1_b dropped, abiv1_a emptied" eq "$(tables app)" "abiv1_a,abiv1_log"
check "rollback --to abiv1:1: abiv1_a has no rows" eq "$(q app "SELECT count(*) FROM abiv1_a")" 0
check "rollback --to abiv1:1: strata_ledger rows" eq "$(ledger_rows)" \
	"abiv1:1=applied,abiv1:2=rolled_back,abiv1:3=rolled_back,abiv2:base=rolled_back,abiv2:left=rolled_back,abiv2:merge=rolled_back,abiv2:right=rolled_back"
check "rollback --to abiv1:1: the v1 tracker recorded the rollbacks" eq "$(log_rows)" "1=applied,2=rolled_back,3=rolled_back"
check "rollback --to abiv1:1: stderr is only the two refusals" err_are "$W_SMALL" "$W_WRONG"

run rollback
check "rollback: exit 0" rc_is 0
check "rollback: the v1 migration's down script" out_is "rolled back abiv1:1 create abiv1_a" \
	"1 migration rolled back"
check "rollback: its table is gone" eq "$(tables app)" "abiv1_log"
check "rollback: the v1 tracker recorded it" eq "$(log_rows)" "1=rolled_back,2=rolled_back,3=rolled_back"

run status
check "status after rollback: exit 3" rc_is 3
check "status after rollback: summary" eq "$(tail -n 1 "$T/out")" "8 migrations: 1 pending, 7 rolled_back"

run apply
check "apply after rollback: exit 1 at the blocked migration" rc_is 1
check "apply after rollback: the same seven again" eq "$(out_lines | sed 's/^applied \([^ ]*\).*/\1/' | paste -sd, -)" \
	"abiv1:1,abiv1:2,abiv1:3,abiv2:base,abiv2:right,abiv2:left,abiv2:merge"
check "apply after rollback: same error line" err_are "$W_SMALL" "$W_WRONG" "$E_TIP"
check "apply after rollback: the v1 tracker agrees" eq "$(log_rows)" "1=applied,2=applied,3=applied"

# ---- the v1 tracker's rows, read back through host->track_row() ----------------
# A database where the native tool (abiv1_log) applied 1 and 2 and strata never
# ran: strata must take those rows as applied and run only 3.
mkdir -p native/v1
cd native
printf 'database: %s\nsources:\n  - name: abiv1\n    format: abiv1\n    path: v1\n' "$(db_url native)" >strata.yaml
q native "CREATE TABLE abiv1_a (id INTEGER PRIMARY KEY); INSERT INTO abiv1_a VALUES (1), (2);
          CREATE TABLE abiv1_log (version TEXT PRIMARY KEY, state TEXT NOT NULL);
          INSERT INTO abiv1_log VALUES ('1', 'applied'), ('2', 'applied');"
run status
check "native rows: status exit 3" rc_is 3
check "native rows: 1 and 2 applied (native tracker), 3 pending" out_is "database: sqlite:native.db" \
	"abiv1:1  applied      create abiv1_a  (native tracker)" \
	"abiv1:2  applied      seed abiv1_a  (native tracker)" \
	"abiv1:3  pending      create abiv1_b" \
	"3 migrations: 1 pending, 2 applied"
run apply
check "native rows: apply exit 0" rc_is 0
check "native rows: apply runs only 3" out_is "applied abiv1:3 create abiv1_b" \
	"1 migration applied to sqlite:native.db"
check "native rows: stderr is only the two refusals" err_are "$W_SMALL" "$W_WRONG"
check "native rows: strata_ledger has only what strata ran" \
	eq "$(qlist native "SELECT id || '=' || state FROM strata_ledger ORDER BY id")" "abiv1:3=applied"
check "native rows: abiv1_log" eq "$(log_rows native)" "1=applied,2=applied,3=applied"
check "native rows: seed rows not inserted twice" eq "$(qlist native "SELECT id FROM abiv1_a ORDER BY id")" "1,2"
run rollback
check "native rows: rollback exit 0" rc_is 0
check "native rows: rollback undoes 3" out_is "rolled back abiv1:3 create abiv1_b" \
	"1 migration rolled back"
check "native rows: abiv1_b gone" eq "$(tables native)" "abiv1_a,abiv1_log"
check "native rows: abiv1_log after rollback" eq "$(log_rows native)" "1=applied,2=applied,3=rolled_back"
cd "$T"
# ---- a driver without cancel (v3 header) --------------------------------------
# The host reads `cancel` only where STRATA_HAS() says the table holds it
# (under ASan a read past the end of abiv3's table is a global-buffer-
# overflow).  Without it a signal takes effect when the script ends: the
# migration's transaction is rolled back all the same.
mkdir -p d3/m
printf 'sources:\n  - name: app\n    format: sqlpair\n    path: m\n    layout: golang-migrate\n' >d3/strata.yaml
printf 'CREATE TABLE first (n INTEGER);\n' >d3/m/001_first.up.sql
printf 'CREATE TABLE side (n INTEGER);\nINSERT INTO side VALUES (1);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT n FROM knob)) SELECT count(*) FROM c;\n' \
	>d3/m/002_slow.up.sql
sqlite3 d3/d3.db "CREATE TABLE knob (n INTEGER); INSERT INTO knob VALUES (6000000);"
running_002() {
	for _ in $(seq 1 600); do
		if [ "$(sqlite3 -init /dev/null d3/d3.db "SELECT count(*) FROM strata_ledger WHERE id = 'app:001' AND state = 'applied'" 2>/dev/null)" = 1 ] &&
			! sqlite3 -init /dev/null d3/d3.db "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null; then
			return 0
		fi
		sleep 0.01
	done
	return 1
}
set -m
"$STRATA" -C d3 --db abiv3:d3.db apply >"$T/out" 2>"$T/err" &
bg=$!
set +m
check "abiv3: 002 is seen running" running_002
kill -INT "$bg"
set +e; wait "$bg"; rc=$?; set -e
check "abiv3: SIGINT exits 130 once the script ended" rc_is 130
check "abiv3: the one line (after the two refusals)" err_are "$W_SMALL" "$W_WRONG" \
	"strata: error: interrupted by SIGINT while applying app:002 (m/002_slow.up.sql); rolled back, nothing recorded"
check "abiv3: 002 not recorded, nothing of it left" eq \
	"$(sqlite3 d3/d3.db "SELECT group_concat(id || '=' || state) FROM strata_ledger") $(sqlite3 d3/d3.db "SELECT count(*) FROM sqlite_master WHERE name = 'side'")" \
	"app:001=applied 0"
run -C d3 --db abiv3:d3.db apply
check "abiv3: the next apply runs 002 once" eq "$rc $(sqlite3 d3/d3.db "SELECT count(*) FROM side")" "0 1"

# ---- verify's replay cache on a driver without the version-6 ops --------------
# The template tag is asked of the target's driver only where STRATA_HAS()
# says its table holds template_tag (under ASan, a read past the end of
# abiv3's table is a global-buffer-overflow); without it the key has no
# driver part, and the cache works on the SQLite scratch file all the same.
mkdir -p d4/m
printf 'sources:\n  - name: app\n    format: sqlpair\n    path: m\n    layout: golang-migrate\n' >d4/strata.yaml
printf 'CREATE TABLE first (n INTEGER);\n' >d4/m/001_first.up.sql
printf 'CREATE TABLE second (n INTEGER);\n' >d4/m/002_second.up.sql
export STRATA_TEMPLATE_DIR=$T/templates
run -C d4 --db abiv3:d4.db verify
check "abiv3: verify exits 0" eq "$rc $(tail -1 "$T/out")" "0 verified: 2 migrations apply cleanly in order on an empty database"
run -C d4 --db abiv3:d4.db verify
check "abiv3: verify again, from the template" eq "$rc $(grep -c '^replayed 0 migrations on a template of the first 2 ' "$T/out")" "0 1"
done_testing
