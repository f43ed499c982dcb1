#!/usr/bin/env bash
# dbmate's reading rules, as the REAL dbmate 2.36.0 applies them, against
# strata's reading of the same file (formats/layouts/dbmate.yaml).  TAP, on
# SQLite only.  Each case is one file, 001_x.sql, in a folder of its own:
# `dbmate up` runs on dm.db and `strata apply` on st.db; then the exit
# statuses, the tables and the rows of schema_migrations are compared, the
# same again after `dbmate rollback` / `strata rollback`.  Cases where strata
# deliberately differs assert both tools' behaviour (docs/dbmate.md).
. "$SRC/tests/interop/dbmate/lib.sh"

F=001_x.sql
# rule NAME TEXT: NAME/db/migrations/001_x.sql holds TEXT (printf %b).
rule() {
	R=$T/$1; C=$1
	mkdir -p "$R/db/migrations"
	printf '%b' "$2" >"$R/db/migrations/$F"
	printf 'database: sqlite:st.db\nsources:\n  - name: app\n    format: sqlpair\n    path: db/migrations\n    layout: dbmate\n' >"$R/strata.yaml"
}
# The schema of DB as .schema shows it, without strata's and dbmate's tables
# ('' if none), and its schema_migrations rows.
tabs() { [ -f "$R/$1" ] && sqlite3 "$R/$1" "SELECT group_concat(sql, '; ') FROM (SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'strata%' AND name NOT LIKE 'sqlite%' AND name <> 'schema_migrations' ORDER BY name)" || true; }
rows() { [ -f "$R/$1" ] && sqlite3 "$R/$1" "SELECT group_concat(version, ',') FROM (SELECT version FROM schema_migrations ORDER BY version)" 2>/dev/null || true; }
# step up|rollback: dbmate on dm.db ($drc, $T/dm.err), strata on st.db ($src_rc, $T/st.err).
step() {
	local verb=$1 sverb=$1
	[ "$verb" = up ] && sverb=apply
	dm "$R" "sqlite:$R/dm.db" "$verb"
	drc=$rc; cp "$T/err" "$T/dm.err"; cp "$T/out" "$T/dm.out"
	sr "$R" "$sverb"
	src_rc=$rc; cp "$T/err" "$T/st.err"
}
dm_err() { grep -qxF -- "$1" "$T/dm.err" || { echo "# dbmate stderr:"; sed 's/^/#   /' "$T/dm.err"; false; }; }
st_err() { grep -qxF -- "$1" "$T/st.err" || { echo "# strata stderr:"; sed 's/^/#   /' "$T/st.err"; false; }; }
# same VERB DBMATE_RC STRATA_RC TABLES ROWS: both tools did the same, and it is this.
same() {
	step "$1"
	check "$C: $1: dbmate exits $2" eq "$drc" "$2"
	check "$C: $1: strata exits $3" eq "$src_rc" "$3"
	check "$C: $1: dbmate's tables" eq "$(tabs dm.db)" "$4"
	check "$C: $1: strata's tables are dbmate's" eq "$(tabs st.db)" "$(tabs dm.db)"
	check "$C: $1: dbmate's schema_migrations rows" eq "$(rows dm.db)" "$5"
	check "$C: $1: strata's rows are dbmate's" eq "$(rows st.db)" "$(rows dm.db)"
}
A='CREATE TABLE a(x)'
B='CREATE TABLE b(x)'
NO_DOWN="Error: dbmate requires each migration to define a down block with '-- migrate:down'"
NO_UP="Error: dbmate requires each migration to define an up block with '-- migrate:up'"
BEFORE="Error: dbmate does not support statements preceding the '-- migrate:up' block"
NOTHING="Error: can't rollback: no migrations have been applied"
UPRE="'^--[[:space:]]*migrate:up([[:space:]]|\$)'"
ST_BEFORE() { echo "strata: error: db/migrations/$F:$1: statements before the up marker (a line matching $UPRE) (hint: move them below the up marker)"; }

# ---------------------------------------------------------------- markers
rule plain '-- migrate:up\ncreate table a(x);\n-- migrate:down\ndrop table a;\n'
same up 0 0 "$A" 001
same rollback 0 0 "" ""

# Only blank and comment lines may precede the up marker.
rule comments_first '-- a note\n\n   -- indented note\n-- migrate:up\ncreate table a(x);\n-- migrate:down\ndrop table a;\n'
same up 0 0 "$A" 001
same rollback 0 0 "" ""
rule text_first 'create table z(x);\n-- migrate:up\ncreate table a(x);\n-- migrate:down\ndrop table a;\n'
same up 2 1 "" ""
check "$C: dbmate's error" dm_err "$BEFORE"
check "$C: strata's error at the line" st_err "$(ST_BEFORE 1)"

# Marker order: a down marker above the up marker is one of those comment
# lines (down_before_up: comment); the statements under it are text before
# the up marker.
rule down_first '-- migrate:down\ndrop table a;\n-- migrate:up\ncreate table a(x);\n'
same up 2 1 "" ""
check "$C: dbmate's error" dm_err "$BEFORE"
check "$C: strata's error at the line" st_err "$(ST_BEFORE 2)"
rule stray_down '-- migrate:down\n-- migrate:up\ncreate table a(x);\n-- migrate:down\ndrop table a;\n'
same up 0 0 "$A" 001
same rollback 0 0 "" ""

# A file needs both markers; a second down marker is refused.
rule no_down '-- migrate:up\ncreate table a(x);\n'
same up 2 1 "" ""
check "$C: dbmate's error" dm_err "$NO_DOWN"
check "$C: strata's error" st_err "strata: error: db/migrations/$F: no down section (expected a line matching '^--[[:space:]]*migrate:down([[:space:]]|\$)') (hint: add the down marker line, even with nothing below it)"
rule two_downs '-- migrate:up\ncreate table a(x);\n-- migrate:down\ndrop table a;\n-- migrate:down\nselect 1;\n'
same up 2 1 "" ""
check "$C: dbmate's error" dm_err "Error: dbmate requires every '-- migrate:down' to be preceded by a '-- migrate:up'"
check "$C: strata's error at the line" st_err "strata: error: db/migrations/$F:5: second down marker (the first is on line 3) (hint: keep one down marker per file)"

# Spelling: "--", any blanks, lower-case migrate:up, then a blank or the end
# of the line; words after it are options (unknown ones ignored).
rule no_blank '--migrate:up\ncreate table a(x);\n--migrate:down\ndrop table a;\n'
same up 0 0 "$A" 001
same rollback 0 0 "" ""
rule blanks '--  \tmigrate:up\ncreate table a(x);\n--\tmigrate:down   \ndrop table a;\n'
same up 0 0 "$A" 001
same rollback 0 0 "" ""
rule trailing_words '-- migrate:up please\ncreate table a(x);\n-- migrate:down  now\ndrop table a;\n'
same up 0 0 "$A" 001
same rollback 0 0 "" ""
rule crlf '-- migrate:up\r\ncreate table a(x);\r\n-- migrate:down\r\ndrop table a;\r\n'
same up 0 0 "$A" 001
same rollback 0 0 "" ""
rule upper_case '-- Migrate:Up\ncreate table a(x);\n-- migrate:down\ndrop table a;\n'
same up 2 1 "" ""
check "$C: dbmate's error" dm_err "$NO_UP"
check "$C: strata's error at the line" st_err "$(ST_BEFORE 2)"
rule indented '  -- migrate:up\ncreate table a(x);\n-- migrate:down\ndrop table a;\n'
same up 2 1 "" ""
check "$C: dbmate's error" dm_err "$NO_UP"
check "$C: strata's error at the line" st_err "$(ST_BEFORE 2)"
rule glued '-- migrate:upgrade\ncreate table a(x);\n-- migrate:down\ndrop table a;\n'
same up 2 1 "" ""
check "$C: dbmate's error" dm_err "$NO_UP"
check "$C: strata's error at the line" st_err "$(ST_BEFORE 2)"
# dbmate's \s spans lines: "--" then "migrate:up" on the next line is its
# marker, and "migrate:up" then runs as SQL; strata refuses the file.
rule split_marker '--\nmigrate:up\ncreate table a(x);\n-- migrate:down\ndrop table a;\n'
same up 2 1 "" ""
check "$C: dbmate ran 'migrate:up' as SQL" dm_err 'Error: near "migrate": syntax error'
check "$C: strata's error at the line" st_err "$(ST_BEFORE 2)"

# ---------------------------------------------------------------- empty sections
# An empty up section: nothing runs, the row is written; its rollback runs the down.
rule empty_up '-- migrate:up\n-- migrate:down\ndrop table if exists a;\n'
same up 0 0 "" 001
check "$C: strata warns at the line" st_err "strata: warning: db/migrations/$F:2: empty migration"
same rollback 0 0 "" ""

# A down section with nothing, or nothing but comments: dbmate "rolls back"
# (runs nothing, deletes the row, the table stays); strata refuses at the
# file's line and changes nothing (deliberate).
for c in empty_down comment_down; do
	if [ $c = empty_down ]; then rule $c '-- migrate:up\ncreate table a(x);\n-- migrate:down\n'
	else rule $c '-- migrate:up\ncreate table a(x);\n-- migrate:down\n-- keep it\n\n'; fi
	same up 0 0 "$A" 001
	step rollback
	check "$C: rollback: dbmate exits 0" eq "$drc" 0
	check "$C: rollback: dbmate deleted the row" eq "$(rows dm.db)" ""
	check "$C: rollback: dbmate left the table" eq "$(tabs dm.db)" "$A"
	check "$C: rollback: strata refuses (exit 1)" eq "$src_rc" 1
	check "$C: rollback: strata's error at the line" st_err "strata: error: db/migrations/$F:4: app:001: its down script holds nothing but comments; nothing was rolled back (hint: write the statements that undo it, or record it with \`strata mark ID --rolled-back\` after undoing it by hand)"
	check "$C: rollback: strata kept the row and the table" eq "$(rows st.db)|$(tabs st.db)" "001|$A"
done

# ---------------------------------------------------------------- repeated up marker
# A second up marker before the down marker.  dbmate 2.36 cuts the file at
# every up marker into up/down pairs and refuses a pair without a down, so it
# never runs such a file; dbmate before 2.29 ran everything from the first
# marker to the down as the up script.  A history applied then keeps the
# file: 2.36 reads it as applied (status, up) and refuses to roll it back.
REP='-- migrate:up\ncreate table a(x);\n-- migrate:up\ncreate table b(x);\n-- migrate:down\ndrop table b;\ndrop table a;\n'
rule repeated_up "$REP"
step up
check "$C: dbmate 2.36 refuses to apply it (exit 2)" eq "$drc" 2
check "$C: dbmate's error" dm_err "$NO_DOWN"
check "$C: dbmate ran nothing" eq "$(tabs dm.db)|$(rows dm.db)" "|"
check "$C: strata applies it (exit 0)" eq "$src_rc" 0
check "$C: strata warns at the second marker" st_err "strata: warning: db/migrations/$F:3: second up marker (the first is on line 1) read as a line of the up script"
check "$C: strata ran both parts as one up script" eq "$(tabs st.db)|$(rows st.db)" "$A; $B|001"
# The history case: the file applied the way dbmate < 2.29 ran it (here:
# dbmate 2.36 applies it with the second marker spelled as a comment).
rule history "$REP"
sed -i '3s/.*/-- (migrate:up)/' "$R/db/migrations/$F"
dm "$R" "sqlite:$R/dm.db" up
check "$C: applied as dbmate < 2.29 ran it" eq "$rc|$(tabs dm.db)|$(rows dm.db)" "0|$A; $B|001"
printf '%b' "$REP" >"$R/db/migrations/$F"
cp "$R/dm.db" "$R/st.db"
dm "$R" "sqlite:$R/dm.db" status
check "$C: dbmate status: applied, exit 0" eq "$rc|$(cat "$T/out")" "0|[X] $F

Applied: 1
Pending: 0"
dm "$R" "sqlite:$R/dm.db" up
check "$C: dbmate up: nothing to do, exit 0" eq "$rc|$(cat "$T/out")" "0|"
sr "$R" status
check "$C: strata status: applied, exit 0" eq "$rc" 0
check "$C: strata status line" grep -qE "^app:001 +applied +x( |$)" "$T/out"
sr "$R" apply
check "$C: strata apply: nothing to do, exit 0" eq "$rc|$(rows st.db)" "0|001"
step rollback
check "$C: dbmate 2.36 refuses its rollback (exit 2)" eq "$drc" 2
check "$C: dbmate's rollback error" dm_err "$NO_DOWN"
check "$C: dbmate changed nothing" eq "$(tabs dm.db)|$(rows dm.db)" "$A; $B|001"
check "$C: strata rolls it back (exit 0)" eq "$src_rc" 0
check "$C: strata ran the down script" eq "$(tabs st.db)|$(rows st.db)" "|"

# Several up/down pairs in one file (dbmate's "multiple sections"): dbmate
# 2.36 runs the first pair and its row, then fails on the second pair's row
# (the same version twice) and stops half-way; strata refuses the file at
# the second up marker before anything runs (deliberate).
rule two_pairs '-- migrate:up\ncreate table a(x);\n-- migrate:down\ndrop table a;\n-- migrate:up\ncreate table b(x);\n-- migrate:down\ndrop table b;\n'
step up
check "$C: dbmate fails (exit 2)" eq "$drc" 2
check "$C: dbmate's error" dm_err "Error: UNIQUE constraint failed: schema_migrations.version"
check "$C: dbmate left the first pair applied" eq "$(tabs dm.db)|$(rows dm.db)" "$A|001"
check "$C: strata refuses (exit 1)" eq "$src_rc" 1
check "$C: strata's error at the line" st_err "strata: error: db/migrations/$F:5: up marker after the down marker on line 3 (hint: strata keeps one up and one down section per file: move this pair to a file of its own)"
check "$C: strata changed nothing" eq "$(tabs st.db)|$(rows st.db)" "|"

# ---------------------------------------------------------------- options
# transaction:false on the up marker: the up runs outside a transaction
# (VACUUM works only there) ...
rule notx_up '-- migrate:up transaction:false\ncreate table a(x);\nvacuum;\n-- migrate:down\ndrop table a;\n'
same up 0 0 "$A" 001
same rollback 0 0 "" ""
# ... and without it inside one: both fail, nothing recorded.
rule tx_up '-- migrate:up\ncreate table a(x);\nvacuum;\n-- migrate:down\ndrop table a;\n'
same up 2 1 "" ""
check "$C: dbmate's error" dm_err "Error: cannot VACUUM from within a transaction"
check "$C: strata's error at the line" st_err "strata: error: db/migrations/$F:3:1: cannot VACUUM from within a transaction"
# The down marker's option is the down script's own: transaction:false there
# runs the down outside a transaction ...
rule notx_down '-- migrate:up\ncreate table a(x);\n-- migrate:down transaction:false\ndrop table a;\nvacuum;\n'
same up 0 0 "$A" 001
same rollback 0 0 "" ""
# ... and an up without a transaction does not take the down out of one.
rule notx_up_only '-- migrate:up transaction:false\ncreate table a(x);\n-- migrate:down\ndrop table a;\nvacuum;\n'
same up 0 0 "$A" 001
same rollback 2 1 "$A" 001
check "$C: dbmate's error" dm_err "Error: cannot VACUUM from within a transaction"
# A transaction value other than true/false: dbmate takes it as true (runs in
# a transaction, so VACUUM fails); strata refuses the file at the line
# (deliberate).  Neither changes the database.
rule notx_typo '-- migrate:up transaction:FALSE\ncreate table a(x);\nvacuum;\n-- migrate:down\ndrop table a;\n'
same up 2 1 "" ""
check "$C: dbmate ran it in a transaction" dm_err "Error: cannot VACUUM from within a transaction"
check "$C: strata's error at the line" st_err "strata: error: db/migrations/$F:1: transaction must be true or false, not 'FALSE'"

# ---------------------------------------------------------------- failures
# A failing statement: the file's transaction is rolled back, no row.
rule fails '-- migrate:up\ncreate table a(x);\ninsert into nowhere values (1);\n-- migrate:down\ndrop table a;\n'
same up 2 1 "" ""
check "$C: dbmate's error" dm_err "Error: no such table: nowhere"
check "$C: strata's error at the line" st_err "strata: error: db/migrations/$F:3:1: no such table: nowhere"

# ---------------------------------------------------------------- \v
# dbmate's blanks are Go's \s (no vertical tab); strata's [[:space:]] has it.
rule vtab '-- migrate:up\v\ncreate table a(x);\n-- migrate:down\ndrop table a;\n'
step up
check "$C: dbmate: no up marker (exit 2)" eq "$drc|$(tabs dm.db)" "2|"
check "$C: dbmate's error" dm_err "$NO_UP"
check "$C: strata takes it as the marker" eq "$src_rc|$(tabs st.db)|$(rows st.db)" "0|$A|001"

done_testing
