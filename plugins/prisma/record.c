/*
 * The tracker's record(): write the _prisma_migrations rows Prisma itself
 * would have written for the same change, inside the host's transaction.
 *
 *   running      deploy's first INSERT (id, checksum, started_at, name):
 *                finished_at NULL, logs NULL, 0 steps, before a script that
 *                runs outside a transaction
 *   applied      that row finished (steps + 1, finished_at), or, when there is
 *                none, the finished deploy row in one INSERT; earlier failed
 *                rows of the name are marked rolled back first, as
 *                `migrate resolve --applied` does, or deploy would refuse
 *                (P3009) a migration strata has since applied
 *   baselined    `migrate resolve --applied`: failed rows rolled back, then
 *                logs '', started_at = finished_at, 0 steps
 *   failed       the running row gets the error as logs, or a failed row
 *                (finished_at NULL, logs = error) is inserted
 *   rolled_back  rolled_back_at = now on every row of the name that has none:
 *                `migrate resolve --rolled-back` for a failed row, and for an
 *                applied one (strata rollback ran its down script) the row
 *                deploy will then re-apply, which is what is true
 *   repaired     `strata repair`: the checksum of every row of the name that
 *                is not rolled back becomes the file's (what `migrate dev`
 *                would otherwise call an edited migration)
 * Other states (rolling_back, rollback_failed) have no Prisma equivalent and
 * leave the table alone: the migration stays applied for Prisma.
 */
#include <stdio.h>
#include <string.h>

#include "prisma_int.h"

#define Q "\"" PR_TABLE "\""
#define LIVE_FAILED "\"finished_at\" IS NULL AND \"rolled_back_at\" IS NULL"

typedef struct rec {
	strata_host *h;
	const strata_track_event *ev;
	const char *sum;
	char started[64], finished[64];
} rec;

/* Copies the first column of the first row (an id, 36 characters). */
static int first_col(void *ud, int ncols, const char *const *v)
{
	if (ncols > 0 && v[0])
		snprintf(ud, 40, "%s", v[0]);
	return STRATA_STOP;
}

/* Every value goes through the driver's $n parameters; out, when given,
 * receives the first column of the first row. */
static int query(rec *r, const char *sql, const char *const *p, int n, char *out)
{
	return r->h->db_query(r->h, sql, p, n, out ? first_col : NULL, out);
}

static int query_rows(rec *r, const char *sql, const char *const *p, int n, strata_row_fn fn,
                      void *ud)
{
	return r->h->db_query(r->h, sql, p, n, fn, ud);
}

/* The row a "running" event left: unfinished, not rolled back, no logs yet.
 * 1 found (its id in id), 0 none, < 0 error. */
static int running_row(rec *r, char id[40])
{
	const char *p[] = { r->ev->mig_version };
	id[0] = '\0';
	int rc = query(r,
	               "SELECT \"id\" FROM " Q " WHERE \"migration_name\" = $1 AND " LIVE_FAILED
	               " AND \"logs\" IS NULL ORDER BY \"started_at\" DESC",
	               p, 1, id);
	return rc < 0 ? rc : id[0] != '\0';
}

/* What a live unfinished row of the name is: the newest one without logs is
 * a "running" row (its id), any other is a failed attempt (counted). */
typedef struct unfinished {
	char running[40];
	int failed;
} unfinished;

static int collect_unfinished(void *ud, int ncols, const char *const *v)
{
	unfinished *u = ud;
	if (ncols >= 2 && v[0] && v[1] && !strcmp(v[1], "1") && !u->running[0])
		snprintf(u->running, sizeof u->running, "%s", v[0]);
	else
		u->failed++;
	return STRATA_OK;
}

/* One query for both questions an "applied" event asks (is there a running
 * row to finish, are there failed rows to roll back), as the common case has
 * neither and is one round trip cheaper this way. */
static int unfinished_rows(rec *r, unfinished *u)
{
	const char *p[] = { r->ev->mig_version };
	memset(u, 0, sizeof *u);
	return query_rows(r,
	                  "SELECT \"id\", CASE WHEN \"logs\" IS NULL THEN 1 ELSE 0 END FROM " Q
	                  " WHERE \"migration_name\" = $1 AND " LIVE_FAILED
	                  " ORDER BY \"started_at\" DESC",
	                  p, 1, collect_unfinished, u);
}

/* Is there a finished row of the name that is not rolled back (Prisma's
 * "already recorded as applied", P3008)? */
static int live_applied(rec *r)
{
	char id[40] = "";
	const char *p[] = { r->ev->mig_version };
	int rc = query(r,
	               "SELECT \"id\" FROM " Q " WHERE \"migration_name\" = $1 AND "
	               "\"finished_at\" IS NOT NULL AND \"rolled_back_at\" IS NULL",
	               p, 1, id);
	return rc < 0 ? rc : id[0] != '\0';
}

/* Failed rows of the name (other than keep, may be "") rolled back now. */
static int roll_back_failed(rec *r, const char *keep)
{
	const char *p[] = { r->finished, r->ev->mig_version, keep };
	return query(r,
	             "UPDATE " Q " SET \"rolled_back_at\" = $1 WHERE \"migration_name\" = $2 AND "
	             LIVE_FAILED " AND \"id\" <> $3",
	             p, 3, NULL);
}

/* Deploy's first statement, before the script runs: the row exists (and
 * shows as failed) even if the process dies half-way. */
static int insert_started(rec *r)
{
	char id[37];
	int rc = strata_uuid_v4(r->h, id);
	const char *p[] = { id, r->sum, r->started, r->ev->mig_version };
	return rc < 0 ? rc
	              : query(r,
	                      "INSERT INTO " Q " (\"id\", \"checksum\", \"started_at\", "
	                      "\"migration_name\") VALUES ($1, $2, $3, $4)",
	                      p, 4, NULL);
}

/* After a successful run: finish the running row if there is one (deploy's
 * two UPDATEs in one), else the finished deploy row in one INSERT. */
static int on_applied(rec *r)
{
	unfinished u;
	int rc = unfinished_rows(r, &u);
	if (rc >= 0 && u.failed)
		rc = roll_back_failed(r, u.running);
	if (rc < 0)
		return rc;
	if (u.running[0]) {
		const char *p[] = { r->finished, u.running };
		return query(r,
		             "UPDATE " Q " SET \"applied_steps_count\" = \"applied_steps_count\" + 1, "
		             "\"finished_at\" = $1 WHERE \"id\" = $2",
		             p, 2, NULL);
	}
	char nid[37];
	if ((rc = strata_uuid_v4(r->h, nid)) < 0)
		return rc;
	const char *p[] = { nid, r->sum, r->finished, r->ev->mig_version, r->started };
	return query(r,
	             "INSERT INTO " Q " (\"id\", \"checksum\", \"finished_at\", \"migration_name\", "
	             "\"logs\", \"rolled_back_at\", \"started_at\", \"applied_steps_count\") "
	             "VALUES ($1, $2, $3, $4, NULL, NULL, $5, 1)",
	             p, 5, NULL);
}

/* `migrate resolve --applied`: nothing if Prisma has it applied already
 * (P3008 there; here baseline is idempotent), else the resolve row. */
static int on_baselined(rec *r)
{
	int rc = live_applied(r);
	if (rc != 0)
		return rc < 0 ? rc : STRATA_OK; /* Prisma has it applied already */
	if ((rc = roll_back_failed(r, "")) < 0)
		return rc;
	char id[37];
	if ((rc = strata_uuid_v4(r->h, id)) < 0)
		return rc;
	const char *p[] = { id, r->sum, r->finished, r->ev->mig_version };
	return query(r,
	             "INSERT INTO " Q " (\"id\", \"checksum\", \"logs\", \"started_at\", "
	             "\"finished_at\", \"migration_name\") VALUES ($1, $2, '', $3, $3, $4)",
	             p, 4, NULL);
}

/* The error goes where deploy puts it: logs of the attempt's row. */
static int on_failed(rec *r)
{
	char id[40];
	const char *err = r->ev->error ? r->ev->error : "failed";
	int rc = running_row(r, id);
	if (rc < 0)
		return rc;
	if (id[0]) {
		const char *p[] = { err, id };
		return query(r, "UPDATE " Q " SET \"logs\" = $1 WHERE \"id\" = $2", p, 2, NULL);
	}
	char nid[37];
	if ((rc = strata_uuid_v4(r->h, nid)) < 0)
		return rc;
	const char *p[] = { nid, r->sum, r->started, r->ev->mig_version, err };
	return query(r,
	             "INSERT INTO " Q " (\"id\", \"checksum\", \"started_at\", \"migration_name\", "
	             "\"logs\") VALUES ($1, $2, $3, $4, $5)",
	             p, 5, NULL);
}

/* Nothing to mark when Prisma never recorded the name. */
static int on_rolled_back(rec *r)
{
	int rc = r->h->db_table_exists(r->h, PR_TABLE);
	if (rc <= 0)
		return rc;
	const char *p[] = { r->finished, r->ev->mig_version };
	return query(r,
	             "UPDATE " Q " SET \"rolled_back_at\" = $1 WHERE \"migration_name\" = $2 AND "
	             "\"rolled_back_at\" IS NULL",
	             p, 2, NULL);
}

/* The file's checksum on the rows Prisma reads (a rolled-back row keeps
 * the checksum of what it once ran). */
static int on_repaired(rec *r)
{
	int rc = r->h->db_table_exists(r->h, PR_TABLE);
	if (rc <= 0)
		return rc;
	const char *p[] = { r->sum, r->ev->mig_version };
	return query(r,
	             "UPDATE " Q " SET \"checksum\" = $1 WHERE \"migration_name\" = $2 AND "
	             "\"rolled_back_at\" IS NULL",
	             p, 2, NULL);
}

/* Timestamps in the dialect's encoding: Prisma uses the client clock, and so
 * does strata (the host's times), never the database's now(). */
static int prepare(rec *r)
{
	const strata_track_event *ev = r->ev;
	const char *start = ev->started_at ? ev->started_at : ev->finished_at;
	const char *end = ev->finished_at ? ev->finished_at : ev->started_at;
	bool sqlite = pr_is_sqlite(r->h);
	r->sum = ev->native_checksum ? ev->native_checksum : ev->checksum ? ev->checksum : "";
	if (!start || !ev->mig_version || pr_time_to_db(start, sqlite, r->started, sizeof r->started) < 0 ||
	    pr_time_to_db(end, sqlite, r->finished, sizeof r->finished) < 0) {
		r->h->error(r->h, STRATA_ECLASS_PLUGIN, NULL, 0, 0, NULL,
		            "prisma: malformed tracker event (version or timestamps)");
		return STRATA_EINVAL;
	}
	return STRATA_OK;
}

/* Only the states Prisma has a row shape for write; the table is created
 * on the first write, never for a rollback of something Prisma never saw. */
int pr_record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev)
{
	(void)cfg;
	rec r = { .h = h, .ev = ev };
	strata_track_state st = strata_track_state_of(ev->state);
	bool writes = st == STRATA_TRACK_RUNNING || st == STRATA_TRACK_APPLIED ||
	              st == STRATA_TRACK_BASELINED || st == STRATA_TRACK_FAILED;
	if (!writes && st != STRATA_TRACK_ROLLED_BACK && st != STRATA_TRACK_REPAIRED)
		return STRATA_OK;
	int rc = prepare(&r);
	if (rc == STRATA_OK && writes)
		rc = pr_table_ensure(h);
	if (rc < 0)
		return rc;
	switch (st) {
	case STRATA_TRACK_RUNNING: return insert_started(&r);
	case STRATA_TRACK_APPLIED: return on_applied(&r);
	case STRATA_TRACK_BASELINED: return on_baselined(&r);
	case STRATA_TRACK_FAILED: return on_failed(&r);
	case STRATA_TRACK_REPAIRED: return on_repaired(&r);
	default: return on_rolled_back(&r);
	}
}
