/*
 * batch_alter_table: queued operations run as ALTERs, or "move and copy"
 * (ApplyBatchImpl).
 */
#include <stdio.h>
#include <string.h>

#include "opsql_int.h"

/* ------------------------------------------------------------------- batch */

static coldef *bcol(tdef *t, const char *key)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i]->key, key))
			return t->cols[i];
	return NULL;
}

/* A copied constraint survives only if all its columns do. */
static int cons_fits(const tdef *t, const cons *k)
{
	for (int i = 0; i < k->ncols; i++) {
		int found = 0;
		for (int j = 0; j < t->ncols; j++)
			if (!strcmp(t->cols[j]->key, k->cols[i]))
				found = 1;
		if (!found)
			return 0;
	}
	return 1;
}

/* Appends to a constraint list (arena). */
static void push_cons(ctx *c, cons ***v, int *n, cons *k)
{
	cons **nv = px_alloc(c->a, (size_t)(*n + 1) * sizeof *nv);
	if (*n)
		memcpy(nv, *v, (size_t)*n * sizeof *nv);
	nv[(*n)++] = k;
	*v = nv;
}

/* The table batch "move and copy" builds: copy_from's columns and
 * constraints with the queued operations applied. */
typedef struct bstate {
	tdef *src, *nt;
	cons **named;           /* named constraints, replaced / dropped by name */
	int nnamed;
	px **newidx;            /* create_index calls, run after the rename */
	int nnewidx;
	char **oldidx;          /* copy_from's index=True indexes, by name (NULL: dropped) */
	int noldidx;
} bstate;

/* add_column: the column joins the new table (no constraints, no index). */
static int apply_add_column(ctx *c, px *call, const char *m, opargs *ap, bstate *b)
{
	opargs a = *ap;
	if (optab_bind(c, call, optab_find(m, 1), &a))
		return -1;
	if (A(&a, "insert_before") || A(&a, "insert_after"))
		return untrans(c, call->line, "insert_before / insert_after in batch add_column()");
	tdef *tmp = table_new(c, b->src->name, NULL);
	px *cx = A(&a, "column");
	if (!cx || table_add(c, tmp, cx) || table_finish(c, tmp))
		return fix_line(c, call->line);
	coldef *col = tmp->cols[0];
	if (tmp->ncons || col->index)
		return untrans(c, call->line, "batch add_column() with constraints or index=True when the table is recreated");
	col->key = col->name;
	coldef **v = px_alloc(c->a, (size_t)(b->nt->ncols + 1) * sizeof *v);
	memcpy(v, b->nt->cols, (size_t)b->nt->ncols * sizeof *v);
	v[b->nt->ncols++] = col;
	b->nt->cols = v;
	return 0;
}

/* drop_column: the column leaves the new table. */
static int apply_drop_column(ctx *c, px *call, const char *m, opargs *ap, bstate *b)
{
	opargs a = *ap;
	const char *name;
	if (optab_bind(c, call, optab_find(m, 1), &a) || req_str(c, &a, "column_name", &name))
		return -1;
	int at = -1;
	for (int j = 0; j < b->nt->ncols; j++)
		if (!strcmp(b->nt->cols[j]->key, name))
			at = j;
	if (at < 0)
		return untrans(c, call->line, "batch drop_column() of unknown column '%s'", name);
	memmove(b->nt->cols + at, b->nt->cols + at + 1, (size_t)(b->nt->ncols - at - 1) * sizeof *b->nt->cols);
	b->nt->ncols--;
	return 0;
}

/* alter_column: a changed copy of the column (no CAST: same type affinity). */
static int apply_alter_column(ctx *c, px *call, const char *m, opargs *ap, bstate *b)
{
	opargs a = *ap;
	const char *name, *newname, *using;
	if (optab_bind(c, call, optab_find(m, 1), &a) || req_str(c, &a, "column_name", &name) ||
	    opt_str(c, &a, "new_column_name", &newname) || opt_str(c, &a, "postgresql_using", &using))
		return -1;
	if (A(&a, "insert_before") || A(&a, "insert_after") || using)
		return untrans(c, call->line, "batch alter_column() argument when the table is recreated");
	coldef *col = bcol(b->nt, name);
	if (!col)
		return untrans(c, call->line, "batch alter_column() of unknown column '%s'", name);
	coldef *nc = px_alloc(c->a, sizeof *nc);
	*nc = *col;
	for (int j = 0; j < b->nt->ncols; j++)
		if (b->nt->cols[j] == col)
			b->nt->cols[j] = nc;
	col = nc;
	px *nul = A(&a, "nullable"), *typ = A(&a, "type_"), *sd = A(&a, "server_default"), *cm = A(&a, "comment");
	if (nul && nul->k != PX_NONE) {
		if (bool_arg(nul) < 0)
			return untrans(c, nul->line, "non-literal nullable");
		col->nullable = bool_arg(nul);
	}
	if (typ && typ->k != PX_NONE) {
		ptype *ty = parse_type(c, typ);
		if (!ty)
			return fix_line(c, typ->line);
		if (type_family(ty) != type_family(col->type) && !(ty->k == TY_JSON && c->dd->json_same_affinity))
			return untrans(c, call->line, "batch alter_column() type change that needs a CAST");
		col->type = ty;
	}
	if (sd && sdefault_parse(c, sd, &col->def))
		return -1;
	if (cm) {
		if (!is_str(cm) && cm->k != PX_NONE)
			return untrans(c, cm->line, "non-literal comment");
		col->comment = cm->k == PX_NONE ? NULL : cm->s;
	}
	if (newname)
		col->name = (char *)newname;
	return 0;
}

/* create_unique_constraint / create_foreign_key / create_check_constraint: a
 * named constraint of the new table (replacing one of that name). */
static int apply_add_constraint(ctx *c, px *call, const char *m, opargs *ap, bstate *b)
{
	opargs a = *ap;
	const char *t, *s;
	cons *k = optab_bind(c, call, optab_find(m, 1), &a) ? NULL : build_cons(c, call, &a, &t, &s);
	if (!k)
		return -1;
	if (!k->name)
		return untrans(c, call->line, "Constraint must have a name");
	int replaced = 0;
	for (int j = 0; j < b->nnamed; j++)
		if (!strcmp(b->named[j]->name, k->name))
			b->named[j] = k, replaced = 1;
	if (!replaced)
		push_cons(c, &b->named, &b->nnamed, k);
	return 0;
}

/* drop_constraint: a named constraint of copy_from leaves. */
static int apply_drop_constraint(ctx *c, px *call, const char *m, opargs *ap, bstate *b)
{
	opargs a = *ap;
	const char *name, *type;
	if (optab_bind(c, call, optab_find(m, 1), &a) || req_str(c, &a, "constraint_name", &name) ||
	    opt_str(c, &a, "type_", &type))
		return -1;
	int at = -1;
	for (int j = 0; j < b->nnamed; j++)
		if (!strcmp(b->named[j]->name, name))
			at = j;
	if (at < 0)
		return untrans(c, call->line, "batch drop_constraint() of '%s', not in copy_from", name);
	memmove(b->named + at, b->named + at + 1, (size_t)(b->nnamed - at - 1) * sizeof *b->named);
	b->nnamed--;
	return 0;
}

/* create_index: created after the rename (new_indexes, by name). */
static int apply_create_index(ctx *c, px *call, const char *m, opargs *ap, bstate *b)
{
	(void)ap;
	(void)m;
	const char *name = str_arg(c, px_posarg(call, 0));
	if (!name)
		name = str_arg(c, px_kwarg(call, "index_name"));
	int replaced = 0;
	for (int j = 0; name && j < b->nnewidx; j++) {
		const char *o = str_arg(c, px_posarg(b->newidx[j], 0));
		if (!o)
			o = str_arg(c, px_kwarg(b->newidx[j], "index_name"));
		if (o && !strcmp(o, name))
			b->newidx[j] = call, replaced = 1;
	}
	if (!replaced)
		b->newidx[b->nnewidx++] = call;
	return 0;
}

/* drop_index: an index of copy_from (index=True ones are not copied anyway). */
static int apply_drop_index(ctx *c, px *call, const char *m, opargs *ap, bstate *b)
{
	(void)ap;
	(void)m;
	const char *name = str_arg(c, px_posarg(call, 0));
	if (!name)
		name = str_arg(c, px_kwarg(call, "index_name"));
	int at = -1;
	for (int j = 0; name && j < b->noldidx; j++)
		if (b->oldidx[j] && !strcmp(b->oldidx[j], name))
			at = j;
	if (at < 0)
		return untrans(c, call->line, "batch drop_index() of '%s', not in copy_from", name ? name : "?");
	b->oldidx[at] = NULL;
	return 0;
}

/* ApplyBatchImpl's methods: what each batch_op does to the new table. */
static const struct {
	const char *meth;
	int (*apply)(ctx *c, px *call, const char *m, opargs *a, bstate *b);
} applies[] = {
	{ "add_column", apply_add_column },
	{ "drop_column", apply_drop_column },
	{ "alter_column", apply_alter_column },
	{ "create_unique_constraint", apply_add_constraint },
	{ "create_foreign_key", apply_add_constraint },
	{ "create_check_constraint", apply_add_constraint },
	{ "drop_constraint", apply_drop_constraint },
	{ "create_index", apply_create_index },
	{ "drop_index", apply_drop_index },
	{ NULL, NULL }
};

/* "Move and copy" (ApplyBatchImpl): the table of copy_from with the batch
 * operations applied, created as _alembic_tmp_<name>, filled from the old
 * table, which is dropped, and renamed into place. */
static int batch_recreate(ctx *c, tdef *src, batchop *ops, int nops, int line)
{
	if (src->schema)
		return untrans(c, line, "batch_alter_table move-and-copy of a table with a schema");
	tdef *nt = table_new(c, "", NULL);
	size_t ln = strlen(src->name);
	nt->name = px_alloc(c->a, ln + 16);
	sprintf(nt->name, "_alembic_tmp_%s", src->name);
	cons **named = NULL, **unnamed = NULL;
	int nnamed = 0, nunnamed = 0;
	for (int i = 0; i < src->ncols; i++) {
		coldef *o = src->cols[i];
		if (o->nfks)
			return untrans(c, line, "batch move-and-copy of copy_from column '%s' with a ForeignKey", o->name);
		coldef *col = px_alloc(c->a, sizeof *col);
		*col = *o;
		col->key = o->name;
		col->transfer = 1;
		col->unique = col->index = 0;
		coldef **v = px_alloc(c->a, (size_t)(nt->ncols + 1) * sizeof *v);
		if (nt->ncols)
			memcpy(v, nt->cols, (size_t)nt->ncols * sizeof *v);
		v[nt->ncols++] = col;
		nt->cols = v;
	}
	if (src->pk && src->pk->name)
		nt->pk = src->pk;
	for (int i = 0; i < src->ncons; i++) {
		cons *k = src->cons[i];
		if (k->typebound)
			continue;
		if (k->name)
			push_cons(c, &named, &nnamed, k);
		else
			push_cons(c, &unnamed, &nunnamed, k);
	}
	/* the original named constraints (a set in SQLAlchemy: their order is
	 * only known when at most one of them is left at the end) */
	int norig = nnamed;
	cons **orig = px_alloc(c->a, (size_t)(norig + 1) * sizeof *orig);
	if (norig)
		memcpy(orig, named, (size_t)norig * sizeof *orig);
	px **newidx = px_alloc(c->a, (size_t)(nops + 1) * sizeof *newidx);
	int nnewidx = 0;
	/* self.indexes: the copy_from table's index=True indexes, by name */
	char **oldidx = px_alloc(c->a, (size_t)(src->ncols + 1) * sizeof *oldidx);
	int noldidx = 0;
	for (int i = 0; i < src->ncols; i++)
		if (src->cols[i]->index) {
			oldidx[noldidx] = px_alloc(c->a, strlen(src->name) + strlen(src->cols[i]->name) + 5);
			sprintf(oldidx[noldidx++], "ix_%s_%s", src->name, src->cols[i]->name);
		}

	bstate bs = { src, nt, named, nnamed, newidx, 0, oldidx, noldidx };
	for (int i = 0; i < nops; i++) {
		px *call = ops[i].call;
		const char *m = ops[i].meth;
		opargs a;
		memset(&a, 0, sizeof a);
		a.batch = 1;
		a.table = src->name;
		int k = 0;
		while (applies[k].meth && strcmp(applies[k].meth, m))
			k++;
		if (!applies[k].meth)
			return untrans(c, call->line, "batch_op.%s() when the table is recreated", m);
		if (applies[k].apply(c, call, m, &a, &bs))
			return -1;
	}
	named = bs.named;
	nnamed = bs.nnamed;
	nnewidx = bs.nnewidx;

	/* constraints of the new table: type CHECKs (made as the columns
	 * attach), then the named and unnamed ones whose columns survive */
	for (int i = 0; i < nt->ncols; i++) {
		const ptype *t = nt->cols[i]->type;
		if ((t->k == TY_ENUM || t->k == TY_BOOLEAN) && t->create_constraint)
			return untrans(c, line, "batch move-and-copy of a column with a type CHECK");
	}
	int orig_left = 0, unnamed_left = 0;
	for (int i = 0; i < nnamed; i++)
		if (cons_fits(nt, named[i])) {
			push_cons(c, &nt->cons, &nt->ncons, named[i]);
			for (int j = 0; j < norig; j++)
				orig_left += named[i] == orig[j];
		}
	for (int i = 0; i < nunnamed; i++)
		if (cons_fits(nt, unnamed[i])) {
			push_cons(c, &nt->cons, &nt->ncons, unnamed[i]);
			unnamed_left++;
		}
	if (orig_left > 1 || unnamed_left > 1)
		return untrans(c, line, "batch move-and-copy keeping several constraints of copy_from (Alembic copies them in set order)");
	if (nt->pk && !cons_fits(nt, nt->pk))
		nt->pk = NULL;

	if (c->dd->prep_table_for_batch &&
	    c->dd->prep_table_for_batch(c, src, named, nnamed, orig, norig, line))
		return -1;
	if (render_create_table(c, nt))
		return fix_line(c, line);
	obuf b;
	ob_init(&b, c->a);
	ob_puts(&b, "INSERT INTO ");
	q_ident(c, &b, nt->name);
	ob_puts(&b, " (");
	int n = 0;
	for (int i = 0; i < nt->ncols; i++)
		if (nt->cols[i]->transfer) {
			if (n++)
				ob_puts(&b, ", ");
			q_ident(c, &b, nt->cols[i]->name);
		}
	ob_puts(&b, ") SELECT ");
	n = 0;
	for (int i = 0; i < nt->ncols; i++)
		if (nt->cols[i]->transfer) {
			if (n++)
				ob_puts(&b, ", ");
			q_ident(c, &b, src->name);
			ob_puts(&b, ".");
			q_ident(c, &b, nt->cols[i]->key);
		}
	ob_puts(&b, " \nFROM ");
	q_ident(c, &b, src->name);
	emit(c, b.p, b.n);
	ob_init(&b, c->a);
	ob_puts(&b, "\nDROP TABLE ");
	q_ident(c, &b, src->name);
	emit(c, b.p, b.n);
	ob_init(&b, c->a);
	ob_puts(&b, "ALTER TABLE ");
	q_ident(c, &b, nt->name);
	ob_puts(&b, " RENAME TO ");
	q_ident(c, &b, src->name);
	emit(c, b.p, b.n);
	c->colmap = nt;
	for (int i = 0; i < nnewidx; i++) {
		opargs a;
		memset(&a, 0, sizeof a);
		a.batch = 1;
		a.table = src->name;
		if (optab_bind(c, newidx[i], optab_find("create_index", 1), &a) ||
		    op_create_index(c, newidx[i], &a)) {
			c->colmap = NULL;
			return -1;
		}
	}
	c->colmap = NULL;
	return 0;
}

/* The end of a `with op.batch_alter_table(...)` block: Alembic runs the
 * queued operations as plain ALTERs, or recreates the table when the
 * dialect needs it (SQLite, for anything but add_column / indexes) or
 * recreate="always". */
int batch_run(ctx *c, px *hdr, batchop *ops, int nops, int line)
{
	c->op_line = line;
	static const char *const p[] = { "table_name", "schema", "recreate", "partial_reordering", "copy_from",
	                                 "table_args", "table_kwargs", "reflect_args", "reflect_kwargs",
	                                 "naming_convention", NULL };
	opargs a = { 0 };
	const char *t, *s, *rec;
	if (bind_args(c, hdr, "batch_alter_table", p, &a) || req_str(c, &a, "table_name", &t) ||
	    opt_str(c, &a, "schema", &s) || opt_str(c, &a, "recreate", &rec))
		return -1;
	static const char *const unsupported[] = { "partial_reordering", "table_args", "table_kwargs",
	                                           "reflect_args", "reflect_kwargs", "naming_convention", NULL };
	for (int i = 0; unsupported[i]; i++) {
		px *v = A(&a, unsupported[i]);
		if (v && v->k != PX_NONE && !((v->k == PX_TUPLE || v->k == PX_LIST || v->k == PX_DICT) && v->na == 0))
			return untrans(c, line, "%s= in batch_alter_table()", unsupported[i]);
	}
	if (!rec)
		rec = "auto";
	int recreate;
	if (!strcmp(rec, "always"))
		recreate = 1;
	else if (!strcmp(rec, "never"))
		recreate = 0;
	else if (!strcmp(rec, "auto")) {
		recreate = c->dd->requires_recreate_in_batch ? c->dd->requires_recreate_in_batch(c, ops, nops) : 0;
	} else {
		return untrans(c, line, "recreate=%s in batch_alter_table()", rec);
	}
	if (!recreate) {
		for (int i = 0; i < nops; i++)
			if (op_call(c, ops[i].call, ops[i].meth, t, s))
				return -1;
		return 0;
	}
	if (nops == 0)
		return 0;
	px *cf = A(&a, "copy_from");
	if (!cf || cf->k == PX_NONE) {
		if (c->dd->batch_no_copy_from)
			return untrans(c, line, "%s", c->dd->batch_no_copy_from);
		return untrans(c, line, "batch_alter_table with recreate=\"always\" without copy_from (the table's definition is only known from the live database)");
	}
	tdef *src = table_ref(c, cf);
	if (!src)
		return fix_line(c, line);
	if (src->lightweight)
		return untrans(c, line, "copy_from=sa.table() (a full sa.Table is needed)");
	if (strcmp(src->name, t) || (s != NULL) != (src->schema != NULL))
		return untrans(c, line, "copy_from table differs from the batch table");
	return batch_recreate(c, src, ops, nops, line);
}
