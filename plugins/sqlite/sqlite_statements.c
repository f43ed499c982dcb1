/*
 * The statements op (for `strata convert`): a script cut where SQLite cuts
 * it.  sqlite3_complete() is SQLite's own answer to "does this text end a
 * statement" (quotes, comments, and CREATE TRIGGER's BEGIN … END with its
 * inner ';'); each ';' after which the text so far is complete ends one.
 * Each statement's bytes without its ';' and the blanks before it, the
 * comments in front of it kept, with the line it starts on; a tail after
 * the last ';' that holds more than blanks and comments is a statement too.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Does [at, end) hold more than blanks and comments? (sqlite3_complete
 * answers 1 for "x;" only when x holds a token, so ask it of "x;".) */
static int has_token(const char *sql, size_t at, size_t end)
{
	size_t n = end - at;
	char *t = malloc(n + 3);
	if (!t)
		return -1;
	memcpy(t, sql + at, n);
	memcpy(t + n, "\n;", 3); /* the newline ends a -- comment */
	int r = sqlite3_complete(t);
	free(t);
	return r;
}

static int piece(const strata_script *s, const char *sql, size_t at, size_t end,
                 int (*fn)(void *, const char *, size_t, int), void *ud)
{
	while (at < end && is_blank(sql[at]))
		at++;
	while (end > at && is_blank(sql[end - 1]))
		end--;
	int tok = at < end ? has_token(sql, at, end) : 0;
	if (tok <= 0)
		return tok;
	int line, col;
	sqlite_locate(s, at, &line, &col);
	return fn(ud, sql + at, end - at, line);
}

int sqlite_drv_statements(strata_conn *conn, strata_host *host, const strata_script *script,
                          int (*fn)(void *ud, const char *sql, size_t len, int line), void *ud)
{
	(void)conn;
	size_t len = script->len;
	char *buf = malloc(len + 1);
	if (!buf)
		return strata_oom(host);
	memcpy(buf, script->sql, len);
	buf[len] = '\0';
	int rc = 0;
	size_t start = 0;
	for (size_t i = 0; i < len && !rc; i++) {
		if (buf[i] != ';')
			continue;
		char c = buf[i + 1];
		buf[i + 1] = '\0';
		int done = sqlite3_complete(buf + start);
		buf[i + 1] = c;
		if (!done)
			continue;
		rc = piece(script, buf, start, i, fn, ud);
		if (rc == -1)
			rc = strata_oom(host);
		start = i + 1;
	}
	if (!rc && start < len) {
		rc = piece(script, buf, start, len, fn, ud);
		if (rc == -1)
			rc = strata_oom(host);
	}
	free(buf);
	return rc;
}
