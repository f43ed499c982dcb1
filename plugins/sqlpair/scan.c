/*
 * The scan() op: choose the layout, list the folder, classify and pair the
 * files, hand the migrations over.
 */
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

/* The `layout` option names a descriptor; an unknown name is a mistake in
 * strata.yaml, so it is reported there, with the names that would work. */
static int named_layout(strata_host *h, const strata_source_cfg *cfg, const char *name,
                        sp_layout **out)
{
	int rc = sp_catalog_find(h, name, out);
	if (rc != STRATA_ENOTFOUND)
		return rc;
	char *hint = sp_catalog_hint(h);
	h->error(h, STRATA_ECLASS_CONFIG, cfg->config_file, cfg->config_line, 0, hint,
	         "unknown layout '%s'", name);
	free(hint);
	return STRATA_EINVAL;
}

/* Without a `layout` option the folder's contents decide, as in detect(). */
static int detected_layout(strata_host *h, const strata_source_cfg *cfg, int rootfd,
                           const sp_files *f, sp_catalog *cat, const sp_layout **out)
{
	int rc = sp_catalog_load_all(h, cat);
	if (rc == STRATA_OK)
		rc = sp_detect_choose(h, cat, rootfd, f, out);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		char *hint = sp_catalog_hint(h);
		h->error(h, STRATA_ECLASS_SOURCE, cfg->path, 0, 0, hint,
		         "no layout matches %s; set the source's `layout` option", cfg->path);
		free(hint);
		return STRATA_EINVAL;
	}
	h->debug(h, "sqlpair: %s: detected layout '%s'", cfg->path, (*out)->name);
	return STRATA_OK;
}

/* Down files are read only when the command will run them (a host too old
 * to say gets them always). */
static bool want_down_text(const strata_source_cfg *cfg)
{
	if (!STRATA_HAS(strata_source_cfg, cfg, want))
		return true;
	return (cfg->want & STRATA_WANT_DOWN_TEXT) != 0;
}

/* Classify, pair and hand over, once the layout and file list are known. */
static int scan_files(strata_host *h, const strata_source_cfg *cfg, const sp_layout *l, int rootfd,
                      sp_files *f)
{
	sp_set set = { .root = cfg->path };
	int rc = sp_refuse_other(h, l, rootfd, f);
	if (rc == STRATA_OK)
		rc = sp_classify(h, l, f, &set);
	/* The set borrows the paths (f's arena), not the lists: gone before
	 * the migrations are handed over. */
	free(f->v);
	free(f->other);
	f->v = f->other = NULL;
	f->n = f->cap = f->n_other = f->cap_other = 0;
	if (rc == STRATA_OK)
		rc = sp_pair(h, &set);
	if (rc == STRATA_OK)
		rc = sp_emit(h, l, rootfd, &set, want_down_text(cfg));
	sp_set_free(&set);
	return rc;
}

/* The default_tracker() op: the layout's `tracker:` (the one named, else
 * the one the folder's files choose).  A layout that cannot be read has
 * none here; scan() reports why. */
const char *sp_default_tracker(strata_host *h, const strata_source_cfg *cfg)
{
	static _Thread_local char answer[128];
	sp_layout *named = NULL;
	sp_catalog cat = { 0 };
	sp_files files = { 0 };
	const sp_layout *l = NULL;
	int fd = -1;
	const char *name = strata_cfg_option(cfg, "layout");
	answer[0] = '\0';
	if (name) {
		if (sp_catalog_find(h, name, &named) == STRATA_OK)
			l = named;
	} else if ((fd = sp_open_root(h, cfg->path, 0)) >= 0 && sp_walk(h, fd, &files) == STRATA_OK &&
	           sp_catalog_load_all(h, &cat) == STRATA_OK &&
	           sp_detect_choose(h, &cat, fd, &files, &l) <= 0) {
		l = NULL;
	}
	if (l && l->tracker && strcmp(l->tracker, "none"))
		snprintf(answer, sizeof answer, "%s", l->tracker);
	if (fd >= 0)
		close(fd);
	sp_files_free(&files);
	sp_catalog_free(&cat);
	sp_layout_free(named);
	return answer[0] ? answer : NULL;
}

/* The scan() op. */
int sp_scan(strata_host *h, const strata_source_cfg *cfg)
{
	sp_layout *named = NULL;
	sp_catalog cat = { 0 };
	sp_files files = { 0 };
	const sp_layout *l = NULL;
	int fd = -1, rc = STRATA_OK;
	const char *name = strata_cfg_option(cfg, "layout");
	if (name) {
		rc = named_layout(h, cfg, name, &named);
		l = named;
	}
	if (rc == STRATA_OK && (fd = sp_open_root(h, cfg->path, 0)) < 0)
		rc = fd;
	if (rc == STRATA_OK)
		rc = sp_walk(h, fd, &files);
	if (rc == STRATA_OK && !l)
		rc = detected_layout(h, cfg, fd, &files, &cat, &l);
	if (rc == STRATA_OK)
		rc = scan_files(h, cfg, l, fd, &files);
	if (fd >= 0)
		close(fd);
	sp_files_free(&files);
	sp_catalog_free(&cat);
	sp_layout_free(named);
	return rc;
}
