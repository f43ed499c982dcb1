/*
 * op.execute(T.update() / T.delete() / T.insert() ...) of a literal
 * sa.table() T: the statement SQLAlchemy 1.4 compiles with literal_binds,
 * as Alembic's offline run prints it (tests/alembic/golden/129-*):
 *
 *   T.update().where(W)...values(col=V, ...)   UPDATE t SET col=v, ... WHERE w
 *   T.delete()[.where(W)...]                   DELETE FROM t [WHERE w]
 *   T.insert().values(col=V, ...)              INSERT INTO t (col, ...) VALUES (v, ...)
 *
 * SET and INSERT columns in the table's order; several where() (or
 * where(a, b)) are AND.  W is `T.c.COL <op> V` (== != < <= > >=; == None
 * is IS NULL), `T.c.COL.is_(None)` / `.isnot(None)` / `.is_not(None)`, and
 * `|` / `&` of parenthesized ones: OR inside AND in parentheses, as
 * SQLAlchemy groups them.  V is a literal, written by the column's type,
 * op.inline_literal() of a string or integer, written by its own, or a
 * column T.c.OTHER (`SET n=t.n`).  The
 * expression is read from the statement's tokens, which keep the
 * operators the px tree does not.  Anything else is untranslatable, naming
 * it.
 */
#include <string.h>

#include "opsql_int.h"

typedef struct core {
	ctx *c;
	const px_tok *t;
	const tdef *td;
	const char *var; /* the table's variable */
	int line;
} core;

enum { K_ATOM, K_AND, K_OR };

static int close_of(const px_tok *t, int o, int e)
{
	int depth = 0;
	for (int j = o; j < e; j++) {
		if (px_is_op(&t[j], "(") || px_is_op(&t[j], "[") || px_is_op(&t[j], "{"))
			depth++;
		else if ((px_is_op(&t[j], ")") || px_is_op(&t[j], "]") || px_is_op(&t[j], "}")) && --depth == 0)
			return j;
	}
	return -1;
}

/* T.c.COL in t[s..e): the column's index, or -1. */
static int colref(core *k, int s, int e)
{
	const px_tok *t = k->t;
	if (e - s != 5 || !px_is_name(&t[s], k->var) || !px_is_op(&t[s + 1], ".") || !px_is_name(&t[s + 2], "c") ||
	    !px_is_op(&t[s + 3], ".") || t[s + 4].k != TK_NAME)
		return -1;
	for (int i = 0; i < k->td->ncols; i++)
		if (strlen(k->td->cols[i]->name) == t[s + 4].n && !strncmp(k->td->cols[i]->name, t[s + 4].p, t[s + 4].n))
			return i;
	return -1;
}

/* A value for column col (-1: none) in t[s..e), with literal_binds. */
static void column_sql(core *k, obuf *b, int col);

static int value(core *k, obuf *b, int col, int s, int e, const char *what)
{
	int other = colref(k, s, e); /* T.c.OTHER: the column itself */
	if (other >= 0) {
		column_sql(k, b, other);
		return 0;
	}
	int i = s;
	px *v = s < e ? px_parse_expr(k->c->a, k->t, &i, e) : NULL;
	if (!v || i != e)
		return untrans(k->c, k->line, "%s of %s: a value that is not a literal", what, k->var);
	const char *d = v->k == PX_CALL ? px_dotted(k->c->a, v->obj) : NULL;
	if (d && !strcmp(d, "op.inline_literal")) {
		if (v->na != 1 || v->kw[0] || !(is_str(v->a[0]) || v->a[0]->k == PX_INT))
			return untrans(k->c, k->line, "%s of %s: op.inline_literal() of other than a literal string or "
			               "integer", what, k->var);
		return value_literal(k->c, b, v->a[0], NULL, k->line);
	}
	if (v->k != PX_NONE && v->k != PX_BOOL && v->k != PX_INT && v->k != PX_FLOAT && !is_str(v))
		return untrans(k->c, k->line, "%s of %s: a value that is not a literal", what, k->var);
	return value_literal(k->c, b, v, col >= 0 ? k->td->cols[col]->type : NULL, k->line);
}

static void column_sql(core *k, obuf *b, int col)
{
	q_table(k->c, b, k->td->schema, k->td->name);
	ob_puts(b, ".");
	q_ident(k->c, b, k->td->cols[col]->name);
}

static const struct {
	const char *py, *sql;
} cmp_ops[] = {
	{ "==", " = " }, { "!=", " != " }, { "<=", " <= " }, { ">=", " >= " }, { "<", " < " }, { ">", " > " },
	{ NULL, NULL },
};

static int clause(core *k, obuf *b, int s, int e, int *kind);

/* t[s..e) split at the top-level op (| or &) into b, each part grouped
 * when it binds more loosely than op. */
static int boolean(core *k, obuf *b, int s, int e, const char *op, int *kind)
{
	*kind = op[0] == '|' ? K_OR : K_AND;
	for (int start = s, first = 1; start < e; first = 0) {
		int at = px_top_op(k->t, start, e, op);
		int end = at < 0 ? e : at;
		obuf part;
		ob_init(&part, k->c->a);
		int pk = K_ATOM;
		if (clause(k, &part, start, end, &pk))
			return -1;
		if (!first)
			ob_puts(b, *kind == K_OR ? " OR " : " AND ");
		int group = *kind == K_AND && pk == K_OR;
		if (group)
			ob_puts(b, "(");
		ob_putn(b, part.p, part.n);
		if (group)
			ob_puts(b, ")");
		start = end + 1;
		if (at < 0)
			break;
	}
	return 0;
}

/* One where() clause t[s..e). */
static int clause(core *k, obuf *b, int s, int e, int *kind)
{
	const px_tok *t = k->t;
	ctx *c = k->c;
	*kind = K_ATOM;
	if (s >= e)
		return untrans(c, k->line, "where() of %s: an empty clause", k->var);
	if (px_is_op(&t[s], "(") && close_of(t, s, e) == e - 1)
		return clause(k, b, s + 1, e - 1, kind);
	int cmp = -1, ci = -1;
	for (int j = 0; cmp_ops[j].py && cmp < 0; j++)
		if ((cmp = px_top_op(t, s, e, cmp_ops[j].py)) >= 0)
			ci = j;
	int bar = px_top_op(t, s, e, "|"), amp = px_top_op(t, s, e, "&");
	if (cmp >= 0 && (bar >= 0 || amp >= 0))
		return untrans(c, k->line, "where() of %s: a comparison beside | or & without parentheses (Python "
		               "chains it: a == b | c is a == (b | c))", k->var);
	if (bar >= 0)
		return boolean(k, b, s, e, "|", kind);
	if (amp >= 0)
		return boolean(k, b, s, e, "&", kind);
	for (int j = s; j < e; j++)
		if (t[j].k == TK_NAME && (px_is_name(&t[j], "and") || px_is_name(&t[j], "or") || px_is_name(&t[j], "not") ||
		                          px_is_name(&t[j], "in") || px_is_name(&t[j], "is")))
			return untrans(c, k->line, "where() of %s: Python's '%.*s' on a column", k->var, (int)t[j].n, t[j].p);
	if (cmp >= 0) {
		int col = colref(k, s, cmp);
		if (col < 0)
			return untrans(c, k->line, "where() of %s whose left side is not %s.c.<column>", k->var, k->var);
		column_sql(k, b, col);
		if (cmp + 2 == e && px_is_name(&t[cmp + 1], "None") && (ci == 0 || ci == 1)) {
			ob_puts(b, ci == 0 ? " IS NULL" : " IS NOT NULL");
			return 0;
		}
		ob_puts(b, cmp_ops[ci].sql);
		return value(k, b, col, cmp + 1, e, "where()");
	}
	/* T.c.COL.is_(None) / .isnot(None) / .is_not(None) */
	if (e - s == 10 && px_is_op(&t[s + 5], ".") && t[s + 6].k == TK_NAME && px_is_op(&t[s + 7], "(") &&
	    px_is_name(&t[s + 8], "None") && px_is_op(&t[s + 9], ")")) {
		int col = colref(k, s, s + 5);
		int is = px_is_name(&t[s + 6], "is_"), isnot = px_is_name(&t[s + 6], "isnot") || px_is_name(&t[s + 6], "is_not");
		if (col >= 0 && (is || isnot)) {
			column_sql(k, b, col);
			ob_puts(b, is ? " IS NULL" : " IS NOT NULL");
			return 0;
		}
	}
	return untrans(c, k->line, "where() of %s other than comparisons of its columns with literals, "
	               ".is_(None) / .isnot(None), | and &", k->var);
}

/* .values(col=V, ...) / .values({"col": V, ...}) in t[s..e) (the
 * parentheses' inside): each column's value text, NULL where not given. */
static int values(core *k, int s, int e, char **got)
{
	const px_tok *t = k->t;
	ctx *c = k->c;
	int dict = 0;
	if (s < e && px_is_op(&t[s], "{")) {
		if (close_of(t, s, e) != e - 1)
			return untrans(c, k->line, "values() of %s with more than one dict", k->var);
		dict = 1;
		s++;
		e--;
	}
	for (int q; s < e; s = q + 1) {
		q = px_arg_end(t, s, e);
		if (q == s)
			continue; /* a trailing comma */
		int ks = s, vs;
		char name[256];
		if (dict) {
			int colon = px_top_op(t, s, q, ":");
			if (colon != s + 1 || t[s].k != TK_STR || t[s].fstr)
				return untrans(c, k->line, "values() of %s: a key that is not a literal column name", k->var);
			int i = s;
			px *key = px_parse_expr(c->a, t, &i, colon);
			if (!is_str(key) || key->n >= sizeof name)
				return untrans(c, k->line, "values() of %s: a key that is not a literal column name", k->var);
			memcpy(name, key->s, key->n + 1);
			vs = colon + 1;
		} else {
			if (t[ks].k != TK_NAME || ks + 1 >= q || !px_is_op(&t[ks + 1], "=") || t[ks].n >= sizeof name)
				return untrans(c, k->line, "values() of %s other than col=value or one dict", k->var);
			memcpy(name, t[ks].p, t[ks].n);
			name[t[ks].n] = 0;
			vs = ks + 2;
		}
		int col = -1;
		for (int i = 0; i < k->td->ncols; i++)
			if (!strcmp(k->td->cols[i]->name, name))
				col = i;
		if (col < 0)
			return untrans(c, k->line, "values() of %s: '%s' is not one of its columns", k->var, name);
		if (got[col])
			return untrans(c, k->line, "values() of %s: '%s' given twice", k->var, name);
		obuf v;
		ob_init(&v, c->a);
		if (value(k, &v, col, vs, q, "values()"))
			return -1;
		got[col] = v.p;
	}
	return 0;
}

int execute_core(ctx *c, const char *var, const tdef *td, int line)
{
	core k = { c, c->stmt_t, td, var, line };
	const px_tok *t = c->stmt_t;
	int s = -1, e = -1;
	for (int i = c->stmt_s; t && i + 1 < c->stmt_e && s < 0; i++)
		if (px_is_name(&t[i], "execute") && px_is_op(&t[i + 1], "(")) {
			s = i + 2;
			e = close_of(t, i + 1, c->stmt_e);
		}
	if (s < 0 || e < 0 || px_arg_end(t, s, e) != e)
		return untrans(c, line, "SQLAlchemy expression in op.execute() that strata cannot find");
	while (px_is_op(&t[s], "(") && close_of(t, s, e) == e - 1) {
		s++;
		e--;
	}
	/* T . update|delete|insert ( ) */
	if (e - s < 5 || !px_is_name(&t[s], var) || !px_is_op(&t[s + 1], ".") || t[s + 2].k != TK_NAME ||
	    !px_is_op(&t[s + 3], "(") || !px_is_op(&t[s + 4], ")"))
		return untrans(c, line, "SQLAlchemy expression on %s in op.execute() other than %s.update(), "
		               ".delete() or .insert() with where() and values()", var, var);
	int upd = px_is_name(&t[s + 2], "update"), del = px_is_name(&t[s + 2], "delete"),
	    ins = px_is_name(&t[s + 2], "insert");
	if (!upd && !del && !ins)
		return untrans(c, line, "%s.%.*s() in op.execute()", var, (int)t[s + 2].n, t[s + 2].p);
	int nwhere = 0, nvalues = 0, cap = 8;
	char **wsql = px_alloc(c->a, (size_t)cap * sizeof *wsql);
	int *wkind = px_alloc(c->a, (size_t)cap * sizeof *wkind);
	char **got = px_alloc(c->a, (size_t)(td->ncols + 1) * sizeof *got);
	for (int i = s + 5; i < e;) {
		if (i + 3 >= e || !px_is_op(&t[i], ".") || t[i + 1].k != TK_NAME || !px_is_op(&t[i + 2], "("))
			return untrans(c, line, "SQLAlchemy expression on %s in op.execute() other than where() and "
			               "values() calls", var);
		int close = close_of(t, i + 2, e);
		if (close < 0)
			return untrans(c, line, "SQLAlchemy expression in op.execute() that strata cannot read");
		if (px_is_name(&t[i + 1], "where") && !ins) {
			for (int a = i + 3, q; a < close; a = q + 1) {
				q = px_arg_end(t, a, close);
				if (q == a)
					continue;
				obuf part;
				ob_init(&part, c->a);
				int kind = K_ATOM;
				if (clause(&k, &part, a, q, &kind))
					return -1;
				if (nwhere == cap)
					return untrans(c, line, "more than %d where() clauses of %s", cap, var);
				wsql[nwhere] = part.p;
				wkind[nwhere++] = kind;
			}
		} else if (px_is_name(&t[i + 1], "values") && !del) {
			if (nvalues++)
				return untrans(c, line, "values() of %s called more than once", var);
			if (values(&k, i + 3, close, got))
				return -1;
		} else {
			return untrans(c, line, "%.*s() of %s.%.*s() in op.execute()", (int)t[i + 1].n, t[i + 1].p, var,
			               (int)t[s + 2].n, t[s + 2].p);
		}
		i = close + 1;
	}
	if (!del && !nvalues)
		return untrans(c, line, "%s.%s() without values()", var, upd ? "update" : "insert");
	obuf b;
	ob_init(&b, c->a);
	if (ins) {
		ob_puts(&b, "INSERT INTO ");
		q_table(c, &b, td->schema, td->name);
		ob_puts(&b, " (");
		for (int i = 0, n = 0; i < td->ncols; i++)
			if (got[i]) {
				if (n++)
					ob_puts(&b, ", ");
				q_ident(c, &b, td->cols[i]->name);
			}
		ob_puts(&b, ") VALUES (");
		for (int i = 0, n = 0; i < td->ncols; i++)
			if (got[i]) {
				if (n++)
					ob_puts(&b, ", ");
				ob_puts(&b, got[i]);
			}
		ob_puts(&b, ")");
	} else {
		ob_puts(&b, upd ? "UPDATE " : "DELETE FROM ");
		q_table(c, &b, td->schema, td->name);
		for (int i = 0, n = 0; upd && i < td->ncols; i++)
			if (got[i]) {
				ob_puts(&b, n++ ? ", " : " SET ");
				q_ident(c, &b, td->cols[i]->name);
				ob_puts(&b, "=");
				ob_puts(&b, got[i]);
			}
		/* several where() clauses are AND: an OR among them grouped */
		for (int i = 0; i < nwhere; i++) {
			int group = nwhere > 1 && wkind[i] == K_OR;
			ob_puts(&b, i ? " AND " : " WHERE ");
			if (group)
				ob_puts(&b, "(");
			ob_puts(&b, wsql[i]);
			if (group)
				ob_puts(&b, ")");
		}
	}
	emit(c, b.p, b.n);
	return 0;
}
