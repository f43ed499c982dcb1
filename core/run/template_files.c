/*
 * The replay cache's file store (template.c tells the design), for a
 * scratch that is a SQLite file: <key>.sqlite in STRATA_TEMPLATE_DIR, else
 * ${XDG_CACHE_HOME:-~/.cache}/strata/templates, with <key>.info beside it
 * (the comment line a PostgreSQL template carries: key, prefix, created,
 * project).
 *
 * A plain copy of the file, not SQLite's backup API: the scratch is
 * copied only once its connection is closed, and the driver keeps SQLite's
 * rollback journal (no -wal file), so the one file is the whole database;
 * core links no SQLite (the driver is a plugin), and a copy needs no new
 * driver op.  Written atomically: a temporary file in the same folder,
 * fsync'd, renamed over the name; a reader sees a whole template or none,
 * and two processes saving one key leave one of two equal copies.
 */
#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p; 0 or -1 (errno). */
static int make_dirs(const char *dir)
{
	char *d = xstrdup(dir);
	int rc = 0;
	for (char *c = d + 1; !rc && *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(d, 0700) && errno != EEXIST)
			rc = -1;
		*c = '/';
	}
	if (!rc && mkdir(d, 0700) && errno != EEXIST)
		rc = -1;
	free(d);
	return rc;
}

static char *cache_dir(const plan *p)
{
	const char *v = config_getenv(p->cfg, "STRATA_TEMPLATE_DIR");
	if (v && *v)
		return xstrdup(v);
	const char *x = getenv("XDG_CACHE_HOME");
	if (x && *x == '/')
		return xasprintf("%s/strata/templates", x);
	const char *home = getenv("HOME");
	return xasprintf("%s/.cache/strata/templates", home && *home ? home : "/tmp");
}

static bool is_key(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

/* The whole of a small file, NUL-terminated, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

static int files_list(plan *p, run_scratch *s, run_tpl *t)
{
	(void)s;
	t->dir = cache_dir(p);
	DIR *d = opendir(t->dir);
	if (!d)
		return errno == ENOENT ? 0
		                       : err_set(p->e, STRATA_EIO, STRATA_ECLASS_OS, t->dir, 0, 0,
		                                 "set STRATA_TEMPLATE_DIR, or pass --no-cache",
		                                 "cannot read the template folder: %s", strerror(errno));
	for (struct dirent *de; (de = readdir(d));) {
		size_t n = strlen(de->d_name);
		if (n < 7 || strcmp(de->d_name + n - 7, ".sqlite") || !is_key(de->d_name, n - 7))
			continue;
		char *info = xasprintf("%s/%.64s.info", t->dir, de->d_name);
		char *comment = slurp(info);
		t->have = xrealloc(t->have, (t->nhave + 1) * sizeof *t->have);
		tpl_entry *e = &t->have[t->nhave++];
		tpl_entry_read(e, de->d_name, comment);
		if (!e->key) /* the name has it whole */
			e->key = xstrndup(de->d_name, 64);
		free(comment);
		free(info);
	}
	closedir(d);
	return 0;
}

static void files_name(const run_tpl *t, const char *key, char *out, size_t size)
{
	(void)t;
	snprintf(out, size, "%s.sqlite", key);
}

/* from → a new file at to (atomic with tmp_in: a temporary there, renamed). */
static int copy_file(plan *p, const char *from, const char *to, const char *tmp_dir)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	char *tmp = tmp_dir ? xasprintf("%s/.tmp-XXXXXX", tmp_dir) : NULL;
	int out = in < 0 ? -1 : tmp ? mkstemp(tmp) : open(to, O_WRONLY | O_TRUNC | O_CLOEXEC);
	const char *bad = in < 0 ? from : out < 0 ? (tmp ? tmp : to) : NULL;
	char buf[1 << 16];
	for (ssize_t n; !bad && (n = read(in, buf, sizeof buf)) != 0;) {
		if (n < 0 || write(out, buf, (size_t)n) != n)
			bad = n < 0 ? from : to;
	}
	if (!bad && tmp && (fsync(out) || rename(tmp, to)))
		bad = to;
	int saved = errno;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (bad && tmp && out >= 0)
		unlink(tmp);
	free(tmp);
	if (!bad)
		return 0;
	return err_set(p->e, STRATA_EIO, STRATA_ECLASS_OS, bad, 0, 0,
	               "set STRATA_TEMPLATE_DIR, or pass --no-cache", "cannot copy the template: %s",
	               strerror(saved));
}

static int files_load(plan *p, run_scratch *s, run_tpl *t)
{
	char *from = xasprintf("%s/%s", t->dir, t->base_name);
	int rc = copy_file(p, from, s->tmp, NULL);
	snprintf(t->base_name, sizeof t->base_name, "%s", from);
	free(from);
	return rc;
}

static int files_save(plan *p, run_scratch *s, run_tpl *t, size_t k, const char *name,
                      const char *comment)
{
	(void)k;
	if (make_dirs(t->dir))
		return err_set(p->e, STRATA_EIO, STRATA_ECLASS_OS, t->dir, 0, 0,
		               "set STRATA_TEMPLATE_DIR, or pass --no-cache",
		               "cannot create the template folder: %s", strerror(errno));
	char *to = xasprintf("%s/%s", t->dir, name);
	int rc = copy_file(p, s->tmp, to, t->dir);
	free(to);
	if (rc)
		return rc;
	char *info = xasprintf("%s/%.64s.info", t->dir, name);
	char *tmp = xasprintf("%s/.tmp-XXXXXX", t->dir);
	int fd = mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	bool ok = f && fprintf(f, "%s\n", comment) > 0;
	if (f)
		ok = !fclose(f) && ok;
	else if (fd >= 0)
		close(fd);
	if (ok)
		ok = !rename(tmp, info);
	if (!ok && fd >= 0)
		unlink(tmp);
	if (!ok)
		rc = err_set(p->e, STRATA_EIO, STRATA_ECLASS_OS, info, 0, 0,
		             "set STRATA_TEMPLATE_DIR, or pass --no-cache",
		             "cannot write the template's description: %s", strerror(errno));
	free(tmp);
	free(info);
	return rc;
}

static void files_drop(plan *p, run_scratch *s, run_tpl *t, const tpl_entry *e)
{
	(void)p;
	(void)s;
	char *db = xasprintf("%s/%s", t->dir, e->name);
	char *info = xasprintf("%s/%.64s.info", t->dir, e->name);
	unlink(db);
	unlink(info);
	free(db);
	free(info);
}

const tpl_store tpl_files = {files_list, files_name, files_load, files_save, files_drop};
