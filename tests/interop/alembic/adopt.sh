#!/usr/bin/env bash
# The issue's move: an Alembic-managed database taken to Prisma with a 0_init
# baseline, every tool real.  The database is made by the real `alembic
# upgrade heads` (fixtures.py's graph project: branches, a merge, a
# depends_on, data); `strata adopt --to prisma` writes prisma/migrations/
# 0_init from the live schema; then the real Prisma CLI says the database is
# up to date, deploys a new migration after it, the real `alembic current`
# still reads its heads, and a fresh database that the real `prisma migrate
# deploy` builds from 0_init alone has the same schema.
. "$SRC/tests/interop/alembic/lib.sh"
PRISMA_HERE=$SRC/tests/interop/prisma
export STRATA_PRISMA_HOME=${STRATA_PRISMA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/prisma}
if ! bash "$PRISMA_HERE/setup.sh" "$STRATA_PRISMA_HOME" >"$T/setup.log" 2>&1; then
	echo "Bail out! Prisma CLI not installed: bash tests/interop/prisma/setup.sh $STRATA_PRISMA_HOME failed"
	sed 's/^/# /' "$T/setup.log"
	exit 1
fi
unset DEBUG NODE_OPTIONS
# prisma PROJECT DB ARGS…: the real Prisma CLI on database DB with PROJECT/prisma.
purl() { if sqlite; then echo "file:$T/${1%.db}.db"; else db_url "$1"; fi; }
prisma() {
	local p=$1 d=$2; shift 2
	set +e
	bash "$PRISMA_HERE/run-prisma.sh" "$(purl "$d")" "$T/$p/prisma" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}
# The schema of DB without any tool's tracking table.
schema_only() {
	if sqlite; then
		q "$1" "SELECT type, name, tbl_name, replace(sql, char(9), '    ') FROM sqlite_master
			WHERE tbl_name NOT IN ('strata_ledger', 'alembic_version', '_prisma_migrations')
			AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name"
	else
		pg_dump -s --no-owner -T strata_ledger -T alembic_version -T _prisma_migrations \
			-d "$(db_url "$1")" |
			grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' -e '^\\restrict' \
				-e '^\\unrestrict' -e '^$' || true
	fi
}

project graph graph "$dialect"
heads=$(sorted "$(rev graph E)" "$(rev graph R2)")
fresh live empty
al graph live upgrade heads
check "the real alembic upgrade heads makes the database" rc_is 0
before=$(schema_only live)
sr graph live --json status
check "strata reads it as applied by alembic" eq "$(json_states)" "$(all_states graph applied)"
cp "$T/graph/strata.yaml" "$T/yaml.before"

sr graph live adopt --to prisma
check "strata adopt --to prisma: exit 0" rc_is 0
check "strata adopt: 0_init written" test -s "$T/graph/prisma/migrations/0_init/migration.sql"
check "strata adopt: no pg_dump session line left" eq "$(grep -c -e 'set_config' -e '^SET ' -e '^\\restrict' "$T/graph/prisma/migrations/0_init/migration.sql" || true)" 0
check "strata adopt: the alembic source retired, Prisma's added, the rest kept" \
	eq "$(diff "$T/yaml.before" "$T/graph/strata.yaml" | tail -n +2)" \
">     retired: true
>   - name: prisma
>     format: prisma
>     path: prisma/migrations"
sum=$(sha256sum <"$T/graph/prisma/migrations/0_init/migration.sql" | cut -c1-64)
check "_prisma_migrations: 0_init with Prisma's checksum" \
	eq "$(q live "SELECT migration_name || '=' || checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL")" "0_init=$sum"
check "strata_ledger keeps alembic's facts" \
	eq "$(q live "SELECT count(*) FROM strata_ledger WHERE source = 'app' AND state = 'applied'")" "$(names graph | wc -l)"
check "the schema is untouched" eq "$(schema_only live)" "$before"

prisma graph live migrate status
check "the real prisma migrate status: exit 0" rc_is 0
check "the real prisma migrate status: up to date" out_has "Database schema is up to date!"
al graph live current
check "the real alembic current: exit 0" rc_is 0
check "the real alembic current: still its heads" eq "$(grep -o '^[0-9a-f]* (head)' "$T/out" | cut -d' ' -f1 | LC_ALL=C sort | paste -sd, -)" "$heads"
sr graph live status
check "strata status: clean" rc_is 0
check "strata status: nothing missing" out_lacks missing

# A fresh, empty database: the real Prisma builds it from 0_init alone.
prisma graph empty migrate deploy
check "fresh database: the real prisma migrate deploy exits 0" rc_is 0
check "fresh database: it applied 0_init" out_has "0_init"
check "fresh database: the same schema as the adopted one" eq "$(schema_only empty)" "$before"
check "fresh database: no alembic_version" eq "$(has_table empty alembic_version)" 0
sr graph empty --json status
check "fresh database: strata sees 0_init applied and alembic's revisions retired" \
	eq "$(json_states)" "$(sorted "prisma:0_init=applied" $(all_states graph retired | tr , ' '))"

# The next migration is Prisma's own: the real deploy runs it after 0_init.
mkdir -p "$T/graph/prisma/migrations/20990101000000_notes"
echo 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);' \
	>"$T/graph/prisma/migrations/20990101000000_notes/migration.sql"
prisma graph live migrate deploy
check "a new Prisma migration: the real prisma migrate deploy exits 0" rc_is 0
check "a new Prisma migration: applied" eq "$(has_table live notes)" 1
prisma graph live migrate status
check "after it: the real prisma migrate status is up to date" out_has "Database schema is up to date!"
sr graph live status
check "after it: strata status is clean" rc_is 0
check "after it: strata sees it applied" grep -qE '^prisma:20990101000000_notes +applied' "$T/out"
al graph live current
check "after it: alembic current still prints its heads" eq "$(grep -o '^[0-9a-f]* (head)' "$T/out" | cut -d' ' -f1 | LC_ALL=C sort | paste -sd, -)" "$heads"

done_testing
