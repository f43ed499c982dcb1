/*
 * op.create_table, op.drop_table, op.rename_table, op.create_table_comment,
 * op.drop_table_comment.
 */
#include <string.h>

#include "opsql_int.h"

/* ------------------------------------------------------------------ tables */

int op_create_table(ctx *c, px *call, tdef **made)
{
	px *name = px_posarg(call, 0);
	if (!str_arg(c, name))
		return untrans(c, call->line, "create_table() without a literal table name");
	tdef *t = table_new(c, str_arg(c, name), NULL);
	int pos = 0;
	for (int i = 0; i < call->na; i++) {
		const char *kw = call->kw[i];
		px *v = call->a[i];
		if (!kw) {
			if (pos++ == 0)
				continue;
			if (table_add(c, t, v))
				return -1;
		} else if (!strcmp(kw, "schema") && (is_str(v) || v->k == PX_NONE)) {
			t->schema = v->k == PX_NONE ? NULL : v->s;
		} else if (!strcmp(kw, "comment") && (is_str(v) || v->k == PX_NONE)) {
			t->comment = v->k == PX_NONE ? NULL : v->s;
		} else if (!strcmp(kw, "info") || foreign_dialect_kw(kw)) {
			continue;
		} else {
			return untrans(c, call->line, "argument %s= of create_table()", kw);
		}
	}
	if (table_finish(c, t))
		return fix_line(c, call->line);
	if (render_create_table(c, t))
		return fix_line(c, call->line);
	params_made(c, t);
	if (made)
		*made = t;
	return 0;
}

/* DROP TABLE (a native enum type is left alone, as Alembic does). */
int op_drop_table(ctx *c, px *call, opargs *a0)
{
	(void)call; /* bound by the op table */
	opargs a = *a0;
	const char *t, *s;
	int ie; /* Alembic 1.13's if_exists=: DropTable(table, if_exists=) */
	if (table_of(c, &a, "table_name", &t, &s) || opt_bool(c, &a, "if_exists", &ie))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "\nDROP TABLE ");
	if (ie)
		ob_puts(&b, "IF EXISTS ");
	q_table(c, &b, s, t);
	ob_puts(&b, "\n\n");
	emit(c, b.p, b.n);
	return 0;
}

/* ALTER TABLE [schema.]a RENAME TO b. */
int op_rename_table(ctx *c, px *call, opargs *a0)
{
	(void)call; /* bound by the op table */
	opargs a = *a0;
	const char *o, *n, *s;
	if (req_str(c, &a, "old_table_name", &o) ||
	    req_str(c, &a, "new_table_name", &n) || opt_str(c, &a, "schema", &s))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, o, s);
	ob_puts(&b, " RENAME TO ");
	q_ident(c, &b, n); /* the new name carries no schema on either dialect */
	emit(c, b.p, b.n);
	return 0;
}

/* COMMENT ON TABLE [schema.]t IS 'text' / IS NULL: Alembic 1.8.1's
 * create_table_comment() / drop_table_comment() (SetTableComment /
 * DropTableComment), printed on SQLite as well; existing_comment= changes
 * nothing.  comment=None fails in Alembic (CompileError). */
int op_table_comment(ctx *c, px *call, opargs *a0)
{
	opargs a = *a0;
	const char *t, *s, *ex;
	if (table_of(c, &a, "table_name", &t, &s) || opt_str(c, &a, "existing_comment", &ex))
		return -1;
	int drop = !strcmp(a.op->name, "drop_table_comment");
	px *cm = drop ? NULL : A(&a, "comment");
	if (!drop && cm && cm->k == PX_NONE)
		return refuse(c, call->line, "CompileError: Could not render literal value \"None\" with "
		                             "datatype VARCHAR; see parent stack trace for more detail.");
	if (!drop && !is_str(cm))
		return untrans(c, call->line, "non-literal comment of create_table_comment()");
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "COMMENT ON TABLE ");
	q_table(c, &b, s, t);
	ob_puts(&b, " IS ");
	if (drop)
		ob_puts(&b, "NULL");
	else
		q_literal(c, &b, cm->s, cm->n);
	emit(c, b.p, b.n);
	return 0;
}
