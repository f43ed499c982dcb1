#!/usr/bin/env bash
# A third-party plugin built out of tree against the installed headers and
# strata.pc, loaded by strata as a source.
. "$SRC/tests/integration/lib.sh"
DEST=$T/dest
meson install -C "$BUILD" --no-rebuild --destdir "$DEST" --quiet >"$T/install.log" 2>&1 || { cat "$T/install.log"; exit 1; }
pc=$(find "$DEST" -name strata.pc | head -1)
check "meson install ships strata.pc" test -n "$pc"
check "meson install ships plugin.h" test -n "$(find "$DEST" -path '*/include/strata/plugin.h')"
check "meson install ships strata.h" test -n "$(find "$DEST" -path '*/include/strata/strata.h')"
check "meson install ships plugin_util.h" test -n "$(find "$DEST" -path '*/include/strata/plugin_util.h')"
check "meson install ships the plugins" test -n "$(find "$DEST" -name sqlpair.so -path '*/strata/plugins/*')"
check "meson install ships formats/" test -n "$(find "$DEST" -name dbmate.yaml -path '*/strata/formats/layouts/*')"
check "meson install ships the binary" test -n "$(find "$DEST" -name strata -path '*/bin/*')"
check "meson install ships libstrata" test -n "$(find "$DEST" -name 'libstrata.so*')"

# pkg-config with the destdir prefix folded in.
export PKG_CONFIG_SYSROOT_DIR=$DEST PKG_CONFIG_PATH=$(dirname "$pc")
cflags=$(pkg-config --cflags strata)
check "pkg-config --cflags strata" test -n "$cflags"
check "strata.pc names the plugin dir" test -n "$(pkg-config --variable=plugindir strata)"

mkdir -p plug mig
cat >plug/hello.c <<'C'
/* A source that yields two migrations from nothing but its options. */
#include <string.h>
#include <strata/plugin.h>

static int scan(strata_host *host, const strata_source_cfg *cfg)
{
	const char *table = strata_cfg_option(cfg, "table");
	if (!table) {
		host->error(host, STRATA_ECLASS_CONFIG, cfg->config_file, cfg->config_line, 0,
		            "add  table: NAME", "hello needs a table option");
		return STRATA_EINVAL;
	}
	static char up1[128], up2[128], down[128], down2[128];
	strcpy(up1, "CREATE TABLE "); strcat(up1, table); strcat(up1, " (id INTEGER);");
	strcpy(up2, "INSERT INTO "); strcat(up2, table); strcat(up2, " VALUES (42);");
	strcpy(down, "DROP TABLE "); strcat(down, table); strcat(down, ";");
	strcpy(down2, "DELETE FROM "); strcat(down2, table); strcat(down2, ";");
	strata_migration_desc m = STRATA_MIGRATION_DESC_INIT;
	m.mig_version = "1"; m.name = "create"; m.up = up1; m.up_len = strlen(up1);
	m.down = down; m.down_len = strlen(down); m.file = "virtual/1"; m.line = 1;
	int rc = host->add_migration(host, &m);
	if (rc < 0)
		return rc;
	strata_migration_desc m2 = STRATA_MIGRATION_DESC_INIT;
	m2.mig_version = "2"; m2.name = "seed"; m2.up = up2; m2.up_len = strlen(up2);
	m2.down = down2; m2.down_len = strlen(down2); m2.file = "virtual/2"; m2.line = 1;
	return host->add_migration(host, &m2);
}

static const char *const formats[] = {"hello", NULL};
static const char *const options[] = {"table", NULL};
static const strata_source_ops source = {
	STRATA_OPS_INIT(strata_source_ops, STRATA_SOURCE_VERSION),
	.formats = formats, .options = options, .scan = scan,
};
static const strata_plugin desc = {
	STRATA_PLUGIN_INIT("hello", "1.0", "example out-of-tree source"),
	.source = &source,
};
STRATA_PLUGIN_DEFINE(desc)
C
set +e
${CC:-cc} -std=c11 -Wall -Wextra -Werror -shared -fPIC $cflags -o plug/hello.so plug/hello.c 2>"$T/cc.err"
ccrc=$?
set -e
check "plugin compiles with -Wall -Wextra -Werror against installed headers" eq "$ccrc" 0
check "plugin was not built against the source tree" bash -c "! echo '$cflags' | grep -q '$SRC/include'"

# plugin_util.h is header-only: strict C11 plus POSIX.1-2008, and no warning
# for the functions a plugin leaves unused.
cat >"$T/util.c" <<'C'
#include <strata/plugin_util.h>

int util_read(strata_host *h, int dirfd, const char *rel, strata_arena *a, char **copy)
{
	char *text;
	size_t len;
	int rc = strata_read_file(h, dirfd, rel, NULL, &text, &len);
	if (rc < 0)
		return rc;
	*copy = strata_arena_strndup(a, text, len);
	free(text);
	return *copy ? STRATA_OK : strata_oom(h);
}
C
set +e
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -fPIC $cflags -c -o "$T/util.o" "$T/util.c" 2>"$T/cc.err"
ccrc=$?
set -e
check "a plugin using plugin_util.h compiles with -std=c11 -Wall -Wextra -Werror" eq "$ccrc" 0

printf 'database: sqlite:hello.db\nplugin_path: plug\nsources:\n  - name: hi\n    format: hello\n    path: mig\n    table: greetings\n' >strata.yaml
run plugins
check "strata lists the out-of-tree plugin" grep -qE '^hello +1\.0 +source +.*plug/hello\.so  \[hello\]$' "$T/out"
run apply
check "apply through the out-of-tree source" rc_is 0
check "its migrations ran" eq "$(q hello.db 'SELECT id FROM greetings')" 42
run rollback --to hi:1
check "rollback --to through it" rc_is 0
check "ledger states" eq "$(q hello.db "SELECT group_concat(id || '=' || state) FROM (SELECT * FROM strata_ledger ORDER BY id)")" "hi:1=applied,hi:2=rolled_back"
done_testing
