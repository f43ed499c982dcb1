/* A database connection through whichever driver plugin serves the URL's
 * scheme.  Every driver call goes through plugins/call.c; everything above
 * this layer speaks to db_*, never to a driver. */
#include "driver.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A tracker that waits in a loop of its own (Prisma's lock) stops at its
 * next statement once the command is interrupted (intr_refuses). */
static int refused(db *d)
{
	if (!d->intr_refuses || !intr_signal(&d->e->intr))
		return 0;
	return err_set(d->e, STRATA_EINTR, STRATA_ECLASS_OS, NULL, 0, 0, NULL, "interrupted");
}

/* host->db_* of the plugins called on this connection (trackers). */
static int hd_exec(void *ud, const char *sql)
{
	int rc = refused(ud);
	if (!rc)
		rc = db_memo_other(ud);
	return rc ? rc : db_exec(ud, sql);
}

/* A tracker's statement without rows waits, in a pipeline, for the next
 * one whose answer someone reads (pipe.c says why that is exact). */
static int hd_query(void *ud, const char *sql, const char *const *params, int n,
                    strata_row_fn fn, void *row_ud)
{
	db *d = ud;
	int rc = refused(d);
	if (!rc && db_memo_query(d, sql, params, n, fn, row_ud, &rc))
		return rc;
	if (!rc && db_memo_recording(d)) {
		db_memo_tap *t = db_memo_tap_new(d, sql, params, n, fn, row_ud);
		return db_memo_tap_done(d, t, db_query(d, sql, params, n, db_memo_row, t));
	}
	if (!rc && d->piped && !fn)
		return db_defer(d, sql, params, n, NULL);
	return rc ? rc : db_query(d, sql, params, n, fn, row_ud);
}

static const char *hd_dialect(void *ud)
{
	return db_dialect(ud);
}

static int hd_table_exists(void *ud, const char *table)
{
	int rc;
	if (db_memo_table_exists(ud, table, &rc))
		return rc;
	rc = db_table_exists(ud, table);
	db_memo_table_exists_kept(ud, table, rc);
	return rc;
}

/* A call the pipeline does not take: what is queued is sent first (a sync
 * point), then the call is made on its own, out of the pipeline. */
static int out_of_pipe(db *d)
{
	if (!d->piped)
		return 0;
	int rc = db_flush(d);
	return rc ? (db_unpipe_keep(d), rc) : db_unpipe(d);
}

static int hd_writes_table(void *ud, const char *text, size_t len, const char *schema,
                           const char *table, int *line)
{
	return db_writes_table(ud, text, len, schema, table, line);
}

static const host_db host_db_ops = {
	.exec = hd_exec,
	.query = hd_query,
	.dialect = hd_dialect,
	.table_exists = hd_table_exists,
	.writes_table = hd_writes_table,
};

/* From a signal handler (base/interrupt.c): the driver's cancel only. */
static void cancel_statement(void *ud)
{
	db *d = ud;
	d->cancel(d->conn);
}

/* A db for url, not yet connected: its error context, lock timeout and the
 * URL as messages show it (redacted). */
static void db_init(db *d, loader *L, const char *url)
{
	memset(d, 0, sizeof *d);
	d->e = L->e;
	d->lock_timeout_ms = L->cfg->lock_timeout_ms;
	char shown[1024];
	strata_redact_url(url, shown, sizeof shown);
	d->display = xstrdup(shown);
}

int db_open(db *d, loader *L, const char *url, bool readonly, const plugin *drv)
{
	db_init(d, L, url);
	int rc = drv ? 0 : loader_load_url(L, url);
	if (rc)
		return rc;
	d->plugin = drv ? drv : loader_find_scheme(L, url);
	if (!d->plugin) {
		/* Name the scheme only when it looks like one: a conninfo string
		 * ("host=x password=y") has none, and must not be echoed raw. */
		size_t k = url_scheme_len(url);
		if (k)
			return err_set(d->e, STRATA_EINVAL, STRATA_ECLASS_DB, d->display, 0, 0,
			               "URLs look like sqlite:app.db; `strata plugins` lists the drivers",
			               "no driver for URL scheme '%.*s'", (int)k, url);
		return err_set(d->e, STRATA_EINVAL, STRATA_ECLASS_DB, d->display, 0, 0,
		               "URLs look like sqlite:app.db; `strata plugins` lists the drivers",
		               "no driver for this database URL");
	}
	host_init(&d->hc, L);
	d->hc.display = d->display;
	d->hc.db = &host_db_ops;
	d->hc.db_ud = d;
	rc = call_open(&d->hc, d->plugin, url, readonly ? STRATA_OPEN_READONLY : 0, &d->conn);
	d->cancel = rc == 0 && d->conn ? call_cancel_of(d->plugin) : NULL;
	if (d->cancel) {
		d->intr = (intr_target){.cancel = cancel_statement, .ud = d};
		intr_publish(&d->e->intr, &d->intr);
	}
	if (rc == STRATA_ENOTFOUND && readonly) {
		d->conn = NULL; /* no database yet: nothing applied */
		return 0;
	}
	if (rc < 0 && !err_cur(d->e)->file) { /* name the (redacted) URL */
		const strata_error_info *c = err_cur(d->e);
		err_set(d->e, c->code, c->cls, d->display, 0, 0, c->hint, "%s", c->message);
	}
	return rc < 0 ? rc : 0;
}

void db_host_call(db *d, host_call *hc, size_t source)
{
	*hc = d->hc;
	hc->source = source;
}

void db_close(db *d)
{
	if (d->cancel) {
		intr_withdraw(&d->e->intr, &d->intr);
		d->cancel = NULL;
	}
	if (d->conn) {
		if (d->locked) {
			err_saved k;
			err_save(d->e, &k);
			db_unlock(d);
			err_restore(d->e, &k);
		}
		call_close(d->plugin, d->conn);
	}
	d->conn = NULL;
	free(d->display);
	d->display = NULL;
	free(d->who);
	d->who = NULL;
	free(d->pipe_slots);
	d->pipe_slots = NULL;
	db_memo_free(d);
	d->npipe = d->pipe_cap = 0;
	d->piped = false;
}

const char *db_dialect(const db *d)
{
	return d->plugin ? d->plugin->desc->driver->dialect : NULL;
}

int db_exec(db *d, const char *sql)
{
	int rc = out_of_pipe(d);
	return rc ? rc : call_exec(&d->hc, d->plugin, d->conn, sql);
}

int db_query(db *d, const char *sql, const char *const *params, int n, strata_row_fn fn, void *ud)
{
	if (d->piped)
		return db_pipe_query(d, sql, params, n, fn, ud);
	return call_query(&d->hc, d->plugin, d->conn, sql, params, n, fn, ud);
}

int db_table_exists(db *d, const char *table)
{
	int rc = out_of_pipe(d);
	return rc ? rc : call_table_exists(&d->hc, d->plugin, d->conn, table);
}

int db_writes_table(db *d, const char *text, size_t len, const char *schema, const char *table,
                    int *line)
{
	strata_script sc = {.version = STRATA_SCRIPT_VERSION, .struct_size = sizeof sc,
	                    .sql = text, .len = len, .file = NULL, .line = 1};
	return call_writes_table(&d->hc, d->plugin, d->conn, &sc, schema, table, line);
}

int db_begin(db *d)
{
	int rc = call_begin(&d->hc, d->plugin, d->conn);
	if (rc)
		db_unpipe_keep(d);
	return rc;
}

/* In a pipeline, COMMIT is queued behind the record and sent with it. */
int db_commit(db *d)
{
	int rc = call_commit(&d->hc, d->plugin, d->conn);
	if (!rc && d->piped)
		rc = db_flush(d);
	return rc ? (db_unpipe_keep(d), rc) : db_unpipe(d);
}

/* Rolling back must not hide the error that made us roll back. */
int db_rollback(db *d)
{
	err_saved k;
	err_save(d->e, &k);
	db_unpipe(d);
	int rc = call_rollback(&d->hc, d->plugin, d->conn);
	err_restore(d->e, &k);
	return rc;
}

int db_lock(db *d)
{
	out_of_pipe(d);
	if (!call_has_lock(d->plugin))
		return 0;
	int rc = call_lock(&d->hc, d->plugin, d->conn, d->lock_timeout_ms);
	d->locked = rc == 0;
	return rc;
}

int db_unlock(db *d)
{
	if (!d->locked)
		return 0;
	d->locked = false;
	return call_unlock(&d->hc, d->plugin, d->conn);
}

int db_interrupted(const db *d)
{
	return intr_signal(&d->e->intr);
}

static strata_script script_of(const migration *m, bool down)
{
	static const migration_rare none;
	const migration_rare *r = m->rare ? m->rare : &none;
	return (strata_script){
		.version = STRATA_SCRIPT_VERSION,
		.struct_size = sizeof(strata_script),
		.sql = down ? m->down : m->up,
		.len = down ? m->down_len : m->up_len,
		.file = down ? m->info.down_file : m->info.file,
		.line = down ? m->down_line : m->info.line,
		.flags = m->info.flags,
		.lines = down ? r->down_lines : r->up_lines,
		.cols = down ? r->down_cols : r->up_cols,
		.nlines = down ? r->down_nlines : r->up_nlines,
	};
}

/* A wrapped script's body, [start, end), as the driver gets it: from the
 * start of the body's first line, where one space stands for each character
 * of what it follows there (the BEGIN), so the line and column of every
 * error the driver reports are the file's. */
int db_run(db *d, const migration *m, bool down, const db_mode *mode)
{
	strata_script sc = script_of(m, down);
	sc.flags = (sc.flags & ~STRATA_MIG_NO_TRANSACTION) | (mode->tx ? 0 : STRATA_MIG_NO_TRANSACTION);
	if (!sc.sql)
		return 0;
	char *padded = NULL;
	if (mode->wrapped) {
		size_t bol = mode->start, chars = 0, n = mode->end - mode->start;
		while (bol > 0 && sc.sql[bol - 1] != '\n')
			bol--;
		sc.line = sc.line > 0 ? sc.line : 1;
		size_t skipped = 0;
		for (size_t i = 0; i < bol; i++)
			skipped += sc.sql[i] == '\n';
		sc.line += (int)skipped;
		if (sc.lines && skipped < sc.nlines) { /* the map from the body's first line */
			sc.lines += skipped;
			sc.cols = sc.cols ? sc.cols + skipped : NULL;
			sc.nlines -= skipped;
		} else {
			sc.lines = sc.cols = NULL;
			sc.nlines = 0;
		}
		for (size_t i = bol; i < mode->start; i++)
			chars += ((unsigned char)sc.sql[i] & 0xc0) != 0x80;
		if (chars) {
			padded = xmalloc(chars + n + 1);
			memset(padded, ' ', chars);
			memcpy(padded + chars, sc.sql + mode->start, n);
			padded[chars + n] = '\0';
			sc.sql = padded;
		} else {
			sc.sql += mode->start;
		}
		sc.len = chars + n;
	}
	int rc = d->piped ? call_run_piped(&d->hc, d->plugin, d->conn, &sc) : STRATA_ENOTFOUND;
	if (rc == 0) /* the BEGIN queued before it and the script in one round trip */
		rc = db_flush(d);
	else if (rc == STRATA_ENOTFOUND) { /* not through the pipeline: as before */
		rc = out_of_pipe(d);
		if (!rc)
			rc = call_run(&d->hc, d->plugin, d->conn, &sc);
	}
	free(padded);
	return rc;
}

int db_dump_schema(db *d, strata_text_fn fn, void *ud)
{
	return call_dump_schema(&d->hc, d->plugin, d->conn, fn, ud);
}

bool db_can_scratch(const db *d)
{
	return d->conn && call_has_scratch(d->plugin);
}

int db_scratch_create(db *d, char *url, size_t size)
{
	return call_scratch_create(&d->hc, d->plugin, d->conn, url, size);
}

int db_scratch_drop(db *d)
{
	return call_scratch_drop(&d->hc, d->plugin, d->conn);
}

/* A comment line "-- strata:no-transaction" or "-- strata:transaction" in a
 * script forces its mode; returns 0/1, or -1 when there is none. */
static int directive(const char *sql, size_t len)
{
	for (const char *p = sql, *end = sql + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *a = p, *b = eol;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		size_t n = (size_t)(b - a);
		if (n == 24 && !memcmp(a, "-- strata:no-transaction", 24))
			return 0;
		if (n == 21 && !memcmp(a, "-- strata:transaction", 21))
			return 1;
		p = eol + 1;
	}
	return -1;
}

/* How the migration's up (or down) script runs.  The file's directive wins,
 * then the format's flag (dbmate transaction:false; the down script's own
 * with STRATA_MIG_DOWN_OWN_TX), then the driver's
 * reading of the statements: one it cannot run in a transaction
 * (needs_autocommit), then the file's own transaction control (txn_control):
 * a BEGIN … COMMIT around the whole file is dropped and its body runs in
 * strata's transaction; any other runs the file as written, without one
 * (unless the directive asks for a transaction: the driver then refuses
 * the COMMIT).  0, or < 0 on error. */
int db_script_mode(db *d, const migration *m, bool down, db_mode *mode)
{
	const char *sql = down ? m->down : m->up;
	size_t len = down ? m->down_len : m->up_len;
	*mode = (db_mode){.tx = true, .end = sql ? len : 0};
	int dir = sql ? directive(sql, len) : -1;
	unsigned f = m->info.flags;
	bool no_tx = down && (f & STRATA_MIG_DOWN_OWN_TX) ? (f & STRATA_MIG_DOWN_NO_TRANSACTION) != 0
	                                                   : (f & STRATA_MIG_NO_TRANSACTION) != 0;
	if (dir == 0 || (dir < 0 && no_tx)) {
		mode->tx = false;
		return 0;
	}
	if (!d || !d->plugin || !sql)
		return 0;
	strata_script sc = script_of(m, down);
	int rc;
	if (dir < 0 && d->conn) {
		rc = call_needs_autocommit(&d->hc, d->plugin, d->conn, &sc);
		if (rc < 0)
			return rc;
		if (rc) {
			mode->tx = false;
			return 0;
		}
	}
	size_t start, end;
	rc = call_txn_control(&d->hc, d->plugin, d->conn, &sc, &start, &end);
	if (rc < 0)
		return rc;
	if (rc == STRATA_TXN_WRAPPED) {
		mode->wrapped = true;
		mode->start = start;
		mode->end = end;
		logf_(d->e, STRATA_LOG_DEBUG, sc.file, 0,
		      "%s: BEGIN ... COMMIT around the whole file; its body runs in strata's transaction",
		      m->info.id);
	} else if (rc == STRATA_TXN_OWN && dir < 0) {
		mode->tx = false;
		logf_(d->e, STRATA_LOG_DEBUG, sc.file, 0,
		      "%s: the file controls its own transactions; it runs as written, without "
		      "strata's", m->info.id);
	}
	return 0;
}

/* Does the script run inside a transaction?  1 yes, 0 no, < 0 error. */
int db_transactional(db *d, const migration *m, bool down)
{
	db_mode mode;
	int rc = db_script_mode(d, m, down, &mode);
	return rc < 0 ? rc : mode.tx;
}

int db_attach(db *d, loader *L, const char *url)
{
	db_init(d, L, url);
	int rc = loader_load_url(L, url);
	if (rc)
		return rc;
	d->plugin = loader_find_scheme(L, url);
	if (!d->plugin)
		return STRATA_ENOTFOUND;
	host_init(&d->hc, L);
	d->hc.display = d->display;
	d->hc.db = &host_db_ops;
	d->hc.db_ud = d;
	return 0;
}

int db_objects(db *d, const migration *m, bool scratch, strata_object_fn fn, void *ud)
{
	strata_script sc = script_of(m, false);
	if (!sc.sql)
		return 0;
	return call_objects(&d->hc, d->plugin, d->conn, &sc, scratch ? STRATA_OBJECTS_SCRATCH : 0,
	                    fn, ud);
}

int db_txn_control(db *d, const migration *m)
{
	strata_script sc = script_of(m, false);
	size_t start, end;
	if (!sc.sql || !d->plugin)
		return STRATA_TXN_NONE;
	return call_txn_control(&d->hc, d->plugin, d->conn, &sc, &start, &end);
}

int db_directive(const migration *m)
{
	return m->up ? directive(m->up, m->up_len) : -1;
}

int db_normalize(db *d, const char *text, size_t len, const char *file, int line,
                 strata_text_fn fn, void *ud)
{
	strata_script sc = {
		.version = STRATA_SCRIPT_VERSION,
		.struct_size = sizeof(strata_script),
		.sql = text,
		.len = len,
		.file = file,
		.line = line,
	};
	if (!d->plugin)
		return STRATA_ENOTFOUND;
	return call_normalize(&d->hc, d->plugin, d->conn, &sc, fn, ud);
}

int db_catalog(db *d, strata_catalog_fn fn, void *ud)
{
	if (!d->plugin || !d->conn)
		return STRATA_ENOTFOUND;
	return call_catalog(&d->hc, d->plugin, d->conn, 0, fn, ud);
}

int db_statements(db *d, const char *text, size_t len, const char *file, int line,
                  int (*fn)(void *ud, const char *sql, size_t len, int line), void *ud)
{
	strata_script sc = {
		.version = STRATA_SCRIPT_VERSION,
		.struct_size = sizeof(strata_script),
		.sql = text ? text : "",
		.len = text ? len : 0,
		.file = file,
		.line = line > 0 ? line : 1,
	};
	if (!d->plugin)
		return STRATA_ENOTFOUND;
	return call_statements(&d->hc, d->plugin, d->conn, &sc, fn, ud);
}

int db_schema_sql(db *d, const char *const *skip, strata_text_fn fn, void *ud)
{
	return call_schema_sql(&d->hc, d->plugin, d->conn, skip, fn, ud);
}
