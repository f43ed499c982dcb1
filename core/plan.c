/* The plan: the ledger set against what the database records.  strata_ledger
 * is the primary record; a native tracker's rows count for migrations strata
 * has no row for (a history applied by the native tool). */
#include "strata_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[STRATA_STATE_COUNT] = {
	"pending", "applied", "baselined", "failed", "modified", "missing", "rolled_back",
};

const char *strata_state_name(strata_state st)
{
	return (unsigned)st < STRATA_STATE_COUNT ? state_names[st] : "unknown";
}

static void reset(strata *s)
{
	for (size_t i = 0; i < s->nmigs; i++) {
		strata_migration_info *in = &s->migs[i]->info;
		free((char *)in->applied_at);
		free((char *)in->applied_by);
		free((char *)in->error);
		in->applied_at = in->applied_by = in->error = NULL;
		in->state = STRATA_PENDING;
		in->out_of_order = in->native_only = 0;
		in->execution_ms = -1;
		s->migs[i]->native = STRATA_PENDING;
		s->migs[i]->apply_failed = false;
		s->migs[i]->ledger_baselined = false;
		free(s->migs[i]->native_finished);
		s->migs[i]->native_finished = NULL;
	}
	for (size_t i = 0; i < s->nmissing; i++)
		migration_free(s->missing[i]);
	free(s->missing);
	s->missing = NULL;
	s->nmissing = 0;
}

/* A row whose file is gone: kept as a "missing" entry so status can show it
 * and `mark --rolled-back` can clear it. */
void plan_add_missing(strata *s, ledger_row *r)
{
	migration *m = xcalloc(1, sizeof *m);
	m->info.id = xstrdup(r->id);
	m->info.source = xstrdup(r->source);
	m->info.format = xstrdup("");
	m->info.version = xstrdup(r->version);
	m->info.name = xstrdup(r->name);
	snprintf(m->checksum, sizeof m->checksum, "%s", r->checksum);
	m->info.checksum = m->checksum;
	m->info.state = STRATA_MISSING;
	m->info.applied_at = xstrdup(r->finished_at);
	m->info.applied_by = xstrdup(r->applied_by);
	m->info.execution_ms = r->execution_ms;
	m->vnorm = version_normalize(r->version);
	m->src = (size_t)-1;
	for (size_t i = 0; i < s->cfg.nsources; i++)
		if (!strcmp(s->cfg.sources[i].name, r->source))
			m->src = i;
	s->missing = xrealloc(s->missing, (s->nmissing + 1) * sizeof *s->missing);
	s->missing[s->nmissing++] = m;
}

int plan_compute(strata *s, db *d)
{
	ledger_row *rows = NULL;
	size_t n = 0;
	int rc = d->conn ? ledger_table_read(d, &rows, &n) : 0;
	return rc < 0 ? rc : plan_from_rows(s, d, rows, n);
}

/* The plan from strata_ledger rows already read (consumed), then the native
 * trackers' rows. */
int plan_from_rows(strata *s, db *d, ledger_row *rows, size_t n)
{
	reset(s);
	if (!d->conn) {
		ledger_rows_free(rows, n);
		return 0;
	}
	int rc;
	for (size_t i = 0; i < n; i++) {
		ledger_row *r = &rows[i];
		migration *m = ledger_find(s, r->id);
		bool done = !strcmp(r->state, "applied") || !strcmp(r->state, "baselined");
		/* running / rolling_back: interrupted; rollback_failed: a down script
		 * failed outside a transaction.  All are failed; only a plain failed
		 * apply may be retried (when it ran in a transaction). */
		bool failed = !strcmp(r->state, "failed") || !strcmp(r->state, "running") ||
		              !strcmp(r->state, "rolling_back") || !strcmp(r->state, "rollback_failed");
		if (!m) {
			if (done || failed)
				plan_add_missing(s, r);
			continue;
		}
		strata_migration_info *in = &m->info;
		if (done)
			in->state = strcmp(r->checksum, m->checksum)
				? STRATA_MODIFIED
				: (!strcmp(r->state, "applied") ? STRATA_APPLIED : STRATA_BASELINED);
		else if (failed)
			in->state = STRATA_FAILED;
		else if (!strcmp(r->state, "rolled_back"))
			in->state = STRATA_ROLLED_BACK;
		m->apply_failed = !strcmp(r->state, "failed");
		m->ledger_baselined = !strcmp(r->state, "baselined");
		in->applied_at = xstrdup(r->finished_at);
		in->applied_by = xstrdup(r->applied_by);
		in->execution_ms = r->execution_ms;
		if (failed)
			in->error = r->error ? xstrdup(r->error)
			                     : xstrdup("interrupted while running (no error recorded)");
	}
	ledger_rows_free(rows, n);

	rc = track_read(s, d);
	if (rc < 0)
		return rc;
	size_t last_done = 0;
	bool any_done = false;
	for (size_t i = 0; i < s->nmigs; i++) {
		migration *m = s->migs[i];
		if (m->info.state == STRATA_PENDING && m->native != STRATA_PENDING &&
		    m->native != STRATA_ROLLED_BACK) {
			m->info.state = m->native == STRATA_FAILED || m->native == STRATA_MODIFIED
			                        ? m->native
			                        : STRATA_APPLIED;
			m->info.native_only = 1;
			if (m->native_finished && !m->info.applied_at)
				m->info.applied_at = xstrdup(m->native_finished);
		}
		/* The format's own checksum rule is the authority on its files:
		 * Prisma accepts a migration.sql whose line endings changed, so a
		 * tracker that says "applied" overrides strata's byte-exact check. */
		if (m->info.state == STRATA_MODIFIED && m->native == STRATA_APPLIED)
			m->info.state = m->ledger_baselined ? STRATA_BASELINED : STRATA_APPLIED;
		strata_state st = m->info.state;
		if (st == STRATA_APPLIED || st == STRATA_BASELINED || st == STRATA_MODIFIED ||
		    st == STRATA_FAILED) {
			last_done = i;
			any_done = true;
		}
	}
	/* Out of order: pending behind something applied.  In a graph (Alembic)
 * a pending sibling branch is normal; only a pending ancestor of something
 * applied is out of order. */
	unsigned char *below_done = xcalloc(s->nmigs + 1, 1);
	for (size_t i = s->nmigs; i-- > 0;) {
		migration *m = s->migs[i];
		strata_state st = m->info.state;
		bool done = st != STRATA_PENDING && st != STRATA_ROLLED_BACK;
		if (m->info.graph && (done || below_done[m->seq]))
			for (size_t k = 0; m->pm && m->pm[k]; k++)
				if (m->pm[k]->seq < s->nmigs)
					below_done[m->pm[k]->seq] = 1;
	}
	for (size_t i = 0; any_done && i < last_done; i++) {
		migration *m = s->migs[i];
		if (m->info.state == STRATA_PENDING && (!m->info.graph || below_done[m->seq]))
			m->info.out_of_order = 1;
	}
	free(below_done);
	return 0;
}

/* The database side of status, run beside the folder scan. */
typedef struct status_db {
	strata *s;
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
	const char *url = strata_database_url(sd->s);
	err_redirect(sd->s, &sd->err);
	/* Only reads of the handle's plugin list here: the main thread adds none
	 * while it scans (its sources' plugins are loaded). */
	const plugin *drv = loader_find_scheme(sd->s, url);
	if (!drv && sd->threaded && loader_load_driver_aside(sd->s, url, &sd->aside))
		drv = &sd->aside;
	if (drv)
		sd->rc = db_open_with(sd->s, url, true, &sd->d, drv);
	else if (!sd->threaded)
		sd->rc = db_open(sd->s, url, true, &sd->d);
	else
		sd->rc = 1; /* no driver found aside: the main thread opens after the join */
	if (!sd->rc && sd->d.conn)
		sd->rc = ledger_table_read(&sd->d, &sd->rows, &sd->n);
	err_redirect(sd->s, NULL);
	return NULL;
}

/* Reading the folders and connecting to the database do not depend on each
 * other and take about as long (a server forks a backend per connection), so
 * they overlap: status answers in the longer of the two, not their sum. */
int strata_status(strata *s, size_t counts[STRATA_STATE_COUNT], size_t *out_of_order)
{
	err_clear(s);
	/* The sources' plugins before the threads (loading changes the handle);
	 * the driver is loaded by the database thread, beside the scan. */
	int rc = loader_load_url(s, NULL);
	if (rc)
		return rc;
	status_db sd = {.s = s, .threaded = true};
	pthread_t t;
	if (thread_beside(&t, open_and_read, &sd) != 0) {
		sd.threaded = false;
		open_and_read(&sd);
	}
	rc = ledger_load(s);
	if (sd.threaded)
		pthread_join(t, NULL);
	if (sd.aside.handle) {
		const plugin *kept = loader_adopt_driver(s, &sd.aside);
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
		err_restore(s, &sd.err);
	}
	err_slot_free(&sd.err);
	if (!rc)
		rc = plan_from_rows(s, &sd.d, sd.rows, sd.n);
	else
		ledger_rows_free(sd.rows, sd.n);
	db_close(&sd.d);
	if (rc)
		return rc;
	if (counts)
		memset(counts, 0, STRATA_STATE_COUNT * sizeof *counts);
	size_t ooo = 0;
	for (size_t i = 0; i < strata_migration_count(s); i++) {
		const strata_migration_info *in = strata_migration_get(s, i);
		if (counts)
			counts[in->state]++;
		ooo += in->out_of_order;
	}
	if (out_of_order)
		*out_of_order = ooo;
	return 0;
}
