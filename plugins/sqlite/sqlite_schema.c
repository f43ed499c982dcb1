/*
 * Schema questions: the DDL dump used for schema files and drift checks, and
 * whether a table exists (trackers ask before reading their table).
 */
#include <string.h>

#include "sqlite_int.h"

struct dump_ctx {
	strata_text_fn fn;
	void *ud;
};

/* Each object's stored CREATE text, terminated like a script statement. */
static int dump_row(void *ud, int ncols, const char *const *values)
{
	struct dump_ctx *d = ud;
	int rc;

	(void)ncols;
	rc = d->fn(d->ud, values[0], strlen(values[0]));
	if (rc == STRATA_OK)
		rc = d->fn(d->ud, ";\n", 2);
	return rc;
}

/*
 * The dump must be byte-identical for identical schemas, so order by kind then
 * name rather than by creation order (rootpage, rowid).  Objects SQLite makes
 * itself (sqlite_sequence, sqlite_stat1, autoindexes) are left out: the first
 * two by name (with '_' escaped, it is a LIKE wildcard), autoindexes because
 * their sql is NULL.
 */
int sqlite_drv_dump_schema(strata_conn *conn, strata_host *host,
                           strata_text_fn fn, void *ud)
{
	static const char sql[] =
		"SELECT sql FROM sqlite_master"
		" WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
		" ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1"
		" WHEN 'view' THEN 2 ELSE 3 END, name";
	struct dump_ctx d = { fn, ud };

	return sqlite_drv_query(conn, host, sql, NULL, 0, dump_row, &d);
}

/* Any row means yes; stop at the first. */
static int found_row(void *ud, int ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	*(int *)ud = 1;
	return STRATA_STOP;
}

/* SQLite table names compare case-insensitively, so the lookup does too:
 * "Users" exists if "users" does, as CREATE TABLE would agree. */
int sqlite_drv_table_exists(strata_conn *conn, strata_host *host,
                            const char *table)
{
	static const char sql[] =
		"SELECT 1 FROM sqlite_master"
		" WHERE type = 'table' AND name = $1 COLLATE NOCASE";
	const char *params[1] = { table };
	int found = 0;
	int rc = sqlite_drv_query(conn, host, sql, params, 1, found_row, &found);

	return rc < 0 ? rc : found;
}
