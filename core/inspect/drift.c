/* strata drift: what the live database has that its recorded history did
 * not make, lacks, or has otherwise.  The migrations the target records as
 * done (applied, baselined, modified: run_is_done) are replayed in ledger
 * order on a scratch database of its dialect (verify's run_scratch_*);
 * pending ones are not.  Both catalogs are read (catalog.c: tracking
 * tables left out) and merged object by object; each difference names the
 * migration that last touched the object, from doctor's model of the
 * history (doc_objs: the driver's objects op on each replayed migration).
 * Children of a table that is itself extra or missing (its columns,
 * indexes, constraints, triggers) are not listed again. */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void drift_report_free(drift_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		strata_drift_item *it = &r->v[i];
		free((char *)it->schema);
		free((char *)it->parent);
		free((char *)it->name);
		free((char *)it->live);
		free((char *)it->history);
		free((char *)it->migration);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

static bool same(bool fold, const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return fold ? !strcasecmp(a, b) : !strcmp(a, b);
}

/* A function's catalog name carries its arguments ("f(integer)"); the
 * parser's record has the name alone. */
static bool same_routine(bool fold, const char *rec, const char *cat)
{
	size_t n = strcspn(cat, "(");
	return rec && strlen(rec) == n && (fold ? !strncasecmp(rec, cat, n) : !strncmp(rec, cat, n));
}

static bool is_child(strata_obj_kind k)
{
	return k == STRATA_OBJK_COLUMN || k == STRATA_OBJK_INDEX || k == STRATA_OBJK_CONSTRAINT ||
	       k == STRATA_OBJK_TRIGGER;
}

/* Could a record of kind rec be about an object of kind cat?  The parser
 * says RELATION where it cannot tell a table from a view or sequence. */
static bool kind_fits(strata_obj_kind rec, strata_obj_kind cat)
{
	if (rec == cat)
		return true;
	if (rec == STRATA_OBJK_RELATION)
		return cat == STRATA_OBJK_TABLE || cat == STRATA_OBJK_VIEW ||
		       cat == STRATA_OBJK_MATVIEW || cat == STRATA_OBJK_SEQUENCE;
	if (rec == STRATA_OBJK_FUNCTION || rec == STRATA_OBJK_PROCEDURE)
		return cat == STRATA_OBJK_FUNCTION || cat == STRATA_OBJK_PROCEDURE;
	return (rec == STRATA_OBJK_TYPE && cat == STRATA_OBJK_DOMAIN) ||
	       (rec == STRATA_OBJK_DOMAIN && cat == STRATA_OBJK_TYPE);
}

static const char *sch(const doc_objs *os, const char *s)
{
	return s ? s : os->default_schema;
}

/* The newest record that changes (kind, schema, parent, name): created,
 * altered, dropped, or renamed to it (made: created or renamed to it only).
 * For a child no record names (a column of a CREATE TABLE the parser does
 * not list), up: the migration that made its table; an ALTER of the table
 * is about some other part of it.  NULL: no migration did. */
static const migration *last_touch(const doc_objs *os, const ledger *lg, strata_obj_kind kind,
                                   const char *schema, const char *parent, const char *name,
                                   bool up, bool made)
{
	bool fold = os->fold_case;
	for (size_t i = os->n; i-- > 0;) {
		const doc_obj *o = &os->v[i];
		if (o->action == STRATA_OBJ_REFER || o->action == STRATA_OBJ_WRITE ||
		    o->action == STRATA_OBJ_INVALID || !kind_fits(o->kind, kind) ||
		    (made && o->action != STRATA_OBJ_CREATE && o->action != STRATA_OBJ_RENAME))
			continue;
		const char *n = o->action == STRATA_OBJ_RENAME && o->new_name ? o->new_name : o->name;
		bool named = kind == STRATA_OBJK_FUNCTION || kind == STRATA_OBJK_PROCEDURE
		                 ? same_routine(fold, n, name)
		                 : same(fold, n, name);
		if (!named || !same(fold, sch(os, o->schema), sch(os, schema)))
			continue;
		if (is_child(kind) && o->parent && parent && !same(fold, o->parent, parent))
			continue;
		return o->mig < lg->nmigs ? lg->migs[o->mig] : NULL;
	}
	if (up && is_child(kind) && parent)
		return last_touch(os, lg, STRATA_OBJK_TABLE, schema, NULL, parent, false, true);
	return NULL;
}

/* The child's table is itself extra (in live only) or missing. */
static bool table_differs(const catalog *live, const catalog *hist, const cat_obj *o)
{
	if (!is_child(o->kind) || !o->parent)
		return false;
	bool in_live = catalog_find(live, STRATA_OBJK_TABLE, o->schema, NULL, o->parent) != NULL;
	bool in_hist = catalog_find(hist, STRATA_OBJK_TABLE, o->schema, NULL, o->parent) != NULL;
	return in_live != in_hist;
}

static void add(drift_report *r, const doc_objs *os, const ledger *lg, strata_drift_change ch,
                const cat_obj *o, const cat_obj *live, const cat_obj *hist)
{
	/* An extra object no migration made: its table's is no answer. */
	const migration *m = last_touch(os, lg, o->kind, o->schema, o->parent, o->name,
	                                ch != STRATA_DRIFT_EXTRA, false);
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n++] = (strata_drift_item){
		.kind = o->kind, .change = ch, .schema = xstrdup(o->schema),
		.parent = xstrdup(o->parent), .name = xstrdup(o->name),
		.live = live ? xstrdup(live->definition) : NULL,
		.history = hist ? xstrdup(hist->definition) : NULL,
		.migration = m ? xstrdup(m->info.id) : NULL,
	};
	r->sum.extra += ch == STRATA_DRIFT_EXTRA;
	r->sum.missing += ch == STRATA_DRIFT_MISSING;
	r->sum.different += ch == STRATA_DRIFT_DIFFERENT;
}

static void compare(const catalog *live, const catalog *hist, const doc_objs *os,
                    const ledger *lg, drift_report *r)
{
	size_t i = 0, j = 0;
	while (i < live->n || j < hist->n) {
		const cat_obj *a = i < live->n ? &live->v[i] : NULL;
		const cat_obj *b = j < hist->n ? &hist->v[j] : NULL;
		int d = !a ? 1 : !b ? -1 : catalog_cmp(live, a, b);
		if (d < 0) {
			if (!table_differs(live, hist, a))
				add(r, os, lg, STRATA_DRIFT_EXTRA, a, a, NULL);
			i++;
		} else if (d > 0) {
			if (!table_differs(live, hist, b))
				add(r, os, lg, STRATA_DRIFT_MISSING, b, NULL, b);
			j++;
		} else {
			if (strcmp(a->definition, b->definition))
				add(r, os, lg, STRATA_DRIFT_DIFFERENT, a, a, b);
			i++;
			j++;
		}
	}
}

/* doctor's model of what was replayed: the objects op on each migration,
 * read where doctor reads (SQLite: an in-memory scratch of its own). */
static int read_model(plan *p, const char *url, const bool *which, doc_objs *os)
{
	const inspect_dialect *dr = inspect_dialect_of(dialect_of_url(p->L, url));
	*os = (doc_objs){.default_schema = dr ? dr->default_schema : NULL,
	                 .fold_case = dr ? dr->fold_case : false};
	db reader = {0};
	bool scratch = dr && dr->scratch;
	int rc = scratch ? db_open(&reader, p->L, dr->scratch, false, NULL)
	                 : db_attach(&reader, p->L, url);
	for (size_t i = 0; !rc && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		if (!which[i] || !m->up || m->info.blocked)
			continue;
		os->cur = i;
		rc = db_objects(&reader, m, scratch, doctor_keep_object, os);
		if (rc != STRATA_ENOMEM && rc < 0) { /* the model is for naming only */
			err_clear(p->e);
			rc = 0;
		}
	}
	if (rc == STRATA_ENOTFOUND) {
		err_clear(p->e);
		rc = 0;
	}
	db_close(&reader);
	return rc;
}

int inspect_drift(plan *p, const char *url, const char *scratch_url, drift_report *r)
{
	err_ctx *e = p->e;
	memset(r, 0, sizeof *r);
	db target = {0};
	int rc = sources_load(p->lg, p->L, url, false);
	if (!rc)
		rc = db_open(&target, p->L, url, true, NULL);
	if (!rc && !target.conn)
		rc = err_set(e, STRATA_ENOTFOUND, STRATA_ECLASS_DB, target.display, 0, 0,
		             "point --db at the database to compare", "the database does not exist");
	if (!rc)
		rc = plan_compute(p, &target);
	if (rc) {
		db_close(&target);
		return rc;
	}
	/* What the target has run, or holds as if it had (run/'s run_is_done);
	 * a retired source's migrations are not: its successor's baseline
	 * stands for them (adopt). */
	bool *which = xcalloc(p->lg->nmigs + 1, sizeof *which);
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		const migration *m = p->lg->migs[i];
		strata_state st = m->info.state;
		bool retired = m->src < p->cfg->nsources && p->cfg->sources[m->src].retired;
		which[i] = !retired &&
		           (st == STRATA_APPLIED || st == STRATA_BASELINED || st == STRATA_MODIFIED);
	}
	run_scratch s;
	rc = run_scratch_open_cached(p, "drift", url, scratch_url, which, RUN_SCRATCH_READ, &s);
	if (!rc)
		rc = run_scratch_replay(p, &s, NULL, "replaying", which, &r->sum.migrations);
	catalog live = {0}, hist = {0};
	doc_objs os = {0};
	if (!rc)
		rc = catalog_read(p, &target, &live);
	if (!rc)
		rc = catalog_read(p, &s.d, &hist);
	run_scratch_close(p, &s);
	db_close(&target);
	if (!rc)
		rc = read_model(p, url, which, &os);
	if (!rc)
		compare(&live, &hist, &os, p->lg, r);
	doc_objs_free(&os);
	catalog_free(&live);
	catalog_free(&hist);
	free(which);
	return rc;
}
