/*
 * The write() op: a history in one layout, as its descriptor's write: keys
 * say (formats/layouts/NAME.yaml): file names from templates, up and down
 * in two files or in one behind marker lines.  One function for every
 * layout; a layout without write: is refused as a whole.
 *
 * New versions: the host's (new_version) when it gave one; else write.version:
 * seq (index + 1, zero-padded to write.width), stamp14 / stamp13 (the
 * migration's date, or 2000-01-01 + index seconds, always after the previous
 * one: wfile.c).  Each file name is checked against the layout's own match
 * patterns, so what is written is what the scan reads back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wfile.h"

/* The layout of the history being written, loaded by the first call and
 * freed by the finishing one; the host writes one history at a time. */
static sp_layout *wl;
static long long last_secs = -1;

static const char *option(const strata_source_cfg *cfg, const char *key)
{
	for (size_t i = 0; cfg->option_keys && cfg->option_keys[i]; i++)
		if (!strcmp(cfg->option_keys[i], key))
			return cfg->option_values[i];
	return NULL;
}

static int load_layout(strata_host *h, const strata_source_cfg *cfg)
{
	if (wl)
		return STRATA_OK;
	const char *name = option(cfg, "layout");
	if (!name || !*name) {
		char *hint = sp_catalog_hint(h);
		h->error(h, STRATA_ECLASS_CONFIG, NULL, 0, 0, hint,
		         "sqlpair needs a layout to write (sqlpair:LAYOUT)");
		free(hint);
		return STRATA_EINVAL;
	}
	int rc = sp_catalog_find(h, name, &wl);
	if (rc == STRATA_ENOTFOUND) {
		char *hint = sp_catalog_hint(h);
		h->error(h, STRATA_ECLASS_CONFIG, NULL, 0, 0, hint, "unknown layout '%s'", name);
		free(hint);
		return STRATA_EINVAL;
	}
	if (rc < 0)
		return rc;
	if (!wl->has_write) {
		h->error(h, STRATA_ECLASS_CONFIG, wl->file, 0, 0,
		         "the layouts with write: keys can be written",
		         "layout '%s' is read only (its descriptor has no write:)", name);
		sp_layout_free(wl);
		wl = NULL;
		return STRATA_EINVAL;
	}
	return STRATA_OK;
}

/* tpl with {version} and {name} filled in. */
static void expand(const char *tpl, const char *version, const char *name, char *out, size_t size)
{
	size_t o = 0;
	for (const char *p = tpl; *p && o + 1 < size;) {
		const char *v = NULL;
		if (!strncmp(p, "{version}", 9))
			v = version, p += 9;
		else if (!strncmp(p, "{name}", 6))
			v = name, p += 6;
		if (!v) {
			out[o++] = *p++;
			continue;
		}
		size_t n = strlen(v);
		if (n > size - 1 - o)
			n = size - 1 - o;
		memcpy(out + o, v, n);
		o += n;
	}
	out[o] = '\0';
}

static void new_version(const strata_write_mig *m, char *out, size_t size)
{
	if (m->new_version && m->new_version[0]) {
		snprintf(out, size, "%s", m->new_version);
		return;
	}
	if (wl->w_version == SP_WV_SEQ) {
		snprintf(out, size, "%0*zu", wl->w_width, m->index + 1);
		return;
	}
	last_secs = wf_next_secs(last_secs, m->created, m->index);
	char st[15];
	if (wl->w_version == SP_WV_STAMP14)
		wf_stamp14_at(last_secs, st);
	else
		wf_stamp13_at(last_secs, st);
	snprintf(out, size, "%s", st);
}

static void new_name(const strata_write_mig *m, char *out, size_t size)
{
	wf_slug(m->name, "migration", out + 1, size - 1);
	int digit = out[1] >= '0' && out[1] <= '9';
	if (wl->w_ident && digit)
		out[0] = 'M';
	else
		memmove(out, out + 1, strlen(out + 1) + 1);
}

/* The file name must be one the layout reads as what it was written for. */
static int check_name(strata_host *h, const sp_pattern *p, const char *rel, const char *what)
{
	sp_span k, v, n;
	int ok = p->kind ? sp_kind_match(p, rel, &k, &v, &n) : sp_pattern_match(p, rel, &v, &n);
	if (ok && !sp_layout_ignored(wl, rel))
		return STRATA_OK;
	h->error(h, STRATA_ECLASS_CONFIG, wl->file, 0, 0, "fix the layout's write: keys",
	         "layout '%s' writes the %s file '%s', which it does not read back as one", wl->name,
	         what, rel);
	return STRATA_EINVAL;
}

static const sp_pattern *kind_pattern(unsigned int kind)
{
	for (size_t i = 0; i < wl->n_kinds; i++)
		if (wl->kinds[i].kind == kind)
			return &wl->kinds[i];
	return NULL;
}

/* A line of text[0..len) that a marker regex would match would cut the
 * section there when read back: 1 with *line its number. */
static int marker_inside(const char *text, size_t len, int *line)
{
	char buf[4096];
	int no = 0;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);
		if (n && p[n - 1] == '\r')
			n--;
		no++;
		if (n >= sizeof buf)
			n = sizeof buf - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (!regexec(&wl->sec_up.re, buf, 0, NULL, 0) ||
		    !regexec(&wl->sec_down.re, buf, 0, NULL, 0)) {
			*line = no;
			return 1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

static int write_sections(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m,
                          const char *rel)
{
	int line;
	if (marker_inside(m->up, m->up_len, &line))
		return wf_refuse(h, m, "move or reword that line (a comment, most often)",
		                 "line %d of the up script would read as a %s section marker", line,
		                 wl->name);
	if (m->down && marker_inside(m->down, m->down_len, &line))
		return wf_refuse(h, m, "move or reword that line (a comment, most often)",
		                 "line %d of the down script would read as a %s section marker", line,
		                 wl->name);
	int with_down = m->down || wl->require_down;
	int no_tx = wl->sec_options && (m->flags & STRATA_MIG_NO_TRANSACTION);
	/* the down's own mode, else the up's (plugin.h: STRATA_MIG_DOWN_OWN_TX) */
	unsigned int down_bit = (m->flags & STRATA_MIG_DOWN_OWN_TX) ? STRATA_MIG_DOWN_NO_TRANSACTION
	                                                            : STRATA_MIG_NO_TRANSACTION;
	int down_no_tx = wl->sec_options && (m->flags & down_bit);
	char head[256], mid[256];
	int hn = snprintf(head, sizeof head, "%s%s\n", wl->w_up_marker, no_tx ? " transaction:false" : "");
	int nl = !wf_ends_nl(m->up, m->up_len) && with_down;
	if (nl)
		h->warn(h, NULL, 0,
		        "migration %s: its up script ends without a newline: one is added before "
		        "the %s down marker",
		        m->mig_version, wl->name);
	int mn = with_down ? snprintf(mid, sizeof mid, "%s%s%s\n", nl ? "\n" : "", wl->w_down_marker,
	                              down_no_tx ? " transaction:false" : "")
	                   : 0;
	char *all = malloc((size_t)hn + m->up_len + (size_t)mn + 1);
	if (!all)
		return strata_oom(h);
	memcpy(all, head, (size_t)hn);
	memcpy(all + hn, m->up, m->up_len);
	memcpy(all + hn + m->up_len, mid, (size_t)mn);
	int rc = wf_write3(h, cfg->path, rel, all, (size_t)hn + m->up_len + (size_t)mn,
	                   m->down, m->down ? m->down_len : 0, NULL, 0);
	free(all);
	return rc;
}

static int write_one(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m)
{
	int parents = 0;
	for (size_t i = 0; m->parents && m->parents[i]; i++)
		parents++;
	if (parents > 1)
		return wf_refuse(h, m, "a file layout's history is one line: merge the branches first",
		                 "a merge of %d branches", parents);
	const char *tpl = wl->w_up;
	const sp_pattern *pat = &wl->up;
	unsigned int kind = m->flags & (STRATA_MIG_BASELINE | STRATA_MIG_REPEATABLE);
	if (kind) {
		tpl = kind == STRATA_MIG_BASELINE ? wl->w_baseline : wl->w_repeatable;
		pat = kind_pattern(kind);
		if (!tpl || !pat)
			return wf_refuse(h, m, "apply it with its own tool, or fold it into a migration",
			                 "layout '%s' has no %s migrations", wl->name,
			                 kind == STRATA_MIG_BASELINE ? "baseline" : "repeatable");
	}
	char version[64], name[160], rel[512], down_rel[512];
	new_version(m, version, sizeof version);
	new_name(m, name, sizeof name);
	expand(tpl, version, name, rel, sizeof rel);
	int rc = check_name(h, pat, rel, "up");
	if (rc < 0)
		return rc;
	if (wl->has_sections)
		return write_sections(h, cfg, m, rel);
	if (m->down && (kind || !wl->w_down))
		return wf_refuse(h, m, "drop the down script, or pick a layout with down files",
		                 "layout '%s' has no down scripts for this migration", wl->name);
	if ((rc = wf_write(h, cfg->path, rel, m->up, m->up_len)) < 0 || !m->down)
		return rc;
	expand(wl->w_down, version, name, down_rel, sizeof down_rel);
	if ((rc = check_name(h, &wl->down, down_rel, "down")) < 0)
		return rc;
	return wf_write(h, cfg->path, down_rel, m->down, m->down_len);
}

int sp_write(strata_host *h, const strata_source_cfg *cfg, const strata_write_mig *m)
{
	if (!m) {
		sp_layout_free(wl);
		wl = NULL;
		last_secs = -1;
		return STRATA_OK;
	}
	int rc = load_layout(h, cfg);
	return rc < 0 ? rc : write_one(h, cfg, m);
}
