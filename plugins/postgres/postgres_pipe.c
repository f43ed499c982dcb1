/*
 * The pipeline (plugin.h, driver version 6): libpq's pipeline mode, so the
 * statements of one transaction travel in as few round trips as the host's
 * reads allow.  Queued statements go out with PQsendQueryParams (the
 * extended protocol, one statement each) and stay in libpq's buffer until
 * flush() sends them with a Sync and reads every result in order.
 *
 * Round trips per migration of `strata apply` (a CREATE TABLE and an INSERT,
 * golang-migrate's schema_migrations; counted with log_statement=all and
 * strace): before, 8: BEGIN, CREATE, INSERT, strata_ledger's row, the
 * tracker's SELECT, its DELETE, its INSERT, COMMIT.  Now 3: BEGIN + the
 * script; strata_ledger's row + the tracker's SELECT (it reads the row it
 * replaces); the tracker's DELETE + INSERT + COMMIT.  With a tracker that
 * reads nothing (or none), 2.
 *
 * Why a failure is what it was without the pipeline:
 *   - the server runs the queued statements one by one in queue order;
 *     after the first error it skips everything up to the Sync (libpq
 *     reports those as PGRES_PIPELINE_ABORTED), so nothing after the
 *     failing statement takes effect, and the explicit transaction is left
 *     failed for the host's ROLLBACK, as before;
 *   - the failing statement's result carries the same fields as under
 *     PQexec (a script's statement is sent alone, from the same byte, so
 *     the server's position counts from the same place), and it is
 *     reported by the same code: a script's statement through
 *     pgdrv_statement_error() (file:line:col, message, hint), a host
 *     statement through pgdrv_fail() with its own text;
 *   - what goes through the pipeline is only what means the same in the
 *     extended protocol: a transactional script that the parser splits
 *     (one statement per query, as the extended protocol wants), with no
 *     COPY (which pipeline mode refuses), no $n (a parameter to the
 *     extended protocol, an error where it stands to the simple one) and
 *     no COMMIT or ROLLBACK of its own (refused by run() before anything
 *     runs: the old path says where).
 *     Any other script gets STRATA_ENOTFOUND and runs as before.
 * A signal's cancel reaches the statement that is running as before; the
 * one check between statements (pgdrv_stopped) is made once, before the
 * script is queued.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query.h>

#include "postgres_int.h"

/* One queued statement: the host's (stmt < 0: its text kept for messages,
 * rows to fn) or statement stmt of the queued script, text[loc, end). */
struct pgdrv_queued {
	int tag;
	char *sql;
	strata_row_fn fn;
	void *ud;
	int stmt;
	size_t loc, end, first;
};

/* The script run() queued: borrowed until the flush (plugin.h), its copy. */
struct pgdrv_piped_run {
	const strata_script *s;
	char *text;
	int nstmts;
	size_t first; /* its first statement's first word */
};

static struct pgdrv_queued *push(strata_conn *conn, strata_host *host)
{
	if (conn->nqueue == conn->queue_cap) {
		size_t cap = conn->queue_cap ? 2 * conn->queue_cap : 16;
		struct pgdrv_queued *q = realloc(conn->queue, cap * sizeof *q);
		if (!q) {
			strata_oom(host);
			return NULL;
		}
		conn->queue = q;
		conn->queue_cap = cap;
	}
	struct pgdrv_queued *e = &conn->queue[conn->nqueue];
	memset(e, 0, sizeof *e);
	e->stmt = -1;
	return e;
}

static void drop_queue(strata_conn *conn)
{
	for (size_t i = 0; i < conn->nqueue; i++)
		free(conn->queue[i].sql);
	conn->nqueue = 0;
	if (conn->prun) {
		free(conn->prun->text);
		free(conn->prun);
		conn->prun = NULL;
	}
}

/* Send one statement; text is copied into libpq's buffer at once. */
static int send_one(strata_conn *conn, strata_host *host, const char *sql,
                    const char *const *params, int nparams)
{
	if (PQsendQueryParams(conn->pg, sql, nparams, NULL, nparams > 0 ? params : NULL, NULL, NULL,
	                      0))
		return STRATA_OK;
	pgdrv_fail(conn, host, NULL, sql);
	return STRATA_EIO;
}

int pgdrv_defer(strata_conn *conn, strata_host *host, const char *sql,
                const char *const *params, int nparams, strata_row_fn fn, void *ud, int tag)
{
	conn->host = host;
	if (!conn->piped) /* not in pipeline mode: at once, as query() */
		return pgdrv_query(conn, host, sql, params, nparams, fn, ud);
	struct pgdrv_queued *e = push(conn, host);
	if (!e)
		return STRATA_ENOMEM;
	e->sql = strdup(sql);
	if (!e->sql)
		return strata_oom(host);
	int rc = send_one(conn, host, sql, params, nparams);
	if (rc != STRATA_OK) {
		free(e->sql);
		return rc;
	}
	e->tag = tag;
	e->fn = fn;
	e->ud = ud;
	conn->nqueue++;
	return STRATA_OK;
}

/* Read results up to the Sync, dropping them (leaving, or after a
 * connection failure).  0 once the Sync came. */
static int drain(strata_conn *conn)
{
	PGresult *res;
	int nulls = 0;

	while (nulls < 2 && PQstatus(conn->pg) == CONNECTION_OK) {
		res = PQgetResult(conn->pg);
		if (!res) {
			nulls++;
			continue;
		}
		nulls = 0;
		ExecStatusType st = PQresultStatus(res);
		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC)
			return 0;
	}
	return -1;
}

int pgdrv_pipeline(strata_conn *conn, strata_host *host, int on)
{
	conn->host = host;
	if (on) {
		/* Through a pooler each transaction needs the pooler's own steps
		 * (postgres_pool.c): as before. */
		if (conn->pooled || conn->piped || PQpipelineStatus(conn->pg) != PQ_PIPELINE_OFF)
			return 0;
		if (!PQenterPipelineMode(conn->pg))
			return 0;
		conn->piped = 1;
		return 1;
	}
	if (!conn->piped)
		return STRATA_OK;
	conn->piped = 0;
	if (conn->nqueue && PQpipelineSync(conn->pg))
		drain(conn);
	drop_queue(conn);
	if (!PQexitPipelineMode(conn->pg)) {
		pgdrv_fail(conn, host, NULL, "(leaving pipeline mode)");
		return STRATA_EIO;
	}
	return STRATA_OK;
}

/* A row-returning host statement's rows, as pgdrv_query hands them. */
static int rows_to(const PGresult *res, strata_row_fn fn, void *ud, strata_host *host)
{
	const int nrows = PQntuples(res), ncols = PQnfields(res);
	const char **vals = calloc(ncols > 0 ? (size_t)ncols : 1, sizeof *vals);

	if (!vals)
		return strata_oom(host);
	int rc = STRATA_OK;
	for (int r = 0; r < nrows && rc == STRATA_OK; r++) {
		for (int c = 0; c < ncols; c++)
			vals[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
		rc = fn(ud, ncols, vals);
		if (rc == STRATA_STOP)
			rc = STRATA_OK, r = nrows;
	}
	free(vals);
	return rc;
}

/* One queued statement's outcome; res is its last result. */
static int outcome(strata_conn *conn, strata_host *host, const struct pgdrv_queued *e,
                   const PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
		if (e->fn && st == PGRES_TUPLES_OK)
			return rows_to(res, e->fn, e->ud, host);
		return STRATA_OK;
	}
	if (e->stmt >= 0 && conn->prun)
		return pgdrv_statement_error(conn, host, conn->prun->s, conn->prun->text,
		                             conn->prun->nstmts, res, e->loc, e->end, e->first,
		                             e->stmt);
	return pgdrv_fail(conn, host, res, e->sql ? e->sql : "");
}

int pgdrv_flush(strata_conn *conn, strata_host *host, int *tag)
{
	int rc = STRATA_OK, lost = 0;

	conn->host = host;
	*tag = 0;
	if (!conn->piped || !conn->nqueue) {
		drop_queue(conn);
		return STRATA_OK;
	}
	if (!PQpipelineSync(conn->pg)) {
		rc = pgdrv_fail(conn, host, NULL, conn->queue[0].sql ? conn->queue[0].sql : "");
		*tag = conn->queue[0].tag;
		drop_queue(conn);
		return rc < 0 ? rc : STRATA_EIO;
	}
	for (size_t i = 0; i < conn->nqueue && !lost; i++) {
		PGresult *res, *last = NULL;

		/* Each statement's results end with a NULL. */
		while ((res = PQgetResult(conn->pg))) {
			PQclear(last);
			last = res;
		}
		if (!last && PQstatus(conn->pg) != CONNECTION_OK)
			lost = 1;
		if (rc == STRATA_OK) {
			rc = outcome(conn, host, &conn->queue[i], last);
			if (rc != STRATA_OK)
				*tag = conn->queue[i].tag;
		}
		PQclear(last);
	}
	if (!lost)
		drain(conn); /* the Sync's own result */
	host->debug(host, "postgres: %zu statement%s%s%s in one round trip", conn->nqueue,
	            conn->nqueue == 1 ? "" : "s", conn->prun ? " of " : "",
	            conn->prun && conn->prun->s->file ? conn->prun->s->file : "");
	/* A script that ended the transaction itself: refused before it runs
	 * (pgdrv_find_tx_end), so only a safety net. */
	if (rc == STRATA_OK && conn->prun && PQtransactionStatus(conn->pg) == PQTRANS_IDLE)
		rc = pgdrv_tx_ended(conn, host, conn->prun->s, conn->prun->first);
	drop_queue(conn);
	return rc;
}

/* The debug line restore_search_path() gives when it changed the path. */
static int restored(void *ud, int ncols, const char *const *values)
{
	strata_conn *conn = ud;

	(void)ncols;
	(void)values;
	conn->host->debug(conn->host, "postgres: %s changed search_path; restored it",
	                  conn->prun && conn->prun->s->file ? conn->prun->s->file : "script");
	return STRATA_OK;
}

/* run() while the pipeline is on: every statement queued, then the
 * search_path restored as pgdrv_run does it (only reached when the script
 * succeeded: the server skips it after a failure). */
static int queue_script(strata_conn *conn, strata_host *host, struct pgdrv_piped_run *pr,
                        const PgQuerySplitResult *sp)
{
	static const char sql[] =
		"SELECT pg_catalog.set_config('search_path', $1, false)"
		" WHERE pg_catalog.current_setting('search_path') IS DISTINCT FROM $1";
	size_t len = pr->s->len;
	int rc = STRATA_OK, first = 1;

	for (int i = 0; i < sp->n_stmts && rc == STRATA_OK; i++) {
		size_t loc = sp->stmts[i]->stmt_location > 0 ? (size_t)sp->stmts[i]->stmt_location : 0;
		size_t n = sp->stmts[i]->stmt_len > 0 ? (size_t)sp->stmts[i]->stmt_len : len;

		if (loc > len)
			loc = len;
		size_t end = n > len - loc ? len : loc + n;
		size_t at = pgdrv_skip_space(pr->text, loc, end);
		if (at == end)
			continue; /* only comments */
		struct pgdrv_queued *e = push(conn, host);
		if (!e)
			return STRATA_ENOMEM;
		char saved = pr->text[end];
		pr->text[end] = '\0';
		rc = send_one(conn, host, pr->text + loc, NULL, 0);
		pr->text[end] = saved;
		if (rc != STRATA_OK)
			return rc;
		e->stmt = i;
		e->loc = loc;
		e->end = end;
		e->first = at;
		conn->nqueue++;
		if (first)
			pr->first = at, first = 0;
	}
	if (conn->search_path && pgdrv_may_set_path(pr->text)) {
		const char *params[1] = { conn->search_path };
		rc = pgdrv_defer(conn, host, sql, params, 1, restored, conn, 0);
	}
	return rc;
}

/* A parameter reference ($1 not inside a word): the simple protocol
 * refuses it where it stands ("there is no parameter $1"), the extended one
 * at Bind, in other words.  Quotes are not skipped: a '$1' in a string is a
 * false match, which only costs the pipeline. */
static int has_param(const char *text)
{
	for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
		unsigned char before = p > text ? (unsigned char)p[-1] : ' ';
		if (p[1] >= '0' && p[1] <= '9' &&
		    !((before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
		      (before >= '0' && before <= '9') || before == '_' || before == '$' ||
		      before >= 0x80))
			return 1;
	}
	return 0;
}

/* May this script go through the pipeline?  Its split in *sp when so, else
 * why not (for -v). */
static const char *not_pipeable(const strata_script *s, const char *text, PgQuerySplitResult *sp)
{
	static const char *const copy[] = { "copy", NULL };
	size_t at;

	if (s->flags & STRATA_MIG_NO_TRANSACTION)
		return "it runs outside a transaction";
	if (s->len && memchr(s->sql, '\0', s->len))
		return "a NUL byte";
	if (pgdrv_has_word(text, copy))
		return "COPY, which pipeline mode refuses";
	if (has_param(text))
		return "a $n, which the extended protocol takes for a parameter";
	if (pgdrv_find_tx_end(text, &at))
		return "a COMMIT or ROLLBACK of its own";
	*sp = pg_query_split_with_parser(text);
	if (!sp->error)
		return NULL;
	pg_query_free_split_result(*sp);
	/* the scanner's split may differ from the server's reading */
	return "PostgreSQL 15's parser cannot split it";
}

int pgdrv_run_piped(strata_conn *conn, strata_host *host, const strata_script *s)
{
	PgQuerySplitResult sp;
	struct pgdrv_piped_run *pr;
	int rc;

	conn->host = host;
	if (conn->prun)
		return STRATA_ENOTFOUND;
	pr = calloc(1, sizeof *pr);
	if (!pr)
		return strata_oom(host);
	pr->s = s;
	pr->text = pgdrv_script_text(s);
	if (!pr->text) {
		free(pr);
		return strata_oom(host);
	}
	const char *why = not_pipeable(s, pr->text, &sp);
	if (why) {
		host->debug(host, "postgres: %s: statement by statement, not in a pipeline (%s)",
		            s->file ? s->file : "script", why);
		free(pr->text);
		free(pr);
		return STRATA_ENOTFOUND;
	}
	pr->nstmts = sp.n_stmts;
	conn->prun = pr;
	rc = pgdrv_stopped(conn, host, "before a statement of the migration");
	if (rc == STRATA_OK)
		rc = queue_script(conn, host, pr, &sp);
	pg_query_free_split_result(sp);
	return rc;
}

/* close(): what a connection closed in the middle of a pipeline holds. */
void pgdrv_pipe_free(strata_conn *conn)
{
	drop_queue(conn);
	free(conn->queue);
	conn->queue = NULL;
	conn->queue_cap = 0;
}
