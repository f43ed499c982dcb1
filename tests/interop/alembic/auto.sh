#!/usr/bin/env bash
# offline_sql: auto with the REAL Alembic (Debian: alembic 1.8.1, SQLAlchemy
# 1.4): for a revision strata cannot translate (a for loop), strata runs
# `alembic upgrade R2:R3 --sql` itself, caches the script beside strata.yaml
# (.strata/alembic-offline/REV.DIALECT.up.HASH.sql) and applies it; the
# outcome is alembic upgrade heads's.  The cache serves without Alembic; a
# changed revision file misses it; without Alembic and without a cache the
# revision stays untranslatable and the hint says why.  TAP; BACKEND=sqlite|pg.
. "$SRC/tests/interop/alembic/lib.sh"

p=auto
project "$p" bad loop .
echo "    offline_sql: auto" >>"$T/$p/strata.yaml"
r2=$(rev "$p" R2) r3=$(rev "$p" R3) f3=$(rev "$p" F3)
cache=$T/$p/.strata/alembic-offline
NOPATH=$T/nopath # a PATH without alembic
mkdir -p "$NOPATH"
# nsr PROJECT DB ARGS…: sr with that PATH for strata alone (the URL is made first).
nsr() {
	local p=$1 u
	u=$(surl "$2")
	shift 2
	STRATA_WRAP="/usr/bin/env PATH=$NOPATH ${STRATA_WRAP:-}" run -C "$T/$p" --db "$u" "$@"
}

# Without Alembic on PATH and no cache: untranslatable, as without auto.
fresh "$p"
nsr "$p" "$p" apply
check "no alembic on PATH: strata apply exits 1" rc_is 1
line=$(grep -nF 'for i in range(2):' "$f3" | cut -d: -f1)
check "no alembic on PATH: the error names ${f3##*/}:$line" grep -qE "^strata: error: ([^ ]*/)?${f3##*/}:$line: app:$r3: upgrade\(\) cannot be translated to SQL: for loop" "$T/err"
check "no alembic on PATH: the hint says offline_sql: auto found no alembic" grep -qF "offline_sql: auto: no \`alembic\` on PATH" "$T/err"
check "no alembic on PATH: R1, R2 applied, R3 and R4 not" eq "$(has_table "$p" t1 t2):$(has_table "$p" loop_0 loop_1 t4)" 2:0
check "no alembic on PATH: no cache written" eq "$(ls "$cache" 2>/dev/null | wc -l)" 0

# With Alembic: strata runs it for R3 alone and applies its SQL.
sr "$p" "$p" apply
check "with alembic: strata apply exits 0" rc_is 0
fresh "${p}_a"
al "$p" "${p}_a" upgrade heads
check "the real alembic upgrade heads exits 0" rc_is 0
same "with alembic: schema, rows and alembic_version = alembic upgrade heads's" "$(state "$p")" "$(state "${p}_a")"
dia=$(pick sqlite postgresql)
hits=$(ls "$cache" 2>/dev/null | grep -cE "^$r3\.$dia\.up\.[0-9a-f]{16}\.sql$" || true)
check "the script is cached as .strata/alembic-offline/$r3.$dia.up.HASH.sql" eq "$hits" 1
check "only the untranslatable revision was asked of Alembic" eq "$(ls "$cache" | wc -l)" 1
alsql "$p" upgrade "$r2:$r3"
check "alembic upgrade R2:R3 --sql exits 0" rc_is 0
check "the cached script is alembic upgrade R2:R3 --sql's, byte for byte" cmp -s "$T/out" "$cache"/$r3.$dia.up.*.sql
al "$p" "$p" current
check "alembic current on strata's database exits 0" rc_is 0

# The cache serves without Alembic: the ledger has R3 translated.
nsr "$p" "$p" ledger
check "from the cache, without alembic: strata ledger exits 0" rc_is 0
check "from the cache: R3 is not marked untranslatable" err_lacks untranslatable
check "from the cache: R3 is not marked untranslatable (out)" bash -c "! grep -q untranslatable '$T/out'"
fresh "${p}2"
cp -r "$T/$p" "$T/${p}2"
{ echo "database: $(surl "${p}2")"; tail -n +2 "$T/$p/strata.yaml"; } >"$T/${p}2/strata.yaml"
nsr "${p}2" "${p}2" apply
check "from the cache, without alembic: apply on a fresh database exits 0" rc_is 0
same "from the cache: the same state as alembic upgrade heads's" "$(state "${p}2")" "$(state "${p}_a")"

# A changed revision file is a different key: Alembic runs again.
echo "# changed" >>"$f3"
sr "$p" "$p" ledger
check "after a change to R3: strata ledger exits 0" rc_is 0
check "after a change to R3: a second cached script" eq "$(ls "$cache" | wc -l)" 2
rm -rf "$cache"
nsr "$p" "$p" ledger
check "no cache, no alembic: R3 untranslatable again" grep -qE "^app:$r3 .*\(untranslatable\)" "$T/out"

# A source whose path is the versions folder: Alembic needs alembic.ini.
sed -i 's|^    path: \.$|    path: migrations/versions|' "$T/$p/strata.yaml"
fresh "$p"
sr "$p" "$p" apply
check "source path without alembic.ini: strata apply exits 1" rc_is 1
check "source path without alembic.ini: the hint says Alembic needs the project folder" grep -qF "offline_sql: auto: Alembic needs the project folder" "$T/err"

# Alembic failing: its own last line in the hint.
sed -i 's|^    path: migrations/versions$|    path: .|' "$T/$p/strata.yaml"
cp "$T/$p/migrations/env.py" "$T/env.py.orig"
sed -i '1i raise SystemExit("env.py broken on purpose")' "$T/$p/migrations/env.py"
fresh "$p"
sr "$p" "$p" apply
check "alembic failing: strata apply exits 1" rc_is 1
check "alembic failing: the hint quotes Alembic's failure" grep -qF "\`alembic upgrade $r2:$r3 --sql\` failed (exit 1: env.py broken on purpose)" "$T/err"
check "alembic failing: no cache written" eq "$(ls "$cache" 2>/dev/null | wc -l)" 0
check "alembic failing: no temporary .ini left beside alembic.ini" eq "$(ls -a "$T/$p" | grep -c '^\.strata-offline-' || true)" 0
cp "$T/env.py.orig" "$T/$p/migrations/env.py"


# A downgrade strata cannot translate: `alembic downgrade R3:R2 --sql`.
"$PY" - "$f3" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
old = "def downgrade() -> None:\n    pass\n"
assert old in t
t = t.replace(old, "def downgrade() -> None:\n    for i in range(2):\n        op.execute(\"DROP TABLE loop_%d\" % i)\n", 1)
open(p, "w").write(t)
PY
rm -rf "$cache"
fresh "$p" "${p}_a"
sr "$p" "$p" apply
check "down: strata apply exits 0" rc_is 0
sr "$p" "$p" rollback --to "app:$r2"
check "down: strata rollback --to R2 exits 0" rc_is 0
check "down: the loop's tables are gone, t1 and t2 stay" eq "$(has_table "$p" loop_0 loop_1):$(has_table "$p" t1 t2)" 0:2
check "down: alembic_version holds R2" eq "$(versions "$p")" "$r2"
hits=$(ls "$cache" 2>/dev/null | grep -cE "^$r3\.$dia\.down\.[0-9a-f]{16}\.sql$" || true)
check "down: cached as $r3.$dia.down.HASH.sql" eq "$hits" 1
alsql "$p" downgrade "$r3:$r2"
check "down: alembic downgrade R3:R2 --sql exits 0" rc_is 0
check "down: the cached script is alembic downgrade R3:R2 --sql's" cmp -s "$T/out" "$cache"/$r3.$dia.down.*.sql
al "$p" "${p}_a" upgrade heads
al "$p" "${p}_a" downgrade "$r2"
check "down: the real alembic downgrade to R2 exits 0" rc_is 0
same "down: schema and alembic_version = alembic downgrade's" "$(state "$p")" "$(state "${p}_a")"

done_testing
