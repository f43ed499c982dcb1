/*
 * SQL the host writes itself: plain statements, parameterized queries and
 * transactions.  Failures here are database errors (STRATA_ECLASS_DB), not
 * the migration's; sqlite_run.c handles migration scripts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sqlite_int.h"

#define SQLITE_STACK_COLS 16

/* Callers branch on the status, so fold SQLite's many codes into the few the
 * host acts on: a lock timeout, memory, and a broken file are told apart. */
int sqlite_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return STRATA_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STRATA_EBUSY;
	case SQLITE_NOMEM:
		return STRATA_ENOMEM;
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_PROTOCOL:
		return STRATA_EIO;
	default:
		return STRATA_ERR;
	}
}

/* Only the causes a user can act on get a hint; the rest speak for themselves. */
const char *sqlite_hint(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "another process holds the database lock";
	case SQLITE_READONLY:
		return "check that the database file and its directory are writable";
	case SQLITE_NOTADB:
		return "the file exists but is not an SQLite database";
	default:
		return NULL;
	}
}

/* One place to turn a failed host statement into an error report.  The SQL
 * goes to the debug log: it is the host's, so it matters only to developers. */
static int report(strata_host *host, int rc, const char *msg, const char *sql)
{
	host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, sqlite_hint(rc), "%s",
	            msg ? msg : sqlite3_errstr(rc));
	host->debug(host, "sqlite: failing SQL: %s", sql);
	return sqlite_status(rc);
}

/* sqlite3_exec already loops over several statements, which is what the
 * host's DDL (tracking tables) needs. */
int sqlite_drv_exec(strata_conn *conn, strata_host *host, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(conn->db, sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return STRATA_OK;
	rc = report(host, rc, msg, sql);
	sqlite3_free(msg);
	return rc;
}

/*
 * The host writes $1..$n for every driver; SQLite knows $NAME parameters, so
 * look each name up.  Failing that, an anonymous ? (or ?NNN) slot at the same
 * position takes the value.  A parameter the statement does not use is
 * skipped, so one list can serve statements that need only part of it.
 */
static int bind_param(sqlite3_stmt *st, int i, const char *val)
{
	char name[16];
	const char *slot;
	int idx;

	snprintf(name, sizeof name, "$%d", i + 1);
	idx = sqlite3_bind_parameter_index(st, name);
	if (idx == 0) {
		idx = i + 1;
		if (idx > sqlite3_bind_parameter_count(st))
			return SQLITE_OK;
		slot = sqlite3_bind_parameter_name(st, idx);
		if (slot && slot[0] != '?')
			return SQLITE_OK;
	}
	if (!val)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, val, -1, SQLITE_STATIC);
}

/*
 * Rows are handed over as text because every driver must look the same to
 * trackers.  The values array lives on the stack for the usual narrow rows
 * and on the heap for wide ones.  Parameters are bound SQLITE_STATIC: they
 * outlive the statement, which is finalized before returning.
 */
int sqlite_drv_query(strata_conn *conn, strata_host *host, const char *sql,
                     const char *const *params, int nparams, strata_row_fn fn,
                     void *ud)
{
	const char *stack[SQLITE_STACK_COLS];
	const char **vals = stack;
	sqlite3_stmt *st = NULL;
	int rc, ncols, ret = STRATA_OK;

	rc = sqlite3_prepare_v2(conn->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return report(host, rc, sqlite3_errmsg(conn->db), sql);
	if (!st)
		return STRATA_OK; /* only whitespace or comments */
	for (int i = 0; i < nparams; i++) {
		rc = bind_param(st, i, params[i]);
		if (rc != SQLITE_OK) {
			ret = report(host, rc, sqlite3_errmsg(conn->db), sql);
			goto out;
		}
	}
	ncols = sqlite3_column_count(st);
	if (fn && ncols > SQLITE_STACK_COLS) {
		vals = malloc((size_t)ncols * sizeof *vals);
		if (!vals) {
			vals = stack;
			ret = strata_oom(host);
			goto out;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!fn)
			continue;
		for (int j = 0; j < ncols; j++) {
			if (sqlite3_column_type(st, j) == SQLITE_NULL) {
				vals[j] = NULL;
				continue;
			}
			vals[j] = (const char *)sqlite3_column_text(st, j);
			if (!vals[j] && sqlite3_errcode(conn->db) == SQLITE_NOMEM) {
				ret = report(host, SQLITE_NOMEM, NULL, sql);
				goto out;
			}
			if (!vals[j])
				vals[j] = ""; /* a zero-length blob */
		}
		ret = fn(ud, ncols, vals);
		if (ret == STRATA_STOP) {
			ret = STRATA_OK;
			rc = SQLITE_DONE;
			break;
		}
		if (ret < 0)
			goto out;
		ret = STRATA_OK;
	}
	if (rc != SQLITE_DONE)
		ret = report(host, rc, sqlite3_errmsg(conn->db), sql);
out:
	if (vals != stack)
		free(vals);
	sqlite3_finalize(st);
	return ret;
}

/* IMMEDIATE takes the write lock now, so a second strata process waits here
 * (busy timeout) instead of failing halfway through a migration. */
int sqlite_drv_begin(strata_conn *conn, strata_host *host)
{
	return sqlite_drv_exec(conn, host, "BEGIN IMMEDIATE");
}

/* Plain COMMIT; a busy COMMIT leaves the transaction open for rollback(). */
int sqlite_drv_commit(strata_conn *conn, strata_host *host)
{
	return sqlite_drv_exec(conn, host, "COMMIT");
}

/* The host rolls back on every error path, including ones where SQLite has
 * already rolled back by itself (or nothing was begun); that is not an error. */
int sqlite_drv_rollback(strata_conn *conn, strata_host *host)
{
	if (sqlite3_get_autocommit(conn->db))
		return STRATA_OK;
	return sqlite_drv_exec(conn, host, "ROLLBACK");
}
