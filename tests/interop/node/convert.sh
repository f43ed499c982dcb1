#!/usr/bin/env bash
# strata convert into the layouts whose migrations are JavaScript that runs
# SQL files, run by the REAL tools on an empty database: knex
# migrate:latest, TypeORM migration:run, sequelize-cli db:migrate
# (PostgreSQL only, as its test), node-pg-migrate up (PostgreSQL only), each
# then rolled back by the tool itself.  The history: golang-migrate files,
# t1..t3, each with a down.  TAP; BACKEND=sqlite|pg.
. "$SRC/tests/interop/node/lib.sh"

mkdir -p "$T/src/m"
strata_yaml src m golang-migrate
for i in 1 2 3; do
	printf 'CREATE TABLE t%d (id INTEGER PRIMARY KEY, label TEXT);\n' "$i" >"$T/src/m/${i}_t$i.up.sql"
	printf 'DROP TABLE t%d;\n' "$i" >"$T/src/m/${i}_t$i.down.sql"
done

# conv LAYOUT DIR TOOL ARGS_UP ARGS_DOWN_ONE: convert, the tool applies, the
# tool rolls back once, strata reads the folder back.
conv() {
	local layout=$1 dir=$2 t=$3 up=$4 down=$5 p=c_$1
	mkdir -p "$T/$p"
	db_reset "$p"
	sr src convert --to "sqlpair:$layout" --out "$T/$p/$dir"
	check "$layout: convert exits 0" rc_is 0
	tool "$t" "$p" "$dir" $up
	check "$layout: the real $t applies the converted folder (exit 0)" rc_is 0
	check "$layout: t1, t2, t3 made" eq "$(tables "$p")" "t1,t2,t3"
	tool "$t" "$p" "$dir" $down
	check "$layout: the real $t rolls the last one back (exit 0)" rc_is 0
	check "$layout: t3 dropped by the converted down" eq "$(tables "$p")" "t1,t2"
	strata_yaml "$p" "$dir" "$layout"
	sr "$p" ledger
	check "$layout: strata reads it back: 3 migrations" out_has "3 migrations"
}
conv knex migrations knex migrate:latest migrate:down
conv typeorm migrations typeorm migration:run migration:revert
if pg; then
	conv sequelize migrations sequelize db:migrate db:migrate:undo
	conv node-pg-migrate migrations node-pg-migrate up "down 1"
fi

done_testing
