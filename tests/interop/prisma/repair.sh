#!/usr/bin/env bash
# strata repair against the REAL Prisma CLI: migration.sql re-saved with CRLF
# and a checksum emptied by hand in _prisma_migrations; Prisma's own
# diagnosis (the engine's editedMigrationNames, what `migrate dev` acts on)
# names the edited migration; after `strata repair` it names none, `prisma
# migrate status` says the schema is up to date and `strata status` is clean.
# A real change is refused and leaves Prisma's row as it was.
#
# Note: `prisma migrate status` itself prints "Database schema is up to
# date!" with rc 0 even while a checksum is empty (it never prints
# editedMigrationNames; /work/shared/reference/prisma.md section 6), so the
# complaint asserted is the engine's diagnosis under DEBUG.
. "$(dirname "$0")/lib.sh"

ledger_sums() { "$STRATA" -C "$T/$1" ledger --json | python3 -c 'import json,sys; print(",".join(m["version"]+"="+m["checksum"] for m in json.load(sys.stdin)["migrations"]))'; }
prisma_sum() { q "$1" "SELECT checksum FROM _prisma_migrations WHERE migration_name = '$(mig "$2")' AND rolled_back_at IS NULL"; }
file_sum() { sha256sum <"$(mfile "$1" "$2")" | cut -c1-64; }

# ---- 1. Prisma applied everything: strata_ledger has no rows (no text) ----
project p 3
prisma p migrate deploy
check "prisma deploy: rc 0" rc_is 0
lf1=$(file_sum p 1)
sed -i 's/$/\r/' "$(mfile p 1)"
q p "UPDATE _prisma_migrations SET checksum = '' WHERE migration_name = '$(mig 2)'"
check "Prisma's diagnosis: the hand-emptied migration is edited (the CRLF one is not: its rule accepts it)" \
	eq "$(prisma_edited p)" "$(mig 2)"
sr p status
check "strata status: exit 4" rc_is 4
check "strata status: t2 modified (by Prisma's record)" out_has "app:$(mig 2)  modified"
check "strata status: t1 applied (Prisma's rule accepts the CRLF file)" out_has "app:$(mig 1)  applied"
sr p repair --dry-run
check "repair --dry-run: exit 0" rc_is 0
check "repair --dry-run: t2 would be repaired, decided by the live catalog" \
	out_has "would repair app:$(mig 2) (prisma/migrations/$(mig 2)/migration.sql): no recorded text; the live catalog holds what the file creates"
check "repair --dry-run: Prisma's row unchanged" eq "$(prisma_sum p 2)" ""
sr p repair
check "repair: exit 0" rc_is 0
check "repair: t2 repaired" out_has "repaired app:$(mig 2) (prisma/migrations/$(mig 2)/migration.sql): no recorded text; the live catalog holds what the file creates"
check "repair: 1 repaired" out_has "1 migration repaired, 0 refused"
check "_prisma_migrations: t2's checksum is the file's sha256" eq "$(prisma_sum p 2)" "$(file_sum p 2)"
check "_prisma_migrations: t1's row is left as Prisma wrote it" eq "$(prisma_sum p 1)" "$lf1"
check "Prisma's diagnosis: nothing edited" eq "$(prisma_edited p)" ""
prisma p migrate status
check "prisma migrate status: rc 0" rc_is 0
check "prisma migrate status: $UP_TO_DATE" out_line "$UP_TO_DATE"
sr p status
check "strata status: clean" rc_is 0
check "strata status: 3 applied" out_has "3 migrations: 3 applied"

# ---- 2. strata applied (strata_ledger keeps the text), Prisma's table beside ----
project s 3
sr s apply
check "strata apply: exit 0" rc_is 0
sed -i 's/$/\r/' "$(mfile s 1)"
q s "UPDATE _prisma_migrations SET checksum = '' WHERE migration_name = '$(mig 2)'"
check "Prisma's diagnosis: t2 edited" eq "$(prisma_edited s)" "$(mig 2)"
sr s repair
check "repair: exit 0" rc_is 0
check "repair: t1 (CRLF) repaired by its statements" out_has "repaired app:$(mig 1) (prisma/migrations/$(mig 1)/migration.sql:1): the same 1 statement; only comments and whitespace differ"
check "repair: t2 (emptied in Prisma's table) repaired" out_has "repaired app:$(mig 2) (prisma/migrations/$(mig 2)/migration.sql): the recorded text is the file's; only the recorded checksum differs"
check "strata_ledger: the file checksums" eq "$(qlist s "SELECT version || '=' || checksum FROM strata_ledger ORDER BY version")" "$(ledger_sums s)"
check "_prisma_migrations: t1 has the CRLF file's sha256" eq "$(prisma_sum s 1)" "$(file_sum s 1)"
check "_prisma_migrations: t2 has its file's sha256" eq "$(prisma_sum s 2)" "$(file_sum s 2)"
check "Prisma's diagnosis: nothing edited" eq "$(prisma_edited s)" ""
prisma s migrate status
check "prisma migrate status: $UP_TO_DATE" out_line "$UP_TO_DATE"
sr s status
check "strata status: clean" rc_is 0

# ---- a real change: refused, Prisma's row as it was ----
printf 'CREATE TABLE t3 (id INTEGER PRIMARY KEY, n INTEGER DEFAULT 2);\n' >"$(mfile s 3)"
before=$(prisma_sum s 3)
sr s repair
check "real change: refused, exit 4" rc_is 4
check "real change: the reason" out_has "refused app:$(mig 3) (prisma/migrations/$(mig 3)/migration.sql:1): statement 1 of 1 differs"
check "real change: the old line" out_has "    -CREATE TABLE t3 (id INTEGER PRIMARY KEY);"
check "real change: the new line" out_has "    +CREATE TABLE t3 (id INTEGER PRIMARY KEY, n INTEGER DEFAULT 2);"
check "real change: Prisma's row unchanged" eq "$(prisma_sum s 3)" "$before"
check "real change: Prisma's diagnosis still names it" eq "$(prisma_edited s)" "$(mig 3)"

done_testing
