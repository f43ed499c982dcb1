/*
 * Interrupting a command (the driver's cancel, ABI version 3).  The cancel
 * handle is made once per connection, right after it opens: it holds the
 * backend's pid and cancel key, which do not change for the session, so the
 * signal handler that calls pgdrv_cancel finds it ready and allocates
 * nothing.  PQcancel is documented as safe to call from a signal handler;
 * it asks the server, on a connection of its own, to cancel whatever the
 * backend is running, which then fails with SQLSTATE 57014.  A cancel that
 * reaches an idle backend is dropped by the server, so run() and lock()
 * also look at the flag before each statement and each attempt.
 */
#include "postgres_int.h"

void pgdrv_cancel_prepare(strata_conn *conn)
{
	conn->cancel = PQgetCancel(conn->pg);
}

void pgdrv_cancel_free(strata_conn *conn)
{
	if (conn->cancel)
		PQfreeCancel(conn->cancel);
	conn->cancel = NULL;
}

/* From a signal handler: a store and PQcancel, nothing else. */
void pgdrv_cancel(strata_conn *conn)
{
	char errbuf[256];

	atomic_store(&conn->cancel_req, 1);
	if (conn->cancel)
		(void)PQcancel(conn->cancel, errbuf, sizeof errbuf);
}

/* Asked to stop: STRATA_EINTR with what stopped (the host words the
 * message the user sees). */
int pgdrv_stopped(strata_conn *conn, strata_host *host, const char *what)
{
	if (!atomic_load(&conn->cancel_req))
		return STRATA_OK;
	host->error(host, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "interrupted %s", what);
	return STRATA_EINTR;
}
