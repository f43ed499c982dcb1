/*
 * Fuzz target: the Alembic plugin's folder reader (plugins/alembic/scan.c:
 * every revision file of a versions folder read, the graph of
 * down_revision / depends_on / branch labels checked, each body translated
 * for the target's dialect).  The input is the versions folder (tree.h),
 * scanned by the real plugin for SQLite and for PostgreSQL.
 */
#include "source.h"
#include "tree.h"

#include <stdint.h>

static fz_source fz;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fz_source_init(&fz, "alembic",
		"sources:\n"
		"  - {name: reports, format: alembic, path: alembic/versions}\n");
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
