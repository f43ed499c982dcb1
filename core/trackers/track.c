/* Native trackers: a source whose plugin is also a tracker has its tool's
 * table read and written next to strata_ledger.  Each call goes through the
 * funnel, bound to the tracker's source and the command's connection. */
#include "trackers.h"

#include <stdlib.h>
#include <string.h>

static const plugin *tracker_of(const loader *L, size_t src)
{
	return src < L->cfg->nsources ? loader_find_tracker(L, L->cfg->sources[src].format) : NULL;
}

/* The tool's table of source src, for messages: the source's own when its
 * options rename it (strata_tracker_ops.table_options), else the tracker's. */
static const char *table_of(const loader *L, const plugin *pl, size_t src)
{
	const strata_tracker_ops *t = pl->desc->tracker;
	if (STRATA_HAS(strata_tracker_ops, t, table_options) && t->table_options &&
	    t->table_options[0]) {
		const cfg_source *s = &L->cfg->sources[src];
		for (size_t j = 0; j < s->nopts; j++)
			if (!strcmp(s->opts[j].key, t->table_options[0]) && *s->opts[j].value)
				return s->opts[j].value;
	}
	return t->table ? t->table : pl->desc->name;
}

typedef struct tcall {
	const ledger *lg;
	track_rows *rows;
} tcall;

/* host->is_ancestor(): the tracker's source's graph, by version. */
static int on_is_ancestor(host_call *hc, const char *a, const char *b)
{
	const tcall *t = hc->ud;
	if (!t->lg || hc->source >= hc->cfg->nsources)
		return STRATA_ENOTFOUND;
	const char *src = hc->cfg->sources[hc->source].name;
	char *ia = xasprintf("%s:%s", src, a), *ib = xasprintf("%s:%s", src, b);
	migration *ma = ledger_find(t->lg, ia), *mb = ledger_find(t->lg, ib);
	free(ia);
	free(ib);
	if (!ma || !mb)
		return STRATA_ENOTFOUND;
	return ledger_is_ancestor(t->lg, ma, mb) ? 1 : 0;
}

static int on_row(host_call *hc, const strata_track_row *row)
{
	tcall *t = hc->ud;
	if (!row->mig_version || !row->state)
		return err_set(hc->e, STRATA_EINVAL, STRATA_ECLASS_PLUGIN, hc->display, 0, 0, NULL,
		               "tracker of source '%s' reported a row without version or state",
		               hc->cfg->sources[hc->source].name);
	track_rows *r = t->rows;
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	track_rec *rec = &r->v[r->n++];
	rec->src = hc->source;
	rec->id = xasprintf("%s:%s", hc->cfg->sources[hc->source].name, row->mig_version);
	rec->version = xstrdup(row->mig_version);
	rec->state = strata_track_state_of(row->state);
	rec->checksum = xstrdup(row->checksum);
	rec->finished_at = STRATA_HAS(strata_track_row, row, finished_at) ? xstrdup(row->finished_at)
	                                                                   : NULL;
	rec->error = STRATA_HAS(strata_track_row, row, error) ? xstrdup(row->error) : NULL;
	return 0;
}

static void bind(const ledger *lg, db *d, host_call *hc, size_t src, tcall *t)
{
	db_host_call(d, hc, src);
	hc->dialect = db_dialect(d);
	hc->ud = t;
	t->lg = lg;
	hc->on_is_ancestor = on_is_ancestor;
}

int track_read(const loader *L, const ledger *lg, db *d, track_rows *out)
{
	memset(out, 0, sizeof *out);
	out->nsrc = L->cfg->nsources;
	out->src = xcalloc(out->nsrc + 1, sizeof *out->src);
	for (size_t i = 0; i < L->cfg->nsources; i++) {
		const plugin *pl = tracker_of(L, i);
		if (!pl)
			continue;
		track_src *ts = &out->src[i];
		ts->tool = pl->desc->name;
		ts->table = table_of(L, pl, i);
		ts->flags = call_track_flags(pl);
		host_call hc;
		tcall t = {.rows = out};
		bind(lg, d, &hc, i, &t);
		hc.on_track_row = on_row;
		int rc = call_track_read(&hc, pl);
		if (rc == STRATA_ENOTFOUND && (ts->flags & STRATA_TRACKER_SAYS_MISSING)) {
			ts->missing = true;
			continue;
		}
		if (rc < 0) {
			track_rows_free(out);
			return rc;
		}
	}
	return 0;
}

void track_rows_free(track_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		free(rows->v[i].id);
		free(rows->v[i].version);
		free(rows->v[i].checksum);
		free(rows->v[i].finished_at);
		free(rows->v[i].error);
	}
	free(rows->v);
	free(rows->src);
	memset(rows, 0, sizeof *rows);
}

int track_record(const loader *L, const ledger *lg, db *d, const migration *m, const char *state,
                 const char *started, const char *finished, long ms, const char *error)
{
	const plugin *pl = tracker_of(L, m->src);
	if (!pl)
		return 0;
	strata_track_event ev = {
		.version = STRATA_TRACK_EVENT_VERSION,
		.struct_size = sizeof ev,
		.mig_version = m->info.version,
		.name = m->info.name,
		.state = state,
		.checksum = m->info.checksum,
		.native_checksum = m->native_checksum,
		.started_at = started,
		.finished_at = finished,
		.error = error,
		.execution_ms = ms,
		.parents = (const char *const *)m->parents,
	};
	host_call hc;
	tcall t = {0};
	bind(lg, d, &hc, m->src, &t);
	int rc = call_track_record(&hc, pl, &ev);
	return rc < 0 ? rc : 0;
}

/* After strata's own lock, each source whose tracker has one takes it;
 * t->held remembers which to release. */
int track_lock(const loader *L, db *d, track_locks *t)
{
	t->n = L->cfg->nsources;
	t->held = t->n ? xcalloc(t->n, sizeof *t->held) : NULL;
	for (size_t i = 0; i < t->n; i++) {
		const plugin *pl = tracker_of(L, i);
		if (!pl || !call_track_has_lock(pl))
			continue;
		host_call hc;
		tcall c = {0};
		bind(NULL, d, &hc, i, &c);
		d->intr_refuses = true; /* a signal ends the tracker's wait */
		int rc = call_track_lock(&hc, pl, d->lock_timeout_ms);
		d->intr_refuses = false;
		if (rc < 0)
			return rc;
		t->held[i] = true;
	}
	return 0;
}

void track_unlock(const loader *L, db *d, track_locks *t)
{
	if (t->held && d->conn) {
		err_saved k;
		err_save(d->e, &k);
		for (size_t i = t->n; i-- > 0;) {
			if (!t->held[i])
				continue;
			host_call hc;
			tcall c = {0};
			bind(NULL, d, &hc, i, &c);
			call_track_unlock(&hc, tracker_of(L, i));
			t->held[i] = false;
		}
		err_restore(d->e, &k);
	}
	free(t->held);
	t->held = NULL;
	t->n = 0;
}
