/*
 * schema_sql (for `strata adopt`): the live schema as SQL, from SQLite's own
 * record of it: sqlite_schema's `sql` column is the CREATE statement as the
 * database stored it.  Creation order (rowid), with every table first, then the
 * indexes, the views and the triggers (an INSTEAD OF trigger names a view), so that what an index or view names exists
 * when it runs.  Left out: objects SQLite makes itself (sqlite_*, and
 * autoindexes, whose sql is NULL) and the tables the host names in skip
 * (the tracking tables), with their indexes and triggers.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

struct ddl_ctx {
	const char *const *skip;
	strata_text_fn fn;
	void *ud;
};

static int skipped(const struct ddl_ctx *d, const char *table)
{
	for (size_t i = 0; d->skip && d->skip[i]; i++)
		if (sqlite3_stricmp(d->skip[i], table) == 0)
			return 1;
	return 0;
}

/* name, tbl_name, sql */
static int ddl_row(void *ud, int ncols, const char *const *v)
{
	struct ddl_ctx *d = ud;
	int rc;

	(void)ncols;
	if (skipped(d, v[0]) || skipped(d, v[1]))
		return STRATA_OK;
	rc = d->fn(d->ud, v[2], strlen(v[2]));
	if (rc == STRATA_OK)
		rc = d->fn(d->ud, ";\n\n", 3);
	return rc;
}

int sqlite_drv_schema_sql(strata_conn *conn, strata_host *host, const char *const *skip,
                          strata_text_fn fn, void *ud)
{
	static const char sql[] =
		"SELECT name, tbl_name, sql FROM sqlite_master"
		" WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
		" ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1"
		" WHEN 'view' THEN 2 ELSE 3 END, rowid";
	struct ddl_ctx d = { skip, fn, ud };

	return sqlite_drv_query(conn, host, sql, NULL, 0, ddl_row, &d);
}
