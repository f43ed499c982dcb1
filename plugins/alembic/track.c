/* The tracker: the source's version table (alembic_version unless the source
 * or its env.py names another, vtable.c), kept as Alembic keeps it.  The
 * table holds one row per head of the applied graph, never an ancestor next
 * to its descendant; a revision that is only a depends_on target is absorbed
 * into its dependent's row.  Reading reports each row as a "head" (the host
 * marks it and its ancestors applied); recording moves the heads by the same
 * rule Alembic's own UPDATE / INSERT / DELETE statements follow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alembic_int.h"

/* One call's view of the table: its name (quoted as SQLAlchemy quotes it)
 * and the statements about it. */
typedef struct vt_sql {
	al_vtable vt;
	char *select, *insert, *update, *update_ret, *delete_;
} vt_sql;

static void vt_sql_free(vt_sql *q)
{
	al_vtable_free(&q->vt);
	free(q->select);
	free(q->insert);
	free(q->update);
	free(q->update_ret);
	free(q->delete_);
}

/* fmt with every '@' replaced by the table's name. */
static char *with_table(const char *fmt, const char *table)
{
	size_t tl = strlen(table), n = 1;
	for (const char *p = fmt; *p; p++)
		n += *p == '@' ? tl : 1;
	char *out = malloc(n);
	if (!out)
		return NULL;
	char *o = out;
	for (const char *p = fmt; *p; p++) {
		if (*p == '@') {
			memcpy(o, table, tl);
			o += tl;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static int vt_sql_get(strata_host *h, const strata_source_cfg *cfg, vt_sql *q)
{
	memset(q, 0, sizeof *q);
	int rc = al_vtable_get(h, cfg, h->db_dialect(h), 0, &q->vt);
	if (rc)
		return rc;
	const char *t = q->vt.sql;
	q->select = with_table("SELECT version_num FROM @", t);
	q->insert = with_table("INSERT INTO @ (version_num) VALUES ($1)", t);
	q->update = with_table("UPDATE @ SET version_num=$1 WHERE @.version_num = $2", t);
	q->update_ret = with_table("UPDATE @ SET version_num=$1 WHERE @.version_num = $2 "
	                           "RETURNING version_num", t);
	q->delete_ = with_table("DELETE FROM @ WHERE @.version_num = $1", t);
	if (!q->select || !q->insert || !q->update || !q->update_ret || !q->delete_) {
		vt_sql_free(q);
		return strata_oom(h);
	}
	return 0;
}

/* Alembic's DDL, byte for byte as it sends it online (the tabs included:
 * SQLite keeps the text in sqlite_master, and a schema compared with one
 * Alembic created must match). */
static int create(strata_host *h, const vt_sql *q)
{
	size_t n = strlen(q->vt.sql) + strlen(q->vt.pkc) + 96;
	char *sql = malloc(n);
	if (!sql)
		return strata_oom(h);
	snprintf(sql, n,
	         "CREATE TABLE %s (\n"
	         "\tversion_num VARCHAR(32) NOT NULL, \n"
	         "\tCONSTRAINT %s PRIMARY KEY (version_num)\n"
	         ")",
	         q->vt.sql, q->vt.pkc);
	int rc = h->db_exec(h, sql);
	free(sql);
	return rc ? STRATA_ERR : 0;
}

static int found_row(void *ud, int ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	*(int *)ud = 1;
	return STRATA_STOP;
}

/* Does the table exist?  In the connection's schema, or in the one named. */
static int exists(strata_host *h, const vt_sql *q)
{
	if (!q->vt.schema)
		return h->db_table_exists(h, q->vt.table);
	const char *d = h->db_dialect(h);
	int found = 0, rc;
	if (d && !strcmp(d, "sqlite")) {
		/* SQLite's schemas are its attached databases, each with its own
		 * sqlite_master: "main".sqlite_master. */
		size_t n = strlen(q->vt.schema_sql) + 64;
		char *sql = malloc(n);
		if (!sql)
			return strata_oom(h);
		snprintf(sql, n, "SELECT 1 FROM %s.sqlite_master WHERE type = 'table' AND name = $1",
		         q->vt.schema_sql);
		const char *params[1] = {q->vt.table};
		rc = h->db_query(h, sql, params, 1, found_row, &found);
		free(sql);
	} else {
		const char *params[2] = {q->vt.schema, q->vt.table};
		rc = h->db_query(h, "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND "
		                    "tablename = $2",
		                 params, 2, found_row, &found);
	}
	return rc < 0 ? rc : found;
}

typedef struct rows {
	strata_host *h;
	char **v;
	size_t n;
	size_t nulls; /* rows with a NULL version_num (Alembic's primary key: never) */
	int rc;
} rows;

static int on_row(void *ud, int ncols, const char *const *values)
{
	rows *r = ud;
	if (ncols < 1 || !values[0]) {
		r->nulls++;
		return 0;
	}
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

static int load(strata_host *h, const vt_sql *q, rows *r)
{
	memset(r, 0, sizeof *r);
	r->h = h;
	int ex = exists(h, q);
	if (ex <= 0)
		return ex;
	int rc = h->db_query(h, q->select, NULL, 0, on_row, r);
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

/* The rows Alembic itself could have written: one per head, each once, none
 * NULL, never an ancestor beside its descendant (Alembic replaces a parent's
 * row).  Anything else is not guessed at: refused, the row named with the
 * statement that puts it right. */
static int understood(strata_host *h, const strata_source_cfg *cfg, const vt_sql *q,
                      const rows *r)
{
	const char *t = q->vt.sql;
	char hint[1024];
	if (r->nulls) {
		snprintf(hint, sizeof hint,
		         "delete it (DELETE FROM %s WHERE version_num IS NULL), then `alembic current` "
		         "says what is applied",
		         t);
		h->error(h, STRATA_ECLASS_DB, NULL, 0, 0, hint,
		         "%s of source '%s': a row with a NULL version_num, which Alembic never writes",
		         t, cfg->name);
		return STRATA_ESTATE;
	}
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->n; j++) {
			if (i == j)
				continue;
			if (!strcmp(r->v[i], r->v[j])) {
				snprintf(hint, sizeof hint,
				         "delete both (DELETE FROM %s WHERE version_num = '%.64s'), then "
				         "`alembic stamp %.64s`",
				         t, r->v[i], r->v[i]);
				h->error(h, STRATA_ECLASS_DB, NULL, 0, 0, hint,
				         "%s of source '%s': '%s' is there twice (its version_num is no "
				         "longer the primary key)",
				         t, cfg->name, r->v[i]);
				return STRATA_ESTATE;
			}
			if (h->is_ancestor(h, r->v[i], r->v[j]) == 1) {
				snprintf(hint, sizeof hint,
				         "Alembic keeps only the heads: DELETE FROM %s WHERE version_num = "
				         "'%.64s'",
				         t, r->v[i]);
				h->error(h, STRATA_ECLASS_DB, NULL, 0, 0, hint,
				         "%s of source '%s': '%s' is there beside its descendant '%s'", t,
				         cfg->name, r->v[i], r->v[j]);
				return STRATA_ESTATE;
			}
		}
	return 0;
}

int al_track_read(strata_host *h, const strata_source_cfg *cfg)
{
	if (!host_ok(h))
		return STRATA_ERR;
	vt_sql q;
	int rc = vt_sql_get(h, cfg, &q);
	if (rc)
		return rc;
	int ex = exists(h, &q);
	if (ex <= 0) { /* no table: say so (STRATA_TRACKER_SAYS_MISSING) */
		vt_sql_free(&q);
		return ex < 0 ? ex : STRATA_ENOTFOUND;
	}
	rows r;
	rc = load(h, &q, &r);
	if (!rc)
		rc = understood(h, cfg, &q, &r);
	for (size_t i = 0; !rc && i < r.n; i++) {
		if (h->is_ancestor(h, r.v[i], r.v[i]) == STRATA_ENOTFOUND) {
			h->error(h, STRATA_ECLASS_DB, NULL, 0, 0,
			         "restore the revision file, or correct the row (alembic stamp); if "
			         "another Alembic tree shares this table, give each source its own "
			         "version_table",
			         "%s of source '%s': Can't locate revision identified by '%s'", q.vt.sql,
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
	vt_sql_free(&q);
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
static int applied(strata_host *h, const vt_sql *q, rows *r, const char *x,
                   const char *const *parents)
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
			rc = exec1(h, q->delete_, keep, NULL);
		keep = r->v[i];
	}
	if (rc)
		return rc;
	if (keep)
		return exec1(h, q->update, x, keep);
	return exec1(h, q->insert, x, NULL);
}

/* Heads after X is rolled back: X's row goes; each parent whose row no other
 * head covers comes back (un-merging gives both parents their rows again;
 * a depends_on target still below another head stays absorbed). */
static int rolled_back(strata_host *h, const vt_sql *q, rows *r, const char *x,
                       const char *const *parents)
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
			rc = exec1(h, q->update, parents[k], x);
		else
			rc = exec1(h, q->insert, parents[k], NULL);
		moved = 1;
	}
	if (!rc && !moved)
		rc = exec1(h, q->delete_, x, NULL);
	return rc;
}

static int record(strata_host *h, const vt_sql *q, const strata_track_event *ev, int up)
{
	const char *const *parents =
		STRATA_HAS(strata_track_event, ev, parents) ? ev->parents : NULL;
	int ex = exists(h, q);
	if (ex < 0)
		return ex;
	if (!ex && !up)
		return 0;
	if (!ex && create(h, q))
		return STRATA_ERR;
	/* The usual step, one parent holding the row: one UPDATE, no read. */
	if (ex && up && parents && parents[0] && !parents[1]) {
		int hit = 0;
		const char *params[2] = {ev->mig_version, parents[0]};
		int rc = h->db_query(h, q->update_ret, params, 2, count_row, &hit);
		if (rc || hit)
			return rc;
	}
	rows r;
	int rc = load(h, q, &r);
	if (!rc)
		rc = up ? applied(h, q, &r, ev->mig_version, parents)
		        : rolled_back(h, q, &r, ev->mig_version, parents);
	rows_free(&r);
	return rc;
}

int al_track_record(strata_host *h, const strata_source_cfg *cfg, const strata_track_event *ev)
{
	if (!host_ok(h))
		return STRATA_ERR;
	strata_track_state st = strata_track_state_of(ev->state);
	int up = st == STRATA_TRACK_APPLIED || st == STRATA_TRACK_BASELINED;
	int down = st == STRATA_TRACK_ROLLED_BACK;
	if (!up && !down)
		return 0; /* Alembic records no failed or running revisions */
	vt_sql q;
	int rc = vt_sql_get(h, cfg, &q);
	if (rc)
		return rc;
	rc = record(h, &q, ev, up);
	vt_sql_free(&q);
	return rc;
}
