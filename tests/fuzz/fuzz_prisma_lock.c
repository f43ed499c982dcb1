/*
 * Fuzz target: Prisma's migration_lock.toml reader (plugins/prisma/
 * lockfile.c).  The input is the file's whole text, beside one valid
 * migration folder; the real plugin scans the folder with the dialect check
 * `strata verify` asks for, on SQLite and on PostgreSQL.
 */
#include "source.h"
#include "tree.h"

#include <stdint.h>

static fz_source fz;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_source_init(&fz, "prisma-lock",
		"sources:\n"
		"  - {name: app, format: prisma, path: prisma/migrations}\n");
	static const char tree[] = "=== 20240101000000_init/migration.sql\n"
	                           "CREATE TABLE \"User\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n";
	if (fz_tree_write(fz_source_path(&fz, 0), (const uint8_t *)tree, sizeof tree - 1) != 0)
		return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fz_source_path(&fz, 0);
	if (fz_write_file(dir, "migration_lock.toml", data, size) == 0) {
		fz_source_scan(&fz, 0, STRATA_WANT_DIALECT_CHECK, "sqlite");
		fz_source_scan(&fz, 0, STRATA_WANT_DIALECT_CHECK, "postgresql");
		fz_source_scan(&fz, 0, 0, "sqlite");
	}
	return 0;
}
