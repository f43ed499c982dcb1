/*
 * A migration script read token by token with SQLite's lexical rules (the
 * ones of tokenize.c: quotes, comments, parameters, identifier characters),
 * in one pass, to refuse before anything runs what SQLite itself would run
 * quietly and wrongly:
 *
 *   an unterminated comment   SQLite ends it at the end of the text, so
 *                             every statement after the opening / * is
 *                             skipped without a word;
 *   a bind parameter          ? ?1 :v @v $v #v, which a migration has
 *                             nothing to bind to: SQLite runs it with NULL;
 *   an unterminated quote     SQLite refuses it, but quotes the whole rest
 *                             of the file in its message.
 *
 * The same scanner finds the next ';' that ends a statement candidate, for
 * sqlite_txn.c, so text inside quotes and comments is never looked at twice.
 */
#include <stdio.h>
#include <string.h>

#include "sqlite_int.h"

/* SQLite's identifier characters (IdChar): letters, digits, '_', '$' and
 * every byte of a multi-byte UTF-8 character. */
static int id_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || c >= 0x80;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/*
 * The length of the parameter token at p (p[0] is one of $ @ : #), 0 when
 * SQLite reads no parameter there: it needs at least one identifier
 * character, and takes Tcl's "::" and "(...)" forms along.
 */
static size_t param_len(const char *p, const char *end)
{
	size_t i = 1, n = 0;

	while (p + i < end) {
		unsigned char c = (unsigned char)p[i];

		if (id_char(c)) {
			n++;
			i++;
		} else if (c == '(' && n > 0) {
			i++;
			while (p + i < end && !is_space((unsigned char)p[i]) && p[i] != ')')
				i++;
			if (p + i < end && p[i] == ')')
				i++;
			break;
		} else if (c == ':' && p + i + 1 < end && p[i + 1] == ':') {
			i += 2;
		} else {
			break;
		}
	}
	return n ? i : 0;
}

/* Where the quote opened at p ends (just past its closing quote; a doubled
 * quote stands for itself), or NULL when it never does. */
static const char *quote_end(const char *p, const char *end)
{
	char q = *p == '[' ? ']' : *p;

	for (p++; p < end; p += 2) {
		p = memchr(p, q, (size_t)(end - p));
		if (!p)
			return NULL;
		if (q == ']' || p + 1 == end || p[1] != q)
			return p + 1;
	}
	return NULL;
}

/*
 * One token (or comment, or run of whitespace) from p: sets *next past it
 * and returns its kind; a problem leaves *next at the problem's start.
 * Only what the callers need is told apart.
 */
enum tok {
	T_OTHER, T_WORD, T_SEMI, T_PARAM, T_OPEN_COMMENT, T_OPEN_STRING, T_OPEN_IDENT,
	T_ILLEGAL /* a $ @ : # without a name (x::int): SQLite's own error comes first */
};

static enum tok token(const char *p, const char *end, const char **next)
{
	const char *q;
	size_t n;

	*next = p + 1;
	switch (*p) {
	case ';':
		return T_SEMI;
	case '-':
		if (p + 1 < end && p[1] == '-') {
			q = memchr(p, '\n', (size_t)(end - p));
			*next = q ? q + 1 : end;
		}
		return T_OTHER;
	case '/':
		if (p + 1 < end && p[1] == '*') {
			for (q = p + 2; q + 1 < end; q++) {
				q = memchr(q, '*', (size_t)(end - q));
				if (!q || q + 1 >= end)
					break;
				if (q[1] == '/') {
					*next = q + 2;
					return T_OTHER;
				}
			}
			*next = p;
			return T_OPEN_COMMENT;
		}
		return T_OTHER;
	case '\'':
	case '"':
	case '`':
	case '[':
		q = quote_end(p, end);
		if (!q) {
			*next = p;
			return *p == '\'' ? T_OPEN_STRING : T_OPEN_IDENT;
		}
		*next = q;
		return T_OTHER;
	case '?':
		for (q = p + 1; q < end && *q >= '0' && *q <= '9'; q++)
			;
		*next = q;
		return T_PARAM;
	case '$':
	case '@':
	case ':':
	case '#':
		n = param_len(p, end);
		if (n) {
			*next = p + n;
			return T_PARAM;
		}
		return T_ILLEGAL;
	default:
		/* A word or number goes whole, so a '$' inside it is no parameter. */
		if (id_char((unsigned char)*p)) {
			for (q = p + 1; q < end && id_char((unsigned char)*q); q++)
				;
			*next = q;
			return T_WORD;
		}
		return T_OTHER;
	}
}

/* The text SQLite reads: up to the first NUL byte (run() reports that). */
static const char *text_end(const char *sql, size_t len)
{
	const char *nul = len ? memchr(sql, '\0', len) : NULL;

	return nul ? nul : sql + len;
}

/* The words every transaction statement has (BEGIN, COMMIT, END, ROLLBACK,
 * SAVEPOINT, RELEASE), in any case.  A word that only looks like one (END of
 * CASE) costs the caller a closer look, nothing more. */
static int tx_word(const char *p, size_t n)
{
	static const char *const words[] = { "begin", "commit", "end", "rollback", "savepoint",
	                                     "release" };

	if (n < 3 || n > 9 || !strchr("bcersBCERS", *p))
		return 0;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		size_t k = strlen(words[i]), j = 0;

		while (j < k && j < n && (p[j] | 0x20) == words[i][j])
			j++;
		if (j == k && n == k)
			return 1;
	}
	return 0;
}

#define PARAM_SHOWN 40 /* bytes of a parameter's name in the message */

/* The first problem wins: after an open quote or comment there is no more
 * text to read. */

int sqlite_lex_check(strata_host *host, const strata_script *s, int *tx_words)
{
	const char *p = s->sql, *end = text_end(s->sql, s->len), *next;
	const char *msg = NULL, *hint = NULL;
	char buf[160];
	int line, col;

	if (tx_words)
		*tx_words = 0;
	for (; p < end && !msg; p = msg ? p : next) {
		enum tok t = token(p, end, &next);

		if (t == T_ILLEGAL)
			return STRATA_OK; /* prepare reports it, at its place */
		switch (t) {
		case T_WORD:
			if (tx_words && !*tx_words)
				*tx_words = tx_word(p, (size_t)(next - p));
			break;
		case T_OPEN_COMMENT:
			msg = "unterminated /* comment: SQLite would skip everything after it";
			hint = "close it with */";
			break;
		case T_OPEN_STRING:
			msg = "unterminated quoted string";
			hint = "close it with '; a quote inside a string is written ''";
			break;
		case T_OPEN_IDENT:
			msg = "unterminated quoted identifier";
			hint = *p == '"' ? "close it with \"" : *p == '`' ? "close it with `" : "close it with ]";
			break;
		case T_PARAM: {
			int n = (int)(next - p);

			snprintf(buf, sizeof buf, "migration has a bind parameter '%.*s%s', which nothing "
			         "would fill", n > PARAM_SHOWN ? PARAM_SHOWN : n, p,
			         n > PARAM_SHOWN ? "..." : "");
			msg = buf;
			hint = "SQLite would run the statement with NULL in its place; write the value "
			       "into the file";
			break;
		}
		default:
			break;
		}
	}
	if (!msg)
		return STRATA_OK;
	sqlite_locate(s, (size_t)(p - s->sql), &line, &col);
	host->error(host, STRATA_ECLASS_SQL, s->file, line, col, hint, "%s", msg);
	return STRATA_ESQL;
}

const char *sqlite_lex_next_semi(const char *p, const char *end)
{
	const char *next;

	for (; p < end; p = next) {
		enum tok t = token(p, end, &next);

		if (t == T_SEMI)
			return p;
		if (next == p) /* an unterminated quote or comment: it runs to the end */
			return end;
	}
	return end;
}

/* The next token from p, past whitespace and comments: a word, a quoted
 * name or string, or one other character; *next is past it.  end when the
 * text ends or a quote or comment never closes. */
const char *sqlite_lex_token(const char *p, const char *end, const char **next)
{
	while (p < end) {
		const char *q;
		enum tok t;

		if (is_space((unsigned char)*p)) {
			p++;
			continue;
		}
		t = token(p, end, &q);
		if (t == T_OPEN_COMMENT || t == T_OPEN_STRING || t == T_OPEN_IDENT)
			break;
		if ((*p == '-' && q > p + 1) || (*p == '/' && q > p + 1)) {
			p = q; /* a comment */
			continue;
		}
		*next = q;
		return p;
	}
	*next = end;
	return end;
}
