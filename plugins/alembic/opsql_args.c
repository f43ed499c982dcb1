/*
 * Reading literal arguments: callee names with sa./postgresql. prefixes
 * normalised, strings, op.f(), text(), booleans.
 */
#include <stdio.h>
#include <string.h>

#include "opsql_int.h"

/* ------------------------------------------------------- argument helpers */

static const char *const sa_prefixes[] = { "sa.", "sqlalchemy.", "sa.types.", "sqlalchemy.types.",
	                                   "sa.schema.", "sqlalchemy.schema.", "sa.sql.", "sqlalchemy.sql.",
	                                   "sa.sql.expression.", "sqlalchemy.sql.expression.", NULL };
static const char *const pg_prefixes[] = { "postgresql.", "sa.dialects.postgresql.",
	                                   "sqlalchemy.dialects.postgresql.", NULL };

/* Imports differ between revisions (sa.X, sqlalchemy.X, from sqlalchemy import X,
 * postgresql.X): one spelling per class makes the lookups simple. */
const char *callee_name(ctx *c, const px *e)
{
	const char *d = px_dotted(c->a, e);
	if (!d)
		return NULL;
	for (int i = 0; pg_prefixes[i]; i++) {
		size_t n = strlen(pg_prefixes[i]);
		if (!strncmp(d, pg_prefixes[i], n) && !strchr(d + n, '.')) {
			char *s = px_alloc(c->a, strlen(d + n) + 4);
			sprintf(s, "pg:%s", d + n);
			return s;
		}
	}
	for (int i = 0; sa_prefixes[i]; i++) {
		size_t n = strlen(sa_prefixes[i]);
		if (!strncmp(d, sa_prefixes[i], n) && !strchr(d + n, '.')) {
			char *s = px_alloc(c->a, strlen(d + n) + 4);
			sprintf(s, "sa:%s", d + n);
			return s;
		}
	}
	if (!strchr(d, '.')) { /* a bare name imported from sqlalchemy */
		char *s = px_alloc(c->a, strlen(d) + 4);
		sprintf(s, "sa:%s", d);
		return s;
	}
	return d;
}

/* A plain str literal (not an f-string, not bytes). */
int is_str(const px *e)
{
	return e && e->k == PX_STR && !e->fstr && !e->bytes;
}

/* Names come as "x" or op.f("x") (autogenerate) or conv("x"). */
const char *str_arg(ctx *c, const px *e)
{
	if (is_str(e))
		return e->s;
	if (e && e->k == PX_CALL) {
		const char *d = px_dotted(c->a, e->obj);
		size_t al = c->alias ? strlen(c->alias) : 0;
		int batch_f = d && al && !strncmp(d, c->alias, al) && !strcmp(d + al, ".f");
		if (d && (!strcmp(d, "op.f") || batch_f || !strcmp(d, "conv")) && e->na == 1 && !e->kw[0] &&
		    is_str(e->a[0])) {
			label_add(c, e->a[0]->s); /* conv(): a truncated label */
			return e->a[0]->s;
		}
		d = callee_name(c, e->obj);
		if (d && !strcmp(d, "sa:schema.conv") && e->na == 1 && is_str(e->a[0])) {
			label_add(c, e->a[0]->s);
			return e->a[0]->s;
		}
	}
	return NULL;
}

/* SQL fragments come as "..." or sa.text("..."). */
const char *text_arg(ctx *c, const px *e)
{
	if (is_str(e))
		return e->s;
	if (e && e->k == PX_CALL && e->na == 1 && !e->kw[0] && is_str(e->a[0])) {
		const char *d = callee_name(c, e->obj);
		if (d && (!strcmp(d, "sa:text") || !strcmp(d, "sa:sql.text") || !strcmp(d, "sa:literal_column")))
			return e->a[0]->s;
	}
	return NULL;
}

/* Flags are written True / False / None / 0 / 1. */
int bool_arg(const px *e)
{
	if (!e)
		return -1;
	if (e->k == PX_BOOL || e->k == PX_INT)
		return e->iv != 0;
	if (e->k == PX_NONE)
		return 0;
	return -1;
}
