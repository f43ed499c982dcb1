/* strata_ledger: strata's own record in the target database, one row per
 * migration id.  Same DDL and statements on every dialect; every value goes
 * through bound parameters. */
#include "driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ddl[] =
	"CREATE TABLE IF NOT EXISTS strata_ledger (\n"
	"  id TEXT NOT NULL PRIMARY KEY,\n"
	"  source TEXT NOT NULL,\n"
	"  version TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  checksum TEXT NOT NULL,\n"
	"  state TEXT NOT NULL,\n"
	"  started_at TEXT NOT NULL,\n"
	"  finished_at TEXT,\n"
	"  execution_ms BIGINT,\n"
	"  applied_by TEXT NOT NULL,\n"
	"  error TEXT\n"
	")";

static const char cols[] =
	"id, source, version, name, checksum, state, started_at, finished_at, execution_ms, "
	"applied_by, error";

int ledger_table_ensure(db *d)
{
	return db_exec(d, ddl);
}

void ledger_row_clear(ledger_row *r)
{
	free(r->id);
	free(r->source);
	free(r->version);
	free(r->name);
	free(r->checksum);
	free(r->state);
	free(r->started_at);
	free(r->finished_at);
	free(r->applied_by);
	free(r->error);
	memset(r, 0, sizeof *r);
}

void ledger_rows_free(ledger_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ledger_row_clear(&rows[i]);
	free(rows);
}

static void fill(ledger_row *r, const char *const *v)
{
	r->id = xstrdup(v[0]);
	r->source = xstrdup(v[1]);
	r->version = xstrdup(v[2]);
	r->name = xstrdup(v[3]);
	r->checksum = xstrdup(v[4] ? v[4] : "");
	r->state = xstrdup(v[5] ? v[5] : "");
	r->started_at = xstrdup(v[6]);
	r->finished_at = xstrdup(v[7]);
	r->execution_ms = v[8] ? atol(v[8]) : -1;
	r->applied_by = xstrdup(v[9]);
	r->error = xstrdup(v[10]);
}

typedef struct rows_acc {
	ledger_row *rows;
	size_t n, cap;
} rows_acc;

static int collect(void *ud, int ncols, const char *const *v)
{
	rows_acc *a = ud;
	if (ncols < 11)
		return STRATA_ERR;
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->rows = xrealloc(a->rows, a->cap * sizeof *a->rows);
	}
	fill(&a->rows[a->n++], v);
	return 0;
}

int ledger_table_read(db *d, ledger_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	int ex = db_table_exists(d, "strata_ledger");
	if (ex <= 0)
		return ex;
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT %s FROM strata_ledger", cols);
	rows_acc a = {0};
	int rc = db_query(d, sql, NULL, 0, collect, &a);
	if (rc < 0) {
		ledger_rows_free(a.rows, a.n);
		return rc;
	}
	*rows = a.rows;
	*n = a.n;
	return 0;
}

static int collect_one(void *ud, int ncols, const char *const *v)
{
	if (ncols < 11)
		return STRATA_ERR;
	fill(ud, v);
	return STRATA_STOP;
}

int ledger_table_get(db *d, const char *id, ledger_row *row)
{
	memset(row, 0, sizeof *row);
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT %s FROM strata_ledger WHERE id = $1", cols);
	const char *p[] = {id};
	int rc = db_query(d, sql, p, 1, collect_one, row);
	if (rc < 0)
		return rc;
	return row->id != NULL;
}

int ledger_table_write(db *d, const migration *m, const char *state, const char *started,
                       const char *finished, long ms, const char *error)
{
	return ledger_table_write_by(d, m, state, started, finished, ms, error, NULL);
}

int ledger_table_write_by(db *d, const migration *m, const char *state, const char *started,
                          const char *finished, long ms, const char *error, const char *by)
{
	static const char sql[] =
		"INSERT INTO strata_ledger (id, source, version, name, checksum, state, started_at, "
		"finished_at, execution_ms, applied_by, error) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
		"ON CONFLICT (id) DO UPDATE SET source = excluded.source, version = excluded.version, "
		"name = excluded.name, checksum = excluded.checksum, state = excluded.state, "
		"started_at = excluded.started_at, finished_at = excluded.finished_at, "
		"execution_ms = excluded.execution_ms, applied_by = excluded.applied_by, "
		"error = excluded.error";
	char msbuf[32];
	snprintf(msbuf, sizeof msbuf, "%ld", ms);
	if (!by && !d->who) /* getpwuid() reads /etc/passwd: once, not per migration */
		d->who = who_am_i();
	const char *p[] = {m->info.id, m->info.source, m->info.version, m->info.name,
	                   m->info.checksum, state, started, finished, ms >= 0 ? msbuf : NULL,
	                   by ? by : d->who, error};
	return db_query(d, sql, p, 11, NULL, NULL);
}
