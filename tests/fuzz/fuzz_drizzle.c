/*
 * Fuzz target: the drizzle plugin's folder reader (plugins/drizzle:
 * meta/_journal.json through json-c and the entry-line finder, each TAG.sql
 * split at its statement breakpoints, stray .sql files).  The input is the
 * folder (tree.h), scanned by the real plugin for SQLite and PostgreSQL.
 */
#include "source.h"
#include "tree.h"

#include <stdint.h>

static fz_source fz;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_source_init(&fz, "drizzle",
		"sources:\n"
		"  - {name: app, format: drizzle, path: drizzle}\n");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fz_source_path(&fz, 0);
	if (fz_tree_write(dir, data, size) == 0) {
		fz_source_scan(&fz, 0, STRATA_WANT_DOWN_TEXT, "sqlite");
		fz_source_scan(&fz, 0, 0, "postgresql");
	}
	fz_empty(dir);
	return 0;
}
