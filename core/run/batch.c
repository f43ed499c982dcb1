/* apply --single-transaction: the due migrations in one transaction, all or
 * nothing.  BEGIN once; each migration is re-checked inside it (as
 * run_step does: two strata processes never run one twice), run, and its
 * strata_ledger and native tracker rows written; COMMIT at the end.  A
 * failure rolls the whole transaction back: no schema change, no row, the
 * failed migration included.  A migration that cannot run inside a
 * transaction ends the batch: what came before commits, it runs alone as
 * run_step runs it, and a new transaction follows.  Its events: each
 * migration's "start" as it runs, its "applied" once its transaction
 * committed, then one "committed" for the transaction. */
#include "run_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct batch {
	plan *p;
	db *d;
	strata_apply_opts *o;
	size_t total;
	bool open;         /* a transaction is open */
	migration **migs;  /* this transaction's migrations, run (not skipped), in order */
	size_t *index;     /* their places in the apply, for the events */
	size_t n;
	size_t committed;  /* migrations of the transactions committed before this one */
	const migration *split; /* the last one that ran alone, NULL: none yet */
} batch;

/* Part of this apply: due, and within --to's reach (as apply.c's due()). */
static bool due(const plan *p, db *d, const migration *m, const migration *to)
{
	return run_is_due(d, m) && (!to || run_in_target(p, m, to));
}

/* The dialect's DDL must be transactional (dialects.yaml), or a failure
 * halfway would leave the schema changes before it: refused, before
 * anything is written. */
static int refuse_dialect(plan *p, db *d, const char *url)
{
	const char *dialect = d->plugin ? db_dialect(d) : dialect_of_url(p->L, url);
	if (dialect && dialect_transactional_ddl(p->L, dialect))
		return 0;
	bool cfg = p->cfg->single_transaction_line > 0;
	return err_set(p->e, STRATA_EINVAL, cfg ? STRATA_ECLASS_CONFIG : STRATA_ECLASS_USAGE,
	               cfg ? p->cfg->file : NULL, cfg ? p->cfg->single_transaction_line : 0, 0,
	               "apply with --no-single-transaction: each migration then commits on its own",
	               "single transaction refused: %s's dialect (%s) has no transactional DDL "
	               "(formats/dialects.yaml, transactional_ddl)",
	               d->display ? d->display : url, dialect ? dialect : "unknown");
}

int run_single_tx(plan *p, db *d, const char *url, const strata_apply_opts *o, bool *single)
{
	*single = o->single_transaction ? o->single_transaction > 0 : p->cfg->single_transaction;
	return *single ? refuse_dialect(p, d, url) : 0;
}

/* The open transaction committed: its migrations are applied, their events
 * said, and one "committed" (or, without a sink, the info line) with why it
 * ended there (next, at place k: the migration that runs alone; NULL: the
 * end of the apply). */
static int commit(batch *b, const migration *next, size_t k, const char *why)
{
	char *reason = next ? xasprintf("%s runs outside a transaction (%s)%s", next->info.id, why,
	                                k < b->total ? "; a new transaction follows" : "")
	                    : NULL;
	int rc = 0;
	if (b->open) {
		b->open = false;
		rc = db_commit(b->d);
		if (rc)
			db_rollback(b->d);
	}
	if (!rc && b->n) {
		b->o->commits++;
		for (size_t i = 0; i < b->n; i++) {
			b->migs[i]->info.state = STRATA_APPLIED;
			b->o->applied++;
			run_step_done(b->p, "apply", b->migs[i], false, b->index[i], b->total);
		}
		strata_event ev = {.version = STRATA_EVENT_VERSION, .struct_size = sizeof ev,
		                   .kind = STRATA_EVENT_COMMITTED, .command = "apply",
		                   .migration = &b->migs[b->n - 1]->info, .index = b->index[b->n - 1],
		                   .total = b->total, .ms = -1, .count = b->n, .reason = reason};
		if (b->p->e->event)
			b->p->e->event(b->p->e->event_ud, &ev);
		else
			logf_(b->p->e, STRATA_LOG_INFO, NULL, 0, "committed %zu migration%s%s%s", b->n,
			      b->n == 1 ? "" : "s", reason ? "; " : " in one transaction",
			      reason ? reason : "");
	} else if (!rc && reason)
		logf_(b->p->e, STRATA_LOG_INFO, next->info.file, 0, "%s", reason);
	free(reason);
	if (!rc) {
		b->committed += b->n;
		b->n = 0;
	}
	return rc;
}

/* The error of a failure inside the transaction, which is rolled back: the
 * migration's own error (file:line), and what became of the others. */
static int undone(batch *b, migration *m, int rc)
{
	db_rollback(b->d);
	b->open = false;
	plan *p = b->p;
	char before[256] = "";
	if (b->n)
		snprintf(before, sizeof before, "%s%s%s", b->migs[0]->info.id, b->n > 1 ? " .. " : "",
		         b->n > 1 ? b->migs[b->n - 1]->info.id : "");
	char kept[256] = "";
	if (b->committed)
		snprintf(kept, sizeof kept, "; the %zu before it up to %s (outside a transaction) stay "
		         "applied", b->committed, b->split ? b->split->info.id : "it");
	char *fate = !m ? xasprintf("the %zu migration%s of the transaction (%s) %s rolled back: "
	                            "none of them is applied or recorded%s",
	                            b->n, b->n == 1 ? "" : "s", before, b->n == 1 ? "was" : "were",
	                            kept)
	             : b->n ? xasprintf("rolled back with the %zu migration%s before it in its "
	                              "transaction (%s): none of them is applied or recorded%s",
	                              b->n, b->n == 1 ? "" : "s", before, kept)
	                  : xasprintf("rolled back, nothing recorded%s", kept);
	if (db_interrupted(b->d)) /* at the commit (m NULL): after the last one ran */
		rc = run_interrupted(p, m ? m : b->n ? b->migs[b->n - 1] : NULL, false, fate, NULL);
	else {
		const strata_error_info *e = err_cur(p->e);
		char *msg = xstrdup(e->message ? e->message : "failed");
		char *file = e->file ? xstrdup(e->file) : NULL;
		char *hint = e->hint ? xstrdup(e->hint) : NULL;
		int line = e->line, col = e->col, code = e->code;
		strata_error_class cls = e->cls;
		err_set(p->e, code ? code : rc, cls, file, line, col, hint, "%s; %s", msg, fate);
		free(msg);
		free(file);
		free(hint);
	}
	free(fate);
	b->n = 0; /* their states were never changed: that happens at the commit */
	return rc;
}

/* One migration inside the open transaction: re-checked, run, recorded. */
static int run_in(batch *b, migration *m, const db_mode *mode, bool *skipped)
{
	char started[40], finished[40];
	long long t0 = now_ms();
	now_iso8601(started);
	*skipped = run_done_meanwhile(b->d, m, false);
	if (*skipped)
		return 0;
	int rc = db_run(b->d, m, false, mode);
	db_pipe(b->d); /* again after a script run without it */
	if (!rc && db_interrupted(b->d))
		rc = STRATA_EINTR;
	m->info.execution_ms = (long)(now_ms() - t0);
	if (rc)
		return rc;
	now_iso8601(finished);
	return run_write_state(b->p, b->d, m, "applied", started, finished, m->info.execution_ms,
	                       NULL);
}

/* A migration that cannot run in a transaction: the batch before it
 * commits, it runs alone (run_step: its "running" row first, a failure
 * recorded), and the next transaction starts with the next migration. */
static int run_alone(batch *b, migration *m, size_t k)
{
	char why[200];
	db_no_tx_reason(b->d, m, why, sizeof why);
	int rc = commit(b, m, k, why);
	if (rc)
		return undone(b, NULL, rc);
	b->split = m;
	bool skipped;
	run_event(b->p, "apply", STRATA_EVENT_START, m, k, b->total, -1);
	rc = run_step(b->p, b->d, m, false, &skipped);
	if (rc)
		run_event(b->p, "apply", STRATA_EVENT_FAILED, m, k, b->total, m->info.execution_ms);
	else if (skipped) {
		if (!run_event(b->p, "apply", STRATA_EVENT_SKIPPED, m, k, b->total, -1))
			logf_(b->p->e, STRATA_LOG_INFO, m->info.file, 0,
			      "skipped %s: applied meanwhile by another process", m->info.id);
	} else {
		b->o->applied++;
		b->o->alone++;
		b->committed++;
		run_step_done(b->p, "apply", m, false, k, b->total);
	}
	return rc;
}

/* --dry-run: the SQL as it would run, one BEGIN;/COMMIT; around each batch. */
static void dry(batch *b, migration *m, const db_mode *mode, size_t k)
{
	strata_apply_opts *o = b->o;
	if (mode->tx && !b->open && o->sql_fn)
		o->sql_fn(o->sql_ud, "BEGIN;\n\n", 8);
	else if (!mode->tx && b->open && o->sql_fn)
		o->sql_fn(o->sql_ud, "COMMIT;\n\n", 9);
	b->open = mode->tx;
	run_emit_script_in(o->sql_fn, o->sql_ud, b->d, m, false, mode->tx);
	o->applied++;
	run_event(b->p, "apply", STRATA_EVENT_DRY_RUN, m, k, b->total, -1);
}

int run_apply_batched(plan *p, db *d, strata_apply_opts *o, size_t end, const migration *to,
                      size_t total)
{
	batch b = {.p = p, .d = d, .o = o, .total = total};
	b.migs = xcalloc(total ? total : 1, sizeof *b.migs);
	b.index = xcalloc(total ? total : 1, sizeof *b.index);
	int rc = 0;
	size_t k = 0;
	for (size_t i = 0; !rc && p->lg->nmigs && i <= end; i++) {
		migration *m = p->lg->migs[i];
		if (!due(p, d, m, to))
			continue;
		k++;
		if (m->info.blocked) {
			rc = run_blocked(p, m, false);
			if (b.open && !o->dry_run)
				rc = undone(&b, m, rc);
			break;
		}
		db_mode mode;
		rc = db_script_mode(d, m, false, &mode);
		if (rc < 0) {
			if (b.open && !o->dry_run)
				rc = undone(&b, m, rc);
			break;
		}
		if (o->dry_run) {
			dry(&b, m, &mode, k);
			continue;
		}
		if (!mode.tx) {
			rc = run_alone(&b, m, k);
			continue;
		}
		if (!b.open) {
			if (db_interrupted(d)) {
				rc = run_interrupted(p, m, false, NULL, NULL);
				break;
			}
			/* The pipeline (core/driver/pipe.c), as run_step uses it: BEGIN
			 * and each migration's records are queued behind its script,
			 * what a tracker reads is a sync point, COMMIT flushes. */
			db_pipe(d);
			if ((rc = db_begin(d)))
				break;
			b.open = true;
		}
		bool skipped;
		run_event(p, "apply", STRATA_EVENT_START, m, k, total, -1);
		rc = run_in(&b, m, &mode, &skipped);
		if (rc) {
			run_event(p, "apply", STRATA_EVENT_FAILED, m, k, total, m->info.execution_ms);
			rc = undone(&b, m, rc);
		} else if (skipped) {
			if (!run_event(p, "apply", STRATA_EVENT_SKIPPED, m, k, total, -1))
				logf_(p->e, STRATA_LOG_INFO, m->info.file, 0,
				      "skipped %s: applied meanwhile by another process", m->info.id);
		} else {
			b.migs[b.n] = m;
			b.index[b.n++] = k;
		}
	}
	if (o->dry_run && b.open && o->sql_fn)
		o->sql_fn(o->sql_ud, "COMMIT;\n\n", 9);
	else if (!rc && b.open && db_interrupted(d))
		rc = undone(&b, NULL, STRATA_EINTR);
	else if (!rc && b.open) {
		rc = commit(&b, NULL, k, NULL);
		if (rc) /* COMMIT refused: nothing of the transaction stays */
			rc = undone(&b, NULL, rc);
	}
	free(b.migs);
	free(b.index);
	return rc;
}
