/* The config's sources read into the ledger: each source's plugin scans its
 * folder (through the funnel) and hands its migrations to sources_add();
 * then the ledger is ordered. */
#include "sources.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* A source's keys besides name/format/path must be ones its plugin reads. */
static int check_options(loader *L, const cfg_source *src, const strata_source_ops *ops)
{
	for (size_t j = 0; j < src->nopts; j++) {
		bool known = false;
		for (size_t k = 0; ops->options && ops->options[k]; k++)
			known |= !strcmp(ops->options[k], src->opts[j].key);
		if (known)
			continue;
		sbuf h = {0};
		sbuf_puts(&h, "known keys: name, format, path, tracker, dialect, retired");
		for (size_t k = 0; ops->options && ops->options[k]; k++)
			sbuf_printf(&h, ", %s", ops->options[k]);
		int rc = err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, L->cfg->file,
		                 src->opts[j].line, 0, h.data,
		                 "unknown key '%s' for format '%s' (source '%s')", src->opts[j].key,
		                 src->format, src->name);
		sbuf_free(&h);
		return rc;
	}
	return 0;
}

/* Every source read afresh; want: the STRATA_WANT_* bits each source is told. */
static int load(ledger *lg, loader *L, const char *url, bool want_down, unsigned int want)
{
	ledger_clear(lg);
	/* The sources' plugins; the driver when connecting (formats/dialects.yaml
	 * tells sources the dialect meanwhile). */
	int rc = loader_load_url(L, NULL);
	if (!rc)
		rc = loader_leave_out(L, url);
	if (!rc)
		rc = loader_bind_trackers(L);
	if (rc)
		return rc;
	const config *cfg = L->cfg;
	const char *dialect = dialect_of_url(L, url);
	for (size_t i = 0; i < cfg->nsources; i++) {
		const cfg_source *src = &cfg->sources[i];
		if (L->left[i]) {
			logf_(L->e, STRATA_LOG_DEBUG, cfg->file, src->dialect_line,
			      "source %s left out: dialect %s, the database is %s", src->name,
			      src->dialect, dialect_of_url(L, url));
			continue;
		}
		/* A retired source's folder may be gone: its rows are records. */
		struct stat st;
		if (src->retired && stat(src->path, &st) != 0 && errno == ENOENT) {
			logf_(L->e, STRATA_LOG_DEBUG, cfg->file, src->retired_line,
			      "source %s is retired and %s is gone: not read", src->name,
			      src->path_display);
			continue;
		}
		const plugin *pl = loader_find_format(L, src->format);
		if (!pl)
			return err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, cfg->file, src->line, 0,
			               "`strata plugins` lists the formats available",
			               "source '%s': no plugin reads format '%s'", src->name, src->format);
		if ((rc = check_options(L, src, pl->desc->source)))
			return rc;
		host_call hc;
		sources_bind(&hc, L, lg, i);
		hc.want = want;
		hc.dialect = dialect;
		size_t before = lg->nmigs;
		rc = call_scan(&hc, pl);
		if (rc < 0)
			return rc;
		logf_(L->e, STRATA_LOG_DEBUG, NULL, 0, "source %s: %zu migrations from %s", src->name,
		      lg->nmigs - before, src->path_display);
	}
	rc = ledger_order(lg);
	if (rc)
		return rc;
	lg->loaded = true;
	lg->has_down = want_down;
	return 0;
}

int sources_load(ledger *lg, loader *L, const char *url, bool want_down)
{
	if (lg->loaded && (!want_down || lg->has_down))
		return 0;
	/* read again, with down scripts this time */
	return load(lg, L, url, want_down, want_down ? STRATA_WANT_DOWN_TEXT : 0);
}

int sources_load_checked(ledger *lg, loader *L, const char *url)
{
	return load(lg, L, url, false, STRATA_WANT_DIALECT_CHECK);
}
