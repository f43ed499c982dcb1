/*
 * A migration's transaction in few round trips, through the driver's
 * pipeline (plugin.h, driver version 6; PostgreSQL's is libpq's pipeline
 * mode).  Which call waits for the server and which is only queued:
 *
 *   queued   BEGIN; strata_ledger's row (ledger_table_write); a tracker's
 *            statement without rows (its INSERT, UPDATE, DELETE);
 *   sent     the script (with the BEGIN before it: the record that follows
 *            holds its outcome and its time, so it must be known first);
 *            any query whose rows or status the caller reads (a tracker's
 *            SELECT, the re-check of a row): with everything queued before
 *            it, in one round trip; COMMIT, with everything queued.
 *
 * Why the effects and the errors stay what they were, call by call: the
 * server runs the queued statements in the order they were queued, which
 * is the order the host made the calls; the first one that fails is
 * reported by the call that sends it exactly as the call that queued it
 * would have reported it (the driver keeps each statement's text, and
 * db_flush() hands a strata_ledger write's failure to ledger_table.c's
 * diagnosis, which is what its own call did); the server runs nothing
 * after a failure until the round trip ends, and the host then rolls back.
 * A deferred statement's caller (a tracker) got 0 and went on queuing
 * statements that the server skips; it returns the failure at its next
 * sync point, or db_commit() does, before anything is committed.
 */
#include "driver.h"

#include <stdlib.h>

/* Tags the host gives deferred statements start above the driver's. */
#define DB_PIPE_TAG0 16

struct db_pipe_slot {
	db_fail_fn on_fail;
};

void db_pipe(db *d)
{
	if (d->piped || !d->conn || !call_has_pipeline(d->plugin))
		return;
	err_saved k;
	err_save(d->e, &k);
	int rc = call_pipeline(&d->hc, d->plugin, d->conn, 1);
	err_restore(d->e, &k); /* cannot enter: every call is made on its own */
	d->piped = rc == 1;
	d->npipe = 0;
	d->pipe_begin_failed = false;
}

/* Leave; what is still queued is sent and dropped (a rollback follows). */
int db_unpipe(db *d)
{
	if (!d->piped)
		return 0;
	d->piped = false;
	d->npipe = 0;
	return call_pipeline(&d->hc, d->plugin, d->conn, 0);
}

/* Leave, keeping the error the caller is about to return (or none). */
int db_unpipe_keep(db *d)
{
	if (!d->piped)
		return 0;
	err_saved k;
	err_save(d->e, &k);
	int rc = db_unpipe(d);
	err_restore(d->e, &k);
	return rc;
}

int db_defer(db *d, const char *sql, const char *const *params, int n, db_fail_fn on_fail)
{
	if (d->npipe == d->pipe_cap) {
		d->pipe_cap = d->pipe_cap ? 2 * d->pipe_cap : 16;
		d->pipe_slots = xrealloc(d->pipe_slots, d->pipe_cap * sizeof *d->pipe_slots);
	}
	d->pipe_slots[d->npipe].on_fail = on_fail;
	int tag = DB_PIPE_TAG0 + (int)d->npipe++;
	return call_defer(&d->hc, d->plugin, d->conn, sql, params, n, NULL, NULL, tag);
}

/* A query whose rows or status its caller reads: sent with what is queued. */
int db_pipe_query(db *d, const char *sql, const char *const *params, int n, strata_row_fn fn,
                  void *ud)
{
	int tag = DB_PIPE_TAG0 + (int)d->npipe;
	int rc = call_defer(&d->hc, d->plugin, d->conn, sql, params, n, fn, ud, tag);
	if (rc < 0)
		return rc;
	if (d->npipe == d->pipe_cap) {
		d->pipe_cap = d->pipe_cap ? 2 * d->pipe_cap : 16;
		d->pipe_slots = xrealloc(d->pipe_slots, d->pipe_cap * sizeof *d->pipe_slots);
	}
	d->pipe_slots[d->npipe++].on_fail = NULL;
	return db_flush(d);
}

int db_flush(db *d)
{
	if (!d->piped)
		return 0;
	int tag = 0;
	int rc = call_flush(&d->hc, d->plugin, d->conn, &tag);
	db_fail_fn on_fail = NULL;
	if (rc < 0 && tag >= DB_PIPE_TAG0 && (size_t)(tag - DB_PIPE_TAG0) < d->npipe)
		on_fail = d->pipe_slots[tag - DB_PIPE_TAG0].on_fail;
	d->npipe = 0;
	d->pipe_begin_failed = rc < 0 && tag == STRATA_PIPE_BEGIN;
	if (rc < 0 && on_fail) {
		/* The diagnosis asks the server its own questions: out of the
		 * pipeline, in the failed transaction, as the call itself did. */
		db_unpipe_keep(d);
		rc = on_fail(d, rc);
	}
	return rc;
}

bool db_pipe_begin_failed(const db *d)
{
	return d->pipe_begin_failed;
}
