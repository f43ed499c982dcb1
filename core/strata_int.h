/*
 * libstrata internals shared by the files of core/.  Not installed.
 */
#ifndef STRATA_INT_H
#define STRATA_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <strata/strata.h>

/* ---- util.c: growable buffer, strings, time, hashing ---- */
typedef struct sbuf {
	char *data;
	size_t len, cap;
} sbuf;

void sbuf_add(sbuf *b, const char *s, size_t n);
void sbuf_puts(sbuf *b, const char *s);
void sbuf_printf(sbuf *b, const char *fmt, ...) STRATA_PRINTF(2, 3);
char *sbuf_take(sbuf *b); /* NUL-terminated, caller frees, buffer reset */
void sbuf_free(sbuf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) STRATA_PRINTF(1, 2);
char *path_join(const char *dir, const char *name);
void sha256_hex(const void *data, size_t len, char out[65]);
void now_iso8601(char out[40]);
long long now_ms(void);
char *who_am_i(void);
int thread_beside(pthread_t *t, void *(*fn)(void *), void *arg); /* pthread_create, on another CPU */
int read_whole_file(const char *path, char **data, size_t *len);

/* ---- version.c ---- */
char *version_normalize(const char *v);
size_t version_key(const char *v, size_t len, char *out);
int version_cmp(const char *na, const char *nb); /* on normalized versions */

/* ---- error.c ---- */
struct strata;
int err_set(struct strata *s, int code, strata_error_class cls, const char *file, int line,
            int col, const char *hint, const char *fmt, ...) STRATA_PRINTF(8, 9);
int err_setv(struct strata *s, int code, strata_error_class cls, const char *file, int line,
             int col, const char *hint, const char *fmt, va_list ap);
void err_clear(struct strata *s);
/* An error with the strings it owns. */
typedef struct err_slot {
	strata_error_info info;
	char *message, *file, *hint;
} err_slot;
typedef err_slot err_saved;
/* The error the calling thread reads and writes: the handle's, or the slot a
 * helper thread was given with err_redirect(). */
const strata_error_info *err_cur(struct strata *s);
/* Keep the current error across a clean-up call that may set its own. */
void err_save(struct strata *s, err_saved *k);
void err_restore(struct strata *s, err_saved *k);
/* A helper thread sends its errors to its own slot (NULL: back to the
 * handle), so two threads never write one error in halves. */
void err_redirect(struct strata *s, err_slot *to);
void err_slot_free(err_slot *e);
void vlogf_(struct strata *s, strata_log_level lvl, const char *file, int line,
            const char *fmt, va_list ap);
void logf_(struct strata *s, strata_log_level lvl, const char *file, int line,
           const char *fmt, ...) STRATA_PRINTF(5, 6);

/* ---- config.c ---- */
typedef struct cfg_option {
	char *key, *value;
	int line;
} cfg_option;

typedef struct cfg_source {
	char *name, *format;
	char *path;         /* absolute */
	char *path_display; /* as written, for messages */
	int line;
	cfg_option *opts;
	size_t nopts;
} cfg_source;

typedef struct config {
	char *file; /* NULL when no config file was read */
	char *dir;  /* folder the paths are relative to */
	char *database;
	cfg_source *sources;
	size_t nsources;
	char **order;
	size_t norder;
	char **plugin_path;
	size_t nplugin_path;
	bool merge_by_version;
	long lock_timeout_ms;
	long session_lock_timeout_ms;
	long session_statement_timeout_ms;
} config;

int config_load(struct strata *s, config *cfg, const char *path);
void config_free(config *cfg);

/* ---- loader.c ---- */
typedef struct plugin {
	void *handle; /* lt_dlhandle */
	const strata_plugin *desc;
	strata_plugin_info info;
	char *file, *error;
} plugin;

int loader_load(struct strata *s); /* what the config and database URL need */
int loader_load_url(struct strata *s, const char *url); /* … and a driver for url */
int loader_load_all(struct strata *s); /* `strata plugins`, `strata init` */
bool loader_load_driver_aside(struct strata *s, const char *url, plugin *out);
const plugin *loader_adopt_driver(struct strata *s, plugin *pl);
/* ---- dialect.c ---- */
const char *dialect_of_url(struct strata *s, const char *url); /* NULL: unknown */
void loader_free(struct strata *s);
const plugin *loader_find_format(const struct strata *s, const char *format);
const plugin *loader_find_scheme(const struct strata *s, const char *url);

/* ---- host.c: the strata_host handed to plugins ---- */
typedef struct db db;
typedef struct host_call {
	strata_host pub; /* first: plugins see only this */
	struct strata *s;
	size_t source;   /* source index for add_migration / track_row */
	db *db;          /* for trackers */
	void *ud;        /* per-call extra (detect results, tracker rows) */
	int (*on_detect)(struct host_call *hc, const char *format, const char *const *keys,
	                 const char *const *values);
	int (*on_track_row)(struct host_call *hc, const strata_track_row *row);
} host_call;

void host_init(host_call *hc, struct strata *s);
strata_source_cfg host_source_cfg(struct strata *s, size_t i, const char ***keys,
                                  const char ***vals);

/* ---- ledger.c ---- */
typedef struct migration {
	strata_migration_info info; /* strings owned by this struct */
	char *vnorm;
	char *up, *down;
	size_t up_len, down_len;
	char *native_checksum;
	char **parents;
	size_t nparents;
	size_t src, seq;
	int down_line;
	char checksum[65];
	strata_state native; /* state a native tracker reports, PENDING if none */
	bool apply_failed;   /* failed while applying (not rolling back, not interrupted) */
	bool ledger_baselined; /* strata_ledger says baselined (before checksums) */
	char *native_finished; /* finished_at from the native tracker's row */
	struct migration **pm; /* parents resolved by ledger_order (nparents of them) */
	size_t descends;       /* pm[0..descends) are lineage, the rest dependencies only */
	/* Untranslatable scripts (strata_migration_desc version 2). */
	char *up_blocked, *down_blocked, *blocked_hint;
	int up_blocked_line, down_blocked_line;
} migration;

int ledger_add(host_call *hc, const strata_migration_desc *d);
int ledger_order(struct strata *s);
int ledger_load(struct strata *s); /* strata_load_ledger without clearing the error */
void migration_free(migration *m);
migration *ledger_find(const struct strata *s, const char *id);
/* Is a the same as b or one of its ancestors (through parents)? */
bool ledger_is_ancestor(const struct strata *s, const migration *a, const migration *b);

/* ---- db.c: a connection through a driver plugin, plus strata_ledger ---- */
struct db {
	struct strata *s;
	const plugin *plugin;
	const strata_driver_ops *ops;
	strata_conn *conn;
	host_call hc;
	char *display; /* redacted URL */
	bool locked;
	bool *tracker_locked; /* per source: its tracker's own lock is held */
	char *who;            /* "user@host" for applied_by, looked up once per connection */
};

typedef struct ledger_row {
	char *id, *source, *version, *name, *checksum, *state;
	char *started_at, *finished_at, *applied_by, *error;
	long execution_ms;
} ledger_row;

int db_open(struct strata *s, const char *url, bool readonly, db *out);
int db_open_with(struct strata *s, const char *url, bool readonly, db *out, const plugin *drv);
void db_close(db *d);
int db_exec(db *d, const char *sql);
int db_query(db *d, const char *sql, const char *const *params, int n, strata_row_fn fn, void *ud);
int db_begin(db *d);
int db_commit(db *d);
int db_rollback(db *d);
int db_lock(db *d);
int db_unlock(db *d);
int db_run(db *d, const migration *m, bool down, bool tx);
int db_transactional(db *d, const migration *m, bool down);

int ledger_table_ensure(db *d);
int ledger_table_read(db *d, ledger_row **rows, size_t *n);
int ledger_table_get(db *d, const char *id, ledger_row *row); /* 1 found, 0 not, <0 err */
int ledger_table_write(db *d, const migration *m, const char *state, const char *started,
                       const char *finished, long ms, const char *error);
void ledger_rows_free(ledger_row *rows, size_t n);
void ledger_row_clear(ledger_row *r);

/* ---- track.c: native trackers of the sources' plugins ---- */
int track_read(struct strata *s, db *d);
int track_lock(struct strata *s, db *d);
void track_unlock(struct strata *s, db *d);
int track_record(struct strata *s, db *d, const migration *m, const char *state,
                 const char *started, const char *finished, long ms, const char *error);

/* ---- plan.c ---- */
int plan_compute(struct strata *s, db *d);
int plan_from_rows(struct strata *s, db *d, ledger_row *rows, size_t n);
void plan_add_missing(struct strata *s, ledger_row *r);

/* ---- the handle ---- */
struct strata {
	err_slot err;
	pthread_mutex_t redirect_lock; /* err_redirect(): status's database thread */
	err_slot *redirect;
	pthread_t redirect_thread;
	strata_log_fn log;
	void *log_ud;

	config cfg;
	char *db_override;
	bool has_lock_override; /* --lock-timeout beats config and environment */
	long lock_override_ms;
	char *db_display;

	plugin *plugins;
	size_t nplugins;
	bool ltdl_up;
	bool ltdl_all; /* every plugin file loaded, not only what the command needs */
	char *dialect, *dialect_scheme; /* dialect_of_url's last answer from dialects.yaml */
	char **formats_dirs; /* NULL-terminated */

	migration **migs; /* ordered ledger */
	size_t nmigs;
	migration **by_id; /* sorted by id, for lookups */
	migration **missing; /* recorded but no file, after status */
	size_t nmissing;
	bool ledger_loaded;
	bool want_down;      /* the command runs down scripts: read their text */
	bool ledger_has_down; /* the loaded ledger was read with want_down */
};

const char *strata_database_url(struct strata *s);

#endif
