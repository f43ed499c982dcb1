/*
 * The generic DDL renderer: column specs, constraints, CREATE TABLE with its
 * indexes and comments, literal values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "opsql_int.h"

/* -------------------------------------------------------------- rendering */

static int is_intlike(const ptype *t)
{
	return t->k == TY_INTEGER || t->k == TY_BIGINT || t->k == TY_SMALLINT;
}

/* Integer or Numeric affinity: what _autoincrement_column accepts. */
static int is_numeric(const ptype *t)
{
	return is_intlike(t) || t->k == TY_FLOAT || t->k == TY_NUMERIC || t->k == TY_DECIMAL || t->k == TY_REAL ||
	       (t->k == TY_PGNAMED && !strcmp(t->pgname, "DOUBLE PRECISION"));
}

/* Is col a local column of one of t's table-level FOREIGN KEYs?  In
 * SQLAlchemy those are col.foreign_keys as much as a sa.ForeignKey of the
 * column itself is. */
static int in_table_fk(const tdef *t, const coldef *col)
{
	for (int i = 0; i < t->ncons; i++)
		if (t->cons[i]->k == C_FK)
			for (int j = 0; j < t->cons[i]->ncols; j++)
				if (!strcmp(t->cons[i]->cols[j], col->name))
					return 1;
	return 0;
}

/* PrimaryKeyConstraint._autoincrement_column. */
const coldef *autoinc_column(const tdef *t)
{
	const coldef *only = NULL;
	int npk = 0;
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i]->pk) {
			npk++;
			only = t->cols[i];
		}
	if (npk == 1) {
		if (only->autoinc == 1)
			return only;
		if (only->autoinc == -1 || only->autoinc == 2) {
			if (!is_numeric(only->type) || only->has_pydefault || only->def.k != DK_NONE)
				return NULL;
			if ((only->nfks || in_table_fk(t, only)) && only->autoinc != 2)
				return NULL;
			return only;
		}
		return NULL;
	}
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i]->pk && t->cols[i]->autoinc == 1)
			return t->cols[i];
	return NULL;
}

/* type_sql() does not know the line; its caller does. */
int fix_line(ctx *c, int line)
{
	if (c->line == 0)
		c->line = line;
	return -1;
}

/* get_column_specification(): the name, then the dialect's
 * (PGDDLCompiler, SQLiteDDLCompiler). */
int col_spec(ctx *c, obuf *b, const tdef *t, const coldef *col)
{
	q_ident(c, b, col->name);
	ob_puts(b, " ");
	if (col->type->k == TY_NULL)
		return untrans(c, col->line, "column '%s' without a type", col->name);
	if (c->dd->col_spec(c, b, t, col))
		return -1;
	if (col->check) { /* visit_create_column / Alembic's add_column: column.constraints */
		ob_puts(b, " ");
		cons_sql(c, b, t, col->check);
	}
	return 0;
}

/* define_constraint_deferrability(). */
static void deferrability(obuf *b, int deferrable, const char *initially)
{
	if (deferrable >= 0)
		ob_puts(b, deferrable ? " DEFERRABLE" : " NOT DEFERRABLE");
	if (initially)
		ob_printf(b, " INITIALLY %s", initially);
}

/* Batch constraints keep the original column key; a renamed column prints
 * its new name. */
static const char *col_name(const tdef *t, const char *key)
{
	if (t)
		for (int i = 0; i < t->ncols; i++)
			if (t->cols[i]->key && !strcmp(t->cols[i]->key, key))
				return t->cols[i]->name;
	return key;
}

/* One constraint clause; returns 1 when the dialect leaves it out
 * (SQLite: a foreign key to another schema). */
int cons_sql(ctx *c, obuf *b, const tdef *t, const cons *k)
{
	if (k->k == C_FK && !c->dd->cross_schema_fk) {
		const char *ls = t ? t->schema : NULL;
		if ((ls == NULL) != (k->refschema == NULL) || (ls && strcmp(ls, k->refschema)))
			return 1;
	}
	if (k->name) {
		ob_puts(b, "CONSTRAINT ");
		q_ident(c, b, k->name);
		ob_puts(b, " ");
	}
	switch (k->k) {
	case C_PK:
	case C_UQ:
		ob_puts(b, k->k == C_PK ? "PRIMARY KEY (" : "UNIQUE (");
		for (int i = 0; i < k->ncols; i++) {
			if (i)
				ob_puts(b, ", ");
			q_ident(c, b, col_name(t, k->cols[i]));
		}
		ob_puts(b, ")");
		deferrability(b, k->deferrable, k->initially);
		break;
	case C_CK:
		ob_printf(b, "CHECK (%s)", k->sqltext);
		deferrability(b, k->deferrable, k->initially);
		if (k->not_valid && c->dd->not_valid) /* PGDDLCompiler._define_constraint_validity */
			ob_puts(b, " NOT VALID");
		break;
	case C_FK:
		ob_puts(b, "FOREIGN KEY(");
		for (int i = 0; i < k->ncols; i++) {
			if (i)
				ob_puts(b, ", ");
			q_ident(c, b, col_name(t, k->cols[i]));
		}
		ob_puts(b, ") REFERENCES ");
		q_table(c, b, c->dd->cross_schema_fk ? k->refschema : NULL, k->reftable);
		ob_puts(b, " (");
		for (int i = 0; i < k->ncols; i++) {
			if (i)
				ob_puts(b, ", ");
			q_ident(c, b, k->refcols[i]);
		}
		ob_puts(b, ")");
		if (k->match)
			ob_printf(b, " MATCH %s", k->match);
		if (k->ondelete)
			ob_printf(b, " ON DELETE %s", k->ondelete);
		if (k->onupdate)
			ob_printf(b, " ON UPDATE %s", k->onupdate);
		deferrability(b, k->deferrable, k->initially);
		if (k->not_valid && c->dd->not_valid)
			ob_puts(b, " NOT VALID");
		break;
	}
	return 0;
}

/* The rest of `CREATE [UNIQUE] INDEX ix_<table>_<col>` that SQLAlchemy emits
 * for a column with index=True (ib holds the statement's start). */
void emit_column_index(ctx *c, obuf *ib, const char *name, const char *schema,
                              const char *table, const coldef *col)
{
	q_ident(c, ib, name);
	ob_puts(ib, " ON ");
	q_table(c, ib, schema, table);
	ob_puts(ib, " (");
	q_ident(c, ib, col->name);
	ob_puts(ib, ")");
	emit(c, ib->p, ib->n);
}

/* COMMENT ON COLUMN, PostgreSQL's only way to say comment= (none if empty). */
void emit_column_comment(ctx *c, const char *schema, const char *table, const coldef *col)
{
	if (!col->comment || !*col->comment)
		return;
	obuf cb;
	ob_init(&cb, c->a);
	ob_puts(&cb, "COMMENT ON COLUMN ");
	q_table(c, &cb, schema, table);
	ob_puts(&cb, ".");
	q_ident(c, &cb, col->name);
	ob_puts(&cb, " IS ");
	q_literal(c, &cb, col->comment, strlen(col->comment));
	emit(c, cb.p, cb.n);
}

/* Alembic's create_table(): CREATE TYPE for native enums (PostgreSQL),
 * CREATE TABLE, the index of an index=True column, then the comments. */
int render_create_table(ctx *c, tdef *t)
{
	if (t->lightweight)
		return untrans(c, 0, "create_table of a sa.table()");
	int nindex = 0;
	for (int i = 0; i < t->ncols; i++)
		nindex += t->cols[i]->index;
	if (nindex > 1)
		return untrans(c, t->cols[0]->line, "several index=True columns (Alembic emits their indexes in set order)");
	if (nindex + t->nindexes > 1) /* table.indexes, a set */
		return untrans(c, t->nindexes ? t->indexes[t->nindexes - 1]->line : t->cols[0]->line,
		               "several indexes in create_table() (Alembic emits them in set order)");
	if (nindex && t->schema)
		return untrans(c, t->cols[0]->line, "index=True column in a table with a schema");
	if (c->dd->before_create_table && c->dd->before_create_table(c, t))
		return -1;
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "\nCREATE TABLE ");
	q_table(c, &b, t->schema, t->name);
	ob_puts(&b, " (");
	const char *sep = "\n";
	for (int i = 0; i < t->ncols; i++) {
		ob_puts(&b, sep);
		sep = ", \n";
		ob_puts(&b, "\t");
		if (col_spec(c, &b, t, t->cols[i]))
			return -1;
	}
	/* the primary key first, its columns in constraint order (an implicit
	 * one puts the autoincrement column first) */
	int npk = 0;
	for (int i = 0; i < t->ncols; i++)
		npk += t->cols[i]->pk;
	if (npk) {
		ob_puts(&b, sep);
		sep = ", \n";
		ob_puts(&b, "\t");
		if (t->pk) {
			cons_sql(c, &b, t, t->pk);
		} else {
			cons k;
			memset(&k, 0, sizeof k);
			k.k = C_PK;
			k.deferrable = -1;
			k.cols = px_alloc(c->a, (size_t)npk * sizeof *k.cols);
			const coldef *ai = autoinc_column(t);
			if (ai)
				k.cols[k.ncols++] = ai->name;
			for (int i = 0; i < t->ncols; i++)
				if (t->cols[i]->pk && t->cols[i] != ai)
					k.cols[k.ncols++] = t->cols[i]->name;
			cons_sql(c, &b, t, &k);
		}
	}
	for (int i = 0; i < t->ncons; i++) {
		obuf kb;
		ob_init(&kb, c->a);
		if (cons_sql(c, &kb, t, t->cons[i]))
			continue;
		ob_puts(&b, sep);
		sep = ", \n";
		ob_puts(&b, "\t");
		ob_putn(&b, kb.p, kb.n);
	}
	ob_puts(&b, "\n)\n\n");
	emit(c, b.p, b.n);
	for (int i = 0; i < t->ncols; i++) {
		coldef *col = t->cols[i];
		if (!col->index)
			continue;
		obuf ib;
		ob_init(&ib, c->a);
		ob_printf(&ib, "CREATE %sINDEX ", col->unique ? "UNIQUE " : "");
		obuf nb;
		ob_init(&nb, c->a);
		ob_printf(&nb, "ix_%s_%s", t->name, col->name);
		const char *iname = nb.p;
		label_add(c, iname); /* the "ix" naming convention makes a conv() */
		if (name_ok(c, &iname, col->line))
			return -1;
		emit_column_index(c, &ib, iname, t->schema, t->name, col);
	}
	for (int i = 0; i < t->nindexes; i++)
		if (emit_table_index(c, t, t->indexes[i]))
			return -1;
	if (c->dd->comments) {
		if (t->comment) {
			obuf cb;
			ob_init(&cb, c->a);
			ob_puts(&cb, "COMMENT ON TABLE ");
			q_table(c, &cb, t->schema, t->name);
			ob_puts(&cb, " IS ");
			q_literal(c, &cb, t->comment, strlen(t->comment));
			emit(c, cb.p, cb.n);
		}
		for (int i = 0; i < t->ncols; i++)
			emit_column_comment(c, t->schema, t->name, t->cols[i]);
	}
	return 0;
}

/* Python's repr() of a float, as Float's literal processor prints it. */
static void float_repr(obuf *b, double v)
{
	char tmp[64];
	if (isnan(v) || isinf(v)) {
		ob_puts(b, isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
		return;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
		if (strtod(tmp, NULL) == v) {
			/* p significant digits; decide the notation as repr() does */
			int exp = atoi(strchr(tmp, 'e') + 1);
			if (exp < -4 || exp >= 16) {
				char mant[64];
				snprintf(mant, sizeof mant, "%.*e", p - 1, v);
				char *e = strchr(mant, 'e');
				*e = 0;
				ob_puts(b, mant);
				ob_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
			} else {
				int decimals = p - 1 - exp;
				if (decimals < 1)
					decimals = 1;
				snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
				/* repr keeps at least one decimal, no trailing zeros beyond it */
				size_t n = strlen(tmp);
				while (n > 0 && tmp[n - 1] == '0' && tmp[n - 2] != '.')
					n--;
				tmp[n] = 0;
				ob_puts(b, tmp);
			}
			return;
		}
	}
	snprintf(tmp, sizeof tmp, "%.17g", v);
	ob_puts(b, tmp);
}

/* A Python literal rendered as a bound value with literal_binds: by the
 * column's type when there is one, else by the type of the value. */
int value_literal(ctx *c, obuf *b, const px *v, const ptype *t, int line)
{
	if (v->k == PX_NONE) {
		ob_puts(b, "NULL");
		return 0;
	}
	const ptype *it = t ? impl(c, t) : NULL;
	int fam = it && it->k != TY_NULL ? it->k : -1;
	if (t && it->k == TY_NULL)
		return untrans(c, line, "value for a column without a type");
	if (v->k == PX_BOOL) {
		if (fam != -1 && fam != TY_BOOLEAN)
			return untrans(c, line, "bool value for a non-Boolean column");
		ob_puts(b, v->iv ? c->dd->true_sql : c->dd->false_sql);
		return 0;
	}
	if (v->k == PX_INT) {
		if (fam != -1 && !is_numeric(it))
			return untrans(c, line, "int value for a non-numeric column");
		ob_printf(b, "%lld", v->iv);
		return 0;
	}
	if (v->k == PX_FLOAT) {
		if (fam != -1 && !is_numeric(it))
			return untrans(c, line, "float value for a non-numeric column");
		if (fam != -1 && is_intlike(it))
			return untrans(c, line, "float value for an integer column");
		float_repr(b, v->fv);
		return 0;
	}
	if (is_str(v)) {
		if (fam != -1 && fam != TY_STRING && fam != TY_TEXT && fam != TY_CHAR && fam != TY_ENUM)
			return untrans(c, line, "string value for a non-string column");
		q_literal(c, b, v->s, v->n);
		return 0;
	}
	if (v->k == PX_STR && v->fstr)
		return untrans(c, line, "f-string value");
	return untrans(c, line, "non-literal value");
}
