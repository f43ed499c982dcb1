/* The services strata lends a plugin during one call.  A host_call embeds the
 * public strata_host as its first member, so each callback gets back to the
 * handle and to the operation under way (the sqlite3_file "subclass" trick). */
#include "strata_int.h"

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
	strata *s = hc->s;
	if (!file || file[0] == '/' || hc->source >= s->cfg.nsources ||
	    (s->cfg.file && !strcmp(file, s->cfg.file)))
		return NULL;
	return path_join(s->cfg.sources[hc->source].path_display, file);
}

static void h_error(strata_host *h, strata_error_class cls, const char *file, int line, int col,
                    const char *hint, const char *fmt, ...)
{
	host_call *hc = hc_of(h);
	strata *s = hc->s;
	char *full = display_path(hc, file);
	va_list ap;
	va_start(ap, fmt);
	err_setv(s, STRATA_ERR, cls, full ? full : file, line, col, hint, fmt, ap);
	va_end(ap);
	free(full);
}

static void h_warn(strata_host *h, const char *file, int line, const char *fmt, ...)
{
	host_call *hc = hc_of(h);
	char *full = display_path(hc, file);
	va_list ap;
	va_start(ap, fmt);
	vlogf_(hc->s, STRATA_LOG_WARN, full ? full : file, line, fmt, ap);
	va_end(ap);
	free(full);
}

static void h_debug(strata_host *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlogf_(hc_of(h)->s, STRATA_LOG_DEBUG, NULL, 0, fmt, ap);
	va_end(ap);
}

static int h_add_migration(strata_host *h, const strata_migration_desc *m)
{
	return ledger_add(hc_of(h), m);
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
	if (!hc->db)
		return STRATA_ERR;
	return db_exec(hc->db, sql);
}

static int h_db_query(strata_host *h, const char *sql, const char *const *params, int n,
                      strata_row_fn fn, void *ud)
{
	host_call *hc = hc_of(h);
	if (!hc->db)
		return STRATA_ERR;
	return db_query(hc->db, sql, params, n, fn, ud);
}

static const char *h_db_dialect(strata_host *h)
{
	host_call *hc = hc_of(h);
	return hc->db ? hc->db->ops->dialect : NULL;
}

static int h_db_table_exists(strata_host *h, const char *table)
{
	host_call *hc = hc_of(h);
	if (!hc->db || !hc->db->ops->table_exists)
		return STRATA_ERR;
	return hc->db->ops->table_exists(hc->db->conn, &hc->pub, table);
}

static int h_track_row(strata_host *h, const strata_track_row *row)
{
	host_call *hc = hc_of(h);
	return hc->on_track_row ? hc->on_track_row(hc, row) : 0;
}

/* The tracker's source's graph, by version. */
static int h_is_ancestor(strata_host *h, const char *a, const char *b)
{
	host_call *hc = hc_of(h);
	if (hc->source >= hc->s->cfg.nsources || !a || !b)
		return STRATA_ENOTFOUND;
	const char *src = hc->s->cfg.sources[hc->source].name;
	char *ia = xasprintf("%s:%s", src, a), *ib = xasprintf("%s:%s", src, b);
	migration *ma = ledger_find(hc->s, ia), *mb = ledger_find(hc->s, ib);
	free(ia);
	free(ib);
	if (!ma || !mb)
		return STRATA_ENOTFOUND;
	return ledger_is_ancestor(hc->s, ma, mb) ? 1 : 0;
}

/* A source's binding as plugins see it; keys/vals are freed by the caller. */
strata_source_cfg host_source_cfg(strata *s, size_t i, const char ***keys, const char ***vals)
{
	const cfg_source *src = &s->cfg.sources[i];
	*keys = xcalloc(src->nopts + 1, sizeof **keys);
	*vals = xcalloc(src->nopts + 1, sizeof **vals);
	for (size_t j = 0; j < src->nopts; j++) {
		(*keys)[j] = src->opts[j].key;
		(*vals)[j] = src->opts[j].value;
	}
	strata_source_cfg sc = {
		.version = 2,
		.struct_size = sizeof sc,
		.name = src->name,
		.format = src->format,
		.path = src->path,
		.config_file = s->cfg.file ? s->cfg.file : "strata.yaml",
		.config_line = src->line,
		.option_keys = *keys,
		.option_values = *vals,
		.want = s->want_down ? STRATA_WANT_DOWN_TEXT : 0,
	};
	sc.dialect = dialect_of_url(s, strata_database_url(s));
	return sc;
}

void host_init(host_call *hc, strata *s)
{
	memset(hc, 0, sizeof *hc);
	hc->s = s;
	hc->source = (size_t)-1;
	strata_host *h = &hc->pub;
	h->version = STRATA_HOST_VERSION;
	h->struct_size = sizeof *h;
	h->error = h_error;
	h->warn = h_warn;
	h->debug = h_debug;
	h->add_migration = h_add_migration;
	h->detected = h_detected;
	h->formats_dirs = (const char *const *)s->formats_dirs;
	h->db_exec = h_db_exec;
	h->db_query = h_db_query;
	h->db_dialect = h_db_dialect;
	h->db_table_exists = h_db_table_exists;
	h->track_row = h_track_row;
	h->sha256_hex = sha256_hex;
	h->version_key = version_key;
	h->version_cmp = version_cmp;
	h->lock_timeout_ms = s->cfg.lock_timeout_ms;
	h->session_lock_timeout_ms = s->cfg.session_lock_timeout_ms;
	h->session_statement_timeout_ms = s->cfg.session_statement_timeout_ms;
	h->is_ancestor = h_is_ancestor;
}
