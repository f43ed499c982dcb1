/*
 * Declarations shared by the PostgreSQL driver's source files.  Everything
 * here is hidden (-fvisibility=hidden); only strata_plugin_entry() leaves the
 * module.
 */
#ifndef STRATA_POSTGRES_INT_H
#define STRATA_POSTGRES_INT_H

#include <stddef.h>

#include <libpq-fe.h>
#include <strata/plugin.h>
#include <strata/plugin_util.h> /* strata_oom */

/* Passwords a connection may have seen: URL, conninfo, PQpass(), raw forms. */
#define PGDRV_MAX_SECRETS 8

/* One open connection.  host is the host of the call under way (NOTICEs
 * arrive inside libpq calls and go to its debug log); secrets are scrubbed
 * out of every message relayed; search_path is what open() set, restored
 * after each script; lock_key is the advisory key while the lock is held. */
struct strata_conn {
	PGconn *pg;
	strata_host *host;
	char *secrets[PGDRV_MAX_SECRETS];
	char *search_path;
	char lock_key[24];
	char *scratch; /* name of the database scratch_create made, or NULL */
};

/* postgres_url.c */
int pgdrv_split_url(strata_host *host, const char *url, char **conninfo, char **schema);
int pgdrv_add_secret(strata_conn *conn, const char *s, size_t len);
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

/* postgres_scratch.c */
int pgdrv_scratch_create(strata_conn *conn, strata_host *host, char *url, size_t size);
int pgdrv_scratch_drop(strata_conn *conn, strata_host *host);

/* postgres_exec.c */
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

/* postgres_classify.c */
int pgdrv_needs_autocommit(strata_conn *conn, strata_host *host, const strata_script *script);
int pgdrv_find_tx_end(const char *sql, size_t *at);
int pgdrv_txn_control(strata_conn *conn, strata_host *host, const strata_script *script,
                      size_t *body_start, size_t *body_end);

/* postgres_run.c */
int pgdrv_run(strata_conn *conn, strata_host *host, const strata_script *script);

/* postgres_lock.c */
int pgdrv_lock(strata_conn *conn, strata_host *host, long timeout_ms);
int pgdrv_unlock(strata_conn *conn, strata_host *host);

/* postgres_schema.c */
int pgdrv_dump_schema(strata_conn *conn, strata_host *host, strata_text_fn fn, void *ud);
int pgdrv_table_exists(strata_conn *conn, strata_host *host, const char *table);

#endif /* STRATA_POSTGRES_INT_H */
