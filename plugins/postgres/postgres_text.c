/*
 * Messages from libpq and the server, made fit to show: one line, no
 * password, and the status code the host acts on.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres_int.h"

/* Horizontal space at the ends of a libpq line (it indents continuations). */
static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * libpq ends messages with a newline and puts a second thought on an
 * indented line ("...failed: Connection refused\n\tIs the server running
 * ...?"), or wraps one sentence over indented lines ("...terminated
 * abnormally\n\tbefore or while processing...").  The host wants one line:
 * each line is trimmed; with clauses set, a line that starts a new thought
 * (not an indented lower-case continuation) is joined with "; ", the rest
 * with a space.  Server messages (clauses 0) may quote SQL that spans lines:
 * spaces only.
 */
static char *one_line(const char *msg, int clauses)
{
	char *out = malloc(2 * strlen(msg) + 1), *o = out;
	const char *p = msg;

	if (!out)
		return NULL;
	while (*p) {
		const char *e = p + strcspn(p, "\r\n"), *a = p, *b = e;

		while (a < b && is_blank(*a))
			a++;
		while (b > a && is_blank(b[-1]))
			b--;
		if (b > a) {
			int wrapped = a > p && islower((unsigned char)*a);

			if (o > out && clauses && !wrapped)
				*o++ = ';';
			if (o > out)
				*o++ = ' ';
			memcpy(o, a, (size_t)(b - a));
			o += b - a;
		}
		p = *e ? e + 1 : e;
	}
	*o = '\0';
	return out;
}

/* The k bytes at p, inside s, are not part of a longer word. */
static int alone(const char *s, const char *p, size_t k)
{
	return (p == s || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[k]);
}

/*
 * Replace every password the connection knows with *** (a piece of one only
 * where it stands alone).  At each position the
 * longest matching secret wins, so a password that extends another is not
 * half shown.  Output is at most three bytes per input byte.
 */
static char *scrub(const strata_conn *conn, const char *s)
{
	char *out = malloc(3 * strlen(s) + 1), *o = out;
	const char *p = s;

	if (!out)
		return NULL;
	while (*p) {
		size_t hit = 0;

		for (size_t i = 0; conn && i < PGDRV_MAX_SECRETS && conn->secrets[i]; i++) {
			size_t k = strlen(conn->secrets[i]);
			if (k > hit && strncmp(p, conn->secrets[i], k) == 0 &&
			    (!conn->piece[i] || alone(s, p, k)))
				hit = k;
		}
		if (hit) {
			memcpy(o, "***", 3);
			o += 3;
			p += hit;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* Every text relayed to the host passes here: one line, no password.
 * Returns a new string, NULL without memory. */
static char *clean(const strata_conn *conn, const char *msg, int clauses)
{
	char *line = one_line(msg ? msg : "", clauses), *out;

	if (!line)
		return NULL;
	out = scrub(conn, line);
	free(line);
	return out;
}

/* Server text: a line break inside it is only layout (or quoted SQL). */
char *pgdrv_clean(const strata_conn *conn, const char *msg)
{
	return clean(conn, msg, 0);
}

/* libpq's own messages: a new line is usually a new clause; keep it apart. */
char *pgdrv_clean_lines(const strata_conn *conn, const char *msg)
{
	return clean(conn, msg, 1);
}

/*
 * A failed command in words: the server's primary message plus its DETAIL,
 * which often names the offending row or object.  Errors libpq raises itself
 * (a lost connection) have no fields, so their whole text is used.
 */
char *pgdrv_result_message(const strata_conn *conn, const PGresult *res)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char *raw = NULL, *out;
	int n;

	if (!primary) {
		const char *m = res ? PQresultErrorMessage(res) : "";
		if (!*m && conn)
			m = PQerrorMessage(conn->pg);
		return pgdrv_clean_lines(conn, *m ? m : "unknown error");
	}
	if (detail)
		n = asprintf(&raw, "%s DETAIL: %s", primary, detail);
	else
		n = asprintf(&raw, "%s", primary);
	if (n < 0)
		return NULL;
	out = pgdrv_clean(conn, raw);
	free(raw);
	return out;
}

/* The server's HINT is the best hint there is; NULL when it gave none. */
char *pgdrv_result_hint(const strata_conn *conn, const PGresult *res)
{
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;

	return hint ? pgdrv_clean(conn, hint) : NULL;
}

/*
 * Fold SQLSTATEs into the few statuses the host acts on: a lost or refused
 * connection and exhausted resources are I/O, lock and serialization
 * failures are "busy", the rest is a plain error.  A NULL result is either
 * a lost connection or no memory.
 */
int pgdrv_status(const strata_conn *conn, const PGresult *res)
{
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (conn && PQstatus(conn->pg) == CONNECTION_BAD)
		return STRATA_EIO;
	if (!res)
		return STRATA_ENOMEM;
	if (!st)
		return STRATA_EIO;
	if (strncmp(st, "08", 2) == 0 || strncmp(st, "53", 2) == 0 ||
	    strncmp(st, "57P", 3) == 0 || strncmp(st, "58", 2) == 0)
		return STRATA_EIO;
	if (strcmp(st, "55P03") == 0 || strcmp(st, "40P01") == 0 || strcmp(st, "40001") == 0)
		return STRATA_EBUSY;
	return STRATA_ERR;
}

/*
 * Report a failure of host-written SQL (tracking tables, catalogs): a
 * database error, not the migration's.  The SQL itself goes to the debug log
 * only; it matters to developers.
 */
int pgdrv_fail(strata_conn *conn, strata_host *host, const PGresult *res, const char *sql)
{
	char *msg = pgdrv_result_message(conn, res), *hint = pgdrv_result_hint(conn, res);

	host->error(host, STRATA_ECLASS_DB, NULL, 0, 0, hint, "%s", msg ? msg : "out of memory");
	host->debug(host, "postgres: failing SQL: %s", sql);
	free(msg);
	free(hint);
	return pgdrv_status(conn, res);
}
