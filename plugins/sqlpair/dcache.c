/*
 * Folder listings for detect().  `strata init` asks about every folder of a
 * repository, and each detect() lists the folder's tree SP_MAX_DEPTH deep,
 * so every folder was read once per folder above it, up to five times (on
 * a tree of 20,000 folders: 1.1 s of the 1.2 s init took, all in
 * getdents and openat).  Here each folder is read once: its entries (name
 * and sp_entry_type) are kept, by absolute path, until the plugin is
 * unloaded.  Only detect() uses it; scan() always lists afresh (walk.c).
 * The caller holds detect.c's lock.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct dent {
	char *name;
	int type;
} dent;

typedef struct dlist {
	char *path; /* NULL: a free slot */
	dent *v;
	size_t n;
} dlist;

static dlist **slots; /* open addressing, at most half full; entries never move */
static size_t nslots, nused;

static uint64_t hash(const char *s)
{
	uint64_t x = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		x = (x ^ (unsigned char)*s) * 1099511628211ull;
	return x;
}

static dlist **slot_of(dlist **tab, size_t n, const char *path)
{
	size_t i = (size_t)(hash(path) & (n - 1));
	while (tab[i] && strcmp(tab[i]->path, path))
		i = (i + 1) & (n - 1);
	return &tab[i];
}

static int grow(strata_host *h)
{
	size_t n = nslots ? nslots * 2 : 1024;
	dlist **tab = calloc(n, sizeof *tab);
	if (!tab)
		return strata_oom(h);
	for (size_t i = 0; i < nslots; i++)
		if (slots[i])
			*slot_of(tab, n, slots[i]->path) = slots[i];
	free(slots);
	slots = tab;
	nslots = n;
	return STRATA_OK;
}

static void list_free(dlist *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		free(l->v[i].name);
	if (l) {
		free(l->v);
		free(l->path);
	}
	free(l);
}

/* Read folder path (dot-entries left out, as walk.c does). */
static int read_list(strata_host *h, const char *path, const char *rel, dlist *out)
{
	DIR *d = opendir(path);
	if (!d) {
		h->error(h, STRATA_ECLASS_SOURCE, rel ? rel : path, 0, 0, NULL, "cannot read folder: %s",
		         strerror(errno));
		return STRATA_EIO;
	}
	size_t cap = 0;
	int rc = STRATA_OK;
	struct dirent *e;
	while (rc == STRATA_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			dent *nv = realloc(out->v, nc * sizeof *nv);
			if (!nv) {
				rc = strata_oom(h);
				break;
			}
			out->v = nv;
			cap = nc;
		}
		dent *x = &out->v[out->n];
		x->type = sp_entry_type(dirfd(d), e);
		if (!(x->name = strdup(e->d_name)))
			rc = strata_oom(h);
		else
			out->n++;
	}
	closedir(d);
	return rc;
}

/* The listing of path, read now or earlier. */
static int listing(strata_host *h, const char *path, const char *rel, const dlist **out)
{
	if (nslots) {
		dlist **s = slot_of(slots, nslots, path);
		if (*s) {
			*out = *s;
			return STRATA_OK;
		}
	}
	dlist *l = calloc(1, sizeof *l);
	if (!l)
		return strata_oom(h);
	int rc = read_list(h, path, rel, l);
	if (rc == STRATA_OK && !(l->path = strdup(path)))
		rc = strata_oom(h);
	if (rc == STRATA_OK && (nused + 1) * 2 > nslots)
		rc = grow(h);
	if (rc < 0) {
		list_free(l);
		return rc;
	}
	*slot_of(slots, nslots, path) = l;
	nused++;
	*out = l;
	return STRATA_OK;
}

static int walk(strata_host *h, const char *path, const char *prefix, int depth, sp_files *f)
{
	const dlist *l = NULL;
	int rc = listing(h, path, prefix, &l);
	for (size_t i = 0; rc == STRATA_OK && i < l->n; i++) {
		char *rel;
		int type = l->v[i].type;
		rc = sp_files_add(h, f, prefix, l->v[i].name, type, &rel);
		if (rc == STRATA_OK && type == DT_DIR && depth < SP_MAX_DEPTH) {
			char *sub = sp_path_join(path, l->v[i].name, NULL);
			if (!sub)
				return strata_oom(h);
			rc = walk(h, sub, rel, depth + 1, f);
			free(sub);
		}
	}
	return rc;
}

int sp_walk_cached(strata_host *h, const char *root, sp_files *out)
{
	int rc = walk(h, root, NULL, 0, out);
	if (rc == STRATA_OK)
		sp_files_sort(out);
	return rc;
}

void sp_dcache_drop(void)
{
	for (size_t i = 0; i < nslots; i++)
		list_free(slots[i]);
	free(slots);
	slots = NULL;
	nslots = nused = 0;
}
