/*
 * Prisma's own migration lock.  `prisma migrate deploy` and `resolve` hold
 * pg_advisory_lock(72707369) on PostgreSQL for their whole run; strata takes
 * the same key for its write commands (after its own lock), so a running
 * Prisma and strata never interleave.  SQLite needs nothing: its write lock
 * already serializes the two.
 */
#include <string.h>
#include <time.h>

#include "prisma_int.h"

#define PR_LOCK_KEY "72707369"

static int is_postgres(strata_host *h)
{
	const char *d = h->db_dialect(h);
	return d && !strcmp(d, "postgresql");
}

static int took(void *ud, int ncols, const char *const *values)
{
	*(int *)ud = ncols > 0 && values[0] && !strcmp(values[0], "t");
	return STRATA_STOP;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Polls pg_try_advisory_lock, like strata's own lock, so the wait honours
 * strata's lock timeout. */
int pr_lock(strata_host *h, const strata_source_cfg *cfg, long timeout_ms)
{
	(void)cfg;
	if (!is_postgres(h))
		return STRATA_OK;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int ok = 0;
		int rc = h->db_query(h, "SELECT pg_catalog.pg_try_advisory_lock(" PR_LOCK_KEY ")",
		                     NULL, 0, took, &ok);
		if (rc < 0)
			return rc;
		if (ok)
			return STRATA_OK;
		if (timeout_ms >= 0 && elapsed_ms(&start) >= timeout_ms) {
			h->error(h, STRATA_ECLASS_LOCK, NULL, 0, 0,
			         "wait for `prisma migrate` to finish, or raise --lock-timeout",
			         "could not take Prisma's migration lock (advisory lock " PR_LOCK_KEY
			         ") within %ld ms: Prisma Migrate is running", timeout_ms);
			return STRATA_EBUSY;
		}
		struct timespec pause = {0, 50 * 1000000L};
		nanosleep(&pause, NULL);
	}
}

int pr_unlock(strata_host *h, const strata_source_cfg *cfg)
{
	(void)cfg;
	if (!is_postgres(h))
		return STRATA_OK;
	return h->db_query(h, "SELECT pg_catalog.pg_advisory_unlock(" PR_LOCK_KEY ")", NULL, 0,
	                   NULL, NULL);
}
