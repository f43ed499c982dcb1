/* status: the folders and the database read side by side, then the plan. */
#include "plan.h"

#include <pthread.h>
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
} status_db;

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
	if (!sd->rc && sd->d.conn)
		sd->rc = ledger_table_read(&sd->d, false, &sd->rows, &sd->n);
	/* The trackers' tables too, their answers kept for after the scan. */
	if (!sd->rc && sd->d.conn)
		track_read_ahead(L, &sd->d);
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
	pthread_t t;
	if (thread_beside(&t, open_and_read, &sd) != 0) {
		sd.threaded = false;
		open_and_read(&sd);
	}
	rc = sources_load(p->lg, p->L, url, false);
	if (sd.threaded)
		pthread_join(t, NULL);
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
	if (!rc)
		rc = plan_from_rows(p, &sd.d, sd.rows, sd.n);
	else
		ledger_rows_free(sd.rows, sd.n);
	/* The recorded text only of what differs from its file (the diff). */
	for (size_t i = 0; !rc && sd.d.conn && i < p->lg->nmigs; i++) {
		migration *m = p->lg->migs[i];
		int got = 0;
		if (m->info.state == STRATA_MODIFIED && !m->recorded_script)
			got = ledger_table_script(&sd.d, m->info.id, &m->recorded_script);
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
