/*
 * Positions in a migration script.  libpg_query and the server speak in
 * offsets into the text they were given; users read file:line:col.  This file
 * converts between the two and makes the C string the parser needs.
 */
#include <stdlib.h>
#include <string.h>

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
 * them.
 */
void pgdrv_locate(const strata_script *s, size_t at, int *line, int *col)
{
	int l = s->line > 0 ? s->line : 1, c = 1;

	for (size_t i = 0; i < at && i < s->len; i++) {
		if (s->sql[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)s->sql[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}
