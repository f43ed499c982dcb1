#!/usr/bin/env bash
# The drizzle source (plugins/drizzle) and its tracker
# (formats/trackers/drizzle.yaml) without the real tool: hand-written
# drizzle-kit folders.  Statement breakpoints split as drizzle-orm splits,
# the journal's errors at file:line with the database untouched, rollback
# refused, status, baseline, drizzle's watermark, strata init.
# (tests/interop/drizzle/interop.sh runs the real drizzle-kit.)
. "$SRC/tests/integration/lib.sh"

DT=$(pick __drizzle_migrations drizzle.__drizzle_migrations)
W0=1700000000000 W1=1700000001000 W2=1700000002000
# journal DIR TAG:WHEN…: DIR/meta/_journal.json as drizzle-kit writes it.
journal() {
	local dir=$1 i=0 e sep=
	shift
	mkdir -p "$dir/meta"
	{
		printf '{\n  "version": "7",\n  "dialect": "%s",\n  "entries": [' "$(pick sqlite postgresql)"
		for e in "$@"; do
			printf '%s\n    {\n      "idx": %d,\n      "version": "%s",\n      "when": %s,\n      "tag": "%s",\n      "breakpoints": true\n    }' \
				"$sep" "$i" "$(pick 6 7)" "${e#*:}" "${e%%:*}"
			sep=, i=$((i + 1))
		done
		printf '\n  ]\n}'
	} >"$dir/meta/_journal.json"
}
surl() { if sqlite; then echo "sqlite:$T/$1.db"; else db_url "$1"; fi; }
# project NAME: NAME/strata.yaml on database NAME, NAME/drizzle with three
# migrations: 0000 split at breakpoints in every way drizzle-orm splits,
# 0001 and 0002 plain.
project() {
	mkdir -p "$1/drizzle"
	cat >"$1/strata.yaml" <<YAML
database: $(surl "$1")
sources:
  - name: app
    format: drizzle
    path: drizzle
YAML
	# A piece without ';', a breakpoint right after ';' on the same line, a
	# piece of nothing but a comment, a last piece without ';' or newline.
	printf 'CREATE TABLE a (id integer)\n--> statement-breakpoint\nCREATE TABLE b (id integer);--> statement-breakpoint\n-- only a comment\n--> statement-breakpoint\nINSERT INTO a VALUES (1)' \
		>"$1/drizzle/0000_split.sql"
	printf 'CREATE TABLE c (id integer);\n--> statement-breakpoint\nINSERT INTO c VALUES (1);\n' >"$1/drizzle/0001_c.sql"
	printf 'CREATE TABLE d (id integer);\n' >"$1/drizzle/0002_d.sql"
	journal "$1/drizzle" 0000_split:$W0 0001_c:$W1 0002_d:$W2
}
sr() { local p=$1; shift; run -C "$T/$p" "$@"; }
rows() { qlist "$1" "SELECT hash || '@' || CAST(created_at AS TEXT) FROM $DT ORDER BY created_at"; }
sum() { sha256sum <"$T/$1/drizzle/$2.sql" | cut -c1-64; }
jline() { grep -n -- "$2" "$T/$1/drizzle/meta/_journal.json" | head -1 | cut -d: -f1; }

# ---------------------------------------------------------------- status, apply
project s
sr s status
check "status before apply: exit 3 (pending)" rc_is 3
check "status: 3 pending" out_has "3 migrations: 3 pending"
check "status: version is the tag, name after its '_'" grep -qE '^app:0000_split +pending +split$' "$T/out"
check "status wrote no database" eval '! db_used s'
sr s apply
check "apply exits 0" rc_is 0
check "apply: 3 applied" out_has "3 migrations applied"
check "breakpoint pieces ran as statements: a, b, c, d" eq "$(has_table s a b c d)" 4
check "the last piece (no ';', no newline) ran" eq "$(q s "SELECT count(*) FROM a")" 1
check "tracker rows: sha256 of each whole file @ its when" eq "$(rows s)" "$(sum s 0000_split)@$W0,$(sum s 0001_c)@$W1,$(sum s 0002_d)@$W2"
if pg; then
	check "pg: the table is in schema drizzle" eq "$(q s "SELECT table_schema FROM information_schema.tables WHERE table_name = '__drizzle_migrations'")" drizzle
	check "pg: ids 1, 2, 3 (serial)" eq "$(qlist s "SELECT id FROM $DT ORDER BY id")" "1,2,3"
else
	check "sqlite: drizzle-orm's DDL, byte for byte" eq "$(q s "SELECT sql FROM sqlite_master WHERE name = '__drizzle_migrations'")" "$(printf 'CREATE TABLE "__drizzle_migrations" (\n\t\t\t\tid SERIAL PRIMARY KEY,\n\t\t\t\thash text NOT NULL,\n\t\t\t\tcreated_at numeric\n\t\t\t)')"
	check "sqlite: ids NULL, as drizzle's (SERIAL is no rowid alias)" eq "$(q s "SELECT count(*) FROM $DT WHERE id IS NULL")" 3
fi
sr s status
check "status after apply: exit 0" rc_is 0
check "status: 3 applied" out_has "3 migrations: 3 applied"
sr s --json status
check "--json: checksum = drizzle's hash" eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["migrations"][1]["checksum"])' "$T/out")" "$(sum s 0001_c)"

# ---------------------------------------------------------------- a statement that fails
project f
printf 'INSERT INTO nope VALUES (1)\n--> statement-breakpoint\n' >"$T/f/drizzle/0001_c.sql"
printf 'CREATE TABLE c (id integer);\n--> statement-breakpoint\n\nINSERT INTO nope VALUES (1);\n' >"$T/f/drizzle/0001_c.sql"
sr f apply
check "a failing piece: apply exits non-zero" eval '[ "$rc" -ne 0 ]'
check "the error names the piece's file:line" err_has "drizzle/0001_c.sql:4:"
check "the first migration stays applied, the failed one left no row" eq "$(rows f)" "$(sum f 0000_split)@$W0"
check "the failed migration's table rolled back" eq "$(has_table f c)" 0

# ---------------------------------------------------------------- rollback refused
before=$(rows s)
sr s rollback
check "rollback exits 1" rc_is 1
check "rollback refused with the ways forward" err_is "strata: error: drizzle/0002_d.sql:1: app:0002_d: drizzle-kit writes no down scripts; nothing was rolled back (hint: undo it with a new migration (drizzle-kit generate), or undo it by hand and record that with \`strata mark ID --rolled-back\`)"
check "rollback changed no row" eq "$(rows s)" "$before"
check "rollback dropped no table" eq "$(has_table s d)" 1
sr s mark app:0002_d --rolled-back
check "mark --rolled-back exits 0" rc_is 0
check "mark --rolled-back deletes drizzle's row" eq "$(rows s)" "$(sum s 0000_split)@$W0,$(sum s 0001_c)@$W1"
sr s status
check "then status: exit 3" rc_is 3
check "then status: 0002_d rolled back" grep -qE '^app:0002_d +rolled_back' "$T/out"

# ---------------------------------------------------------------- modified
printf -- '-- edited\n' >>"$T/s/drizzle/0001_c.sql"
sr s status
check "an edited file: status exit 4" rc_is 4
check "it reads modified" grep -qE '^app:0001_c +modified' "$T/out"
check "the warning names the file and table" err_has "strata: warning: drizzle/0001_c.sql: modified after it was applied: its checksum differs from the one recorded in $DT"

# ---------------------------------------------------------------- drizzle's watermark
# drizzle-orm reads only the newest created_at: every file whose when is at
# most that one counts as applied, with a row or not.
project w
sr w status
q w "CREATE SCHEMA IF NOT EXISTS drizzle" 2>/dev/null || true
if sqlite; then
	q w "CREATE TABLE \"__drizzle_migrations\" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)"
else
	q w "CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)"
fi
q w "INSERT INTO $DT (hash, created_at) VALUES ('$(sum w 0001_c)', $W1)"
sr w status
check "watermark: status exit 3 (one pending)" rc_is 3
check "watermark: 0000 applied without a row of its own" grep -qE '^app:0000_split +applied' "$T/out"
check "watermark: 0001 applied" grep -qE '^app:0001_c +applied' "$T/out"
check "watermark: 0002 (later when) pending" grep -qE '^app:0002_d +pending' "$T/out"
q w "CREATE TABLE a (id integer); CREATE TABLE b (id integer); CREATE TABLE c (id integer)"
sr w apply
check "watermark: apply runs only 0002" out_has "1 migration applied"
check "watermark: its row added" eq "$(rows w)" "$(sum w 0001_c)@$W1,$(sum w 0002_d)@$W2"
q w "INSERT INTO $DT (hash, created_at) VALUES ('x', 1600000000000)"
sr w status
check "a row no entry has: missing" grep -qE '^app:1600000000000 +missing' "$T/out"

# ---------------------------------------------------------------- baseline
project b
q b "CREATE TABLE a (id integer); CREATE TABLE b (id integer); CREATE TABLE c (id integer); CREATE TABLE d (id integer)"
sr b baseline
check "baseline exits 0" rc_is 0
check "baseline writes drizzle's rows" eq "$(rows b)" "$(sum b 0000_split)@$W0,$(sum b 0001_c)@$W1,$(sum b 0002_d)@$W2"
check "baseline ran nothing" eq "$(q b "SELECT count(*) FROM a")" 0

# ---------------------------------------------------------------- bad journals
bad() { # NAME: a project whose first command must fail and leave no database
	project "$1"
}
untouched() { eval '! db_used "$1"' && eq "$(has_table "$1" __drizzle_migrations)" 0; }
bad j1
python3 - "$T/j1/drizzle/meta/_journal.json" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace('"tag": "0001_c",', '"tag": "0001_c"', 1)
open(p, "w").write(s)
PY
sr j1 apply
check "bad JSON: apply exits 1" rc_is 1
check "bad JSON: one line at the journal's line:col" err_is "strata: error: drizzle/meta/_journal.json:$(( $(jline j1 '"tag": "0001_c"') + 1 )):6: not valid JSON: object value separator ',' expected (hint: fix the JSON by hand, or regenerate the folder with drizzle-kit generate)"
check "bad JSON: database untouched" untouched j1

bad j2
rm "$T/j2/drizzle/0001_c.sql"
sr j2 apply
check "entry without its file: exit 1" rc_is 1
check "entry without its file: at the entry's line" err_is "strata: error: drizzle/meta/_journal.json:$(( $(jline j2 '"idx": 1') - 1 )): journal entry '0001_c' has no file 0001_c.sql (hint: restore the file, or remove its entry from the journal (drizzle-orm's migrate fails on it too))"
check "entry without its file: database untouched" untouched j2

bad j3
printf 'CREATE TABLE z (id integer);\n' >"$T/j3/drizzle/0003_stray.sql"
sr j3 apply
check "a .sql not in the journal: exit 1" rc_is 1
check "a .sql not in the journal: one line at it" err_is "strata: error: drizzle/0003_stray.sql:1: 0003_stray.sql is not in meta/_journal.json: drizzle-orm's migrate never runs it (hint: add it with drizzle-kit generate --custom (which writes its journal entry), or move it out of the folder)"
check "a .sql not in the journal: database untouched" untouched j3

bad j4
sed -i 's/"tag": "0002_d",/"name": "0002_d",/' "$T/j4/drizzle/meta/_journal.json"
sr j4 status
check "entry without tag: exit 1" rc_is 1
check "entry without tag: at its line" err_is "strata: error: drizzle/meta/_journal.json:$(( $(jline j4 '"idx": 2') - 1 )): a journal entry has no string \"tag\" (hint: each entry needs \"tag\": \"NNNN_name\" (its file NNNN_name.sql))"

bad j5
sed -i "s/\"when\": $W1,/\"when\": \"soon\",/" "$T/j5/drizzle/meta/_journal.json"
sr j5 apply
check "entry with a text when: exit 1" rc_is 1
check "entry with a text when: at its line" err_has "drizzle/meta/_journal.json:$(( $(jline j5 '"idx": 1') - 1 )): journal entry '0001_c' has no \"when\" (milliseconds)"
check "entry with a text when: database untouched" untouched j5

bad j6
rm "$T/j6/drizzle/meta/_journal.json"
sr j6 apply
check "no journal: exit 1" rc_is 1
check "no journal: one line" err_is "strata: error: drizzle/meta/_journal.json: no such file: not a drizzle-kit migrations folder (hint: point the source's path at drizzle-kit's out folder (drizzle by default))"

bad j7
printf '{"entries": [' >"$T/j7/drizzle/meta/_journal.json"
sr j7 apply
check "truncated journal: exit 1" rc_is 1
check "truncated journal: at its end" err_has "drizzle/meta/_journal.json:1:13: not valid JSON"
check "truncated journal: database untouched" untouched j7

# A when not later than the one before: drizzle would skip it for good.
project o
journal "$T/o/drizzle" 0000_split:$W1 0001_c:$W0 0002_d:$W2
sr o status
check "out-of-order whens: status still works (exit 3)" rc_is 3
check "out-of-order whens: one warning at the entry" err_is "strata: warning: drizzle/meta/_journal.json:$(( $(jline o '"idx": 1') - 1 )): entry '0001_c' has \"when\" $W0, not later than '0000_split' before it: drizzle-orm's migrate skips it once that one is applied"

# ---------------------------------------------------------------- strata init
mkdir -p "$T/in"
cp -r "$T/s/drizzle" "$T/in/drizzle"
sr in init
check "init exits 0" rc_is 0
check "init finds the drizzle folder" out_has "found drizzle history (source 'drizzle')"
check "init writes format: drizzle" grep -qxF "    format: drizzle" "$T/in/strata.yaml"

done_testing
