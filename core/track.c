/* Native trackers: a source whose plugin is also a tracker (Prisma's
 * _prisma_migrations, Alembic's alembic_version, …) has its tool's table read
 * and written next to strata_ledger, so the native tool keeps agreeing. */
#include "strata_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const strata_tracker_ops *tracker_of(strata *s, size_t src)
{
	const plugin *pl = loader_find_format(s, s->cfg.sources[src].format);
	return pl && pl->desc->tracker ? pl->desc->tracker : NULL;
}

static strata_state state_of(const char *st)
{
	for (int i = 0; i < STRATA_STATE_COUNT; i++)
		if (!strcmp(strata_state_name((strata_state)i), st))
			return (strata_state)i;
	return STRATA_PENDING;
}

/* A "head" row (Alembic keeps one row per applied branch tip): the migration
 * and all its ancestors are applied. */
static void mark_ancestry(strata *s, migration *head)
{
	migration **stack = xmalloc((s->nmigs + 1) * sizeof *stack);
	unsigned char *seen = xcalloc(s->nmigs + 1, 1);
	size_t top = 0;
	stack[top++] = head;
	while (top) {
		migration *m = stack[--top];
		if (m->native == STRATA_PENDING || m->native == STRATA_ROLLED_BACK)
			m->native = STRATA_APPLIED;
		for (size_t k = 0; m->pm && m->pm[k]; k++)
			if (m->pm[k]->seq < s->nmigs && !seen[m->pm[k]->seq]) {
				seen[m->pm[k]->seq] = 1;
				stack[top++] = m->pm[k];
			}
	}
	free(seen);
	free(stack);
}

static int on_row(host_call *hc, const strata_track_row *row)
{
	if (!row->mig_version || !row->state)
		return STRATA_EINVAL;
	char *id = xasprintf("%s:%s", hc->s->cfg.sources[hc->source].name, row->mig_version);
	migration *m = ledger_find(hc->s, id);
	if (!strcmp(row->state, "head")) {
		free(id);
		if (m)
			mark_ancestry(hc->s, m);
		return 0;
	}
	strata_state st = state_of(row->state);
	if (!m && st != STRATA_ROLLED_BACK && st != STRATA_PENDING) {
		/* Recorded by the native tool, folder gone: missing, unless
		 * strata_ledger already said so. */
		bool known = false;
		for (size_t i = 0; i < hc->s->nmissing && !known; i++)
			known = !strcmp(hc->s->missing[i]->info.id, id);
		if (!known) {
			ledger_row r = {.id = id, .source = hc->s->cfg.sources[hc->source].name,
			                .version = (char *)row->mig_version, .name = (char *)"",
			                .checksum = (char *)(row->checksum ? row->checksum : ""),
			                .finished_at = (char *)row->finished_at, .execution_ms = -1};
			plan_add_missing(hc->s, &r);
		}
	}
	free(id);
	if (m) {
		m->native = st;
		free(m->native_finished);
		m->native_finished = row->finished_at && row->struct_size >= sizeof *row
		                         ? xstrdup(row->finished_at) : NULL;
	}
	return 0;
}

int track_read(strata *s, db *d)
{
	for (size_t i = 0; i < s->cfg.nsources; i++) {
		const strata_tracker_ops *t = tracker_of(s, i);
		if (!t)
			continue;
		const char **keys, **vals;
		strata_source_cfg sc = host_source_cfg(s, i, &keys, &vals);
		d->hc.source = i;
		d->hc.on_track_row = on_row;
		int rc = t->read(&d->hc.pub, &sc);
		d->hc.source = (size_t)-1;
		d->hc.on_track_row = NULL;
		free(keys);
		free(vals);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int track_record(strata *s, db *d, const migration *m, const char *state, const char *started,
                 const char *finished, long ms, const char *error)
{
	if (m->src >= s->cfg.nsources)
		return 0;
	const strata_tracker_ops *t = tracker_of(s, m->src);
	if (!t)
		return 0;
	const char **keys, **vals;
	strata_source_cfg sc = host_source_cfg(s, m->src, &keys, &vals);
	strata_track_event ev = {
		.version = 2,
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
	d->hc.source = m->src;
	int rc = t->record(&d->hc.pub, &sc, &ev);
	d->hc.source = (size_t)-1;
	free(keys);
	free(vals);
	return rc < 0 ? rc : 0;
}

/* The trackers' own locks (optional), after strata's: each source whose
 * plugin has one takes it; d->tracker_locked remembers which to release. */
int track_lock(strata *s, db *d)
{
	if (!s->cfg.nsources)
		return 0;
	d->tracker_locked = xcalloc(s->cfg.nsources, sizeof *d->tracker_locked);
	for (size_t i = 0; i < s->cfg.nsources; i++) {
		const strata_tracker_ops *t = tracker_of(s, i);
		if (!t || t->struct_size < offsetof(strata_tracker_ops, unlock) + sizeof t->unlock ||
		    !t->lock || !t->unlock)
			continue;
		const char **keys, **vals;
		strata_source_cfg sc = host_source_cfg(s, i, &keys, &vals);
		d->hc.source = i;
		int rc = t->lock(&d->hc.pub, &sc, s->cfg.lock_timeout_ms);
		d->hc.source = (size_t)-1;
		free(keys);
		free(vals);
		if (rc < 0)
			return rc;
		d->tracker_locked[i] = true;
	}
	return 0;
}

void track_unlock(strata *s, db *d)
{
	if (!d->tracker_locked || !d->conn)
		return;
	err_saved k;
	err_save(s, &k);
	for (size_t i = s->cfg.nsources; i-- > 0;) {
		if (!d->tracker_locked[i])
			continue;
		const strata_tracker_ops *t = tracker_of(s, i);
		const char **keys, **vals;
		strata_source_cfg sc = host_source_cfg(s, i, &keys, &vals);
		d->hc.source = i;
		t->unlock(&d->hc.pub, &sc);
		d->hc.source = (size_t)-1;
		free(keys);
		free(vals);
		d->tracker_locked[i] = false;
	}
	err_restore(s, &k);
}
