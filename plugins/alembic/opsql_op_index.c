/*
 * op.create_index, op.drop_index (and their batch_op forms); the sa.Index of
 * an op.create_table().
 */
#include <stdio.h>
#include <string.h>

#include "opsql_int.h"

/* ----------------------------------------------------------------- indexes */


/* sa.func.lower(sa.Column("email")) as an index expression: the function's
 * name as written, its arguments column names (include_table=False).  Only
 * functions SQLAlchemy 1.4 renders as NAME(args) on every dialect (no
 * GenericFunction with a dialect's own compile, like now() or
 * char_length() on SQLite); 0, or -1 when e is no such call. */
static int func_index_expr(ctx *c, obuf *b, const px *e)
{
	static const char *const plain[] = { "lower", "upper", "coalesce", NULL };
	if (e->k != PX_CALL || e->obj->k != PX_ATTR || e->na < 1)
		return -1;
	const char *ns = callee_name(c, e->obj->obj); /* sa.func, func */
	if (!ns || strcmp(ns, "sa:func"))
		return -1;
	const char *fn = e->obj->s;
	int k = 0;
	while (plain[k] && strcmp(plain[k], fn))
		k++;
	if (!plain[k])
		return -1;
	obuf f;
	ob_init(&f, c->a);
	ob_printf(&f, "%s(", fn);
	for (int i = 0; i < e->na; i++) {
		const px *a = e->a[i];
		const char *an = a->k == PX_CALL ? callee_name(c, a->obj) : NULL;
		if (e->kw[i] || !an || (strcmp(an, "sa:Column") && strcmp(an, "sa:column")) || a->na != 1 || a->kw[0] ||
		    !is_str(a->a[0]))
			return -1;
		if (i)
			ob_puts(&f, ", ");
		q_ident(c, &f, a->a[0]->s);
	}
	ob_puts(&f, ")");
	ob_putn(b, f.p, f.n);
	return 0;
}

/* PGDDLCompiler.visit_create_index: " opclass" after an index element whose
 * key is in <dialect>_ops (the last one, as a dict keeps it); a column's key
 * is its name, a text()'s is its text. */
static void index_opclass(obuf *b, const px *ops, const char *key)
{
	const char *opc = NULL;
	for (int k = 0; ops && k + 1 < ops->na; k += 2)
		if (!strcmp(ops->a[k]->s, key))
			opc = ops->a[k + 1]->s;
	if (opc)
		ob_printf(b, " %s", opc);
}

/* CREATE [UNIQUE] INDEX: PostgreSQL may add CONCURRENTLY / USING and puts the
 * schema on the table; SQLite puts it on the index name; each dialect reads
 * only its own *_where. */
int op_create_index(ctx *c, px *call, opargs *a0)
{
	int batch = a0->batch;
	opargs a = *a0;
	const char *name, *t, *s, *using;
	int unique, conc, ine;
	if (req_str(c, &a, "index_name", &name) || table_of(c, &a, "table_name", &t, &s) ||
	    opt_bool(c, &a, "unique", &unique) || opt_bool(c, &a, "postgresql_concurrently", &conc) ||
	    opt_bool(c, &a, "if_not_exists", &ine) ||
	    opt_str(c, &a, "postgresql_using", &using))
		return -1;
	if (batch && A(&a, "schema"))
		return untrans(c, call->line, "schema= in batch create_index()");
	px *cols = A(&a, "columns");
	if (!cols || (cols->k != PX_LIST && cols->k != PX_TUPLE) || cols->na == 0)
		return untrans(c, call->line, "create_index() columns");
	if (name_ok(c, &name, call->line))
		return -1;
	px *incl = A(&a, "postgresql_include");
	if (incl && incl->k != PX_NONE && incl->k != PX_LIST && incl->k != PX_TUPLE)
		return untrans(c, incl->line, "create_index() argument postgresql_include= (not a list of column names)");
	for (int i = 0; incl && incl->k != PX_NONE && i < incl->na; i++)
		if (!is_str(incl->a[i]))
			return untrans(c, incl->a[i]->line,
			               "create_index() argument postgresql_include= (not a list of column names)");
	char wkw[64]; /* <dialect>_where */
	snprintf(wkw, sizeof wkw, "%s_where", c->dd->name);
	px *where = A(&a, wkw);
	const char *wtext = NULL;
	if (where && where->k != PX_NONE && !(wtext = text_arg(c, where)))
		return untrans(c, where->line, "non-literal %s", wkw);
	/* <dialect>_ops={"col": "opclass"}: after the element whose key is in the
	 * dict (index_opclass) */
	char okw[64];
	snprintf(okw, sizeof okw, "%s_ops", c->dd->name);
	px *ops = A(&a, okw);
	if (ops && ops->k != PX_DICT)
		return untrans(c, ops->line, "create_index() argument %s= (not a dict of literal strings)", okw);
	for (int i = 0; ops && i < ops->na; i++)
		if (!is_str(ops->a[i]))
			return untrans(c, ops->a[i]->line, "create_index() argument %s= (not a dict of literal strings)",
			               okw);
	obuf b;
	ob_init(&b, c->a);
	ob_printf(&b, "CREATE %sINDEX ", unique ? "UNIQUE " : "");
	c->dd->index_head(c, &b, name, t, s, conc, using, ine);
	ob_puts(&b, "(");
	for (int i = 0; i < cols->na; i++) {
		if (i)
			ob_puts(&b, ", ");
		px *e = cols->a[i];
		const char *sc = str_arg(c, e);
		if (is_str(e) || (sc && e->k == PX_CALL && !text_arg(c, e))) {
			if (c->colmap) { /* new_table.c[key] */
				const char *nm = NULL;
				for (int j = 0; j < c->colmap->ncols; j++)
					if (!strcmp(c->colmap->cols[j]->key, sc))
						nm = c->colmap->cols[j]->name;
				if (!nm)
					return untrans(c, e->line, "batch create_index() on column '%s', not in the new table", sc);
				sc = nm;
			}
			q_ident(c, &b, sc);
			index_opclass(&b, ops, sc);
			continue;
		}
		if (c->colmap)
			return untrans(c, e->line, "batch create_index() of an expression when the table is recreated");
		const char *tx = text_arg(c, e);
		if (!tx && !func_index_expr(c, &b, e))
			continue;
		if (!tx)
			return untrans(c, e->line, "index expression");
		char *ts = text_sql(c, tx, e->line);
		if (!ts)
			return -1;
		ob_puts(&b, ts);
		index_opclass(&b, ops, tx); /* Alembic's _textual_index_element: key = the text */
	}
	ob_puts(&b, ")");
	if (c->dd->index_include && incl && incl->k != PX_NONE && incl->na) {
		/* PGDDLCompiler.visit_create_index: after the columns, before WHERE */
		ob_puts(&b, " INCLUDE (");
		for (int i = 0; i < incl->na; i++) {
			if (i)
				ob_puts(&b, ", ");
			q_ident(c, &b, incl->a[i]->s);
		}
		ob_puts(&b, ")");
	}
	if (wtext) {
		char *ws = text_sql(c, wtext, where->line);
		if (!ws)
			return -1;
		ob_printf(&b, " WHERE %s", ws);
	}
	emit(c, b.p, b.n);
	return 0;
}

/* DROP INDEX [CONCURRENTLY] [IF EXISTS] [schema.]name (the table is not part
 * of it). */
int op_drop_index(ctx *c, px *call, opargs *a0)
{
	int batch = a0->batch;
	opargs a = *a0;
	const char *name, *t, *s;
	int conc, ie;
	if (req_str(c, &a, "index_name", &name) || opt_str(c, &a, "schema", &s) ||
	    opt_bool(c, &a, "postgresql_concurrently", &conc) || opt_bool(c, &a, "if_exists", &ie))
		return -1;
	if (!batch && opt_str(c, &a, "table_name", &t))
		return -1;
	if (batch && !s)
		s = a.schema;
	if (name_ok(c, &name, call->line))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "\nDROP INDEX ");
	if (c->dd->concurrently && conc)
		ob_puts(&b, "CONCURRENTLY ");
	if (ie)
		ob_puts(&b, "IF EXISTS ");
	q_table(c, &b, s, name);
	emit(c, b.p, b.n);
	return 0;
}

/* sa.Index(name, *columns, unique=, <dialect>_*=) of op.create_table(t, ...):
 * Alembic's create_table() runs CreateIndex(index) after CREATE TABLE, the
 * statement op.create_index(name, t, [columns], ...) prints. */
int emit_table_index(ctx *c, const tdef *t, const px *index)
{
	static const char *const kws[] = { "unique", "postgresql_where", "sqlite_where", "postgresql_using",
		                           "postgresql_include", "postgresql_ops", NULL };
	px *name = NULL, *cols = px_alloc(c->a, sizeof *cols);
	cols->k = PX_LIST;
	cols->line = index->line;
	cols->a = px_alloc(c->a, (size_t)(index->na + 1) * sizeof *cols->a);
	px *call = px_alloc(c->a, sizeof *call);
	*call = *index;
	call->line = c->op_line;
	call->a = px_alloc(c->a, (size_t)(index->na + 3) * sizeof *call->a);
	call->kw = px_alloc(c->a, (size_t)(index->na + 3) * sizeof *call->kw);
	call->na = 3;
	for (int i = 0; i < index->na; i++) {
		const char *kw = index->kw[i];
		if (!kw) {
			if (!name)
				name = index->a[i];
			else
				cols->a[cols->na++] = index->a[i];
			continue;
		}
		int k = 0;
		while (kws[k] && strcmp(kws[k], kw))
			k++;
		if (!kws[k] && !foreign_dialect_kw(kw))
			return bad_arg(c, index->line, "sa.Index", kw);
		call->kw[call->na] = index->kw[i];
		call->a[call->na++] = index->a[i];
	}
	if (!name)
		return untrans(c, index->line, "sa.Index() without a name");
	if (t->schema)
		return untrans(c, index->line, "sa.Index() in a table with a schema");
	px *tn = px_alloc(c->a, sizeof *tn);
	tn->k = PX_STR;
	tn->line = index->line;
	tn->s = t->name;
	tn->n = strlen(t->name);
	call->a[0] = name;
	call->a[1] = tn;
	call->a[2] = cols;
	int line = c->op_line;
	int rc = op_call(c, call, "create_index", NULL, NULL);
	c->op_line = line;
	return rc;
}
