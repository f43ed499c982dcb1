/*
 * The model of an sa.Table / create_table(): columns and constraints in
 * SQLAlchemy's creation order.
 */
#include <string.h>

#include "opsql_int.h"

/* ---------------------------------------------------------------- tables */

tdef *table_new(ctx *c, const char *name, const char *schema)
{
	tdef *t = px_alloc(c->a, sizeof *t);
	t->name = cdup(c, name);
	t->schema = cdup(c, schema);
	return t;
}

/* Appends in declaration order (the CREATE TABLE order). */
static void add_col(ctx *c, tdef *t, coldef *col)
{
	coldef **v = px_alloc(c->a, (size_t)(t->ncols + 1) * sizeof *v);
	if (t->ncols)
		memcpy(v, t->cols, (size_t)t->ncols * sizeof *v);
	v[t->ncols++] = col;
	t->cols = v;
}

/* Appends in creation order (the CREATE TABLE constraint order). */
static void add_cons(ctx *c, tdef *t, cons *k)
{
	cons **v = px_alloc(c->a, (size_t)(t->ncons + 1) * sizeof *v);
	if (t->ncons)
		memcpy(v, t->cons, (size_t)t->ncons * sizeof *v);
	v[t->ncons++] = k;
	t->cons = v;
}

/* A literal list / tuple of names. */
static char **str_list(ctx *c, px *e, int *n)
{
	if (!e || (e->k != PX_LIST && e->k != PX_TUPLE))
		return NULL;
	char **v = px_alloc(c->a, (size_t)(e->na + 1) * sizeof *v);
	for (int i = 0; i < e->na; i++) {
		const char *s = str_arg(c, e->a[i]);
		if (!s)
			return NULL;
		v[i] = cdup(c, s);
	}
	*n = e->na;
	return v;
}

/* A table-level item of sa.Table() / op.create_table(): a Column or a
 * PrimaryKey / Unique / Check / ForeignKey constraint. */
int table_add(ctx *c, tdef *t, px *item)
{
	int use_alter = 0;
	const char *n = item->k == PX_CALL ? callee_name(c, item->obj) : NULL;
	if (n && (!strcmp(n, "sa:Column") || !strcmp(n, "sa:column"))) {
		coldef *col = parse_column(c, item, t->lightweight);
		if (!col)
			return -1;
		add_col(c, t, col);
		return 0;
	}
	if (!n || t->lightweight)
		return untrans(c, item->line, "table element");
	cons *k = px_alloc(c->a, sizeof *k);
	k->deferrable = -1;
	int pos = 0;
	if (!strcmp(n, "sa:PrimaryKeyConstraint") || !strcmp(n, "sa:UniqueConstraint")) {
		k->k = n[3] == 'P' ? C_PK : C_UQ;
		k->cols = px_alloc(c->a, (size_t)(item->na + 1) * sizeof *k->cols);
		for (int i = 0; i < item->na; i++) {
			const char *kw = item->kw[i];
			px *a = item->a[i];
			if (!kw && str_arg(c, a))
				k->cols[k->ncols++] = cdup(c, str_arg(c, a));
			else if (kw && !strcmp(kw, "name") && (str_arg(c, a) || a->k == PX_NONE))
				k->name = a->k == PX_NONE ? NULL : cdup(c, str_arg(c, a));
			else if (kw && !strcmp(kw, "deferrable") && a->k == PX_BOOL)
				k->deferrable = (int)a->iv;
			else if (kw && !strcmp(kw, "initially") && is_str(a))
				k->initially = a->s;
			else
				return bad_arg(c, item->line, k->k == C_PK ? "sa.PrimaryKeyConstraint" : "sa.UniqueConstraint", kw);
		}
	} else if (!strcmp(n, "sa:CheckConstraint")) {
		k->k = C_CK;
		for (int i = 0; i < item->na; i++) {
			const char *kw = item->kw[i];
			px *a = item->a[i];
			if ((!kw && pos++ == 0 && text_arg(c, a)) || (kw && !strcmp(kw, "sqltext") && text_arg(c, a))) {
				if (!(k->sqltext = text_sql(c, text_arg(c, a), a->line)))
					return -1;
			}
			else if (kw && !strcmp(kw, "name") && (str_arg(c, a) || a->k == PX_NONE))
				k->name = a->k == PX_NONE ? NULL : cdup(c, str_arg(c, a));
			else if (kw && !strcmp(kw, "deferrable") && a->k == PX_BOOL)
				k->deferrable = (int)a->iv;
			else if (kw && !strcmp(kw, "initially") && is_str(a))
				k->initially = a->s;
			else
				return bad_arg(c, item->line, "sa.CheckConstraint", kw);
		}
		if (!k->sqltext)
			return untrans(c, item->line, "sa.CheckConstraint() without a literal sqltext");
	} else if (!strcmp(n, "sa:ForeignKeyConstraint")) {
		k->k = C_FK;
		int nref = 0;
		char **refs = NULL;
		for (int i = 0; i < item->na; i++) {
			const char *kw = item->kw[i];
			px *a = item->a[i];
			if ((!kw && pos == 0) || (kw && !strcmp(kw, "columns"))) {
				pos++;
				if (!(k->cols = str_list(c, a, &k->ncols)))
					return untrans(c, item->line, "ForeignKeyConstraint columns");
			} else if ((!kw && pos == 1) || (kw && !strcmp(kw, "refcolumns"))) {
				pos++;
				if (!(refs = str_list(c, a, &nref)))
					return untrans(c, item->line, "ForeignKeyConstraint refcolumns");
			} else if (kw && !strcmp(kw, "name") && (str_arg(c, a) || a->k == PX_NONE))
				k->name = a->k == PX_NONE ? NULL : cdup(c, str_arg(c, a));
			else if (kw && !strcmp(kw, "ondelete") && is_str(a))
				k->ondelete = a->s;
			else if (kw && !strcmp(kw, "onupdate") && is_str(a))
				k->onupdate = a->s;
			else if (kw && !strcmp(kw, "initially") && is_str(a))
				k->initially = a->s;
			else if (kw && !strcmp(kw, "match") && is_str(a))
				k->match = a->s;
			else if (kw && !strcmp(kw, "deferrable") && a->k == PX_BOOL)
				k->deferrable = (int)a->iv;
			else if (kw && !strcmp(kw, "use_alter") && a->k == PX_BOOL)
				use_alter = (int)a->iv;
			else
				return bad_arg(c, item->line, "sa.ForeignKeyConstraint", kw);
		}
		if (!refs || nref != k->ncols || nref == 0)
			return untrans(c, item->line, "ForeignKeyConstraint columns");
		k->refcols = px_alloc(c->a, (size_t)nref * sizeof *k->refcols);
		for (int i = 0; i < nref; i++) {
			char *dot = strrchr(refs[i], '.');
			if (!dot)
				return untrans(c, item->line, "ForeignKeyConstraint refcolumns");
			*dot = 0;
			k->refcols[i] = dot + 1;
			char *sd = strrchr(refs[i], '.');
			char *tb = refs[i], *sc = NULL;
			if (sd) {
				*sd = 0;
				sc = refs[i];
				tb = sd + 1;
			}
			if (i && (strcmp(tb, k->reftable) || (sc == NULL) != (k->refschema == NULL) ||
			          (sc && strcmp(sc, k->refschema))))
				return untrans(c, item->line, "ForeignKeyConstraint to several tables");
			k->reftable = tb;
			k->refschema = sc;
		}
	} else if (!strcmp(n, "sa:Index")) { /* CREATE INDEX after the table (render_create_table) */
		px **v = px_alloc(c->a, (size_t)(t->nindexes + 1) * sizeof *v);
		if (t->nindexes)
			memcpy(v, t->indexes, (size_t)t->nindexes * sizeof *v);
		v[t->nindexes++] = item;
		t->indexes = v;
		return 0;
	} else {
		return untrans(c, item->line, "table element %s", n + 3);
	}
	if (name_ok(c, (const char **)&k->name, item->line) || phrases_ok(c, k->ondelete, k->onupdate, k->initially, item->line))
		return -1;
	/* compiler.create_table_constraints(): where the dialect supports ALTER,
	 * CREATE TABLE leaves a use_alter=True constraint out (and Alembic's
	 * create_table() adds no ALTER for it) */
	if (use_alter && c->dd->supports_alter)
		return 0;
	if (k->k == C_PK) {
		if (t->pk)
			return untrans(c, item->line, "two PrimaryKeyConstraints");
		t->pk = k;
	} else {
		add_cons(c, t, k);
	}
	return 0;
}

/* Constraints name columns; they must exist. */
static coldef *find_col(const tdef *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i]->name, name))
			return t->cols[i];
	return NULL;
}

/* The CHECK an Enum / Boolean type adds to its table on this dialect, if any. */
static cons *type_check(ctx *c, const coldef *col)
{
	const ptype *t = col->type;
	obuf b;
	ob_init(&b, c->a);
	if (t->k == TY_ENUM && t->create_constraint && (!t->native_enum || !c->dd->native_enum)) {
		q_ident(c, &b, col->name);
		ob_puts(&b, " IN (");
		for (int i = 0; i < t->nenums; i++) {
			if (i)
				ob_puts(&b, ", ");
			q_literal(c, &b, t->enums[i], strlen(t->enums[i]));
		}
		ob_puts(&b, ")");
	} else if (t->k == TY_BOOLEAN && t->create_constraint && !c->dd->native_boolean) {
		q_ident(c, &b, col->name);
		ob_puts(&b, " IN (0, 1)");
	} else {
		return NULL;
	}
	cons *k = px_alloc(c->a, sizeof *k);
	k->k = C_CK;
	k->deferrable = -1;
	k->name = t->name;
	k->sqltext = b.p;
	k->typebound = 1;
	return k;
}

/* What Table.__init__ does once every argument is attached: the primary
 * key's columns become NOT NULL, and the column-level unique=True, type
 * CHECKs and ForeignKeys become constraints after the table-level ones. */
int table_finish(ctx *c, tdef *t)
{
	if (t->pk) {
		int ncolpk = 0;
		for (int i = 0; i < t->ncols; i++)
			ncolpk += t->cols[i]->pk;
		if (t->pk->ncols == 0) {
			t->pk->cols = px_alloc(c->a, (size_t)(t->ncols + 1) * sizeof *t->pk->cols);
			for (int i = 0; i < t->ncols; i++)
				if (t->cols[i]->pk)
					t->pk->cols[t->pk->ncols++] = t->cols[i]->name;
		} else {
			for (int i = 0; i < t->pk->ncols; i++) {
				coldef *col = find_col(t, t->pk->cols[i]);
				if (!col)
					return untrans(c, 0, "PrimaryKeyConstraint on unknown column '%s'", t->pk->cols[i]);
				if (!col->pk)
					ncolpk++;
				col->pk = 1;
			}
			if (ncolpk != t->pk->ncols)
				return untrans(c, 0, "primary_key=True columns differ from the PrimaryKeyConstraint");
		}
	}
	for (int i = 0; i < t->ncols; i++) {
		coldef *col = t->cols[i];
		if (!col->nullable_set)
			col->nullable = !col->pk && !col->identity;
	}
	for (int i = 0; i < t->ncons; i++) {
		cons *k = t->cons[i];
		for (int j = 0; j < k->ncols; j++)
			if (!find_col(t, k->cols[j]))
				return untrans(c, 0, "constraint on unknown column '%s'", k->cols[j]);
	}
	for (int i = 0; i < t->ncols; i++) {
		coldef *col = t->cols[i];
		if (col->unique && !col->index) {
			cons *k = px_alloc(c->a, sizeof *k);
			k->k = C_UQ;
			k->deferrable = -1;
			k->cols = px_alloc(c->a, sizeof *k->cols);
			k->cols[0] = col->name;
			k->ncols = 1;
			add_cons(c, t, k);
		}
		cons *ck = type_check(c, col);
		if (ck)
			add_cons(c, t, ck);
		for (int j = 0; j < col->nfks; j++) {
			fkref *f = col->fks[j];
			cons *k = px_alloc(c->a, sizeof *k);
			k->k = C_FK;
			k->name = f->name;
			k->cols = px_alloc(c->a, sizeof *k->cols);
			k->cols[0] = col->name;
			k->ncols = 1;
			k->reftable = f->table;
			k->refschema = f->schema;
			k->refcols = px_alloc(c->a, sizeof *k->refcols);
			k->refcols[0] = f->column;
			k->ondelete = f->ondelete;
			k->onupdate = f->onupdate;
			k->initially = f->initially;
			k->match = f->match;
			k->deferrable = f->deferrable;
			add_cons(c, t, k);
		}
	}
	return 0;
}

/* sa.Table("t", meta, *columns_and_constraints, schema=, comment=) and
 * sa.table("t", *sa.column(...), schema=). */
tdef *parse_table(ctx *c, px *call, int lightweight)
{
	const char *n = callee_name(c, call->obj);
	int light = lightweight || (n && !strcmp(n, "sa:table"));
	px *name = px_posarg(call, 0);
	if (!str_arg(c, name)) {
		untrans(c, call->line, "table without a literal name");
		return NULL;
	}
	tdef *t = table_new(c, str_arg(c, name), NULL);
	t->lightweight = light;
	int pos = 0;
	for (int i = 0; i < call->na; i++) {
		const char *kw = call->kw[i];
		px *a = call->a[i];
		if (!kw) {
			pos++;
			if (pos == 1)
				continue;
			if (pos == 2 && !light) { /* the MetaData */
				const char *mn = a->k == PX_CALL ? callee_name(c, a->obj) : NULL;
				if (a->k == PX_NAME || (mn && !strcmp(mn, "sa:MetaData")))
					continue;
			}
			if (table_add(c, t, a))
				return NULL;
			continue;
		}
		if (!strcmp(kw, "schema") && (is_str(a) || a->k == PX_NONE))
			t->schema = a->k == PX_NONE ? NULL : a->s;
		else if (!strcmp(kw, "comment") && !light && (is_str(a) || a->k == PX_NONE))
			t->comment = a->k == PX_NONE ? NULL : a->s;
		else if (!strcmp(kw, "extend_existing") || !strcmp(kw, "keep_existing") || !strcmp(kw, "info"))
			continue;
		else {
			untrans(c, call->line, "table argument %s=", kw);
			return NULL;
		}
	}
	if (table_finish(c, t))
		return NULL;
	return t;
}
