# The command line, the URL and the migration files' own syntax: refused
# before anything is written.
usage="(hint: see \`strata --help\`)"

case_dir usage
make_project 2
refused "unknown command" 2 "strata: unknown command 'frobnicate' $usage" frobnicate
refused "unknown option" 2 "strata: unknown option '--bogus' $usage" apply --bogus
refused "--to without its value" 2 "strata: --to needs a value $usage" apply --to
refused "mark without a state" 2 "strata: mark needs an ID and exactly one of --applied, --rolled-back $usage" mark 0001
refused "baseline with a stray argument" 2 "strata: baseline does not take that argument $usage" baseline nope
refused "apply --to an unknown id" 2 "strata: error: no migration 'nope' in the ledger (hint: \`strata ledger\` lists the ids)" apply --to nope
refused "rollback --to an unknown id" 2 "strata: error: no migration 'nope' in the ledger (hint: \`strata ledger\` lists the ids)" rollback --to nope

case_dir urls
make_project 1
refused "a URL no driver takes" 1 "strata: error: mysql://x:***@y/z: no driver for URL scheme 'mysql' (hint: URLs look like sqlite:app.db; \`strata plugins\` lists the drivers)" apply --db 'mysql://x:hunter2@y/z'
refused "a SQLite file in a folder that does not exist" 1 "strata: error: sqlite:/nonexistent/dir/x.db: cannot open database file '/nonexistent/dir/x.db': directory '/nonexistent/dir' does not exist (hint: create the directory first, or fix the path in the URL)" apply --db sqlite:/nonexistent/dir/x.db
refused "a server that is not there (password redacted)" 1 "strata: error: postgresql://u:***@/db?host=/nonexistent&port=5432: connection to server on socket \"/nonexistent/.s.PGSQL.5432\" failed: No such file or directory; Is the server running locally and accepting connections on that socket?" apply --db 'postgresql://u:secret@/db?host=/nonexistent&port=5432'

case_dir markers
make_project 1
printf -- '-- migrate:down\nDROP TABLE t2;\n' >db/migrations/0002_t2.sql
refused "dbmate: down marker first (a comment line), then a statement" 1 "strata: error: db/migrations/0002_t2.sql:2: statements before the up marker (a line matching '^--[[:space:]]*migrate:up([[:space:]]|\$)') (hint: move them below the up marker)" apply
printf 'CREATE TABLE t2 (id int);\n' >db/migrations/0002_t2.sql
refused "dbmate: no up marker" 1 "strata: error: db/migrations/0002_t2.sql:1: statements before the up marker (a line matching '^--[[:space:]]*migrate:up([[:space:]]|\$)') (hint: move them below the up marker)" apply
rm db/migrations/0002_t2.sql

case_dir config-names
make_project 1
sed -i 's/layout: dbmate/layout: dbmatex/' strata.yaml
refused "unknown layout" 1 "strata: error: strata.yaml:3: unknown layout 'dbmatex' (hint: available layouts: dbmate, diesel, flyway, golang-migrate, knex, node-pg-migrate, sectioned, sequelize, sql-rollback, typeorm)" apply
sed -i 's/layout: dbmatex/layout: dbmate/; s/format: sqlpair/format: sqlpairx/' strata.yaml
refused "unknown format" 1 "strata: error: strata.yaml:3: source 'app': no plugin reads format 'sqlpairx' (hint: \`strata plugins\` lists the formats available)" apply

# A layout of the user's own whose pattern would make regcomp() ask for
# terabytes (found by the sqlpair_layout fuzz target).
case_dir layout-regex
make_project 1
mkdir -p fmt/layouts
sed "s/layout: sql-rollback/layout: mine/; s#'(^|/)README\[^/\]\*\$'#'^rollback+++++/x'#" \
	"$SRC/formats/layouts/sql-rollback.yaml" >fmt/layouts/mine.yaml
sed -i 's/layout: dbmate/layout: mine/' strata.yaml
export STRATA_FORMATS_PATH=$PWD/fmt
refused "a layout pattern with stacked quantifiers" 1 "strata: error: $PWD/fmt/layouts/mine.yaml:13:5: invalid regular expression '^rollback+++++/x': a repeated quantifier or a bound over 255 at character 11 (hint: write one quantifier per atom, and bounds up to {255})" status
sed -i "s|'^rollback+++++/x'|'^x{256}'|" fmt/layouts/mine.yaml
refused "a layout pattern with a bound over 255" 1 "strata: error: $PWD/fmt/layouts/mine.yaml:13:5: invalid regular expression '^x{256}': a repeated quantifier or a bound over 255 at character 3 (hint: write one quantifier per atom, and bounds up to {255})" status
unset STRATA_FORMATS_PATH
