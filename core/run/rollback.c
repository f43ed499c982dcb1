/* rollback: down scripts, newest first; on a graph source what descends
 * from the target, as `alembic downgrade ID` does. */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>

/* What `alembic downgrade ID` undoes, marked by seq: what descends from ID
 * (through down_revision), and whatever depends on that.  A revision that
 * only depends_on ID itself keeps what it needs and stays. */
static unsigned char *descendants(const plan *p, const migration *to)
{
	unsigned char *undo = xcalloc(p->lg->nmigs + 1, 1);
	for (size_t i = 0; i < p->lg->nmigs; i++) { /* topological order: parents first */
		const migration *m = p->lg->migs[i];
		for (size_t k = 0; m->pm && m->pm[k]; k++)
			if ((m->pm[k] == to && k < m->descends) ||
			    (m->pm[k]->seq < p->lg->nmigs && undo[m->pm[k]->seq]))
				undo[m->seq] = 1;
	}
	return undo;
}

/* A step back from several heads has no single answer (Alembic: "Ambiguous
 * walk" / "Multiple head revisions are present"): refuse it and name them. */
static int one_head(plan *p, const migration *first)
{
	unsigned char *below = xcalloc(p->lg->nmigs + 1, 1);
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		const migration *m = p->lg->migs[i];
		if (m->src == first->src && run_is_done(m->info.state))
			for (size_t k = 0; m->pm && m->pm[k]; k++)
				if (m->pm[k]->seq < p->lg->nmigs)
					below[m->pm[k]->seq] = 1;
	}
	sbuf names = {0}, args = {0};
	size_t heads = 0;
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		const migration *m = p->lg->migs[i];
		if (m->src != first->src || !run_is_done(m->info.state) || below[m->seq])
			continue;
		if (heads++) {
			sbuf_add(&names, ", ", 2);
			sbuf_add(&args, " ", 1);
		}
		sbuf_add(&names, m->info.version, strlen(m->info.version));
		sbuf_add(&args, m->info.version, strlen(m->info.version));
	}
	free(below);
	char *list = sbuf_take(&names), *argv = sbuf_take(&args);
	int rc = 0;
	if (heads > 1) {
		char *hint = xasprintf("name the target with --to ID, or merge the heads "
		                       "(alembic merge -m merge %s)", argv);
		rc = err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_SOURCE, NULL, 0, 0, hint,
		             "Multiple head revisions are present in source '%s' (%s): a rollback "
		             "by steps is ambiguous", first->info.source, list);
		free(hint);
	}
	free(list);
	free(argv);
	return rc;
}

int run_rollback(plan *p, const char *url, strata_rollback_opts *o)
{
	o->rolled_back = 0;
	run_session ss;
	db *d = &ss.d;
	int rc = o->dry_run ? run_open_readonly(p, url, true, &ss) : run_open(p, url, true, &ss);
	/* Targets, newest first. */
	migration **t = xcalloc(p->lg->nmigs + 1, sizeof *t);
	size_t nt = 0, stop = 0;
	const migration *to = NULL;
	if (!rc && o->to) {
		rc = run_find_index(p, o->to, &stop);
		if (!rc && (p->lg->migs[stop]->info.flags & STRATA_MIG_REPEATABLE))
			rc = err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_USAGE, p->lg->migs[stop]->info.file,
			             0, 0,
			             "a repeatable has no down script: change it and apply (it runs "
			             "again), or name a versioned migration",
			             "%s is repeatable; it cannot be rolled back", o->to);
		else if (!rc && p->lg->migs[stop]->info.graph)
			to = p->lg->migs[stop], stop = 0; /* graph: the descendants of ID, as `alembic downgrade ID` */
		else
			stop++;
	}
	int steps = o->steps > 0 ? o->steps : 1;
	unsigned char *undo = to ? descendants(p, to) : NULL;
	for (size_t i = p->lg->nmigs; !rc && i-- > stop;) {
		if (!run_is_done(p->lg->migs[i]->info.state))
			continue;
		/* Repeatables are not undone: they stay as they last ran. */
		if (p->lg->migs[i]->info.flags & STRATA_MIG_REPEATABLE)
			continue;
		if (undo && !undo[p->lg->migs[i]->seq])
			continue;
		if (!o->to && nt == (size_t)steps)
			break;
		t[nt++] = p->lg->migs[i];
	}
	if (!rc && !to && nt && t[0]->info.graph)
		rc = one_head(p, t[0]);
	/* All or nothing: every target needs a runnable down script before any runs. */
	for (size_t i = 0; !rc && i < nt; i++)
		if (t[i]->src < p->cfg->nsources && p->cfg->sources[t[i]->src].retired)
			rc = err_set(p->e, STRATA_ESTATE, STRATA_ECLASS_SOURCE, t[i]->info.file, 0, 0,
			             "a baseline stands for it now; to use the old history again, "
			             "remove `retired: true` from its source",
			             "%s is of a retired source; nothing was rolled back", t[i]->info.id);
		else if (t[i]->info.has_down && mig_down_blocked(t[i]))
			rc = run_blocked(p, t[i], true);
		else if (!t[i]->info.has_down)
			rc = err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_SOURCE, t[i]->info.file, 0, 0,
			             "add a down script, or record it with "
			             "`strata mark ID --rolled-back` after undoing it by hand",
			             "%s has no down script; nothing was rolled back", t[i]->info.id);
		else if (!t[i]->info.graph && t[i]->down && sql_is_blank(t[i]->down, t[i]->down_len))
			/* In a graph (Alembic) an empty downgrade is how a merge
			 * point or an irreversible step undoes, as Alembic runs it. */
			rc = err_set(p->e, STRATA_EINVAL, STRATA_ECLASS_SOURCE, t[i]->info.down_file,
			             t[i]->down_line, 0,
			             "write the statements that undo it, or record it with "
			             "`strata mark ID --rolled-back` after undoing it by hand",
			             "%s: its down script holds nothing but comments; nothing was rolled "
			             "back", t[i]->info.id);
	if (!rc && !o->dry_run)
		rc = run_ready(p, &ss);
	for (size_t i = 0; !rc && i < nt; i++) {
		if (o->dry_run) {
			run_emit_script(o->sql_fn, o->sql_ud, d, t[i], true);
			o->rolled_back++;
			run_event(p, "rollback", STRATA_EVENT_DRY_RUN, t[i], i + 1, nt, -1);
			continue;
		}
		bool skipped;
		run_event(p, "rollback", STRATA_EVENT_START, t[i], i + 1, nt, -1);
		rc = run_step(p, d, t[i], true, &skipped);
		if (rc)
			run_event(p, "rollback", STRATA_EVENT_FAILED, t[i], i + 1, nt,
			          t[i]->info.execution_ms);
		else if (skipped)
			run_event(p, "rollback", STRATA_EVENT_SKIPPED, t[i], i + 1, nt, -1);
		else {
			o->rolled_back++;
			run_step_done(p, "rollback", t[i], true, i + 1, nt);
		}
	}
	free(t);
	free(undo);
	run_close(p, &ss);
	return rc;
}

