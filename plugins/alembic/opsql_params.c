/*
 * The parameters of upgrade(op, tables, tester): what the source's
 * `arguments:` option says env.py passes for each
 * (`context.run_migrations(op=alembic_op, tables=tables, tester=...)`).
 *   noop    an object every call of which does nothing: `tester.populate_table(...)`
 *           as a statement is no SQL (a call whose result is used is not read here)
 *   tables  a MetaData's tables: `tables.X` is the table X, known when the
 *           revision itself creates X with op.create_table() before
 * A parameter with no entry is named with the option when the body uses it.
 */
#include <stdio.h>
#include <string.h>

#include "opsql_int.h"

static const char *const kinds[] = { "noop", "tables", NULL };

static int is_ident(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9')))
			return 0;
	}
	return 1;
}

/* One KEY=VALUE line of the option: 0, or -1 with the message. */
static int check_line(const char *s, size_t n, char *err, size_t errsize)
{
	const char *eq = memchr(s, '=', n);
	size_t kn = eq ? (size_t)(eq - s) : n;
	if (!eq || !is_ident(s, kn)) {
		snprintf(err, errsize, "arguments: '%.*s' is not a parameter name (write the name of "
		         "upgrade()'s parameter, as in  arguments: {tester: noop})", (int)kn, s);
		return -1;
	}
	const char *v = eq + 1;
	size_t vn = n - kn - 1;
	for (int k = 0; kinds[k]; k++)
		if (strlen(kinds[k]) == vn && !memcmp(kinds[k], v, vn))
			return 0;
	snprintf(err, errsize, "arguments: %.*s: '%.*s' is not what strata knows env.py to pass "
	         "(noop: an object whose calls do nothing; tables: a MetaData's tables)", (int)kn, s,
	         (int)vn, v);
	return -1;
}

int opsql_arguments_check(const char *lines, char *err, size_t errsize)
{
	for (const char *p = lines; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n && check_line(p, n, err, errsize))
			return -1;
		p += n + (nl != NULL);
	}
	return 0;
}

/* The kind the option gives the parameter name[0..n), or NULL. */
static const char *kind_of(const char *lines, const char *name, size_t n)
{
	for (const char *p = lines; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > n && p[n] == '=' && !memcmp(p, name, n)) {
			for (int k = 0; kinds[k]; k++)
				if (strlen(kinds[k]) == len - n - 1 && !memcmp(kinds[k], p + n + 1, len - n - 1))
					return kinds[k];
			return NULL;
		}
		p += len + (nl != NULL);
	}
	return NULL;
}

void params_bind(ctx *c, const char *fn, const px_tok *t, int s, int e)
{
	c->fn = fn;
	const char *lines = c->env ? c->env->arguments : NULL;
	int depth = 0, start = 1;
	for (int i = s; i < e; i++) {
		if (px_is_op(&t[i], "(") || px_is_op(&t[i], "[") || px_is_op(&t[i], "{"))
			depth++;
		else if (px_is_op(&t[i], ")") || px_is_op(&t[i], "]") || px_is_op(&t[i], "}"))
			depth--;
		if (depth == 1 && px_is_op(&t[i], ","))
			start = 1;
		else if (depth == 1 && start && t[i].k == TK_NAME && !px_is_op(&t[i], "(")) {
			start = 0;
			if (t[i].n == 2 && !memcmp(t[i].p, "op", 2))
				continue; /* Alembic's op, as env.py passes op=alembic_op */
			if (c->nparams == (int)(sizeof c->params / sizeof c->params[0]))
				continue;
			oparam *p = &c->params[c->nparams++];
			p->name = px_strndup(c->a, t[i].p, t[i].n);
			p->kind = kind_of(lines, t[i].p, t[i].n);
		} else if (depth == 1 && !px_is_op(&t[i], "*") && !px_is_op(&t[i], "**")) {
			start = 0;
		}
	}
}

void params_made(ctx *c, tdef *t)
{
	if (c->nmade == c->capmade) {
		int cap = c->capmade ? c->capmade * 2 : 8;
		tdef **m = px_alloc(c->a, (size_t)cap * sizeof *m);
		if (c->nmade)
			memcpy(m, c->made, (size_t)c->nmade * sizeof *m);
		c->made = m;
		c->capmade = cap;
	}
	c->made[c->nmade++] = t;
}

/* The parameter an attribute / call chain starts from, or NULL. */
static const oparam *param_root(ctx *c, const px *e)
{
	while (e && (e->k == PX_ATTR || e->k == PX_CALL))
		e = e->obj;
	if (!e || e->k != PX_NAME)
		return NULL;
	for (int i = 0; i < c->nparams; i++)
		if (!strcmp(c->params[i].name, e->s))
			return &c->params[i];
	return NULL;
}

static int not_given(ctx *c, int line, const char *what, const oparam *p)
{
	return untrans(c, line, "%s: what env.py passes as %s()'s parameter '%s' is not known "
	               "(give it under the source's arguments:, as noop or tables)",
	               what, c->fn, p->name);
}

/* An argument of a noop call that Python evaluates without touching the
 * database: literals, containers of them, lambdas (not called), and reads
 * and calls of the noop object itself. */
static int harmless(ctx *c, const px *e, const oparam *p)
{
	switch (e->k) {
	case PX_NONE: case PX_BOOL: case PX_INT: case PX_FLOAT:
		return 1;
	case PX_STR:
		return !e->fstr;
	case PX_OTHER:
		return !strcmp(e->s, "lambda");
	case PX_TUPLE: case PX_LIST: case PX_DICT:
		for (int i = 0; i < e->na; i++)
			if (!harmless(c, e->a[i], p))
				return 0;
		return 1;
	case PX_NAME: case PX_ATTR: case PX_CALL:
		if (param_root(c, e) != p)
			return 0;
		for (const px *x = e; x; x = x->obj)
			for (int i = 0; x->k == PX_CALL && i < x->na; i++)
				if ((x->kw[i] && x->kw[i][0] == '*') || !harmless(c, x->a[i], p))
					return 0;
		return 1;
	}
	return 0;
}

int params_stmt(ctx *c, const px *x)
{
	const oparam *p = param_root(c, x);
	if (!p)
		return 1;
	const char *d = px_dotted(c->a, x->obj);
	char what[300];
	snprintf(what, sizeof what, "call to %s()", d ? d : "a computed function");
	if (!p->kind)
		return not_given(c, x->line, what, p);
	if (strcmp(p->kind, "noop") || !harmless(c, x, p))
		return untrans(c, x->line, "%s (%s: %s; only a call of a noop object with "
		               "literal arguments is no SQL)", what, p->name, p->kind);
	return 0;
}

tdef *params_table(ctx *c, const px *e, int *mine)
{
	*mine = 0;
	const oparam *p = param_root(c, e);
	if (!p)
		return NULL;
	*mine = 1;
	const char *d = px_dotted(c->a, e);
	char what[300];
	snprintf(what, sizeof what, "table expression %s", d ? d : "");
	if (!p->kind) {
		not_given(c, e->line, what, p);
		return NULL;
	}
	if (strcmp(p->kind, "tables") || e->k != PX_ATTR || !e->obj || e->obj->k != PX_NAME) {
		untrans(c, e->line, "%s (%s: %s)", what, p->name, p->kind);
		return NULL;
	}
	for (int i = c->nmade - 1; i >= 0; i--)
		if (!strcmp(c->made[i]->name, e->s) && !c->made[i]->schema)
			return c->made[i];
	char why[400] = "no history was read";
	tdef *t = c->env && c->env->history ? history_table(c, c->env->history, e->s, why, sizeof why) : NULL;
	if (!t)
		untrans(c, e->line, "%s: the columns of table '%s' are not known from the history: %s",
		        what, e->s, why);
	return t;
}

/* ------------------------------------------------ op.execute(tables.X...) */

/* The `where(` of the statement's tokens and its ")" (the last one). */
static int where_range(const ctx *c, int *s, int *e)
{
	const px_tok *t = c->stmt_t;
	int found = -1;
	for (int i = c->stmt_s; t && i + 1 < c->stmt_e; i++)
		if (px_is_name(&t[i], "where") && i > 0 && px_is_op(&t[i - 1], ".") && px_is_op(&t[i + 1], "("))
			found = i + 2;
	if (found < 0)
		return -1;
	int depth = 1, k = found;
	for (; k < c->stmt_e && depth; k++) {
		if (px_is_op(&t[k], "(") || px_is_op(&t[k], "[") || px_is_op(&t[k], "{"))
			depth++;
		else if (px_is_op(&t[k], ")") || px_is_op(&t[k], "]") || px_is_op(&t[k], "}"))
			depth--;
	}
	if (depth)
		return -1;
	*s = found;
	*e = k - 1;
	return 0;
}

static const char *const other_ops[] = { "|", "&", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/",
	                                     "%", "^", "~", "<<", ">>", "//", "@", NULL };

/* `tables.X.c.COL == op.inline_literal(V)` in t[s..e): what Alembic prints
 * offline (the literal by its own type: str, int); -1 untranslatable. */
static int where_eq(ctx *c, obuf *b, const tdef *t, int s, int e, int line)
{
	const px_tok *tk = c->stmt_t;
	int eq = px_top_op(tk, s, e, "==");
	int bad = eq < 0 || px_top_op(tk, eq + 1, e, "==") >= 0;
	for (int k = 0; !bad && other_ops[k]; k++)
		bad = px_top_op(tk, s, e, other_ops[k]) >= 0;
	for (int i = s; !bad && i < e; i++)
		bad = px_is_name(&tk[i], "and") || px_is_name(&tk[i], "or") || px_is_name(&tk[i], "not") ||
		      px_is_name(&tk[i], "in") || px_is_name(&tk[i], "is");
	if (bad)
		return untrans(c, line, "where() of tables.%s other than one column == op.inline_literal(value)",
		               t->name);
	int i = s;
	px *l = px_parse_expr(c->a, tk, &i, eq);
	int j = eq + 1;
	px *r = px_parse_expr(c->a, tk, &j, e);
	/* tables.X.c.COL */
	if (i != eq || l->k != PX_ATTR || !l->obj || l->obj->k != PX_ATTR || strcmp(l->obj->s, "c") ||
	    !l->obj->obj || l->obj->obj->k != PX_ATTR || strcmp(l->obj->obj->s, t->name) ||
	    param_root(c, l) == NULL)
		return untrans(c, line, "where() of tables.%s whose left side is not tables.%s.c.<column>",
		               t->name, t->name);
	int known = 0;
	for (int k = 0; k < t->ncols; k++)
		known |= !strcmp(t->cols[k]->name, l->s);
	if (!known)
		return untrans(c, line, "where() of tables.%s: '%s' is not a column of %s", t->name, l->s, t->name);
	const char *d = r->k == PX_CALL ? px_dotted(c->a, r->obj) : NULL;
	if (j != e || !d || strcmp(d, "op.inline_literal") || r->na != 1 || r->kw[0])
		return untrans(c, line, "where() of tables.%s compared with other than op.inline_literal(value) "
		               "(Alembic prints a bind placeholder offline)", t->name);
	px *v = r->a[0];
	q_table(c, b, t->schema, t->name);
	ob_puts(b, ".");
	q_ident(c, b, l->s);
	ob_puts(b, " = ");
	if (is_str(v))
		q_literal(c, b, v->s, v->n);
	else if (v->k == PX_INT)
		ob_printf(b, "%lld", v->iv);
	else
		return untrans(c, line, "op.inline_literal() of other than a literal string or integer");
	return 0;
}

int params_execute(ctx *c, const px *e, int *mine)
{
	*mine = 0;
	const oparam *p = param_root(c, e);
	if (!p)
		return 0;
	*mine = 1;
	/* tables.X.delete() / tables.X.delete().where(...) */
	const px *del = e, *where = NULL;
	if (e->k == PX_CALL && e->obj->k == PX_ATTR && !strcmp(e->obj->s, "where") && e->na == 1 &&
	    !e->kw[0]) {
		where = e;
		del = e->obj->obj;
	}
	int is_del = del->k == PX_CALL && del->na == 0 && del->obj->k == PX_ATTR && !strcmp(del->obj->s, "delete");
	const px *base = e; /* tables.X */
	while (base->obj && base->obj->k != PX_NAME)
		base = base->obj;
	const char *d = px_dotted(c->a, base);
	if (!p->kind || !is_del || strcmp(p->kind, "tables")) {
		char what[300];
		snprintf(what, sizeof what, "SQLAlchemy expression on %s in op.execute()", d ? d : p->name);
		if (!p->kind)
			return not_given(c, e->line, what, p);
		return untrans(c, e->line, "%s (%s: %s; of a table only tables.X.delete().where(...) is "
		               "translated)", what, p->name, p->kind);
	}
	int m = 0;
	tdef *t = params_table(c, del->obj->obj, &m);
	if (!t)
		return -1;
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "DELETE FROM ");
	q_table(c, &b, t->schema, t->name);
	if (where) {
		int s, w;
		if (where_range(c, &s, &w))
			return untrans(c, e->line, "where() of tables.%s that strata cannot find", t->name);
		ob_puts(&b, " WHERE ");
		if (where_eq(c, &b, t, s, w, e->line))
			return -1;
	}
	emit(c, b.p, b.n);
	return 0;
}
