/* doctor's look at the tracking rows: strata_ledger's and every tracker's,
 * read (never written) on the database in effect.  A row half finished
 * (strata's running / rolling_back, a native row with no finished_at that
 * is not rolled back), a checksum that is empty or not of the tool's form,
 * a row whose migration has no file (a renamed folder when a pending
 * migration of the source has the row's checksum).  The states are the
 * plan's (plan_from_rows, as status computes them), from the rows the plan
 * can read; the rows it refuses are findings here, not an error. */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

static bool hex64(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdefABCDEF") == 64;
}

/* The form of a checksum: its length and whether it is hex. */
static bool same_form(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	bool ha = strspn(a, "0123456789abcdefABCDEF") == la, hb = strspn(b, "0123456789abcdefABCDEF") == lb;
	return la == lb && ha == hb;
}

static const char *file_or(const migration *m, const char *table)
{
	return m && m->info.file ? m->info.file : table;
}

static int line_or(const migration *m)
{
	return m && m->info.file ? m->info.line : 0;
}

/* strata_ledger: every row plan_check_rows would refuse becomes a finding
 * and is left out of the plan; the rest stays in rows. */
static void ledger_rows(plan *p, doctor_report *r, ledger_row *rows, size_t *n)
{
	char buf[1024];
	size_t k = 0;
	bool *bad = xcalloc(*n + 1, sizeof *bad);
	for (size_t i = 0; i < *n; i++) {
		ledger_row *row = &rows[i];
		const migration *m = ledger_find(p->lg, row->id);
		const char *file = file_or(m, "strata_ledger");
		strata_track_state ts = strata_track_state_of(row->state);
		char *hint = NULL;
		const char *why = plan_row_problem(p, rows, *n, i, buf, sizeof buf, &hint);
		if (ts == STRATA_TRACK_RUNNING || ts == STRATA_TRACK_ROLLING_BACK)
			doctor_add(r, "half-finished-row", STRATA_SEVERITY_ERROR, file, line_or(m), 0, row->id,
			           "look at the database: `strata mark ID --applied` if it ran to the end, "
			           "`--rolled-back` if not",
			           "strata_ledger row %s is '%s' since %s: a migration outside a transaction "
			           "was interrupted, and how far it got is unknown",
			           row->id, row->state, *row->started_at ? row->started_at : "an unknown time");
		if (!*row->checksum && !(row->nulls & (1u << 4)))
			doctor_add(r, "empty-checksum", STRATA_SEVERITY_ERROR, file, line_or(m), 0, row->id, hint,
			           "strata_ledger row %s has an empty checksum: whether its file changed "
			           "cannot be told", row->id);
		else if (!hex64(row->checksum) && !(row->nulls & (1u << 4)))
			doctor_add(r, "foreign-checksum", STRATA_SEVERITY_ERROR, file, line_or(m), 0, row->id, hint,
			           "strata_ledger row %s has checksum '%.20s', not a sha256 hex digest as "
			           "strata writes: it was written by something else", row->id, row->checksum);
		else if (why)
			doctor_add(r, "unreadable-row", STRATA_SEVERITY_ERROR, file, line_or(m), 0,
			           *row->id ? row->id : NULL, hint, "%s", why);
		free(hint);
		bad[i] = why != NULL;
	}
	for (size_t i = 0; i < *n; i++) { /* after the checks: twice() looks at neighbours */
		if (bad[i])
			ledger_row_clear(&rows[i]);
		else
			rows[k++] = rows[i];
	}
	free(bad);
	*n = k;
}

/* The checksum form of the source's migrations (their native checksum). */
static const char *native_form(const ledger *lg, const char *source)
{
	for (size_t i = 0; i < lg->nmigs; i++)
		if (lg->migs[i]->native_checksum && !strcmp(lg->migs[i]->info.source, source))
			return lg->migs[i]->native_checksum;
	return NULL;
}

static void tracker_rows(plan *p, doctor_report *r, const track_rows *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const track_rec *rec = &t->v[i];
		const track_src *ts = &t->src[rec->bind];
		const migration *m = ledger_find(p->lg, rec->id);
		const char *file = file_or(m, ts->table), *source = p->cfg->sources[rec->src].name;
		const char *form = m && m->native_checksum ? m->native_checksum : native_form(p->lg, source);
		if (rec->state == STRATA_TRACK_FAILED && !rec->finished_at) {
			const char *e = rec->error ? rec->error : "";
			size_t el = strcspn(e, "\r\n");
			doctor_add(r, "half-finished-row", STRATA_SEVERITY_ERROR, file, line_or(m), 0, rec->id,
			           "look at the database: resolve it as the tool says (prisma migrate resolve "
			           "--applied or --rolled-back), or `strata mark ID --applied | --rolled-back`",
			           "%s row of %s has no finished_at and is not rolled back: started and never "
			           "finished%s%.*s", ts->table, rec->id, el ? ": " : "", (int)(el > 200 ? 200 : el), e);
		}
		if (rec->checksum && !*rec->checksum)
			doctor_add(r, "empty-checksum", STRATA_SEVERITY_ERROR, file, line_or(m), 0, rec->id,
			           "record it again with its tool, or `strata mark ID --applied`",
			           "%s row of %s has an empty checksum: the tool cannot tell whether the file "
			           "changed", ts->table, rec->id);
		else if (rec->checksum && form && !same_form(rec->checksum, form))
			doctor_add(r, "foreign-checksum", STRATA_SEVERITY_ERROR, file, line_or(m), 0, rec->id,
			           "record it again with its tool, or `strata mark ID --applied`",
			           "%s row of %s has checksum '%.20s', not of the form %s writes (like "
			           "'%.12s…'): another tool wrote it", ts->table, rec->id, rec->checksum,
			           ts->tool, form);
	}
}

/* A recorded id without a file: renamed when a pending migration of its
 * source has its checksum. */
static void missing_rows(plan *p, doctor_report *r)
{
	for (size_t i = 0; i < p->nmissing; i++) {
		const migration *x = p->missing[i];
		const migration *ren = NULL;
		if (x->info.state == STRATA_RETIRED)
			continue; /* a retired source's record, kept on purpose */
		for (size_t k = 0; k < p->lg->nmigs && !ren && *x->checksum; k++) {
			const migration *m = p->lg->migs[k];
			if (m->info.state == STRATA_PENDING && !strcmp(m->info.source, x->info.source) &&
			    (!strcmp(m->checksum, x->checksum) ||
			     (m->native_checksum && !strcmp(m->native_checksum, x->checksum))))
				ren = m;
		}
		if (ren) {
			char *fix = xasprintf("rename it back to %s, or record the new name: `strata mark %s "
			                      "--applied` and `strata mark %s --rolled-back`",
			                      x->info.version, ren->info.id, x->info.id);
			doctor_add(r, "renamed-after-apply", STRATA_SEVERITY_ERROR, ren->info.file,
			           ren->info.line, 0, ren->info.id, fix,
			           "%s is pending, and %s, applied with the same checksum, has no file: the "
			           "migration was renamed after it was applied (apply would run it again)",
			           ren->info.id, x->info.id);
			free(fix);
		} else {
			doctor_add(r, "row-without-file", STRATA_SEVERITY_ERROR, "strata_ledger", 0, 0,
			           x->info.id,
			           "restore its file, or `strata mark ID --rolled-back` to forget the record",
			           "%s is recorded as applied but no migration file has its id", x->info.id);
		}
	}
}

/* A migration changed after it was applied: at its first changed line when
 * strata_ledger kept the text it applied (the line as it reads now). */
static void modified_rows(plan *p, doctor_report *r)
{
	for (size_t i = 0; i < p->lg->nmigs; i++) {
		const migration *m = p->lg->migs[i];
		if (m->info.state != STRATA_MODIFIED)
			continue;
		int first = 0;
		char *diff = inspect_modified_diff(m, 0, &first);
		char *fix = xasprintf("`strata repair %s` records the file's checksum again when only "
		                      "comments or whitespace changed; otherwise restore the file and "
		                      "put the change in a new migration",
		                      m->info.id);
		if (diff && *diff && first) {
			const char *at = m->up, *end = m->up + m->up_len;
			for (int k = 1; k < first && at < end; k++) {
				const char *nl = memchr(at, '\n', (size_t)(end - at));
				at = nl ? nl + 1 : end;
			}
			const char *nl = memchr(at, '\n', (size_t)(end - at));
			int len = (int)((nl ? nl : end) - at);
			doctor_add(r, "modified-after-apply", STRATA_SEVERITY_ERROR, m->info.file,
			           m->info.line + first - 1, 0, m->info.id, fix,
			           "%s changed after it was applied: this line differs from the text "
			           "strata_ledger recorded ('%.*s%s')",
			           m->info.id, len > 80 ? 80 : len, at, len > 80 ? "…" : "");
		} else {
			doctor_add(r, "modified-after-apply", STRATA_SEVERITY_ERROR, m->info.file,
			           m->info.line, 0, m->info.id, fix,
			           "%s: its checksum is not the one recorded when it was applied (%s)",
			           m->info.id,
			           diff ? "the text is the one recorded: the recorded checksum changed"
			                : "no recorded text to compare with");
		}
		free(diff);
		free(fix);
	}
}

int doctor_rows_check(plan *p, db *d, doctor_report *r)
{
	ledger_row *rows = NULL;
	size_t n = 0;
	int rc = ledger_table_read(d, true, &rows, &n);
	if (rc < 0)
		return rc;
	ledger_rows(p, r, rows, &n);
	track_rows t;
	/* The plan reads the trackers again below and says their warnings. */
	strata_log_fn log = p->e->log;
	p->e->log = NULL;
	rc = track_read(p->L, p->lg, d, &t);
	p->e->log = log;
	if (rc < 0) {
		ledger_rows_free(rows, n);
		return rc;
	}
	tracker_rows(p, r, &t);
	track_rows_free(&t);
	rc = plan_from_rows(p, d, rows, n); /* consumes rows */
	if (rc < 0)
		return rc;
	missing_rows(p, r);
	modified_rows(p, r);
	return 0;
}
