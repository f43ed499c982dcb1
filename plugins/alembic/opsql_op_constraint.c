/*
 * op.create_unique_constraint / create_foreign_key / create_check_constraint
 * / create_primary_key, op.drop_constraint.
 */
#include <string.h>

#include "opsql_int.h"

/* ------------------------------------------------------------- constraints */

static char **cols_arg(ctx *c, px *v, int *n)
{
	if (!v || (v->k != PX_LIST && v->k != PX_TUPLE) || v->na == 0)
		return NULL;
	char **out = px_alloc(c->a, (size_t)v->na * sizeof *out);
	for (int i = 0; i < v->na; i++) {
		const char *s = str_arg(c, v->a[i]);
		if (!s)
			return NULL;
		out[i] = px_strndup(c->a, s, strlen(s));
	}
	*n = v->na;
	return out;
}


/* Builds the constraint of create_{unique,check,foreign_key,primary_key}
 * (shared by the plain ops and batch "move and copy"). */
cons *build_cons(ctx *c, px *call, opargs *a, const char **t, const char **s)
{
	const char *meth = a->op->name;
	int batch = a->batch;
	cons *k = px_alloc(c->a, sizeof *k);
	k->deferrable = -1;
	k->k = a->op->kind;
	const char *name;
	if (opt_str(c, a, "constraint_name", &name))
		return NULL;
	if (name_ok(c, &name, call->line))
		return NULL;
	k->name = (char *)name;
	if ((k->k == C_FK || k->k == C_CK) && opt_bool(c, a, "postgresql_not_valid", &k->not_valid))
		return NULL;
	int use_alter; /* ForeignKeyConstraint(use_alter=): AddConstraint's ALTER is the same */
	if (k->k == C_FK && opt_bool(c, a, "use_alter", &use_alter))
		return NULL;
	if (k->k == C_FK) {
		if (batch) {
			*t = a->table;
			*s = a->schema;
		} else if (req_str(c, a, "source_table", t) || opt_str(c, a, "source_schema", s)) {
			return NULL;
		}
		const char *rt, *rs, *od, *ou, *ini, *m;
		if (req_str(c, a, "referent_table", &rt) || opt_str(c, a, "referent_schema", &rs) ||
		    opt_str(c, a, "ondelete", &od) || opt_str(c, a, "onupdate", &ou) ||
		    opt_str(c, a, "initially", &ini) || opt_str(c, a, "match", &m))
			return NULL;
		int nr = 0;
		k->cols = cols_arg(c, A(a, "local_cols"), &k->ncols);
		k->refcols = cols_arg(c, A(a, "remote_cols"), &nr);
		if (!k->cols || !k->refcols || nr != k->ncols) {
			untrans(c, call->line, "%s() columns", meth);
			return NULL;
		}
		k->reftable = (char *)rt;
		k->refschema = (char *)rs;
		k->ondelete = (char *)od;
		k->onupdate = (char *)ou;
		k->initially = (char *)ini;
		k->match = (char *)m;
	} else {
		if (table_of(c, a, "table_name", t, s))
			return NULL;
		if (k->k == C_CK) {
			px *cond = A(a, "condition");
			const char *tx = text_arg(c, cond);
			if (!tx) {
				untrans(c, call->line, "non-literal check condition");
				return NULL;
			}
			if (!(k->sqltext = text_sql(c, tx, cond->line)))
				return NULL;
		} else {
			k->cols = cols_arg(c, A(a, "columns"), &k->ncols);
			if (!k->cols) {
				untrans(c, call->line, "%s() columns", meth);
				return NULL;
			}
		}
		if (k->k != C_PK) {
			const char *ini;
			if (opt_str(c, a, "initially", &ini))
				return NULL;
			k->initially = (char *)ini;
		}
	}
	if (phrases_ok(c, k->ondelete, k->onupdate, k->initially, call->line))
		return NULL;
	px *df = A(a, "deferrable");
	if (df && df->k != PX_NONE) {
		if (bool_arg(df) < 0) {
			untrans(c, df->line, "non-literal deferrable");
			return NULL;
		}
		k->deferrable = bool_arg(df);
	}
	return k;
}

/* ALTER TABLE t ADD <constraint>, or Alembic's refusal where the dialect has one (SQLite). */
int op_add_constraint(ctx *c, px *call, opargs *a0)
{
	opargs a = *a0;
	const char *t = NULL, *s = NULL;
	cons *k = build_cons(c, call, &a, &t, &s);
	if (!k)
		return -1;
	if (c->dd->constraint_refused)
		return refuse(c, call->line, c->dd->constraint_refused);
	emit_add_constraint(c, t, s, NULL, k);
	return 0;
}

/* ALTER TABLE t DROP CONSTRAINT n, or Alembic's refusal (SQLite). */
int op_drop_constraint(ctx *c, px *call, opargs *a0)
{
	opargs a = *a0;
	const char *name, *t, *s, *type;
	if (req_str(c, &a, "constraint_name", &name) || table_of(c, &a, "table_name", &t, &s) ||
	    opt_str(c, &a, "type_", &type))
		return -1;
	if (c->dd->constraint_refused)
		return refuse(c, call->line, c->dd->constraint_refused);
	if (name_ok(c, &name, call->line))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	alter_table(c, &b, t, s);
	ob_puts(&b, " DROP CONSTRAINT ");
	q_ident(c, &b, name);
	emit(c, b.p, b.n);
	return 0;
}
