/*
 * Finding layout descriptors: host->formats_dirs lists folders, most
 * specific first, each with a layouts/ subfolder; for a given name the first
 * folder that has <name>.yaml wins.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

typedef struct found {
	char *name;
	char *path;
	size_t dir; /* index in formats_dirs, for first-wins */
} found;

typedef struct found_list {
	found *v;
	size_t n, cap;
} found_list;

/* A layout name becomes part of a path, so it must stay a plain file name. */
static int valid_name(const char *name)
{
	return name && name[0] && name[0] != '.' && !strchr(name, '/');
}

/* The list owns its names and paths. */
static void list_free(found_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
	}
	free(l->v);
}

/* Sort by name, then by folder order, so the first of equal names wins. */
static int found_cmp(const void *a, const void *b)
{
	const found *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->dir > y->dir) - (x->dir < y->dir);
}

/* Add the *.yaml of one layouts/ folder; a missing folder is no descriptors. */
static int list_dir(strata_host *h, const char *dir, size_t idx, found_list *l)
{
	char *ldir = sp_path_join(dir, "layouts", NULL);
	if (!ldir)
		return strata_oom(h);
	DIR *d = opendir(ldir);
	int rc = STRATA_OK;
	struct dirent *e;
	while (d && rc == STRATA_OK && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 16;
			found *nv = realloc(l->v, cap * sizeof *nv);
			if (!nv) {
				rc = strata_oom(h);
				break;
			}
			l->v = nv;
			l->cap = cap;
		}
		found *f = &l->v[l->n];
		f->name = strndup(e->d_name, len - 5);
		f->path = sp_path_join(ldir, e->d_name, NULL);
		f->dir = idx;
		l->n++;
		if (!f->name || !f->path)
			rc = strata_oom(h);
	}
	if (d)
		closedir(d);
	free(ldir);
	return rc;
}

/* Every descriptor visible through formats_dirs, one per name, by name. */
static int list_all(strata_host *h, found_list *l)
{
	const char *const *dirs = h->formats_dirs;
	for (size_t i = 0; dirs && dirs[i]; i++) {
		int rc = list_dir(h, dirs[i], i, l);
		if (rc < 0)
			return rc;
	}
	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, found_cmp);
	size_t o = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (o && !strcmp(l->v[o - 1].name, l->v[i].name)) {
			free(l->v[i].name);
			free(l->v[i].path);
			continue;
		}
		l->v[o++] = l->v[i];
	}
	l->n = o;
	return STRATA_OK;
}

/* Load the layout `name`; STRATA_ENOTFOUND (nothing reported) when no
 * formats dir has it, so the caller can word the error for its context. */
int sp_catalog_find(strata_host *h, const char *name, sp_layout **out)
{
	*out = NULL;
	if (!valid_name(name))
		return STRATA_ENOTFOUND;
	const char *const *dirs = h->formats_dirs;
	size_t len = strlen(name);
	char *file = malloc(len + 6);
	if (!file)
		return strata_oom(h);
	memcpy(file, name, len);
	memcpy(file + len, ".yaml", 6);
	int rc = STRATA_ENOTFOUND;
	for (size_t i = 0; dirs && dirs[i] && rc == STRATA_ENOTFOUND; i++) {
		char *path = sp_path_join(dirs[i], "layouts", file);
		struct stat st;
		if (!path)
			rc = strata_oom(h);
		else if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = sp_layout_load(h, path, name, out);
		free(path);
	}
	free(file);
	return rc;
}

/* Load every visible layout, for detection; a broken descriptor is an error
 * rather than silently skipped, so it gets fixed. */
int sp_catalog_load_all(strata_host *h, sp_catalog *out)
{
	found_list l = { 0 };
	out->v = NULL;
	out->n = 0;
	int rc = list_all(h, &l);
	if (rc == STRATA_OK && l.n && !(out->v = calloc(l.n, sizeof *out->v)))
		rc = strata_oom(h);
	for (size_t i = 0; rc == STRATA_OK && i < l.n; i++) {
		rc = sp_layout_load(h, l.v[i].path, l.v[i].name, &out->v[i]);
		if (rc == STRATA_OK)
			out->n++;
	}
	list_free(&l);
	if (rc < 0)
		sp_catalog_free(out);
	return rc;
}

/* The hint of "unknown layout" and "no layout matches" errors: the names a
 * user can write, without parsing the descriptors.  NULL when out of memory. */
char *sp_catalog_hint(strata_host *h)
{
	found_list l = { 0 };
	char *hint = NULL;
	if (list_all(h, &l) == STRATA_OK) {
		size_t size = 32;
		for (size_t i = 0; i < l.n; i++)
			size += strlen(l.v[i].name) + 2;
		hint = malloc(size);
		if (hint && !l.n)
			strcpy(hint, "no layout descriptors found");
		else if (hint) {
			strcpy(hint, "available layouts: ");
			for (size_t i = 0; i < l.n; i++) {
				if (i)
					strcat(hint, ", ");
				strcat(hint, l.v[i].name);
			}
		}
	}
	list_free(&l);
	return hint;
}

/* Also safe on a catalog that failed half-way: only loaded layouts count. */
void sp_catalog_free(sp_catalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		sp_layout_free(c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
