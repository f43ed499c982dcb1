# SQL text a driver would read wrongly: an unterminated comment or quote
# (the statements after it would vanish, or the message would quote the rest
# of the file), and on SQLite a bind parameter, which nothing fills.  Each is
# refused before the host begins or records anything.
#
# sql_project NAME UP [DOWN]: case NAME with migration 0001 applied and
# db/migrations/0002_b.sql (dbmate) holding UP (printf format) as its up
# section, line 2 of the file on.
sql_project() {
	case_dir "$1"
	make_project 1
	run apply
	check "$1: migration 0001 applied" rc_is 0
	printf -- "-- migrate:up\n$2\n\n-- migrate:down\n${3:-DROP TABLE b;}\n" >db/migrations/0002_b.sql
}
F=db/migrations/0002_b.sql

sql_project sql-open-comment 'CREATE TABLE b (id int);\n/* x\nCREATE TABLE c (id int);'
refused "unterminated comment hiding a statement" 1 \
	"$(pick "strata: error: $F:3:1: unterminated /* comment: SQLite would skip everything after it (hint: close it with */)" \
		"strata: error: $F:3:1: unterminated /* comment at or near \"/* x...\"")" apply

sql_project sql-open-comment-in-statement 'CREATE TABLE b (id int) /* the rest\n;\nCREATE TABLE c (id int);'
refused "unterminated comment inside the last statement" 1 \
	"$(pick "strata: error: $F:2:25: unterminated /* comment: SQLite would skip everything after it (hint: close it with */)" \
		"strata: error: $F:2:25: unterminated /* comment at or near \"/* the rest...\"")" apply

sql_project sql-open-string "CREATE TABLE b (s text);\nINSERT INTO b VALUES ('it''s);\nCREATE TABLE c (id int);"
refused "unterminated string" 1 \
	"$(pick "strata: error: $F:3:23: unterminated quoted string (hint: close it with '; a quote inside a string is written '')" \
		"strata: error: $F:3:23: unterminated quoted string at or near \"'it''s);...\"")" apply

sql_project sql-open-identifier 'CREATE TABLE b (id int);\nCREATE TABLE "c (id int);'
refused "unterminated quoted identifier" 1 \
	"$(pick "strata: error: $F:3:14: unterminated quoted identifier (hint: close it with \")" \
		"strata: error: $F:3:14: unterminated quoted identifier at or near \"\"c (id int);\"")" apply

if sqlite; then
	sql_project sql-open-bracket 'CREATE TABLE b (id int);\nCREATE TABLE [c (id int);'
	refused "unterminated [identifier]" 1 \
		"strata: error: $F:3:14: unterminated quoted identifier (hint: close it with ])" apply
else
	sql_project sql-open-dollar 'CREATE TABLE b (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1;'
	refused "unterminated dollar quote" 1 \
		"strata: error: $F:3:49: unterminated dollar-quoted string at or near \"\$\$ SELECT 1;\"" apply
fi

sql_project sql-open-comment-down 'CREATE TABLE b (id int);' 'DROP TABLE b;\n/* x'
run apply
check "sql-open-comment-down: 0002 applied" rc_is 0
refused "unterminated comment in the down section" 1 \
	"$(pick "strata: error: $F:6:1: unterminated /* comment: SQLite would skip everything after it (hint: close it with */)" \
		"strata: error: $F:6:1: unterminated /* comment at or near \"/* x\"")" rollback

sql_project sql-open-comment-wrapped 'BEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\n/* trailing'
refused "unterminated comment after the file's own COMMIT" 1 \
	"$(pick "strata: error: $F:5:1: unterminated /* comment: SQLite would skip everything after it (hint: close it with */)" \
		"strata: error: $F:5:1: unterminated /* comment at or near \"/* trailing\"")" apply

# Without a transaction no statement may run before the refusal either (the
# "running" row strata writes first is then recorded as failed).
case_dir sql-open-comment-no-tx
make_project 1
run apply
printf -- '-- migrate:up\n-- strata:no-transaction\nCREATE TABLE b (id int);\n/* x\nCREATE TABLE c (id int);\n-- migrate:down\nSELECT 1;\n' >$F
run apply
check "no transaction: exit 1" rc_is 1
check "no transaction: the one line" err_is \
	"$(pick "strata: error: $F:4:1: unterminated /* comment: SQLite would skip everything after it (hint: close it with */)" \
		"strata: error: $F:4:1: unterminated /* comment at or near \"/* x...\"")"
check "no transaction: no statement ran" eq "$(has_table app b c)" 0

if sqlite; then
	# SQLite binds NULL to every parameter a migration leaves open.
	i=0
	for p in "?" "?2" ":v" "@v" "\$v" "#v"; do
		i=$((i + 1))
		sql_project "sql-param-$i" "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1), ($p);"
		refused "bind parameter $p" 1 \
			"strata: error: $F:3:28: migration has a bind parameter '$p', which nothing would fill (hint: SQLite would run the statement with NULL in its place; write the value into the file)" apply
	done
	sql_project sql-param-no-tx '-- strata:no-transaction\nCREATE TABLE b (id int);\nINSERT INTO b VALUES (:v);'
	run apply
	check "bind parameter, no transaction: the one line" err_is \
		"strata: error: $F:4:23: migration has a bind parameter ':v', which nothing would fill (hint: SQLite would run the statement with NULL in its place; write the value into the file)"
	check "bind parameter, no transaction: no statement ran" eq "$(has_table app b)" 0
else
	# The server refuses $1 itself; the line says where.
	sql_project sql-param-pg 'CREATE TABLE b (id int);\nINSERT INTO b VALUES (1), ($1);'
	run apply
	check "\$1: exit 1" rc_is 1
	check "\$1: the one line" err_is "strata: error: $F:3:28: there is no parameter \$1"
	check "\$1: rolled back" eq "$(has_table app b)" 0
fi

# What only looks like the above: in quotes, in comments, inside a word.
case_dir sql-lookalikes
make_project 1
printf -- '%s\n' '-- migrate:up' \
	"CREATE TABLE q (s text, \"a?:b\" int, a\$b int); -- ? :v /*" \
	"/* ? :v @w \$x */ INSERT INTO q (s) VALUES ('it''s ? :v @w \$x /* y -- z');" \
	'-- migrate:down' 'DROP TABLE q;' >db/migrations/0002_q.sql
run apply
check "look-alikes: applied" rc_is 0
check "look-alikes: the string as written" eq "$(q app "SELECT s FROM q")" "it's ? :v @w \$x /* y -- z"
