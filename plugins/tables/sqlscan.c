/*
 * Does a script write its own tracking row?  Hand-run workflows end an up
 * script with `INSERT INTO schema_migrations …` and a down script with
 * `DELETE FROM schema_migrations …`.  A small tokenizer finds those words
 * outside comments (line comments and nested block comments), string literals ('…' with '' and, in
 * E'…', backslash escapes), quoted identifiers and dollar quotes ($tag$…$tag$),
 * then matches [schema.]table, case-insensitively unless quoted.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "tables_int.h"

typedef struct tok {
	const char *s; /* word or quoted identifier (quotes included) */
	size_t len;
	int line;
} tok;

typedef struct lexer {
	const char *p, *end;
	int line;
} lexer;

static void advance(lexer *x, size_t n)
{
	for (size_t i = 0; i < n && x->p < x->end; i++, x->p++)
		if (*x->p == '\n')
			x->line++;
}

/* Past a literal that opened at x->p (quote q); backslashes escape in E''. */
static void skip_quoted(lexer *x, char q, bool backslash)
{
	advance(x, 1);
	while (x->p < x->end) {
		if (backslash && *x->p == '\\') {
			advance(x, 2);
			continue;
		}
		if (*x->p == q) {
			if (x->p + 1 < x->end && x->p[1] == q) {
				advance(x, 2);
				continue;
			}
			advance(x, 1);
			return;
		}
		advance(x, 1);
	}
}

/* $tag$ … $tag$: true when x->p opens one (and it was skipped). */
static bool skip_dollar(lexer *x)
{
	const char *q = x->p + 1;
	while (q < x->end && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	if (q >= x->end || *q != '$' || (q > x->p + 1 && isdigit((unsigned char)x->p[1])))
		return false;
	size_t tl = (size_t)(q - x->p) + 1;
	const char *tag = x->p;
	advance(x, tl);
	while (x->p < x->end) {
		if (*x->p == '$' && (size_t)(x->end - x->p) >= tl && !memcmp(x->p, tag, tl)) {
			advance(x, tl);
			return true;
		}
		advance(x, 1);
	}
	return true;
}

static void skip_block_comment(lexer *x)
{
	int depth = 0;
	do {
		if (x->p + 1 < x->end && x->p[0] == '/' && x->p[1] == '*') {
			depth++;
			advance(x, 2);
		} else if (x->p + 1 < x->end && x->p[0] == '*' && x->p[1] == '/') {
			depth--;
			advance(x, 2);
		} else {
			advance(x, 1);
		}
	} while (depth > 0 && x->p < x->end);
}

/* The next word, quoted identifier or '.' / ';' (len 1); false at the end. */
static bool next(lexer *x, tok *t)
{
	while (x->p < x->end) {
		char c = *x->p;
		if (isspace((unsigned char)c)) {
			advance(x, 1);
		} else if (c == '-' && x->p + 1 < x->end && x->p[1] == '-') {
			while (x->p < x->end && *x->p != '\n')
				advance(x, 1);
		} else if (c == '/' && x->p + 1 < x->end && x->p[1] == '*') {
			skip_block_comment(x);
		} else if (c == '\'') {
			skip_quoted(x, '\'', false);
		} else if (c == '$' && skip_dollar(x)) {
			continue;
		} else if (c == '"' || c == '`' || c == '[') {
			const char *s = x->p;
			int line = x->line;
			if (c == '[') {
				while (x->p < x->end && *x->p != ']')
					advance(x, 1);
				advance(x, 1);
			} else {
				skip_quoted(x, c, false);
			}
			*t = (tok){s, (size_t)(x->p - s), line};
			return true;
		} else if (isalnum((unsigned char)c) || c == '_') {
			const char *s = x->p;
			int line = x->line;
			while (x->p < x->end && (isalnum((unsigned char)*x->p) || *x->p == '_' || *x->p == '$'))
				advance(x, 1);
			if ((x->p - s == 1) && (*s == 'E' || *s == 'e') && x->p < x->end && *x->p == '\'') {
				skip_quoted(x, '\'', true);
				continue;
			}
			*t = (tok){s, (size_t)(x->p - s), line};
			return true;
		} else {
			*t = (tok){x->p, 1, x->line};
			advance(x, 1);
			return true;
		}
	}
	return false;
}

static bool word_is(const tok *t, const char *w)
{
	return t->len == strlen(w) && !strncasecmp(t->s, w, t->len);
}

/* An identifier token against a name: quoted ones exactly (with "" as "),
 * plain ones case-insensitively. */
static bool ident_is(const tok *t, const char *name)
{
	if (t->len >= 2 && (t->s[0] == '"' || t->s[0] == '`' || t->s[0] == '[')) {
		size_t n = strlen(name), j = 0;
		for (size_t i = 1; i + 1 < t->len; i++, j++) {
			if (t->s[0] == '"' && t->s[i] == '"')
				i++;
			if (j >= n || t->s[i] != name[j])
				return false;
		}
		return j == n;
	}
	return word_is(t, name);
}

int tb_writes_table(const char *text, size_t len, const tb_desc *d, bool insert)
{
	if (!text)
		return 0;
	lexer x = {text, text + len, 1};
	tok a, b, c, e;
	const char *w1 = insert ? "insert" : "delete", *w2 = insert ? "into" : "from";
	while (next(&x, &a)) {
		if (!word_is(&a, w1))
			continue;
		lexer save = x;
		if (!next(&x, &b) || !word_is(&b, w2) || !next(&x, &c)) {
			x = save;
			continue;
		}
		lexer at = x;
		if (next(&x, &e) && e.len == 1 && e.s[0] == '.') {
			tok t;
			if (next(&x, &t) && ident_is(&t, d->table) &&
			    (!d->schema || ident_is(&c, d->schema)))
				return a.line;
		} else {
			x = at;
			if (ident_is(&c, d->table))
				return a.line;
		}
	}
	return 0;
}
