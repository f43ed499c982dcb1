/*
 * Interrupting a command (the driver's cancel, ABI version 3).  The cancel
 * comes from a signal handler, where SQLite documents no call as safe
 * (sqlite3_interrupt only as safe from another thread), so it only sets a
 * flag.  While a migration script runs, a progress handler polls it every
 * SQLITE_DRV_PROGRESS_OPS virtual machine steps and makes the statement
 * under way fail with SQLITE_INTERRUPT; run() also looks before each
 * statement.  While waiting for another process's write lock (BEGIN
 * IMMEDIATE), the busy handler polls it between short sleeps.  The host's
 * own statements (ROLLBACK, the ledger rows) are never interrupted.
 */
#include "sqlite_int.h"

#define SQLITE_DRV_PROGRESS_OPS 1000
#define SQLITE_DRV_BUSY_SLEEP_MS 10

void sqlite_drv_cancel(strata_conn *conn)
{
	atomic_store(&conn->cancel_req, 1);
}

int sqlite_drv_cancelled(strata_conn *conn)
{
	return atomic_load(&conn->cancel_req);
}

static int progress(void *ud)
{
	return sqlite_drv_cancelled(ud);
}

void sqlite_drv_watch_cancel(strata_conn *conn, int on)
{
	if (on)
		sqlite3_progress_handler(conn->db, SQLITE_DRV_PROGRESS_OPS, progress, conn);
	else
		sqlite3_progress_handler(conn->db, 0, NULL, NULL);
}

/* sqlite3_busy_timeout's wait, in steps short enough to notice a cancel:
 * 0 gives up (SQLITE_BUSY), 1 tries again. */
static int busy(void *ud, int count)
{
	strata_conn *conn = ud;

	if (sqlite_drv_cancelled(conn) ||
	    (long)count * SQLITE_DRV_BUSY_SLEEP_MS >= (long)conn->busy_ms)
		return 0;
	sqlite3_sleep(SQLITE_DRV_BUSY_SLEEP_MS);
	return 1;
}

void sqlite_drv_set_busy(strata_conn *conn, int ms)
{
	conn->busy_ms = ms;
	sqlite3_busy_handler(conn->db, busy, conn);
}
