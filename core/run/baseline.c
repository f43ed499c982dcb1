/* baseline and mark: records written without running anything. */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>

int run_baseline(plan *p, const char *url, const char *to, size_t *recorded)
{
	*recorded = 0;
	run_session ss;
	db *d = &ss.d;
	p->target = to;
	int rc = run_open(p, url, false, &ss);
	size_t end = p->lg->nmigs ? p->lg->nmigs - 1 : 0;
	if (!rc && to)
		rc = run_find_index(p, to, &end);
	if (!rc)
		rc = run_ready(p, &ss);
	if (!rc && p->lg->nmigs)
		rc = db_begin(d);
	/* One transaction: a baseline of a long history is one decision. */
	char now[40];
	now_iso8601(now);
	size_t *done = xcalloc(p->lg->nmigs + 1, sizeof *done), nnew = 0;
	/* A baseline migration recorded here stands for the versions it covers
	 * (they stay ignored); without one, ignored versions are recorded. */
	bool covered = false;
	for (size_t i = 0; !rc && p->lg->nmigs && i <= end; i++) {
		const migration *m = p->lg->migs[i];
		if ((m->info.flags & STRATA_MIG_BASELINE) && m->info.state == STRATA_PENDING &&
		    (!to || run_in_target(p, m, p->lg->migs[end])))
			covered = true;
	}
	for (size_t i = 0; !rc && p->lg->nmigs && i <= end; i++) {
		migration *m = p->lg->migs[i];
		strata_state st = m->info.state;
		if (to && !run_in_target(p, m, p->lg->migs[end]))
			continue;
		if (m->src < p->cfg->nsources && p->cfg->sources[m->src].retired)
			continue; /* retired: its record stays as it is */
		if (m->native_missing) {
			/* Applied by strata's record, unknown to the native table (gone, or
			 * attached later): write the tool's row again, strata_ledger's stays. */
			rc = track_record(p->L, p->lg, d, m, "baselined", now, now, 0, NULL);
			if (!rc)
				logf_(p->e, STRATA_LOG_INFO, NULL, 0,
				      "%s: its native tracking row written again (applied in strata_ledger)",
				      m->info.id);
			continue;
		}
		if (run_is_done(st) || (m->info.native_only && st == STRATA_APPLIED))
			continue;
		if (st == STRATA_IGNORED && (covered || (m->info.flags & STRATA_MIG_BASELINE)))
			continue;
		rc = run_write_state(p, d, m, "baselined", now, now, 0, NULL);
		if (!rc) {
			m->info.state = STRATA_BASELINED;
			(*recorded)++;
			done[nnew++] = i;
		}
	}
	if (!rc && intr_signal(&p->e->intr))
		rc = STRATA_EINTR;
	if (!rc && p->lg->nmigs)
		rc = db_commit(d);
	else if (rc && d->conn)
		db_rollback(d);
	if (rc && intr_signal(&p->e->intr))
		rc = run_interrupted(p, NULL, false, NULL, NULL);
	/* Said once it is true: after the one commit. */
	for (size_t i = 0, k = 0; !rc && i < nnew; i++)
		run_event(p, "baseline", STRATA_EVENT_BASELINED, p->lg->migs[done[i]], ++k, nnew, -1);
	free(done);
	run_close(p, &ss);
	p->target = NULL;
	return rc;
}

int run_mark(plan *p, const char *url, const char *id, int applied)
{
	run_session ss;
	db *d = &ss.d;
	p->repair = id; /* the row mark rewrites may be one strata would refuse */
	int rc = run_open(p, url, false, &ss);
	p->repair = NULL;
	migration *m = NULL;
	if (!rc) {
		for (size_t i = 0; i < p->nmissing && !m; i++)
			if (!strcmp(p->missing[i]->info.id, id))
				m = p->missing[i];
		size_t idx;
		if (!m && !(rc = run_find_index(p, id, &idx)))
			m = p->lg->migs[idx];
	}
	if (!rc && m->info.state == STRATA_MISSING && applied)
		rc = err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, NULL, 0, 0,
		             "restore the file, or use --rolled-back to forget the record",
		             "%s has no file; it cannot be marked applied", m->info.id);
	if (!rc)
		rc = run_ready(p, &ss);
	if (!rc)
		rc = db_begin(d);
	if (!rc) {
		char now[40];
		now_iso8601(now);
		rc = run_write_state(p, d, m, applied ? "applied" : "rolled_back", now, now, 0, NULL);
		if (!rc && intr_signal(&p->e->intr))
			rc = STRATA_EINTR;
		if (!rc)
			rc = db_commit(d);
		else
			db_rollback(d);
		if (rc && intr_signal(&p->e->intr))
			rc = run_interrupted(p, NULL, false, NULL, NULL);
	}
	if (!rc) {
		m->info.state = applied ? STRATA_APPLIED : STRATA_ROLLED_BACK;
		if (!run_event(p, "mark", STRATA_EVENT_MARKED, m, 1, 1, -1))
			logf_(p->e, STRATA_LOG_INFO, NULL, 0, "marked %s %s", m->info.id,
			      applied ? "applied" : "rolled back");
	}
	run_close(p, &ss);
	return rc;
}
