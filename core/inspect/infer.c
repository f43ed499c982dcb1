/* baseline --infer's decision: which migrations a live schema already holds.
 * Every migration's up script is read by the driver's objects op in ledger
 * order (doctor's records, doctor_objects.c), and the history replayed
 * once: each object a migration creates becomes an entry that follows its
 * later renames (its names in order) and dies with its DROP (or its
 * table's).  The evidence for migration m, looked up in the live catalog
 * (catalog.c):
 *   - an object m creates that no later migration drops: present, under
 *     its name of any point from m on (its final name first);
 *   - an object m renames (and no later migration drops): present under
 *     the new name or a later one;
 *   - an object m drops that nothing later re-creates: absent, when it was
 *     there before the history or its creator is applied (else its
 *     absence tells nothing).
 * What m makes with IF NOT EXISTS may have been there before: it counts
 * only for a migration that has no other evidence.
 * All of it holds: applied; some: partial (what does not, said); none:
 * pending.  A migration with no evidence (data only, or every object it
 * makes dropped later) is applied when the nearest migrations of its source
 * before and after it that have evidence or a record are applied; else
 * undecided, never pending.
 * A script the driver cannot read is undecided too. */
#include "inspect.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NONE SIZE_MAX

/* Name classes: objects of one class share names (a table, view, sequence
 * and index are relations; columns and constraints are per table). */
typedef enum cls { C_OTHER, C_REL, C_TYPE, C_TRIGGER, C_SCHEMA, C_EXT, C_FUNC, C_COL, C_CON } cls;

static const struct {
	strata_obj_kind kind;
	cls c;
} classes[] = {
	{STRATA_OBJK_TABLE, C_REL},       {STRATA_OBJK_VIEW, C_REL},
	{STRATA_OBJK_MATVIEW, C_REL},     {STRATA_OBJK_SEQUENCE, C_REL},
	{STRATA_OBJK_INDEX, C_REL},       {STRATA_OBJK_RELATION, C_REL},
	{STRATA_OBJK_TYPE, C_TYPE},       {STRATA_OBJK_DOMAIN, C_TYPE},
	{STRATA_OBJK_TRIGGER, C_TRIGGER}, {STRATA_OBJK_SCHEMA, C_SCHEMA},
	{STRATA_OBJK_EXTENSION, C_EXT},   {STRATA_OBJK_FUNCTION, C_FUNC},
	{STRATA_OBJK_PROCEDURE, C_FUNC},  {STRATA_OBJK_COLUMN, C_COL},
	{STRATA_OBJK_CONSTRAINT, C_CON},
};

static cls class_of(strata_obj_kind k)
{
	for (size_t i = 0; i < sizeof classes / sizeof *classes; i++)
		if (classes[i].kind == k)
			return classes[i].c;
	return C_OTHER;
}

/* Classes whose names are per table: the entry keeps its table. */
static bool per_table(cls c)
{
	return c == C_COL || c == C_CON || c == C_TRIGGER;
}

/* An object of the replayed history. */
typedef struct ent {
	cls c;
	strata_obj_kind kind;
	const char *schema;  /* as written (NULL: the default schema) */
	const char **names;  /* in order; the last is its name now */
	size_t *named_by;    /* the migration that gave names[i] (named_by[0]: born) */
	size_t nnames;
	size_t parent;       /* its table's entry, or NONE */
	size_t born, died;   /* migrations; NONE: before the history / not dropped */
	bool gone, cascade;  /* dropped (cascade: with its table) */
	bool weak;           /* made with IF NOT EXISTS: it may have been there before */
} ent;

typedef struct model {
	const doc_objs *os;
	ent *v;
	size_t n;
} model;

static bool same(const model *m, const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return m->os->fold_case ? !strcasecmp(a, b) : !strcmp(a, b);
}

static bool same_schema(const model *m, const char *a, const char *b)
{
	a = a ? a : m->os->default_schema;
	b = b ? b : m->os->default_schema;
	return !a || !b || same(m, a, b);
}

static const char *now_name(const ent *e)
{
	return e->names[e->nnames - 1];
}

/* The live entry of class c called name (in table parent, when c is per
 * table and the record names one). */
static size_t find(const model *m, cls c, const char *schema, const char *name,
                   const char *pschema, const char *parent)
{
	for (size_t i = m->n; i-- > 0;) {
		const ent *e = &m->v[i];
		if (e->gone || e->c != c || !same(m, now_name(e), name))
			continue;
		if (c != C_SCHEMA && c != C_EXT && !same_schema(m, e->schema, schema))
			continue;
		if (per_table(c) && parent && e->parent != NONE &&
		    (!same(m, now_name(&m->v[e->parent]), parent) ||
		     !same_schema(m, m->v[e->parent].schema, pschema)))
			continue;
		return i;
	}
	return NONE;
}

static size_t add(model *m, cls c, strata_obj_kind kind, const char *schema, const char *name,
                  size_t parent, size_t born)
{
	m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
	ent *e = &m->v[m->n];
	*e = (ent){.c = c, .kind = kind, .schema = schema, .parent = parent, .born = born,
	           .died = NONE};
	e->names = xmalloc(sizeof *e->names);
	e->named_by = xmalloc(sizeof *e->named_by);
	e->names[0] = name;
	e->named_by[0] = born;
	e->nnames = 1;
	return m->n++;
}

/* The entry a record is about; one that no migration created (it was
 * there before the history) is made, born NONE. */
static size_t table_of(model *m, const doc_obj *o)
{
	if (!o->parent)
		return NONE;
	size_t t = find(m, C_REL, o->pschema, o->parent, NULL, NULL);
	return t != NONE ? t : add(m, C_REL, STRATA_OBJK_RELATION, o->pschema, o->parent, NONE, NONE);
}

static size_t subject(model *m, const doc_obj *o)
{
	cls c = class_of(o->kind);
	size_t i = find(m, c, o->schema, o->name, o->pschema, o->parent);
	if (i == NONE)
		i = add(m, c, o->kind, o->schema, o->name, per_table(c) ? table_of(m, o) : NONE, NONE);
	return i;
}

static void replay(model *m, const doc_obj *o)
{
	cls c = class_of(o->kind);
	if (c == C_OTHER || !o->name)
		return;
	if (o->action == STRATA_OBJ_CREATE) {
		size_t i = find(m, c, o->schema, o->name, o->pschema, o->parent);
		if (i != NONE && m->v[i].born == NONE)
			m->v[i].born = m->v[i].named_by[0] = o->mig; /* referred to before: this one's */
		else if (i == NONE) {
			size_t t = per_table(c) || o->kind == STRATA_OBJK_INDEX ? table_of(m, o) : NONE;
			i = add(m, c, o->kind, o->schema, o->name, t, o->mig);
			m->v[i].weak = o->flags & STRATA_OBJF_IF_NOT_EXISTS;
		}
	} else if (o->action == STRATA_OBJ_DROP) {
		size_t i = subject(m, o);
		m->v[i].gone = true;
		m->v[i].died = o->mig;
		for (size_t k = 0; k < m->n; k++) /* its columns, constraints, triggers, indexes */
			if (m->v[k].parent == i && !m->v[k].gone)
				m->v[k].gone = m->v[k].cascade = true;
	} else if (o->action == STRATA_OBJ_RENAME && o->new_name) {
		ent *e = &m->v[subject(m, o)];
		e->names = xrealloc(e->names, (e->nnames + 1) * sizeof *e->names);
		e->named_by = xrealloc(e->named_by, (e->nnames + 1) * sizeof *e->named_by);
		e->names[e->nnames] = o->new_name;
		e->named_by[e->nnames++] = o->mig;
	}
}

/* ---- the live catalog ---- */

static bool kind_fits(strata_obj_kind want, strata_obj_kind have)
{
	if (want == have)
		return true;
	if (class_of(want) != C_REL || class_of(have) != C_REL)
		return false;
	return want == STRATA_OBJK_RELATION || (have == STRATA_OBJK_RELATION && want != STRATA_OBJK_INDEX);
}

/* Is e there under one of names[from..] (its table under any of its names)? */
static bool is_live(const model *m, const catalog *cat, const ent *e, size_t from)
{
	for (size_t i = 0; i < cat->n; i++) {
		const cat_obj *co = &cat->v[i];
		if (!kind_fits(e->kind, co->kind))
			continue;
		if (e->c != C_SCHEMA && e->c != C_EXT) {
			const char *cs = co->schema ? co->schema : cat->default_schema;
			const char *es = e->schema ? e->schema : m->os->default_schema;
			if (e->parent != NONE && !e->schema)
				es = m->v[e->parent].schema ? m->v[e->parent].schema : es;
			if (cs && es && !same(m, cs, es))
				continue;
		}
		bool named = false;
		for (size_t k = from; k < e->nnames && !named; k++)
			named = same(m, co->name, e->names[k]);
		if (!named)
			continue;
		if (per_table(e->c) && e->parent != NONE && co->parent) {
			const ent *t = &m->v[e->parent];
			bool on = false;
			for (size_t k = 0; k < t->nnames && !on; k++)
				on = same(m, co->parent, t->names[k]);
			if (!on)
				continue;
		}
		return true;
	}
	return false;
}

/* Is names[at] of e taken again (a live entry of that name now, or e
 * renamed back to it): then its absence cannot be told. */
static bool name_reused(const model *m, const ent *e, size_t at)
{
	const char *name = e->names[at];
	for (size_t i = 0; i < m->n; i++) {
		const ent *o = &m->v[i];
		if (o != e && !o->gone && o->c == e->c && same(m, now_name(o), name) &&
		    same_schema(m, o->schema, e->schema) && (!per_table(e->c) || o->parent == e->parent))
			return true;
	}
	for (size_t k = at + 1; k < e->nnames; k++)
		if (same(m, e->names[k], name))
			return true;
	return false;
}

/* "table public.x", "column public.y.z", "index main.i" */
static void describe(sbuf *b, const model *m, const ent *e, const char *name)
{
	const char *schema = e->schema;
	if (b->len)
		sbuf_puts(b, ", ");
	sbuf_printf(b, "%s ", strata_obj_kind_name(e->kind == STRATA_OBJK_RELATION ? STRATA_OBJK_TABLE
	                                                                             : e->kind));
	if (e->parent != NONE && per_table(e->c)) {
		const ent *t = &m->v[e->parent];
		schema = t->schema ? t->schema : schema;
		if (schema || m->os->default_schema)
			sbuf_printf(b, "%s.", schema ? schema : m->os->default_schema);
		sbuf_printf(b, "%s.", now_name(t));
	} else if (e->c != C_SCHEMA && e->c != C_EXT && (schema || m->os->default_schema)) {
		sbuf_printf(b, "%s.", schema ? schema : m->os->default_schema);
	}
	sbuf_puts(b, name);
}

typedef struct tally {
	size_t expected, found, gone;
	sbuf missing, present;
} tally;

static void expect_present(tally *t, const model *m, const catalog *cat, const ent *e, size_t from)
{
	t->expected++;
	if (is_live(m, cat, e, from))
		t->found++;
	else
		describe(&t->missing, m, e, now_name(e));
}

static void expect_absent(tally *t, const model *m, const catalog *cat, const ent *e, size_t at)
{
	if (name_reused(m, e, at))
		return;
	ent one = *e;
	one.names = &e->names[at];
	one.nnames = 1; /* that name alone */
	t->expected++;
	if (!is_live(m, cat, &one, 0)) {
		t->found++;
		t->gone++;
	}
	else
		describe(&t->present, m, &one, e->names[at]);
}

static bool recorded_done(strata_state st)
{
	return st == STRATA_APPLIED || st == STRATA_BASELINED || st == STRATA_MODIFIED;
}

/* An object's absence tells only once it was there: when the history
 * created it, its creator must be applied (decided so, or recorded). */
static bool absence_tells(const plan *p, const infer_report *r, const ent *e)
{
	return e->born == NONE || r->v[e->born].verdict == INFER_APPLIED ||
	       recorded_done(p->lg->migs[e->born]->info.state);
}

/* The evidence of migration g, looked up (the migrations before g decided);
 * weak: only what it makes with IF NOT EXISTS (counted when nothing else is). */
static void evidence(const plan *p, const infer_report *r, const model *m, const catalog *cat,
                     size_t g, bool weak, tally *t)
{
	/* A table first, then what is on it: the order of the missing list. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < m->n; i++) {
			const ent *e = &m->v[i];
			if ((pass == 0) != (e->c == C_REL || e->c == C_TYPE || e->c == C_SCHEMA ||
			                    e->c == C_EXT || e->c == C_FUNC))
				continue;
			if (e->born == g && !e->gone) {
				if (e->weak == weak)
					expect_present(t, m, cat, e, 0);
				continue;
			}
			if (weak)
				continue;
			if (e->born == g)
				continue; /* made and dropped again: nothing left to see */
			for (size_t k = 1; k < e->nnames; k++)
				if (e->named_by[k] == g && !e->gone)
					expect_present(t, m, cat, e, k);
			if (e->died == g && !e->cascade && absence_tells(p, r, e))
				expect_absent(t, m, cat, e, e->nnames - 1);
		}
}

/* ---- the decision ---- */

/* Per dialect, the schema an unqualified name lands in on this connection
 * (PostgreSQL: the search_path's first, e.g. from ?schema=app); a dialect
 * without one keeps the default of inspect_dialect. */
static const struct {
	const char *dialect, *sql;
} current_schema[] = {
	{"postgresql", "SELECT pg_catalog.current_schema()"},
};

static int one_text(void *ud, int ncols, const char *const *v)
{
	char **out = ud;
	if (ncols > 0 && v[0] && !*out)
		*out = xstrdup(v[0]);
	return 0;
}

/* *own: the schema read (owned), NULL when the dialect has no query or
 * the database is not there. */
static int live_schema(db *d, const char *dialect, char **own)
{
	*own = NULL;
	for (size_t i = 0; d->conn && dialect && i < sizeof current_schema / sizeof *current_schema; i++)
		if (!strcmp(current_schema[i].dialect, dialect))
			return db_query(d, current_schema[i].sql, NULL, 0, one_text, own);
	return 0;
}

/* Read every migration's objects, in ledger order; unread[i] says why i
 * was not read (owned), NULL when it was.  *schema: the live default
 * schema when the dialect tells it (owned, os->default_schema points at it). */
static int read_all(plan *p, db *d, doc_objs *os, char **unread, char **schema)
{
	const char *dialect = d->plugin && d->plugin->desc->driver ? d->plugin->desc->driver->dialect
	                                                           : NULL;
	const inspect_dialect *dr = inspect_dialect_of(dialect);
	const char *scratch = dr ? dr->scratch : NULL;
	int rc = live_schema(d, dialect, schema);
	os->default_schema = *schema ? *schema : dr ? dr->default_schema : NULL;
	os->fold_case = dr ? dr->fold_case : false;
	db sd = {0}, *rd = d;
	if (!rc && scratch) {
		rc = db_open(&sd, p->L, scratch, false, NULL);
		rd = &sd;
	}
	for (size_t i = 0; !rc && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		size_t from = os->n;
		if (!m->up || m->info.blocked) {
			unread[i] = xstrdup("its up script was not read (the source blocked it)");
			continue;
		}
		os->cur = i;
		rc = db_objects(rd, m, scratch != NULL, doctor_keep_object, os);
		if (rc == STRATA_ENOMEM)
			break;
		if (rc == STRATA_ENOTFOUND) {
			unread[i] = xasprintf("the %s driver cannot say what its statements do",
			                      dialect ? dialect : "database's");
			rc = 0;
		} else if (rc < 0) {
			const strata_error_info *c = err_cur(p->e);
			unread[i] = xasprintf("the dialect's parser cannot read it: %s",
			                      c->message ? c->message : "?");
			err_clear(p->e);
			rc = 0;
		}
		for (size_t k = from; k < os->n && !unread[i]; k++)
			if (os->v[k].action == STRATA_OBJ_INVALID)
				unread[i] = xasprintf("line %d does not parse: %s", os->v[k].line,
				                      os->v[k].error ? os->v[k].error : "?");
	}
	if (scratch)
		db_close(&sd);
	return rc;
}

/* Is the nearest migration of i's source in direction step (-1, +1) that
 * has evidence or a record applied? */
static bool neighbour_applied(const plan *p, const infer_report *r, const bool *evident, size_t i,
                              int step)
{
	const ledger *lg = p->lg;
	for (size_t j = i + (size_t)step; j < r->n; j += (size_t)step) {
		const migration *m = lg->migs[j];
		if (m->src != lg->migs[i]->src)
			continue;
		bool done = recorded_done(m->info.state);
		if (evident[j] || done)
			return done || r->v[j].verdict == INFER_APPLIED;
	}
	return false; /* none: j wrapped past 0 or reached n */
}

/* Migrations with nothing to look for: by their nearest decided neighbours
 * of one source. */
static void by_order(const plan *p, infer_report *r, const bool *evident)
{
	for (size_t i = 0; i < r->n; i++) {
		infer_item *it = &r->v[i];
		if (it->verdict || it->reason)
			continue;
		bool before = neighbour_applied(p, r, evident, i, -1);
		bool after = neighbour_applied(p, r, evident, i, +1);
		it->verdict = before && after ? INFER_APPLIED : INFER_UNDECIDED;
		it->reason = xstrdup(before && after
		                             ? "nothing to look for; the migrations before and after it are applied"
		                     : before ? "nothing to look for, and nothing applied just after it"
		                              : "nothing to look for, and nothing applied just before it");
	}
}

int infer_run(plan *p, db *d, infer_report *r)
{
	size_t n = p->lg->nmigs;
	r->v = xcalloc(n + 1, sizeof *r->v);
	r->n = n;
	doc_objs os = {0};
	char **unread = xcalloc(n + 1, sizeof *unread);
	bool *evident = xcalloc(n + 1, sizeof *evident);
	catalog cat = {0};
	char *schema = NULL;
	int rc = read_all(p, d, &os, unread, &schema);
	if (!rc && d->conn)
		rc = catalog_read(p, d, &cat);
	if (!rc) {
		model m = {.os = &os};
		for (size_t i = 0; i < os.n; i++)
			if (!unread[os.v[i].mig])
				replay(&m, &os.v[i]);
		for (size_t i = 0; i < n; i++) {
			infer_item *it = &r->v[i];
			if (unread[i]) {
				it->verdict = INFER_UNDECIDED;
				it->reason = unread[i];
				unread[i] = NULL;
				continue;
			}
			tally t = {0};
			evidence(p, r, &m, &cat, i, false, &t);
			if (!t.expected)
				evidence(p, r, &m, &cat, i, true, &t);
			it->expected = t.expected;
			it->found = t.found;
			it->gone = t.gone;
			it->missing = t.missing.len ? sbuf_take(&t.missing) : NULL;
			it->present = t.present.len ? sbuf_take(&t.present) : NULL;
			sbuf_free(&t.missing);
			sbuf_free(&t.present);
			if (!t.expected)
				continue; /* by_order() */
			evident[i] = true;
			it->verdict = t.found == t.expected ? INFER_APPLIED
			              : t.found           ? INFER_PARTIAL
			                                  : INFER_PENDING;
		}
		by_order(p, r, evident);
		for (size_t i = 0; i < m.n; i++) {
			free(m.v[i].names);
			free(m.v[i].named_by);
		}
		free(m.v);
	}
	for (size_t i = 0; i < n; i++)
		free(unread[i]);
	free(unread);
	free(evident);
	catalog_free(&cat);
	doc_objs_free(&os);
	free(schema);
	if (rc)
		infer_report_free(r);
	return rc;
}

void infer_report_free(infer_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].missing);
		free(r->v[i].present);
		free(r->v[i].reason);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

int infer_decide(plan *p, db *d, infer_verdict **out, size_t *n)
{
	infer_report r = {0};
	*out = NULL;
	*n = 0;
	int rc = infer_run(p, d, &r);
	if (rc)
		return rc;
	*out = xcalloc(r.n + 1, sizeof **out);
	for (size_t i = 0; i < r.n; i++)
		(*out)[i] = r.v[i].verdict;
	*n = r.n;
	infer_report_free(&r);
	return 0;
}
