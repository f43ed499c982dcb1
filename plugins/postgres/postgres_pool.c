/*
 * Through a transaction pooler (?pgbouncer=true): PgBouncer in transaction
 * mode gives each transaction whatever server connection is free, so
 * nothing of a session lasts from one transaction to the next, and what a
 * session leaves behind reaches another client.  Here:
 *
 *   - the settings strata's session would have (search_path of ?schema=,
 *     session: lock_timeout and statement_timeout) are set for the
 *     transaction only (SET LOCAL, set_config(…, true)) in every
 *     transaction: the host's, and one the driver opens around a host
 *     statement that needs them;
 *   - the migration lock is held by a second connection that keeps one
 *     transaction open for the whole command, which pins its server
 *     connection (postgres_lock.c); every transaction of the host checks that
 *     this connection still holds it;
 *   - a session-level advisory lock that host SQL takes (Prisma's tracker
 *     lock) is moved to that connection before its transaction ends, so it
 *     lasts for the command and is never left on a pooled server connection.
 *
 * Prepared statements: libpq's PQexecParams uses the unnamed statement
 * (Parse, Bind, Execute, Sync in one go), which PgBouncer passes through;
 * strata never prepares a named one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres_int.h"

/* session: lock_timeout and statement_timeout, ms; 0 when not set. */
static void session_timeouts(strata_host *host, long ms[2])
{
	ms[0] = ms[1] = 0;
	if (!STRATA_HAS(strata_host, host, session_statement_timeout_ms))
		return;
	ms[0] = host->session_lock_timeout_ms > 0 ? host->session_lock_timeout_ms : 0;
	ms[1] = host->session_statement_timeout_ms > 0 ? host->session_statement_timeout_ms : 0;
}

/*
 * "BEGIN; SET LOCAL search_path …; SELECT set_config(…, true), …[, fence]"
 * for the transaction about to start (one round trip: every value is a
 * literal, the schema an identifier quoted by libpq).  The fence is true while the lock's connection holds the
 * migration lock: it takes the fence key shared, which a later holder takes
 * exclusively once (postgres_lock.c), and finds the lock held by the lock
 * connection's server process in pg_locks.
 */
static char *begin_sql(strata_conn *c, strata_host *host, int fence)
{
	static const char *const names[2] = { "lock_timeout", "statement_timeout" };
	long ms[2];
	char *sql = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&sql, &len);
	int cols = 0;

	if (!f)
		return NULL;
	session_timeouts(host, ms);
	fputs("BEGIN; ", f);
	if (c->schema_ident) /* SET, as without a pooler: the same canonical value */
		fprintf(f, "SET LOCAL search_path TO %s; ", c->schema_ident);
	fputs("SELECT ", f);
	for (int i = 0; i < 2; i++)
		if (ms[i] > 0)
			fprintf(f, "%spg_catalog.set_config('%s', '%ld', true)", cols++ ? ", " : "",
			        names[i], ms[i] > 2147483647L ? 2147483647L : ms[i]);
	if (fence && c->anchor)
		fprintf(f, "%spg_catalog.pg_try_advisory_xact_lock_shared(%s::bigint)"
		        " AND EXISTS (SELECT 1 FROM pg_catalog.pg_locks l"
		        " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
		        " AND l.pid = %s AND l.database = (SELECT oid FROM pg_catalog.pg_database"
		        " WHERE datname = pg_catalog.current_database())"
		        " AND ((l.classid::bigint << 32) | l.objid::bigint) = %s::bigint)",
		        cols++ ? ", " : "", c->fence_key, c->anchor_pid, c->lock_key);
	if (!cols)
		fputs("1", f);
	if (fclose(f) != 0) {
		free(sql);
		return NULL;
	}
	return sql;
}

/* Does a statement outside a transaction need one of its own? */
static int needs_settings(strata_conn *c, strata_host *host)
{
	long ms[2];

	session_timeouts(host, ms);
	return c->schema_ident || ms[0] > 0 || ms[1] > 0;
}

/* Abandon the driver's own transaction, keeping the error already reported. */
static void drop_tx(strata_conn *c)
{
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		PQclear(PQexec(c->pg, "ROLLBACK"));
}

int pgdrv_pool_begin(strata_conn *c, strata_host *host, int fence)
{
	char *sql = begin_sql(c, host, fence);
	PGresult *res;
	int rc = STRATA_OK;

	if (!sql)
		return strata_oom(host);
	res = PQexec(c->pg, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pgdrv_fail(c, host, res, sql);
	} else if (fence && c->anchor) {
		int last = PQnfields(res) - 1;
		if (PQntuples(res) != 1 || last < 0 || strcmp(PQgetvalue(res, 0, last), "t")) {
			host->error(host, STRATA_ECLASS_LOCK, NULL, 0, 0,
			            "run the command again; check PgBouncer's idle_transaction_timeout "
			            "and that nothing ends strata's sessions",
			            "the migration lock was lost: the connection that held it through "
			            "PgBouncer is gone");
			rc = STRATA_EBUSY;
		}
	}
	PQclear(res);
	free(sql);
	if (rc != STRATA_OK)
		drop_tx(c);
	return rc;
}

int pgdrv_pool_enter(strata_conn *c, strata_host *host, int *own)
{
	*own = 0;
	if (!c->pooled || PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		return STRATA_OK;
	if (!c->advisory && !needs_settings(c, host))
		return STRATA_OK;
	int rc = pgdrv_pool_begin(c, host, 0);
	*own = rc == STRATA_OK;
	return rc;
}

int pgdrv_pool_leave(strata_conn *c, strata_host *host, int own, int rc)
{
	if (!own)
		return rc;
	if (rc == STRATA_OK && c->advisory && PQtransactionStatus(c->pg) == PQTRANS_INTRANS)
		rc = pgdrv_pool_keep_locks(c, host);
	c->advisory = 0;
	if (rc == STRATA_OK && PQtransactionStatus(c->pg) == PQTRANS_INTRANS)
		rc = pgdrv_exec(c, host, "COMMIT");
	if (rc != STRATA_OK)
		drop_tx(c);
	return rc;
}

/* One advisory lock this backend holds, as pg_locks shows it. */
struct held {
	int subid; /* 1: one bigint key; 2: two int4 keys */
	unsigned long long classid, objid;
	int shared;
};
struct held_list {
	struct held *v;
	size_t n;
	int oom;
};

static int held_row(void *ud, int ncols, const char *const *values)
{
	struct held_list *l = ud;
	struct held *grown;

	if (ncols < 4 || !values[0] || !values[1] || !values[2])
		return STRATA_OK;
	grown = realloc(l->v, (l->n + 1) * sizeof *l->v);
	if (!grown) {
		l->oom = 1;
		return STRATA_ENOMEM;
	}
	l->v = grown;
	l->v[l->n++] = (struct held){ atoi(values[0]), strtoull(values[1], NULL, 10),
		                      strtoull(values[2], NULL, 10), values[3] && !strcmp(values[3], "t") };
	return STRATA_OK;
}

/* The key's arguments as SQL text: "k::bigint" or "a::int, b::int". */
static void key_args(const struct held *h, char *out, size_t size)
{
	if (h->subid == 1)
		snprintf(out, size, "%" PRId64 "::bigint", (int64_t)((h->classid << 32) | h->objid));
	else
		snprintf(out, size, "%" PRId32 "::int, %" PRId32 "::int", (int32_t)(uint32_t)h->classid,
		         (int32_t)(uint32_t)h->objid);
}

/* The one-value answer of sql on pg: 1 for "t", 0 otherwise, < 0 error. */
static int ask(strata_conn *c, strata_host *host, PGconn *pg, const char *sql)
{
	PGresult *res = PQexec(pg, sql);
	int rc;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char *msg = pgdrv_clean_lines(c, res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, NULL, "%s", msg ? msg : "out of memory");
		free(msg);
		rc = res ? STRATA_ERR : STRATA_ENOMEM;
	} else {
		rc = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
	}
	PQclear(res);
	return rc;
}

/*
 * Before the transaction ends: every session-level advisory lock this
 * backend holds (pg_advisory_unlock answers true only for those) is released
 * here and taken again, transaction-level, by the lock's connection, whose
 * transaction lasts for the command.  Without a migration lock (a read-only
 * command) it is only released: it could not outlive the transaction.
 */
int pgdrv_pool_keep_locks(strata_conn *c, strata_host *host)
{
	static const char sql[] =
		"SELECT l.objsubid, l.classid, l.objid, l.mode = 'ShareLock'"
		" FROM pg_catalog.pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
		" AND l.pid = pg_catalog.pg_backend_pid() AND l.objsubid IN (1, 2)";
	struct held_list l = { 0 };
	int rc = pgdrv_query(c, host, sql, NULL, 0, held_row, &l);

	if (l.oom)
		rc = strata_oom(host);
	for (size_t i = 0; rc == STRATA_OK && i < l.n; i++) {
		const struct held *h = &l.v[i];
		char args[64], q[160];
		int levels = 0, r;

		key_args(h, args, sizeof args);
		if (h->subid == 1 && c->fence_key[0] && !strncmp(args, c->fence_key, strlen(c->fence_key)) &&
		    args[strlen(c->fence_key)] == ':')
			continue; /* the fence: transaction-level, ours */
		snprintf(q, sizeof q, "SELECT pg_catalog.pg_advisory_unlock%s(%s)", h->shared ? "_shared" : "",
		         args);
		while (levels < 1000 && (r = ask(c, host, c->pg, q)) == 1)
			levels++;
		if (r < 0) {
			rc = r;
			break;
		}
		if (!levels)
			continue; /* transaction-level: ends with the transaction */
		if (!c->anchor) {
			host->debug(host, "postgres: session-level advisory lock (%s) released at the end of "
			            "its transaction: through PgBouncer it cannot outlive it", args);
			continue;
		}
		snprintf(q, sizeof q, "SELECT pg_catalog.pg_try_advisory_xact_lock%s(%s)",
		         h->shared ? "_shared" : "", args);
		r = ask(c, host, c->anchor, q);
		if (r < 0) {
			rc = r;
		} else if (!r) {
			host->error(host, STRATA_ECLASS_LOCK, NULL, 0, 0,
			            "run the command again when the other session is done",
			            "could not keep the session-level advisory lock (%s) through PgBouncer: "
			            "another session took it meanwhile", args);
			rc = STRATA_EBUSY;
		} else {
			host->debug(host, "postgres: session-level advisory lock (%s) kept by the migration "
			            "lock's connection until the command ends (PgBouncer)", args);
		}
	}
	free(l.v);
	return rc;
}
