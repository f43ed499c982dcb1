/* The tracker: alembic_version, kept as Alembic keeps it.  The table holds
 * one row per head of the applied graph, never an ancestor next to its
 * descendant; a revision that is only a depends_on target is absorbed into
 * its dependent's row.  Reading reports each row as a "head" (the host marks
 * it and its ancestors applied); recording moves the heads by the same rule
 * Alembic's own UPDATE / INSERT / DELETE statements follow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alembic_int.h"

/* Alembic's DDL, byte for byte as it sends it online (the tabs included:
 * SQLite keeps the text in sqlite_master, and a schema compared with one
 * Alembic created must match). */
static const char ddl[] = "CREATE TABLE " AL_TABLE " (\n"
                          "\tversion_num VARCHAR(32) NOT NULL, \n"
                          "\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
                          ")";

typedef struct rows {
	strata_host *h;
	char **v;
	size_t n;
	int rc;
} rows;

static int on_row(void *ud, int ncols, const char *const *values)
{
	rows *r = ud;
	if (ncols < 1 || !values[0])
		return 0;
	char **nv = realloc(r->v, (r->n + 1) * sizeof *nv);
	char *dup = strdup(values[0]);
	if (!nv || !dup) {
		free(dup);
		if (nv)
			r->v = nv;
		r->rc = strata_oom(r->h);
		return STRATA_STOP;
	}
	r->v = nv;
	r->v[r->n++] = dup;
	return 0;
}

static int count_row(void *ud, int ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	++*(int *)ud;
	return 0;
}

static void rows_free(rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static int load(strata_host *h, rows *r)
{
	memset(r, 0, sizeof *r);
	r->h = h;
	int ex = h->db_table_exists(h, AL_TABLE);
	if (ex <= 0)
		return ex;
	int rc = h->db_query(h, "SELECT version_num FROM " AL_TABLE, NULL, 0, on_row, r);
	if (!rc)
		rc = r->rc;
	if (rc)
		rows_free(r);
	return rc;
}

/* The graph services arrived in host table version 2. */
static int host_ok(strata_host *h)
{
	if (STRATA_HAS(strata_host, h, is_ancestor) && h->is_ancestor)
		return 1;
	h->error(h, STRATA_ECLASS_PLUGIN, NULL, 0, 0, "upgrade strata",
	         "alembic needs a host that shares the revision graph (host table of %u bytes)",
	         h->struct_size);
	return 0;
}

int al_track_read(strata_host *h, const strata_source_cfg *cfg)
{
	if (!host_ok(h))
		return STRATA_ERR;
	int ex = h->db_table_exists(h, AL_TABLE);
	if (ex <= 0) /* no table: say so (STRATA_TRACKER_SAYS_MISSING) */
		return ex < 0 ? ex : STRATA_ENOTFOUND;
	rows r;
	int rc = load(h, &r);
	for (size_t i = 0; !rc && i < r.n; i++) {
		if (h->is_ancestor(h, r.v[i], r.v[i]) == STRATA_ENOTFOUND) {
			h->error(h, STRATA_ECLASS_DB, NULL, 0, 0,
			         "restore the revision file, or correct the row (alembic stamp)",
			         AL_TABLE " of source '%s': Can't locate revision identified by '%s'",
			         cfg->name, r.v[i]);
			rc = STRATA_ESTATE;
			break;
		}
		strata_track_row row = {.version = STRATA_TRACK_ROW_VERSION, .struct_size = sizeof row,
		                        .mig_version = r.v[i],
		                        .state = strata_track_state_name(STRATA_TRACK_HEAD)};
		rc = h->track_row(h, &row);
	}
	rows_free(&r);
	return rc < 0 ? rc : 0;
}

static int exec1(strata_host *h, const char *sql, const char *a, const char *b)
{
	const char *params[2] = {a, b};
	return h->db_query(h, sql, params, b ? 2 : 1, NULL, NULL);
}

/* Heads after X is applied: X replaces the rows of its parents (down_revision
 * and depends_on: a dependency's row is absorbed).  One UPDATE when it has a
 * parent row, DELETEs for the others (a merge), an INSERT for a new root or
 * branch, as Alembic writes them. */
static int applied(strata_host *h, rows *r, const char *x, const char *const *parents)
{
	for (size_t i = 0; i < r->n; i++)
		if (h->is_ancestor(h, x, r->v[i]) == 1)
			return 0; /* already covered: a head at or after it */
	const char *keep = NULL;
	int rc = 0;
	for (size_t i = 0; !rc && i < r->n; i++) {
		int parent = 0;
		for (size_t k = 0; parents && parents[k]; k++)
			parent |= !strcmp(parents[k], r->v[i]);
		if (!parent)
			continue;
		if (keep)
			rc = exec1(h, "DELETE FROM " AL_TABLE " WHERE " AL_TABLE ".version_num = $1",
			           keep, NULL);
		keep = r->v[i];
	}
	if (rc)
		return rc;
	if (keep)
		return exec1(h, "UPDATE " AL_TABLE " SET version_num=$1 WHERE " AL_TABLE
		                ".version_num = $2", x, keep);
	return exec1(h, "INSERT INTO " AL_TABLE " (version_num) VALUES ($1)", x, NULL);
}

/* Heads after X is rolled back: X's row goes; each parent whose row no other
 * head covers comes back (un-merging gives both parents their rows again;
 * a depends_on target still below another head stays absorbed). */
static int rolled_back(strata_host *h, rows *r, const char *x, const char *const *parents)
{
	size_t at = r->n;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i], x))
			at = i;
	if (at == r->n)
		return 0; /* not a head: nothing Alembic would have to move */
	int rc = 0;
	int moved = 0;
	for (size_t k = 0; !rc && parents && parents[k]; k++) {
		int covered = 0;
		for (size_t i = 0; !covered && i < r->n; i++)
			covered = i != at && h->is_ancestor(h, parents[k], r->v[i]) == 1;
		for (size_t j = 0; !covered && parents[j]; j++) /* below another parent */
			covered = j != k && strcmp(parents[k], parents[j]) &&
			          h->is_ancestor(h, parents[k], parents[j]) == 1;
		if (covered)
			continue;
		if (!moved)
			rc = exec1(h, "UPDATE " AL_TABLE " SET version_num=$1 WHERE " AL_TABLE
			              ".version_num = $2", parents[k], x);
		else
			rc = exec1(h, "INSERT INTO " AL_TABLE " (version_num) VALUES ($1)", parents[k],
			           NULL);
		moved = 1;
	}
	if (!rc && !moved)
		rc = exec1(h, "DELETE FROM " AL_TABLE " WHERE " AL_TABLE ".version_num = $1", x, NULL);
	return rc;
}

int al_track_record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev)
{
	(void)cfg;
	if (!host_ok(h))
		return STRATA_ERR;
	strata_track_state st = strata_track_state_of(ev->state);
	int up = st == STRATA_TRACK_APPLIED || st == STRATA_TRACK_BASELINED;
	int down = st == STRATA_TRACK_ROLLED_BACK;
	if (!up && !down)
		return 0; /* Alembic records no failed or running revisions */
	const char *const *parents =
		STRATA_HAS(strata_track_event, ev, parents) ? ev->parents : NULL;
	int ex = h->db_table_exists(h, AL_TABLE);
	if (ex < 0)
		return ex;
	if (!ex && down)
		return 0;
	if (!ex && h->db_exec(h, ddl))
		return STRATA_ERR;
	/* The usual step, one parent holding the row: one UPDATE, no read. */
	if (ex && up && parents && parents[0] && !parents[1]) {
		int hit = 0;
		const char *params[2] = {ev->mig_version, parents[0]};
		int rc = h->db_query(h, "UPDATE " AL_TABLE " SET version_num=$1 WHERE " AL_TABLE
		                        ".version_num = $2 RETURNING version_num",
		                     params, 2, count_row, &hit);
		if (rc || hit)
			return rc;
	}
	rows r;
	int rc = load(h, &r);
	if (!rc)
		rc = up ? applied(h, &r, ev->mig_version, parents)
		        : rolled_back(h, &r, ev->mig_version, parents);
	rows_free(&r);
	return rc;
}
