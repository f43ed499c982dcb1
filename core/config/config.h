/*
 * config/: strata.yaml, and which database URL is in effect.  Uses base/.
 */
#ifndef STRATA_CONFIG_H
#define STRATA_CONFIG_H

#include "base.h"
#include "errors.h"

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
	/* tracker: as written; NULL with has_trackers false: the format's
	 * default; has_trackers with ntrackers 0: `none` (strata_ledger only). */
	char **trackers;
	size_t ntrackers;
	bool has_trackers;
	int tracker_line;
	/* dialect: as written (checked against formats/dialects.yaml by
	 * plugins/dialect.c), or NULL: the source is for every database. */
	char *dialect;
	int dialect_line, dialect_col;
	/* retired: true (`strata adopt` sets it): the source's migrations stay in
	 * the ledger with their recorded state, are never applied, and never
	 * reported pending or missing.  retired_line: where, 0 when absent. */
	bool retired;
	int retired_line;
} cfg_source;

/* Variables read from .env files (dotenv.c).  A name keeps the value of the
 * first file that sets it; one the real environment has is never taken. */
typedef struct env_var {
	char *name, *value;
} env_var;

typedef struct dotenv {
	env_var *vars;
	size_t n;
} dotenv;

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
	bool single_transaction;     /* single_transaction: true (apply in one transaction) */
	int single_transaction_line; /* its line, 0: not given */
	dotenv env;        /* the .env files' variables */
	char **env_files;  /* the .env files read, in order (absolute) */
	size_t nenv_files;
} config;

int config_load(err_ctx *e, config *cfg, const char *path);
void config_free(config *cfg);
/* The config file's name for messages ("strata.yaml" when none was read). */
const char *config_file_name(const config *cfg);

/* override (--db), then DATABASE_URL (the real environment's, else a .env
 * file's), then the config's database:, then an embedded SQLite file. */
const char *config_database_url(const config *cfg, const char *override);

/* A variable as strata sees it: the real environment's (even when empty),
 * else the .env files'; NULL when neither has it. */
const char *config_getenv(const config *cfg, const char *name);

/* dotenv.c: one .env file, parsed as dotenv 16 does and expanded as Prisma
 * does; its variables join env unless the real environment or an earlier
 * file has them.  A missing file is no error (*found false).  Errors name
 * file:line:col and never quote a value. */
int dotenv_load(err_ctx *e, dotenv *env, const char *path, bool *found);
int dotenv_load_text(err_ctx *e, dotenv *env, const char *file, const char *text, size_t len);
const char *dotenv_get(const dotenv *env, const char *name);
void dotenv_free(dotenv *env);
/* The project's .env files: path itself (once, however reached), and the one
 * the native tool of format reads beside a source folder, if any. */
int config_read_env(err_ctx *e, config *cfg, const char *path);
int config_source_env(err_ctx *e, config *cfg, const char *format, const char *folder);

/* config_edit.c: strata adopt's edit of strata.yaml (text[0..len), named
 * file in messages): source retire_name gets `retired: true` and ns is
 * appended to sources:, every other byte kept; *out the new text (free it). */
typedef struct cfg_new_source {
	const char *name, *format, *path;
	const char *const *keys, *const *values; /* options, NULL-terminated; may be NULL */
} cfg_new_source;
int config_edit_adopt(err_ctx *e, const char *file, const char *text, size_t len,
                      const char *retire_name, const cfg_new_source *ns, char **out);

#endif
