# File names and arguments with control characters, DEL, C1 and bytes that
# are not UTF-8: escaped in every message (\n, \r, \t, \x1b, \x7f, \xc2\x9b,
# \xe9), so one message is always one line and cannot forge a second
# "strata: error:" line or drive the terminal; valid UTF-8 passes as it is.
UPMARK="statements before the up marker (a line matching '^--[[:space:]]*migrate:up([[:space:]]|$)') (hint: move them below the up marker)"

# A second migration without its up marker, named $1: the source refuses it,
# naming the file.
bad_name() {
	make_project 1
	printf 'CREATE TABLE a (id INTEGER);\n' >"db/migrations/$1"
}

case_dir names-newline
bad_name $'0002_x\nstrata: error: forged.sql'
refused "newline in a file name" 1 "strata: error: db/migrations/0002_x\\nstrata: error: forged.sql:1: $UPMARK" apply

case_dir names-esc
bad_name $'0002_\e[31mred\e[0m.sql'
refused "ESC in a file name" 1 "strata: error: db/migrations/0002_\\x1b[31mred\\x1b[0m.sql:1: $UPMARK" status

case_dir names-cr
bad_name $'0002_x\rstrata: all good.sql'
refused "carriage return in a file name" 1 "strata: error: db/migrations/0002_x\\rstrata: all good.sql:1: $UPMARK" apply

case_dir names-tab
bad_name $'0002_a\tb.sql'
refused "tab in a file name" 1 "strata: error: db/migrations/0002_a\\tb.sql:1: $UPMARK" ledger

case_dir names-del
bad_name $'0002_x\x7fy.sql'
refused "DEL in a file name" 1 "strata: error: db/migrations/0002_x\\x7fy.sql:1: $UPMARK" apply

case_dir names-c1
bad_name $'0002_x\xc2\x9b2J.sql'
refused "C1 control (CSI) in a file name" 1 "strata: error: db/migrations/0002_x\\xc2\\x9b2J.sql:1: $UPMARK" apply

case_dir names-not-utf8
bad_name $'0002_caf\xe9.sql'
refused "a byte that is not UTF-8" 1 "strata: error: db/migrations/0002_caf\\xe9.sql:1: $UPMARK" apply

case_dir names-utf8
bad_name '0002_café_☃.sql'
refused "valid UTF-8 passes as it is" 1 "strata: error: db/migrations/0002_café_☃.sql:1: $UPMARK" apply

case_dir names-modified
make_project 1
printf -- '-- migrate:up\nCREATE TABLE a (id INTEGER);\n-- migrate:down\nDROP TABLE a;\n' >db/migrations/$'0002_a\nb.sql'
run apply
check "names-modified: set up (applied)" rc_is 0
printf -- '-- migrate:up\nCREATE TABLE a (id INTEGER, x INTEGER);\n-- migrate:down\nDROP TABLE a;\n' >db/migrations/$'0002_a\nb.sql'
refused "a modified file with a newline in its name" 4 "strata: error: db/migrations/0002_a\\nb.sql: app:0002 was modified after it was applied (checksum differs) (hint: restore the file, or record its new checksum with \`strata mark ID --applied\`)" apply

case_dir names-mark-id
make_project 1
run apply
check "names-mark-id: set up (applied)" rc_is 0
refused "an id argument with ESC" 2 "strata: error: no migration 'zz\\x1b[2J' in the ledger (hint: \`strata ledger\` lists the ids)" mark $'zz\e[2J' --applied

case_dir names-command
refused "an unknown command with ESC and a newline" 2 "strata: unknown command 'fr\\x1b[2J\\nob' (hint: see \`strata --help\`)" $'fr\e[2J\nob'

case_dir names-json
bad_name $'0002_x\nstrata: error: forged\e.sql'
refused "--json: the error is one JSON object" 1 '{"event": "error", "message": "statements before the up marker (a line matching '"'"'^--[[:space:]]*migrate:up([[:space:]]|$)'"'"')", "file": "db/migrations/0002_x\nstrata: error: forged\u001b.sql", "line": 1, "col": 0, "hint": "move them below the up marker", "exit": 1}' --json apply
check "--json: the error object parses" python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); sys.exit(0 if e["file"] == "db/migrations/0002_x\nstrata: error: forged\x1b.sql" else 1)' "$T/err"
