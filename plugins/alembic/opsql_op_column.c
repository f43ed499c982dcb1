/*
 * op.add_column, op.drop_column, op.alter_column (and their batch_op forms).
 */
#include <string.h>

#include "opsql_int.h"

/* ----------------------------------------------------------------- columns */

int op_add_column(ctx *c, px *call, opargs *a0)
{
	opargs a = *a0;
	const char *t, *s;
	if (table_of(c, &a, "table_name", &t, &s))
		return -1;
	px *colx = A(&a, "column");
	if (!colx)
		return untrans(c, call->line, "add_column() without a column");
	tdef *td = table_new(c, t, s);
	if (table_add(c, td, colx) || table_finish(c, td))
		return fix_line(c, call->line);
	coldef *col = td->cols[0];
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, t, s);
	ob_puts(&b, " ADD COLUMN ");
	if (col_spec(c, &b, td, col))
		return fix_line(c, call->line);
	emit(c, b.p, b.n);
	/* the column's constraints (a set in Alembic: one at most here) */
	int n = 0;
	for (int i = 0; i < td->ncons; i++)
		if (!(td->cons[i]->typebound && c->dd->constraint_refused))
			n++;
	if (n > 1)
		return untrans(c, call->line, "add_column() with several constraints (Alembic adds them in set order)");
	for (int i = 0; i < td->ncons; i++) {
		cons *k = td->cons[i];
		/* where ALTER of constraints is refused, Alembic skips an implicit one */
		if (k->typebound && c->dd->constraint_refused)
			continue;
		if (c->dd->constraint_refused)
			return refuse(c, call->line, c->dd->constraint_refused);
		emit_add_constraint(c, t, s, td, k);
	}
	if (col->index) {
		obuf ib;
		ob_init(&ib, c->a);
		ob_printf(&ib, "CREATE %sINDEX ", col->unique ? "UNIQUE " : "");
		obuf nb;
		ob_init(&nb, c->a);
		ob_printf(&nb, "ix_%s_%s", t, col->name);
		if (s)
			return untrans(c, call->line, "index=True column in a table with a schema");
		emit_column_index(c, &ib, nb.p, s, t, col);
	}
	if (c->dd->comments)
		emit_column_comment(c, s, t, col);
	return 0;
}

/* ALTER TABLE t DROP COLUMN c. */
int op_drop_column(ctx *c, px *call, opargs *a0)
{
	(void)call; /* bound by the op table */
	opargs a = *a0;
	const char *t, *s, *col;
	if (table_of(c, &a, "table_name", &t, &s) ||
	    req_str(c, &a, "column_name", &col))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, t, s);
	ob_puts(&b, " DROP COLUMN ");
	q_ident(c, &b, col);
	emit(c, b.p, b.n);
	return 0;
}


/* alter_column: PostgreSQL TYPE [USING], NULL, DEFAULT, COMMENT, RENAME;
 * SQLite NULL, DEFAULT, TYPE, (COMMENT cannot compile), RENAME. */
int op_alter_column(ctx *c, px *call, opargs *a0)
{
	opargs a = *a0;
	const char *t, *s, *col, *newname, *using;
	if (table_of(c, &a, "table_name", &t, &s) || req_str(c, &a, "column_name", &col) ||
	    opt_str(c, &a, "new_column_name", &newname) || opt_str(c, &a, "postgresql_using", &using))
		return -1;
	if (A(&a, "insert_before") || A(&a, "insert_after"))
		return untrans(c, call->line, "insert_before / insert_after in alter_column()");
	px *nul = A(&a, "nullable"), *typ = A(&a, "type_"), *sd = A(&a, "server_default"), *cm = A(&a, "comment");
	if (nul && nul->k == PX_NONE)
		nul = NULL;
	if (typ && typ->k == PX_NONE)
		typ = NULL;
	if (nul && bool_arg(nul) < 0)
		return untrans(c, nul->line, "non-literal nullable");
	if (cm && !is_str(cm) && cm->k != PX_NONE)
		return untrans(c, cm->line, "non-literal comment");
	if (using && !typ)
		return untrans(c, call->line, "postgresql_using must be used with the type_ parameter");
	ptype *ty = NULL;
	if (typ && !(ty = parse_type(c, typ)))
		return fix_line(c, typ->line);
	sdefault d;
	if (sd && sdefault_parse(c, sd, &d))
		return -1;

	obuf tb; /* ALTER COLUMN ... TYPE */
	ob_init(&tb, c->a);
	if (ty) {
		alter_table(c, &tb, t, s);
		ob_puts(&tb, " ALTER COLUMN ");
		q_ident(c, &tb, col);
		ob_puts(&tb, " TYPE ");
		if (type_sql(c, &tb, ty))
			return fix_line(c, typ->line);
		if (c->dd->alter_type_first && using)
			ob_printf(&tb, " USING %s", using);
	}
	if (c->dd->alter_type_first && ty)
		emit(c, tb.p, tb.n);
	if (nul) {
		obuf b;
		ob_init(&b, c->a);
		alter_table(c, &b, t, s);
		ob_puts(&b, " ALTER COLUMN ");
		q_ident(c, &b, col);
		ob_puts(&b, bool_arg(nul) ? " DROP NOT NULL" : " SET NOT NULL");
		emit(c, b.p, b.n);
	}
	if (sd) {
		obuf b;
		ob_init(&b, c->a);
		alter_table(c, &b, t, s);
		ob_puts(&b, " ALTER COLUMN ");
		q_ident(c, &b, col);
		if (d.k == DK_NONE) {
			ob_puts(&b, " DROP DEFAULT");
		} else {
			ob_puts(&b, " SET DEFAULT ");
			sdefault_sql(c, &b, &d, 0);
		}
		emit(c, b.p, b.n);
	}
	if (!c->dd->alter_type_first && ty)
		emit(c, tb.p, tb.n);
	if (cm) {
		if (c->dd->comment_refused)
			return refuse(c, call->line, c->dd->comment_refused);
		obuf b;
		ob_init(&b, c->a);
		ob_puts(&b, "COMMENT ON COLUMN ");
		q_table(c, &b, s, t);
		ob_puts(&b, ".");
		q_ident(c, &b, col);
		ob_puts(&b, " IS ");
		if (cm->k == PX_NONE)
			ob_puts(&b, "NULL");
		else
			q_literal(c, &b, cm->s, cm->n);
		emit(c, b.p, b.n);
	}
	if (newname) {
		obuf b;
		ob_init(&b, c->a);
		alter_table(c, &b, t, s);
		ob_puts(&b, " RENAME ");
		q_ident(c, &b, col);
		ob_puts(&b, " TO ");
		q_ident(c, &b, newname);
		emit(c, b.p, b.n);
	}
	return 0;
}
