/*
 * SQL the host writes itself: plain statements, parameterized queries and
 * transactions.  Failures here are database errors (STRATA_ECLASS_DB), not
 * the migration's; postgres_run.c handles migration scripts.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "postgres_int.h"

#define PGDRV_STACK_COLS 16

/* A command succeeded when it returned rows, nothing, or was empty text. */
static int result_ok(const PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

/* PQexec runs several ';'-separated statements in one call, which is what
 * the host's DDL needs; it has no parameters by contract. */
int pgdrv_exec(strata_conn *conn, strata_host *host, const char *sql)
{
	PGresult *res;
	int rc = STRATA_OK;

	conn->host = host;
	res = PQexec(conn->pg, sql);
	if (!result_ok(res))
		rc = pgdrv_fail(conn, host, res, sql);
	PQclear(res);
	return rc;
}

/* Hand each row to fn as text (NULL for SQL NULL); STRATA_STOP ends the
 * walk without error, a negative return ends it with that status. */
static int deliver(const PGresult *res, const char **vals, strata_row_fn fn, void *ud)
{
	const int nrows = PQntuples(res), ncols = PQnfields(res);

	for (int r = 0; r < nrows; r++) {
		int rc;

		for (int c = 0; c < ncols; c++)
			vals[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
		rc = fn(ud, ncols, vals);
		if (rc == STRATA_STOP)
			return STRATA_OK;
		if (rc < 0)
			return rc;
	}
	return STRATA_OK;
}

/*
 * Values go out as text parameters (the server infers their types from the
 * statement) and rows come back as text, the same for every driver.  The
 * values array lives on the stack for the usual narrow rows.
 */
int pgdrv_query(strata_conn *conn, strata_host *host, const char *sql,
                const char *const *params, int nparams, strata_row_fn fn, void *ud)
{
	const char *stack[PGDRV_STACK_COLS];
	const char **vals = stack;
	PGresult *res;
	int rc = STRATA_OK, ncols;

	conn->host = host;
	res = PQexecParams(conn->pg, sql, nparams, NULL, nparams > 0 ? params : NULL,
	                   NULL, NULL, 0);
	if (!result_ok(res)) {
		rc = pgdrv_fail(conn, host, res, sql);
		PQclear(res);
		return rc;
	}
	ncols = PQnfields(res);
	if (fn && ncols > PGDRV_STACK_COLS) {
		vals = malloc((size_t)ncols * sizeof *vals);
		if (!vals) {
			PQclear(res);
			return strata_oom(host);
		}
	}
	if (fn && PQresultStatus(res) == PGRES_TUPLES_OK)
		rc = deliver(res, vals, fn, ud);
	if (vals != stack)
		free(vals);
	PQclear(res);
	return rc;
}

/* Keep a copy of the first column of the first row. */
static int keep_text(void *ud, int ncols, const char *const *values)
{
	char **out = ud;

	if (ncols < 1 || !values[0])
		return STRATA_STOP;
	*out = strdup(values[0]);
	return *out ? STRATA_STOP : STRATA_ENOMEM;
}

/*
 * Most catalog questions have a one-value answer (current_schema(), a
 * setting, a lock attempt).  *out is a new string, NULL when the query
 * returned no row or SQL NULL.
 */
int pgdrv_query_text(strata_conn *conn, strata_host *host, const char *sql,
                     const char *const *params, int nparams, char **out)
{
	int rc;

	*out = NULL;
	rc = pgdrv_query(conn, host, sql, params, nparams, keep_text, out);
	if (rc == STRATA_ENOMEM && !*out)
		return strata_oom(host);
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* Host SQL through a pooler: in a transaction of the driver's own when it
 * needs the session's settings or takes advisory locks (postgres_pool.c). */
int pgdrv_host_exec(strata_conn *conn, strata_host *host, const char *sql)
{
	int own, rc;

	conn->host = host;
	if (conn->pooled && strcasestr(sql, "advisory"))
		conn->advisory = 1;
	rc = pgdrv_pool_enter(conn, host, &own);
	if (rc == STRATA_OK)
		rc = pgdrv_exec(conn, host, sql);
	return pgdrv_pool_leave(conn, host, own, rc);
}

int pgdrv_host_query(strata_conn *conn, strata_host *host, const char *sql,
                     const char *const *params, int nparams, strata_row_fn fn, void *ud)
{
	int own, rc;

	conn->host = host;
	if (conn->pooled && strcasestr(sql, "advisory"))
		conn->advisory = 1;
	rc = pgdrv_pool_enter(conn, host, &own);
	if (rc == STRATA_OK)
		rc = pgdrv_query(conn, host, sql, params, nparams, fn, ud);
	return pgdrv_pool_leave(conn, host, own, rc);
}

/* Plain BEGIN: the default isolation level is what every tool uses.
 * Through a pooler, with the session's settings and the lock's fence. */
int pgdrv_begin(strata_conn *conn, strata_host *host)
{
	conn->host = host;
	if (conn->piped) /* sent with the script (postgres_pipe.c) */
		return pgdrv_defer(conn, host, "BEGIN", NULL, 0, NULL, NULL, STRATA_PIPE_BEGIN);
	if (conn->pooled) {
		conn->advisory = 0;
		return pgdrv_pool_begin(conn, host, 1);
	}
	return pgdrv_exec(conn, host, "BEGIN");
}

/*
 * COMMIT of a transaction that already failed "succeeds" with the tag
 * ROLLBACK, which would be a silent loss.  Refuse it instead; the host then
 * rolls back and keeps this error.
 */
int pgdrv_commit(strata_conn *conn, strata_host *host)
{
	conn->host = host;
	if (PQtransactionStatus(conn->pg) == PQTRANS_INERROR) {
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, NULL,
		            "cannot commit: a statement in this transaction failed");
		return STRATA_ERR;
	}
	if (conn->piped) /* sent with the record (postgres_pipe.c) */
		return pgdrv_defer(conn, host, "COMMIT", NULL, 0, NULL, NULL, STRATA_PIPE_COMMIT);
	if (conn->pooled && conn->advisory && PQtransactionStatus(conn->pg) == PQTRANS_INTRANS) {
		int rc = pgdrv_pool_keep_locks(conn, host);
		if (rc != STRATA_OK)
			return rc;
	}
	conn->advisory = 0;
	return pgdrv_exec(conn, host, "COMMIT");
}

/*
 * The host rolls back on every error path, including ones where no
 * transaction is open (a script ended it, or nothing was begun); that is not
 * an error.  A broken connection has nothing to roll back either: the server
 * ends the transaction when the session goes.
 */
int pgdrv_rollback(strata_conn *conn, strata_host *host)
{
	conn->host = host;
	conn->advisory = 0;
	if (conn->piped)
		pgdrv_pipeline(conn, host, 0);
	switch (PQtransactionStatus(conn->pg)) {
	case PQTRANS_IDLE:
		return STRATA_OK;
	case PQTRANS_UNKNOWN:
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, NULL,
		            "cannot roll back: the connection to the server is lost");
		return STRATA_EIO;
	default:
		return pgdrv_exec(conn, host, "ROLLBACK");
	}
}
