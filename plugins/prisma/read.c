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

/* Prisma compares the file as it is now; a file that is gone is a question
 * for the host (it knows no such migration and ignores the row). */
static bool modified(group *g)
{
	char rel[4096], *text;
	size_t len;
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

/* Rows come ordered by name, then started_at: a later live row replaces the
 * deciding one. */
static int on_row(void *ud, int ncols, const char *const *v)
{
	group *g = ud;
	if (ncols < 5 || !v[0])
		return 0;
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
	group g = { .h = h, .dirfd = open(cfg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
	rc = h->db_query(h,
	                 "SELECT \"migration_name\", \"checksum\", \"finished_at\", \"rolled_back_at\", "
	                 "\"logs\" "
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
