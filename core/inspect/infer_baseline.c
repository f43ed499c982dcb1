/* strata baseline --infer [--dry-run]: every migration decided on the live
 * schema (infer.c), the applied ones not recorded yet then recorded as
 * `strata baseline` records them (run_baseline_pick: strata_ledger and every
 * native tracker, one transaction, under the command's locks, decided on
 * the session's own connection so nothing changes in between).  --dry-run
 * opens the database read-only and writes nothing. */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

const char *strata_infer_verdict_name(strata_infer_verdict v)
{
	static const char *const names[] = {"?", "applied", "partial", "pending", "undecided"};
	return (unsigned)v <= STRATA_INFER_UNDECIDED ? names[v] : "?";
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The report as the API gives it; sel (may be NULL) gets what to record:
 * applied, and pending in the record. */
static void fill(const plan *p, const infer_report *r, strata_infer_result *out, bool *sel)
{
	strata_infer_result_free(out);
	out->v = xcalloc(r->n + 1, sizeof *out->v);
	out->n = r->n;
	for (size_t i = 0; i < r->n; i++) {
		const migration *m = p->lg->migs[i];
		const infer_item *it = &r->v[i];
		strata_inference *f = &out->v[i];
		*f = (strata_inference){
			.migration = xstrdup(m->info.id), .verdict = (strata_infer_verdict)it->verdict,
			.found = it->found, .expected = it->expected, .gone = it->gone, .missing = dup_or_null(it->missing),
			.present = dup_or_null(it->present), .reason = dup_or_null(it->reason),
			.state = m->info.state,
		};
		out->applied += it->verdict == INFER_APPLIED;
		out->partial += it->verdict == INFER_PARTIAL;
		out->pending += it->verdict == INFER_PENDING;
		out->undecided += it->verdict == INFER_UNDECIDED;
		if (it->verdict != INFER_APPLIED)
			continue;
		if (m->info.state == STRATA_PENDING) {
			f->recorded = 1;
			out->recorded++;
			if (sel)
				sel[i] = true;
		} else if (m->info.state == STRATA_APPLIED || m->info.state == STRATA_BASELINED ||
		           m->info.state == STRATA_MODIFIED) {
			out->already++;
		}
	}
}

static int pick(void *ud, plan *p, db *d, bool *sel)
{
	infer_report r = {0};
	int rc = infer_run(p, d, &r);
	if (!rc)
		fill(p, &r, ud, sel);
	infer_report_free(&r);
	return rc;
}

int inspect_infer_baseline(plan *p, const char *url, bool dry_run, strata_infer_result *out)
{
	memset(out, 0, sizeof *out);
	if (!dry_run) {
		strata_baseline_result c;
		int rc = run_baseline_pick(p, url, pick, out, &c);
		if (!rc)
			out->recorded = c.recorded;
		else
			for (size_t i = 0; i < out->n; i++)
				out->v[i].recorded = 0;
		return rc;
	}
	db d = {0};
	int rc = sources_load(p->lg, p->L, url, false);
	if (!rc)
		rc = db_open(&d, p->L, url, true, NULL);
	if (!rc)
		rc = plan_compute(p, &d);
	infer_report r = {0};
	if (!rc)
		rc = infer_run(p, &d, &r);
	if (!rc)
		fill(p, &r, out, NULL);
	infer_report_free(&r);
	db_close(&d);
	return rc;
}

void strata_infer_result_free(strata_infer_result *r)
{
	for (size_t i = 0; r->v && i < r->n; i++) {
		free((char *)r->v[i].migration);
		free((char *)r->v[i].missing);
		free((char *)r->v[i].present);
		free((char *)r->v[i].reason);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}
