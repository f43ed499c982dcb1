/*
 * Identifiers and string literals as SQLAlchemy's IdentifierPreparer and
 * literal processors write them; the reserved words are the dialect's.
 */
#include <stdlib.h>
#include <string.h>

#include "opsql_int.h"
#include "opsql_names.h"

/* ------------------------------------------------------------- quoting */

/* IdentifierPreparer._requires_quotes: a reserved word, a first character
 * that is a digit or '$', a character outside [A-Za-z0-9_$], or any
 * uppercase letter. */
static int requires_quotes(const opsql_dialect_def *dd, const char *s)
{
	if (!*s)
		return 1;
	if ((s[0] >= '0' && s[0] <= '9') || s[0] == '$')
		return 1;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 'A' && ch <= 'Z')
			return 1;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '$'))
			return 1;
	}
	for (const char *const *w = dd->reserved; *w; w++)
		if (!strcmp(*w, s))
			return 1;
	return 0;
}

static int needs_quotes(ctx *c, const char *s)
{
	return requires_quotes(c->dd, s);
}

char *opsql_ident(opsql_dialect dialect, const char *name)
{
	const opsql_dialect_def *dd = opsql_dialect_get(dialect);
	size_t n = strlen(name), k = 0;
	char *out = dd ? malloc(2 * n + 3) : NULL;
	if (!out)
		return NULL;
	if (!requires_quotes(dd, name)) {
		memcpy(out, name, n + 1);
		return out;
	}
	out[k++] = '"';
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			out[k++] = '"';
		out[k++] = *p;
	}
	out[k++] = '"';
	out[k] = '\0';
	return out;
}

int is_label(const ctx *c, const char *s)
{
	for (int i = 0; i < c->nlabels; i++)
		if (c->labels[i] == s)
			return 1;
	return 0;
}

void label_add(ctx *c, const char *s)
{
	if (!s || is_label(c, s))
		return;
	if (c->nlabels == c->caplabels) {
		int cap = c->caplabels ? 2 * c->caplabels : 8;
		const char **v = px_alloc(c->a, (size_t)cap * sizeof *v);
		if (c->nlabels)
			memcpy(v, c->labels, (size_t)c->nlabels * sizeof *v);
		c->labels = v;
		c->caplabels = cap;
	}
	c->labels[c->nlabels++] = s;
}

int name_ok(ctx *c, const char **name, int line)
{
	size_t max = (size_t)c->dd->max_ident;
	if (!*name || !max || opsql_name_len(*name) <= max)
		return 0;
	if (is_label(c, *name)) {
		char *t = opsql_name_truncate(max, *name);
		if (!t)
			return untrans(c, line, "name %s: no MD5 digest for SQLAlchemy's truncation", *name);
		*name = px_strndup(c->a, t, strlen(t));
		free(t);
		return 0;
	}
	char msg[512];
	opsql_name_check(max, *name, msg, sizeof msg);
	return refuse(c, line, msg);
}

/* One identifier, quoted when needs_quotes() says SQLAlchemy would. */
void q_ident(ctx *c, obuf *b, const char *name)
{
	if (!needs_quotes(c, name)) {
		ob_puts(b, name);
		return;
	}
	ob_putn(b, "\"", 1);
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			ob_putn(b, "\"\"", 2);
		else
			ob_putn(b, p, 1);
	}
	ob_putn(b, "\"", 1);
}

/* [schema.]name, each part quoted on its own (format_table). */
void q_table(ctx *c, obuf *b, const char *schema, const char *name)
{
	if (schema && *schema) {
		q_ident(c, b, schema);
		ob_putn(b, ".", 1);
	}
	q_ident(c, b, name);
}

/* String.literal_processor: quotes doubled; PostgreSQL's compiler then
 * doubles backslashes because, offline, the dialect never learned that
 * standard_conforming_strings is on (PGDialect._backslash_escapes). */
void q_literal(ctx *c, obuf *b, const char *s, size_t n)
{
	ob_putn(b, "'", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			ob_putn(b, "''", 2);
		else if (s[i] == '\\' && c->dd->backslash_escapes)
			ob_putn(b, "\\\\", 2);
		else
			ob_putn(b, s + i, 1);
	}
	ob_putn(b, "'", 1);
}
