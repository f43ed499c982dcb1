/*
 * Output buffers, the first stop (untranslatable / refused) and emit(): a
 * statement as Alembic prints it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "opsql_int.h"

/* ------------------------------------------------------------- buffers */

void ob_init(obuf *b, px_arena *a)
{
	b->a = a;
	b->p = NULL;
	b->n = b->cap = 0;
	ob_putn(b, "", 0);
}

void ob_putn(obuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = px_alloc(b->a, cap);
		if (b->n)
			memcpy(p, b->p, b->n);
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

void ob_puts(obuf *b, const char *s)
{
	ob_putn(b, s, strlen(s));
}

void ob_printf(obuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		ob_putn(b, tmp, (size_t)n);
		return;
	}
	char *big = px_alloc(b->a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ob_putn(b, big, (size_t)n);
}

/* -------------------------------------------------------------- errors */

int untrans(ctx *c, int line, const char *fmt, ...)
{
	if (c->status == OPSQL_OK) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->reason, sizeof c->reason, fmt, ap);
		va_end(ap);
		c->status = OPSQL_UNTRANSLATABLE;
		c->line = line;
	}
	return -1;
}

int bad_arg(ctx *c, int line, const char *construct, const char *kw)
{
	const char *why = kw ? later_kw(kw) : NULL;
	if (why)
		return untrans(c, line, "%s() argument %s= (%s)", construct, kw, why);
	if (kw)
		return untrans(c, line, "%s() argument %s=", construct, kw);
	return untrans(c, line, "%s() positional argument", construct);
}

/* Alembic itself raises on this dialect: the message is its own. */
int refuse(ctx *c, int line, const char *msg)
{
	if (c->status == OPSQL_OK) {
		snprintf(c->reason, sizeof c->reason, "%s", msg);
		c->status = OPSQL_REFUSED;
		c->line = line;
	}
	return -1;
}

static void lmap_push(ctx *c, int line, int col)
{
	if (c->nlmap == c->caplmap) {
		int cap = c->caplmap ? 2 * c->caplmap : 64;
		int *v = px_alloc(c->a, (size_t)cap * sizeof *v);
		int *w = px_alloc(c->a, (size_t)cap * sizeof *w);
		if (c->nlmap) {
			memcpy(v, c->lmap, (size_t)c->nlmap * sizeof *v);
			memcpy(w, c->cmap, (size_t)c->nlmap * sizeof *w);
		}
		c->lmap = v;
		c->cmap = w;
		c->caplmap = cap;
	}
	c->lmap[c->nlmap] = line;
	c->cmap[c->nlmap++] = col;
}

/* Where the lines emit() adds come from: the statement's lines, then the
 * blank one.  Text of c->src (op.execute's literal) line for line: the
 * literal's lines, and its columns where the text is the literal's own
 * (no bound value, no tab made four spaces); anything else: the op's line,
 * no column. */
static void lmap_stmt(ctx *c, const char *sql, size_t n, size_t s, size_t e)
{
	int first = 0, nl = 0;
	for (size_t i = 0; i < n; i++)
		if (sql[i] == '\n') {
			nl++;
			first += i < s;
		}
	const px *src = c->src && c->src->nlines == nl + 1 ? c->src : NULL;
	int same = src && src->n == n && !memcmp(src->s, sql, n);
	size_t bol = s; /* the first line's start in sql, before the stripped whitespace */
	while (bol > 0 && sql[bol - 1] != '\n')
		bol--;
	int k = first;
	for (size_t i = s, ls = bol; i <= e; i++) {
		if (i < e && sql[i] != '\n')
			continue;
		if (!src) {
			lmap_push(c, c->op_line, 0);
		} else {
			int col = same ? src->cols[k] : 0;
			for (size_t j = ls; col && j < i; j++) {
				if (sql[j] == '\t')
					col = 0;
				else if (j < s && ((unsigned char)sql[j] & 0xC0) != 0x80)
					col++; /* stripped: the line starts further right */
			}
			lmap_push(c, src->lines[k], col);
		}
		k++;
		ls = i + 1;
	}
	lmap_push(c, c->lmap[c->nlmap - 1], 0); /* the blank line */
}

/* Alembic writes str(compiled).replace("\t", "    ").strip() + ";" and a
 * blank line: the same here, byte for byte. */
void emit(ctx *c, const char *sql, size_t n)
{
	/* str.strip(): ASCII whitespace and the separators \x1c-\x1f */
	static const char ws[] = " \t\n\r\v\f\x1c\x1d\x1e\x1f";
	size_t s = 0, e = n;
	while (s < e && sql[s] && strchr(ws, sql[s]))
		s++;
	while (e > s && sql[e - 1] && strchr(ws, sql[e - 1]))
		e--;
	for (size_t i = s; i < e; i++) {
		if (sql[i] == '\t')
			ob_putn(&c->out, "    ", 4);
		else
			ob_putn(&c->out, sql + i, 1);
	}
	ob_putn(&c->out, ";\n\n", 3);
	lmap_stmt(c, sql, n, s, e);
}
