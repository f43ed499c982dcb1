/*
 * normalize(), for `strata repair`.  SQLite keeps no syntax tree, so a
 * statement's canonical text is its tokens as SQLite's tokenizer
 * (tokenize.c) cuts them, comments and whitespace left out:
 *   - statements end where sqlite3_complete() says one is whole (so a
 *     CREATE TRIGGER's inner ';' does not cut it: sqlite_complete_end);
 *   - tokens are sqlite_lex.c's: a word (identifier characters, which
 *     take digits and '$'), a quoted string or name whole, one other
 *     character; -- and / * comments and whitespace are dropped;
 *   - tokens are written with one space between them, except where two
 *     touch and SQLite reads them as one: the parts of a number (1.5,
 *     .5, 1.5e3) and a blob literal's x'..'.
 * Words keep their case and quotes their text: only comments and
 * whitespace are ignored.  A script the tokenizer refuses (an
 * unterminated comment or quote, a bind parameter) is refused here with
 * sqlite_lex_check's message at its file:line:col.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

typedef struct canon {
	char *s;
	size_t len, cap;
} canon;

static int put(canon *c, const char *p, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *s = realloc(c->s, cap);
		if (!s)
			return -1;
		c->s = s;
		c->cap = cap;
	}
	memcpy(c->s + c->len, p, n);
	c->len += n;
	c->s[c->len] = '\0';
	return 0;
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Part of a number: a word that starts with a digit (1, 1e5, 0x1f), or '.' */
static int numeric(const char *p, const char *end)
{
	return (*p == '.' && end == p + 1) || digit(*p);
}

/* Do the touching tokens [a, ae) and [b, be) read as one token to SQLite? */
static int glued(const char *a, const char *ae, const char *b, const char *be)
{
	if (numeric(a, ae) && numeric(b, be))
		return 1;
	if (*a == '.' && ae == a + 1 && digit(*b))
		return 1;
	if (ae == a + 1 && (*a == 'x' || *a == 'X') && *b == '\'')
		return 1;
	return 0;
}

/* The canonical text of the statement [p, end) to fn; nothing for an
 * empty statement (a lone ';'). */
static int one(strata_host *host, const char *p, const char *end, strata_text_fn fn, void *ud)
{
	canon c = { 0 };
	const char *prev = NULL, *prev_end = NULL, *next;
	int rc = STRATA_OK;

	for (const char *t = sqlite_lex_token(p, end, &next); t < end;
	     t = sqlite_lex_token(next, end, &next)) {
		if (*t == ';' && next == end)
			continue; /* the statement's end; an inner one (a trigger's) stays */
		int sp = prev && !(prev_end == t && glued(prev, prev_end, t, next));
		if ((sp && put(&c, " ", 1) < 0) || put(&c, t, (size_t)(next - t)) < 0) {
			free(c.s);
			return strata_oom(host);
		}
		prev = t;
		prev_end = next;
	}
	if (c.len)
		rc = fn(ud, c.s, c.len);
	free(c.s);
	return rc;
}

int sqlite_drv_normalize(strata_conn *conn, strata_host *host, const strata_script *script,
                         strata_text_fn fn, void *ud)
{
	(void)conn;
	int rc = sqlite_lex_check(host, script, NULL);
	if (rc < 0)
		return rc == STRATA_ESQL ? STRATA_EINVAL : rc;
	const char *nul = script->len ? memchr(script->sql, '\0', script->len) : NULL;
	size_t len = nul ? (size_t)(nul - script->sql) : script->len;
	char *text = malloc(len + 1);
	if (!text)
		return strata_oom(host);
	memcpy(text, script->sql, len);
	text[len] = '\0';
	for (char *p = text, *end = text + len; p < end && rc == STRATA_OK;) {
		char *stop = sqlite_complete_end(p, end);
		rc = one(host, p, stop, fn, ud);
		p = stop;
	}
	free(text);
	return rc;
}
