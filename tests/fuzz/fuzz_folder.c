/*
 * Fuzz target: one source plugin's folder reader, the input being the folder
 * (tree.h), scanned by the real plugin for SQLite (down scripts read too)
 * and for PostgreSQL.  One file serves every such target; meson.build gives
 * each its plugin and config:
 *   FZ_FORMAT   the plugin ("prisma", "alembic", "drizzle")
 *   FZ_CONFIG   the strata.yaml of the one source, on one line (YAML flow style)
 *   FZ_PG_WANT  the want bits of the PostgreSQL scan (the Prisma target checks
 *               migration_lock.toml against the dialect: STRATA_WANT_DIALECT_CHECK)
 * What each plugin's reader covers: docs/fuzzing.md.
 */
#include "source.h"
#include "tree.h"

#include <stdint.h>

#ifndef FZ_PG_WANT
#define FZ_PG_WANT 0
#endif

static fz_source fz;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_source_init(&fz, FZ_FORMAT, FZ_CONFIG);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fz_source_path(&fz, 0);
	if (fz_tree_write(dir, data, size) == 0) {
		fz_source_scan(&fz, 0, STRATA_WANT_DOWN_TEXT, "sqlite");
		fz_source_scan(&fz, 0, FZ_PG_WANT, "postgresql");
	}
	fz_empty(dir);
	return 0;
}
