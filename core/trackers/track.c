/* Native trackers: each source's trackers (plugins/bind.c: strata.yaml's
 * `tracker:`, else the format's default) have their tables read and written
 * next to strata_ledger.  Each call goes through the funnel, bound to the
 * tracker's source, its descriptor (if any) and the command's connection. */
#include "trackers.h"

#include <stdlib.h>
#include <string.h>

typedef struct tcall {
	const ledger *lg;
	track_rows *rows;
	size_t bind;
} tcall;

static migration *find_version(const tcall *t, const host_call *hc, const char *v)
{
	if (!t->lg || hc->source >= hc->cfg->nsources)
		return NULL;
	char *id = xasprintf("%s:%s", hc->cfg->sources[hc->source].name, v);
	migration *m = ledger_find(t->lg, id);
	free(id);
	return m;
}

/* host->is_ancestor(): the tracker's source's graph, by version. */
static int on_is_ancestor(host_call *hc, const char *a, const char *b)
{
	const tcall *t = hc->ud;
	migration *ma = find_version(t, hc, a), *mb = find_version(t, hc, b);
	if (!ma || !mb)
		return STRATA_ENOTFOUND;
	return ledger_is_ancestor(t->lg, ma, mb) ? 1 : 0;
}

/* The tracker's source's migrations in order, from ledger position from. */
static int each_from(host_call *hc, size_t from, strata_mig_fn fn, void *ud)
{
	const tcall *t = hc->ud;
	const char *dir = hc->cfg->sources[hc->source].path_display;
	size_t dl = strlen(dir);
	for (size_t i = from; i < t->lg->nmigs; i++) {
		const migration *m = t->lg->migs[i];
		if (m->src != hc->source)
			continue;
		const char *file = m->info.file;
		if (!strncmp(file, dir, dl) && file[dl] == '/')
			file += dl + 1;
		strata_mig_info mi = {
			.version = STRATA_MIG_INFO_VERSION,
			.struct_size = sizeof mi,
			.mig_version = m->info.version,
			.name = m->info.name,
			.file = file,
			.up = m->info.blocked ? NULL : m->up,
			.up_len = m->info.blocked ? 0 : m->up_len,
			.checksum = m->checksum,
			.native_key = mig_native_key(m),
			.flags = m->info.flags,
		};
		int rc = fn(ud, &mi);
		if (rc == STRATA_STOP)
			return 0;
		if (rc)
			return rc;
	}
	return 0;
}

/* host->each_migration(): the tracker's source's migrations in order. */
static int on_each_migration(host_call *hc, strata_mig_fn fn, void *ud)
{
	const tcall *t = hc->ud;
	if (!t->lg || hc->source >= hc->cfg->nsources)
		return 0;
	return each_from(hc, 0, fn, ud);
}

/* host->each_migration_near(): from the source's migration before version
 * (a lookup by id, then back to the previous one of the same source). */
static int on_each_migration_near(host_call *hc, const char *version, strata_mig_fn fn, void *ud)
{
	const tcall *t = hc->ud;
	if (!t->lg || hc->source >= hc->cfg->nsources)
		return 0;
	const migration *m = find_version(t, hc, version);
	if (!m || m->seq >= t->lg->nmigs || t->lg->migs[m->seq] != m)
		return m ? each_from(hc, 0, fn, ud) : 0; /* not in order yet: the whole walk */
	size_t from = m->seq;
	while (from > 0 && t->lg->migs[from - 1]->src != hc->source)
		from--;
	return each_from(hc, from > 0 ? from - 1 : 0, fn, ud);
}

static int on_row(host_call *hc, const strata_track_row *row)
{
	tcall *t = hc->ud;
	track_rows *r = t->rows;
	if (!row->mig_version || !row->state)
		return err_set(hc->e, STRATA_EINVAL, STRATA_ECLASS_PLUGIN, hc->display, 0, 0, NULL,
		               "tracker %s of source '%s' reported a row without version or state",
		               r->src[t->bind].tool, hc->cfg->sources[hc->source].name);
	if (r->n == r->cap) { /* a single-row tracker reports a row per migration */
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	track_rec *rec = &r->v[r->n++];
	arena *a = &r->mem;
	rec->bind = (unsigned)t->bind;
	rec->src = (unsigned)hc->source;
	rec->id = arena_concat(a, hc->cfg->sources[hc->source].name, ":", row->mig_version);
	rec->version = arena_strdup(a, row->mig_version);
	rec->state = strata_track_state_of(row->state);
	rec->checksum = arena_strdup(a, row->checksum);
	rec->finished_at =
		STRATA_HAS(strata_track_row, row, finished_at) ? arena_strdup(a, row->finished_at) : NULL;
	rec->error = STRATA_HAS(strata_track_row, row, error) ? arena_strdup(a, row->error) : NULL;
	return 0;
}

static const plugin *bind(const loader *L, const ledger *lg, db *d, host_call *hc, size_t b,
                          tcall *t)
{
	const tracker_bind *tb = &L->binds[b];
	db_host_call(d, hc, tb->src);
	hc->dialect = db_dialect(d);
	hc->tracker = tb->descriptor;
	hc->ud = t;
	t->lg = lg;
	t->bind = b;
	hc->on_is_ancestor = on_is_ancestor;
	hc->on_each_migration = on_each_migration;
	hc->on_each_migration_near = on_each_migration_near;
	return bind_plugin(L, tb);
}

int track_read(const loader *L, const ledger *lg, db *d, track_rows *out)
{
	memset(out, 0, sizeof *out);
	out->nsrc = L->nbinds;
	out->src = xcalloc(out->nsrc + 1, sizeof *out->src);
	for (size_t i = 0; i < L->nbinds; i++) {
		track_src *ts = &out->src[i];
		ts->src = L->binds[i].src;
		ts->tool = L->binds[i].name;
		ts->table = L->binds[i].table;
		host_call hc;
		tcall t = {.rows = out};
		const plugin *pl = bind(L, lg, d, &hc, i, &t);
		ts->flags = call_track_flags(pl);
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

void track_read_ahead(const loader *L, db *d)
{
	err_ctx quiet; /* the trackers' own errors and messages: not the command's */
	err_ctx_init(&quiet);
	err_saved k;
	err_save(d->e, &k); /* a database error: the real read meets it again */
	track_rows out = {.nsrc = L->nbinds, .src = xcalloc(L->nbinds + 1, sizeof *out.src)};
	db_memo_record(d);
	for (size_t i = 0; i < L->nbinds; i++) {
		out.src[i].src = L->binds[i].src;
		out.src[i].tool = L->binds[i].name;
		host_call hc;
		tcall t = {.rows = &out};
		const plugin *pl = bind(L, NULL, d, &hc, i, &t);
		hc.e = &quiet;
		hc.want |= STRATA_WANT_QUERIES_ONLY;
		hc.on_track_row = on_row;
		unsigned long before = err_serial(d->e);
		if (pl && call_track_read(&hc, pl) < 0 && err_serial(d->e) != before)
			break; /* the database failed: what came before is kept */
	}
	db_memo_replay(d);
	track_rows_free(&out);
	if (!k.message)
		err_clear(d->e);
	err_restore(d->e, &k);
	err_ctx_free(&quiet);
}

void track_rows_free(track_rows *rows)
{
	free(rows->v);
	arena_free(&rows->mem);
	free(rows->src);
	memset(rows, 0, sizeof *rows);
}

static strata_track_event event_of(const migration *m, const char *state, const char *started,
                                   const char *finished, long ms, const char *error)
{
	return (strata_track_event){
		.version = STRATA_TRACK_EVENT_VERSION,
		.struct_size = sizeof(strata_track_event),
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
}

int track_record_one(const loader *L, const ledger *lg, db *d, size_t b, const migration *m,
                     const char *state, const char *started, const char *finished, long ms,
                     const char *error)
{
	strata_track_event ev = event_of(m, state, started, finished, ms, error);
	host_call hc;
	tcall t = {0};
	const plugin *pl = bind(L, lg, d, &hc, b, &t);
	int rc = call_track_record(&hc, pl, &ev);
	return rc < 0 ? rc : 0;
}

/* A binding of a `retired: true` source: its table is read (its rows stay
 * readable) but never locked, created or written again. */
bool track_bind_retired(const loader *L, size_t b)
{
	size_t src = L->binds[b].src;
	return src < L->cfg->nsources && L->cfg->sources[src].retired;
}

/* The event goes to every tracker of the migration's source, in order
 * (none for a retired source's). */
int track_record(const loader *L, const ledger *lg, db *d, const migration *m, const char *state,
                 const char *started, const char *finished, long ms, const char *error)
{
	for (size_t i = 0; i < L->nbinds; i++) {
		if (L->binds[i].src != m->src || track_bind_retired(L, i))
			continue;
		int rc = track_record_one(L, lg, d, i, m, state, started, finished, ms, error);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* After strata's own lock, each tracker that has one takes it (a
 * descriptor tracker creates its table there); t->held remembers which to
 * release. */
int track_lock(const loader *L, const ledger *lg, db *d, track_locks *t, bool descriptors)
{
	if (!t->held) {
		t->n = L->nbinds;
		t->held = t->n ? xcalloc(t->n, sizeof *t->held) : NULL;
	}
	for (size_t i = 0; i < t->n; i++) {
		host_call hc;
		tcall c = {0};
		const plugin *pl = bind(L, lg, d, &hc, i, &c);
		bool desc = (call_track_flags(pl) & STRATA_TRACKER_DESCRIPTORS) != 0;
		if (t->held[i] || desc != descriptors || !call_track_has_lock(pl) ||
		    track_bind_retired(L, i))
			continue;
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
			const plugin *pl = bind(L, NULL, d, &hc, i, &c);
			call_track_unlock(&hc, pl);
			t->held[i] = false;
		}
		err_restore(d->e, &k);
	}
	free(t->held);
	t->held = NULL;
	t->n = 0;
}
