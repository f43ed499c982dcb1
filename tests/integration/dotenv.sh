#!/usr/bin/env bash
# .env files: where strata reads them and what they decide.  The database
# URL is --db, then the real DATABASE_URL, then DATABASE_URL from .env (the
# project's, beside strata.yaml, before the one beside a Prisma folder's
# parent, prisma/.env), then strata.yaml's database:, then sqlite:strata.db;
# ${VAR} in strata.yaml sees .env too, never over the real environment.
# A malformed .env stops every command at file:line with the database
# untouched.  Which database was used is read from the databases themselves.
. "$(dirname "$0")/lib.sh"

# sql_project DIR DBNAME: DIR/strata.yaml (database DBNAME, or none when
# DBNAME is empty) with one sqlpair migration creating table t1.
sql_project() {
	local dir=$1 db=$2
	mkdir -p "$dir/db"
	printf -- '-- migrate:up\nCREATE TABLE t1 (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE t1;\n' \
		>"$dir/db/0001_t1.sql"
	{
		[ -n "$db" ] && printf 'database: %s\n' "$(abs_url "$db")"
		printf 'sources:\n  - name: app\n    format: sqlpair\n    path: db\n    layout: dbmate\n'
	} >"$dir/strata.yaml"
}
# The URL of database NAME as strata run in project folder DIR sees it
# (SQLite: absolute, so that it means the same file from any folder).
abs_url() { if sqlite; then echo "sqlite:$T/${1%.db}.db"; else db_url "$1"; fi; }
used() { db_used "$T/$1"; }
unused() { [ "$(has_table "$T/$1" strata_ledger)" = 0 ]; }
if pg; then used() { db_used "$1"; }; unused() { [ "$(has_table "$1" strata_ledger)" = 0 ]; }; fi

# (1) the project's .env beats database: in strata.yaml
sql_project p1 yaml1
printf 'DATABASE_URL=%s\n' "$(abs_url env1)" >p1/.env
run -C p1 apply
check ".env beats strata.yaml: apply exits 0" rc_is 0
check ".env beats strata.yaml: the .env database got the migration" used env1
check ".env beats strata.yaml: database: was not touched" unused yaml1
run -C p1 status
check ".env beats strata.yaml: status names it" out_has "database: $(abs_url env1)"

# (2) the real DATABASE_URL beats .env; --db beats both
DATABASE_URL=$(abs_url real2) run -C p1 apply
check "real DATABASE_URL beats .env: exit 0" rc_is 0
check "real DATABASE_URL beats .env: its database got the migration" used real2
DATABASE_URL=$(abs_url real3) run -C p1 --db "$(abs_url flag3)" apply
check "--db beats DATABASE_URL and .env" used flag3
check "… and the real DATABASE_URL was not used" unused real3
# An empty real DATABASE_URL is set: it hides .env's, and database: is next.
DATABASE_URL= run -C p1 apply
check "empty real DATABASE_URL: .env's is not taken, database: is" used yaml1

# (3) ${VAR} in strata.yaml from .env; the real environment wins
mkdir -p p3/db
cp p1/db/0001_t1.sql p3/db/
printf 'database: ${APP_DB}\nsources:\n  - name: app\n    format: sqlpair\n    path: ${MIG_DIR}\n    layout: dbmate\n' >p3/strata.yaml
printf '# project settings\nexport APP_DB="%s"\nMIG_DIR=db   # the folder\n' "$(abs_url var3)" >p3/.env
run -C p3 apply
check "\${VAR} from .env: exit 0" rc_is 0
check "\${VAR} from .env: database from .env" used var3
APP_DB=$(abs_url realvar3) run -C p3 apply
check "\${VAR}: the real environment beats .env" used realvar3
printf 'BASE=%s\nAPP_DB=${BASE}\nMIG_DIR=db\n' "$(abs_url chain3)" >p3/.env
run -C p3 apply
check "\${VAR} inside .env (Prisma's expansion) reaches strata.yaml" used chain3
printf 'MIG_DIR=db\n' >p3/.env
run -C p3 status
check "\${VAR} in neither: exit 1" rc_is 1
check "\${VAR} in neither: the hint names .env" err_is "strata: error: strata.yaml:1:11: environment variable 'APP_DB' is not set (hint: export it, set it in .env, or write \${NAME:-default})"

# (4) a Prisma folder's parent (prisma/.env): after the project's .env
mkp() {
	local dir=$1
	mkdir -p "$dir/prisma/migrations/20240101000000_t1"
	printf 'CREATE TABLE t1 (id INTEGER PRIMARY KEY);\n' >"$dir/prisma/migrations/20240101000000_t1/migration.sql"
	printf 'provider = "%s"\n' "$(pick sqlite postgresql)" >"$dir/prisma/migrations/migration_lock.toml"
	printf 'sources:\n  - name: app\n    format: prisma\n    path: prisma/migrations\n' >"$dir/strata.yaml"
}
mkp p4
printf 'DATABASE_URL="%s"\n' "$(abs_url prisma4)" >p4/prisma/.env
run -C p4 apply
check "prisma/.env: exit 0" rc_is 0
check "prisma/.env: its DATABASE_URL is used" used prisma4
check "prisma/.env: the migration is recorded for Prisma too" \
	eq "$(q "$(pick "$T/prisma4" prisma4)" "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL")" 20240101000000_t1
printf 'DATABASE_URL=%s\n' "$(abs_url root4)" >p4/.env
run -C p4 apply
check "project .env beats prisma/.env (Prisma's order)" used root4
printf 'PART=%s\n' "$(abs_url part4)" >p4/.env
printf 'DATABASE_URL=${PART}\n' >p4/prisma/.env
run -C p4 -v apply
check "prisma/.env expands variables of the project .env" used part4
check "-v names the files read" err_has "strata: read .env: 1 variable taken"
check "-v names prisma/.env" err_has "strata: read prisma/.env: 1 variable taken"
check "-v never prints a value" eq "$(grep '^strata: read' "$T/err" | grep -cF -- "$(abs_url part4)")" 0
rm p4/.env
# With a Prisma config file the Prisma CLI reads no .env of its own: nor does strata.
printf 'DATABASE_URL=%s\n' "$(abs_url prisma4b)" >p4/prisma/.env
printf 'import "dotenv/config";\n' >p4/prisma.config.ts
run -C p4 -v status
check "prisma.config.ts: prisma/.env is not read" out_has "database: sqlite:strata.db"
check "prisma.config.ts: -v says why" err_has "strata: not reading prisma/.env: prisma.config.ts is there (the prisma CLI reads no .env then)"
rm p4/prisma.config.ts

# (5) -c elsewhere: the .env beside that file, not the working directory's
printf 'DATABASE_URL=%s\n' "$(abs_url cwd5)" >.env
sql_project p5 ""
printf 'DATABASE_URL=%s\n' "$(abs_url beside5)" >p5/.env
run -c p5/strata.yaml apply
check "-c: the .env beside the config file" used beside5
check "-c: not the working directory's" unused cwd5
rm .env

# (6) no strata.yaml: the working directory's .env
mkdir -p p6
printf 'DATABASE_URL=%s\n' "$(abs_url bare6)" >p6/.env
run -C p6 status
check "no strata.yaml: .env still gives the database" out_has "database: $(abs_url bare6)"

# (7) a malformed .env stops everything at file:line, database untouched
sql_project p7 yaml7
printf '# ok\nDATABASE_URL %s\n' "$(abs_url env7)" >p7/.env
run -C p7 apply
check "malformed .env: exit 1" rc_is 1
check "malformed .env: one line at .env:2:1" err_is "strata: error: .env:2:1: expected NAME=VALUE (hint: write NAME=VALUE (or export NAME=VALUE); a comment line starts with #)"
check "malformed .env: database: untouched" unused yaml7
printf 'DATABASE_URL="%s\n' "$(abs_url env7)" >p7/.env
run -C p7 status
check "unclosed quote: .env:1:14" err_is "strata: error: .env:1:14: the value's opening \" is not closed (hint: end the value with the same quote; only a # comment may follow it (a quoted value may span lines))"
rm p7/.env
mkp p7b
printf 'A=1\n\nB\n' >p7b/prisma/.env
run -C p7b apply
check "malformed prisma/.env: exit 1 at prisma/.env:3:1" err_is "strata: error: prisma/.env:3:1: expected NAME=VALUE (hint: write NAME=VALUE (or export NAME=VALUE); a comment line starts with #)"
printf 'A=${B}\nB=${A}\n' >p7b/prisma/.env
run -C p7b apply
check "cycle: exit 1" rc_is 1
check "cycle: named at its line" err_is "strata: error: prisma/.env:1: variable 'A' refers to itself through \${…} (hint: break the cycle of \${…} references)"
check "cycle: no database opened" test ! -e p7b/strata.db
done_testing
