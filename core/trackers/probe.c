/* strata init --db: which native tracking tables the database already has,
 * and so which `tracker:` each source found by the walk should name.  The
 * database is opened read-only.  Each tracker a source could have is asked
 * with that source's own settings (a renamed Alembic table is looked for
 * under its name): probe() scores a table by how many of the tracker's
 * columns it has; a tracker without probe() is there when its table is.
 * A plugin tracker (Prisma, Alembic) is for the sources of its own format;
 * a descriptor (formats/trackers/NAME.yaml) for sources whose format has
 * no tracker of its own (SQL files).  Per table the best score wins; a tie
 * goes to the source's default tracker, else it is an ambiguity: a comment
 * in strata.yaml and no tracker picked.  A table two sources would both
 * claim goes to the one whose default it is, else to neither (a comment). */
#include "trackers.h"
#include "sources.h"

#include <stdlib.h>
#include <string.h>

typedef struct hit {
	char *tracker, *table;
	int score;
	bool tie;   /* another tracker scored the same on this table */
	char *ties; /* their names, for the comment */
} hit;

typedef struct item_hits {
	hit *v;
	size_t n;
	char *deflt; /* the source's default tracker, or NULL */
} item_hits;

/* A one-source config for item it, so plugins see its folder and keys. */
static void item_config(const config *base, const init_found *f, const init_item *it,
                        config *c, cfg_source *src)
{
	memset(c, 0, sizeof *c);
	memset(src, 0, sizeof *src);
	c->file = base->file;
	c->dir = f->root;
	src->name = it->name;
	src->format = it->format;
	src->path = path_join(f->root, it->dir);
	src->path_display = it->dir;
	size_t n = 0;
	while (it->keys && it->keys[n])
		n++;
	src->opts = xcalloc(n + 1, sizeof *src->opts);
	for (size_t k = 0; k < n; k++)
		src->opts[k] = (cfg_option){.key = it->keys[k], .value = it->values[k]};
	src->nopts = n;
	c->sources = src;
	c->nsources = 1;
}

static void item_config_free(cfg_source *src)
{
	free(src->path);
	free(src->opts);
}

/* The tracker's score for the source bound in hc: probe(), else 1 when its
 * table exists; 0 absent, < 0 error. */
static int score_of(db *d, host_call *hc, const plugin *pl, const char *table)
{
	const strata_tracker_ops *t = pl->desc->tracker;
	if (STRATA_HAS(strata_tracker_ops, t, probe) && t->probe)
		return call_track_probe(hc, pl);
	int rc = db_table_exists(d, table);
	return rc < 0 ? rc : rc > 0 ? 1 : 0;
}

static void add_hit(item_hits *h, const char *tracker, const char *table, int score)
{
	for (size_t i = 0; i < h->n; i++) {
		hit *o = &h->v[i];
		if (strcmp(o->table, table))
			continue;
		if (score < o->score)
			return;
		if (score == o->score) {
			/* the source's default wins a tie outright */
			if (h->deflt && !strcmp(o->tracker, h->deflt))
				return;
			if (h->deflt && !strcmp(tracker, h->deflt)) {
				free(o->tracker);
				o->tracker = xstrdup(tracker);
				o->tie = false;
				return;
			}
			o->tie = true;
			char *t = xasprintf("%s, %s", o->ties ? o->ties : o->tracker, tracker);
			free(o->ties);
			o->ties = t;
			return;
		}
		free(o->tracker);
		free(o->ties);
		*o = (hit){.tracker = xstrdup(tracker), .table = o->table, .score = score};
		return;
	}
	h->v = xrealloc(h->v, (h->n + 1) * sizeof *h->v);
	h->v[h->n++] = (hit){.tracker = xstrdup(tracker), .table = xstrdup(table), .score = score};
}

/* Every tracker of names that item it could have, scored on d. */
static int probe_item(loader *L, db *d, init_found *f, size_t i, char **names, item_hits *h)
{
	init_item *it = &f->items[i];
	config c;
	cfg_source src;
	item_config(L->cfg, f, it, &c, &src);
	const plugin *own = loader_find_tracker(L, it->format);
	const plugin *fmt = loader_find_format(L, it->format);
	host_call hc;
	int rc = 0;
	if (fmt) {
		host_init(&hc, L);
		hc.cfg = &c;
		hc.source = 0;
		h->deflt = call_default_tracker(&hc, fmt);
		if (!h->deflt && own)
			h->deflt = xstrdup(own->desc->name);
	}
	for (size_t k = 0; !rc && names[k]; k++) {
		const char *descriptor;
		const plugin *pl = loader_tracker_named(L, names[k], &descriptor);
		if (!pl || (descriptor ? own != NULL : pl != own))
			continue; /* not a tracker this source could have */
		db_host_call(d, &hc, 0);
		hc.cfg = &c;
		hc.dialect = db_dialect(d);
		hc.tracker = descriptor;
		char *table = call_track_table_of(&hc, pl);
		int score = score_of(d, &hc, pl, table ? table : "");
		if (score < 0)
			rc = score;
		else if (score > 0 && table)
			add_hit(h, names[k], table, score);
		free(table);
	}
	item_config_free(&src);
	return rc;
}

static void note(init_item *it, const char *text)
{
	char *n = it->tracker_note ? xasprintf("%s\n%s", it->tracker_note, text) : xstrdup(text);
	free(it->tracker_note);
	it->tracker_note = n;
}

static void take(init_item *it, const char *tracker)
{
	size_t n = 0;
	while (it->trackers && it->trackers[n])
		n++;
	it->trackers = xrealloc(it->trackers, (n + 2) * sizeof *it->trackers);
	it->trackers[n] = xstrdup(tracker);
	it->trackers[n + 1] = NULL;
}

/* Who else claims hit x's table: the sources whose default tracker it is
 * (*mine), and all of them (return). */
static size_t claims(const item_hits *hs, size_t n, const hit *x, size_t *mine)
{
	size_t all = 0;
	*mine = 0;
	for (size_t j = 0; j < n; j++)
		for (size_t k = 0; k < hs[j].n; k++)
			if (!hs[j].v[k].tie && !strcmp(hs[j].v[k].table, x->table) &&
			    !strcmp(hs[j].v[k].tracker, x->tracker)) {
				all++;
				*mine += hs[j].deflt && !strcmp(hs[j].deflt, x->tracker);
			}
	return all;
}

/* Has another source than i taken table by its default tracker? */
static bool taken_by_default(const item_hits *hs, size_t n, size_t i, const char *table)
{
	for (size_t j = 0; j < n; j++)
		for (size_t k = 0; j != i && k < hs[j].n; k++)
			if (!hs[j].v[k].tie && !strcmp(hs[j].v[k].table, table) && hs[j].deflt &&
			    !strcmp(hs[j].deflt, hs[j].v[k].tracker))
				return true;
	return false;
}

static void decide(init_found *f, item_hits *hs)
{
	for (size_t i = 0; i < f->n; i++) {
		init_item *it = &f->items[i];
		for (size_t k = 0; k < hs[i].n; k++) {
			const hit *x = &hs[i].v[k];
			if (x->tie && taken_by_default(hs, f->n, i, x->table))
				continue; /* another source's table */
			if (x->tie) {
				char *t = xasprintf("strata init --db: %s matches trackers %s equally; "
				                    "none picked: name one with tracker:",
				                    x->table, x->ties);
				note(it, t);
				free(t);
				continue;
			}
			size_t mine, all = claims(hs, f->n, x, &mine);
			bool is_mine = hs[i].deflt && !strcmp(hs[i].deflt, x->tracker);
			if (all == 1 || (mine == 1 && is_mine)) {
				take(it, x->tracker);
				continue;
			}
			if (mine == 1)
				continue; /* another source's, by its default */
			char *t = xasprintf("strata init --db: %s (tracker %s) could be this source's or "
			                    "another's; none picked: name it with tracker: on one",
			                    x->table, x->tracker);
			note(it, t);
			free(t);
		}
	}
}

int track_probe_init(loader *L, const char *url, init_found *f)
{
	db d = {0};
	int rc = db_open(&d, L, url, true, NULL);
	if (rc)
		return rc;
	if (!d.conn) {
		logf_(L->e, STRATA_LOG_INFO, d.display, 0,
		      "init --db: no database there yet, so no tracking tables");
		db_close(&d);
		return 0;
	}
	char **names = loader_tracker_names(L);
	item_hits *hs = xcalloc(f->n + 1, sizeof *hs);
	for (size_t i = 0; !rc && i < f->n; i++)
		rc = probe_item(L, &d, f, i, names, &hs[i]);
	if (!rc)
		decide(f, hs);
	for (size_t i = 0; i < f->n; i++) {
		for (size_t k = 0; k < hs[i].n; k++) {
			if (!rc)
				logf_(L->e, STRATA_LOG_DEBUG, d.display, 0, "init --db: source %s: %s has %s (%d)",
				      f->items[i].name, hs[i].v[k].table, hs[i].v[k].tracker, hs[i].v[k].score);
			free(hs[i].v[k].tracker);
			free(hs[i].v[k].table);
			free(hs[i].v[k].ties);
		}
		free(hs[i].v);
		free(hs[i].deflt);
	}
	free(hs);
	strv_free(names);
	for (size_t i = 0; !rc && i < f->n; i++)
		for (size_t k = 0; f->items[i].trackers && f->items[i].trackers[k]; k++)
			logf_(L->e, STRATA_LOG_INFO, f->items[i].dir, 0,
			      "the database has %s's table: source '%s' gets tracker %s",
			      f->items[i].trackers[k], f->items[i].name, f->items[i].trackers[k]);
	db_close(&d);
	return rc;
}
