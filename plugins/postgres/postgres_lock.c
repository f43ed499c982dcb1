/*
 * The migration lock: an advisory lock held from open to close of a
 * command, so two strata processes never plan and apply against the same
 * ledger at once.  It is taken by polling, so a timeout can name the
 * session that holds it.  Directly it is session-level on the command's
 * connection.  Through a transaction pooler (?pgbouncer=true), where a
 * session does not last, it is transaction-level on a second connection
 * whose transaction stays open for the command: PgBouncer keeps that
 * transaction on one server connection, and ends it when the client goes
 * (postgres_pool.c checks it is still held in every transaction).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "postgres_int.h"

#define PGDRV_LOCK_POLL_MS 50

/*
 * The key belongs to the ledger, not to the database: one per schema that
 * holds a strata_ledger, so strata runs on different ?schema= of one
 * database do not wait for each other.  Derivation (stable, documented):
 *
 *   name = current_schema() || '.strata_ledger'     e.g. "public.strata_ledger"
 *   key  = the first 16 hex digits of sha256(name) (lower-case hex of the
 *          UTF-8 bytes), read as a big-endian unsigned 64-bit number and
 *          reinterpreted as a signed bigint (two's complement)
 *
 * The same in SQL, to inspect or take the lock by hand:
 *
 *   SELECT ('x' || left(encode(sha256(convert_to(current_schema()
 *           || '.strata_ledger', 'UTF8')), 'hex'), 16))::bit(64)::bigint;
 *
 * The key goes to the server as decimal text, bound as $1::bigint.
 */
static void key_of(strata_host *host, const char *name, char out[24])
{
	char hex[65];
	uint64_t u;
	int64_t k;

	host->sha256_hex(name, strlen(name), hex);
	hex[16] = '\0';
	u = strtoull(hex, NULL, 16);
	k = u <= INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
	snprintf(out, 24, "%lld", (long long)k);
}

/*
 * The fence key, of name || ':fence' ("public.strata_ledger:fence") by the
 * same rule: every transaction of a holder through a pooler takes it shared,
 * and a new holder takes it exclusively once, right after the lock, so it
 * starts only when no transaction of an earlier holder that lost the lock
 * is still running.
 */
static int lock_key(strata_conn *conn, strata_host *host, char out[24], char fence[24])
{
	char *schema = NULL, *name = NULL;
	int own, rc = pgdrv_pool_enter(conn, host, &own);

	if (rc == STRATA_OK)
		rc = pgdrv_query_text(conn, host, "SELECT pg_catalog.current_schema()", NULL, 0, &schema);
	rc = pgdrv_pool_leave(conn, host, own, rc);
	if (rc < 0) {
		free(schema);
		return rc;
	}
	if (!schema) {
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0,
		            "create the schema, or choose one with ?schema=NAME in the URL",
		            "no schema to keep strata_ledger in: search_path names no "
		            "existing schema");
		return STRATA_EINVAL;
	}
	if (asprintf(&name, "%s.strata_ledger:fence", schema) < 0) {
		free(schema);
		return strata_oom(host);
	}
	key_of(host, name, fence);
	name[strlen(name) - 6] = '\0';
	key_of(host, name, out);
	host->debug(host, "postgres: migration lock key %s (sha256 of \"%s\"), fence key %s",
	            out, name, fence);
	free(name);
	free(schema);
	return STRATA_OK;
}

/* Milliseconds since start, on a clock that does not jump. */
static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 +
	       (long)(now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Between attempts; an interrupted sleep only makes the next try early. */
static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Who holds the lock, as pg_locks and pg_stat_activity tell: its server
 * pid, application_name, whether its client and ours are both on the
 * server's host, and whether it is running a statement. */
struct holder {
	int found;
	int pid;
	char name[128];
	int local;
	int active;
};

/* The first holder row is enough to name someone. */
static int holder_row(void *ud, int ncols, const char *const *values)
{
	struct holder *h = ud;

	if (ncols < 4 || !values[0])
		return STRATA_STOP;
	h->found = 1;
	h->pid = atoi(values[0]);
	snprintf(h->name, sizeof h->name, "%s", values[1] ? values[1] : "");
	h->local = values[2] && !strcmp(values[2], "t");
	h->active = values[3] && !strcmp(values[3], "active");
	return STRATA_STOP;
}

/*
 * The strata process behind a holder, when it is known to be gone: its
 * application_name is exactly the one pgdrv_connect gives ("strata (pid
 * N)"), both clients are on this host (so N is a pid here), and there is
 * no process N (ESRCH; EPERM means there is one, of another user).
 * Returns N, or 0 when it is alive or cannot be told.
 */
static long gone_strata(const struct holder *h)
{
	long pid = 0;
	int end = 0;

	if (!h->local || sscanf(h->name, "strata (pid %ld)%n", &pid, &end) != 1 ||
	    h->name[end] != '\0' || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH ? pid : 0;
}

/*
 * A bigint advisory key shows in pg_locks split in two oids: classid holds
 * the high 32 bits, objid the low 32, objsubid is 1 (2 is the two-int4
 * form).  Shifting a bigint left wraps without error, which rebuilds the
 * signed key.  Locks of other databases with the same key do not conflict,
 * so only this database's count.  A client is on the server's host when it
 * came through a unix socket (client_port -1; NULL is a session whose
 * details this role may not see) or a loopback address; two such clients
 * are on one host.
 */
static int report_holder(strata_conn *conn, strata_host *host, const char *key, long timeout_ms)
{
	static const char sql[] =
		"WITH here AS (SELECT a.pid, (a.client_port = -1"
		"                OR a.client_addr <<= '127.0.0.0/8'::inet"
		"                OR a.client_addr = '::1'::inet) AS local"
		"              FROM pg_catalog.pg_stat_activity a)"
		" SELECT l.pid, a.application_name,"
		"  coalesce(h.local AND (SELECT local FROM here WHERE pid = pg_catalog.pg_backend_pid()),"
		"           false),"
		"  a.state"
		" FROM pg_catalog.pg_locks l"
		" LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
		" LEFT JOIN here h ON h.pid = l.pid"
		" WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
		" AND l.database = (SELECT oid FROM pg_catalog.pg_database"
		"                   WHERE datname = pg_catalog.current_database())"
		" AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint"
		" LIMIT 1";
	static const char hint[] =
		"another strata is applying migrations; wait for it or raise --lock-timeout";
	const char *params[1] = { key };
	struct holder h = { 0 };
	char gone_hint[200];
	long gone;
	int rc = pgdrv_query(conn, host, sql, params, 1, holder_row, &h);

	if (rc < 0)
		return rc;
	if (!h.found) {
		host->error(host, STRATA_ECLASS_LOCK, NULL, 0, 0, hint,
		            "could not take the migration lock within %ld ms: held by "
		            "another session", timeout_ms);
	} else if ((gone = gone_strata(&h)) != 0) {
		snprintf(gone_hint, sizeof gone_hint,
		         "end that session with SELECT pg_terminate_backend(%d)%s", h.pid,
		         h.active ? ", or wait until its statement ends" : "");
		host->error(host, STRATA_ECLASS_LOCK, NULL, 0, 0, gone_hint,
		            "could not take the migration lock within %ld ms: held by %s "
		            "(server pid %d), a process that is gone; its server session %s",
		            timeout_ms, h.name, h.pid,
		            h.active ? "still runs its last statement" : "is still open");
	} else {
		host->error(host, STRATA_ECLASS_LOCK, NULL, 0, 0, hint,
		            "could not take the migration lock within %ld ms: held by %s "
		            "(server pid %d)", timeout_ms,
		            h.name[0] ? h.name : "a session without application_name", h.pid);
	}
	return STRATA_EBUSY;
}

/* A failure on the lock's connection, scrubbed like every message. */
static int anchor_failed(strata_conn *conn, strata_host *host, PGresult *res)
{
	char *msg = pgdrv_clean_lines(conn, res ? PQresultErrorMessage(res)
	                                        : PQerrorMessage(conn->anchor));
	host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, NULL, "%s",
	            msg && *msg ? msg : "the lock's connection failed");
	free(msg);
	return res ? pgdrv_status(NULL, res) : STRATA_EIO;
}

/*
 * One attempt through a pooler: on the lock's connection (opened the first
 * time), a transaction that takes the lock transaction-level and, when it
 * got it, stays open; when not, it ends, so a waiter pins no server
 * connection.  The server's idle_in_transaction_session_timeout must not end
 * it: it is off in this transaction.
 */
static int anchor_try(strata_conn *conn, strata_host *host, const char *key, int *got)
{
	char sql[200];
	PGresult *res;
	int rc = STRATA_OK;

	*got = 0;
	if (!conn->anchor) {
		conn->anchor = pgdrv_connect(conn, host, conn->conninfo);
		if (!conn->anchor)
			return STRATA_EIO;
	}
	snprintf(sql, sizeof sql,
	         "BEGIN; SET LOCAL idle_in_transaction_session_timeout = 0;"
	         " SELECT pg_catalog.pg_try_advisory_xact_lock(%s::bigint)", key);
	res = PQexec(conn->anchor, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = anchor_failed(conn, host, res);
	else
		*got = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
	PQclear(res);
	if (rc != STRATA_OK || !*got)
		PQclear(PQexec(conn->anchor, "ROLLBACK"));
	if (rc == STRATA_OK && *got) {
		res = PQexec(conn->anchor, "SELECT pg_catalog.pg_backend_pid()");
		if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
			rc = anchor_failed(conn, host, res);
		else
			snprintf(conn->anchor_pid, sizeof conn->anchor_pid, "%d",
			         atoi(PQgetvalue(res, 0, 0)));
		PQclear(res);
	}
	return rc;
}

/* One attempt on the command's own session. */
static int session_try(strata_conn *conn, strata_host *host, const char *key, int *got)
{
	static const char sql[] = "SELECT pg_catalog.pg_try_advisory_lock($1::bigint)";
	const char *params[1] = { key };
	char *v = NULL;
	int rc = pgdrv_query_text(conn, host, sql, params, 1, &v);

	*got = rc == STRATA_OK && v && !strcmp(v, "t");
	free(v);
	return rc;
}

/*
 * Just taken: wait (within what is left of timeout_ms) until no transaction
 * of an earlier holder is still running, which can only be one whose lock
 * connection went away under it (postgres_pool.c).  One round trip, every
 * value a literal.
 */
static int drain(strata_conn *conn, strata_host *host, long left_ms)
{
	char sql[200];
	PGresult *res;
	int rc = STRATA_OK;

	snprintf(sql, sizeof sql,
	         "BEGIN; SET LOCAL lock_timeout = %ld;"
	         " SELECT pg_catalog.pg_advisory_xact_lock(%s::bigint); COMMIT",
	         left_ms < 0 ? 0L : left_ms < 1 ? 1L : left_ms > 2147483647L ? 2147483647L : left_ms,
	         conn->fence_key);
	res = PQexec(conn->pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		if (st && !strcmp(st, "55P03")) {
			host->error(host, STRATA_ECLASS_LOCK, NULL, 0, 0,
			            "wait for it to end or raise --lock-timeout",
			            "could not take the migration lock in time: a migration of a "
			            "strata that lost the lock is still running");
			rc = STRATA_EBUSY;
		} else {
			rc = pgdrv_fail(conn, host, res, sql);
		}
	}
	PQclear(res);
	if (PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
		PQclear(PQexec(conn->pg, "ROLLBACK"));
	return rc;
}

/*
 * An attempt every 50 ms until timeout_ms (< 0: forever, 0: one try).  A
 * blocking pg_advisory_lock would wait without a way to say for whom, and
 * lock_timeout is the user's setting for migrations, not ours.
 */
int pgdrv_lock(strata_conn *conn, strata_host *host, long timeout_ms)
{
	struct timespec start;
	char key[24], fence[24];
	int rc, got;

	conn->host = host;
	if (conn->lock_key[0])
		return STRATA_OK;
	rc = lock_key(conn, host, key, fence);
	if (rc < 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long left;

		rc = conn->pooled ? anchor_try(conn, host, key, &got) : session_try(conn, host, key, &got);
		if (rc < 0)
			return rc;
		if (got)
			break;
		left = timeout_ms < 0 ? PGDRV_LOCK_POLL_MS : timeout_ms - elapsed_ms(&start);
		if (left <= 0)
			return report_holder(conn, host, key, timeout_ms);
		sleep_ms(left < PGDRV_LOCK_POLL_MS ? left : PGDRV_LOCK_POLL_MS);
		rc = pgdrv_stopped(conn, host, "while waiting for the migration lock");
		if (rc < 0)
			return rc;
	}
	memcpy(conn->lock_key, key, sizeof key);
	memcpy(conn->fence_key, fence, sizeof fence);
	if (conn->pooled)
		host->debug(host, "postgres: migration lock held by a connection of its own "
		            "(server pid %s) through PgBouncer", conn->anchor_pid);
	rc = drain(conn, host, timeout_ms < 0 ? -1 : timeout_ms - elapsed_ms(&start));
	if (rc != STRATA_OK)
		pgdrv_unlock(conn, host);
	return rc;
}

/*
 * Release the lock.  In a session whose transaction is still open or failed
 * the unlock query cannot run, and the host is about to close the
 * connection anyway, which releases it; reporting would only bury the error
 * that got us here.  Through a pooler, the lock's connection ends its
 * transaction and closes.
 */
int pgdrv_unlock(strata_conn *conn, strata_host *host)
{
	static const char sql[] = "SELECT pg_catalog.pg_advisory_unlock($1::bigint)";
	const char *params[1] = { conn->lock_key };
	char *got = NULL;
	int rc;

	conn->host = host;
	if (!conn->lock_key[0])
		return STRATA_OK;
	if (conn->pooled) {
		if (conn->anchor) {
			PQclear(PQexec(conn->anchor, "ROLLBACK"));
			PQfinish(conn->anchor);
			conn->anchor = NULL;
		}
		conn->lock_key[0] = conn->fence_key[0] = conn->anchor_pid[0] = '\0';
		return STRATA_OK;
	}
	if (PQtransactionStatus(conn->pg) != PQTRANS_IDLE) {
		host->debug(host, "postgres: migration lock left to the end of the session");
		return STRATA_OK;
	}
	rc = pgdrv_query_text(conn, host, sql, params, 1, &got);
	if (rc == STRATA_OK && !(got && strcmp(got, "t") == 0))
		host->debug(host, "postgres: migration lock was not held at unlock");
	free(got);
	conn->lock_key[0] = conn->fence_key[0] = '\0';
	return rc;
}
