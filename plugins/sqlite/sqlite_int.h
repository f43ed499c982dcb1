/*
 * Declarations shared by the SQLite driver's source files.  Everything here is
 * hidden (-fvisibility=hidden); only strata_plugin_entry() leaves the module.
 */
#ifndef STRATA_SQLITE_INT_H
#define STRATA_SQLITE_INT_H

#include <stdatomic.h>

#include <sqlite3.h>
#include <strata/plugin.h>
#include <strata/plugin_util.h> /* strata_oom */

/* One open database.  The path is kept for messages; classify is an empty
 * in-memory database that txn_control prepares statements in (opened on
 * first use); created: this open made the file, so close removes it again
 * if nothing was written to it; cancel_req is set by the driver's cancel (a
 * signal handler), busy_ms is how long to wait for another process's lock. */
struct strata_conn {
	sqlite3 *db;
	sqlite3 *classify;
	int created;
	atomic_int cancel_req;
	int busy_ms;
	char path[];
};

/* sqlite_open.c */
int sqlite_drv_open(strata_host *host, const char *url, unsigned int flags,
                    strata_conn **out);
void sqlite_drv_close(strata_conn *conn);

/* sqlite_exec.c */
int sqlite_drv_exec(strata_conn *conn, strata_host *host, const char *sql);
int sqlite_drv_query(strata_conn *conn, strata_host *host, const char *sql,
                     const char *const *params, int nparams, strata_row_fn fn,
                     void *ud);
int sqlite_drv_begin(strata_conn *conn, strata_host *host);
int sqlite_drv_commit(strata_conn *conn, strata_host *host);
int sqlite_drv_rollback(strata_conn *conn, strata_host *host);
int sqlite_status(int rc);
const char *sqlite_hint(int rc);

/* sqlite_schema.c */
/* sqlite_ddl.c: schema_sql */
/* sqlite_template.c: template_tag (the replay cache) */
int sqlite_drv_template_tag(strata_conn *conn, strata_host *host, char *out, size_t size);
int sqlite_drv_schema_sql(strata_conn *conn, strata_host *host, const char *const *skip,
                          strata_text_fn fn, void *ud);
int sqlite_drv_dump_schema(strata_conn *conn, strata_host *host,
                           strata_text_fn fn, void *ud);
int sqlite_drv_table_exists(strata_conn *conn, strata_host *host,
                            const char *table);

/* sqlite_cancel.c: the driver's cancel (sets a flag: async-signal-safe);
 * watch_cancel on: the statements run() steps fail with SQLITE_INTERRUPT
 * once it is set; set_busy: the busy timeout, cut short by a cancel. */
void sqlite_drv_cancel(strata_conn *conn);
int sqlite_drv_cancelled(strata_conn *conn);
void sqlite_drv_watch_cancel(strata_conn *conn, int on);
void sqlite_drv_set_busy(strata_conn *conn, int ms);

/* sqlite_run.c */
int sqlite_drv_run(strata_conn *conn, strata_host *host,
                   const strata_script *script);
const char *sqlite_statement_start(const char *p, const char *end);
void sqlite_locate(const strata_script *s, size_t off, int *line, int *col);

/* sqlite_lex.c: the script read with SQLite's lexical rules. */
/* Refuse, at its file:line:col, an unterminated comment or quote or a bind
 * parameter; STRATA_OK or STRATA_ESQL (reported).  *tx_words (may be NULL):
 * 1 when a word a transaction statement needs (BEGIN, COMMIT, ...) occurs. */
int sqlite_lex_check(strata_host *host, const strata_script *s, int *tx_words);
/* The next ';' token from p (outside quotes and comments), else end. */
const char *sqlite_lex_next_semi(const char *p, const char *end);
/* The next token from p (a word, a quoted name, one other character),
 * past whitespace and comments; *next past it; end when there is none. */
const char *sqlite_lex_token(const char *p, const char *end, const char **next);

/* sqlite_txn.c: transaction statements, as SQLite's parser reports them to
 * the authorizer while it prepares a statement. */
/* While set on db, each prepare stores its statement's kind in *kind (the
 * caller resets it to STRATA_TXK_OTHER first); unset with kind NULL. */
void sqlite_tx_watch(sqlite3 *db, strata_txn_kind *kind);
/* Where a statement that does not prepare ends: after the first ';' at
 * which sqlite3_complete() says it is whole, else end (text[end] is NUL). */
char *sqlite_complete_end(char *start, char *end);
int sqlite_drv_txn_control(strata_conn *conn, strata_host *host,
                           const strata_script *script, size_t *body_start,
                           size_t *body_end);

/* sqlite_writes.c: statements that write a table (writes_table). */
int sqlite_drv_writes_table(strata_conn *conn, strata_host *host, const strata_script *script,
                            const char *schema, const char *table, int *line);

/* sqlite_objects.c: what each statement does to which object (objects), on
 * the host's scratch database. */
int sqlite_drv_objects(strata_conn *conn, strata_host *host, const strata_script *script,
                       unsigned int flags, strata_object_fn fn, void *ud);

/* sqlite_normalize.c: each statement's tokens, comments and whitespace
 * left out (normalize). */
int sqlite_drv_normalize(strata_conn *conn, strata_host *host, const strata_script *script,
                         strata_text_fn fn, void *ud);

/* sqlite_catalog.c: the live schema, object by object (catalog). */
int sqlite_drv_catalog(strata_conn *conn, strata_host *host, unsigned int flags,
                       strata_catalog_fn fn, void *ud);
/* sqlite_statements.c: the script cut into statements (statements op). */
int sqlite_drv_statements(strata_conn *conn, strata_host *host, const strata_script *script,
                          int (*fn)(void *ud, const char *sql, size_t len, int line), void *ud);

#endif /* STRATA_SQLITE_INT_H */
