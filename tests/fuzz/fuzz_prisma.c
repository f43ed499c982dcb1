/*
 * Fuzz target: the Prisma plugin's folder reader (prisma/migrations/<name>/
 * migration.sql, ordered as the Prisma CLI orders them, and
 * migration_lock.toml checked against the target's dialect).  The input is
 * the migrations folder (tree.h), scanned by the real plugin for SQLite and
 * for PostgreSQL.
 */
#include "source.h"
#include "tree.h"

#include <stdint.h>

static fz_source fz;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_source_init(&fz, "prisma",
		"sources:\n"
		"  - {name: app, format: prisma, path: prisma/migrations}\n");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fz_source_path(&fz, 0);
	if (fz_tree_write(dir, data, size) == 0) {
		fz_source_scan(&fz, 0, STRATA_WANT_DOWN_TEXT, "sqlite");
		fz_source_scan(&fz, 0, STRATA_WANT_DIALECT_CHECK, "postgresql");
	}
	fz_empty(dir);
	return 0;
}
