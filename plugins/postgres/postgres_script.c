/*
 * Positions in a migration script.  libpg_query and the server speak in
 * offsets into the text they were given; users read file:line:col.  This file
 * converts between the two and makes the C string the parser needs.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "postgres_int.h"

/* libpg_query reads a NUL-terminated string; a script is (sql, len). */
char *pgdrv_script_text(const strata_script *s)
{
	char *t = malloc(s->len + 1);

	if (!t)
		return NULL;
	if (s->len)
		memcpy(t, s->sql, s->len);
	t[s->len] = '\0';
	return t;
}

/* PostgreSQL's scanner whitespace (PG 16 added \v; older servers never see
 * it here because it only moves a reported position). */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * A split statement starts right after the previous ';', so it carries the
 * blank lines and comments in front of it.  Step over them (-- to the end of
 * the line, and C comments, which nest in PostgreSQL) so an error without a
 * position points at the statement's first word, not at the gap.
 */
size_t pgdrv_skip_space(const char *sql, size_t at, size_t end)
{
	while (at < end) {
		if (is_space(sql[at])) {
			at++;
		} else if (sql[at] == '-' && at + 1 < end && sql[at + 1] == '-') {
			while (at < end && sql[at] != '\n')
				at++;
		} else if (sql[at] == '/' && at + 1 < end && sql[at + 1] == '*') {
			int depth = 1;

			at += 2;
			while (at < end && depth > 0) {
				if (sql[at] == '/' && at + 1 < end && sql[at + 1] == '*') {
					depth++;
					at += 2;
				} else if (sql[at] == '*' && at + 1 < end && sql[at + 1] == '/') {
					depth--;
					at += 2;
				} else {
					at++;
				}
			}
		} else {
			break;
		}
	}
	return at;
}

/*
 * The server reports a position in characters (PG_DIAG_STATEMENT_POSITION,
 * libpg_query's cursorpos), the text is UTF-8 bytes: walk `chars` characters
 * forward from byte `at`, never past `end`.
 */
size_t pgdrv_char_offset(const char *sql, size_t at, size_t end, long chars)
{
	while (at < end && chars > 0) {
		at++;
		while (at < end && ((unsigned char)sql[at] & 0xc0) == 0x80)
			at++;
		chars--;
	}
	return at;
}

/*
 * Turn a byte offset in the script into file coordinates.  sql[0] is at
 * column 1 of script->line; columns count UTF-8 characters, as editors show
 * them.  With the source's line map (strata_script version 2) script line k
 * is line lines[k] of the file, and its column c is cols[k] + c - 1 there
 * (0, the line only, where cols[k] is 0).
 */
void pgdrv_locate(const strata_script *s, size_t at, int *line, int *col)
{
	int l = s->line > 0 ? s->line : 1, c = 1;
	size_t k = 0;

	for (size_t i = 0; i < at && i < s->len; i++) {
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
 * Text libpg_query's scanner cannot read (an unterminated quote or comment:
 * no server reads it either), reported at the scanner's position, 1-based
 * characters into text.  The message quotes the text from there to the end
 * of the file ("at or near \"...\""), which may be megabytes: only its
 * first line is kept.  Returns STRATA_ESQL, or STRATA_ENOMEM.
 */
int pgdrv_scan_error(const strata_conn *conn, strata_host *host, const strata_script *s,
                     const char *text, const char *message, int cursorpos)
{
	static const char near[] = " at or near \"";
	const char *m = message ? message : "cannot read the script", *q = strstr(m, near);
	const char *nl = q ? strchr(q + sizeof near - 1, '\n') : NULL;
	const char *rest = nl ? nl + strspn(nl, " \t\r\n") : NULL; /* "\"": nothing follows */
	char *cut = NULL, *msg;
	size_t at = cursorpos > 0 ? pgdrv_char_offset(text, 0, s->len, cursorpos - 1) : 0;
	int line, col;

	if (nl && asprintf(&cut, "%.*s%s\"", (int)(nl - m), m, strcmp(rest, "\"") ? "..." : "") < 0)
		return strata_oom(host);
	msg = pgdrv_clean(conn, cut ? cut : m);
	free(cut);
	if (!msg)
		return strata_oom(host);
	pgdrv_locate(s, at, &line, &col);
	host->error(host, STRATA_ECLASS_SQL, s->file, line, col, NULL, "%s", msg);
	free(msg);
	return STRATA_ESQL;
}

/* A character that glues to a keyword into one identifier.  Digits and '$'
 * (which PostgreSQL also allows inside identifiers) end a word here: a
 * keyword right after a dollar quote ($$COMMIT) must still be found, and a
 * word too many only costs a parse. */
static int word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

/*
 * Does one of words (lower case, NULL-terminated) occur in sql as a whole
 * word, in any case?  Quotes and comments are not skipped: a word inside
 * one is a false match, which only costs the caller its full parse.  One
 * pass, so a 50 MB file that holds none is answered without libpg_query's
 * parse tree (hundreds of MB of JSON).
 */
int pgdrv_has_word(const char *sql, const char *const *words)
{
	const unsigned char *p = (const unsigned char *)sql;

	while (*p) {
		const unsigned char *w;
		size_t n;

		if (!word_char(*p)) {
			p++;
			continue;
		}
		for (w = p; word_char(*p); p++)
			;
		n = (size_t)(p - w);
		for (size_t i = 0; words[i]; i++)
			if (strlen(words[i]) == n && strncasecmp((const char *)w, words[i], n) == 0)
				return 1;
	}
	return 0;
}
