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

int config_load(err_ctx *e, config *cfg, const char *path);
void config_free(config *cfg);
/* The config file's name for messages ("strata.yaml" when none was read). */
const char *config_file_name(const config *cfg);

/* override (--db), then DATABASE_URL, then the config's database:, then an
 * embedded SQLite file. */
const char *config_database_url(const config *cfg, const char *override);

#endif
