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

/* The up script's text as it was applied or baselined (docs/guide.md, "The
 * strata_ledger table"): a column added after the first release, so a
 * table without it is older, not damaged.  NULL: not kept (a row written
 * before the column, or by another tool). */
#define SCRIPT_COL LEDGER_NCOLS

/* The columns as the DDL above makes them, in that order: what a damaged
 * table is told to add back. */
const ledger_col ledger_cols[LEDGER_NCOLS] = {
	{"id", "TEXT", true},          {"source", "TEXT", true},     {"version", "TEXT", true},
	{"name", "TEXT", true},        {"checksum", "TEXT", true},   {"state", "TEXT", true},
	{"started_at", "TEXT", true},  {"finished_at", "TEXT", false},
	{"execution_ms", "BIGINT", false}, {"applied_by", "TEXT", true}, {"error", "TEXT", false},
};

/* Does sql run?  Whatever error it sets is dropped: the caller's stands. */
static bool runs(db *d, const char *sql)
{
	err_saved k;
	err_save(d->e, &k);
	int rc = db_query(d, sql, NULL, 0, NULL, NULL);
	err_restore(d->e, &k);
	return rc >= 0;
}

/* What is wrong with strata_ledger's shape, with its fix: no table of that
 * name although something answers to it (a view), or a column gone.  Asked
 * only when no table exists or a statement on it failed, so a sound table
 * pays nothing.  STRATA_ESTATE with the error set; 0 when the shape is not
 * the problem (or cannot be asked: a failed transaction refuses every
 * statement), and the caller's error stands. */
static int diagnose(db *d, bool exists)
{
	if (!runs(d, "SELECT 1"))
		return 0;
	if (!exists) {
		/* Answers, yet is no table: unless another process created the
		 * table meanwhile (then it is one now). */
		if (!runs(d, "SELECT 1 FROM strata_ledger WHERE 1 = 0") ||
		    db_table_exists(d, "strata_ledger") != 0)
			return 0;
		return err_set(d->e, STRATA_ESTATE, STRATA_ECLASS_DB, d->display, 0, 0,
		               "drop it and put its rows back in a table of that name (DROP VIEW "
		               "strata_ledger; CREATE TABLE strata_ledger AS SELECT …), or record the "
		               "history again with `strata baseline`",
		               "strata_ledger is not a table (a view?); strata cannot read or write "
		               "its record there");
	}
	char sql[128];
	for (int i = 0; i < LEDGER_NCOLS; i++) {
		snprintf(sql, sizeof sql, "SELECT %s FROM strata_ledger WHERE 1 = 0", ledger_cols[i].name);
		if (runs(d, sql))
			continue;
		char *hint = xasprintf("add it back: ALTER TABLE strata_ledger ADD COLUMN %s %s%s",
		                       ledger_cols[i].name, ledger_cols[i].type,
		                       ledger_cols[i].required ? ", then fill it in every row" : "");
		int rc = err_set(d->e, STRATA_ESTATE, STRATA_ECLASS_DB, d->display, 0, 0, hint,
		                 "strata_ledger has no column %s; strata cannot read its record",
		                 ledger_cols[i].name);
		free(hint);
		return rc;
	}
	return 0;
}

/* A statement on strata_ledger failed (rc): say what of the table is wrong,
 * else keep the driver's error.  In a failed transaction (PostgreSQL) no
 * question can be asked: the driver's error, with the table named. */
static int failed(db *d, int rc, const char *what)
{
	/* Another process's lock, or a table not there yet: nothing to diagnose. */
	if (rc == STRATA_EBUSY || !strcmp(what, "create"))
		return rc;
	err_saved orig;
	err_save(d->e, &orig);
	bool asks = runs(d, "SELECT 1");
	int ex = asks ? db_table_exists(d, "strata_ledger") : -1;
	int why = ex >= 0 ? diagnose(d, ex > 0) : 0;
	if (why) {
		err_slot_free(&orig);
		return why;
	}
	if (ex == 0 && orig.message) {
		err_set(d->e, rc, STRATA_ECLASS_DB, d->display, 0, 0,
		        "it was dropped while strata used it (by another session, or by the migration "
		        "itself); run the command again: strata creates it, and `strata baseline` "
		        "records what is already applied",
		        "strata_ledger is gone: cannot %s it (%s)", what, orig.message);
		err_slot_free(&orig);
	} else if (!asks && orig.message) { /* at least name the table */
		err_set(d->e, rc, STRATA_ECLASS_DB, d->display, 0, 0,
		        orig.hint ? orig.hint
		                  : "its transaction was rolled back; `strata status` shows what is "
		                    "recorded",
		        "cannot %s strata_ledger: %s", what, orig.message);
		err_slot_free(&orig);
	} else {
		err_restore(d->e, &orig);
	}
	return rc;
}

/* Does strata_ledger have the script column?  Asked once per connection,
 * by a statement that fails when it has not: only outside a transaction
 * (a failed statement would end PostgreSQL's), which is where every read
 * and ledger_table_ensure() run. */
static bool has_script(db *d)
{
	if (!d->ledger_script)
		d->ledger_script = runs(d, "SELECT script FROM strata_ledger WHERE 1 = 0") ? 1 : -1;
	return d->ledger_script > 0;
}

/* The table, and on a table from before the script column, the column,
 * added in a transaction of its own so that a failure leaves it as it was. */
int ledger_table_ensure(db *d)
{
	int rc = db_exec(d, ddl);
	if (rc < 0)
		return failed(d, rc, "create");
	d->ledger_script = 0;
	if (has_script(d))
		return rc;
	rc = db_begin(d);
	if (!rc)
		rc = db_exec(d, "ALTER TABLE strata_ledger ADD COLUMN script TEXT");
	if (!rc)
		rc = db_commit(d);
	else
		db_rollback(d);
	if (rc < 0) {
		/* another strata process added it between our look and our ALTER
		 * (this runs before the lock is taken) */
		d->ledger_script = 0;
		if (has_script(d)) {
			err_clear(d->e);
			return 0;
		}
		return failed(d, rc, "add the script column to");
	}
	d->ledger_script = 1;
	return 0;
}

void ledger_row_clear(ledger_row *r)
{
	if (r->block) {
		free(r->block);
	} else {
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
	}
	free(r->script);
	memset(r, 0, sizeof *r);
}

void ledger_rows_free(ledger_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ledger_row_clear(&rows[i]);
	free(rows);
}

/* A NULL where the DDL says NOT NULL reads as "" (so no reader meets a NULL
 * it did not expect) and is remembered in r->nulls, for plan/'s checks.
 * The texts go into one block: a history of 100,000 rows is read with
 * 100,000 allocations rather than a million. */
static void fill(ledger_row *r, int ncols, const char *const *v)
{
	char **text[LEDGER_NCOLS] = {&r->id,         &r->source,     &r->version, &r->name,
	                             &r->checksum,   &r->state,      &r->started_at,
	                             &r->finished_at, NULL,          &r->applied_by, &r->error};
	memset(r, 0, sizeof *r);
	const char *val[LEDGER_NCOLS];
	size_t len[LEDGER_NCOLS], total = 0;
	for (int i = 0; i < LEDGER_NCOLS; i++) {
		if (!v[i] && ledger_cols[i].required)
			r->nulls |= 1u << i;
		val[i] = v[i] ? v[i] : ledger_cols[i].required ? "" : NULL;
		len[i] = text[i] && val[i] ? strlen(val[i]) + 1 : 0;
		total += len[i];
	}
	char *at = r->block = xmalloc(total);
	for (int i = 0; i < LEDGER_NCOLS; i++) {
		if (!len[i])
			continue;
		memcpy(at, val[i], len[i]);
		*text[i] = at;
		at += len[i];
	}
	r->execution_ms = v[8] ? atol(v[8]) : -1;
	r->script = ncols > SCRIPT_COL && v[SCRIPT_COL] ? xstrdup(v[SCRIPT_COL]) : NULL;
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
	fill(&a->rows[a->n++], ncols, v);
	return 0;
}

/* The SELECT of every row into sql, when the table is there (ex:
 * db_table_exists()'s answer); else false, with in *rc what the read
 * answers (diagnose()'s). */
static bool select_all(db *d, int ex, bool scripts, char *sql, size_t size, int *rc)
{
	if (ex <= 0) {
		*rc = ex < 0 ? ex : diagnose(d, false);
		return false;
	}
	snprintf(sql, size, "SELECT %s%s FROM strata_ledger ORDER BY id", cols,
	         scripts && has_script(d) ? ", script" : "");
	return true;
}

int ledger_table_read(db *d, bool scripts, ledger_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	char sql[256];
	int rc;
	if (!select_all(d, db_table_exists(d, "strata_ledger"), scripts, sql, sizeof sql, &rc))
		return rc;
	rows_acc a = {0};
	rc = db_query(d, sql, NULL, 0, collect, &a);
	if (rc < 0) {
		ledger_rows_free(a.rows, a.n);
		return failed(d, rc, "read");
	}
	*rows = a.rows;
	*n = a.n;
	return 0;
}

typedef struct each_acc {
	int (*fn)(void *ud, ledger_row *r);
	void *ud;
	int rc; /* what fn refused with */
} each_acc;

static int each_row(void *ud, int ncols, const char *const *v)
{
	each_acc *a = ud;
	if (ncols < 11)
		return STRATA_ERR;
	ledger_row r;
	fill(&r, ncols, v);
	int rc = a->fn(a->ud, &r);
	ledger_row_clear(&r); /* nothing left when fn took it */
	if (rc < 0)
		a->rc = rc;
	return rc < 0 ? rc : 0;
}

int ledger_table_each(db *d, int exists, bool scripts, int (*fn)(void *ud, ledger_row *r),
                      void *ud)
{
	char sql[256];
	int rc;
	if (!select_all(d, exists, scripts, sql, sizeof sql, &rc))
		return rc;
	each_acc a = {.fn = fn, .ud = ud};
	rc = db_query(d, sql, NULL, 0, each_row, &a);
	if (rc < 0)
		return a.rc ? a.rc : failed(d, rc, "read");
	return 0;
}

static int collect_one(void *ud, int ncols, const char *const *v)
{
	if (ncols < 11)
		return STRATA_ERR;
	fill(ud, ncols, v);
	return STRATA_STOP;
}

int ledger_table_get(db *d, const char *id, ledger_row *row)
{
	memset(row, 0, sizeof *row);
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT %s%s FROM strata_ledger WHERE id = $1", cols,
	         d->ledger_script > 0 ? ", script" : "");
	const char *p[] = {id};
	int rc = db_query(d, sql, p, 1, collect_one, row);
	if (rc < 0) {
		ledger_row_clear(row);
		return failed(d, rc, "read");
	}
	return row->id != NULL;
}

static int collect_text(void *ud, int ncols, const char *const *v)
{
	if (ncols < 1)
		return STRATA_ERR;
	*(char **)ud = v[0] ? xstrdup(v[0]) : NULL;
	return STRATA_STOP;
}

int ledger_table_script(db *d, const char *id, char **script)
{
	*script = NULL;
	if (!has_script(d))
		return 0;
	const char *p[] = {id};
	int rc = db_query(d, "SELECT script FROM strata_ledger WHERE id = $1", p, 1, collect_text,
	                  script);
	if (rc < 0)
		return failed(d, rc, "read");
	return *script != NULL;
}

/* A write of the row failed (now, or at the flush that sent it). */
static int write_failed(db *d, int rc)
{
	db_unpipe_keep(d);
	return failed(d, rc, "write");
}

int ledger_table_write(db *d, const migration *m, const char *state, const char *started,
                       const char *finished, long ms, const char *error)
{
	return ledger_table_write_by(d, m, state, started, finished, ms, error, NULL);
}

int ledger_table_write_by(db *d, const migration *m, const char *state, const char *started,
                          const char *finished, long ms, const char *error, const char *by)
{
	/* Without the script column (a table ledger_table_ensure() has not
	 * seen yet) the text is not kept: $12 is left out. */
	static const char sql[] =
		"INSERT INTO strata_ledger (id, source, version, name, checksum, state, started_at, "
		"finished_at, execution_ms, applied_by, error, script) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
		"ON CONFLICT (id) DO UPDATE SET source = excluded.source, version = excluded.version, "
		"name = excluded.name, checksum = excluded.checksum, state = excluded.state, "
		"started_at = excluded.started_at, finished_at = excluded.finished_at, "
		"execution_ms = excluded.execution_ms, applied_by = excluded.applied_by, "
		"error = excluded.error, script = excluded.script";
	static const char sql_old[] =
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
	/* The text kept is the one the checksum is of (NUL-free: the drivers
	 * bind text). */
	char *script = m->up && !memchr(m->up, 0, m->up_len) ? xstrndup(m->up, m->up_len) : NULL;
	const char *p[] = {m->info.id, m->info.source, m->info.version, m->info.name,
	                   m->info.checksum, state, started, finished, ms >= 0 ? msbuf : NULL,
	                   by ? by : d->who, error, script};
	bool keep = d->ledger_script > 0;
	/* In a pipeline the row goes with the next sync point; its failure
	 * comes back to write_failed() then (pipe.c). */
	int rc = d->piped ? db_defer(d, keep ? sql : sql_old, p, keep ? 12 : 11, write_failed)
	                  : db_query(d, keep ? sql : sql_old, p, keep ? 12 : 11, NULL, NULL);
	free(script);
	if (rc < 0 && d->piped)
		return write_failed(d, rc);
	return rc < 0 ? failed(d, rc, "write") : rc;
}

/* `strata repair`: the row of m keeps its state and times; its checksum
 * and kept text become the file's.  1 when the row was there, 0 when not,
 * < 0 error.  Needs the script column (ledger_table_ensure() adds it). */
int ledger_table_repair(db *d, const migration *m)
{
	ledger_row r;
	int found = ledger_table_get(d, m->info.id, &r);
	ledger_row_clear(&r);
	if (found <= 0)
		return found;
	char *script = m->up && !memchr(m->up, 0, m->up_len) ? xstrndup(m->up, m->up_len) : NULL;
	const char *p[] = {m->checksum, script, m->info.id};
	int rc = db_query(d, "UPDATE strata_ledger SET checksum = $1, script = $2 WHERE id = $3", p, 3,
	                  NULL, NULL);
	free(script);
	return rc < 0 ? failed(d, rc, "write") : 1;
}
