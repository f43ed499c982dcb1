/*
 * The statements op (for `strata convert`): a script cut where PostgreSQL's
 * own scanner cuts it (libpg_query's pg_query_split_with_scanner, which
 * knows dollar quotes, nested comments and E'' strings), each statement's
 * bytes without its terminating ';' and without the blanks before it, the
 * comments in front of it kept, with the line it starts on.  Text the split
 * passes over that holds more than blanks, ';' and comments is a statement
 * too (the server will reject it; convert keeps it, not drops it).
 */
#include <stdlib.h>

#include <pg_query.h>

#include "postgres_int.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* One piece [at, at+n): blanks in front skipped; nothing but comments and
 * ';' is no statement. */
static int piece(const strata_script *s, const char *sql, size_t at, size_t n,
                 int (*fn)(void *, const char *, size_t, int), void *ud)
{
	size_t end = at + n;
	while (at < end && is_blank(sql[at]))
		at++;
	size_t first = at;
	for (;;) { /* anything but comments and ';'? */
		first = pgdrv_skip_space(sql, first, end);
		if (first < end && sql[first] == ';')
			first++;
		else
			break;
	}
	if (first >= end)
		return 0;
	while (end > at && is_blank(sql[end - 1]))
		end--;
	int line, col;
	pgdrv_locate(s, at, &line, &col);
	return fn(ud, sql + at, end - at, line);
}

int pgdrv_statements(strata_conn *conn, strata_host *host, const strata_script *script,
                     int (*fn)(void *ud, const char *sql, size_t len, int line), void *ud)
{
	if (conn)
		conn->host = host;
	char *sql = pgdrv_script_text(script);
	if (!sql)
		return strata_oom(host);
	size_t len = script->len;
	PgQuerySplitResult sp = pg_query_split_with_scanner(sql);
	int rc = 0;
	if (sp.error) {
		rc = pgdrv_scan_error(conn, host, script, sql, sp.error->message, sp.error->cursorpos);
	} else {
		size_t done = 0;
		for (int i = 0; i < sp.n_stmts && !rc; i++) {
			size_t loc = sp.stmts[i]->stmt_location > 0 ? (size_t)sp.stmts[i]->stmt_location : 0;
			if (loc > len)
				loc = len;
			if (loc > done) /* text the split passed over */
				rc = piece(script, sql, done, loc - done, fn, ud);
			size_t n = sp.stmts[i]->stmt_len > 0 ? (size_t)sp.stmts[i]->stmt_len : len - loc;
			if (n > len - loc)
				n = len - loc;
			if (!rc)
				rc = piece(script, sql, loc, n, fn, ud);
			done = loc + n;
			if (done < len && sql[done] == ';')
				done++;
		}
		if (!rc && done < len)
			rc = piece(script, sql, done, len - done, fn, ud);
	}
	pg_query_free_split_result(sp);
	free(sql);
	return rc;
}
