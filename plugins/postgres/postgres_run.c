/*
 * Running a migration script.  PostgreSQL's own parser (libpg_query) splits
 * it, so dollar quotes, nested comments, E'' strings and CREATE RULE ... (a;
 * b) split exactly as the server would; each statement then goes to the
 * server on its own, and every error is placed at file:line:col.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query.h>

#include "postgres_int.h"

#define TX_ENDED "migration ended the transaction (COMMIT or ROLLBACK in the file)"
#define TX_ENDED_HINT "remove transaction control from the file, or mark it non-transactional"

/* One script being run. */
struct run {
	strata_conn *conn;
	strata_host *host;
	const strata_script *s;
	char *text;   /* NUL-terminated copy of the script */
	int in_tx;    /* the host opened a transaction around it */
	int nstmts;   /* statements the split found */
	size_t opened; /* non-transactional: where the file's own open BEGIN is, or SIZE_MAX */
};

/* Report at a byte offset of the script; every migration error ends here. */
static int fail_at(struct run *r, size_t at, const char *hint, const char *msg)
{
	int line, col;

	pgdrv_locate(r->s, at, &line, &col);
	r->host->error(r->host, STRATA_ECLASS_SQL, r->s->file, line, col, hint, "%s", msg);
	return STRATA_ESQL;
}

/* set_config only returns a row when it changed something: say so. */
static int restored(void *ud, int ncols, const char *const *values)
{
	struct run *r = ud;

	(void)ncols;
	(void)values;
	r->host->debug(r->host, "postgres: %s changed search_path; restored it",
	               r->s->file ? r->s->file : "script");
	return STRATA_OK;
}

/*
 * Through a pooler the setting strata relies on is the transaction's own
 * (set_config(…, true)); a script's SET search_path would also stay on the
 * server connection after the commit, for its next client.  RESET puts the
 * session's value back to the default, then the transaction's is set again.
 * Outside a transaction there is nothing to restore: the next transaction
 * sets its own.
 */
static int restore_pooled(struct run *r, PGTransactionStatusType ts)
{
	static const char changed_sql[] =
		"SELECT pg_catalog.current_setting('search_path') IS DISTINCT FROM $1";
	static const char set_sql[] = "SELECT pg_catalog.set_config('search_path', $1, true)";
	const char *params[1] = { r->conn->search_path };
	char *changed = NULL;
	int rc;

	if (ts != PQTRANS_INTRANS)
		return STRATA_OK;
	rc = pgdrv_query_text(r->conn, r->host, changed_sql, params, 1, &changed);
	if (rc == STRATA_OK && changed && !strcmp(changed, "t")) {
		rc = pgdrv_exec(r->conn, r->host, "RESET search_path");
		if (rc == STRATA_OK)
			rc = pgdrv_query(r->conn, r->host, set_sql, params, 1, restored, r);
	}
	free(changed);
	return rc;
}

/* Can text change search_path?  Only words that can change it are looked
 * for; a false positive just costs the round trip of restore_search_path. */
int pgdrv_may_set_path(const char *text)
{
	static const char *const touch[] = { "search_path", "schema", "reset", "discard" };
	for (size_t i = 0; i < sizeof touch / sizeof *touch; i++)
		if (strcasestr(text, touch[i]))
			return 1;
	return 0;
}

/*
 * A script may change search_path for its own statements (pg_dump output
 * empties it); strata_ledger and the tracker tables must still be found in
 * the connection's schema afterwards.  Not possible in a failed transaction,
 * whose rollback restores the setting anyway.
 */
static int restore_search_path(struct run *r)
{
	/* A round trip per migration is a fifth of apply's cost: skip it when
	 * the text cannot have changed the setting.  Only words that can change
	 * it are looked for; a false positive just costs the round trip. */
	if (!pgdrv_may_set_path(r->text))
		return STRATA_OK;
	static const char sql[] =
		"SELECT pg_catalog.set_config('search_path', $1, false)"
		" WHERE pg_catalog.current_setting('search_path') IS DISTINCT FROM $1";
	const char *params[1] = { r->conn->search_path };
	PGTransactionStatusType ts = PQtransactionStatus(r->conn->pg);

	if (!r->conn->search_path || ts == PQTRANS_INERROR || ts == PQTRANS_UNKNOWN)
		return STRATA_OK;
	if (r->conn->pooled)
		return restore_pooled(r, ts);
	return pgdrv_query(r->conn, r->host, sql, params, 1, restored, r);
}

/*
 * A non-transactional script that fails inside a transaction of its own
 * (BEGIN in the file) leaves the session in it; roll it back so the host can
 * record the failure.  Returns 1 when it rolled something back.
 */
static int drop_own_transaction(struct run *r)
{
	PGTransactionStatusType ts = PQtransactionStatus(r->conn->pg);

	if (r->in_tx || (ts != PQTRANS_INTRANS && ts != PQTRANS_INERROR))
		return 0;
	PQclear(PQexec(r->conn->pg, "ROLLBACK"));
	return 1;
}

/*
 * COPY ... FROM STDIN (pg_dump's data format) would wait for rows a
 * migration file cannot send: end it with an error.  COPY ... TO STDOUT
 * output is read and dropped.  Returns the statement's final result.
 */
static PGresult *finish_copy(PGconn *pg, PGresult *res)
{
	PGresult *next;
	char *buf;

	if (PQresultStatus(res) == PGRES_COPY_IN)
		PQputCopyEnd(pg, "COPY FROM STDIN has no data in a migration file");
	else if (PQresultStatus(res) == PGRES_COPY_OUT)
		while (PQgetCopyData(pg, &buf, 0) > 0)
			PQfreemem(buf);
	while ((next = PQgetResult(pg))) {
		PQclear(res);
		res = next;
	}
	return res;
}

/*
 * The failing statement's message, with (outside a transaction) which
 * statements already ran and stay done, because the host cannot undo them
 * and the user must know where to pick up.
 */
static char *failure_text(struct run *r, const PGresult *res, int index, int dropped)
{
	char *msg = pgdrv_result_message(r->conn, res), *out = NULL;
	char ran[128] = "";
	int n;

	if (!msg)
		return NULL;
	if (!r->in_tx && r->nstmts > 1) {
		if (index == 0)
			snprintf(ran, sizeof ran, "; no statement of %d ran before it", r->nstmts);
		else if (index == 1)
			snprintf(ran, sizeof ran, "; statement 1 of %d ran before it "
			         "(outside a transaction)", r->nstmts);
		else
			snprintf(ran, sizeof ran, "; statements 1-%d of %d ran before it "
			         "(outside a transaction)", index, r->nstmts);
	}
	n = asprintf(&out, "%s%s%s", msg, ran,
	             dropped ? "; the transaction the file opened was rolled back" : "");
	free(msg);
	return n < 0 ? NULL : out;
}

/*
 * A failed statement: the server's position (1-based characters into the
 * statement sent) gives the exact spot, else its first word does.  The
 * session is cleaned up before reporting, so the report is the last error.
 */
static int statement_failed(struct run *r, const PGresult *res, size_t loc, size_t end,
                            size_t first, int index, int copy_in)
{
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	long p = pos ? atol(pos) : 0;
	size_t at = p > 0 ? pgdrv_char_offset(r->text, loc, end, p - 1) : first;
	int dropped = drop_own_transaction(r);
	char *hint = copy_in ? NULL : pgdrv_result_hint(r->conn, res);
	char *msg;
	int rc;

	if (!r->in_tx)
		restore_search_path(r);
	msg = failure_text(r, res, index, dropped);
	if (!msg) {
		free(hint);
		return strata_oom(r->host);
	}
	rc = fail_at(r, at, copy_in ? "put the rows in INSERT statements, or COPY from a "
	                              "file the server can read" : hint, msg);
	free(msg);
	free(hint);
	return rc;
}

/*
 * Run statement `index`, text[loc, end).  It is sent alone (PQexec of one
 * statement), so the server's error position is relative to it.  After it,
 * the transaction state says whether the file ended the host's transaction
 * or opened one of its own.
 */
static int run_one(struct run *r, size_t loc, size_t end, int index)
{
	PGconn *pg = r->conn->pg;
	size_t first = pgdrv_skip_space(r->text, loc, end);
	char saved;
	PGresult *res;
	ExecStatusType st;
	int copy_in = 0, rc = STRATA_OK;

	if (first == end)
		return STRATA_OK; /* only comments */
	saved = r->text[end];
	r->text[end] = '\0';
	res = PQexec(pg, r->text + loc);
	r->text[end] = saved;
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
		copy_in = st == PGRES_COPY_IN;
		res = finish_copy(pg, res);
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	}
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
		rc = statement_failed(r, res, loc, end, first, index, copy_in);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	switch (PQtransactionStatus(pg)) {
	case PQTRANS_IDLE:
		if (r->in_tx)
			return fail_at(r, first, TX_ENDED_HINT, TX_ENDED);
		r->opened = SIZE_MAX;
		break;
	case PQTRANS_INTRANS:
		if (!r->in_tx && r->opened == SIZE_MAX)
			r->opened = first;
		break;
	default:
		break;
	}
	return rc;
}

/*
 * Split with the parser; when PostgreSQL 15's grammar rejects the text (a
 * typo, or syntax of a newer server) fall back to the scanner, which only
 * needs tokens, so the server itself reports the real error at its place.
 * Only text the scanner cannot read either (an unterminated quote) is
 * reported here, at libpg_query's position.
 */
static int split(struct run *r, PgQuerySplitResult *out)
{
	PgQuerySplitResult sp = pg_query_split_with_parser(r->text);
	int rc;

	if (sp.error) {
		r->host->debug(r->host, "postgres: %s: %s; splitting with the scanner",
		               r->s->file ? r->s->file : "script", sp.error->message);
		pg_query_free_split_result(sp);
		sp = pg_query_split_with_scanner(r->text);
	}
	if (!sp.error) {
		*out = sp;
		return STRATA_OK;
	}
	rc = pgdrv_scan_error(r->conn, r->host, r->s, r->text, sp.error->message,
	                      sp.error->cursorpos);
	pg_query_free_split_result(sp);
	return rc;
}

/*
 * Refuse, before anything runs, a transactional script that commits or
 * rolls back itself: the host's transaction (its ledger row included) would
 * end halfway and the rest would run outside it.
 */
static int check_tx_control(struct run *r)
{
	size_t at;

	if (!r->in_tx || !pgdrv_find_tx_end(r->text, &at))
		return STRATA_OK;
	return fail_at(r, pgdrv_skip_space(r->text, at, r->s->len), TX_ENDED_HINT, TX_ENDED);
}

/*
 * Through a pooler, statements outside a transaction run each on whatever
 * server connection is free, with its session's settings, not strata's: a
 * script there may only run when that server's current_schema() already is
 * the ?schema= schema.  session: timeouts do not reach it.  Session-level
 * advisory locks a script in a transaction takes are kept for the command
 * (postgres_pool.c).
 */
static int check_pooled(struct run *r)
{
	static const char sql[] = "SELECT pg_catalog.current_schema()";
	char *cur = NULL, msg[400];
	int rc;

	if (r->in_tx) {
		if (strcasestr(r->text, "advisory"))
			r->conn->advisory = 1;
		return STRATA_OK;
	}
	if (STRATA_HAS(strata_host, r->host, session_statement_timeout_ms) &&
	    (r->host->session_lock_timeout_ms > 0 || r->host->session_statement_timeout_ms > 0))
		r->host->debug(r->host, "postgres: %s runs outside a transaction through PgBouncer: "
		               "session: lock_timeout and statement_timeout do not apply to it",
		               r->s->file ? r->s->file : "script");
	if (!r->conn->schema_name)
		return STRATA_OK;
	rc = pgdrv_query_text(r->conn, r->host, sql, NULL, 0, &cur);
	if (rc != STRATA_OK)
		return rc;
	if (cur && !strcmp(cur, r->conn->schema_name)) {
		free(cur);
		return STRATA_OK;
	}
	snprintf(msg, sizeof msg,
	         "this migration runs outside a transaction, and through PgBouncer its statements "
	         "would not run in ?schema=%.100s but in the server's current schema (%.100s); "
	         "no statement ran",
	         r->conn->schema_name, cur ? cur : "none");
	free(cur);
	return fail_at(r, 0,
	               "run it with a URL without pgbouncer=true (straight to the server), or make "
	               "the schema the role's default (ALTER ROLE … SET search_path)",
	               msg);
}

/*
 * Run the statements in order.  With a transaction (the host began it) the
 * first failure stops and the host rolls back.  Without one each statement
 * commits on its own, and a transaction the file opened must also be closed
 * by the file.
 */
int pgdrv_run(strata_conn *conn, strata_host *host, const strata_script *s)
{
	struct run r = { conn, host, s, NULL, !(s->flags & STRATA_MIG_NO_TRANSACTION), 0, SIZE_MAX };
	PgQuerySplitResult sp;
	const char *nul = s->len ? memchr(s->sql, '\0', s->len) : NULL;
	int rc;

	if (conn->piped) /* queued, sent by flush() (postgres_pipe.c) */
		return pgdrv_run_piped(conn, host, s);
	conn->host = host;
	if (nul)
		return fail_at(&r, (size_t)(nul - s->sql), "save the file as UTF-8 text",
		               "unexpected NUL byte in migration script");
	r.text = pgdrv_script_text(s);
	if (!r.text)
		return strata_oom(host);
	rc = check_tx_control(&r);
	if (rc == STRATA_OK && conn->pooled)
		rc = check_pooled(&r);
	if (rc == STRATA_OK)
		rc = split(&r, &sp);
	if (rc != STRATA_OK) {
		free(r.text);
		return rc;
	}
	r.nstmts = sp.n_stmts;
	for (int i = 0; i < sp.n_stmts && rc == STRATA_OK; i++) {
		size_t loc = sp.stmts[i]->stmt_location > 0 ? (size_t)sp.stmts[i]->stmt_location : 0;
		size_t len = sp.stmts[i]->stmt_len > 0 ? (size_t)sp.stmts[i]->stmt_len : s->len;

		if (loc > s->len)
			loc = s->len;
		rc = pgdrv_stopped(conn, host, "before a statement of the migration");
		if (rc == STRATA_OK)
			rc = run_one(&r, loc, len > s->len - loc ? s->len : loc + len, i);
	}
	if (rc == STRATA_EINTR)
		drop_own_transaction(&r);
	if (rc == STRATA_OK && r.opened != SIZE_MAX) {
		size_t at = r.opened;
		drop_own_transaction(&r);
		restore_search_path(&r);
		rc = fail_at(&r, at, "end the transaction with COMMIT in the file, "
		             "or let strata run the migration in a transaction",
		             "migration left a transaction open (BEGIN without COMMIT); "
		             "its statements were rolled back");
	}
	if (rc == STRATA_OK)
		rc = restore_search_path(&r);
	pg_query_free_split_result(sp);
	free(r.text);
	return rc;
}

/* For postgres_pipe.c: statement `index` of a script run in a transaction,
 * text[loc, end) of the script's copy text, failed with res: reported
 * exactly as run_one() reports it. */
int pgdrv_statement_error(strata_conn *conn, strata_host *host, const strata_script *s,
                          char *text, int nstmts, const PGresult *res, size_t loc, size_t end,
                          size_t first, int index)
{
	struct run r = { conn, host, s, text, 1, nstmts, SIZE_MAX };

	return statement_failed(&r, res, loc, end, first, index, 0);
}

/* For postgres_pipe.c: the script ended the host's transaction (at byte at). */
int pgdrv_tx_ended(strata_conn *conn, strata_host *host, const strata_script *s, size_t at)
{
	struct run r = { conn, host, s, NULL, 1, 0, SIZE_MAX };

	return fail_at(&r, at, TX_ENDED_HINT, TX_ENDED);
}
