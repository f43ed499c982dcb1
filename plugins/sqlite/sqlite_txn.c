/*
 * A file's own transaction control, found with SQLite's own parser: each
 * statement is prepared (never run) in an empty in-memory database, and
 * the authorizer, which SQLite calls while it compiles a statement, says
 * which ones are BEGIN, COMMIT/END, ROLLBACK or a savepoint
 * (SQLITE_TRANSACTION and SQLITE_SAVEPOINT with the operation's name).
 * The walk is sqlite3_prepare_v2's tail; a statement that does not prepare
 * there (its tables do not exist in the empty database) ends where
 * sqlite3_complete() first says the text is a complete statement.  Text
 * SQLite would read wrongly (sqlite_lex.c) is refused here already, before
 * the host begins anything; a file without the words transaction
 * statements need is answered from that scan alone.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

static int watch(void *ud, int action, const char *what, const char *name, const char *db,
                 const char *trigger)
{
	strata_txn_kind *kind = ud;

	(void)name;
	(void)db;
	(void)trigger;
	if (action == SQLITE_SAVEPOINT)
		*kind = STRATA_TXK_SAVEPOINT;
	else if (action == SQLITE_TRANSACTION && what && strcmp(what, "BEGIN") == 0)
		*kind = STRATA_TXK_BEGIN;
	else if (action == SQLITE_TRANSACTION && what && strcmp(what, "COMMIT") == 0)
		*kind = STRATA_TXK_COMMIT;
	else if (action == SQLITE_TRANSACTION)
		*kind = STRATA_TXK_CONTROL;
	return SQLITE_OK;
}

void sqlite_tx_watch(sqlite3 *db, strata_txn_kind *kind)
{
	sqlite3_set_authorizer(db, kind ? watch : NULL, kind);
}

/* Where the statement at start ends when it cannot be prepared: after the
 * first ';' up to which the text is complete for sqlite3_complete (which
 * knows trigger bodies), else at the end.  Only ';' tokens are tried, never
 * one inside quotes or comments, so a statement costs one scan plus one
 * sqlite3_complete per ';' of a trigger body.  text is NUL-terminated at end. */
char *sqlite_complete_end(char *start, char *end)
{
	for (char *q = (char *)sqlite_lex_next_semi(start, end); q < end;
	     q = (char *)sqlite_lex_next_semi(q + 1, end)) {
		char saved = q[1];
		int done;

		q[1] = '\0';
		done = sqlite3_complete(start);
		q[1] = saved;
		if (done)
			return q + 1;
	}
	return end;
}

static int classifier(strata_conn *conn, strata_host *host, sqlite3 **out, int *own)
{
	int rc;

	*own = 0;
	if (conn && conn->classify) {
		*out = conn->classify;
		return STRATA_OK;
	}
	rc = sqlite3_open_v2(":memory:", out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close_v2(*out);
		*out = NULL;
		if (rc == SQLITE_NOMEM)
			return strata_oom(host);
		host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, NULL,
		            "cannot open an in-memory SQLite database: %s", sqlite3_errstr(rc));
		return STRATA_ERR;
	}
	if (conn)
		conn->classify = *out;
	else
		*own = 1;
	return STRATA_OK;
}

/*
 * Does the script manage its own transaction (docs/plugins.md, txn_control)?
 * A BEGIN first and a COMMIT (or END) last, with no other BEGIN, COMMIT or
 * ROLLBACK, wrap the file; savepoints never count.  conn may be NULL (no
 * database yet).
 */
int sqlite_drv_txn_control(strata_conn *conn, strata_host *host, const strata_script *s,
                           size_t *body_start, size_t *body_end)
{
	strata_txn_walk w = {0};
	strata_txn_kind kind;
	sqlite3 *mem;
	char *text, *p, *end;
	int own, rc, words;

	if (s->len > INT_MAX || s->len == 0)
		return STRATA_TXN_NONE; /* run() reports a script too large */
	rc = sqlite_lex_check(host, s, &words);
	if (rc != STRATA_OK)
		return rc;
	if (!words)
		return STRATA_TXN_NONE; /* no transaction statement can be there */
	text = malloc(s->len + 1);
	if (!text)
		return strata_oom(host);
	memcpy(text, s->sql, s->len);
	text[s->len] = '\0';
	rc = classifier(conn, host, &mem, &own);
	if (rc != STRATA_OK) {
		free(text);
		return rc;
	}
	sqlite_tx_watch(mem, &kind);
	for (p = text, end = text + s->len; p < end;) {
		char *start = (char *)sqlite_statement_start(p, end);
		const char *tail = NULL;
		sqlite3_stmt *st = NULL;

		if (start == end)
			break;
		kind = STRATA_TXK_OTHER;
		rc = sqlite3_prepare_v2(mem, start, -1, &st, &tail); /* to the NUL: no copy */
		if (rc == SQLITE_OK && !st) {
			if (tail <= start || tail > end)
				break; /* a NUL byte: run() reports it */
			p = (char *)tail;
			continue;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_OK) {
			kind = STRATA_TXK_OTHER;
			tail = sqlite_complete_end(start, end);
		}
		strata_txn_see(&w, kind, (size_t)(p - text));
		p = (char *)tail;
	}
	sqlite_tx_watch(mem, NULL);
	if (own)
		sqlite3_close_v2(mem);
	free(text);
	int answer = strata_txn_answer(&w, body_start, body_end);
	if (answer != STRATA_TXN_OWN)
		return answer;
	host->debug(host, "sqlite: %s: %zu transaction statement%s besides savepoints, "
	            "not one BEGIN ... COMMIT around the file",
	            s->file ? s->file : "script", w.control, w.control == 1 ? "" : "s");
	return STRATA_TXN_OWN;
}
