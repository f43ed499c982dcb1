#!/usr/bin/env bash
# Plugin loading: listing, ABI refusal naming the file, others keep working.
. "$(dirname "$0")/lib.sh"
make_project 2
CC=${CC:-cc}

run plugins
check "plugins exits 0" rc_is 0
check "sqlite driver listed" grep -qE '^sqlite +0\.1\.0 +driver +.*/sqlite\.so  \[sqlite,file\]$' "$T/out"
check "sqlpair source listed" grep -qE '^sqlpair +0\.1\.0 +source +.*/sqlpair\.so  \[sqlpair\]$' "$T/out"
run --json plugins
check "--json plugins" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p={x["name"]: x for x in d["plugins"]}; assert p["sqlite"]["roles"]==["driver"] and p["sqlite"]["schemes"]==["sqlite","file"]; assert p["sqlpair"]["roles"]==["source"] and p["sqlpair"]["formats"]==["sqlpair"]' "$T/out"

mkdir -p extra
cat >future.c <<'C'
#include <strata/plugin.h>
static const strata_plugin desc = {
	.abi_version = 999, .struct_size = sizeof(strata_plugin), .name = "future", .version = "9",
};
STRATA_PLUGIN_DEFINE(desc)
C
cat >nosym.c <<'C'
int not_a_plugin(void) { return 42; }
C
$CC -shared -fPIC -I"$SRC/include" -o extra/future.so future.c
$CC -shared -fPIC -o extra/nosym.so nosym.c
printf 'garbage' >extra/broken.so

STRATA_PLUGIN_PATH="$T/extra" run plugins
check "plugins with bad files: still exit 0" rc_is 0
check "ABI mismatch refused naming the file" err_has "strata: warning: $T/extra/future.so: built for plugin ABI 999; this strata speaks ABI 1"
check "missing symbol refused naming the file" err_has "strata: warning: $T/extra/nosym.so: not a strata plugin: no strata_plugin_entry() symbol"
check "unloadable file refused naming the file" err_has "strata: warning: $T/extra/broken.so: cannot load"
check "good plugins still listed" out_has "sqlpair"

STRATA_PLUGIN_PATH="$T/extra" run apply
check "other plugins keep working: apply exits 0" rc_is 0
check "… and applied" eq "$(q app "SELECT count(*) FROM strata_ledger")" 2

# plugin_path in the config is searched too.
printf 'plugin_path: extra\n' >>strata.yaml
run plugins
check "config plugin_path searched" err_has "$T/extra/future.so"

# No driver for the scheme.
run --db 'mysql://x/y' status
check "no driver for scheme: exit 1" rc_is 1
done_testing
