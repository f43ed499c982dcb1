/*
 * driver/: a database connection through the driver plugin that serves its
 * URL, and strata's own table in it, strata_ledger.  The one user of driver
 * calls (plugins/call.c): everything above speaks to db_*.  Uses base/,
 * config/, plugins/ and ledger/.
 */
#ifndef STRATA_DRIVER_H
#define STRATA_DRIVER_H

#include "ledger.h"
#include "plugins.h"

typedef struct db {
	err_ctx *e;
	const plugin *plugin;
	strata_conn *conn; /* NULL: not connected (or no database yet, read-only) */
	host_call hc;      /* lent to the driver; trackers' calls copy it */
	char *display;     /* redacted URL */
	bool locked;
	long lock_timeout_ms;
	char *who; /* "user@host" for applied_by, looked up once per connection */
	call_cancel_fn cancel; /* the driver's, when it has one */
	bool intr_refuses;     /* while set, host->db_* refuse once interrupted */
	intr_target intr;      /* published while connected: a signal cancels */
	int ledger_script;     /* strata_ledger has its script column: 1, -1 no, 0 not asked */
	/* pipe.c: the driver's pipeline is on; what maps the failure of each
	 * statement deferred since the last flush (its tag - DB_PIPE_TAG0);
	 * the last flush failed at the queued BEGIN. */
	bool piped;
	struct db_pipe_slot *pipe_slots;
	size_t npipe, pipe_cap;
	bool pipe_begin_failed;
	struct db_memo *memo; /* memo.c: the trackers' answers read ahead (status) */
} db;

/* With drv NULL, the loader finds (and loads) the driver for url. */
int db_open(db *d, loader *L, const char *url, bool readonly, const plugin *drv);
void db_close(db *d);
const char *db_dialect(const db *d);
int db_exec(db *d, const char *sql);
int db_query(db *d, const char *sql, const char *const *params, int n, strata_row_fn fn, void *ud);
int db_table_exists(db *d, const char *table);
/* Does text write [schema.]table, as the driver's parser reads it?  1 with
 * *line (1-based in text), 0, < 0; STRATA_ENOTFOUND (nothing reported) when
 * the driver cannot tell. */
int db_writes_table(db *d, const char *text, size_t len, const char *schema, const char *table,
                    int *line);
int db_begin(db *d);
int db_commit(db *d);
int db_rollback(db *d);
int db_lock(db *d);
int db_unlock(db *d);
/* The signal that interrupted the command (strata_interrupt), 0: none. */
int db_interrupted(const db *d);
/* How one script runs (db_script_mode): inside strata's transaction or as
 * written without one; a file wrapped in its own BEGIN … COMMIT runs only
 * its body, script bytes [start, end), in strata's transaction. */
typedef struct db_mode {
	bool tx;
	bool wrapped;
	size_t start, end; /* what runs; the whole script unless wrapped */
} db_mode;

int db_script_mode(db *d, const migration *m, bool down, db_mode *mode);
int db_run(db *d, const migration *m, bool down, const db_mode *mode);
/* no_tx.c: why m's up script runs outside a transaction (db_script_mode's
 * tx false), in words naming file:line ("CREATE INDEX CONCURRENTLY i ON t
 * (x) at db/3_i.sql:2"), to out; for a line that says where a batch ends. */
void db_no_tx_reason(db *d, const migration *m, char *out, size_t size);
/* db_script_mode's tx: 1 yes, 0 no, < 0 error. */
int db_transactional(db *d, const migration *m, bool down);
int db_dump_schema(db *d, strata_text_fn fn, void *ud);
bool db_can_scratch(const db *d);
int db_scratch_create(db *d, char *url, size_t size);
int db_scratch_drop(db *d);
/* ---- db_template.c: the replay cache (driver version 6) ---- */
/* What besides the scripts changes a replay on d's server (one line);
 * STRATA_ENOTFOUND, nothing reported, when the driver cannot say.  d may be
 * attached only (db_attach) for a driver that needs no connection to say. */
int db_template_tag(db *d, char *out, size_t size);
/* Does d's driver keep templates as databases on its server? */
bool db_has_templates(const db *d);
int db_template_list(db *d, const char *prefix,
                     int (*fn)(void *ud, const char *name, const char *comment), void *ud);
/* db_scratch_create, the scratch a copy of template name. */
int db_scratch_from_template(db *d, const char *name, char *url, size_t size);
/* The scratch d made, saved as name (STRATA_EBUSY, nothing reported: it exists). */
int db_template_save(db *d, const char *name, const char *comment);
int db_template_drop(db *d, const char *name);
/* A host_call for a plugin call about source (a tracker's) on this
 * connection: host->db_* reach d. */
void db_host_call(db *d, host_call *hc, size_t source);

/* The driver for url loaded, without a connection (d->conn NULL): for
 * the calls that read a script's text only (db_objects, db_txn_control on
 * a dialect that needs no database).  STRATA_ENOTFOUND: no driver serves
 * url (nothing reported). */
int db_attach(db *d, loader *L, const char *url);
/* What each statement of m's up script does to which object (the driver's
 * objects); scratch: d is a scratch database the driver may change.
 * STRATA_ENOTFOUND (nothing reported) when the driver cannot tell. */
int db_objects(db *d, const migration *m, bool scratch, strata_object_fn fn, void *ud);
/* The up script's own transaction control (STRATA_TXN_*), or < 0. */
int db_txn_control(db *d, const migration *m);
/* The up script's "-- strata:[no-]transaction" directive: 1, 0, or -1 none. */
int db_directive(const migration *m);
/* Each statement of text (a script, or strata_ledger's recorded text of
 * one: file and line name it in messages) as the driver's parser reads it,
 * comments and whitespace left out, one canonical text each to fn (the
 * driver's normalize).  STRATA_ENOTFOUND (nothing reported) when the
 * driver cannot; STRATA_EINVAL (reported) for text its parser rejects. */
int db_normalize(db *d, const char *text, size_t len, const char *file, int line,
                 strata_text_fn fn, void *ud);

/* Every object of d's live schema (the driver's catalog op), to fn;
 * STRATA_ENOTFOUND (nothing reported) when the driver has none. */
int db_catalog(db *d, strata_catalog_fn fn, void *ud);

/* The live schema as SQL that makes it on an empty database (the driver's
 * schema_sql), tables in skip (NULL-terminated) left out; STRATA_ENOTFOUND
 * (nothing reported) when the driver has none. */
int db_schema_sql(db *d, const char *const *skip, strata_text_fn fn, void *ud);

/* text[0..len) (of file, from line) cut into statements by the driver (its
 * statements op; d attached or open), each to fn.  STRATA_ENOTFOUND (nothing
 * reported) when the driver cannot. */
int db_statements(db *d, const char *text, size_t len, const char *file, int line,
                  int (*fn)(void *ud, const char *sql, size_t len, int line), void *ud);

/* ---- pipe.c: a transaction in few round trips (docs/postgres.md) ----
 * db_pipe: from the next db_begin() on, the driver queues what it can (no
 * effect without a driver pipeline).  While piped, db_begin, db_commit and
 * db_run queue and send as the driver says; db_query is a sync point (sent
 * with what is queued, rows and status exact); strata_ledger's writes and a
 * tracker's statements without rows are deferred (db_defer) and sent with
 * the next sync point; any other call leaves the pipeline first.  db_commit
 * and db_rollback leave it. */
typedef int (*db_fail_fn)(db *d, int rc); /* a deferred statement failed with rc: its error */
void db_pipe(db *d);
int db_unpipe(db *d);
int db_unpipe_keep(db *d); /* the same, the current error kept */
int db_defer(db *d, const char *sql, const char *const *params, int n, db_fail_fn on_fail);
int db_flush(db *d);
/* db_query while piped: queued behind what is, then flushed. */
int db_pipe_query(db *d, const char *sql, const char *const *params, int n, strata_row_fn fn,
                  void *ud);
/* Did the script's round trip fail at its BEGIN (nothing of it ran)? */
bool db_pipe_begin_failed(const db *d);

/* ---- memo.c: a read made ahead (status: docs/internals.md) ----
 * db_memo_record: from now on the trackers' questions on d (host->db_query,
 * db_table_exists) and their answers are kept; a tracker's exec is refused
 * (reported) and ends the recording.  db_memo_replay: the same questions
 * asked again, in the same order, get the kept answers without the
 * database; the first that differs drops the memo, and it and the rest go
 * to the database.  db_close() frees it. */
void db_memo_record(db *d);
void db_memo_replay(db *d);
void db_memo_free(db *d);
/* db.c's host->db_* through the memo.  Replaying: 1 answered (*rc set), 0
 * not (ask the database).  Recording: db.c asks the database with
 * db_memo_row and the tap as the row callback, db_memo_tap_done() keeps the
 * answer and gives back the call's status. */
typedef struct db_memo_tap db_memo_tap;
int db_memo_query(db *d, const char *sql, const char *const *params, int n, strata_row_fn fn,
                  void *ud, int *rc);
int db_memo_table_exists(db *d, const char *table, int *rc);
bool db_memo_recording(const db *d);
db_memo_tap *db_memo_tap_new(db *d, const char *sql, const char *const *params, int n,
                             strata_row_fn fn, void *ud);
int db_memo_row(void *tap, int ncols, const char *const *values);
int db_memo_tap_done(db *d, db_memo_tap *t, int rc);
void db_memo_table_exists_kept(db *d, const char *table, int rc);
/* A tracker's exec: 0 to run it (the replay, if any, ends), or the refusal. */
int db_memo_other(db *d);

/* ---- ledger_table.c: strata_ledger ---- */
typedef struct ledger_row {
	char *id, *source, *version, *name, *checksum, *state;
	char *started_at, *finished_at, *applied_by, *error;
	char *script; /* the up script as recorded, NULL: none kept (ledger_table.c) */
	/* A row read from the table: the ten texts above script are one
	 * allocation, this one (ledger_row_clear frees it); NULL: each is its
	 * own. */
	char *block;
	long execution_ms;
	unsigned nulls; /* bit i: ledger_cols[i] is NOT NULL in the DDL, yet NULL here (read as "") */
} ledger_row;

/* strata_ledger's columns, in the DDL's order. */
#define LEDGER_NCOLS 11
typedef struct ledger_col {
	const char *name, *type;
	bool required; /* NOT NULL */
} ledger_col;
extern const ledger_col ledger_cols[LEDGER_NCOLS];

int ledger_table_ensure(db *d);
/* Every row; scripts: with the script column (the text each was applied
 * with), which status leaves for ledger_table_script() of the few that
 * differ from their file: on a long history it is most of the bytes. */
int ledger_table_read(db *d, bool scripts, ledger_row **rows, size_t *n);
/* The same rows one at a time, in id order, each to fn, which may take it
 * (a copy of *r, *r zeroed) or leave it to be freed; fn's error (< 0)
 * stops the read and is returned as it is.  exists: what
 * db_table_exists(d, "strata_ledger") answered, asked by the caller
 * (status asks it while the folders are still being scanned). */
int ledger_table_each(db *d, int exists, bool scripts, int (*fn)(void *ud, ledger_row *r),
                      void *ud);
/* One row's script (malloc'd): 1 found, 0 none kept, < 0 error. */
int ledger_table_script(db *d, const char *id, char **script);
int ledger_table_get(db *d, const char *id, ledger_row *row); /* 1 found, 0 not, <0 err */
int ledger_table_write(db *d, const migration *m, const char *state, const char *started,
                       const char *finished, long ms, const char *error);
/* The same with applied_by given (NULL: this connection's user@host). */
int ledger_table_write_by(db *d, const migration *m, const char *state, const char *started,
                          const char *finished, long ms, const char *error, const char *by);
/* strata repair: m's row gets the file's checksum and text, nothing else;
 * 1 done, 0 no row, < 0 error. */
int ledger_table_repair(db *d, const migration *m);
void ledger_rows_free(ledger_row *rows, size_t n);
void ledger_row_clear(ledger_row *r);

#endif
