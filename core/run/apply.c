/* apply: pending migrations forward, in ledger order.  Each commits together
 * with its strata_ledger row and its native tracker row; each is re-checked
 * inside its own transaction so that two strata processes never run the
 * same migration twice (run_step).  With --single-transaction batch.c's
 * loop runs them instead, all in one transaction. */
#include "run_int.h"

#include <string.h>

/* Refuse to build on a history the database disagrees with. */
static int check_problems(plan *p, db *d, size_t end, bool allow_ooo)
{
	for (size_t i = 0; i < p->nmissing; i++) {
		if (p->missing[i]->info.state == STRATA_RETIRED)
			continue; /* a retired source's row: kept as a record */
		logf_(p->e, STRATA_LOG_WARN, NULL, 0,
		      "%s is recorded in the database but its file is gone (clear it with "
		      "`strata mark %s --rolled-back`)",
		      p->missing[i]->info.id, p->missing[i]->info.id);
	}
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		if (m->info.state == STRATA_MODIFIED)
			return err_set(p->e, STRATA_ESTATE, STRATA_ECLASS_SOURCE, m->info.file, 0, 0,
			               "restore the file, or record its new checksum with "
			               "`strata mark ID --applied`",
			               "%s was modified after it was applied (checksum differs)",
			               m->info.id);
		if (m->info.state == STRATA_FAILED &&
		    (m->info.native_only || m->native_decided || m->from_native))
			return err_set(p->e, STRATA_ESTATE, STRATA_ECLASS_DB, m->info.file, 0, 0,
			               "fix it, then `strata mark ID --rolled-back` (or `--applied` if "
			               "you finished it by hand) and apply again",
			               "%s failed in %s's own tracking table; new migrations will not "
			               "be applied", m->info.id, m->info.format);
		if (m->info.state == STRATA_FAILED && !run_is_due(d, m))
			return err_set(p->e, STRATA_ESTATE, STRATA_ECLASS_DB, m->info.file, 0, 0,
			               "finish or undo it by hand, then `strata mark ID --applied` or "
			               "`strata mark ID --rolled-back`",
			               "%s failed outside a transaction and may be partly done: %s",
			               m->info.id,
			               m->info.error ? m->info.error : "no error recorded");
		if (i <= end && m->info.out_of_order && !allow_ooo)
			return err_set(p->e, STRATA_ESTATE, STRATA_ECLASS_SOURCE, m->info.file, 0, 0,
			               "apply it anyway with `strata apply --out-of-order`",
			               "%s is pending but older than migrations already applied",
			               m->info.id);
	}
	return 0;
}

/* Part of this apply: due, and within --to's reach. */
static bool due(const plan *p, db *d, const migration *m, const migration *to)
{
	return run_is_due(d, m) && (!to || run_in_target(p, m, to));
}

int run_apply(plan *p, const char *url, strata_apply_opts *o)
{
	o->applied = 0;
	o->commits = o->alone = 0;
	run_session ss;
	db *d = &ss.d;
	p->target = o->to;
	int rc = o->dry_run ? run_open_readonly(p, url, false, &ss) : run_open(p, url, false, &ss);
	size_t end = p->lg->nmigs ? p->lg->nmigs - 1 : 0;
	if (!rc && o->to)
		rc = run_find_index(p, o->to, &end);
	if (!rc)
		rc = check_problems(p, d, end, o->out_of_order);
	/* How much there is to do, for the events' "[3/40]"; the first due
	 * migration blocked is refused before anything is written (one blocked
	 * later stops the run there, after those before it). */
	size_t total = 0, k = 0;
	for (size_t i = 0; !rc && p->lg->nmigs && i <= end; i++) {
		migration *m = p->lg->migs[i];
		if (!due(p, d, m, o->to ? p->lg->migs[end] : NULL))
			continue;
		if (!total++ && m->info.blocked && !o->dry_run)
			rc = run_blocked(p, m, false);
	}
	bool single = false; /* --single-transaction: batch.c's loop instead of this one */
	if (!rc)
		rc = run_single_tx(p, d, url, o, &single);
	if (!rc && !o->dry_run)
		rc = run_ready(p, &ss);
	if (!rc && single)
		rc = run_apply_batched(p, d, o, end, o->to ? p->lg->migs[end] : NULL, total);
	for (size_t i = 0; !rc && !single && p->lg->nmigs && i <= end; i++) {
		migration *m = p->lg->migs[i];
		if (!due(p, d, m, o->to ? p->lg->migs[end] : NULL))
			continue;
		k++;
		if (m->info.blocked) {
			rc = run_blocked(p, m, false);
			break;
		}
		if (o->dry_run) {
			run_emit_script(o->sql_fn, o->sql_ud, d, m, false);
			o->applied++;
			run_event(p, "apply", STRATA_EVENT_DRY_RUN, m, k, total, -1);
			continue;
		}
		bool skipped;
		run_event(p, "apply", STRATA_EVENT_START, m, k, total, -1);
		rc = run_step(p, d, m, false, &skipped);
		if (rc)
			run_event(p, "apply", STRATA_EVENT_FAILED, m, k, total, m->info.execution_ms);
		else if (skipped) {
			if (!run_event(p, "apply", STRATA_EVENT_SKIPPED, m, k, total, -1))
				logf_(p->e, STRATA_LOG_INFO, m->info.file, 0,
				      "skipped %s: applied meanwhile by another process", m->info.id);
		} else {
			o->applied++;
			run_step_done(p, "apply", m, false, k, total);
		}
	}
	run_close(p, &ss);
	p->target = NULL;
	return rc;
}

