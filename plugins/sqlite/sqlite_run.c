/*
 * Running a migration script.  SQLite's own parser splits the script
 * (sqlite3_prepare_v2 and its tail pointer); this file only keeps track of
 * where each statement sits in the migration file so errors point there.
 *
 * The walk is linear: the script is copied once into a NUL-terminated
 * buffer and every statement is prepared from there with length -1, so
 * SQLite reads up to the statement's end.  (A length that does not include
 * the NUL makes SQLite copy the whole rest of the script for each statement:
 * quadratic, minutes for a 50 MB file.)
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

/*
 * Turn an offset into the script into file coordinates.  sql[0] is at
 * column 1 of script->line; columns count UTF-8 characters, as editors show
 * them.  With the source's line map (strata_script version 2) script line k
 * is line lines[k] of the file, and its column c is cols[k] + c - 1 there
 * (0, the line only, where cols[k] is 0).
 */
void sqlite_locate(const strata_script *s, size_t off, int *line, int *col)
{
	int l = s->line > 0 ? s->line : 1, c = 1;
	size_t k = 0;

	for (size_t i = 0; i < off && i < s->len; i++) {
		if (s->sql[i] == '\n') {
			l++;
			k++;
			c = 1;
		} else if (((unsigned char)s->sql[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
	if (STRATA_HAS(strata_script, s, nlines) && s->lines && s->nlines) {
		bool in = k < s->nlines; /* past the map: its last line, no column */
		size_t j = in ? k : s->nlines - 1;
		if (s->lines[j] > 0) {
			*line = s->lines[j];
			*col = in && s->cols && s->cols[j] > 0 ? s->cols[j] + c - 1 : 0;
		}
	}
}

/*
 * The previous statement's tail still holds the blank lines, comments and
 * stray semicolons in front of the next one.  Step over them (SQLite's
 * whitespace set, -- and C comments) so an error points at the statement
 * rather than at the gap before it.
 */
const char *sqlite_statement_start(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\f' ||
		    *p == '\r' || *p == ';') {
			p++;
		} else if (*p == '-' && p + 1 < end && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (*p == '/' && p + 1 < end && p[1] == '*') {
			p += 2;
			while (p < end && !(*p == '*' && p + 1 < end && p[1] == '/'))
				p++;
			p = p < end ? p + 2 : end;
		} else {
			break;
		}
	}
	return p;
}

/* A failed statement is the migration's fault (ESQL) unless another process
 * held the lock, which the caller may want to retry (EBUSY).  at points into
 * text, the script's copy. */
static int script_error(strata_host *host, const strata_script *s, const char *text,
                        const char *at, int rc, const char *hint, const char *msg)
{
	int line, col;

	sqlite_locate(s, (size_t)(at - text), &line, &col);
	host->error(host, STRATA_ECLASS_SQL, s->file, line, col,
	            hint ? hint : sqlite_hint(rc), "%s", msg);
	return sqlite_status(rc) == STRATA_EBUSY ? STRATA_EBUSY : STRATA_ESQL;
}

#define TX_ENDED "migration ended the transaction (COMMIT or ROLLBACK in the file)"
#define TX_ENDED_HINT "remove transaction control from the file, or mark it non-transactional"

/*
 * A statement failed.  If the file had opened a transaction of its own
 * (opened, outside strata's), roll it back (SQLite may have done so
 * already) so that the host can record the failure, and say so.
 */
static int own_failed(strata_host *host, const strata_script *s, sqlite3 *db, const char *text,
                      const char *at, int rc, const char *opened)
{
	char *msg;
	int out;

	if (!opened)
		return script_error(host, s, text, at, rc, NULL, sqlite3_errmsg(db));
	msg = sqlite3_mprintf("%s; the transaction the file opened was rolled back",
	                      sqlite3_errmsg(db));
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (!msg)
		return strata_oom(host);
	out = script_error(host, s, text, at, rc, NULL, msg);
	sqlite3_free(msg);
	return out;
}

/*
 * Prepare and step one statement after another.  A prepare error carries a
 * byte offset (sqlite3_error_offset) into the text we passed, which gives the
 * exact line and column; step errors point at the statement's first token.
 * In a transactional migration the host has begun the transaction: a COMMIT
 * or ROLLBACK (the authorizer names it while it is prepared) is refused
 * before it runs, and a statement that leaves autocommit mode on anyway ended
 * it: stop there, before later statements run outside any transaction.
 * Without one the file's own BEGIN, COMMIT and ROLLBACK run as written, and
 * it must not leave a transaction of its own open.
 */
static int walk(strata_conn *conn, strata_host *host, const strata_script *s, const char *text)
{
	sqlite3 *db = conn->db;
	const char *p = text, *end = text + s->len, *opened = NULL;
	const int in_tx = !(s->flags & STRATA_MIG_NO_TRANSACTION);
	strata_txn_kind kind = STRATA_TXK_OTHER;
	int out = STRATA_OK;

	if (in_tx)
		sqlite_tx_watch(db, &kind);
	sqlite_drv_watch_cancel(conn, 1);
	while (p < end && out == STRATA_OK) {
		const char *start = sqlite_statement_start(p, end), *tail = NULL;
		sqlite3_stmt *st = NULL;
		int rc, off;

		if (start == end)
			break;
		if (sqlite_drv_cancelled(conn)) {
			if (!in_tx && opened && !sqlite3_get_autocommit(db))
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			script_error(host, s, text, start, SQLITE_INTERRUPT, NULL, "interrupted");
			out = STRATA_EINTR;
			break;
		}
		kind = STRATA_TXK_OTHER;
		rc = sqlite3_prepare_v2(db, start, -1, &st, &tail);
		if (rc != SQLITE_OK) {
			off = sqlite3_error_offset(db);
			out = own_failed(host, s, db, text,
			                 off >= 0 && off <= end - start ? start + off : start, rc,
			                 in_tx ? NULL : opened);
			break;
		}
		if (!st) {
			if (tail > start && tail <= end) {
				p = tail;
				continue;
			}
			out = script_error(host, s, text, start, SQLITE_ERROR, NULL,
			                   "unexpected NUL byte in migration script");
			break;
		}
		if (in_tx && (kind == STRATA_TXK_COMMIT || kind == STRATA_TXK_CONTROL)) {
			sqlite3_finalize(st);
			out = script_error(host, s, text, start, SQLITE_ERROR, TX_ENDED_HINT, TX_ENDED);
			break;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			out = own_failed(host, s, db, text, start, rc, in_tx ? NULL : opened);
			sqlite3_finalize(st);
			break;
		}
		sqlite3_finalize(st);
		if (in_tx && sqlite3_get_autocommit(db)) {
			out = script_error(host, s, text, start, SQLITE_ERROR, TX_ENDED_HINT, TX_ENDED);
			break;
		}
		if (!in_tx)
			opened = sqlite3_get_autocommit(db) ? NULL : opened ? opened : start;
		p = tail;
	}
	sqlite_drv_watch_cancel(conn, 0);
	if (in_tx)
		sqlite_tx_watch(db, NULL);
	if (out == STRATA_OK && opened) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		out = script_error(host, s, text, opened, SQLITE_ERROR,
		                   "end the transaction with COMMIT in the file, "
		                   "or let strata run the migration in a transaction",
		                   "migration left a transaction open (BEGIN without COMMIT); "
		                   "its statements were rolled back");
	}
	return out;
}

/* What SQLite would read quietly and wrongly (sqlite_lex.c) is refused
 * before any statement runs; then the walk, on a NUL-terminated copy. */
int sqlite_drv_run(strata_conn *conn, strata_host *host, const strata_script *s)
{
	char *text;
	int out;

	if (s->len > INT_MAX)
		return script_error(host, s, s->sql, s->sql, SQLITE_TOOBIG, NULL,
		                    "migration script is too large for SQLite");
	out = sqlite_lex_check(host, s, NULL);
	if (out != STRATA_OK)
		return out;
	text = malloc(s->len + 1);
	if (!text)
		return strata_oom(host);
	memcpy(text, s->sql, s->len);
	text[s->len] = '\0';
	out = walk(conn, host, s, text);
	free(text);
	return out;
}
