/*
 * abiv3: a driver built against the version 3 ABI header (tests/plugin/abi/v3,
 * include/strata/plugin.h as of 3c57b68), whose driver table ends at
 * txn_control: it has no `cancel` (added in driver version 3).  URL scheme
 * "abiv3:PATH", a real SQLite file underneath, kept as plain as a driver can
 * be: each script runs whole through sqlite3_exec.
 *
 * The table is a static const global of exactly the old size, so a host
 * that read `cancel` without STRATA_HAS() would read past the end of a
 * global (AddressSanitizer: global-buffer-overflow) or, without ASan, take
 * whatever follows for a function and call it from a signal handler.  With
 * the check, a signal during a migration on this driver takes effect when
 * its script ends: the transaction is rolled back all the same.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <strata/plugin.h>

_Static_assert(STRATA_DRIVER_VERSION == 2u, "abiv3 must be built against the v3 header");
_Static_assert(sizeof(strata_driver_ops) ==
                   offsetof(strata_driver_ops, txn_control) + sizeof(void (*)(void)),
               "the v3 header's driver table ends at txn_control");

struct strata_conn {
	sqlite3 *db;
};

static int failed(strata_host *host, sqlite3 *db, strata_error_class cls, const char *file)
{
	host->error(host, cls, file, 0, 0, NULL, "%s", sqlite3_errmsg(db));
	return cls == STRATA_ECLASS_SQL ? STRATA_ESQL : STRATA_EIO;
}

static int drv_open(strata_host *host, const char *url, unsigned int flags, strata_conn **out)
{
	strata_conn *c = calloc(1, sizeof *c);
	int rc;

	(void)flags;
	if (!c)
		return STRATA_ENOMEM;
	rc = sqlite3_open(strncmp(url, "abiv3:", 6) ? url : url + 6, &c->db);
	if (rc != SQLITE_OK) {
		rc = failed(host, c->db, STRATA_ECLASS_DB, NULL);
		sqlite3_close(c->db);
		free(c);
		return rc;
	}
	sqlite3_busy_timeout(c->db, 10000);
	*out = c;
	return STRATA_OK;
}

static void drv_close(strata_conn *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	free(c);
}

static int drv_exec(strata_conn *c, strata_host *host, const char *sql)
{
	return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK
		? STRATA_OK : failed(host, c->db, STRATA_ECLASS_DB, NULL);
}

static int drv_query(strata_conn *c, strata_host *host, const char *sql,
                     const char *const *params, int nparams, strata_row_fn fn, void *ud)
{
	sqlite3_stmt *st = NULL;
	const char *vals[32];
	int rc;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return failed(host, c->db, STRATA_ECLASS_DB, NULL);
	for (int i = 0; i < nparams; i++)
		sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_count(st);
		if (n > 32)
			n = 32;
		for (int k = 0; k < n; k++)
			vals[k] = (const char *)sqlite3_column_text(st, k);
		if (fn && (rc = fn(ud, n, vals)) != STRATA_OK) {
			sqlite3_finalize(st);
			return rc == STRATA_STOP ? STRATA_OK : rc;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = failed(host, c->db, STRATA_ECLASS_DB, NULL);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return STRATA_OK;
}

static int drv_begin(strata_conn *c, strata_host *host)
{
	return drv_exec(c, host, "BEGIN IMMEDIATE");
}

static int drv_commit(strata_conn *c, strata_host *host)
{
	return drv_exec(c, host, "COMMIT");
}

static int drv_rollback(strata_conn *c, strata_host *host)
{
	return sqlite3_get_autocommit(c->db) ? STRATA_OK : drv_exec(c, host, "ROLLBACK");
}

static int drv_run(strata_conn *c, strata_host *host, const strata_script *s)
{
	char *sql = malloc(s->len + 1);
	int rc;

	if (!sql)
		return STRATA_ENOMEM;
	memcpy(sql, s->sql, s->len);
	sql[s->len] = '\0';
	rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK
		? STRATA_OK : failed(host, c->db, STRATA_ECLASS_SQL, s->file);
	free(sql);
	return rc;
}

static int drv_dump_schema(strata_conn *c, strata_host *host, strata_text_fn fn, void *ud)
{
	sqlite3_stmt *st = NULL;
	int rc = STRATA_OK;

	if (sqlite3_prepare_v2(c->db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
	                       "ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return failed(host, c->db, STRATA_ECLASS_DB, NULL);
	while (rc == STRATA_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		rc = fn(ud, t, strlen(t));
		if (rc == STRATA_OK)
			rc = fn(ud, ";\n", 2);
	}
	sqlite3_finalize(st);
	return rc;
}

static int found(void *ud, int ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	*(int *)ud = 1;
	return STRATA_STOP;
}

static int drv_table_exists(strata_conn *c, strata_host *host, const char *table)
{
	const char *params[1] = { table };
	int yes = 0;
	int rc = drv_query(c, host, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
	                   params, 1, found, &yes);
	return rc < 0 ? rc : yes;
}

static const char *const schemes[] = { "abiv3", NULL };

static const strata_driver_ops driver = {
	STRATA_OPS_INIT(strata_driver_ops, STRATA_DRIVER_VERSION),
	.schemes = schemes,
	.dialect = "sqlite",
	.open = drv_open,
	.close = drv_close,
	.exec = drv_exec,
	.query = drv_query,
	.begin = drv_begin,
	.commit = drv_commit,
	.rollback = drv_rollback,
	.run = drv_run,
	.dump_schema = drv_dump_schema,
	.table_exists = drv_table_exists,
};

static const strata_plugin plugin = {
	STRATA_PLUGIN_INIT("abiv3", "3.0", "ABI fixture: a driver without cancel (v3 header)"),
	.driver = &driver,
};

STRATA_PLUGIN_DEFINE(plugin)
