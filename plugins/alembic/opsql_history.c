/*
 * What a history says about its tables, for the `tables` argument
 * (opsql_params.c): env.py passes the application's MetaData, which strata
 * cannot import; the source's `arguments: {tables: tables}` says that
 * MetaData is what the history makes.  Every revision file is read for
 * op.create_table() / op.add_column() (in any function: the types a column
 * is given), and for what changes a table after it is made — alter_column,
 * drop_column, rename_table, drop_table in upgrade(), a string with ALTER,
 * DROP, CREATE or RENAME and the table's name,
 * a Python-side default= — which makes the table or the column unknown.
 * A column is known when every definition of it agrees on its type family
 * and place, and nothing changed it.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsql_int.h"

#define POS_ADDED 100000 /* a column op.add_column() added: after the created ones */

typedef struct hcol {
	char *table, *col; /* col NULL: the whole table; table NULL: that column of every table */
	int k;             /* the type family (TY_*) */
	char *pgname;      /* TY_PGNAMED */
	int pos;
	const char *why;   /* non-NULL: not known, and why (static text) */
	char *where;       /* the file that made it unknown */
} hcol;

struct opsql_history {
	hcol *v;
	size_t n, cap;
	char **alters; /* string literals with ALTER, DROP, CREATE or RENAME in them */
	size_t nalters, capalters;
	int oom;
};

opsql_history *opsql_history_new(void)
{
	return calloc(1, sizeof(opsql_history));
}

void opsql_history_free(opsql_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].table);
		free(h->v[i].col);
		free(h->v[i].pgname);
		free(h->v[i].where);
	}
	for (size_t i = 0; i < h->nalters; i++)
		free(h->alters[i]);
	free(h->alters);
	free(h->v);
	free(h);
}

static char *dup0(opsql_history *h, const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		h->oom = 1;
	return d;
}

static hcol *find(const opsql_history *h, const char *table, const char *col)
{
	for (size_t i = 0; i < h->n; i++) {
		hcol *e = &h->v[i];
		if ((e->table ? table && !strcmp(e->table, table) : !table) &&
		    (e->col ? col && !strcmp(e->col, col) : !col))
			return e;
	}
	return NULL;
}

static hcol *add(opsql_history *h, const char *table, const char *col, const char *file)
{
	hcol *e = find(h, table, col);
	if (e)
		return e;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		hcol *v = realloc(h->v, cap * sizeof *v);
		if (!v) {
			h->oom = 1;
			return NULL;
		}
		h->v = v;
		h->cap = cap;
	}
	e = &h->v[h->n++];
	memset(e, 0, sizeof *e);
	e->table = dup0(h, table);
	e->col = dup0(h, col);
	e->where = dup0(h, file);
	e->pos = -1;
	return e;
}

static void unknown(opsql_history *h, const char *table, const char *col, const char *why,
                    const char *file)
{
	hcol *e = add(h, table, col, file);
	if (e && !e->why) {
		e->why = why;
		free(e->where);
		e->where = dup0(h, file);
	}
}

/* A column definition: known, or unknown where two disagree. */
static void define(ctx *c, opsql_history *h, const char *table, const coldef *col, int pos,
                   const char *file)
{
	const ptype *t = impl(c, col->type);
	int fresh = !find(h, table, col->name);
	hcol *e = add(h, table, col->name, file);
	if (!e)
		return;
	if (col->has_pydefault)
		unknown(h, table, NULL, "a column has a Python-side default=", file);
	const char *pg = t->k == TY_PGNAMED ? t->pgname : NULL;
	if (fresh) {
		e->k = t->k;
		e->pos = pos;
		free(e->pgname);
		e->pgname = dup0(h, pg);
		return;
	}
	if (e->why)
		return;
	if (e->k != t->k || (pg && (!e->pgname || strcmp(pg, e->pgname))))
		unknown(h, table, col->name, "its revisions give it different types", file);
	else if (e->pos != pos)
		unknown(h, table, col->name, "its revisions give it different places", file);
}

/* The module-level function the token at i is in ("upgrade", ...), or "". */
static const char *func_of(const px_tok *t, int i, char *buf, size_t n)
{
	buf[0] = 0;
	for (int k = i; k >= 0; k--)
		if (t[k].col == 0 && px_is_name(&t[k], "def") && t[k + 1].k == TK_NAME) {
			snprintf(buf, n, "%.*s", (int)t[k + 1].n, t[k + 1].p);
			break;
		}
	return buf;
}

/* root.m(...) as x; btable: the table of the batch root names (NULL: not known). */
static void one_call(ctx *c, opsql_history *h, px *x, const char *root, const char *m,
                     const char *btable, int in_down, const char *file)
{
	int isop = !strcmp(root, "op");
	const char *a0 = str_arg(c, px_posarg(x, 0)), *a1 = str_arg(c, px_posarg(x, 1));
	const char *kt = str_arg(c, px_kwarg(x, "table_name")), *kc = str_arg(c, px_kwarg(x, "column_name"));
	if (!strcmp(m, "alter_column") || !strcmp(m, "drop_column")) { /* keywords as Alembic binds them */
		if (isop) {
			a0 = a0 ? a0 : kt;
			a1 = a1 ? a1 : kc;
		} else {
			a0 = a0 ? a0 : kc;
		}
	}
	if (isop && !strcmp(m, "create_table") && a0) {
		tdef *t = table_new(c, a0, NULL);
		int pos = 0, bad = 0;
		for (int i = 0; i < x->na && !bad; i++) {
			if (x->kw[i]) {
				bad = !strcmp(x->kw[i], "schema");
				continue;
			}
			if (pos++ && table_add(c, t, x->a[i]))
				bad = 1;
		}
		if (bad) {
			unknown(h, a0, NULL, "strata cannot read one of its op.create_table() calls", file);
			return;
		}
		for (int i = 0; i < t->ncols; i++)
			define(c, h, a0, t->cols[i], i, file);
	} else if (isop && !strcmp(m, "add_column") && a0) {
		px *col = px_posarg(x, 1);
		coldef *cd = col ? parse_column(c, col, 0) : NULL;
		if (!cd)
			unknown(h, a0, NULL, "strata cannot read one of its op.add_column() calls", file);
		else
			define(c, h, a0, cd, POS_ADDED, file);
	} else if (!strcmp(m, "alter_column") || !strcmp(m, "drop_column")) {
		const char *col = isop ? a1 : a0;
		if (isop && !a0)
			unknown(h, NULL, NULL, "an op.alter_column() / drop_column() on a computed table", file);
		else if (!col)
			unknown(h, isop ? a0 : btable, NULL, "an alter_column() / drop_column() on a computed column", file);
		else
			unknown(h, isop ? a0 : btable, col, "a revision alters or drops it", file);
	} else if (isop && !strcmp(m, "rename_table") && !in_down) {
		unknown(h, a0, NULL, "a revision renames it", file);
		unknown(h, a1, NULL, "a revision renames a table to it", file);
	} else if (isop && !strcmp(m, "drop_table") && !in_down) {
		unknown(h, a0, NULL, "a revision's upgrade() drops it", file);
	}
}

static int word_ch(char ch)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* w as a word of s (nocase: ASCII letters in any case). */
static int word_in(const char *s, const char *w, int nocase)
{
	size_t n = strlen(w);
	for (const char *p = s; *p; p++)
		if ((nocase ? !strncasecmp(p, w, n) : !strncmp(p, w, n)) && (p == s || !word_ch(p[-1])) &&
		    !word_ch(p[n]))
			return 1;
	return 0;
}

/* SQL that may change a table it names (strata does not read SQL). */
static const char *const ddl_words[] = { "alter", "drop", "create", "rename", NULL };

static int read_toks(opsql_history *h, const px_toks *tk, opsql_dialect dialect,
                     const opsql_env *env, const char *file)
{
	jmp_buf oom;
	px_arena arena = { .oom = &oom };
	if (setjmp(oom)) {
		px_arena_free(&arena);
		h->oom = 1;
		return -1;
	}
	ctx c;
	memset(&c, 0, sizeof c);
	c.a = &arena;
	c.env = env;
	c.dd = opsql_dialect_get(dialect);
	const px_tok *t = tk->t;
	char fn[128], alias[128] = "", btable[256] = "";
	for (int i = 0; i < tk->n && t[i].k != TK_EOF; i++) {
		if (t[i].k == TK_STR && t[i].val) {
			/* a string that is a whole statement (a docstring) does nothing */
			int k = i;
			while (k + 1 < tk->n && t[k + 1].k == TK_STR)
				k++;
			if ((i == 0 || t[i - 1].k == TK_NL) && (t[k + 1].k == TK_NL || t[k + 1].k == TK_EOF)) {
				i = k;
				continue;
			}
			const char *s = t[i].val;
			int alter = 0;
			for (int k = 0; ddl_words[k] && !alter; k++)
				alter = word_in(s, ddl_words[k], 1);
			if (alter && h->nalters == h->capalters) {
				size_t cap = h->capalters ? h->capalters * 2 : 16;
				char **a = realloc(h->alters, cap * sizeof *a);
				if (!a) {
					h->oom = 1;
					break;
				}
				h->alters = a;
				h->capalters = cap;
			}
			if (alter && (h->alters[h->nalters] = dup0(h, s)))
				h->nalters++;
			continue;
		}
		if (t[i].k != TK_NAME || (i && px_is_op(&t[i - 1], ".")) || !px_is_op(&t[i + 1], ".") ||
		    t[i + 2].k != TK_NAME || !px_is_op(&t[i + 3], "("))
			continue;
		int e = i;
		while (e < tk->n && t[e].k != TK_NL && t[e].k != TK_EOF)
			e++;
		int j = i;
		px *x = px_parse_expr(c.a, t, &j, e);
		if (!x || x->k != PX_CALL || !x->obj || x->obj->k != PX_ATTR)
			continue;
		char root[128], m[128];
		snprintf(root, sizeof root, "%.*s", (int)t[i].n, t[i].p);
		snprintf(m, sizeof m, "%.*s", (int)t[i + 2].n, t[i + 2].p);
		if (!strcmp(root, "op") && !strcmp(m, "batch_alter_table")) {
			/* with op.batch_alter_table("X") as batch_op: batch_op's calls are on X */
			const char *bt = str_arg(&c, px_posarg(x, 0));
			snprintf(btable, sizeof btable, "%s", bt ? bt : "");
			alias[0] = 0;
			if (j + 1 < e && px_is_name(&t[j], "as") && t[j + 1].k == TK_NAME)
				snprintf(alias, sizeof alias, "%.*s", (int)t[j + 1].n, t[j + 1].p);
		}
		const char *bt = *alias && !strcmp(root, alias) && *btable ? btable : NULL;
		one_call(&c, h, x, root, m, bt, !strcmp(func_of(t, i, fn, sizeof fn), "downgrade"), file);
		c.status = OPSQL_OK;
		c.reason[0] = 0;
	}
	px_arena_free(&arena);
	return h->oom ? -1 : 0;
}

typedef struct hargs {
	opsql_history *h;
	opsql_dialect dialect;
	const opsql_env *env;
	const char *file;
} hargs;

static int with_toks(const px_toks *tk, void *ud)
{
	hargs *a = ud;
	return read_toks(a->h, tk, a->dialect, a->env, a->file);
}

int opsql_history_read(opsql_history *h, const char *text, size_t len, const char *file,
                       opsql_dialect dialect, const opsql_env *env)
{
	char err[256];
	int line = 0;
	hargs a = { h, dialect, env, file };
	if (px_with_tokens(text, len, with_toks, &a, err, sizeof err, &line) && !h->oom)
		unknown(h, NULL, NULL, "a revision file does not tokenize", file);
	return h->oom ? -1 : 0;
}

/* ------------------------------------------------------------ the lookup */

/* The sort key of a column of table in the history. */
static int col_key(const opsql_history *h, const char *table, const char *col)
{
	const hcol *e = find(h, table, col);
	return !e || e->pos < 0 ? POS_ADDED * 2 : e->pos;
}

static ptype *mk_type(ctx *c, const hcol *e)
{
	ptype *t = px_alloc(c->a, sizeof *t);
	memset(t, 0, sizeof *t);
	t->k = e->k;
	t->length = t->precision = t->scale = -1;
	t->pgname = e->pgname ? px_strndup(c->a, e->pgname, strlen(e->pgname)) : NULL;
	return t;
}

tdef *history_table(ctx *c, const opsql_history *h, const char *name, char *why, size_t n)
{
	why[0] = 0;
	const hcol *w = find(h, name, NULL);
	if (!w || !w->why)
		w = find(h, NULL, NULL);
	if (w && w->why) {
		snprintf(why, n, "%s (%s)", w->why, w->where ? w->where : "");
		return NULL;
	}
	for (size_t i = 0; i < h->nalters; i++)
		if (word_in(h->alters[i], name, 0)) {
			snprintf(why, n, "a string of the history may alter, drop or create it (SQL strata does not read)");
			return NULL;
		}
	tdef *t = table_new(c, name, NULL);
	t->history = 1;
	/* the columns in their place: created ones by position, then added ones */
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].table && h->v[i].col && !strcmp(h->v[i].table, name))
			t->ncols++;
	t->cols = px_alloc(c->a, (size_t)(t->ncols + 1) * sizeof *t->cols);
	int got = 0;
	for (size_t i = 0; i < h->n; i++) {
		const hcol *e = &h->v[i];
		if (!e->table || !e->col || strcmp(e->table, name))
			continue;
		coldef *col = px_alloc(c->a, sizeof *col);
		col->name = px_strndup(c->a, e->col, strlen(e->col));
		col->type = mk_type(c, e);
		int at = got++, key = e->pos < 0 ? POS_ADDED * 2 : e->pos;
		while (at > 0 && col_key(h, name, t->cols[at - 1]->name) > key) {
			t->cols[at] = t->cols[at - 1];
			at--;
		}
		t->cols[at] = col;
	}
	if (!t->ncols) {
		snprintf(why, n, "no revision creates it with op.create_table()");
		return NULL;
	}
	return t;
}

int history_row(ctx *c, const opsql_history *h, const tdef *t, const px *row)
{
	int added = 0;
	for (int k = 0; k + 1 < row->na; k += 2) {
		const char *col = row->a[k]->s;
		const hcol *e = find(h, t->name, col);
		const hcol *any = find(h, NULL, col);
		if (e && e->why)
			return untrans(c, row->line, "bulk_insert() into tables.%s: the type of its column '%s' "
			               "is not known from the history: %s (%s)", t->name, col, e->why,
			               e->where ? e->where : "");
		if (any && any->why)
			return untrans(c, row->line, "bulk_insert() into tables.%s: the type of its column '%s' "
			               "is not known from the history: a batch alter_column() / drop_column() "
			               "changes a column so named (%s)", t->name, col, any->where ? any->where : "");
		added += e && e->pos >= POS_ADDED;
	}
	if (added && row->na > 2)
		return untrans(c, row->line, "bulk_insert() into tables.%s: a row with several columns, one "
		               "of them added by op.add_column(): their order in the MetaData is not known",
		               t->name);
	return 0;
}
