/* The plan: the ledger set against what the database records.  strata_ledger
 * is the primary record; a native tracker's rows count for migrations strata
 * has no row for (a history applied by the native tool). */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[STRATA_STATE_COUNT] = {
	"pending", "applied", "baselined", "failed", "modified", "missing", "rolled_back",
	"ignored", "outdated", "retired",
};

const char *strata_state_name(strata_state st)
{
	return (unsigned)st < STRATA_STATE_COUNT ? state_names[st] : "unknown";
}

/* What the plan recorded on the ledger's migrations is forgotten (it lives
 * in p->mem, freed here with the missing entries). */
static void reset(plan *p)
{
	ledger *lg = p->lg;
	for (size_t i = 0; i < lg->nmigs; i++) {
		migration *m = lg->migs[i];
		strata_migration_info *in = &m->info;
		in->applied_at = in->applied_by = in->error = NULL;
		in->state = STRATA_PENDING;
		in->out_of_order = in->native_only = 0;
		in->execution_ms = -1;
		in->decided_by = in->decided_at = NULL;
		m->native = STRATA_PENDING;
		m->native_summed = false;
		m->apply_failed = false;
		m->ledger_baselined = false;
		m->down_failed = false;
		m->native_finished = m->native_error = NULL;
		m->recorded_script = m->recorded_sum = NULL;
		m->native_seen = m->has_row = m->from_native = false;
		m->native_decided = m->native_missing = false;
		m->recorded = STRATA_PENDING;
	}
	free(p->missing);
	p->missing = NULL;
	p->nmissing = 0;
	arena_free(&p->mem);
	p->last_at = p->last_by = NULL;
	free(p->table_missing);
	p->table_missing = NULL;
	p->ntables = 0;
}

char *plan_keep(plan *p, const char *s)
{
	return arena_strdup(&p->mem, s);
}

/* A row whose file is gone: kept as a "missing" entry so status can show it
 * and `mark --rolled-back` can clear it. */
static void add_missing(plan *p, const ledger_row *r)
{
	migration *m = ARENA_NEW(&p->mem, migration);
	m->info.id = plan_keep(p, r->id);
	m->info.source = plan_keep(p, r->source);
	m->info.format = "";
	m->info.version = plan_keep(p, r->version);
	m->info.name = plan_keep(p, r->name);
	snprintf(m->checksum, sizeof m->checksum, "%s", r->checksum);
	m->info.checksum = m->checksum;
	m->info.state = STRATA_MISSING;
	m->info.applied_at = plan_keep(p, r->finished_at);
	m->info.applied_by = plan_keep(p, r->applied_by);
	m->info.execution_ms = r->execution_ms;
	m->vnorm = arena_take(&p->mem, version_normalize(r->version));
	m->src = (size_t)-1;
	for (size_t i = 0; i < p->cfg->nsources; i++)
		if (!strcmp(p->cfg->sources[i].name, r->source))
			m->src = i;
	p->missing = xrealloc(p->missing, (p->nmissing + 1) * sizeof *p->missing);
	p->missing[p->nmissing++] = m;
}

int plan_compute(plan *p, db *d)
{
	ledger_row *rows = NULL;
	size_t n = 0;
	int rc = d->conn ? ledger_table_read(d, true, &rows, &n) : 0;
	return rc < 0 ? rc : plan_from_rows(p, d, rows, n);
}

/* s in p->mem, or the copy before when s is the same text: a history
 * baselined or applied in one run has one applied_by (and often one
 * applied_at second) for all its rows. */
static const char *keep_shared(plan *p, const char *s, const char **last)
{
	if (!s)
		return NULL;
	if (!*last || strcmp(*last, s))
		*last = plan_keep(p, s);
	return *last;
}

/* A strata_ledger row: the primary record. */
void plan_row_apply(plan *p, const ledger_row *r)
{
	migration *m = ledger_find(p->lg, r->id);
	strata_track_state ts = strata_track_state_of(r->state);
	bool done = ts == STRATA_TRACK_APPLIED || ts == STRATA_TRACK_BASELINED;
	/* running / rolling_back: interrupted; rollback_failed: a down script
	 * failed outside a transaction.  All are failed; only a plain failed
	 * apply may be retried (when it ran in a transaction). */
	bool failed = ts == STRATA_TRACK_FAILED || ts == STRATA_TRACK_RUNNING ||
	              ts == STRATA_TRACK_ROLLING_BACK || ts == STRATA_TRACK_ROLLBACK_FAILED;
	if (!m) {
		if (done || failed)
			add_missing(p, r);
		return;
	}
	strata_migration_info *in = &m->info;
	if (done)
		in->state = strcmp(r->checksum, m->checksum)
			? STRATA_MODIFIED
			: (ts == STRATA_TRACK_APPLIED ? STRATA_APPLIED : STRATA_BASELINED);
	else if (failed)
		in->state = STRATA_FAILED;
	else if (ts == STRATA_TRACK_ROLLED_BACK)
		in->state = STRATA_ROLLED_BACK;
	/* A row copied from a native table by an earlier command: its
	 * failure is the tool's, not a failed apply of strata's own. */
	m->from_native = r->applied_by && !strncmp(r->applied_by, "native:", 7);
	m->apply_failed = ts == STRATA_TRACK_FAILED && !m->from_native;
	m->ledger_baselined = ts == STRATA_TRACK_BASELINED;
	m->down_failed = ts == STRATA_TRACK_ROLLING_BACK || ts == STRATA_TRACK_ROLLBACK_FAILED;
	m->has_row = true;
	m->recorded = in->state;
	m->recorded_script = plan_keep(p, r->script);
	/* Kept only when it differs from the file's: equal, it says
	 * nothing the checksum does not (repair reads it). */
	m->recorded_sum = strcmp(r->checksum, m->checksum) ? plan_keep(p, r->checksum) : NULL;
	/* One row per id (plan_check_rows refuses a second); should one
	 * come, it replaces the first. */
	in->error = NULL;
	in->applied_at = keep_shared(p, r->finished_at, &p->last_at);
	in->applied_by = keep_shared(p, r->applied_by, &p->last_by);
	in->execution_ms = r->execution_ms;
	if (failed)
		in->error = r->error ? plan_keep(p, r->error)
		                     : "interrupted while running (no error recorded)";
}

/* A "head" row (Alembic keeps one row per applied branch tip): the migration
 * and all its ancestors are applied. */
static void mark_ancestry(ledger *lg, migration *head)
{
	migration **stack = xmalloc((lg->nmigs + 1) * sizeof *stack);
	unsigned char *seen = xcalloc(lg->nmigs + 1, 1);
	size_t top = 0;
	stack[top++] = head;
	while (top) {
		migration *m = stack[--top];
		if (m->native == STRATA_PENDING || m->native == STRATA_ROLLED_BACK)
			m->native = STRATA_APPLIED;
		m->native_seen = true;
		for (size_t k = 0; m->pm && m->pm[k]; k++)
			if (m->pm[k]->seq < lg->nmigs && !seen[m->pm[k]->seq]) {
				seen[m->pm[k]->seq] = 1;
				stack[top++] = m->pm[k];
			}
	}
	free(seen);
	free(stack);
}

/* What a tracker's recorded state says of a migration. */
static strata_state native_state(strata_track_state ts)
{
	switch (ts) {
	case STRATA_TRACK_APPLIED: return STRATA_APPLIED;
	case STRATA_TRACK_BASELINED: return STRATA_BASELINED;
	case STRATA_TRACK_FAILED: return STRATA_FAILED;
	case STRATA_TRACK_ROLLED_BACK: return STRATA_ROLLED_BACK;
	case STRATA_TRACK_MODIFIED: return STRATA_MODIFIED;
	default: return STRATA_PENDING;
	}
}

/* The rows of one tracker (binding b). */
static void apply_tracker_rows(plan *p, const track_rows *rows, size_t b)
{
	for (size_t i = 0; i < p->lg->nmigs; i++)
		if (p->lg->migs[i]->src == rows->src[b].src)
			p->lg->migs[i]->native_seen = false;
	for (size_t i = 0; i < rows->n; i++) {
		const track_rec *t = &rows->v[i];
		if (t->bind != b)
			continue;
		migration *m = ledger_find(p->lg, t->id);
		if (t->state == STRATA_TRACK_HEAD) {
			if (m)
				mark_ancestry(p->lg, m);
			continue;
		}
		strata_state st = native_state(t->state);
		if (!m && st != STRATA_ROLLED_BACK && st != STRATA_PENDING) {
			/* Recorded by the native tool, folder gone: missing, unless
			 * strata_ledger already said so. */
			bool known = false;
			for (size_t k = 0; k < p->nmissing && !known; k++)
				known = !strcmp(p->missing[k]->info.id, t->id);
			if (!known) {
				ledger_row r = {.id = t->id, .source = p->cfg->sources[t->src].name,
				                .version = t->version, .name = (char *)"",
				                .checksum = (char *)(t->checksum ? t->checksum : ""),
				                .finished_at = t->finished_at, .execution_ms = -1};
				add_missing(p, &r);
			}
		}
		if (m) {
			m->native = st;
			m->native_seen = true;
			m->native_summed = t->checksum != NULL;
			m->native_finished = plan_keep(p, t->finished_at);
			m->native_error = plan_keep(p, t->error);
		}
	}
}

static bool done(strata_state st)
{
	return st == STRATA_APPLIED || st == STRATA_BASELINED || st == STRATA_MODIFIED;
}

/* The native table won: strata writes it in the same transaction as
 * strata_ledger, so a disagreement means the tool acted after strata. */
static void decide(plan *p, migration *m, strata_state st, const track_src *ts)
{
	m->info.state = st;
	m->native_decided = true;
	m->info.decided_by = plan_keep(p, ts->tool);
	m->info.decided_at = m->native_finished;
	m->apply_failed = false;
	if (st == STRATA_FAILED)
		m->info.error = m->native_error ? m->native_error : "failed in the tool's own table";
	if (m->info.decided_at)
		m->info.applied_at = m->info.decided_at;
}

/* One migration strata_ledger has a row for, against its source's tracker. */
static void reconcile_one(plan *p, migration *m, const track_src *ts)
{
	bool ldone = done(m->recorded);
	if (!m->native_seen) {
		if (ts->flags & STRATA_TRACKER_COMPLETE) {
			if (ldone) /* the tool's record says not applied: it undid it */
				decide(p, m, STRATA_ROLLED_BACK, ts);
		} else if (ldone) {
			m->native_missing = true;
		}
		return;
	}
	strata_state nst = m->native;
	/* A down script that failed (or was cut) outside a transaction has no
	 * equivalent in the tools' tables: they keep the migration applied, as
	 * the tool itself would, and that is agreement, not a later action. */
	if (m->down_failed && done(nst))
		return;
	if (done(nst) && !ldone)
		decide(p, m, nst == STRATA_MODIFIED ? STRATA_MODIFIED : STRATA_APPLIED, ts);
	else if (nst == STRATA_FAILED && m->recorded != STRATA_FAILED)
		decide(p, m, STRATA_FAILED, ts);
	else if (nst == STRATA_ROLLED_BACK && (ldone || m->recorded == STRATA_FAILED))
		decide(p, m, STRATA_ROLLED_BACK, ts);
}

/* Is source src `retired: true`? */
static bool retired_src(const plan *p, size_t src)
{
	return src < p->cfg->nsources && p->cfg->sources[src].retired;
}

/* One tracker (binding b) against strata_ledger's rows; what cannot be
 * decided is said once. */
static void reconcile(plan *p, const track_rows *tr, size_t b)
{
	ledger *lg = p->lg;
	const track_src *ts = &tr->src[b];
	size_t kept = 0;
	const migration *first = NULL;
	for (size_t i = 0; i < lg->nmigs; i++) {
		migration *m = lg->migs[i];
		if (m->src != ts->src || !m->has_row)
			continue;
		m->native_missing = false;
		if (ts->missing) {
			if (done(m->recorded)) {
				m->native_missing = true;
				if (!kept++)
					first = m;
			}
			continue;
		}
		reconcile_one(p, m, ts);
		if (m->native_missing && !kept++)
			first = m;
	}
	if (!kept || retired_src(p, ts->src)) /* its tracker may be gone (--drop-old-tracker) */
		return;
	const char *name = p->cfg->sources[ts->src].name;
	if (ts->missing)
		logf_(p->e, STRATA_LOG_WARN, NULL, 0,
		      "%s of source '%s' does not exist; strata_ledger's record of %zu applied "
		      "migration%s stands (`strata baseline` writes %s again)",
		      ts->table, name, kept, kept == 1 ? "" : "s", ts->table);
	else
		logf_(p->e, STRATA_LOG_WARN, NULL, 0,
		      "%zu migration%s of source '%s' applied in strata_ledger %s no row in %s "
		      "(first: %s); strata_ledger's record stands (`strata baseline` writes "
		      "the rows)",
		      kept, kept == 1 ? "" : "s", name, kept == 1 ? "has" : "have", ts->table,
		      first->info.id);
}

/* A retired source (`retired: true`, strata adopt): its migrations keep
 * whatever the database records, and what it does not record (pending,
 * rolled back, ignored, outdated) is retired, never due; its rows whose
 * files are gone are retired, never missing. */
static void retire(plan *p)
{
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		strata_state st = m->info.state;
		if (retired_src(p, m->src) && (st == STRATA_PENDING || st == STRATA_ROLLED_BACK ||
		                               st == STRATA_IGNORED || st == STRATA_OUTDATED))
			m->info.state = STRATA_RETIRED;
	}
	for (size_t i = 0; i < p->nmissing; i++)
		if (retired_src(p, p->missing[i]->src))
			p->missing[i]->info.state = STRATA_RETIRED;
}

/* The plan from strata_ledger rows already read (consumed), then the native
 * trackers' rows. */
int plan_from_rows(plan *p, db *d, ledger_row *rows, size_t n)
{
	reset(p);
	if (!d->conn) {
		ledger_rows_free(rows, n);
		plan_kinds(p);
		retire(p);
		return 0;
	}
	int rc = plan_check_rows(p, d, rows, &n);
	for (size_t i = 0; !rc && i < n; i++)
		plan_row_apply(p, &rows[i]);
	ledger_rows_free(rows, n);
	return rc ? rc : plan_rows_end(p, d);
}

void plan_rows_begin(plan *p)
{
	reset(p);
}

/* After strata_ledger's rows: the native trackers' rows, then the states
 * that follow from both. */
int plan_rows_end(plan *p, db *d)
{
	int rc;
	track_rows trows;
	rc = track_read(p->L, p->lg, d, &trows);
	if (rc < 0)
		return rc;
	free(p->table_missing);
	p->ntables = trows.nsrc;
	p->table_missing = xcalloc(trows.nsrc + 1, sizeof *p->table_missing);
	for (size_t b = 0; b < trows.nsrc; b++) {
		p->table_missing[b] = trows.src[b].missing;
		apply_tracker_rows(p, &trows, b);
		reconcile(p, &trows, b);
	}
	track_rows_free(&trows);

	ledger *lg = p->lg;
	size_t last_done = 0;
	bool any_done = false;
	for (size_t i = 0; i < lg->nmigs; i++) {
		migration *m = lg->migs[i];
		if (m->info.state == STRATA_PENDING && m->native != STRATA_PENDING &&
		    m->native != STRATA_ROLLED_BACK) {
			m->info.state = m->native == STRATA_FAILED || m->native == STRATA_MODIFIED
			                        ? m->native
			                        : STRATA_APPLIED;
			m->info.native_only = 1;
			if (m->native_finished && !m->info.applied_at)
				m->info.applied_at = m->native_finished;
			if (m->native == STRATA_FAILED && m->native_error && !m->info.error)
				m->info.error = m->native_error;
		}
		/* The format's own checksum rule is the authority on its files:
		 * Prisma accepts a migration.sql whose line endings changed, so a
		 * tracker that says "applied" from its own checksum overrides strata's
		 * byte-exact check (a table without checksums has no say on files). */
		if (m->info.state == STRATA_MODIFIED && m->native == STRATA_APPLIED && m->native_summed)
			m->info.state = m->ledger_baselined ? STRATA_BASELINED : STRATA_APPLIED;
		strata_state st = m->info.state;
		if (!(m->info.flags & STRATA_MIG_REPEATABLE) &&
		    (st == STRATA_APPLIED || st == STRATA_BASELINED || st == STRATA_MODIFIED ||
		     st == STRATA_FAILED)) {
			last_done = i;
			any_done = true;
		}
	}
	plan_kinds(p);
	retire(p);
	/* Out of order: pending behind something applied.  In a graph (Alembic)
	 * a pending sibling branch is normal; only a pending ancestor of
	 * something applied is out of order. */
	unsigned char *below_done = xcalloc(lg->nmigs + 1, 1);
	for (size_t i = lg->nmigs; i-- > 0;) {
		migration *m = lg->migs[i];
		strata_state st = m->info.state;
		bool done = st != STRATA_PENDING && st != STRATA_ROLLED_BACK;
		if (m->info.graph && (done || below_done[m->seq]))
			for (size_t k = 0; m->pm && m->pm[k]; k++)
				if (m->pm[k]->seq < lg->nmigs)
					below_done[m->pm[k]->seq] = 1;
	}
	for (size_t i = 0; any_done && i < last_done; i++) {
		migration *m = lg->migs[i];
		if (m->info.state == STRATA_PENDING && (!m->info.graph || below_done[m->seq]))
			m->info.out_of_order = 1;
	}
	free(below_done);
	return 0;
}

void plan_init(plan *p, err_ctx *e, const config *cfg, loader *L, ledger *lg)
{
	memset(p, 0, sizeof *p);
	p->e = e;
	p->cfg = cfg;
	p->L = L;
	p->lg = lg;
}

void plan_free(plan *p)
{
	reset(p); /* the ledger's migrations point into p->mem no more */
}

size_t plan_count(const plan *p)
{
	return p->lg->nmigs + p->nmissing;
}

const strata_migration_info *plan_get(const plan *p, size_t i)
{
	if (i < p->lg->nmigs)
		return &p->lg->migs[i]->info;
	i -= p->lg->nmigs;
	return i < p->nmissing ? &p->missing[i]->info : NULL;
}
