/* What strata refuses in strata_ledger.  A row it does not understand is
 * never read as pending (apply would run the migration a second time) nor
 * guessed at: it stops status and every write command, with the row named
 * and its fix.  Each check is a row of the table below; `strata mark ID`
 * may rewrite the one row it names when the fix is to record it again. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a refused row is put right. */
typedef enum fix {
	FIX_MARK,   /* record it again: strata mark (or DELETE when its file is gone) */
	FIX_DELETE, /* a row without an id: only SQL reaches it */
	FIX_KEY,    /* two rows for one id: keep one, give id its key back */
	FIX_SUM,    /* a checksum emptied or foreign: strata repair records it again */
} fix;

/* What is wrong with rows[i], written to buf; NULL when nothing (this check). */
typedef const char *(*wrong_fn)(const ledger_row *rows, size_t n, size_t i, char *buf, size_t size);

static const char *no_id(const ledger_row *rows, size_t n, size_t i, char *buf, size_t size)
{
	(void)n;
	const ledger_row *r = &rows[i];
	if (!(r->nulls & 1u) && *r->id)
		return NULL;
	snprintf(buf, size, "strata_ledger has a row with %s id (source '%.64s', version '%.64s')",
	         r->nulls & 1u ? "a NULL" : "an empty", r->source, r->version);
	return buf;
}

/* Rows come ordered by id: a run of equal ids is said once, at its first. */
static const char *twice(const ledger_row *rows, size_t n, size_t i, char *buf, size_t size)
{
	if (i > 0 && !strcmp(rows[i - 1].id, rows[i].id))
		return NULL;
	size_t k = i;
	while (k + 1 < n && !strcmp(rows[k + 1].id, rows[i].id))
		k++;
	if (k == i)
		return NULL;
	snprintf(buf, size,
	         "strata_ledger has %zu rows for %.128s (source %.64s): its id is no longer the "
	         "table's primary key, and which row holds is a guess",
	         k - i + 1, rows[i].id, rows[i].source);
	return buf;
}

static const char *null_column(const ledger_row *rows, size_t n, size_t i, char *buf, size_t size)
{
	(void)n;
	const ledger_row *r = &rows[i];
	for (int c = 1; c < LEDGER_NCOLS; c++)
		if (r->nulls & (1u << c)) {
			snprintf(buf, size, "strata_ledger row %.128s (source %.64s): %s is NULL", r->id,
			         r->source, ledger_cols[c].name);
			return buf;
		}
	return NULL;
}

/* The states strata writes to strata_ledger (a tracker's "modified" and
 * "head" are never among them). */
static bool written(const char *state)
{
	switch (strata_track_state_of(state)) {
	case STRATA_TRACK_APPLIED:
	case STRATA_TRACK_BASELINED:
	case STRATA_TRACK_FAILED:
	case STRATA_TRACK_ROLLED_BACK:
	case STRATA_TRACK_RUNNING:
	case STRATA_TRACK_ROLLING_BACK:
	case STRATA_TRACK_ROLLBACK_FAILED: return true;
	default: return false;
	}
}

static const char *bad_state(const ledger_row *rows, size_t n, size_t i, char *buf, size_t size)
{
	(void)n;
	const ledger_row *r = &rows[i];
	if (written(r->state))
		return NULL;
	snprintf(buf, size,
	         "strata_ledger row %.128s (source %.64s): state '%.40s' is not one strata writes "
	         "(applied, baselined, failed, rolled_back, running, rolling_back, rollback_failed)",
	         r->id, r->source, r->state);
	return buf;
}

static const char *bad_checksum(const ledger_row *rows, size_t n, size_t i, char *buf, size_t size)
{
	(void)n;
	const ledger_row *r = &rows[i];
	size_t len = strspn(r->checksum, "0123456789abcdefABCDEF");
	if (len == 64 && !r->checksum[len])
		return NULL;
	snprintf(buf, size,
	         "strata_ledger row %.128s (source %.64s): checksum '%.20s%s' is not a sha256 hex "
	         "digest",
	         r->id, r->source, r->checksum, strlen(r->checksum) > 20 ? "…" : "");
	return buf;
}

static const char *bad_id(const ledger_row *rows, size_t n, size_t i, char *buf, size_t size)
{
	(void)n;
	const ledger_row *r = &rows[i];
	size_t sl = strlen(r->source);
	if (!strncmp(r->id, r->source, sl) && r->id[sl] == ':' && !strcmp(r->id + sl + 1, r->version))
		return NULL;
	snprintf(buf, size,
	         "strata_ledger row %.128s: its id is not its source and version (%.64s:%.64s)",
	         r->id, r->source, r->version);
	return buf;
}

static const struct check {
	wrong_fn wrong;
	fix fix;
} checks[] = {
	{no_id, FIX_DELETE},       {twice, FIX_KEY},  {null_column, FIX_MARK},
	{bad_state, FIX_MARK},     {bad_checksum, FIX_SUM}, {bad_id, FIX_MARK},
};

/* s as an SQL string literal's body (quotes doubled). */
static char *sql_text(const char *s)
{
	sbuf b = {0};
	for (; *s; s++) {
		sbuf_add(&b, s, 1);
		if (*s == '\'')
			sbuf_add(&b, s, 1);
	}
	return sbuf_take(&b);
}

static char *hint_for(const plan *p, fix f, const ledger_row *r)
{
	char *q = sql_text(r->id), *h;
	if (f == FIX_DELETE)
		h = xstrdup(r->nulls & 1u ? "delete it: DELETE FROM strata_ledger WHERE id IS NULL"
		                          : "delete it: DELETE FROM strata_ledger WHERE id = ''");
	else if (f == FIX_KEY)
		h = xasprintf("keep the row that is right and delete the others (SELECT * FROM "
		              "strata_ledger WHERE id = '%s'), then CREATE UNIQUE INDEX strata_ledger_id "
		              "ON strata_ledger (id)",
		              q);
	else if (f == FIX_SUM && ledger_find(p->lg, r->id))
		h = xasprintf("`strata repair %s` records the file's checksum again when its recorded "
		              "text or the live schema agrees; else `strata mark %s --applied`",
		              r->id, r->id);
	else if (ledger_find(p->lg, r->id))
		h = xasprintf("record it again: `strata mark %s --applied` if it ran, `strata mark %s "
		              "--rolled-back` if it did not",
		              r->id, r->id);
	else
		h = xasprintf("its file is gone: DELETE FROM strata_ledger WHERE id = '%s'", q);
	free(q);
	return h;
}

/* Does `strata mark p->repair` name this row, and can it rewrite it? */
static bool repaired(const plan *p, fix f, const ledger_row *r)
{
	if (!p->repair || (f != FIX_MARK && f != FIX_SUM))
		return false;
	const migration *m = ledger_find(p->lg, r->id);
	return m && (!strcmp(m->info.id, p->repair) || !strcmp(m->info.version, p->repair) ||
	             (*m->info.name && !strcmp(m->info.name, p->repair)));
}

int plan_check_row(plan *p, db *d, ledger_row *rows, size_t n, size_t i)
{
	char buf[1024];
	const char *why = NULL;
	size_t c = 0;
	for (; c < sizeof checks / sizeof *checks && !why; c++)
		why = checks[c].wrong(rows, n, i, buf, sizeof buf);
	if (!why)
		return 0;
	fix f = checks[c - 1].fix;
	/* `strata repair`: the row is read, its checksum differs from the
	 * file's, and the migration is modified (repair decides). */
	bool sum = f == FIX_SUM || (checks[c - 1].wrong == null_column && rows[i].nulls == 1u << 4);
	if (sum && p->repair_sums && ledger_find(p->lg, rows[i].id))
		return 0;
	if (repaired(p, f, &rows[i])) {
		ledger_row_clear(&rows[i]);
		return 1;
	}
	char *hint = hint_for(p, f, &rows[i]);
	int rc = err_set(p->e, STRATA_ESTATE, STRATA_ECLASS_DB, d->display, 0, 0, hint, "%s", why);
	free(hint);
	return rc;
}

/* The first row refused, as the error (STRATA_ESTATE); a row `strata mark`
 * is about to rewrite is dropped from rows instead (not read at all). */
int plan_check_rows(plan *p, db *d, ledger_row *rows, size_t *n)
{
	size_t i = 0;
	while (i < *n) {
		int rc = plan_check_row(p, d, rows, *n, i);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			i++;
			continue;
		}
		memmove(&rows[i], &rows[i + 1], (*n - i - 1) * sizeof *rows);
		(*n)--;
	}
	return 0;
}

const char *plan_row_problem(const plan *p, const ledger_row *rows, size_t n, size_t i, char *buf,
                             size_t size, char **hint)
{
	*hint = NULL;
	for (size_t c = 0; c < sizeof checks / sizeof *checks; c++) {
		const char *why = checks[c].wrong(rows, n, i, buf, size);
		if (why) {
			*hint = hint_for(p, checks[c].fix, &rows[i]);
			return why;
		}
	}
	return NULL;
}
