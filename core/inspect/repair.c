/* strata repair: record again the checksum of a migration whose file
 * changed only in comments or whitespace (a CRLF re-save, a reformatted
 * comment), or whose recorded checksum was emptied by hand.  The proof is
 * the dialect's own parser: the text strata_ledger kept when it applied
 * the migration and the file as it is now give the same statements
 * (db_normalize).  Then strata_ledger's checksum and text and every native
 * tracker's checksum ("repaired" event) are written in one transaction.
 * Other statements are refused with the line diff (diff.c) unless --force.
 * A row with no recorded text (another tool wrote it) is for the live
 * catalog to decide (catalog_verdicts below). */
#include "inspect.h"
#include "run_int.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_CONTEXT 2

/* One script's statements, canonical, in order. */
typedef struct stmts {
	char **v;
	size_t n;
} stmts;

static int keep_stmt(void *ud, const char *text, size_t len)
{
	stmts *s = ud;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = xstrndup(text, len);
	return 0;
}

static void stmts_free(stmts *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* The index of the first statement that differs (a->n when none and the
 * counts agree). */
static size_t first_difference(const stmts *a, const stmts *b)
{
	size_t i = 0;
	while (i < a->n && i < b->n && !strcmp(a->v[i], b->v[i]))
		i++;
	return i == a->n && i == b->n ? a->n : i;
}

/* Does m need repair: strata_ledger's checksum is not the file's, or a
 * native tracker says the file changed by its own rule. */
static bool needs_repair(const migration *m)
{
	if (m->info.state == STRATA_MODIFIED || m->native == STRATA_MODIFIED)
		return true;
	return m->has_row && m->recorded_sum && strcmp(m->recorded_sum, m->checksum) &&
	       run_is_done(m->recorded);
}

/* Rows without recorded text: what the live catalog says of each
 * migration (branch infer's infer_run(), the decision infer_decide()
 * gives: APPLIED when the catalog holds what the file creates and lacks
 * what it drops), with what is missing for the refusal. */
static int catalog_verdicts(plan *p, db *d, infer_report *out)
{
	memset(out, 0, sizeof *out);
	return infer_run(p, d, out);
}

static void add_item(repair_report *r, const migration *m, int line, const char *action,
                     char *reason, char *diff, bool forced)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->mig = xrealloc(r->mig, (r->n + 1) * sizeof *r->mig);
	const char *old = m->recorded_sum;
	r->v[r->n] = (strata_repair_item){
		.id = xstrdup(m->info.id),
		.file = xstrdup(m->info.file),
		.line = line,
		.action = action,
		.reason = reason,
		.diff = diff,
		.old_checksum = old ? xstrdup(old) : NULL,
		.new_checksum = xstrdup(m->checksum),
		.forced = forced,
	};
	r->mig[r->n++] = (migration *)m;
}

/* The file line of the script's line k (1-based). */
static int file_line(const migration *m, int k)
{
	return k ? m->info.line + k - 1 : m->info.line;
}

/* Decide one migration: 1 repair, 0 refuse (the item says why), < 0 an
 * error that stops the command. */
static int decide(plan *p, db *d, const migration *m, const infer_item *cat, bool force,
                  repair_report *r, bool dry)
{
	const char *act = dry ? "would_repair" : "repaired";
	int first = 0;
	if (m->info.blocked || !m->up) {
		add_item(r, m, 0, "refused",
		         xstrdup("its source cannot turn the script into SQL (untranslatable)"), NULL,
		         false);
		return 0;
	}
	if (!m->recorded_script) {
		if (cat && cat->verdict == INFER_APPLIED) {
			add_item(r, m, 0, act,
			         xstrdup("no recorded text; the live catalog holds what the file creates"),
			         NULL, false);
			return 1;
		}
		if (force) {
			add_item(r, m, 0, act,
			         xstrdup("forced: no recorded text to compare the file with"), NULL, true);
			return 1;
		}
		char *why;
		if (!cat)
			why = xstrdup("no recorded text, and no live catalog to check (no database)");
		else if (cat->missing)
			why = xasprintf("no recorded text, and the live catalog lacks what the file "
			                "creates: %s", cat->missing);
		else
			why = xasprintf("no recorded text, and the live catalog does not show the file "
			                "applied%s%s", cat->reason ? ": " : "", cat->reason ? cat->reason : "");
		add_item(r, m, 0, "refused", why, NULL, false);
		return 0;
	}
	char *diff = inspect_modified_diff(m, DIFF_CONTEXT, &first);
	if (!*diff) {
		free(diff);
		/* The text is the file's: only the checksum was lost. */
		add_item(r, m, 0, act,
		         xstrdup("the recorded text is the file's; only the recorded checksum differs"),
		         NULL, false);
		return 1;
	}
	stmts now = {0}, then = {0};
	char *where = xasprintf("strata_ledger (the text recorded for %s)", m->info.id);
	int rc = db_normalize(d, m->up, m->up_len, m->info.file, m->info.line, keep_stmt, &now);
	if (rc >= 0)
		rc = db_normalize(d, m->recorded_script, strlen(m->recorded_script), where, 1,
		                  keep_stmt, &then);
	free(where);
	if (rc == STRATA_ENOTFOUND) {
		stmts_free(&now);
		stmts_free(&then);
		add_item(r, m, file_line(m, first), "refused",
		         xasprintf("the %s driver cannot read statements (no normalize op)",
		                   db_dialect(d)),
		         diff, false);
		return 0;
	}
	if (rc < 0) { /* a text the parser rejects: said, and refused */
		const strata_error_info *e = err_cur(p->e);
		char *why = e->file && e->line ? xasprintf("%s:%d: %s", e->file, e->line, e->message)
		                               : xstrdup(e->message ? e->message : "does not parse");
		err_clear(p->e);
		stmts_free(&now);
		stmts_free(&then);
		add_item(r, m, file_line(m, first), force ? act : "refused",
		         xasprintf("%s%s", force ? "forced: " : "", why), diff, force);
		free(why);
		return force;
	}
	size_t k = first_difference(&then, &now);
	int ok = k == then.n;
	if (ok)
		add_item(r, m, file_line(m, first), act,
		         xasprintf("the same %zu statement%s; only comments and whitespace differ",
		                   now.n, now.n == 1 ? "" : "s"),
		         diff, false);
	else {
		add_item(r, m, file_line(m, first), force ? act : "refused",
		         xasprintf("%sstatement %zu of %zu differs as the %s parser reads it (the "
		                   "recorded text has %zu)",
		                   force ? "forced: " : "", k + 1, now.n, db_dialect(d), then.n),
		         diff, force);
		ok = force;
	}
	stmts_free(&now);
	stmts_free(&then);
	return ok;
}

/* The writes, in one transaction: strata_ledger's row, then every tracker
 * of the migration's source. */
static int write_repairs(plan *p, db *d, repair_report *r, const bool *fix)
{
	int rc = db_begin(d);
	char now[40];
	now_iso8601(now);
	for (size_t i = 0; !rc && i < r->n; i++) {
		if (!fix[i])
			continue;
		migration *m = r->mig[i];
		int row = ledger_table_repair(d, m);
		rc = row < 0 ? row : 0;
		if (!rc)
			rc = track_record(p->L, p->lg, d, m, "repaired", now, now, -1, NULL);
	}
	if (!rc && intr_signal(&p->e->intr))
		rc = STRATA_EINTR;
	if (!rc)
		rc = db_commit(d);
	else
		db_rollback(d);
	if (rc && intr_signal(&p->e->intr))
		rc = run_interrupted(p, NULL, false, NULL, NULL);
	return rc;
}

int inspect_repair(plan *p, const char *url, const strata_repair_opts *o, repair_report *r)
{
	run_session ss;
	db *d = &ss.d;
	p->repair_sums = true;
	int rc = o->dry_run ? run_open_readonly(p, url, false, &ss) : run_open(p, url, false, &ss);
	p->repair_sums = false;
	if (rc == STRATA_ENOTFOUND && o->dry_run && !d->conn)
		rc = 0; /* no database yet: nothing recorded, nothing to repair */
	size_t n = p->lg->nmigs;
	bool *want = xcalloc(n + 1, sizeof *want);
	for (size_t i = 0; !rc && i < o->n_ids; i++) {
		size_t idx;
		rc = run_find_index(p, o->ids[i], &idx);
		if (!rc)
			want[idx] = true;
	}
	/* The live catalog is read only when a row without text needs it. */
	infer_report cat = {0};
	bool need_cat = false;
	for (size_t i = 0; !rc && i < n; i++) {
		migration *m = p->lg->migs[i];
		need_cat |= (!o->n_ids || want[i]) && needs_repair(m) && !m->recorded_script &&
		            !o->force;
	}
	if (!rc && need_cat && d->conn)
		rc = catalog_verdicts(p, d, &cat);
	bool *fix = NULL;
	size_t nfix = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		migration *m = p->lg->migs[i];
		bool needed = needs_repair(m);
		if (o->n_ids && !want[i])
			continue;
		if (!needed) {
			if (o->n_ids) {
				add_item(r, m, 0, "refused",
				         xstrdup("nothing to repair: strata_ledger and the trackers have the "
				                 "file's checksum"),
				         NULL, false);
				fix = xrealloc(fix, r->n * sizeof *fix);
				fix[r->n - 1] = false;
			}
			continue;
		}
		int yes = decide(p, d, m, i < cat.n ? &cat.v[i] : NULL, o->force, r, o->dry_run);
		if (yes < 0) {
			rc = yes;
			break;
		}
		fix = xrealloc(fix, r->n * sizeof *fix);
		fix[r->n - 1] = yes > 0;
		nfix += yes > 0;
	}
	infer_report_free(&cat);
	free(want);
	if (!rc && nfix && !o->dry_run)
		rc = run_ready(p, &ss);
	if (!rc && nfix && !o->dry_run)
		rc = write_repairs(p, d, r, fix);
	for (size_t i = 0; !rc && i < r->n; i++)
		fix[i] ? r->repaired++ : r->refused++;
	if (rc)
		r->repaired = 0;
	free(fix);
	run_close(p, &ss);
	return rc;
}

void repair_report_free(repair_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free((char *)r->v[i].id);
		free((char *)r->v[i].file);
		free((char *)r->v[i].reason);
		free((char *)r->v[i].diff);
		free((char *)r->v[i].old_checksum);
		free((char *)r->v[i].new_checksum);
	}
	free(r->v);
	free(r->mig);
	memset(r, 0, sizeof *r);
}
