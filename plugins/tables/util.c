/* SQL text built with quoted identifiers, and the small helpers every file
 * of the plugin needs.  Values never go into the text: they are bound. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables_int.h"

static void grow(tb_buf *b, size_t more)
{
	if (b->oom || b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 128;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return;
	}
	b->s = s;
	b->cap = cap;
}

void tb_puts(tb_buf *b, const char *s)
{
	size_t n = strlen(s);
	grow(b, n);
	if (b->oom)
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void tb_printf(tb_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	tb_puts(b, tmp);
}

void tb_ident(tb_buf *b, const char *id)
{
	tb_puts(b, "\"");
	for (const char *p = id; *p; p++) {
		char c[3] = {*p, *p == '"' ? '"' : '\0', '\0'};
		tb_puts(b, c);
	}
	tb_puts(b, "\"");
}

void tb_table(tb_buf *b, const tb_desc *d)
{
	if (d->schema) {
		tb_ident(b, d->schema);
		tb_puts(b, ".");
	}
	tb_ident(b, d->table);
}

void tb_buf_free(tb_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof *b);
}

bool tb_is_sqlite(strata_host *h)
{
	const char *d = h->db_dialect(h);
	return d && !strcmp(d, "sqlite");
}

/* A problem with the database's rows: reported, STRATA_ESTATE. */
int tb_fail(strata_host *h, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	h->error(h, STRATA_ECLASS_DB, NULL, 0, 0, NULL, "%s", msg);
	return STRATA_ESTATE;
}

int tb_bool_of(const char *v)
{
	static const char *const yes[] = {"t", "true", "1", "TRUE", "True"};
	static const char *const no[] = {"f", "false", "0", "FALSE", "False"};
	if (!v)
		return -1;
	for (size_t i = 0; i < 5; i++) {
		if (!strcmp(v, yes[i]))
			return 1;
		if (!strcmp(v, no[i]))
			return 0;
	}
	return -1;
}

const char *tb_table_name(const tb_desc *d, char *buf, size_t size)
{
	if (d->schema)
		snprintf(buf, size, "%s.%s", d->schema, d->table);
	else
		snprintf(buf, size, "%s", d->table);
	return buf;
}
