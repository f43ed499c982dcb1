/*
 * A history written into a folder in one format (the source op `write`),
 * for `strata convert` and `strata adopt`: the folder made (new or empty),
 * the plugin's write() called per migration in order, then once with NULL to
 * finish; what the plugin refuses collected in the report with its reason,
 * never dropped without a word.  A folder this made is removed again when
 * the writing fails (an error, not a refusal).
 */
#include "sources.h"

#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(path);
}

/* --out must be new or empty: a convert never mixes with files already there.
 * *made: this call made the folder (removed again when the writing fails). */
static int make_out(err_ctx *e, const char *dir, bool *made)
{
	*made = false;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		bool empty = true;
		while (empty && (de = readdir(d)))
			empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
		closedir(d);
		if (!empty)
			return err_set(e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, dir, 0, 0,
			               "name a new or empty folder",
			               "the output folder is not empty");
		return 0;
	}
	if (errno != ENOENT)
		return err_set(e, STRATA_EIO, STRATA_ECLASS_CONFIG, dir, 0, 0, NULL,
		               "cannot open the output folder: %s", strerror(errno));
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0777);
		*s = '/';
	}
	int bad = mkdir(p, 0777) < 0 && errno != EEXIST;
	free(p);
	*made = !bad;
	if (bad)
		return err_set(e, STRATA_EIO, STRATA_ECLASS_CONFIG, dir, 0, 0, NULL,
		               "cannot make the output folder: %s", strerror(errno));
	return 0;
}

static void refuse(write_report *rep, size_t index, const char *what, const strata_error_info *ei)
{
	rep->refused = xrealloc(rep->refused, (rep->nrefused + 1) * sizeof *rep->refused);
	rep->refused[rep->nrefused++] = (write_refusal){
		.index = index,
		.what = what,
		.reason = xstrdup(ei && ei->message ? ei->message : "refused"),
		.hint = ei && ei->hint ? xstrdup(ei->hint) : NULL,
	};
}

void sources_write_report_add(write_report *rep, size_t index, const char *what,
                              const char *reason, const char *hint)
{
	strata_error_info ei = {.message = reason, .hint = hint};
	refuse(rep, index, what, &ei);
}

int sources_write(loader *L, const char *format, const char *layout, const char *out_dir,
                  const char *dialect, const strata_write_mig *migs, size_t n, write_report *rep)
{
	const plugin *pl = loader_find_format(L, format);
	if (!pl && !L->all) {
		int rc = loader_load_all(L);
		if (rc)
			return rc;
		pl = loader_find_format(L, format);
	}
	if (!pl || !pl->desc->source)
		return err_set(L->e, STRATA_EINVAL, STRATA_ECLASS_CONFIG, NULL, 0, 0,
		               "`strata plugins` lists the formats available",
		               "no plugin writes format '%s'", format);
	host_call hc;
	host_init(&hc, L);
	const char *keys[2] = {layout ? "layout" : NULL, NULL};
	const char *vals[2] = {layout, NULL};
	strata_source_cfg cfg = {
		.version = STRATA_SOURCE_CFG_VERSION,
		.struct_size = sizeof cfg,
		.name = format,
		.format = format,
		.path = out_dir,
		.option_keys = keys,
		.option_values = vals,
		.want = STRATA_WANT_DOWN_TEXT,
		.dialect = dialect,
	};
	if (!call_has_write(pl))
		return call_write(&hc, pl, &cfg, NULL); /* the error saying so */
	bool made;
	int rc = make_out(L->e, out_dir, &made);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		rc = call_write(&hc, pl, &cfg, &migs[i]);
		if (rc == STRATA_WRITE_REFUSED) {
			refuse(rep, i, "migration", err_cur(L->e));
			err_clear(L->e);
			rc = 0;
		} else if (!rc) {
			rep->written++;
		}
	}
	int fin = call_write(&hc, pl, &cfg, NULL); /* finish, also after an error: state freed */
	if (fin == STRATA_WRITE_REFUSED)
		fin = STRATA_ERR;
	if (rc == 0)
		rc = fin;
	if (rc < 0 && made) /* a folder of ours holding half a history: gone again */
		nftw(out_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

void sources_write_report_free(write_report *rep)
{
	for (size_t i = 0; i < rep->nrefused; i++) {
		free(rep->refused[i].reason);
		free(rep->refused[i].hint);
	}
	free(rep->refused);
	memset(rep, 0, sizeof *rep);
}
