/*
 * op.execute (text, bind parameters) and op.bulk_insert.
 */
#include <string.h>

#include "opsql_int.h"

/* ----------------------------------------------------------------- execute */

static int is_word(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
	       ch >= 0x80;
}

/* The root name of a chain like T1.update().where(...): a table variable or
 * sa.* makes it a SQLAlchemy expression. */
static const px *chain_root(const px *e)
{
	while (e && (e->k == PX_ATTR || e->k == PX_CALL))
		e = e->obj;
	return e;
}

/* text(): ":name" after a character that is not ':', a word character, '$'
 * or a backslash, and not followed by ':', is a bind parameter; its
 * literal value replaces it (unbound: untranslatable, Alembic would print
 * NULL); then "\:" loses its backslash (SQLAlchemy 1.4's BIND_PARAMS and
 * BIND_PARAMS_ESC). */
int render_text(ctx *c, obuf *out, const char *s, size_t n, const px *binds, int line)
{
	obuf b;
	ob_init(&b, c->a);
	for (size_t i = 0; i < n;) {
		if (s[i] == ':' && (i == 0 || !(s[i - 1] == ':' || s[i - 1] == '$' || s[i - 1] == '\\' ||
		                                 is_word((unsigned char)s[i - 1])))) {
			size_t j = i + 1;
			int dollar = 0;
			while (j < n && (is_word((unsigned char)s[j]) || s[j] == '$'))
				dollar |= s[j++] == '$';
			if (j > i + 1 && (j == n || s[j] != ':') && !dollar) {
				char *name = px_strndup(c->a, s + i + 1, j - i - 1);
				px *v = binds ? px_kwarg(binds, name) : NULL;
				if (!v)
					return untrans(c, line, "bind parameter :%s has no value", name);
				if (value_literal(c, &b, v, NULL, line))
					return -1;
				i = j;
				continue;
			}
		}
		ob_putn(&b, s + i, 1);
		i++;
	}
	if (binds)
		for (int k = 0; k < binds->na; k++) {
			if (!binds->kw[k])
				return untrans(c, line, "positional bindparams()");
			/* TextClause registers (?<![:\w\\]):(\w+)(?!:), backtracking
			 * included; bindparams() of any other name raises */
			size_t kl = strlen(binds->kw[k]);
			int found = 0;
			for (size_t i = 0; i < n && !found; i++) {
				if (s[i] != ':' || (i > 0 && (s[i - 1] == ':' || s[i - 1] == '\\' || is_word((unsigned char)s[i - 1]))))
					continue;
				size_t j = i + 1;
				while (j < n && is_word((unsigned char)s[j]))
					j++;
				size_t len = j - i - 1;
				if (len && j < n && s[j] == ':')
					len--; /* the shorter name, followed by a word character */
				if (len && len == kl && !strncmp(s + i + 1, binds->kw[k], kl))
					found = 1;
			}
			if (!found)
				return untrans(c, line, "bindparams() name '%s' is not in the text", binds->kw[k]);
		}
	/* un-escape \: */
	for (size_t i = 0; i < b.n;) {
		if (b.p[i] == '\\' && i + 1 < b.n && b.p[i + 1] == ':') {
			size_t j = i + 2;
			while (j < b.n && (is_word((unsigned char)b.p[j]) || b.p[j] == '$'))
				j++;
			if (j == b.n || b.p[j] != ':') {
				i++;
				continue;
			}
		}
		ob_putn(out, b.p + i, 1);
		i++;
	}
	return 0;
}

char *text_sql(ctx *c, const char *s, int line)
{
	obuf b;
	ob_init(&b, c->a);
	if (render_text(c, &b, s, strlen(s), NULL, line))
		return NULL;
	return b.p;
}

/* op.execute(): a literal string or sa.text() (with literal bindparams());
 * anything computed is named in the reason instead of being guessed. */
int op_execute(ctx *c, px *call, opargs *a0)
{
	opargs a = *a0;
	px *e = A(&a, "sqltext");
	if (A(&a, "execution_options") && A(&a, "execution_options")->k != PX_NONE)
		return untrans(c, call->line, "execution_options in op.execute()");
	if (!e)
		return untrans(c, call->line, "op.execute() without SQL");
	const char *text = NULL;
	size_t tlen = 0;
	px *binds = NULL;
	const px *src = NULL; /* the literal the SQL is, for the line map */
	int mine = 0;         /* e is an expression on a parameter (opsql_params.c) */
	int prc = params_execute(c, e, &mine);
	if (mine)
		return prc;
	prc = execute_sequence(c, e, &mine);
	if (mine)
		return prc;
	if (e->k == PX_STR) {
		src = e;
		if (e->fstr)
			return untrans(c, e->line, "f-string in op.execute()");
		if (e->bytes)
			return untrans(c, e->line, "bytes in op.execute()");
		text = e->s;
		tlen = e->n;
	} else if (e->k == PX_CALL && e->obj->k == PX_ATTR && !strcmp(e->obj->s, "bindparams") &&
	           text_arg(c, e->obj->obj) && e->obj->obj->k == PX_CALL) {
		const char *n = callee_name(c, e->obj->obj->obj);
		if (!n || (strcmp(n, "sa:text") && strcmp(n, "sa:sql.text")))
			return untrans(c, e->line, "SQLAlchemy expression in op.execute()");
		px *tx = e->obj->obj->a[0];
		src = tx;
		text = tx->s;
		tlen = tx->n;
		binds = e;
	} else if (e->k == PX_CALL && e->na == 1 && !e->kw[0] && e->obj->k == PX_ATTR && !strcmp(e->obj->s, "format") &&
	           e->obj->obj->k == PX_STR) {
		return untrans(c, e->line, "str.format() in op.execute()");
	} else if (e->k == PX_CALL && e->obj->k == PX_ATTR && !strcmp(e->obj->s, "format") && e->obj->obj->k == PX_STR) {
		return untrans(c, e->line, "str.format() in op.execute()");
	} else if (e->k == PX_CALL && text_arg(c, e) && !is_str(e)) {
		const char *n = callee_name(c, e->obj);
		if (!n || (strcmp(n, "sa:text") && strcmp(n, "sa:sql.text")))
			return untrans(c, e->line, "call to %s() in op.execute()", px_dotted(c->a, e->obj));
		src = e->a[0];
		text = e->a[0]->s;
		tlen = e->a[0]->n;
	} else if (e->k == PX_CALL && e->na == 1 && e->a[0]->k == PX_STR && e->a[0]->fstr) {
		return untrans(c, e->line, "f-string in op.execute()");
	} else if (e->k == PX_NAME) {
		return untrans(c, e->line, "variable '%s' in op.execute()", e->s);
	} else if (e->k == PX_OTHER) {
		return untrans(c, e->line, "%s in op.execute()", e->s);
	} else if (e->k == PX_CALL || e->k == PX_ATTR) {
		const px *root = chain_root(e);
		int sa = 0;
		if (root && root->k == PX_NAME) {
			for (tvar *v = c->vars; v; v = v->next)
				if (!strcmp(v->name, root->s))
					return execute_core(c, v->name, v->t, e->line); /* opsql_op_core.c */
			if (!strcmp(root->s, "sa") || !strcmp(root->s, "sqlalchemy") || !strcmp(root->s, "select") ||
			    !strcmp(root->s, "insert") || !strcmp(root->s, "update") || !strcmp(root->s, "delete") ||
			    !strcmp(root->s, "table"))
				sa = 1;
		}
		if (sa)
			return untrans(c, e->line, "SQLAlchemy expression in op.execute()");
		const char *d = e->k == PX_CALL ? px_dotted(c->a, e->obj) : NULL;
		if (d)
			return untrans(c, e->line, "call to %s() in op.execute()", d);
		return untrans(c, e->line, "expression in op.execute()");
	} else {
		return untrans(c, e->line, "non-string in op.execute()");
	}
	obuf b;
	ob_init(&b, c->a);
	if (render_text(c, &b, text, tlen, binds, e->line))
		return -1;
	c->src = src;
	emit(c, b.p, b.n);
	c->src = NULL;
	return 0;
}

/* ------------------------------------------------------------- bulk_insert */

tdef *table_ref(ctx *c, px *e)
{
	if (e && e->k == PX_NAME) {
		for (tvar *v = c->vars; v; v = v->next)
			if (!strcmp(v->name, e->s))
				return v->t;
		untrans(c, e->line, "variable '%s' is not a literal table", e->s);
		return NULL;
	}
	if (e && e->k == PX_CALL) {
		const char *n = callee_name(c, e->obj);
		if (n && (!strcmp(n, "sa:table") || !strcmp(n, "sa:Table")))
			return parse_table(c, e, 0);
	}
	int mine = 0;
	tdef *t = e ? params_table(c, e, &mine) : NULL;
	if (mine)
		return t;
	untrans(c, e ? e->line : 0, "table expression");
	return NULL;
}

/* One INSERT per row, the columns in table order, values as literals. */
int op_bulk_insert(ctx *c, px *call, opargs *a0)
{
	opargs a = *a0;
	tdef *t = table_ref(c, A(&a, "table"));
	if (!t)
		return fix_line(c, call->line);
	px *rows = A(&a, "rows");
	if (!rows || (rows->k != PX_LIST && rows->k != PX_TUPLE))
		return untrans(c, call->line, "bulk_insert() rows that are not a literal list");
	for (int r = 0; r < rows->na; r++) {
		px *row = rows->a[r];
		if (row->k != PX_DICT)
			return untrans(c, row->line, "bulk_insert() row that is not a literal dict");
		if (row->na == 0)
			return untrans(c, row->line, "empty bulk_insert() row");
		for (int k = 0; k < row->na; k += 2) {
			if (!is_str(row->a[k]))
				return untrans(c, row->line, "bulk_insert() key that is not a string");
			int found = 0;
			for (int i = 0; i < t->ncols; i++)
				found |= !strcmp(t->cols[i]->name, row->a[k]->s);
			if (!found)
				return untrans(c, row->line, "bulk_insert() key '%s' is not a column of %s", row->a[k]->s, t->name);
		}
		if (t->history && history_row(c, c->env->history, t, row))
			return -1;
		obuf b;
		ob_init(&b, c->a);
		ob_puts(&b, "INSERT INTO ");
		q_table(c, &b, t->schema, t->name);
		ob_puts(&b, " (");
		obuf vb;
		ob_init(&vb, c->a);
		int n = 0;
		for (int i = 0; i < t->ncols; i++) {
			px *v = NULL;
			for (int k = 0; k < row->na; k += 2)
				if (!strcmp(t->cols[i]->name, row->a[k]->s))
					v = row->a[k + 1];
			if (!v)
				continue;
			if (n++) {
				ob_puts(&b, ", ");
				ob_puts(&vb, ", ");
			}
			q_ident(c, &b, t->cols[i]->name);
			if (v->k == PX_NONE)
				ob_puts(&vb, "NULL");
			else if (t->cols[i]->type->k == TY_NULL)
				return untrans(c, v->line, "bulk_insert() value for column '%s' without a type",
				               t->cols[i]->name);
			else if (t->cols[i]->type->typedec) /* its process_bind_param / process_literal_param */
				return untrans(c, v->line, "bulk_insert() value for column '%s' of TypeDecorator %s",
				               t->cols[i]->name, t->cols[i]->type->typedec);
			else if (value_literal(c, &vb, v, t->cols[i]->type, v->line))
				return -1;
		}
		ob_puts(&b, ") VALUES (");
		ob_putn(&b, vb.p, vb.n);
		ob_puts(&b, ")");
		emit(c, b.p, b.n);
	}
	return 0;
}
