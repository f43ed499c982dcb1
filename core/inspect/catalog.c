/* A database's live objects, as its driver's catalog op reads them, kept
 * for lookup (catalog_find) by `strata drift` and `strata baseline
 * --infer`.  The tracking tables are left out, with everything that hangs
 * on them: strata_ledger and each tracker's table (as the loader's binds
 * name it, "schema.table" or "table"; an unqualified one in any schema),
 * their columns, indexes, constraints and triggers, the sequences OWNED BY
 * one of their columns, and a tracker's own schema when nothing else is in
 * it. */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A tracking table: schema NULL when its name is unqualified. */
typedef struct tracked {
	char *schema;
	const char *table;
} tracked;

typedef struct reader {
	catalog *c;
	tracked *t;
	size_t nt;
} reader;

static int cmp_name(bool fold, const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return fold ? strcasecmp(a, b) : strcmp(a, b);
}

static const char *schema_of(const catalog *c, const char *schema)
{
	return schema ? schema : c->default_schema;
}

/* An object of no schema (the dialect has none: SQLite) is told by its
 * table's name alone. */
static bool tracked_table(const reader *r, const char *schema, const char *table)
{
	for (size_t i = 0; table && i < r->nt; i++)
		if (!cmp_name(r->c->fold_case, r->t[i].table, table) &&
		    (!r->t[i].schema || !schema || !cmp_name(r->c->fold_case, r->t[i].schema, schema)))
			return true;
	return false;
}

/* A sequence's definition ends " OWNED BY table.column" (plugin.h's
 * catalog op, as the drivers write it). */
static bool owned_by_tracked(const reader *r, const strata_catalog_object *o)
{
	const char *at = o->definition ? strstr(o->definition, " OWNED BY ") : NULL;
	if (!at)
		return false;
	at += strlen(" OWNED BY ");
	const char *dot = strrchr(at, '.');
	if (!dot)
		return false;
	char *table = xasprintf("%.*s", (int)(dot - at), at);
	bool t = tracked_table(r, o->schema, table);
	free(table);
	return t;
}

static bool leave_out(const reader *r, const strata_catalog_object *o)
{
	switch (o->kind) {
	case STRATA_OBJK_TABLE:
		return tracked_table(r, o->schema, o->name);
	case STRATA_OBJK_COLUMN:
	case STRATA_OBJK_INDEX:
	case STRATA_OBJK_CONSTRAINT:
	case STRATA_OBJK_TRIGGER:
		return tracked_table(r, o->schema, o->parent);
	case STRATA_OBJK_SEQUENCE:
		return owned_by_tracked(r, o);
	default:
		return false;
	}
}

static int keep(void *ud, const strata_catalog_object *o)
{
	reader *r = ud;
	if (leave_out(r, o))
		return 0;
	catalog *c = r->c;
	c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
	c->v[c->n++] = (cat_obj){.kind = o->kind, .schema = xstrdup(o->schema),
	                         .parent = xstrdup(o->parent), .name = xstrdup(o->name),
	                         .definition = xstrdup(o->definition ? o->definition : "")};
	return 0;
}

/* Schemas and extensions are named database-wide (an extension's schema
 * is part of its definition). */
static bool global(strata_obj_kind k)
{
	return k == STRATA_OBJK_SCHEMA || k == STRATA_OBJK_EXTENSION;
}

int catalog_cmp(const catalog *c, const cat_obj *a, const cat_obj *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	int d = global(a->kind) ? 0 : cmp_name(c->fold_case, schema_of(c, a->schema),
	                                       schema_of(c, b->schema));
	if (!d)
		d = cmp_name(c->fold_case, a->parent, b->parent);
	return d ? d : cmp_name(c->fold_case, a->name, b->name);
}

/* Merge sort of v[0..n) by catalog_cmp (qsort has no user data). */
static void sort_objs(const catalog *c, cat_obj *v, cat_obj *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2, i = 0, j = h, k = 0;
	sort_objs(c, v, tmp, h);
	sort_objs(c, v + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = catalog_cmp(c, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

static void free_obj(cat_obj *o)
{
	free(o->schema);
	free(o->parent);
	free(o->name);
	free(o->definition);
}

/* A tracker's schema that holds nothing but its table. */
static void drop_tracker_schemas(reader *r)
{
	catalog *c = r->c;
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		cat_obj *o = &c->v[i];
		bool drop = false;
		for (size_t t = 0; o->kind == STRATA_OBJK_SCHEMA && t < r->nt && !drop; t++) {
			if (!r->t[t].schema || cmp_name(c->fold_case, r->t[t].schema, o->name))
				continue;
			drop = true;
			for (size_t j = 0; j < c->n && drop; j++)
				if (c->v[j].kind != STRATA_OBJK_SCHEMA && c->v[j].schema &&
				    !cmp_name(c->fold_case, c->v[j].schema, o->name))
					drop = false;
		}
		if (drop)
			free_obj(o);
		else
			c->v[k++] = *o;
	}
	c->n = k;
}

int catalog_read(plan *p, db *d, catalog *c)
{
	const inspect_dialect *dr = inspect_dialect_of(db_dialect(d));
	*c = (catalog){.default_schema = dr ? dr->default_schema : NULL,
	               .fold_case = dr ? dr->fold_case : false};
	int rc = p->L->bound ? 0 : loader_bind_trackers(p->L);
	if (rc)
		return rc;
	reader r = {.c = c, .t = xcalloc(p->L->nbinds + 2, sizeof *r.t)};
	r.t[r.nt++] = (tracked){.table = "strata_ledger"};
	for (size_t i = 0; i < p->L->nbinds; i++) {
		const char *name = p->L->binds[i].table, *dot = name ? strchr(name, '.') : NULL;
		if (!name)
			continue;
		r.t[r.nt++] = dot ? (tracked){.schema = xasprintf("%.*s", (int)(dot - name), name),
		                              .table = dot + 1}
		                  : (tracked){.table = name};
	}
	rc = db_catalog(d, keep, &r);
	if (rc == STRATA_ENOTFOUND)
		rc = err_set(p->e, STRATA_ENOTFOUND, STRATA_ECLASS_DB, d->display, 0, 0,
		             "use a driver with the catalog op (postgres, sqlite)",
		             "the %s driver cannot read the database's catalog",
		             d->plugin ? d->plugin->desc->name : "database's");
	if (!rc)
		drop_tracker_schemas(&r);
	for (size_t i = 0; i < r.nt; i++)
		free(r.t[i].schema);
	free(r.t);
	if (rc) {
		catalog_free(c);
		return rc;
	}
	cat_obj *tmp = xcalloc(c->n + 1, sizeof *tmp);
	sort_objs(c, c->v, tmp, c->n);
	free(tmp);
	return 0;
}

const cat_obj *catalog_find(const catalog *c, strata_obj_kind kind, const char *schema,
                            const char *parent, const char *name)
{
	cat_obj key = {.kind = kind, .schema = (char *)schema, .parent = (char *)parent,
	               .name = (char *)name};
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = catalog_cmp(c, &c->v[mid], &key);
		if (!d)
			return &c->v[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void catalog_free(catalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		free_obj(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
