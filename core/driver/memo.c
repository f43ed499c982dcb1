/*
 * A read made ahead (status, core/plan/status.c).  The trackers' tables are
 * read on the database thread while the folders are scanned, before there
 * is a ledger to match their rows to: what each tracker asked (a query, a
 * table's existence) and what the database answered is kept here, and the
 * real read after the scan gets the same answers without a round trip.
 *
 * Why the answers are the ones the database would give: a question is
 * answered from the memo only while the real read asks exactly the
 * questions the read ahead asked (the same text and parameters), in the
 * same order; at the first one that differs the memo is dropped and that
 * question and every later one go to the database, as without it.  A
 * statement that is not a read (exec) ends the recording without being
 * sent, so nothing is ever run twice, and ends a replay before it is run.
 * A read ahead that failed keeps what it had before the failure.  The
 * command reads the database as it was a few milliseconds earlier, as it
 * already reads strata_ledger (on the same thread, just before).
 */
#include "driver.h"

#include <stdlib.h>
#include <string.h>

typedef enum { MEMO_QUERY, MEMO_EXISTS } memo_kind;

typedef struct memo_ans {
	memo_kind kind;
	char *sql; /* the query, or the table asked about */
	char **params;
	int nparams;
	int rc; /* table_exists's answer */
	int ncols;
	size_t nrows;
	char **vals; /* nrows * ncols, NULL for a NULL */
} memo_ans;

struct db_memo {
	bool replaying;
	bool done; /* recording ended */
	memo_ans *v;
	size_t n, cap, next;
};

static void ans_free(memo_ans *a)
{
	free(a->sql);
	for (int i = 0; i < a->nparams; i++)
		free(a->params[i]);
	free(a->params);
	for (size_t i = 0; i < a->nrows * (size_t)a->ncols; i++)
		free(a->vals[i]);
	free(a->vals);
}

void db_memo_free(db *d)
{
	struct db_memo *m = d->memo;
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		ans_free(&m->v[i]);
	free(m->v);
	free(m);
	d->memo = NULL;
}

void db_memo_record(db *d)
{
	db_memo_free(d);
	d->memo = xcalloc(1, sizeof *d->memo);
}

void db_memo_replay(db *d)
{
	if (!d->memo)
		return;
	if (!d->memo->n) {
		db_memo_free(d);
		return;
	}
	d->memo->replaying = true;
	d->memo->next = 0;
}

static memo_ans *push(struct db_memo *m, memo_kind kind, const char *sql,
                      const char *const *params, int n)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->v = xrealloc(m->v, m->cap * sizeof *m->v);
	}
	memo_ans *a = &m->v[m->n++];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	a->sql = xstrdup(sql);
	a->nparams = n > 0 ? n : 0;
	a->params = xcalloc((size_t)a->nparams + 1, sizeof *a->params);
	for (int i = 0; i < a->nparams; i++)
		a->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	return a;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The next answer, when it is to this very question; else the memo goes. */
static memo_ans *next_of(db *d, memo_kind kind, const char *sql, const char *const *params, int n)
{
	struct db_memo *m = d->memo;
	memo_ans *a = m->next < m->n ? &m->v[m->next] : NULL;
	bool same = a && a->kind == kind && !strcmp(a->sql, sql) && a->nparams == (n > 0 ? n : 0);
	for (int i = 0; same && i < a->nparams; i++)
		same = same_str(a->params[i], params[i]);
	if (!same) {
		db_memo_free(d);
		return NULL;
	}
	m->next++;
	return a;
}

struct db_memo_tap {
	memo_ans *a;
	strata_row_fn fn;
	void *ud;
	int rc; /* the caller's fn: 0 going on, STRATA_STOP or < 0 stopped */
	size_t cap;
};

bool db_memo_recording(const db *d)
{
	return d->memo && !d->memo->replaying && !d->memo->done;
}

db_memo_tap *db_memo_tap_new(db *d, const char *sql, const char *const *params, int n,
                             strata_row_fn fn, void *ud)
{
	db_memo_tap *t = xcalloc(1, sizeof *t);
	t->a = push(d->memo, MEMO_QUERY, sql, params, n);
	t->fn = fn;
	t->ud = ud;
	return t;
}

/* Every row kept; the caller's fn sees them as it would have. */
int db_memo_row(void *ud, int ncols, const char *const *values)
{
	db_memo_tap *t = ud;
	memo_ans *a = t->a;
	if (!a->nrows)
		a->ncols = ncols;
	if (ncols == a->ncols) {
		size_t need = (a->nrows + 1) * (size_t)ncols;
		if (need > t->cap) {
			t->cap = need * 2;
			a->vals = xrealloc(a->vals, t->cap * sizeof *a->vals);
		}
		for (int c = 0; c < ncols; c++)
			a->vals[a->nrows * (size_t)ncols + (size_t)c] = values[c] ? xstrdup(values[c]) : NULL;
		a->nrows++;
	}
	if (t->fn && t->rc == 0)
		t->rc = t->fn(t->ud, ncols, values);
	return 0;
}

int db_memo_tap_done(db *d, db_memo_tap *t, int rc)
{
	struct db_memo *m = d->memo;
	if (rc < 0 || t->rc < 0) { /* kept: what came before */
		ans_free(t->a);
		m->n--;
		m->done = true;
	}
	if (rc >= 0 && t->rc < 0)
		rc = t->rc;
	free(t);
	return rc;
}

int db_memo_query(db *d, const char *sql, const char *const *params, int n, strata_row_fn fn,
                  void *ud, int *rc)
{
	if (!d->memo || !d->memo->replaying)
		return 0;
	memo_ans *a = next_of(d, MEMO_QUERY, sql, params, n);
	if (!a)
		return 0;
	unsigned long before = err_serial(d->e);
	int r = 0;
	for (size_t i = 0; fn && i < a->nrows; i++) { /* as the drivers hand rows */
		r = fn(ud, a->ncols, (const char *const *)&a->vals[i * (size_t)a->ncols]);
		if (r == STRATA_STOP || r < 0)
			break;
	}
	if (r < 0 && err_serial(d->e) == before) /* as call_query() would leave it */
		err_set(d->e, r, STRATA_ECLASS_DB, d->display, 0, 0, NULL,
		        "query failed: plugin %s failed and gave no reason", d->plugin->desc->name);
	else if (r < 0)
		err_stamp(d->e, r);
	*rc = r < 0 ? r : 0;
	return 1;
}

int db_memo_table_exists(db *d, const char *table, int *rc)
{
	if (!d->memo || !d->memo->replaying)
		return 0;
	memo_ans *a = next_of(d, MEMO_EXISTS, table, NULL, 0);
	if (!a)
		return 0;
	*rc = a->rc;
	return 1;
}

void db_memo_table_exists_kept(db *d, const char *table, int rc)
{
	if (!db_memo_recording(d))
		return;
	if (rc >= 0)
		push(d->memo, MEMO_EXISTS, table, NULL, 0)->rc = rc;
	else
		d->memo->done = true;
}

int db_memo_other(db *d)
{
	struct db_memo *m = d->memo;
	if (!m)
		return 0;
	if (m->replaying) {
		db_memo_free(d);
		return 0;
	}
	m->done = true;
	return err_set(d->e, STRATA_EINVAL, STRATA_ECLASS_DB, d->display, 0, 0, NULL,
	               "a tracker wrote while its table was read ahead");
}
