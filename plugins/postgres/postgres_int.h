/*
 * Declarations shared by the PostgreSQL driver's source files.  Everything
 * here is hidden (-fvisibility=hidden); only strata_plugin_entry() leaves the
 * module.
 */
#ifndef STRATA_POSTGRES_INT_H
#define STRATA_POSTGRES_INT_H

#include <stdatomic.h>
#include <stddef.h>

#include <libpq-fe.h>
#include <strata/plugin.h>
#include <strata/plugin_util.h> /* strata_oom */

/* Passwords a connection may have seen: URL, conninfo, PQpass(), raw forms. */
#define PGDRV_MAX_SECRETS 8

/* One open connection.  host is the host of the call under way (NOTICEs
 * arrive inside libpq calls and go to its debug log); secrets are scrubbed
 * out of every message relayed; search_path is what open() set, restored
 * after each script; lock_key is the advisory key while the lock is held,
 * fence_key the key its holder's transactions take shared.  The rest is for
 * a transaction pooler (postgres_pool.c). */
struct strata_conn {
	PGconn *pg;
	strata_host *host;
	char *secrets[PGDRV_MAX_SECRETS];
	unsigned char piece[PGDRV_MAX_SECRETS]; /* 1: a fragment, hidden only where it stands alone */
	char *search_path;
	char lock_key[24];
	char fence_key[24];
	char *scratch; /* name of the database scratch_create made, or NULL */
	int pooled;           /* ?pgbouncer=true */
	char *conninfo;       /* pooled: what the lock's connection connects with */
	char *schema_name;    /* pooled: ?schema=, decoded, or NULL */
	char *schema_ident;   /* pooled: it as a quoted identifier, for SET LOCAL */
	PGconn *anchor;       /* pooled: holds the migration lock in an open transaction */
	char anchor_pid[16];  /* its server process */
	int advisory;         /* pooled: SQL of this transaction names advisory locks */
	PGcancel *cancel;     /* made at connect, for pgdrv_cancel (a signal handler) */
	atomic_int cancel_req; /* pgdrv_cancel was called: run() and lock() stop */
	/* postgres_pipe.c: libpq's pipeline mode is on; the statements queued
	 * since the last flush, in order; the script run() queued among them. */
	int piped;
	struct pgdrv_queued *queue;
	size_t nqueue, queue_cap;
	struct pgdrv_piped_run *prun;
};

/* postgres_url.c: a database URL taken apart. */
struct pgdrv_url {
	char *conninfo; /* what libpq gets */
	char *schema;   /* ?schema=NAME, decoded; NULL: none */
	int pgbouncer;  /* ?pgbouncer=true: through a transaction pooler */
};
int pgdrv_parse_url(strata_host *host, const char *url, struct pgdrv_url *u);
void pgdrv_url_free(struct pgdrv_url *u);
int pgdrv_add_secret(strata_conn *conn, const char *s, size_t len);
int pgdrv_add_secret_piece(strata_conn *conn, const char *s, size_t len);
int pgdrv_collect_secrets(strata_conn *conn, const char *url, const char *conninfo);

/* postgres_text.c */
char *pgdrv_clean(const strata_conn *conn, const char *msg);
char *pgdrv_clean_lines(const strata_conn *conn, const char *msg);
char *pgdrv_result_message(const strata_conn *conn, const PGresult *res);
char *pgdrv_result_hint(const strata_conn *conn, const PGresult *res);
int pgdrv_status(const strata_conn *conn, const PGresult *res);
int pgdrv_fail(strata_conn *conn, strata_host *host, const PGresult *res, const char *sql);

/* postgres_open.c */
int pgdrv_open(strata_host *host, const char *url, unsigned int flags, strata_conn **out);
void pgdrv_close(strata_conn *conn);
PGconn *pgdrv_connect(strata_conn *c, strata_host *host, const char *conninfo);

/* postgres_pool.c: through a transaction pooler.  begin: BEGIN with the
 * session's settings (and, fence set, the check that the migration lock is
 * still held); enter/leave: the driver's own transaction around one host
 * statement that needs the settings or names advisory locks (own: one was
 * opened); keep_locks: session-level advisory locks moved to the lock's
 * connection. */
int pgdrv_pool_begin(strata_conn *c, strata_host *host, int fence);
int pgdrv_pool_enter(strata_conn *c, strata_host *host, int *own);
int pgdrv_pool_leave(strata_conn *c, strata_host *host, int own, int rc);
int pgdrv_pool_keep_locks(strata_conn *c, strata_host *host);

/* postgres_scratch.c */
int pgdrv_scratch_create(strata_conn *conn, strata_host *host, char *url, size_t size);
int pgdrv_scratch_drop(strata_conn *conn, strata_host *host);
int pgdrv_scratch_create_from(strata_conn *conn, strata_host *host, const char *tpl, char *url,
                              size_t size);

/* postgres_template.c: the replay cache's ops (plugin.h, version 6) */
int pgdrv_template_tag(strata_conn *conn, strata_host *host, char *out, size_t size);
int pgdrv_template_list(strata_conn *conn, strata_host *host, const char *prefix,
                        int (*fn)(void *ud, const char *name, const char *comment), void *ud);
int pgdrv_scratch_from_template(strata_conn *conn, strata_host *host, const char *name,
                                char *url, size_t size);
int pgdrv_template_save(strata_conn *conn, strata_host *host, const char *name,
                        const char *comment);
int pgdrv_template_drop(strata_conn *conn, strata_host *host, const char *name);

/* postgres_exec.c: pgdrv_exec and pgdrv_query run SQL as it is; the
 * host_ variants are the driver's exec and query, which go through a pooler
 * (pgdrv_pool_enter) and note SQL naming advisory locks. */
int pgdrv_host_exec(strata_conn *conn, strata_host *host, const char *sql);
int pgdrv_host_query(strata_conn *conn, strata_host *host, const char *sql,
                     const char *const *params, int nparams, strata_row_fn fn, void *ud);
int pgdrv_exec(strata_conn *conn, strata_host *host, const char *sql);
int pgdrv_query(strata_conn *conn, strata_host *host, const char *sql,
                const char *const *params, int nparams, strata_row_fn fn, void *ud);
int pgdrv_query_text(strata_conn *conn, strata_host *host, const char *sql,
                     const char *const *params, int nparams, char **out);
int pgdrv_begin(strata_conn *conn, strata_host *host);
int pgdrv_commit(strata_conn *conn, strata_host *host);
int pgdrv_rollback(strata_conn *conn, strata_host *host);

/* postgres_script.c */
char *pgdrv_script_text(const strata_script *s);
size_t pgdrv_skip_space(const char *sql, size_t at, size_t end);
size_t pgdrv_char_offset(const char *sql, size_t at, size_t end, long chars);
void pgdrv_locate(const strata_script *s, size_t at, int *line, int *col);
int pgdrv_has_word(const char *sql, const char *const *words);
int pgdrv_scan_error(const strata_conn *conn, strata_host *host, const strata_script *s,
                     const char *text, const char *message, int cursorpos);

/* postgres_normalize.c: normalize() (plugin.h) */
int pgdrv_normalize(strata_conn *conn, strata_host *host, const strata_script *script,
                    strata_text_fn fn, void *ud);

/* postgres_classify.c */
int pgdrv_needs_autocommit(strata_conn *conn, strata_host *host, const strata_script *script);
int pgdrv_find_tx_end(const char *sql, size_t *at);
int pgdrv_txn_control(strata_conn *conn, strata_host *host, const strata_script *script,
                      size_t *body_start, size_t *body_end);

/* postgres_tree.c: libpg_query's parse tree read with json-c.  The tree of
 * sql, or NULL: when the grammar rejects it (why, which may be NULL, gets
 * the parser's message), when needle (NULL: none) does not find in the
 * parser's JSON what the caller looks for (a large tree is slow to build),
 * or when memory ran out (*nomem, which may be NULL, set). */
struct json_object;
struct json_object *pgdrv_tree(const char *sql, int (*needle)(const char *json, const void *ud),
                               const void *ud, char *why, size_t whysize, int *nomem);
/* Member key of object o (NULL when o is no object or has none); a boolean
 * member, false when absent; a string member, or NULL. */
struct json_object *pgdrv_member(struct json_object *o, const char *key);
int pgdrv_flag(struct json_object *o, const char *key);
const char *pgdrv_text(struct json_object *o, const char *key);
/* {"NodeType": {body}}: the type name, body in *body; NULL for no node. */
const char *pgdrv_node_type(struct json_object *node, struct json_object **body);

/* postgres_writes.c: statements that write a table (writes_table). */
int pgdrv_find_write(const char *sql, const char *schema, const char *table, size_t *at,
                     char *why, size_t whysize);
int pgdrv_writes_table(strata_conn *conn, strata_host *host, const strata_script *script,
                       const char *schema, const char *table, int *line);

/* postgres_objects.c: what each statement does to which object (objects). */
int pgdrv_objects(strata_conn *conn, strata_host *host, const strata_script *script,
                  unsigned int flags, strata_object_fn fn, void *ud);

/* postgres_catalog.c: the live schema, object by object (catalog). */
int pgdrv_catalog(strata_conn *conn, strata_host *host, unsigned int flags,
                  strata_catalog_fn fn, void *ud);
/* postgres_statements.c: the script cut into statements (statements op). */
int pgdrv_statements(strata_conn *conn, strata_host *host, const strata_script *script,
                     int (*fn)(void *ud, const char *sql, size_t len, int line), void *ud);

/* postgres_run.c */
int pgdrv_run(strata_conn *conn, strata_host *host, const strata_script *script);
int pgdrv_may_set_path(const char *text);
int pgdrv_statement_error(strata_conn *conn, strata_host *host, const strata_script *s,
                          char *text, int nstmts, const PGresult *res, size_t loc, size_t end,
                          size_t first, int index);
int pgdrv_tx_ended(strata_conn *conn, strata_host *host, const strata_script *s, size_t at);

/* postgres_pipe.c: the pipeline (plugin.h, driver version 6); run() of a
 * script while it is on; BEGIN and COMMIT queued. */
int pgdrv_pipeline(strata_conn *conn, strata_host *host, int on);
int pgdrv_defer(strata_conn *conn, strata_host *host, const char *sql,
                const char *const *params, int nparams, strata_row_fn fn, void *ud, int tag);
int pgdrv_flush(strata_conn *conn, strata_host *host, int *tag);
int pgdrv_run_piped(strata_conn *conn, strata_host *host, const strata_script *script);
void pgdrv_pipe_free(strata_conn *conn);

/* postgres_lock.c */
int pgdrv_lock(strata_conn *conn, strata_host *host, long timeout_ms);
int pgdrv_unlock(strata_conn *conn, strata_host *host);

/* postgres_cancel.c: the driver's cancel (async-signal-safe) and what it
 * stops; stopped: STRATA_EINTR (reported, "interrupted WHAT") once cancel
 * was called, else STRATA_OK. */
void pgdrv_cancel_prepare(strata_conn *conn);
void pgdrv_cancel_free(strata_conn *conn);
void pgdrv_cancel(strata_conn *conn);
int pgdrv_stopped(strata_conn *conn, strata_host *host, const char *what);

/* postgres_schema.c */
int pgdrv_dump_schema(strata_conn *conn, strata_host *host, strata_text_fn fn, void *ud);
int pgdrv_table_exists(strata_conn *conn, strata_host *host, const char *table);

/* postgres_pgdump.c: schema_sql, the real pg_dump's output; postgres_dumpfix.c:
 * the rules applied to it, each statement kept to fn. */
int pgdrv_schema_sql(strata_conn *conn, strata_host *host, const char *const *skip,
                     strata_text_fn fn, void *ud);
int pgdrv_dumpfix(strata_host *host, const char *dump, size_t len, strata_text_fn fn, void *ud);

#endif /* STRATA_POSTGRES_INT_H */
