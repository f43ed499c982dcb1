/* status: the folders and the database read side by side, then the plan. */
#include "plan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The database side of status, run beside the folder scan. */
typedef struct status_db {
	plan *p;
	const char *url;
	db d;
	ledger_row *rows;
	size_t n;
	int rc;
	err_slot err; /* its own error: the folder scan sets the handle's meanwhile */
	plugin aside; /* the driver, loaded here rather than before the scan */
	bool threaded;
	/* The rows are read once the folders are (scanned set, under mu):
	 * connecting overlaps the scan, and the rows of a long history are not
	 * held beside the scan's own memory (100,000 rows are 30 MB). */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool scanned, scan_failed;
	bool streamed; /* the rows went into the plan as they came (stream_rows) */
	int ledger_exists; /* db_table_exists(strata_ledger), asked beside the scan */
} status_db;

/* The rows of one id (one row, unless the table lost its key), held until
 * a row of the next id comes: then each is checked and goes into the plan. */
typedef struct row_run {
	plan *p;
	db *d;
	ledger_row *v;
	size_t n, cap;
} row_run;

static int run_flush(row_run *w)
{
	int rc = 0;
	size_t i = 0;
	while (!rc && i < w->n) {
		int c = plan_check_row(w->p, w->d, w->v, w->n, i);
		if (c < 0) {
			rc = c;
		} else if (c == 1) { /* dropped (cleared) */
			memmove(&w->v[i], &w->v[i + 1], (w->n - i - 1) * sizeof *w->v);
			w->n--;
		} else {
			plan_row_apply(w->p, &w->v[i++]);
		}
	}
	for (size_t k = 0; k < w->n; k++)
		ledger_row_clear(&w->v[k]);
	w->n = 0;
	return rc;
}

static int run_add(void *ud, ledger_row *r)
{
	row_run *w = ud;
	if (w->n && strcmp(w->v[0].id, r->id)) {
		int rc = run_flush(w);
		if (rc < 0)
			return rc;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4;
		w->v = xrealloc(w->v, w->cap * sizeof *w->v);
	}
	w->v[w->n++] = *r;
	memset(r, 0, sizeof *r);
	return 0;
}

/* strata_ledger's rows into the plan as they are read, once the folders
 * are: a long history's rows are never all held at once.  What the plan
 * refuses leaves it as plan_from_rows would (nothing applied). */
static int stream_rows(status_db *sd)
{
	plan *p = sd->p;
	plan_rows_begin(p);
	row_run w = {.p = p, .d = &sd->d};
	int rc = ledger_table_each(&sd->d, sd->ledger_exists, false, run_add, &w);
	if (!rc)
		rc = run_flush(&w);
	for (size_t k = 0; k < w.n; k++)
		ledger_row_clear(&w.v[k]);
	free(w.v);
	if (rc)
		plan_rows_begin(p);
	sd->streamed = !rc;
	return rc;
}

/* The main thread's scan is over (failed: the rows are not wanted). */
static void scan_done(status_db *sd, bool failed)
{
	pthread_mutex_lock(&sd->mu);
	sd->scanned = true;
	sd->scan_failed = failed;
	pthread_cond_signal(&sd->cv);
	pthread_mutex_unlock(&sd->mu);
}

/* In the thread: wait for the scan; true when the rows are wanted. */
static bool wait_scan(status_db *sd)
{
	if (!sd->threaded)
		return true;
	pthread_mutex_lock(&sd->mu);
	while (!sd->scanned)
		pthread_cond_wait(&sd->cv, &sd->mu);
	bool want = !sd->scan_failed;
	pthread_mutex_unlock(&sd->mu);
	return want;
}

static void *open_and_read(void *arg)
{
	status_db *sd = arg;
	const char *url = sd->url;
	loader *L = sd->p->L;
	err_redirect(sd->p->e, &sd->err);
	/* Only reads of the handle's plugin list here: the main thread adds none
	 * while it scans (its sources' plugins are loaded). */
	const plugin *drv = loader_find_scheme(L, url);
	if (!drv && sd->threaded && loader_load_driver_aside(L, url, &sd->aside))
		drv = &sd->aside;
	if (drv)
		sd->rc = db_open(&sd->d, L, url, true, drv);
	else if (!sd->threaded)
		sd->rc = db_open(&sd->d, L, url, true, NULL);
	else
		sd->rc = 1; /* no driver found aside: the main thread opens after the join */
	/* The trackers' tables first, beside the scan, their answers kept for
	 * after it (track_read_ahead: only worth it on a thread of its own);
	 * strata_ledger's rows once the scan is done, folded into the plan as
	 * they come (stream_rows). */
	if (sd->threaded && !sd->rc && sd->d.conn) {
		track_read_ahead(L, &sd->d);
		/* Whether strata_ledger is there does not depend on the scan:
		 * asked now, its round trip is not on the way after it. */
		sd->ledger_exists = db_table_exists(&sd->d, "strata_ledger");
	}
	if (wait_scan(sd) && !sd->rc && sd->d.conn)
		sd->rc = sd->threaded ? stream_rows(sd)
		                      : ledger_table_read(&sd->d, false, &sd->rows, &sd->n);
	err_redirect(sd->p->e, NULL);
	return NULL;
}

/* Reading the folders and connecting to the database do not depend on each
 * other and take about as long (a server forks a backend per connection), so
 * they overlap: status answers in the longer of the two, not their sum. */
int plan_status(plan *p, const char *url, size_t counts[STRATA_STATE_COUNT],
                size_t *out_of_order)
{
	/* The sources' plugins before the threads (loading changes the handle),
	 * and the trackers' (binding loads the plugin that reads tracker
	 * descriptors, which moves the plugin list under the database thread's
	 * feet); the driver is loaded by the database thread, beside the scan. */
	int rc = loader_load_url(p->L, NULL);
	if (!rc)
		rc = loader_leave_out(p->L, url);
	if (!rc)
		rc = loader_bind_trackers(p->L);
	if (rc)
		return rc;
	status_db sd = {.p = p, .url = url, .threaded = true};
	pthread_mutex_init(&sd.mu, NULL);
	pthread_cond_init(&sd.cv, NULL);
	pthread_t t;
	if (thread_beside(&t, open_and_read, &sd) != 0) {
		sd.threaded = false;
		open_and_read(&sd);
	}
	rc = sources_load(p->lg, p->L, url, false);
	if (sd.threaded) {
		scan_done(&sd, rc != 0);
		pthread_join(t, NULL);
	}
	pthread_cond_destroy(&sd.cv);
	pthread_mutex_destroy(&sd.mu);
	if (sd.aside.handle) {
		const plugin *kept = loader_adopt_driver(p->L, &sd.aside);
		if (sd.d.conn && kept)
			sd.d.plugin = kept;
	}
	if (sd.rc == 1) { /* the driver is not where the aside load looks */
		err_slot_free(&sd.err);
		sd.threaded = false;
		open_and_read(&sd);
	}
	/* A folder's error comes before the database's. */
	if (!rc && sd.rc) {
		rc = sd.rc;
		err_restore(p->e, &sd.err);
	}
	err_slot_free(&sd.err);
	if (!rc && sd.streamed)
		rc = plan_rows_end(p, &sd.d);
	else if (!rc)
		rc = plan_from_rows(p, &sd.d, sd.rows, sd.n);
	else
		ledger_rows_free(sd.rows, sd.n);
	/* The recorded text only of what differs from its file (the diff). */
	for (size_t i = 0; !rc && sd.d.conn && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		int got = 0;
		if (m->info.state == STRATA_MODIFIED && !m->recorded_script) {
			char *text = NULL;
			got = ledger_table_script(&sd.d, m->info.id, &text);
			m->recorded_script = arena_take(&p->mem, text);
		}
		rc = got < 0 ? got : 0;
	}
	db_close(&sd.d);
	if (rc)
		return rc;
	if (counts)
		memset(counts, 0, STRATA_STATE_COUNT * sizeof *counts);
	size_t ooo = 0;
	for (size_t i = 0; i < plan_count(p); i++) {
		const strata_migration_info *in = plan_get(p, i);
		if (counts)
			counts[in->state]++;
		ooo += in->out_of_order;
	}
	if (out_of_order)
		*out_of_order = ooo;
	return 0;
}
