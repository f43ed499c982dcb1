/*
 * The tracker's read(): one state per migration_name from _prisma_migrations.
 * Several rows per name are normal (a failed attempt, rolled back, then a
 * successful deploy): the newest row (by started_at) that is not rolled back
 * decides, as in Prisma, where a name counts as applied when it has a row
 * with rolled_back_at NULL.  That row is
 *   finished_at set                       applied (a resolve --applied row,
 *                                         logs '' and 0 steps, is applied too)
 *   finished_at NULL                      failed (or still running)
 * and a name whose rows are all rolled back is rolled_back.  An applied row
 * whose checksum does not match the file by Prisma's rule is modified.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prisma_int.h"

/* The name being grouped and its deciding row so far (copies: row values
 * live only during the callback). */
typedef struct group {
	strata_host *h;
	int dirfd;             /* the migrations folder, for the checksum rule */
	bool queries_only;     /* STRATA_WANT_QUERIES_ONLY: no file is read */
	char *name;
	char *checksum;        /* of the deciding row */
	char *finished_at;
	char *logs;            /* of the deciding row: Prisma's failure text */
	bool has_live;         /* a row with rolled_back_at NULL was seen */
	int rc;
} group;

/* Ready for the next name. */
static void group_clear(group *g)
{
	free(g->name);
	free(g->checksum);
	free(g->finished_at);
	free(g->logs);
	g->name = g->checksum = g->finished_at = g->logs = NULL;
	g->has_live = false;
}

typedef struct as_scanned {
	const char *name, *stored;
	bool same;
} as_scanned;

static int same_sum(void *ud, const strata_mig_info *mi)
{
	as_scanned *a = ud;
	if (!mi->mig_version || strcmp(mi->mig_version, a->name))
		return 0;
	a->same = mi->checksum && !strcmp(mi->checksum, a->stored);
	return STRATA_STOP;
}

/* Is the stored checksum the SHA-256 of the file as the host's scan read it
 * (its migration's checksum, lowercase hex as Prisma writes it)?  Then the
 * file matches by Prisma's first rule without being read again. */
static bool as_scanned_matches(group *g)
{
	as_scanned a = {.name = g->name, .stored = g->checksum};
	if (strlen(g->checksum) != 64 || !STRATA_HAS(strata_host, g->h, each_migration_near) ||
	    !g->h->each_migration_near)
		return false;
	return g->h->each_migration_near(g->h, g->name, same_sum, &a) >= 0 && a.same;
}

/* Prisma compares the file as it is now; a file that is gone is a question
 * for the host (it knows no such migration and ignores the row). */
static bool modified(group *g)
{
	char rel[4096], *text;
	size_t len;
	if (g->queries_only || as_scanned_matches(g))
		return false;
	snprintf(rel, sizeof rel, "%s/migration.sql", g->name);
	if (g->dirfd < 0 || strchr(g->name, '/') || !strcmp(g->name, "..") ||
	    strata_read_file(g->h, g->dirfd, rel, NULL, &text, &len) != STRATA_OK)
		return false;
	bool yes = !pr_checksum_matches(g->h, text, len, g->checksum);
	free(text);
	if (yes)
		g->h->warn(g->h, rel, 0,
		           "modified after it was applied: its checksum differs from the one "
		           "recorded in " PR_TABLE);
	return yes;
}

/* Report the finished group to the host, one row per name. */
static int flush(group *g)
{
	if (!g->name)
		return STRATA_OK;
	char when[64];
	strata_track_state st = STRATA_TRACK_ROLLED_BACK;
	if (g->has_live && !g->finished_at)
		st = STRATA_TRACK_FAILED;
	else if (g->has_live)
		st = modified(g) ? STRATA_TRACK_MODIFIED : STRATA_TRACK_APPLIED;
	if (g->has_live && g->finished_at)
		pr_time_from_db(g->finished_at, when, sizeof when);
	strata_track_row row = {
		.version = STRATA_TRACK_ROW_VERSION,
		.struct_size = sizeof row,
		.mig_version = g->name,
		.state = strata_track_state_name(st),
		.checksum = g->has_live ? g->checksum : NULL,
		.finished_at = g->has_live && g->finished_at ? when : NULL,
		.error = st == STRATA_TRACK_FAILED && g->logs && *g->logs ? g->logs : NULL,
	};
	int rc = g->h->track_row(g->h, &row);
	group_clear(g);
	return rc;
}

/* strdup that keeps SQL NULL as NULL. */
static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The columns Prisma declares NOT NULL, as the query below selects them: a
 * NULL there is a row Prisma never wrote, and is not guessed at. */
static const struct {
	int col;
	const char *name;
} required[] = {{5, "id"}, {0, "migration_name"}, {1, "checksum"}, {6, "started_at"}};

static int refuse_null(group *g, const char *const *v)
{
	for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
		if (v[required[i].col])
			continue;
		char hint[1024], row[600];
		if (v[5])
			snprintf(row, sizeof row, "row id '%.64s' (migration '%.255s')", v[5],
			         v[0] ? v[0] : "NULL");
		else
			snprintf(row, sizeof row, "row of migration '%.255s'", v[0] ? v[0] : "NULL");
		if (v[5])
			snprintf(hint, sizeof hint,
			         "delete it (DELETE FROM \"" PR_TABLE "\" WHERE id = '%.64s') and record "
			         "the migration again (`prisma migrate resolve --applied NAME`, or "
			         "`strata baseline`)",
			         v[5]);
		else
			snprintf(hint, sizeof hint,
			         "delete it (DELETE FROM \"" PR_TABLE "\" WHERE id IS NULL) and record the "
			         "migration again (`prisma migrate resolve --applied NAME`, or "
			         "`strata baseline`)");
		g->h->error(g->h, STRATA_ECLASS_DB, NULL, 0, 0, hint,
		            PR_TABLE " %s: %s is NULL, which Prisma never writes", row,
		            required[i].name);
		g->rc = STRATA_ESTATE;
		return STRATA_STOP;
	}
	return 0;
}

/* Rows come ordered by name, then started_at: a later live row replaces the
 * deciding one. */
static int on_row(void *ud, int ncols, const char *const *v)
{
	group *g = ud;
	if (ncols < 7)
		return 0;
	if (refuse_null(g, v))
		return STRATA_STOP;
	if (g->name && strcmp(g->name, v[0]) && (g->rc = flush(g)) < 0)
		return STRATA_STOP;
	if (!g->name && !(g->name = strdup(v[0]))) {
		g->rc = strata_oom(g->h);
		return STRATA_STOP;
	}
	if (v[3]) /* rolled_back_at set */
		return 0;
	free(g->checksum);
	free(g->finished_at);
	free(g->logs);
	g->checksum = dup_or_null(v[1] ? v[1] : "");
	g->finished_at = dup_or_null(v[2]);
	g->logs = dup_or_null(v[4]);
	g->has_live = true;
	if (!g->checksum || (v[2] && !g->finished_at) || (v[4] && !g->logs)) {
		g->rc = strata_oom(g->h);
		return STRATA_STOP;
	}
	return 0;
}

static int first_id(void *ud, int ncols, const char *const *v)
{
	char **id = ud;
	id[0] = ncols > 1 && v[0] ? strdup(v[0]) : NULL;
	id[1] = ncols > 1 && v[1] ? strdup(v[1]) : NULL;
	return STRATA_STOP;
}

/* id is the table's primary key: one id on two rows is a table Prisma did
 * not make, and which row holds would be a guess. */
static int refuse_twice(strata_host *h)
{
	char *id[2] = {NULL, NULL};
	int rc = h->db_query(h,
	                     "SELECT \"id\", count(*) FROM \"" PR_TABLE "\" WHERE \"id\" IS NOT NULL "
	                     "GROUP BY \"id\" HAVING count(*) > 1 ORDER BY \"id\"",
	                     NULL, 0, first_id, &id);
	if (rc < 0 || !id[0] || !id[1]) {
		free(id[0]);
		free(id[1]);
		return rc < 0 ? rc : id[0] || id[1] ? strata_oom(h) : 0;
	}
	char hint[512];
	snprintf(hint, sizeof hint,
	         "keep the row that is right and delete the others (SELECT * FROM \"" PR_TABLE
	         "\" WHERE id = '%.64s' shows them)",
	         id[0]);
	h->error(h, STRATA_ECLASS_DB, NULL, 0, 0, hint,
	         PR_TABLE ": id '%.64s' is on %s rows (id is no longer the primary key)", id[0],
	         id[1]);
	free(id[0]);
	free(id[1]);
	return STRATA_ESTATE;
}

/* The lock file is checked here because only now is the database known.  A
 * missing table is said (STRATA_ENOTFOUND, STRATA_TRACKER_SAYS_MISSING). */
int pr_read(strata_host *h, const strata_source_cfg *cfg)
{
	int rc = pr_check_provider(h, cfg);
	if (rc < 0)
		return rc;
	rc = h->db_table_exists(h, PR_TABLE);
	if (rc <= 0)
		return rc < 0 ? rc : STRATA_ENOTFOUND;
	if ((rc = refuse_twice(h)))
		return rc;
	group g = { .h = h, .dirfd = open(cfg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
	            .queries_only = cfg->want & STRATA_WANT_QUERIES_ONLY };
	rc = h->db_query(h,
	                 "SELECT \"migration_name\", \"checksum\", \"finished_at\", \"rolled_back_at\", "
	                 "\"logs\", \"id\", \"started_at\" "
	                 "FROM \"" PR_TABLE "\" ORDER BY \"migration_name\", \"started_at\"",
	                 NULL, 0, on_row, &g);
	if (rc >= 0 && g.rc >= 0)
		rc = flush(&g);
	else if (g.rc < 0)
		rc = g.rc;
	group_clear(&g);
	if (g.dirfd >= 0)
		close(g.dirfd);
	return rc < 0 ? rc : STRATA_OK;
}
