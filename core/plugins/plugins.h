/*
 * plugins/: loading plugins (libltdl), the dialect of a URL, the strata_host
 * table lent to them, and the funnel every call into a plugin goes through
 * (call.c).  Uses base/ and config/.
 */
#ifndef STRATA_PLUGINS_H
#define STRATA_PLUGINS_H

#include "base.h"
#include "config.h"
#include "errors.h"

/* ---- loader.c ---- */
typedef struct plugin {
	void *handle; /* lt_dlhandle */
	const strata_plugin *desc;
	strata_plugin_info info;
	char *file, *error;
} plugin;

typedef struct loader {
	err_ctx *e;
	const config *cfg; /* plugin_path, and the formats a command needs */
	plugin *plugins;
	size_t nplugins;
	bool up;  /* lt_dlinit() done */
	bool all; /* every plugin file loaded, not only what the command needs */
	char *dialect, *dialect_scheme; /* dialect_of_url's last answer from dialects.yaml */
	char **formats_dirs;            /* NULL-terminated */
	struct dialect_name *dnames;    /* dialect.c: dialects.yaml's dialects: (alias, canonical); freed by loader_free */
	size_t ndnames;
	bool dnames_read;
	bool *left;                     /* per config source: left out (loader_leave_out) */
	strata_left_out_info *left_out;
	size_t nleft_out;
	struct tracker_bind *binds;     /* bind.c: every source's trackers, in config order */
	size_t nbinds;
	bool bound;
} loader;

void loader_init(loader *L, err_ctx *e, const config *cfg);
void loader_free(loader *L);
/* What the config's sources need, and a driver for url (NULL: none). */
int loader_load_url(loader *L, const char *url);
int loader_load_all(loader *L); /* `strata plugins`, `strata init` */
/* Strata's own plugin file NAME.so, for a role no format names. */
int loader_load_named(loader *L, const char *name);
/* The descriptor reader strata ships (plugins/tables), tried by name before
 * every plugin is loaded to find one. */
#define LOADER_DESCRIPTOR_PLUGIN "tables"
/* The driver for url loaded beside the list (status's database thread);
 * loader_adopt_driver() adds it once the threads are joined. */
bool loader_load_driver_aside(loader *L, const char *url, plugin *out);
const plugin *loader_adopt_driver(loader *L, plugin *pl);
const plugin *loader_find_format(const loader *L, const char *format);
const plugin *loader_find_scheme(const loader *L, const char *url);
/* The tracker of the plugin that reads format, or NULL. */
const plugin *loader_find_tracker(const loader *L, const char *format);

/* ---- bind.c: which trackers each source has ----
 * strata.yaml's `tracker:` (a name, a list, or none), else the source
 * plugin's default_tracker(), else the source's own plugin when it is a
 * tracker.  A name is a tracker plugin's name, else a descriptor
 * trackers/NAME.yaml in the formats dirs, served by the plugin whose tracker
 * flags carry STRATA_TRACKER_DESCRIPTORS. */
typedef struct tracker_bind {
	size_t src;        /* config source */
	size_t pl;         /* index in loader.plugins (bind_plugin) */
	char *name;        /* the tracker's name: messages, decided_by */
	char *descriptor;  /* strata_source_cfg.tracker for a descriptor plugin, else NULL */
	char *table;       /* the table as messages name it */
} tracker_bind;

/* Once per loader, after the sources' plugins are loaded; errors name
 * strata.yaml:line. */
int loader_bind_trackers(loader *L);
void loader_unbind_trackers(loader *L);
const plugin *bind_plugin(const loader *L, const tracker_bind *b);
/* The plugin serving tracker name (loaded plugins only), with *descriptor
 * set to name when it is a descriptor, else NULL; NULL when none does. */
const plugin *loader_tracker_named(const loader *L, const char *name, const char **descriptor);
/* Every tracker name this loader knows (plugins, then descriptors; sorted,
 * NULL-terminated; free with strv_free). */
char **loader_tracker_names(loader *L);
void strv_free(char **v);

/* ---- dialect.c ---- */
const char *dialect_of_url(loader *L, const char *url); /* NULL: unknown */
/* The dialect names of dialects.yaml's `dialects:` table: each dialect by
 * its own name and its aliases (postgres, pg, …), any case. */
typedef struct dialect_name {
	char *alias, *canonical;
} dialect_name;
/* name's dialect (the table's own spelling), or NULL when the table lacks it. */
const char *dialect_canonical(loader *L, const char *name);
char *dialect_names_list(loader *L); /* "db2, derby, h2, …" for hints (malloc'd) */
/* Is dialect's DDL transactional (dialects.yaml's transactional_ddl table says true)?
 * apply --single-transaction refuses a database of any other. */
bool dialect_transactional_ddl(loader *L, const char *dialect);
/* A source whose `dialect:` is not the dialect of url's database is left
 * out: not read, its trackers not bound (L->left, L->left_out).  Nothing is
 * left out when url's dialect is unknown.  An unknown `dialect:` is an
 * error at its strata.yaml line.  Call before loader_bind_trackers(). */
int loader_leave_out(loader *L, const char *url);
/* dialect's value in dialects.yaml's `section:` table (`schemas:`), from
 * the first formats dir that has one (malloc'd), or NULL. */
char *dialect_setting(loader *L, const char *section, const char *dialect);

/* ---- host.c: the strata_host handed to plugins ---- */
struct host_call;

/* The database a tracker reaches through host->db_*: lent by driver/. */
typedef struct host_db {
	int (*exec)(void *db, const char *sql);
	int (*query)(void *db, const char *sql, const char *const *params, int n, strata_row_fn fn,
	             void *ud);
	const char *(*dialect)(void *db);
	int (*table_exists)(void *db, const char *table);
	int (*writes_table)(void *db, const char *text, size_t len, const char *schema,
	                    const char *table, int *line);
} host_db;

/* A host_call embeds the public strata_host as its first member, so each
 * callback gets back to the operation under way (the sqlite3_file
 * "subclass" trick).  What a plugin may call back into is what the layer
 * that makes the call lends: on_* hooks and the database. */
typedef struct host_call {
	strata_host pub; /* first: plugins see only this */
	err_ctx *e;
	const config *cfg;
	size_t source; /* config source the call is about, (size_t)-1 for none */
	unsigned int want;   /* STRATA_WANT_* for that source's config */
	const char *dialect; /* the target's dialect, for that source's config */
	const char *display; /* what driver calls are about in messages (redacted URL) */
	void *ud;            /* the hooks' own data */
	int (*on_add_migration)(struct host_call *hc, const strata_migration_desc *d);
	int (*on_detect)(struct host_call *hc, const char *format, const char *const *keys,
	                 const char *const *values);
	int (*on_track_row)(struct host_call *hc, const strata_track_row *row);
	int (*on_is_ancestor)(struct host_call *hc, const char *a, const char *b);
	int (*on_each_migration)(struct host_call *hc, strata_mig_fn fn, void *ud);
	int (*on_each_migration_near)(struct host_call *hc, const char *version, strata_mig_fn fn,
	                              void *ud);
	const char *tracker; /* strata_source_cfg.tracker for the call (a descriptor), or NULL */
	const host_db *db;
	void *db_ud;
} host_call;

void host_init(host_call *hc, const loader *L);

/* ---- call.c: the one funnel into plugins ----
 * Each call_* binds the host table (hc, with hc->source set for the source
 * it concerns) and that source's config, calls the plugin, and on failure
 * leaves an error carrying the plugin's own status code: the plugin's
 * message when it gave one, else "WHAT (plugin NAME gave no reason)". */
int call_scan(host_call *hc, const plugin *pl);
int call_detect(host_call *hc, const plugin *pl, const char *dir);
/* STRATA_TRACKER_* of the tracker (0 for a table from before the field). */
unsigned int call_track_flags(const plugin *pl);
/* STRATA_ENOTFOUND, nothing reported: the tool's table does not exist
 * (trackers with STRATA_TRACKER_SAYS_MISSING). */
int call_track_read(host_call *hc, const plugin *pl);
int call_track_record(host_call *hc, const plugin *pl, const strata_track_event *ev);
bool call_track_has_lock(const plugin *pl);
/* The source plugin's default tracker name (copied), or NULL. */
char *call_default_tracker(host_call *hc, const plugin *pl);
/* The table as the tracker names it for hc's source (copied); NULL when the
 * tracker said why it cannot (a descriptor that does not load): error set. */
char *call_track_table_of(host_call *hc, const plugin *pl);
/* probe(): 0 absent, > 0 present (score), < 0 error; 0 without probe. */
int call_track_probe(host_call *hc, const plugin *pl);
int call_track_lock(host_call *hc, const plugin *pl, long timeout_ms);
int call_track_unlock(host_call *hc, const plugin *pl);

/* Drivers: file (a redacted URL or a script's path) names what failed. */
int call_open(host_call *hc, const plugin *pl, const char *url, unsigned int flags,
              strata_conn **out);
void call_close(const plugin *pl, strata_conn *conn);
int call_exec(host_call *hc, const plugin *pl, strata_conn *c, const char *sql);
int call_query(host_call *hc, const plugin *pl, strata_conn *c, const char *sql,
               const char *const *params, int n, strata_row_fn fn, void *ud);
int call_begin(host_call *hc, const plugin *pl, strata_conn *c);
int call_commit(host_call *hc, const plugin *pl, strata_conn *c);
int call_rollback(host_call *hc, const plugin *pl, strata_conn *c);
int call_run(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc);
int call_dump_schema(host_call *hc, const plugin *pl, strata_conn *c, strata_text_fn fn, void *ud);
bool call_has_lock(const plugin *pl);
int call_lock(host_call *hc, const plugin *pl, strata_conn *c, long timeout_ms);
int call_unlock(host_call *hc, const plugin *pl, strata_conn *c);
int call_table_exists(host_call *hc, const plugin *pl, strata_conn *c, const char *table);
/* 1 / 0, or < 0; 0 when the driver has no needs_autocommit. */
int call_needs_autocommit(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc);
bool call_has_scratch(const plugin *pl);
int call_scratch_create(host_call *hc, const plugin *pl, strata_conn *c, char *url, size_t size);
int call_scratch_drop(host_call *hc, const plugin *pl, strata_conn *c);
/* Templates (driver version 6): template_tag's line, STRATA_ENOTFOUND
 * (nothing reported) when the driver has none; has_templates: the driver
 * keeps templates as databases (the four other ops); template_save's
 * STRATA_EBUSY (it exists) comes without an error. */
int call_template_tag(host_call *hc, const plugin *pl, strata_conn *c, char *out, size_t size);
bool call_has_templates(const plugin *pl);
int call_template_list(host_call *hc, const plugin *pl, strata_conn *c, const char *prefix,
                       int (*fn)(void *ud, const char *name, const char *comment), void *ud);
int call_scratch_from_template(host_call *hc, const plugin *pl, strata_conn *c, const char *name,
                               char *url, size_t size);
int call_template_save(host_call *hc, const plugin *pl, strata_conn *c, const char *name,
                       const char *comment);
int call_template_drop(host_call *hc, const plugin *pl, strata_conn *c, const char *name);
/* STRATA_TXN_NONE / _WRAPPED (with [*start, *end) inside the script) / _OWN,
 * or < 0; NONE when the driver has no txn_control (built before version 2).
 * c may be NULL (no database yet). */
int call_txn_control(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                     size_t *start, size_t *end);
/* Does sc write [schema.]table (writes_table, version 4)?  1 (*line set),
 * 0, < 0; STRATA_ENOTFOUND, nothing reported, when the driver has no
 * writes_table. */
int call_writes_table(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                      const char *schema, const char *table, int *line);
/* The driver's cancel (version 3), or NULL when it has none: read here,
 * before a signal can come, so the handler only calls it. */
/* The driver's objects (what each statement does to which object), each
 * record checked; STRATA_ENOTFOUND (nothing reported) when the driver has no
 * objects op, or needs a scratch (STRATA_OBJECTS_SCRATCH) it did not get. */
int call_objects(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                 unsigned int flags, strata_object_fn fn, void *ud);
typedef void (*call_cancel_fn)(strata_conn *c);
call_cancel_fn call_cancel_of(const plugin *pl);
/* normalize: each statement of sc as the dialect's parser reads it, one
 * canonical text each to fn; STRATA_ENOTFOUND (nothing reported) when the
 * driver has no normalize. */
int call_normalize(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                   strata_text_fn fn, void *ud);
/* Every object of c's live schema (catalog, version 5), each record checked;
 * STRATA_ENOTFOUND (nothing reported) when the driver has no catalog op. */
int call_catalog(host_call *hc, const plugin *pl, strata_conn *c, unsigned int flags,
                 strata_catalog_fn fn, void *ud);
/* Source write (version 3): cfg is the target folder's binding (not one of
 * the config's sources).  0; STRATA_WRITE_REFUSED (not written) or
 * STRATA_WRITE_NO_DOWN (written without its down script) with the plugin's
 * reason as the current error (the caller collects it and goes on); < 0.  A
 * plugin without write: STRATA_EINVAL, reported. */
bool call_has_write(const plugin *pl);
int call_write(host_call *hc, const plugin *pl, const strata_source_cfg *cfg,
               const strata_write_mig *m);
/* The driver's statements (version 5): sc cut where the dialect cuts it, each
 * statement to fn; STRATA_ENOTFOUND (nothing reported) when the driver has
 * no statements op. */
int call_statements(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc,
                    int (*fn)(void *ud, const char *sql, size_t len, int line), void *ud);
/* The driver's schema_sql (the live schema as SQL, tables in skip left out);
 * STRATA_ENOTFOUND (nothing reported) when the driver has none. */
int call_schema_sql(host_call *hc, const plugin *pl, strata_conn *c, const char *const *skip,
                    strata_text_fn fn, void *ud);
/* The driver's pipeline (version 6): has it all three members; enter (1)
 * or leave (0); queue a statement; send what is queued (*tag: the failing
 * statement's); run() while on (STRATA_ENOTFOUND unreported: not this script). */
bool call_has_pipeline(const plugin *pl);
int call_pipeline(host_call *hc, const plugin *pl, strata_conn *c, int on);
int call_defer(host_call *hc, const plugin *pl, strata_conn *c, const char *sql,
               const char *const *params, int np, strata_row_fn fn, void *ud, int tag);
int call_flush(host_call *hc, const plugin *pl, strata_conn *c, int *tag);
int call_run_piped(host_call *hc, const plugin *pl, strata_conn *c, const strata_script *sc);


#endif
