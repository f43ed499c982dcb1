/* baseline and mark: records written without running anything. */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>

/* What a baseline does to each migration, decided before anything is
 * written (counted in c). */
enum { SKIP, RENEW, WRITE };

static void choose(plan *p, const char *to, size_t end, const bool *sel, unsigned char *what,
                   strata_baseline_result *c)
{
	/* A baseline migration recorded here stands for the versions it covers
	 * (they stay ignored); without one, ignored versions are recorded. */
	bool covered = false;
	for (size_t i = 0; i < p->lg->nmigs && i <= end; i++) {
		const migration *m = p->lg->migs[i];
		if ((m->info.flags & STRATA_MIG_BASELINE) && m->info.state == STRATA_PENDING &&
		    (!sel || sel[i]) && (!to || run_in_target(p, m, p->lg->migs[end])))
			covered = true;
	}
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		const migration *m = p->lg->migs[i];
		strata_state st = m->info.state;
		what[i] = SKIP;
		if (sel && !sel[i])
			continue;
		if (m->src < p->cfg->nsources && p->cfg->sources[m->src].retired) {
			c->retired++; /* its record stays as it is */
			continue;
		}
		if (i > end || (to && !run_in_target(p, m, p->lg->migs[end]))) {
			c->after_to += !run_is_done(st) && st != STRATA_IGNORED;
		} else if (m->native_missing) {
			what[i] = RENEW;
			c->renewed++;
		} else if (run_is_done(st) || (m->info.native_only && st == STRATA_APPLIED)) {
			c->already++;
		} else if (st == STRATA_IGNORED && (covered || (m->info.flags & STRATA_MIG_BASELINE))) {
			c->ignored++;
		} else {
			what[i] = WRITE;
		}
	}
}

static int baseline(plan *p, const char *url, const char *to, run_pick_fn pick, void *ud,
                    strata_baseline_result *c)
{
	memset(c, 0, sizeof *c);
	run_session ss;
	db *d = &ss.d;
	p->target = to;
	int rc = run_open(p, url, false, &ss);
	size_t end = p->lg->nmigs ? p->lg->nmigs - 1 : 0, nwrite = 0;
	if (!rc && to)
		rc = run_find_index(p, to, &end);
	bool *sel = pick ? xcalloc(p->lg->nmigs + 1, sizeof *sel) : NULL;
	unsigned char *what = xcalloc(p->lg->nmigs + 1, 1);
	if (!rc && pick)
		rc = pick(ud, p, d, sel);
	if (!rc)
		choose(p, to, end, sel, what, c);
	for (size_t i = 0; i < p->lg->nmigs; i++)
		nwrite += what[i] != SKIP;
	/* A pick that chose nothing writes nothing (not even strata_ledger). */
	if (!rc && (!pick || nwrite))
		rc = run_ready(p, &ss);
	if (!rc && nwrite)
		rc = db_begin(d);
	/* One transaction: a baseline of a long history is one decision. */
	char now[40];
	now_iso8601(now);
	size_t *done = xcalloc(p->lg->nmigs + 1, sizeof *done), nnew = 0;
	for (size_t i = 0; !rc && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		if (what[i] == RENEW) {
			/* Applied by strata's record, unknown to the native table (gone, or
			 * attached later): write the tool's row again, strata_ledger's stays. */
			rc = track_record(p->L, p->lg, d, m, "baselined", now, now, 0, NULL);
			if (!rc)
				logf_(p->e, STRATA_LOG_INFO, NULL, 0,
				      "%s: its native tracking row written again (applied in strata_ledger)",
				      m->info.id);
		} else if (what[i] == WRITE) {
			rc = run_write_state(p, d, m, "baselined", now, now, 0, NULL);
			if (!rc) {
				m->info.state = STRATA_BASELINED;
				c->recorded++;
				done[nnew++] = i;
			}
		}
	}
	if (!rc && intr_signal(&p->e->intr))
		rc = STRATA_EINTR;
	if (!rc && nwrite)
		rc = db_commit(d);
	else if (rc && d->conn)
		db_rollback(d);
	if (rc && intr_signal(&p->e->intr))
		rc = run_interrupted(p, NULL, false, NULL, NULL);
	if (rc)
		c->recorded = 0;
	/* Said once it is true: after the one commit. */
	for (size_t i = 0, k = 0; !rc && i < nnew; i++)
		run_event(p, "baseline", STRATA_EVENT_BASELINED, p->lg->migs[done[i]], ++k, nnew, -1);
	free(done);
	free(what);
	free(sel);
	run_close(p, &ss);
	p->target = NULL;
	return rc;
}

int run_baseline_counted(plan *p, const char *url, const char *to, strata_baseline_result *c)
{
	return baseline(p, url, to, NULL, NULL, c);
}

int run_baseline(plan *p, const char *url, const char *to, size_t *recorded)
{
	strata_baseline_result c;
	int rc = baseline(p, url, to, NULL, NULL, &c);
	*recorded = c.recorded;
	return rc;
}

int run_baseline_pick(plan *p, const char *url, run_pick_fn pick, void *ud,
                      strata_baseline_result *c)
{
	return baseline(p, url, NULL, pick, ud, c);
}

typedef struct id_list {
	const char *const *ids;
	size_t n;
} id_list;

static int pick_ids(void *ud, plan *p, db *d, bool *sel)
{
	(void)d;
	const id_list *l = ud;
	for (size_t k = 0; k < l->n; k++) {
		size_t i;
		int rc = run_find_index(p, l->ids[k], &i);
		if (rc)
			return rc;
		sel[i] = true;
	}
	return 0;
}

int run_baseline_ids(plan *p, const char *url, const char *const *ids, size_t n,
                     strata_baseline_result *c)
{
	id_list l = {ids, n};
	return baseline(p, url, NULL, pick_ids, &l, c);
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
