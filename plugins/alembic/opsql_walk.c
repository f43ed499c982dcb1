/*
 * The walk of a function body: logical lines, blocks, `with`, assignments of
 * literal tables; op.* calls go to the op table (opsql_optab.c).
 */
#include <stdio.h>
#include <string.h>

#include "opsql_int.h"

/* ----------------------------------------------------------------- walk */



/* The first call to `name` anywhere in an expression, to name the
 * construct that makes a statement untranslatable (op.get_bind() ...). */
static const px *find_call(ctx *c, const px *e, const char *name)
{
	/* along the object chain by iteration (chains have no depth limit),
	 * into arguments by recursion (bounded by the bracket depth) */
	const px *found = NULL;
	for (; e; e = e->obj) {
		if (e->k == PX_CALL) {
			const char *d = px_dotted(c->a, e->obj);
			if (d && !strcmp(d, name))
				found = e;
		}
		for (int i = 0; i < e->na; i++) {
			const px *r = find_call(c, e->a[i], name);
			if (r)
				found = r;
		}
	}
	return found;
}

/* Names the reason a call that is no op.* call cannot be translated. */
static int foreign_call(ctx *c, const px *e)
{
	const px *g = find_call(c, e, "op.get_bind");
	if (g)
		return untrans(c, g->line, "op.get_bind()");
	g = find_call(c, e, "op.get_context");
	if (g)
		return untrans(c, g->line, "op.get_context()");
	const char *d = e->k == PX_CALL ? px_dotted(c->a, e->obj) : NULL;
	if (d)
		return untrans(c, e->line, "call to %s()", d);
	return untrans(c, e->line, "call to a computed function");
}

/* Only literal sa.Table() / sa.table() values may be assigned. */
static int is_table_call(ctx *c, const px *e)
{
	if (!e || e->k != PX_CALL)
		return 0;
	const char *n = callee_name(c, e->obj);
	return n && (!strcmp(n, "sa:Table") || !strcmp(n, "sa:table"));
}

/* A table variable for bulk_insert / copy_from; the newest binding wins. */
static void add_var(ctx *c, const char *name, tdef *t)
{
	tvar *v = px_alloc(c->a, sizeof *v);
	v->name = px_strndup(c->a, name, strlen(name));
	v->t = t;
	v->next = c->vars;
	c->vars = v;
}

/* An expression statement: a docstring, `...`, or a call. */
static int expr_stmt(walk *w, int s, int e, bctx *b)
{
	ctx *c = w->c;
	const px_tok *t = w->t;
	if (e - s == 1 && px_is_op(&t[s], "..."))
		return 0;
	int i = s;
	px *x = px_parse_expr(c->a, t, &i, e);
	if (i != e)
		return untrans(c, t[s].line, "unsupported statement");
	if (x->k == PX_STR) {
		if (x->fstr)
			return untrans(c, x->line, "f-string");
		return 0; /* a docstring or a bare string: nothing */
	}
	if (x->k != PX_CALL) {
		if (x->k == PX_OTHER)
			return untrans(c, x->line, "%s", x->s);
		return untrans(c, x->line, "expression statement");
	}
	const char *d = px_dotted(c->a, x->obj);
	c->stmt_t = t;
	c->stmt_s = s;
	c->stmt_e = e;
	if (d && !strncmp(d, "op.", 3) && !strchr(d + 3, '.'))
		return op_call(c, x, d + 3, NULL, NULL);
	if (d && b && b->alias) {
		size_t n = strlen(b->alias);
		if (!strncmp(d, b->alias, n) && d[n] == '.' && !strchr(d + n + 1, '.')) {
			if (b->n == b->cap) {
				int cap = b->cap ? b->cap * 2 : 8;
				batchop *o = px_alloc(c->a, (size_t)cap * sizeof *o);
				if (b->n)
					memcpy(o, b->ops, (size_t)b->n * sizeof *o);
				b->ops = o;
				b->cap = cap;
			}
			b->ops[b->n].call = x;
			b->ops[b->n].meth = d + n + 1;
			b->n++;
			return 0;
		}
	}
	int rc = params_stmt(c, x);
	if (rc <= 0)
		return rc;
	return foreign_call(c, x);
}

/* `name = sa.Table(...)` / `sa.table(...)`: a literal table for
 * bulk_insert and copy_from; any other assignment stops the walk. */
static int assign_stmt(walk *w, int s, int eq, int e)
{
	ctx *c = w->c;
	const px_tok *t = w->t;
	int i = eq + 1;
	px *v = px_parse_expr(c->a, t, &i, e);
	int simple = (eq - s == 1 || (eq - s >= 3 && px_is_op(&t[s + 1], ":"))) && t[s].k == TK_NAME;
	if (i == e && simple && is_table_call(c, v)) {
		tdef *td = parse_table(c, v, 0);
		if (!td)
			return -1;
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)t[s].n, t[s].p);
		add_var(c, name, td);
		return 0;
	}
	if (i == e && simple && v->k == PX_CALL) {
		/* t = op.create_table(...): the table it returns, for bulk_insert */
		const char *d = px_dotted(c->a, v->obj);
		if (d && !strcmp(d, "op.create_table")) {
			tdef *td = NULL;
			if (op_create_table(c, v, &td))
				return -1;
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)t[s].n, t[s].p);
			add_var(c, name, td);
			return 0;
		}
	}
	const px *g = find_call(c, v, "op.get_bind");
	if (g)
		return untrans(c, g->line, "op.get_bind()");
	if (t[s].k == TK_NAME && simple)
		return untrans(c, t[s].line, "assignment to '%.*s'", (int)t[s].n, t[s].p);
	return untrans(c, t[s].line, "assignment");
}

static const struct { const char *kw, *what; } compound[] = {
	{ "for", "for loop" }, { "while", "while loop" }, { "if", "if statement" },
	{ "elif", "if statement" }, { "else", "if statement" }, { "try", "try statement" },
	{ "except", "try statement" }, { "finally", "try statement" }, { "def", "nested function definition" },
	{ "class", "class definition" }, { "return", "return statement" }, { "import", "import statement" },
	{ "from", "import statement" }, { "global", "global statement" }, { "nonlocal", "nonlocal statement" },
	{ "raise", "raise statement" }, { "assert", "assert statement" }, { "del", "del statement" },
	{ "async", "async statement" }, { "await", "await expression" }, { "yield", "yield expression" },
	{ "break", "break statement" }, { "continue", "continue statement" }, { "lambda", "lambda" },
	{ NULL, NULL }
};

/* One simple statement in t[s..e). */
static int simple_stmt(walk *w, int s, int e, bctx *b)
{
	ctx *c = w->c;
	const px_tok *t = w->t;
	if (s >= e)
		return 0;
	if (px_is_name(&t[s], "pass"))
		return 0;
	for (int k = 0; compound[k].kw; k++)
		if (px_is_name(&t[s], compound[k].kw))
			return untrans(c, t[s].line, "%s", compound[k].what);
	int depth = 0;
	for (int i = s; i < e; i++) {
		if (px_is_op(&t[i], "(") || px_is_op(&t[i], "[") || px_is_op(&t[i], "{"))
			depth++;
		else if (px_is_op(&t[i], ")") || px_is_op(&t[i], "]") || px_is_op(&t[i], "}"))
			depth--;
		else if (depth == 0 && px_is_op(&t[i], "="))
			return assign_stmt(w, s, i, e);
		else if (depth == 0 && t[i].k == TK_OP && t[i].n >= 2 && t[i].p[t[i].n - 1] == '=' &&
		         !px_is_op(&t[i], "==") && !px_is_op(&t[i], "!=") && !px_is_op(&t[i], "<=") &&
		         !px_is_op(&t[i], ">="))
			return untrans(c, t[s].line, "augmented assignment");
	}
	return expr_stmt(w, s, e, b);
}

/* Statements of one logical line separated by ';'. */
int stmt_range(walk *w, int s, int e, bctx *b)
{
	int depth = 0, start = s;
	for (int i = s; i <= e; i++) {
		if (i < e) {
			if (px_is_op(&w->t[i], "(") || px_is_op(&w->t[i], "[") || px_is_op(&w->t[i], "{"))
				depth++;
			else if (px_is_op(&w->t[i], ")") || px_is_op(&w->t[i], "]") || px_is_op(&w->t[i], "}"))
				depth--;
		}
		if (i == e || (depth == 0 && px_is_op(&w->t[i], ";"))) {
			if (simple_stmt(w, start, i, b))
				return -1;
			start = i + 1;
		}
	}
	return 0;
}

/* The ':' that ends a compound statement's header in t[s..e), or -1. */
static int header_colon(const px_tok *t, int s, int e)
{
	return px_top_op(t, s, e, ":");
}

/* `with op.batch_alter_table(...) as x:` and
 * `with op.get_context().autocommit_block():`; the body is either the rest
 * of the header line or the following more-indented lines [bfrom, bto). */
static int with_stmt(walk *w, int li, int bfrom, int bto, bctx *outer)
{
	ctx *c = w->c;
	const px_tok *t = w->t;
	lline *L = &w->l[li];
	int colon = header_colon(t, L->s, L->e);
	if (colon < 0)
		return untrans(c, L->line, "with statement");
	int i = L->s + 1;
	px *x = px_parse_expr(c->a, t, &i, colon);
	const char *alias = NULL;
	char aliasbuf[256];
	if (i < colon && px_is_name(&t[i], "as") && i + 2 == colon && t[i + 1].k == TK_NAME) {
		snprintf(aliasbuf, sizeof aliasbuf, "%.*s", (int)t[i + 1].n, t[i + 1].p);
		alias = aliasbuf;
		i += 2;
	}
	if (i != colon)
		return untrans(c, L->line, "with statement");
	int kind = 0;
	if (x->k == PX_CALL) {
		const char *d = px_dotted(c->a, x->obj);
		if (d && !strcmp(d, "op.batch_alter_table"))
			kind = 1;
		else if (x->obj->k == PX_ATTR && !strcmp(x->obj->s, "autocommit_block") && x->na == 0 &&
		         x->obj->obj->k == PX_CALL && x->obj->obj->na == 0) {
			const char *g = px_dotted(c->a, x->obj->obj->obj);
			if (g && !strcmp(g, "op.get_context"))
				kind = 2;
		}
	}
	if (!kind) {
		if (x->k == PX_CALL)
			return foreign_call(c, x);
		return untrans(c, L->line, "with statement");
	}
	if (colon + 1 < L->e && bto > bfrom)
		return untrans(c, w->l[bfrom].line, "unexpected indent");
	if (kind == 2) {
		/* strata runs such a revision outside a transaction instead of
		 * printing COMMIT / BEGIN around the block */
		c->no_tx = 1;
		if (colon + 1 < L->e)
			return stmt_range(w, colon + 1, L->e, outer);
		return block(w, bfrom, bto, outer);
	}
	if (outer)
		return untrans(c, L->line, "nested batch_alter_table");
	bctx b = { alias, NULL, 0, 0 };
	c->alias = alias;
	int rc = colon + 1 < L->e ? stmt_range(w, colon + 1, L->e, &b) : block(w, bfrom, bto, &b);
	if (!rc)
		rc = batch_run(c, x, b.ops, b.n, L->line);
	c->alias = NULL;
	return rc;
}

/* The logical lines [from, to): each statement, and for a `with` the
 * more-indented lines after it as its body. */
int block(walk *w, int from, int to, bctx *b)
{
	int i = from;
	while (i < to) {
		lline *L = &w->l[i];
		int j = i + 1;
		while (j < to && w->l[j].indent > L->indent)
			j++;
		if (px_is_name(&w->t[L->s], "with")) {
			if (with_stmt(w, i, i + 1, j, b))
				return -1;
		} else if (j > i + 1 && !px_is_op(&w->t[L->e - 1], ":")) {
			return untrans(w->c, w->l[i + 1].line, "unexpected indent");
		} else if (stmt_range(w, L->s, L->e, b)) {
			return -1;
		}
		i = j;
	}
	return 0;
}

/* Module-level `T = sa.Table(...)`: remembered for copy_from / bulk_insert;
 * a module-level assignment that is not a literal table is ignored here. */
void module_tables(walk *w)
{
	ctx *c = w->c;
	for (int k = 0; k < w->nl; k++) {
		lline *L = &w->l[k];
		const px_tok *t = w->t;
		if (L->indent != 0 || L->e - L->s < 3 || t[L->s].k != TK_NAME || !px_is_op(&t[L->s + 1], "="))
			continue;
		int i = L->s + 2;
		px *v = px_parse_expr(c->a, t, &i, L->e);
		if (i != L->e || !is_table_call(c, v))
			continue;
		int st = c->status;
		tdef *td = parse_table(c, v, 0);
		if (td && c->status == OPSQL_OK) {
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)t[L->s].n, t[L->s].p);
			add_var(c, name, td);
		}
		c->status = st;
		c->reason[0] = 0;
		c->line = 0;
	}
}

/* Module-level `NAME = sa.Enum(...)` (any sa.* / postgresql.* call but a
 * table): the type a column written `sa.Column("c", NAME)` has -- the same
 * object in Python, and SQLAlchemy's CREATE TYPE memo is by name, so it is
 * the type written out.  A name bound more than once at module level is
 * not taken. */
void module_types(walk *w)
{
	ctx *c = w->c;
	for (int k = 0; k < w->nl; k++) {
		lline *L = &w->l[k];
		const px_tok *t = w->t;
		if (L->indent != 0 || L->e - L->s < 3 || t[L->s].k != TK_NAME || !px_is_op(&t[L->s + 1], "="))
			continue;
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)t[L->s].n, t[L->s].p);
		/* a module-level import, def or class of the name binds it too */
		for (int m = 0; m < w->nl; m++) {
			const lline *M = &w->l[m];
			if (M->indent != 0 || M->e <= M->s || t[M->s].k != TK_NAME)
				continue;
			int imp = t[M->s].n == 6 && !memcmp(t[M->s].p, "import", 6);
			imp |= t[M->s].n == 4 && !memcmp(t[M->s].p, "from", 4);
			int dc = (t[M->s].n == 3 && !memcmp(t[M->s].p, "def", 3)) ||
			         (t[M->s].n == 5 && !memcmp(t[M->s].p, "class", 5));
			for (int q = M->s + 1; (imp || dc) && q < M->e && (imp || q == M->s + 1); q++)
				if (t[q].k == TK_NAME && t[q].n == strlen(name) && !memcmp(t[q].p, name, t[q].n))
					name[0] = 0;
		}
		if (!name[0])
			continue;
		tyvar *v = c->tyvars;
		while (v && strcmp(v->name, name))
			v = v->next;
		if (v) {
			v->nbound++;
			continue;
		}
		int i = L->s + 2;
		px *x = px_parse_expr(c->a, t, &i, L->e);
		const char *n = x->k == PX_CALL ? callee_name(c, x->obj) : NULL;
		v = px_alloc(c->a, sizeof *v);
		v->name = px_strndup(c->a, name, strlen(name));
		v->nbound = 1;
		if (i == L->e && n && (!strncmp(n, "sa:", 3) || !strncmp(n, "pg:", 3)) && !is_table_call(c, x))
			v->type = x;
		v->next = c->tyvars;
		c->tyvars = v;
	}
}

const px *module_type(ctx *c, const px *e)
{
	if (!e || e->k != PX_NAME)
		return NULL;
	for (const tyvar *v = c->tyvars; v; v = v->next)
		if (!strcmp(v->name, e->s))
			return v->nbound == 1 ? v->type : NULL;
	return NULL;
}
