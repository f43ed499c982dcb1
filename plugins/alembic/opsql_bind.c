/*
 * Python argument binding of an op.* call against Alembic's signature, and
 * small helpers shared by the op families.
 */
#include <string.h>

#include "opsql_int.h"

/* ========================================================= op.* calls */

/* --------------------------------------------------------- argument binding */


/* Keyword arguments of dialects strata does not target, ignored. */
int foreign_dialect_kw(const char *kw)
{
	static const char *const p[] = { "mysql_", "mariadb_", "mssql_", "oracle_", NULL };
	for (int i = 0; p[i]; i++)
		if (!strncmp(kw, p[i], strlen(p[i])))
			return 1;
	return 0;
}

/* Python's argument binding for a signature given as names in order. */
/* Keywords of a later SQLAlchemy that 1.4 refuses (its dialect-keyword
 * check: "Argument '...' is not accepted by dialect"), so the Alembic 1.8.1 +
 * SQLAlchemy 1.4 judge prints nothing for them and strata has no SQL to
 * mirror: the message says so. */
static const struct {
	const char *kw, *why;
} later_kws[] = {
	{ "postgresql_nulls_not_distinct", "SQLAlchemy 2.0's NULLS NOT DISTINCT; SQLAlchemy 1.4 refuses it" },
	{ NULL, NULL }
};

const char *later_kw(const char *kw)
{
	for (int i = 0; later_kws[i].kw; i++)
		if (!strcmp(later_kws[i].kw, kw))
			return later_kws[i].why;
	return NULL;
}

int bind_args(ctx *c, px *call, const char *op, const char *const *names, opargs *a)
{
	memset(a->v, 0, sizeof a->v);
	a->names = names;
	a->line = call->line;
	int np = 0;
	while (names[np])
		np++;
	int pos = 0;
	for (int i = 0; i < call->na; i++) {
		const char *kw = call->kw[i];
		if (kw && (!strcmp(kw, "*") || !strcmp(kw, "**")))
			return untrans(c, call->line, "argument unpacking in %s()", op);
		if (!kw) {
			if (pos >= np)
				return untrans(c, call->line, "too many arguments to %s()", op);
			a->v[pos++] = call->a[i];
			continue;
		}
		int k;
		for (k = 0; k < np; k++)
			if (!strcmp(names[k], kw))
				break;
		if (k == np) {
			if (foreign_dialect_kw(kw))
				continue;
			const char *why = later_kw(kw);
			return untrans(c, call->line, "argument %s= of %s()%s%s%s", kw, op, why ? " (" : "",
			               why ? why : "", why ? ")" : "");
		}
		a->v[k] = call->a[i];
	}
	return 0;
}

/* The bound value of a parameter, NULL when not passed. */
px *A(const opargs *a, const char *name)
{
	for (int i = 0; a->names[i]; i++)
		if (!strcmp(a->names[i], name))
			return a->v[i];
	return NULL;
}

/* A string argument that may also be None / absent. */
int opt_str(ctx *c, const opargs *a, const char *name, const char **out)
{
	px *v = A(a, name);
	*out = NULL;
	if (!v || v->k == PX_NONE)
		return 0;
	*out = str_arg(c, v);
	if (!*out)
		return untrans(c, v->line, "non-literal %s", name);
	return 0;
}

/* A required literal name. */
int req_str(ctx *c, const opargs *a, const char *name, const char **out)
{
	if (opt_str(c, a, name, out))
		return -1;
	if (!*out)
		return untrans(c, a->line, "missing %s", name);
	return 0;
}

/* A literal flag, False when absent. */
int opt_bool(ctx *c, const opargs *a, const char *name, int *out)
{
	px *v = A(a, name);
	*out = 0;
	if (!v)
		return 0;
	int b = bool_arg(v);
	if (b < 0)
		return untrans(c, v->line, "non-literal %s", name);
	*out = b;
	return 0;
}

/* The table and schema of an op: the batch's, or the op's own arguments. */
int table_of(ctx *c, const opargs *a, const char *argname, const char **t, const char **s)
{
	if (a->batch) {
		*t = a->table;
		*s = a->schema;
		return 0;
	}
	if (req_str(c, a, argname, t))
		return -1;
	return opt_str(c, a, "schema", s);
}

/* "ALTER TABLE [schema.]t", as alembic.ddl.base.alter_table(). */
void alter_table(ctx *c, obuf *b, const char *t, const char *s)
{
	ob_puts(b, "ALTER TABLE ");
	q_table(c, b, s, t);
}

/* ALTER TABLE t ADD <constraint>, as PostgreSQL takes a constraint after
 * the table exists (td: the table the constraint's columns belong to, or
 * NULL). */
void emit_add_constraint(ctx *c, const char *table, const char *schema, tdef *td,
                                cons *k)
{
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, table, schema);
	ob_puts(&b, " ADD ");
	cons_sql(c, &b, td, k);
	emit(c, b.p, b.n);
}
