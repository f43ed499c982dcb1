/* The services strata lends a plugin during one call.  Each callback either
 * answers from below (errors, logging, hashing, versions) or passes the
 * request to the hook the calling layer lent in the host_call: the ledger's
 * add_migration, init's detected, the trackers' rows and graph, the driver
 * layer's database.  This file calls nothing above it. */
#include "plugins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static host_call *hc_of(strata_host *h)
{
	return (host_call *)h;
}

/* A source plugin names files relative to its folder; show them from the
 * config's point of view, like every other message (NULL: keep file as is). */
static char *display_path(host_call *hc, const char *file)
{
	const config *cfg = hc->cfg;
	if (!file || file[0] == '/' || !cfg || hc->source >= cfg->nsources ||
	    (cfg->file && !strcmp(file, cfg->file)))
		return NULL;
	return path_join(cfg->sources[hc->source].path_display, file);
}

static void h_error(strata_host *h, strata_error_class cls, const char *file, int line, int col,
                    const char *hint, const char *fmt, ...)
{
	host_call *hc = hc_of(h);
	char *full = display_path(hc, file);
	va_list ap;
	va_start(ap, fmt);
	/* The code is the plugin's return value, stamped by the funnel. */
	err_setv(hc->e, STRATA_ERR, cls, full ? full : file, line, col, hint, fmt, ap);
	va_end(ap);
	free(full);
}

static void h_warn(strata_host *h, const char *file, int line, const char *fmt, ...)
{
	host_call *hc = hc_of(h);
	char *full = display_path(hc, file);
	va_list ap;
	va_start(ap, fmt);
	vlogf_(hc->e, STRATA_LOG_WARN, full ? full : file, line, fmt, ap);
	va_end(ap);
	free(full);
}

static void h_debug(strata_host *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlogf_(hc_of(h)->e, STRATA_LOG_DEBUG, NULL, 0, fmt, ap);
	va_end(ap);
}

static int h_add_migration(strata_host *h, const strata_migration_desc *m)
{
	host_call *hc = hc_of(h);
	return hc->on_add_migration ? hc->on_add_migration(hc, m) : STRATA_ERR;
}

static int h_detected(strata_host *h, const char *format, const char *const *keys,
                      const char *const *values)
{
	host_call *hc = hc_of(h);
	return hc->on_detect ? hc->on_detect(hc, format, keys, values) : 0;
}

static int h_db_exec(strata_host *h, const char *sql)
{
	host_call *hc = hc_of(h);
	return hc->db ? hc->db->exec(hc->db_ud, sql) : STRATA_ERR;
}

static int h_db_query(strata_host *h, const char *sql, const char *const *params, int n,
                      strata_row_fn fn, void *ud)
{
	host_call *hc = hc_of(h);
	return hc->db ? hc->db->query(hc->db_ud, sql, params, n, fn, ud) : STRATA_ERR;
}

static const char *h_db_dialect(strata_host *h)
{
	host_call *hc = hc_of(h);
	return hc->db ? hc->db->dialect(hc->db_ud) : NULL;
}

static int h_db_table_exists(strata_host *h, const char *table)
{
	host_call *hc = hc_of(h);
	return hc->db ? hc->db->table_exists(hc->db_ud, table) : STRATA_ERR;
}

static int h_db_writes_table(strata_host *h, const char *text, size_t len, const char *schema,
                             const char *table, int *line)
{
	host_call *hc = hc_of(h);
	*line = 0;
	if (!hc->db || !hc->db->writes_table || !table)
		return STRATA_ENOTFOUND;
	return hc->db->writes_table(hc->db_ud, text ? text : "", text ? len : 0, schema, table, line);
}

static int h_track_row(strata_host *h, const strata_track_row *row)
{
	host_call *hc = hc_of(h);
	return hc->on_track_row ? hc->on_track_row(hc, row) : 0;
}

static int h_is_ancestor(strata_host *h, const char *a, const char *b)
{
	host_call *hc = hc_of(h);
	if (!hc->on_is_ancestor || !a || !b)
		return STRATA_ENOTFOUND;
	return hc->on_is_ancestor(hc, a, b);
}

static int h_each_migration(strata_host *h, strata_mig_fn fn, void *ud)
{
	host_call *hc = hc_of(h);
	if (!hc->on_each_migration || !fn)
		return 0;
	return hc->on_each_migration(hc, fn, ud);
}

static int h_each_migration_near(strata_host *h, const char *version, strata_mig_fn fn, void *ud)
{
	host_call *hc = hc_of(h);
	if (!hc->on_each_migration_near || !fn || !version)
		return 0;
	return hc->on_each_migration_near(hc, version, fn, ud);
}

void host_init(host_call *hc, const loader *L)
{
	memset(hc, 0, sizeof *hc);
	hc->e = L->e;
	hc->cfg = L->cfg;
	hc->source = (size_t)-1;
	strata_host *h = &hc->pub;
	h->version = STRATA_HOST_VERSION;
	h->struct_size = sizeof *h;
	h->error = h_error;
	h->warn = h_warn;
	h->debug = h_debug;
	h->add_migration = h_add_migration;
	h->detected = h_detected;
	h->formats_dirs = (const char *const *)L->formats_dirs;
	h->db_exec = h_db_exec;
	h->db_query = h_db_query;
	h->db_dialect = h_db_dialect;
	h->db_table_exists = h_db_table_exists;
	h->track_row = h_track_row;
	h->sha256_hex = sha256_hex;
	h->version_key = version_key;
	h->version_cmp = version_cmp;
	h->lock_timeout_ms = L->cfg->lock_timeout_ms;
	h->session_lock_timeout_ms = L->cfg->session_lock_timeout_ms;
	h->session_statement_timeout_ms = L->cfg->session_statement_timeout_ms;
	h->is_ancestor = h_is_ancestor;
	h->each_migration = h_each_migration;
	h->db_writes_table = h_db_writes_table;
	h->each_migration_near = h_each_migration_near;
}
